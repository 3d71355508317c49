//! Screening before READY, new cycles, re-confirmation and staff overrides:
//! - `welcome_groups.intake_held_on`, `preparation_attended_on` (the screening dates beside each
//!   member's `vog_received_on`) and `cycle` (1 for a group's first year, 2 after it started a
//!   new cycle, ...);
//! - `cities.min_group_size` (default 5), `screening_required` (default on) and
//!   `reconfirm_after_days` (default 90);
//! - `newcomers.confirmed_at`: when staff last recorded that the household still wants a group
//!   (`None`: only its registration counts);
//! - `matches.override_reason`: staff's reason for proposing or locking a pair the city's script
//!   finds ineligible (`None`: no override).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WelcomeGroups {
    Table,
    IntakeHeldOn,
    PreparationAttendedOn,
    Cycle,
}

#[derive(DeriveIden)]
enum Cities {
    Table,
    MinGroupSize,
    ScreeningRequired,
    ReconfirmAfterDays,
}

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    ConfirmedAt,
}

#[derive(DeriveIden)]
enum Matches {
    Table,
    OverrideReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(WelcomeGroups::IntakeHeldOn).date().null().to_owned(),
            ColumnDef::new(WelcomeGroups::PreparationAttendedOn).date().null().to_owned(),
            ColumnDef::new(WelcomeGroups::Cycle).integer().not_null().default(1).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(WelcomeGroups::Table).add_column(col).to_owned()).await?;
        }
        for col in [
            ColumnDef::new(Cities::MinGroupSize).integer().not_null().default(5).to_owned(),
            ColumnDef::new(Cities::ScreeningRequired).boolean().not_null().default(true).to_owned(),
            ColumnDef::new(Cities::ReconfirmAfterDays).integer().not_null().default(90).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Cities::Table).add_column(col).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Newcomers::Table)
                    .add_column(ColumnDef::new(Newcomers::ConfirmedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Matches::Table)
                    .add_column(ColumnDef::new(Matches::OverrideReason).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Matches::Table).drop_column(Matches::OverrideReason).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Newcomers::Table).drop_column(Newcomers::ConfirmedAt).to_owned())
            .await?;
        for col in [Cities::ReconfirmAfterDays, Cities::ScreeningRequired, Cities::MinGroupSize] {
            manager.alter_table(Table::alter().table(Cities::Table).drop_column(col).to_owned()).await?;
        }
        for col in [WelcomeGroups::Cycle, WelcomeGroups::PreparationAttendedOn, WelcomeGroups::IntakeHeldOn] {
            manager.alter_table(Table::alter().table(WelcomeGroups::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
