//! Domain services: the rules of the programme. Resolvers call these; these call the
//! database. Every mutation here writes its audit row in the same transaction as its change.

pub mod audit;
pub mod candidates;
pub mod decisions;
pub mod groups;
pub mod locks;
pub mod matches;
pub mod newcomers;
pub mod page;
pub mod privacy;
pub mod rounds;
pub mod script_values;
pub mod scripts;
pub mod stats;
pub mod users;
pub mod year;

/// A new record id: a UUIDv7 string (time-ordered, so id order is creation order and makes a
/// stable pagination key; random enough that ids cannot be guessed).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
