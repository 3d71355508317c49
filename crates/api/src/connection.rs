//! Relay connections over service pages.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{OutputType, SimpleObject};

use services::page::{Page, encode_cursor};

/// Extra fields on every connection.
#[derive(SimpleObject)]
pub struct ConnectionTotals {
    /// How many records match the filters in all, across pages.
    pub total_count: u64,
}

/// A Relay connection whose cursors are opaque strings.
pub type Conn<T> = Connection<String, T, ConnectionTotals>;

/// Builds a connection from a page, turning each record into its GraphQL node.
pub fn from_page<M, T: OutputType>(
    page: Page<M>,
    had_after: bool,
    id: impl Fn(&M) -> String,
    node: impl Fn(M) -> T,
) -> Conn<T> {
    let mut conn =
        Connection::with_additional_fields(had_after, page.has_next, ConnectionTotals { total_count: page.total });
    conn.edges.extend(page.items.into_iter().map(|m| Edge::new(encode_cursor(&id(&m)), node(m))));
    conn
}
