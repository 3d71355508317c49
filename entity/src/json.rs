//! Lists stored as JSON columns (jsonb on PostgreSQL, text on SQLite).

use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

/// A set of lower-case tags or codes (languages, interests, goals), kept sorted and unique.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct StringList(pub Vec<String>);

/// Ages of the children in a household.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct IntList(pub Vec<i32>);

/// One language a newcomer speaks, with how well.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageSkill {
    pub code: String,
    pub level: String,
}

/// The languages of a newcomer, one entry per code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct LanguageSkills(pub Vec<LanguageSkill>);
