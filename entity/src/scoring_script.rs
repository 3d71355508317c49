use sea_orm::entity::prelude::*;

/// One immutable version of a city's scoring script; exactly one per city is active.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scoring_scripts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub city_slug: String,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub source: String,
    pub sha256: String,
    pub author_user_id: Option<String>,
    pub note: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
