//! The programme's own terms, shared by every layer above: the closed value sets (roles,
//! statuses, levels, goals), who may do what (`policy`), the rules an input must meet
//! (`validate`, `iso`), the programme's calendar (`time`), redacted secrets and the one error
//! type. Nothing here knows a database, GraphQL or HTTP: the crates above add those views.

pub mod enums;
pub mod error;
pub mod iso;
pub mod policy;
pub mod secret;
pub mod time;
pub mod validate;
pub mod values;

pub use error::{AppError, AppResult};
