//! Matching rounds built on the exact assignment solver (`crates/solver`, pure) and the scoring
//! scripts (`crates/scripting`).

pub mod round;
