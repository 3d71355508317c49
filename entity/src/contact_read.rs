//! Reads of contact details, one row per reader, record and day (see the migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_reads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The day of the reads, in the programme's time zone.
    pub day: Date,
    pub actor_user_id: String,
    pub actor_role: String,
    /// "newcomer" or "group_member".
    pub entity_type: String,
    pub entity_id: String,
    pub city_slug: Option<String>,
    /// The fields read that day, as bits: 1 e-mail, 2 phone.
    pub fields: i32,
    /// How many requests read them that day.
    pub reads: i64,
    pub first_at: DateTimeUtc,
    pub last_at: DateTimeUtc,
    pub last_request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
