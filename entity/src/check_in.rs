use sea_orm::entity::prelude::*;

/// The check-in of month 3, 6 or 12 of a match: the outcomes the method learns from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub match_id: String,
    pub city_slug: String,
    pub month: i32,
    pub newcomer_satisfaction: i32,
    pub group_satisfaction: i32,
    pub dutch_level: crate::CefrLevel,
    pub work_status: String,
    pub network_size: i32,
    /// Free text: personal data.
    pub notes: Option<String>,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
