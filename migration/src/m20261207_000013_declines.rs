//! Declines that say who and why: a match records which side decided (household, group,
//! staff), a coded decline reason, and — for reasons about the moment (timing, temporarily
//! unavailable) — the day from which the pair may be proposed again, after a pause each city
//! sets (`cities.decline_pause_days`, default 90). Other declines and early ends stay final.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Matches {
    Table,
    DecidedSide,
    DeclineCode,
    ProposableAgainOn,
}

#[derive(DeriveIden)]
enum Cities {
    Table,
    DeclinePauseDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(Matches::DecidedSide).string_len(16).null().to_owned(),
            ColumnDef::new(Matches::DeclineCode).string_len(32).null().to_owned(),
            ColumnDef::new(Matches::ProposableAgainOn).date().null().to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Matches::Table).add_column(col).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Cities::Table)
                    .add_column(ColumnDef::new(Cities::DeclinePauseDays).integer().not_null().default(90))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Cities::Table).drop_column(Cities::DeclinePauseDays).to_owned())
            .await?;
        for col in [Matches::ProposableAgainOn, Matches::DeclineCode, Matches::DecidedSide] {
            manager.alter_table(Table::alter().table(Matches::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
