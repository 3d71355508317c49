//! What a resolver may take from the context: the shared state and the verified caller.

use std::sync::Arc;

use async_graphql::Context;

use crate::state::AppState;
use domain::error::{AppError, AppResult};
use domain::policy::Principal;

/// Per-request data: the caller, if the request carried a valid token.
#[derive(Clone, Default)]
pub struct RequestAuth {
    pub principal: Option<Principal>,
}

/// The client's address (the TCP peer), for failed-login limits.
#[derive(Clone, Copy, Default)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

/// Connections one request may use at once. The pool holds 8 (SQLite) or 20 (PostgreSQL);
/// a request whose resolvers all ran at once (2,400 aliases of one field) took every one of
/// them and left the other requests waiting.
pub const DB_TURNS_PER_REQUEST: usize = 3;

/// Records read once per request: the few cities (all of them, in one query, the first time
/// any is needed), which every group, newcomer and match of a list would otherwise read again.
pub struct RequestCache {
    pub cities: tokio::sync::OnceCell<std::collections::HashMap<String, entity::city::Model>>,
    /// Contact details read during the request, audited in one write when it ends (before the
    /// answer leaves: a failed audit write fails the request).
    pub contact_reads: std::sync::Mutex<Vec<services::audit::ContactRead>>,
    /// The request's share of the connection pool: a resolver holds a turn while it runs.
    pub db_turns: tokio::sync::Semaphore,
}

impl Default for RequestCache {
    fn default() -> Self {
        Self {
            cities: Default::default(),
            contact_reads: Default::default(),
            db_turns: tokio::sync::Semaphore::new(DB_TURNS_PER_REQUEST),
        }
    }
}

/// A resolver's turn at the database, until dropped.
pub struct DbTurn<'a>(#[allow(dead_code)] Option<tokio::sync::SemaphorePermit<'a>>);

impl RequestCache {
    /// Notes a contact detail the response will carry.
    pub fn contact_read(&self, read: services::audit::ContactRead) -> AppResult<()> {
        self.contact_reads
            .lock()
            .map(|mut reads| reads.push(read))
            .map_err(|_| AppError::internal(anyhow::anyhow!("the contact-read log of this request is poisoned")))
    }
}

/// Notes that the answer carries a contact detail (when `read`: it was not empty), to be
/// audited when the request ends.
pub fn audit_contact_read(
    ctx: &Context<'_>,
    read: bool,
    record: services::audit::ContactRead,
) -> async_graphql::Result<()> {
    use crate::error::IntoGql;
    if !read {
        return Ok(());
    }
    cache(ctx).and_then(|c| c.contact_read(record)).gql()
}

/// The request's cache; present on every request the transport serves.
pub fn cache<'a>(ctx: &Context<'a>) -> AppResult<&'a RequestCache> {
    ctx.data::<Arc<RequestCache>>()
        .map(|c| c.as_ref())
        .map_err(|_| AppError::internal(anyhow::anyhow!("request cache missing from the request")))
}

/// The shared application state.
pub fn state<'a>(ctx: &Context<'a>) -> AppResult<&'a AppState> {
    ctx.data::<Arc<AppState>>()
        .map(|s| s.as_ref())
        .map_err(|_| AppError::internal(anyhow::anyhow!("application state missing from the schema")))
}

/// The verified caller, or UNAUTHENTICATED. Checked per field, so `__typename` and
/// introspection answer without a token.
pub fn caller<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
    ctx.data_opt::<RequestAuth>().and_then(|a| a.principal.as_ref()).ok_or(AppError::Unauthenticated)
}

/// The state and a turn at the database, for what anyone may read (cities are public).
pub async fn state_and_turn<'a>(ctx: &Context<'a>) -> AppResult<(&'a AppState, DbTurn<'a>)> {
    let state = state(ctx)?;
    let turn = match ctx.data_opt::<Arc<RequestCache>>() {
        Some(cache) => Some(
            cache.db_turns.acquire().await.map_err(|_| AppError::internal(anyhow::anyhow!("request turns closed")))?,
        ),
        None => None,
    };
    Ok((state, DbTurn(turn)))
}

/// The state, the caller and a turn at the database (one of the request's few), the common
/// case: the turn is held until the resolver's body ends (its children resolve after that, so
/// a parent never waits for its own children's turns).
pub async fn both<'a>(ctx: &Context<'a>) -> AppResult<(&'a AppState, &'a Principal, DbTurn<'a>)> {
    let caller = caller(ctx)?;
    let (state, turn) = state_and_turn(ctx).await?;
    Ok((state, caller, turn))
}
