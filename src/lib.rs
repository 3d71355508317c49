//! samenhier: the back end of a community-sponsorship programme that matches newcomers with
//! Welcome Groups. This crate is the command line (`cli`); the server, the API, the use cases
//! and the domain are crates of their own under `crates/` (README.md, "Code map").

pub mod cli;
