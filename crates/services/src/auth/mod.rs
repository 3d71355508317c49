//! Who is calling, and what they may do.
//!
//! A request carries a bearer token; `Principal` is what a verified token (re-checked against
//! the users table, so a deleted or demoted user loses access at once) says about the caller.
//! Policy functions return the caller's scope for an operation or refuse with FORBIDDEN;
//! records outside that scope are then filtered away, which callers see as NOT_FOUND.

pub mod external;
pub mod jwt;
pub mod limiter;
pub mod password;
pub mod secrets;

pub use jwt::{Claims, JwtKeys};

/// What signing in and checking a token need besides the database.
pub struct SignIn {
    /// The keys of the tokens this server issues.
    pub jwt: JwtKeys,
    /// The external identity provider, when configured.
    pub idp: Option<external::ExternalIdp>,
    /// Failed-login limits of this replica.
    pub limiter: limiter::LoginLimiter,
}
