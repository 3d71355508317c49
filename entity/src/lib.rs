//! sea-orm entities of samenhier: one module per table.
//!
//! These models are the database's shape, never the API's: GraphQL types live in the server
//! crate and copy only what a caller may see, so a column added here never becomes public.

pub mod activity_log;
pub mod audit_log;
pub mod check_in;
pub mod city;
pub mod contact_read;
pub mod enums;
pub mod export_policy;
pub mod export_release_row;
pub mod group_member;
pub mod household_check_in;
pub mod invitation;
pub mod json;
pub mod matches;
pub mod matching_run;
pub mod newcomer;
pub mod notification_delivery;
pub mod notification_event;
pub mod notification_preference;
pub mod person_key;
pub mod research_download;
pub mod research_project;
pub mod research_project_member;
pub mod round_candidate;
pub mod round_feature;
pub mod scoring_script;
pub mod user;
pub mod webhook_endpoint;
pub mod welcome_group;

pub use enums::*;
pub use json::*;
