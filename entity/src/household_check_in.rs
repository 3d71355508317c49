use sea_orm::entity::prelude::*;

/// The household's own view of a check-in (month 3, 6 or 12, or 0 for the exit check-in after an
/// early end), recorded by a community builder or staff without the group present. Never
/// readable by the group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household_check_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub match_id: String,
    pub city_slug: String,
    pub month: i32,
    pub satisfaction: i32,
    pub wellbeing: i32,
    pub dutch_level: crate::CefrLevel,
    pub work_status: String,
    pub network_size: i32,
    /// Free text: personal data, sealed.
    pub notes: Option<String>,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
