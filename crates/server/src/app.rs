//! Builds the actix application; used by `main.rs` and by the tests, which start it on port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, Service as _};
use actix_web::{App, HttpResponse, HttpServer, web};

use crate::graphql_http::{self as handler, GraphqlEndpoint};
use api::SchemaLimits;
use api::state::{AppState, InFlight};
use scripting::registry::ScriptRegistry;
use services::auth::SignIn;
use services::auth::{JwtKeys, secrets};
use services::config::Settings;
use services::scripts::{self, RoundLocks, Scoring};
use services::{db, demo};

/// How long a shutdown waits for requests in flight before it stops anyway.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Whether the client of a request is still connected.
///
/// actix keeps running a handler after its client went away; a matching round or a script
/// validation would then burn its whole budget for nobody. Each connection keeps a duplicate
/// of its socket (a second file descriptor of the same socket, no unsafe code), and long work
/// watches it: a socket whose peer closed reads as end-of-file.
pub mod client_socket {
    use std::os::fd::AsFd;
    use std::sync::Arc;

    /// The socket of a request's connection, for peeking.
    #[derive(Clone)]
    pub struct ClientSocket(Arc<std::net::TcpStream>);

    pub fn on_connect(conn: &dyn std::any::Any, ext: &mut actix_web::dev::Extensions) {
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>()
            && let Ok(fd) = tcp.as_fd().try_clone_to_owned()
        {
            ext.insert(ClientSocket(Arc::new(std::net::TcpStream::from(fd))));
        }
    }

    impl ClientSocket {
        /// False once the peer closed the connection (or it failed). The socket is in
        /// non-blocking mode (it is the server's own socket), so a peek never waits: no data
        /// yet means the client is still there; end-of-file means it left.
        pub fn is_connected(&self) -> bool {
            let mut byte = [0u8; 1];
            match self.0.peek(&mut byte) {
                Ok(0) => false,
                Ok(_) => true,
                Err(e) => e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::Interrupted,
            }
        }

        /// Resolves once the client has gone away (checked four times a second).
        pub async fn gone(self) {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                if !self.is_connected() {
                    return;
                }
            }
        }
    }
}

/// Options of `serve`.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    pub demo: bool,
    /// Stop on SIGTERM / Ctrl-C after draining requests in flight (the `serve` command; not
    /// in tests, which must not take the test process's signals).
    pub signals: bool,
}

/// A bound, migrated, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    signals: bool,
    pub state: Arc<AppState>,
    /// Demo users and passwords when `--demo` seeded the database just now.
    pub demo_users: Vec<demo::DemoUser>,
    /// The notification scheduler, unless `SAMENHIER_NOTIFY=false`.
    notifier: Option<Arc<notify::Notifier>>,
}

