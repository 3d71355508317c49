use sea_orm::entity::prelude::*;

use crate::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub city_slug: Option<String>,
    pub group_id: Option<String>,
    /// The group member a COORDINATOR account belongs to: the account follows the person, so
    /// it coordinates `group_id` only while that member is the group's coordinator.
    pub member_id: Option<String>,
    pub created_at: DateTimeUtc,
    /// When the account was disabled; `None` while it may sign in.
    pub disabled_at: Option<DateTimeUtc>,
    pub last_sign_in_at: Option<DateTimeUtc>,
    /// "nl" or "en": the language of the e-mails the account gets; `None` for Dutch.
    pub language: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
