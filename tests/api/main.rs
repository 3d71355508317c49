//! One test binary for every HTTP test: fast to link, one harness (`helpers`), every test on
//! a server and a database of its own.

// Test code may fail loudly: `unwrap`/`expect` are the assertions of its set-up helpers too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorization;
mod cache;
mod cli;
mod clients;
mod concurrency;
mod console;
mod contract;
mod groups;
mod helpers;
mod lifecycle;
mod logs;
mod matching;
mod newcomers;
mod notifications;
mod privacy;
mod races;
mod report;
mod research;
mod review;
mod schema;
mod screening;
mod scripts;
mod security;
mod transport;
mod users;
mod year;
