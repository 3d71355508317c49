//! The year together: activity logs and check-ins (one per match and month), and the Dutch
//! level at the start of a match, to measure progress.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActivityLogs {
    Table,
    Id,
    MatchId,
    CitySlug,
    Date,
    Kind,
    DurationMinutes,
    Participants,
    Notes,
    LoggedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CheckIns {
    Table,
    Id,
    MatchId,
    CitySlug,
    Month,
    NewcomerSatisfaction,
    GroupSatisfaction,
    DutchLevel,
    WorkStatus,
    NetworkSize,
    Notes,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Matches {
    Table,
    Id,
    StartDutchLevel,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Matches::Table)
                    .add_column(ColumnDef::new(Matches::StartDutchLevel).string_len(4).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityLogs::Table)
                    .col(ColumnDef::new(ActivityLogs::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(ActivityLogs::MatchId).string_len(36).not_null())
                    .col(ColumnDef::new(ActivityLogs::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(ActivityLogs::Date).date().not_null())
                    .col(ColumnDef::new(ActivityLogs::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(ActivityLogs::DurationMinutes).integer().not_null())
                    .col(ColumnDef::new(ActivityLogs::Participants).integer().not_null())
                    .col(ColumnDef::new(ActivityLogs::Notes).text().null())
                    .col(ColumnDef::new(ActivityLogs::LoggedBy).string_len(36).not_null())
                    .col(ColumnDef::new(ActivityLogs::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ActivityLogs::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityLogs::Table, ActivityLogs::MatchId)
                            .to(Matches::Table, Matches::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activity_logs_match")
                    .table(ActivityLogs::Table)
                    .col(ActivityLogs::MatchId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CheckIns::Table)
                    .col(ColumnDef::new(CheckIns::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(CheckIns::MatchId).string_len(36).not_null())
                    .col(ColumnDef::new(CheckIns::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(CheckIns::Month).integer().not_null())
                    .col(ColumnDef::new(CheckIns::NewcomerSatisfaction).integer().not_null())
                    .col(ColumnDef::new(CheckIns::GroupSatisfaction).integer().not_null())
                    .col(ColumnDef::new(CheckIns::DutchLevel).string_len(4).not_null())
                    .col(ColumnDef::new(CheckIns::WorkStatus).string_len(32).not_null())
                    .col(ColumnDef::new(CheckIns::NetworkSize).integer().not_null())
                    .col(ColumnDef::new(CheckIns::Notes).text().null())
                    .col(ColumnDef::new(CheckIns::RecordedBy).string_len(36).not_null())
                    .col(ColumnDef::new(CheckIns::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create().from(CheckIns::Table, CheckIns::MatchId).to(Matches::Table, Matches::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_check_ins_match_month")
                    .table(CheckIns::Table)
                    .col(CheckIns::MatchId)
                    .col(CheckIns::Month)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CheckIns::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ActivityLogs::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Matches::Table).drop_column(Matches::StartDutchLevel).to_owned()).await
    }
}