impl Application {
    /// Connects, migrates, resolves secrets, seeds the demo (once) and binds `listener`.
    pub async fn build(settings: Settings, options: ServeOptions, listener: TcpListener) -> anyhow::Result<Self> {
        settings.adopt_time_zone();
        let mut conn = db::connect(&settings.database_url).await?;
        let metrics = Arc::new(services::metrics::Metrics::default());
        let counted = Arc::clone(&metrics);
        conn.set_metric_callback(move |info| counted.db_query(info.elapsed, info.failed));
        db::migrate(&conn).await?;
        scripts::ensure_shipped(&conn).await.map_err(domain::error::AppError::into_anyhow)?;
        let (secret, path, generated) = secrets::resolve(
            settings.jwt_secret.as_ref(),
            &settings.database_url,
            "jwt-secret",
            "SAMENHIER_JWT_SECRET",
        )?;
        match (generated, path) {
            (true, Some(p)) => {
                tracing::warn!(path = %p.display(), "SAMENHIER_JWT_SECRET is unset: generated a signing key and stored it with mode 0600")
            }
            (false, Some(p)) => tracing::info!(path = %p.display(), "using the signing key stored beside the database"),
            (true, None) => tracing::warn!("SAMENHIER_JWT_SECRET is unset: using a key for this process only"),
            _ => {}
        }
        let (export_secret, export_path, export_generated) = secrets::resolve(
            settings.export_key.as_ref(),
            &settings.database_url,
            "export-key",
            "SAMENHIER_EXPORT_KEY",
        )?;
        if let (true, Some(p)) = (export_generated, export_path) {
            tracing::warn!(path = %p.display(), "SAMENHIER_EXPORT_KEY is unset: generated an export key and stored it with mode 0600");
        }
        let export_key = services::export::ExportKey::new(export_secret);
        let vault = Arc::new(services::sealed::Vault::configured(&settings)?);
        let idp = match &settings.idp {
            None => None,
            Some(i) => Some(services::auth::external::ExternalIdp::new(
                &i.algorithm,
                &i.public_key_pem,
                &i.issuer,
                &i.audience,
            )?),
        };
        let jwt = JwtKeys::new(&secret, &settings.jwt_issuer, &settings.jwt_audience, settings.token_lifetime)?;
        let demo_users = if options.demo { demo::seed(&conn, &settings).await? } else { Vec::new() };
        if options.demo {
            demo::adopt_export_policy(&conn, &settings, &export_key).await?;
        }
        // Rows written before sealing existed, and the demo's (generated in plain text, then
        // sealed like any older row).
        let sealed =
            services::sealed::seal_legacy(&conn, &vault).await.map_err(domain::error::AppError::into_anyhow)?;
        if sealed > 0 {
            tracing::info!(records = sealed, "sealed personal data written before sealing existed");
        }
        let introspection = settings.introspection.unwrap_or(options.demo);
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let slots = scripting::job::Slots::new(settings.scoring_jobs, cores);
        let state = Arc::new(AppState {
            db: conn,
            sign_in: SignIn { jwt, idp, limiter: services::auth::limiter::LoginLimiter::standard() },
            export_key,
            metrics,
            scoring: Scoring {
                scripts: ScriptRegistry::default(),
                slots,
                round_locks: RoundLocks::default(),
                validation_budget: settings.validation_budget,
                scoring_budget: settings.scoring_budget,
            },
            in_flight: InFlight::default(),
            vault,
            settings,
        });
        let limits = SchemaLimits {
            max_depth: state.settings.max_query_depth,
            max_complexity: state.settings.max_query_complexity,
            introspection,
        };
        let schema = api::schema(limits, Arc::clone(&state));
        let sdl = api::sdl_of(&schema);
        let shapes = api::response_shape::Shapes::from_sdl(&sdl);
        let input_types = api::variables::InputTypes::from_sdl(&sdl);
        let endpoint = web::Data::new(GraphqlEndpoint {
            schema,
            shapes,
            input_types,
            graphiql: introspection,
            cache: api::response_cache::ResponseCache::new(state.settings.response_cache_bytes),
        });
        let port = listener.local_addr()?.port();
        let data = web::Data::new(Arc::clone(&state));
        let in_flight = state.in_flight.clone();
        let server = HttpServer::new(move || {
            let in_flight = in_flight.clone();
            App::new()
                .wrap_fn(move |req, srv| {
                    let guard = in_flight.enter();
                    let response = srv.call(req);
                    async move {
                        let r = response.await;
                        drop(guard);
                        r
                    }
                })
                .app_data(data.clone())
                .app_data(endpoint.clone())
                .route("/graphql", web::post().to(handler::post))
                .route("/graphql", web::get().to(handler::get))
                .route("/exports", web::get().to(crate::export_http::index))
                .route("/exports/", web::get().to(crate::export_http::index))
                .route("/exports/{dataset}", web::get().to(crate::export_http::download))
                .route("/reports/programme.csv", web::get().to(crate::report_http::programme_csv))
                .route("/research/{project}/{dataset}", web::get().to(crate::research_http::download))
                .route("/graphiql/{file}", web::get().to(crate::graphiql::asset))
                .route("/", web::get().to(crate::console::index))
                .route("/console/{file:.+}", web::get().to(crate::console::asset))
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz))
                .route("/metrics", web::get().to(metrics_text))
        })
        .on_connect(client_socket::on_connect)
        .listen(listener)?
        // Longer than the idle timeout of common load balancers (60 s): a proxy that reuses
        // an idle connection the server has just closed answers its client 502.
        .keep_alive(std::time::Duration::from_secs(75))
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .disable_signals()
        .run();
        let notifier = match state.settings.notify.scheduler {
            true => {
                Some(Arc::new(notify::Notifier::new(state.db.clone(), &state.settings, Arc::clone(&state.metrics))?))
            }
            false => None,
        };
        Ok(Self { port, server, signals: options.signals, state, demo_users, notifier })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped; with `signals`, SIGTERM and Ctrl-C stop accepting connections,
    /// let the requests in flight finish (up to 30 s), then stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if self.signals {
            tokio::spawn(drain_on_signal(self.server.handle(), self.state.in_flight.clone()));
        }
        let scheduler = self.notifier.map(notify::Notifier::spawn);
        let served = self.server.await;
        if let Some(s) = scheduler {
            s.abort();
        }
        // On SQLite, committed data may still sit in the write-ahead log beside the file; a
        // clean stop moves it into `samenhier.db` and empties the log, so a copy of the file
        // alone is the whole database.
        if let Err(e) = db::checkpoint(&self.state.db).await {
            tracing::warn!(error = %e, "checkpoint at shutdown failed; the write-ahead log stays beside the database");
        }
        served
    }
}

async fn drain_on_signal(handle: actix_web::dev::ServerHandle, in_flight: InFlight) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM; stop with Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!(in_flight = in_flight.count(), "stopping: no new connections, finishing the requests in flight");
    handle.pause().await;
    let deadline = std::time::Instant::now() + SHUTDOWN_GRACE;
    while in_flight.count() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    handle.stop(true).await;
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
