//! Per-city scoring scripts in Rhai: the hardened engine, the script API, compilation,
//! validation, parallel scoring, scoring jobs and the registry of compiled scripts. Plain
//! values in: no database, no entities, no GraphQL (the services build the script's view of
//! households and groups, see `services::script_values`).

pub mod api;
pub mod engine;
pub mod fast;
pub mod fixtures;
pub mod job;
pub mod matrix;
pub mod registry;
pub mod script;
#[cfg(test)]
mod tests;
pub mod validate;

pub use script::{CompiledScript, Eligibility, Scored, ScriptProblem};

/// The scripts shipped with the server, loaded as version 1 of each city that has none.
pub mod shipped {
    pub const DEFAULT: &str = include_str!("../../../scoring-scripts/default.rhai");

    /// The shipped script of a city, or the default.
    pub fn for_city(slug: &str) -> &'static str {
        match slug {
            "almere" => include_str!("../../../scoring-scripts/almere.rhai"),
            "den-haag" => include_str!("../../../scoring-scripts/den-haag.rhai"),
            "haarlem" => include_str!("../../../scoring-scripts/haarlem.rhai"),
            "rotterdam" => include_str!("../../../scoring-scripts/rotterdam.rhai"),
            _ => DEFAULT,
        }
    }
}

/// The SHA-256 of a script source, hex.
pub fn sha256_hex(source: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(source.as_bytes()))
}
