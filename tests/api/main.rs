//! One test binary for every HTTP test (see STYLE.md: fast to link, one harness).

mod authorization;
mod cli;
mod groups;
mod helpers;
mod newcomers;
mod schema;
mod transport;
mod users;
