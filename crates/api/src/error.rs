//! The one way from the domain's errors to GraphQL's: `.gql()?` in resolvers, with the code in
//! `extensions.code` and internal detail logged once under the request id.

use async_graphql::ErrorExtensions;
use domain::error::{AppError, AppResult, current_request_id};

/// `.gql()?` in resolvers: the one way from the domain's errors to GraphQL's.
pub trait IntoGql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGql<T> for AppResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(IntoGraphql::into_graphql)
    }
}

/// Converts a domain error into a GraphQL error.
pub trait IntoGraphql {
    fn into_graphql(self) -> async_graphql::Error;
}

impl IntoGraphql for AppError {
    /// Internal detail is logged here, once.
    fn into_graphql(self) -> async_graphql::Error {
        let request_id = current_request_id();
        let code = self.code();
        let message = self.public_message(&request_id);
        match self {
            Self::Internal(err) => {
                tracing::error!(request_id = %request_id, error = %format!("{err:#}"), "internal error");
                async_graphql::Error::new(message).extend_with(|_, e| {
                    e.set("code", code);
                    e.set("requestId", request_id.as_str());
                })
            }
            Self::BadInput { field, .. } => async_graphql::Error::new(message).extend_with(|_, e| {
                e.set("code", code);
                e.set("field", field.as_str());
            }),
            Self::Script { line, column, .. } => async_graphql::Error::new(message).extend_with(|_, e| {
                e.set("code", code);
                if let Some(l) = line {
                    e.set("line", l as u64);
                }
                if let Some(c) = column {
                    e.set("column", c as u64);
                }
            }),
            _ => async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code)),
        }
    }
}
