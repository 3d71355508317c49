//! The HTTP server: builds the actix application (`app`) with the GraphQL transport
//! (`graphql_http`), the export downloads (`export_http`), research extracts (`research_http`), health, metrics and the browser console (`console`); and the tracing
//! set-up (`telemetry`). The binary and the tests start it.

pub mod app;
pub mod console;
pub mod export_http;
pub mod graphiql;
pub mod graphql_http;
pub mod report_http;
pub mod research_http;
pub mod telemetry;
