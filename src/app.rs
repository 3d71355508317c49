//! Builds the actix application; used by `main.rs` and by the tests, which start it on port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use sea_orm::DatabaseConnection;

use crate::auth::{JwtKeys, secrets};
use crate::config::Settings;
use crate::graphql::handler::{self, GraphqlEndpoint};
use crate::graphql::{self, SchemaLimits};
use crate::scripting::registry::ScriptRegistry;
use crate::services::scripts;
use crate::{db, demo};

/// What every request may use.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub jwt: JwtKeys,
    /// The external identity provider, when configured.
    pub idp: Option<crate::auth::external::ExternalIdp>,
    /// The key of export pseudonyms.
    pub export_key: crate::export::ExportKey,
    /// Counters for `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Failed-login limits of this replica.
    pub login_limiter: crate::auth::limiter::LoginLimiter,
    /// The compiled active script of each city.
    pub scripts: ScriptRegistry,
    /// Serialises the rounds of one city within this process (PostgreSQL adds an advisory
    /// lock across replicas).
    pub round_locks: RoundLocks,
}

/// One async mutex per city.
#[derive(Default)]
pub struct RoundLocks(std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl RoundLocks {
    pub fn for_city(&self, city: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.0.lock() {
            Ok(mut map) => Arc::clone(map.entry(city.to_owned()).or_default()),
            // A poisoned map only means another thread panicked while inserting; a fresh
            // mutex still serialises this caller with later ones.
            Err(_) => Arc::new(tokio::sync::Mutex::new(())),
        }
    }
}

/// Options of `serve`.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    pub demo: bool,
}

/// A bound, migrated, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    pub state: Arc<AppState>,
    /// Demo users and passwords when `--demo` seeded the database just now.
    pub demo_users: Vec<demo::DemoUser>,
}

impl Application {
    /// Connects, migrates, resolves secrets, seeds the demo (once) and binds `listener`.
    pub async fn build(settings: Settings, options: ServeOptions, listener: TcpListener) -> anyhow::Result<Self> {
        let mut conn = db::connect(&settings.database_url).await?;
        let metrics = Arc::new(crate::metrics::Metrics::default());
        let counted = Arc::clone(&metrics);
        conn.set_metric_callback(move |info| counted.db_query(info.elapsed, info.failed));
        db::migrate(&conn).await?;
        scripts::ensure_shipped(&conn).await.map_err(crate::error::AppError::into_anyhow)?;
        let (secret, path, generated) =
            secrets::resolve(settings.jwt_secret.as_ref(), &settings.database_url, "jwt-secret", "SAMENHIER_JWT_SECRET")?;
        match (generated, path) {
            (true, Some(p)) => tracing::warn!(path = %p.display(), "SAMENHIER_JWT_SECRET is unset: generated a signing key and stored it with mode 0600"),
            (false, Some(p)) => tracing::info!(path = %p.display(), "using the signing key stored beside the database"),
            (true, None) => tracing::warn!("SAMENHIER_JWT_SECRET is unset: using a key for this process only"),
            _ => {}
        }
        let (export_secret, export_path, export_generated) =
            secrets::resolve(settings.export_key.as_ref(), &settings.database_url, "export-key", "SAMENHIER_EXPORT_KEY")?;
        if let (true, Some(p)) = (export_generated, export_path) {
            tracing::warn!(path = %p.display(), "SAMENHIER_EXPORT_KEY is unset: generated an export key and stored it with mode 0600");
        }
        let export_key = crate::export::ExportKey::new(export_secret);
        let idp = match &settings.idp {
            None => None,
            Some(i) => Some(crate::auth::external::ExternalIdp::new(&i.algorithm, &i.public_key_pem, &i.issuer, &i.audience)?),
        };
        let jwt = JwtKeys::new(&secret, &settings.jwt_issuer, &settings.jwt_audience, settings.token_lifetime)?;
        let demo_users = if options.demo { demo::seed(&conn, &settings).await? } else { Vec::new() };
        let introspection = settings.introspection.unwrap_or(options.demo);
        let state = Arc::new(AppState { db: conn, settings, jwt, idp, export_key, metrics, login_limiter: crate::auth::limiter::LoginLimiter::new(5, 50, std::time::Duration::from_secs(15 * 60)), scripts: ScriptRegistry::default(), round_locks: RoundLocks::default() });
        let limits = SchemaLimits {
            max_depth: state.settings.max_query_depth,
            max_complexity: state.settings.max_query_complexity,
            introspection,
        };
        let schema = graphql::builder(limits).data(Arc::clone(&state)).finish();
        let endpoint = web::Data::new(GraphqlEndpoint {
            schema,
            graphiql: introspection,
            cache: crate::graphql::response_cache::ResponseCache::new(state.settings.response_cache_bytes),
        });
        let port = listener.local_addr()?.port();
        let data = web::Data::new(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(endpoint.clone())
                .route("/graphql", web::post().to(handler::post))
                .route("/graphql", web::get().to(handler::get))
                .route("/exports/{dataset}", web::get().to(crate::export::http::download))
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz))
                .route("/metrics", web::get().to(metrics_text))
        })
        .listen(listener)?
        // Longer than the idle timeout of common load balancers (60 s): a proxy that reuses
        // an idle connection the server has just closed answers its client 502.
        .keep_alive(std::time::Duration::from_secs(75))
        .shutdown_timeout(30)
        .run();
        Ok(Self { port, server, state, demo_users })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped; SIGTERM and Ctrl-C finish requests in flight first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

async fn metrics_text(state: web::Data<Arc<AppState>>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.render())
}

async fn readyz(state: web::Data<Arc<AppState>>) -> HttpResponse {
    match db::migrations_applied(&state.db).await {
        Ok(true) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Ok(false) => HttpResponse::ServiceUnavailable().content_type("text/plain").body("migrations pending"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().content_type("text/plain").body("database unreachable")
        }
    }
}
