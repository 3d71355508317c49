//! One test binary for every HTTP test (see STYLE.md: fast to link, one harness).

mod authorization;
mod cache;
mod cli;
mod concurrency;
mod groups;
mod helpers;
mod logs;
mod matching;
mod newcomers;
mod privacy;
mod schema;
mod scripts;
mod security;
mod transport;
mod users;
mod year;
