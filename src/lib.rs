//! samenhier: the back end of a community-sponsorship programme that matches newcomers with
//! Welcome Groups. See README.md (what it does, how to run it, the code map).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;

pub mod export;
pub mod graphql;
pub mod matching;
pub mod metrics;
pub mod services;
pub mod telemetry;
