use sea_orm::entity::prelude::*;

/// One e-mail to one person, or one POST to one webhook endpoint, of one event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub event_id: String,
    pub kind: String,
    /// "EMAIL" or "WEBHOOK".
    pub channel: String,
    pub user_id: Option<String>,
    pub endpoint_id: Option<String>,
    /// "PENDING", "SENT" or "FAILED" (given up after the retry window).
    pub status: String,
    /// An e-mail kept for the person's daily digest.
    pub digest: bool,
    /// The webhook's body exactly as signed and sent; for an e-mail the event's data.
    pub payload: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A replica sending it holds it until then; after a crash another takes it over.
    pub locked_until: Option<DateTimeUtc>,
    pub last_attempt_at: Option<DateTimeUtc>,
    /// The HTTP status of the last webhook attempt.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
