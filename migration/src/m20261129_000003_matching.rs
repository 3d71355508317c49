//! Matching runs and matches. A newcomer and a group have at most one PROPOSED or ACTIVE
//! match: partial unique indexes enforce it in the database (same SQL on both databases).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MatchingRuns {
    Table,
    Id,
    CitySlug,
    Status,
    ScriptVersion,
    ScriptSha256,
    Objective,
    Parameters,
    NewcomerCount,
    GroupCount,
    EligiblePairs,
    MatchedCount,
    TotalScore,
    GreedyTotalScore,
    InputsHash,
    DurationMs,
    ScoreMs,
    SolveMs,
    Pairs,
    Unmatched,
    Quality,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Matches {
    Table,
    Id,
    CitySlug,
    NewcomerId,
    GroupId,
    RunId,
    Status,
    Score,
    Explanation,
    IntroductionDate,
    StartDate,
    PlannedEndDate,
    EndDate,
    EndReasonCode,
    EndReason,
    DecidedBy,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Cities {
    Table,
    Slug,
}

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WelcomeGroups {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let json = |c: MatchingRuns| ColumnDef::new(c).json_binary().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(MatchingRuns::Table)
                    .col(ColumnDef::new(MatchingRuns::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(MatchingRuns::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(MatchingRuns::Status).string_len(16).not_null())
                    .col(ColumnDef::new(MatchingRuns::ScriptVersion).integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::ScriptSha256).string_len(64).not_null())
                    .col(ColumnDef::new(MatchingRuns::Objective).string_len(32).not_null())
                    .col(json(MatchingRuns::Parameters))
                    .col(ColumnDef::new(MatchingRuns::NewcomerCount).integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::GroupCount).integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::EligiblePairs).big_integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::MatchedCount).integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::TotalScore).big_integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::GreedyTotalScore).big_integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::InputsHash).string_len(64).not_null())
                    .col(ColumnDef::new(MatchingRuns::DurationMs).big_integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::ScoreMs).big_integer().not_null())
                    .col(ColumnDef::new(MatchingRuns::SolveMs).big_integer().not_null())
                    .col(json(MatchingRuns::Pairs))
                    .col(json(MatchingRuns::Unmatched))
                    .col(json(MatchingRuns::Quality))
                    .col(ColumnDef::new(MatchingRuns::CreatedBy).string_len(36).null())
                    .col(ColumnDef::new(MatchingRuns::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(MatchingRuns::Table, MatchingRuns::CitySlug)
                            .to(Cities::Table, Cities::Slug),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Matches::Table)
                    .col(ColumnDef::new(Matches::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Matches::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(Matches::NewcomerId).string_len(36).not_null())
                    .col(ColumnDef::new(Matches::GroupId).string_len(36).not_null())
                    .col(ColumnDef::new(Matches::RunId).string_len(36).null())
                    .col(ColumnDef::new(Matches::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Matches::Score).big_integer().not_null())
                    .col(ColumnDef::new(Matches::Explanation).json_binary().not_null())
                    .col(ColumnDef::new(Matches::IntroductionDate).date().null())
                    .col(ColumnDef::new(Matches::StartDate).date().null())
                    .col(ColumnDef::new(Matches::PlannedEndDate).date().null())
                    .col(ColumnDef::new(Matches::EndDate).date().null())
                    .col(ColumnDef::new(Matches::EndReasonCode).string_len(32).null())
                    .col(ColumnDef::new(Matches::EndReason).text().null())
                    .col(ColumnDef::new(Matches::DecidedBy).string_len(36).null())
                    .col(ColumnDef::new(Matches::CreatedBy).string_len(36).null())
                    .col(ColumnDef::new(Matches::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Matches::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create().from(Matches::Table, Matches::CitySlug).to(Cities::Table, Cities::Slug),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Matches::Table, Matches::NewcomerId)
                            .to(Newcomers::Table, Newcomers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Matches::Table, Matches::GroupId)
                            .to(WelcomeGroups::Table, WelcomeGroups::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Matches::Table, Matches::RunId)
                            .to(MatchingRuns::Table, MatchingRuns::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_matches_newcomer", Matches::NewcomerId),
            ("idx_matches_group", Matches::GroupId),
            ("idx_matches_run", Matches::RunId),
        ] {
            manager.create_index(Index::create().name(name).table(Matches::Table).col(col).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_matches_city_status")
                    .table(Matches::Table)
                    .col(Matches::CitySlug)
                    .col(Matches::Status)
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_matches_live_newcomer ON matches (newcomer_id) WHERE status IN ('PROPOSED', 'ACTIVE')",
        )
        .await?;
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_matches_live_group ON matches (group_id) WHERE status IN ('PROPOSED', 'ACTIVE')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Matches::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MatchingRuns::Table).to_owned()).await
    }
}
