//! Matching: the exact assignment solver (pure) and, built on it, matching rounds.

pub mod round;
pub mod solver;
