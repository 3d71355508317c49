use sea_orm::entity::prelude::*;

/// One row released under an export policy, as it is written into every file of that policy.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_release_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub policy_version: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub dataset: String,
    /// The row's place in its dataset's file.
    #[sea_orm(primary_key, auto_increment = false)]
    pub ordinal: i32,
    pub city_slug: String,
    /// The cells, in the dataset's column order.
    #[sea_orm(column_type = "JsonBinary")]
    pub row: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
