use sea_orm::entity::prelude::*;

/// One event of the outbox: a change that someone is told of (written in the change's own
/// transaction) or a due date the scheduler found (once per `dedupe_key`). Ids and codes only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_events")]
pub struct Model {
    /// Also the event id receivers de-duplicate on.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// A `domain::notify::EventKind` code.
    pub kind: String,
    pub city_slug: Option<String>,
    pub entity_type: String,
    pub entity_id: String,
    pub dedupe_key: Option<String>,
    /// Ids and codes about the event (matchId, groupId, month, ...).
    #[sea_orm(column_type = "JsonBinary")]
    pub data: Json,
    pub created_at: DateTimeUtc,
    /// When its deliveries were made; `None` while it waits in the outbox.
    pub fanned_out_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
