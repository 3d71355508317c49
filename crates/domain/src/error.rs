//! The one error type of the request path. Every variant maps to a GraphQL error code
//! (`extensions.code`); internal failures reach the client only as a generic message plus the
//! request id, while the detail goes to the log under that id.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql turns any `Display`
//! error into a client-visible message through `?`, which would drop the code and could leak a
//! database message. Resolvers must go through the API crate's `IntoGql::gql`, which the
//! compiler enforces.
//!
//! Any error of a lower layer converts with `?`. What it means for the client is decided by the
//! classifier the store registers ([`register_classifier`]): this crate knows no database, the
//! store knows which of its errors are a conflict or an outage.

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
}

/// Tells what a lower layer's error means for the client, when it means something more than
/// "internal" (a unique violation is a conflict, an exhausted pool an outage).
pub type Classifier = fn(&anyhow::Error) -> Option<AppError>;

static CLASSIFIER: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();

/// Registers the store's classifier; the first registration holds for the process.
pub fn register_classifier(classify: Classifier) {
    let _ = CLASSIFIER.set(classify);
}

impl AppError {
    /// An error of a lower layer, as its classifier reads it (internal otherwise).
    pub fn classified(err: anyhow::Error) -> Self {
        match CLASSIFIER.get().and_then(|classify| classify(&err)) {
            Some(known) => known,
            None => Self::Internal(err),
        }
    }
}

/// `AppError` is not an `Error` itself (it has no `Display`, on purpose), so this covers every
/// other error type and nothing else.
impl<E: std::error::Error + Send + Sync + 'static> From<E> for AppError {
    fn from(err: E) -> Self {
        Self::classified(anyhow::Error::new(err))
    }
}
