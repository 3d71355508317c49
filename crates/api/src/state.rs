//! What every request may use: the database, the settings, and the collaborators the use cases
//! take (sign-in, scoring, the export key, metrics), plus the count of requests in flight.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use services::auth::SignIn;
use services::config::Settings;
use services::scripts::Scoring;

/// What every request may use.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Settings,
    /// Tokens, the external identity provider and the failed-login limits.
    pub sign_in: SignIn,
    /// The key of export pseudonyms.
    pub export_key: anonymise::ExportKey,
    /// Counters for `/metrics`.
    pub metrics: Arc<services::metrics::Metrics>,
    /// Requests being served, for a shutdown that drains them.
    pub in_flight: InFlight,
    /// Compiled scripts, job slots and budgets, round locks.
    pub scoring: Scoring,
    /// Seals and opens personal data (each person's data key, wrapped by the server's).
    pub vault: Arc<services::sealed::Vault>,
}

/// The requests being served (an export counts until its last byte is sent).
///
/// Why a shutdown waits for this count and not only for actix's per-worker one: each worker
/// thread has its own runtime, and a pooled PostgreSQL connection belongs to the runtime of the
/// worker that opened it. A worker with nothing to do stops at once on a graceful stop, and a
/// request still running elsewhere that then uses one of that worker's connections fails
/// ("Tokio context is being shutdown"). So no worker stops until every request is done.
#[derive(Clone, Default)]
pub struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

/// One request in flight, until dropped.
pub struct InFlightGuard(Arc<std::sync::atomic::AtomicUsize>);

impl InFlight {
    pub fn enter(&self) -> InFlightGuard {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlightGuard(Arc::clone(&self.0))
    }

    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}
