//! GraphQL enums. Each mirrors the domain's closed set of the same name (`remote`), so the two
//! cannot drift: a variant added on one side fails to compile until added on the other. The
//! descriptions partner developers read are written here.

use async_graphql::Enum;

/// What a user may do; see the README's table "Who may do what".
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::enums::Role")]
pub enum Role {
    /// National programme staff: everything, in every city.
    Admin,
    /// Staff of one city: everything in that city.
    CityAdmin,
    /// Programme staff who support several matches in one city, often in the household's
    /// language: the matches assigned to them, their households and groups, and the household's
    /// own check-in answers.
    CommunityBuilder,
    /// The coordinator of one welcome group: that group and its match.
    Coordinator,
    /// Researchers: anonymised exports and statistics, no personal data.
    Analyst,
    /// A partner app's service account: registers newcomers and groups in its city.
    Partner,
}

/// Where a welcome group stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::enums::GroupStatus")]
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
#[graphql(remote = "domain::enums::NewcomerStatus")]
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
#[graphql(remote = "domain::enums::Gender")]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Another gender.
    Other,
    /// The person chose not to say.
    Undisclosed,
}

/// Common European Framework of Reference level; A0 means no Dutch yet.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::enums::CefrLevel")]
pub enum CefrLevel {
    /// No Dutch yet.
    A0,
    /// Breakthrough: familiar words and very basic phrases.
    A1,
    /// Waystage: simple, routine exchanges.
    A2,
    /// Threshold: the main points of familiar matters; the level of the civic integration exam.
    B1,
    /// Vantage: fluent enough for regular contact with native speakers.
    B2,
    /// Effective operational proficiency.
    C1,
    /// Mastery.
    C2,
}

/// What a newcomer hopes the year brings. Stored lower-case (`"work"`), as scripts see it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::values::Goal")]
pub enum Goal {
    /// Finding work.
    Work,
    /// Study or vocational training.
    Study,
    /// Learning Dutch.
    Language,
    /// Building a social network.
    SocialNetwork,
    /// Letters, appointments, the practical side of life.
    PracticalMatters,
}

/// How well a newcomer speaks a language.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::values::LanguageLevel")]
pub enum LanguageLevel {
    /// A first language.
    Native,
    /// Fluent in daily life.
    Fluent,
    /// Basic conversation.
    Basic,
}

/// The stored form of an enum converts to and from its GraphQL form through the domain's.
macro_rules! through_domain {
    ($($gql:ty => $stored:ty, $domain:ty;)+) => {$(
        impl From<$stored> for $gql {
            fn from(v: $stored) -> Self {
                <$domain>::from(v).into()
            }
        }

        impl From<$gql> for $stored {
            fn from(v: $gql) -> Self {
                <$domain>::from(v).into()
            }
        }
    )+};
}

through_domain! {
    Role => entity::Role, domain::enums::Role;
    GroupStatus => entity::GroupStatus, domain::enums::GroupStatus;
    NewcomerStatus => entity::NewcomerStatus, domain::enums::NewcomerStatus;
    Gender => entity::Gender, domain::enums::Gender;
    CefrLevel => entity::CefrLevel, domain::enums::CefrLevel;
    crate::matching::MatchStatus => entity::MatchStatus, domain::enums::MatchStatus;
    crate::matching::RunStatus => entity::RunStatus, domain::enums::RunStatus;
}
