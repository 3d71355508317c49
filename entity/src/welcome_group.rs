use sea_orm::entity::prelude::*;

use crate::{GroupStatus, StringList};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "welcome_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub city_slug: String,
    pub name: String,
    pub neighbourhood: Option<String>,
    pub status: GroupStatus,
    pub capacity: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: StringList,
    #[sea_orm(column_type = "JsonBinary")]
    pub interests: StringList,
    pub availability_hours_per_month: Option<i32>,
    pub preferences: Option<String>,
    pub status_reason: Option<String>,
    /// The day of the group's intake conversation with staff (screening).
    pub intake_held_on: Option<Date>,
    /// The day the group attended the preparation meeting (screening).
    pub preparation_attended_on: Option<Date>,
    /// 1 in the group's first year; one more each time it starts a new cycle.
    pub cycle: i32,
    /// The account that created the group (a PARTNER adds members only to its own).
    pub created_by: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
