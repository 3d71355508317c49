//! The GraphQL API: schema assembly (no database needed, so `samenhier schema` and the server
//! share it), one module per domain area with thin resolvers over the use cases of `services`,
//! the request context, the response cache and the checks a request passes before it runs. The
//! HTTP transport is the server's.

pub mod cities;
pub mod connection;
pub mod context;
pub mod dedupe;
pub mod enums;
pub mod error;
pub mod exports;
pub mod groups;
pub mod input_types;
pub mod inputs;
pub mod loaders;
pub mod matching;
pub mod newcomers;
pub mod notifications;
pub mod privacy;
pub mod report;
pub mod research;
pub mod response_cache;
pub mod response_shape;
pub mod scalars;
pub mod scripts;
pub mod state;
pub mod users;
pub mod validation;
pub mod variables;
pub mod year;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

/// Every query of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    users::UserQuery,
    cities::CityQuery,
    groups::GroupQuery,
    newcomers::NewcomerQuery,
    scripts::ScriptQuery,
    matching::MatchingQuery,
    year::YearQuery,
    privacy::PrivacyQuery,
    exports::ExportQuery,
    exports::ExportPolicyQuery,
    research::ResearchQuery,
    notifications::NotificationQuery,
    report::ReportQuery,
);

/// Every mutation of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    users::UserMutation,
    cities::CityMutation,
    groups::GroupMutation,
    newcomers::NewcomerMutation,
    scripts::ScriptMutation,
    matching::MatchingMutation,
    year::YearMutation,
    privacy::PrivacyMutation,
    notifications::NotificationMutation,
    exports::ExportPolicyMutation,
    research::ResearchMutation,
);

/// What a field that reaches the database (or the request's audit) adds to a query's
/// complexity; plain fields add 1. When every field counted one, 2,400 aliases of a
/// statistics field fitted in the limit and held the whole connection pool.
pub const DB_COST: usize = 10;

/// What a list without a page size counts for in the complexity budget (a run's pairs and
/// matches, the check-ins due): the size of a round of the programme's scale. Their parts are
/// loaded in batches (see `loaders`), so their statements do not grow with them.
pub const UNPAGED: usize = 50;

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Limits and switches the schema is built with.
#[derive(Clone, Copy, Debug)]
pub struct SchemaLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub introspection: bool,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        Self { max_depth: 15, max_complexity: 5000, introspection: true }
    }
}

/// The schema without data; the server adds its state with `.data(...)`.
pub fn builder(limits: SchemaLimits) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    let b = Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        // The parser's recursion (selections, fragments, values) runs deeper than the query
        // depth; the standard introspection query of graphql-js and graphql-core (which GraphiQL
        // sends) needs a query depth of 15 and more recursion than the old limit of 16.
        .limit_recursive_depth((limits.max_depth * 3).max(32))
        .limit_directives(20)
        .extension(dedupe::Dedupe)
        .extension(variables::ValidateOnlyExtension);
    if limits.introspection { b } else { b.disable_introspection().disable_suggestions() }
}

/// The SDL that `schema.graphql` holds.
/// The schema with the server's state. Built here, as `execute` runs here, so that the
/// schema's generic machinery is compiled once, in this crate, and not again in the server.
pub fn schema(limits: SchemaLimits, state: std::sync::Arc<state::AppState>) -> AppSchema {
    builder(limits).data(state).finish()
}

/// Runs one request (see `schema`).
pub async fn execute(schema: &AppSchema, request: async_graphql::Request) -> async_graphql::Response {
    schema.execute(request).await
}

/// The SDL of a built schema (the server reads the shapes of answers and inputs from it).
pub fn sdl_of(schema: &AppSchema) -> String {
    schema.sdl()
}

/// Scalars say where they are specified (`@specifiedBy`), as introspection does.
pub fn sdl() -> String {
    builder(SchemaLimits::default())
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
