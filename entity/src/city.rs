use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slug: String,
    pub name: String,
    /// Days after a decline for timing (or temporary unavailability) before the pair may be
    /// proposed again.
    pub decline_pause_days: i32,
    /// The fewest members a READY group of the city has (default 5).
    pub min_group_size: i32,
    /// Whether a group needs its screening (every member's certificate of conduct, the intake
    /// conversation, the preparation meeting) before it becomes READY (default on).
    pub screening_required: bool,
    /// Days after its last confirmation (registration counts as one) before a WAITING
    /// household must confirm again that it still wants a group (default 90).
    pub reconfirm_after_days: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
