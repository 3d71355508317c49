use sea_orm::entity::prelude::*;

/// Something the group and the household did together during their year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_logs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub match_id: String,
    pub city_slug: String,
    pub date: Date,
    pub kind: String,
    pub duration_minutes: i32,
    pub participants: i32,
    /// Free text: personal data.
    pub notes: Option<String>,
    pub logged_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
