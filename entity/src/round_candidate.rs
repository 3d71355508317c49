use sea_orm::entity::prelude::*;

/// A pair a committed round could propose: its points and whether it was proposed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "round_candidates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub newcomer_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_id: String,
    /// Hundredths; the parts sum to it.
    pub score: i64,
    /// `[[criterion, hundredths], ...]`, in the script's order.
    #[sea_orm(column_type = "JsonBinary")]
    pub parts: Json,
    pub proposed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
