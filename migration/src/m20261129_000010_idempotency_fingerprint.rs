//! What a registration with an idempotency key asked for: a retry with the same key and the
//! same input returns the first record, the same key with a different input is refused (as
//! payment APIs do), so a partner app that reuses keys by mistake finds out.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    IdempotencyFingerprint,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Newcomers::Table)
                    .add_column(ColumnDef::new(Newcomers::IdempotencyFingerprint).string_len(64).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Newcomers::Table).drop_column(Newcomers::IdempotencyFingerprint).to_owned(),
            )
            .await
    }
}
