//! GraphQL enums. Those stored in the database mirror the entity enums (`remote`), so the two
//! cannot drift: a variant added on one side fails to compile until added on the other.

use async_graphql::Enum;

/// What a user may do; see the README's table "Who may do what".
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::Role")]
pub enum Role {
    /// National programme staff: everything, in every city.
    Admin,
    /// Staff of one city: everything in that city.
    CityAdmin,
    /// The coordinator of one welcome group: that group and its match.
    Coordinator,
    /// Researchers: anonymised exports and statistics, no personal data.
    Analyst,
    /// A partner app's service account: registers newcomers and groups in its city.
    Partner,
}

/// Where a welcome group stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::GroupStatus")]
pub enum GroupStatus {
    /// Still gathering members.
    Forming,
    /// At least five members and one coordinator; can be matched.
    Ready,
    /// In a match.
    Matched,
    /// Finished its year together.
    Completed,
    /// Stopped before or instead of a match.
    Withdrawn,
}

/// Where a newcomer household stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::NewcomerStatus")]
pub enum NewcomerStatus {
    /// Waiting for a welcome group.
    Waiting,
    /// In a match.
    Matched,
    /// Finished the year together.
    Completed,
    /// No longer taking part.
    Withdrawn,
}

/// Gender of a newcomer's primary contact.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::Gender")]
pub enum Gender {
    Female,
    Male,
    Other,
    /// The person chose not to say.
    Undisclosed,
}

/// Common European Framework of Reference level; A0 means no Dutch yet.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::CefrLevel")]
pub enum CefrLevel {
    A0,
    A1,
    A2,
    B1,
    B2,
    C1,
    C2,
}
