use sea_orm::entity::prelude::*;

/// A partner app's receiver of events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub url: String,
    /// The event kinds it receives (codes).
    #[sea_orm(column_type = "JsonBinary")]
    pub kinds: Json,
    /// Only this city's events; `None` for all.
    pub city_slug: Option<String>,
    /// The signing secret (`whsec_` and base64), shown once when created.
    pub secret: String,
    pub active: bool,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
