//! Tracing setup. Log lines carry ids and codes, never personal data: request bodies and
//! variables are not logged at any level.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use services::config::LogFormat;

/// Installs the global subscriber: JSON lines by default, `RUST_LOG` to filter.
/// sqlx reports PostgreSQL notices at INFO; they are noise, so they start at WARN.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sqlx::postgres::notice=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_writer(std::io::stderr)).try_init(),
    };
    // A second init (tests start many servers in one process) keeps the first subscriber.
    let _ = result;
}
