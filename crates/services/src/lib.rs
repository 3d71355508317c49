//! The store and the use cases: the rules of the programme over the database. Resolvers call
//! these; these call the database through the sea-orm entities (`entity`, `migration`). Every
//! mutation here writes its audit row in the same transaction as its change. A use case takes
//! what it uses: a database handle, today's date, and the collaborators it needs (`Scoring` for
//! script work, `SignIn` for tokens), never the server's whole state.
//!
//! Beside the use cases: configuration (`config`), the pool and migrations (`db`), sign-in
//! (`auth`), matching rounds (`matching`), the exports' planning and rows (`export`), the demo
//! data (`demo`) and the counters of `/metrics` (`metrics`).

pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod export;
pub mod matching;
pub mod metrics;

pub mod accounts;
pub mod audit;
pub mod candidates;
pub mod decisions;
pub mod groups;
pub mod locks;
pub mod matches;
pub mod newcomers;
pub mod outbox;
pub mod page;
pub mod privacy;
pub mod report;
pub mod research;
pub mod rounds;
pub mod run_record;
pub mod script_values;
pub mod scripts;
pub mod sealed;
pub mod stats;
pub mod users;
pub mod year;

/// A new record id: a UUIDv7 string (time-ordered, so id order is creation order and makes a
/// stable pagination key; random enough that ids cannot be guessed).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// An id as `new_id` would have made it at `at`: for records dated in the past (the demo's),
/// so that id order stays creation order.
pub fn new_id_at(at: chrono::DateTime<chrono::Utc>) -> String {
    let seconds = u64::try_from(at.timestamp()).unwrap_or(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, seconds, at.timestamp_subsec_nanos())).to_string()
}
