use sea_orm::entity::prelude::*;

/// A research project under a data-sharing agreement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "research_projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// The agreement's reference (a contract number, a DPIA id).
    pub agreement_reference: String,
    pub purpose: String,
    /// `{"households": ["birth_year", ...], "matches": [...]}`: the approved columns per dataset.
    #[sea_orm(column_type = "JsonBinary")]
    pub datasets: Json,
    pub starts_on: Date,
    /// The last day extracts may be downloaded.
    pub ends_on: Date,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
