//! The right to erasure: when a newcomer's or a group member's personal data was erased. The
//! row stays (with its non-identifying facts) so statistics and matches keep adding up.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    ErasedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Newcomers::Table)
                    .add_column(ColumnDef::new(Newcomers::ErasedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(GroupMembers::Table)
                    .add_column(ColumnDef::new(GroupMembers::ErasedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(GroupMembers::Table).drop_column(GroupMembers::ErasedAt).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Newcomers::Table).drop_column(Newcomers::ErasedAt).to_owned()).await
    }
}
