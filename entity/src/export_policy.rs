use sea_orm::entity::prelude::*;

/// One recoding of the quasi-identifiers of the anonymised exports, with the release it was
/// checked on once adopted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// "PROPOSED", "ADOPTED" (at most one) or "RETIRED".
    pub state: String,
    pub k: i32,
    /// `{"households": {"age_band": 1, ...}, "groups": {"member_count": 1, ...}}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub levels: Json,
    /// The countries of origin published as themselves at the finest origin level (the others
    /// as their sub-region), decided when the policy was proposed.
    #[sea_orm(column_type = "JsonBinary")]
    pub countries: Json,
    pub note: Option<String>,
    /// What the proposal would release on the data of the day it was proposed, per dataset.
    #[sea_orm(column_type = "JsonBinary")]
    pub preview: Json,
    /// What the adopted release holds: per dataset and city, rows released and withheld.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub counts: Option<Json>,
    /// The account that proposed it; `None` for the command line.
    pub proposed_by: Option<String>,
    pub proposed_at: DateTimeUtc,
    pub adopted_by: Option<String>,
    pub adopted_at: Option<DateTimeUtc>,
    pub retired_at: Option<DateTimeUtc>,
    /// The id of the key the release's pseudonyms were made with (set when adopted): a new
    /// server key does not change what was released.
    pub key_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
