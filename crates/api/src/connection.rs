//! Relay connections over service pages.
//!
//! async-graphql's `Connection` type carries no description, and every type of the contract
//! has one; this is the same shape (`pageInfo`, `edges`, `nodes`, `totalCount`, in that order)
//! with its own. The edges are async-graphql's.

use std::borrow::Cow;

use async_graphql::connection::{Edge, EmptyFields, PageInfo};
use async_graphql::{Object, OutputType, TypeName};

use services::page::{Page, encode_cursor};

type PageEdge<T> = Edge<String, T, EmptyFields>;

/// A page of a list (a Relay connection): the records as `edges` or `nodes`, and `pageInfo`.
pub struct Conn<T: OutputType> {
    edges: Vec<PageEdge<T>>,
    had_after: bool,
    has_next: bool,
    total: u64,
}

impl<T: OutputType> TypeName for Conn<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", T::type_name()).into()
    }
}

/// One page of a list, in the list's order: the records as `edges` (each with its cursor) or
/// as `nodes`; `pageInfo.hasNextPage` says whether more follow, and `after: pageInfo.endCursor`
/// asks for them. Pages go forwards only (`first`/`after`).
#[Object(name_type)]
impl<T: OutputType> Conn<T> {
    /// Information to aid in pagination.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.had_after,
            has_next_page: self.has_next,
            start_cursor: self.edges.first().map(|e| e.cursor.clone()),
            end_cursor: self.edges.last().map(|e| e.cursor.clone()),
        }
    }

    /// A list of edges.
    async fn edges(&self) -> &[PageEdge<T>] {
        &self.edges
    }

    /// A list of nodes.
    async fn nodes(&self) -> Vec<&T> {
        self.edges.iter().map(|e| &e.node).collect()
    }

    /// How many records match the filters in all, across pages.
    async fn total_count(&self) -> u64 {
        self.total
    }
}

/// Builds a connection from a page, turning each record into its GraphQL node.
pub fn from_page<M, T: OutputType>(
    page: Page<M>,
    had_after: bool,
    id: impl Fn(&M) -> String,
    node: impl Fn(M) -> T,
) -> Conn<T> {
    let edges = page.items.into_iter().map(|m| Edge::new(encode_cursor(&id(&m)), node(m))).collect();
    Conn { edges, had_after, has_next: page.has_next, total: page.total }
}
