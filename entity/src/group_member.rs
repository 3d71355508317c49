use sea_orm::entity::prelude::*;

use crate::StringList;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub group_id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub birth_year: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: StringList,
    #[sea_orm(column_type = "JsonBinary")]
    pub interests: StringList,
    pub sector: Option<String>,
    pub is_coordinator: bool,
    pub vog_received_on: Option<Date>,
    pub created_at: DateTimeUtc,
    /// When the personal data was erased (right to erasure or retention); `None` while held.
    pub erased_at: Option<DateTimeUtc>,
    /// A keyed hash of the e-mail address (the address itself is sealed): unique in a group.
    pub email_index: String,
    /// When the member gave research consent; `None`: no consent (the default).
    pub research_consent_at: Option<DateTimeUtc>,
    /// The version of the research information the member consented to.
    pub research_consent_version: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
