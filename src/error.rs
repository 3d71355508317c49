//! The one error type of the request path. Every variant maps to a GraphQL error code
//! (`extensions.code`); internal failures reach the client only as a generic message plus the
//! request id, while the detail goes to the log under that id.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql turns any `Display`
//! error into a client-visible message through `?`, which would drop the code and could leak a
//! database message. Resolvers must go through [`IntoGql::gql`], which the compiler enforces.

use async_graphql::ErrorExtensions;

/// What went wrong while serving a request.
#[derive(Debug)]
pub enum AppError {
    Unauthenticated,
    /// A login with an unknown e-mail address or a wrong password (the two look alike).
    BadCredentials,
    Forbidden(String),
    NotFound(&'static str),
    BadInput {
        field: String,
        message: String,
    },
    Conflict(String),
    Script {
        message: String,
        line: Option<usize>,
        column: Option<usize>,
    },
    /// Too many failed logins for an account or from an address; retry after the seconds.
    RateLimited(u64),
    /// The database is busy (no connection free in time) or cannot be reached: retry later.
    /// HTTP 503; logged once per request by the transport.
    Unavailable,
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

tokio::task_local! {
    /// The id of the HTTP request being served, for error messages and log lines.
    pub static REQUEST_ID: String;
}

/// The current request id, or "-" outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(|id| id.clone()).unwrap_or_else(|_| "-".to_owned())
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput { field: field.into(), message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// The `extensions.code` partner apps switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated | Self::BadCredentials => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::Script { .. } => "SCRIPT_ERROR",
            Self::RateLimited(_) => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The message a client may see.
    pub fn public_message(&self, request_id: &str) -> String {
        match self {
            Self::Unauthenticated => "authentication required: send a valid bearer token".into(),
            Self::BadCredentials => "the e-mail address or the password is wrong".into(),
            Self::Forbidden(m) | Self::Conflict(m) => m.clone(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::RateLimited(secs) => format!("too many failed logins; try again in {} minutes", secs.div_ceil(60)),
            Self::BadInput { message, .. } | Self::Script { message, .. } => message.clone(),
            Self::Unavailable => "the database is busy or cannot be reached; try again in a moment".into(),
            Self::Internal(_) => format!("internal error; quote request id {request_id} when reporting it"),
        }
    }

    /// For the CLI and start-up, where errors are reported as text: the public message,
    /// prefixed with the field at fault; internal errors keep their detail.
    pub fn into_anyhow(self) -> anyhow::Error {
        let msg = self.public_message("-");
        match self {
            Self::BadInput { field, .. } => anyhow::anyhow!("{field}: {msg}"),
            Self::Internal(inner) => inner,
            _ => anyhow::anyhow!(msg),
        }
    }

    /// Converts into a GraphQL error. Internal detail is logged here, once.
    pub fn into_graphql(self) -> async_graphql::Error {
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

/// `.gql()?` in resolvers: the one way from the domain's errors to GraphQL's.
pub trait IntoGql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGql<T> for AppResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(AppError::into_graphql)
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        match Self::classify_db(&err) {
            Some(known) => known,
            None => Self::Internal(err.into()),
        }
    }
}

impl AppError {
    /// What a database error means for the client, when it means something: a unique
    /// violation is a conflict the client can act on, a deadlock a conflict to retry, an
    /// exhausted or unreachable pool a 503; the rest is internal.
    fn classify_db(err: &sea_orm::DbErr) -> Option<Self> {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return Some(Self::Conflict("the record conflicts with one that exists already".into()));
        }
        // PostgreSQL broke a deadlock or a serialisation conflict by aborting this transaction
        // (SQLSTATE 40P01 / 40001): nothing was changed, and the same request may succeed now.
        let text = err.to_string();
        if text.contains("deadlock detected") || text.contains("could not serialize access") {
            return Some(Self::Conflict(
                "another change to the same records was made at the same time; try again".into(),
            ));
        }
        // No connection free in time (the pool is exhausted) or none can be opened.
        if matches!(err, sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)) {
            return Some(Self::Unavailable);
        }
        None
    }

    /// The same for an error shared by several waiters (a batched load).
    pub fn from_db_ref(err: &sea_orm::DbErr) -> Self {
        Self::classify_db(err).unwrap_or_else(|| Self::Internal(anyhow::anyhow!("{err}")))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}
