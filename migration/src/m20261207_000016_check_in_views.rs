//! The household's own voice: check-ins get two views — the household's (`household_check_ins`,
//! recorded by a community builder or staff, never readable by the group) beside the group's
//! (`check_ins`, recorded by the coordinator) — an exit check-in after an early end (month 0 in
//! both), and a baseline at registration on the household. Community builders are assigned to
//! matches (`matches.community_builder_id`); a coordinator's account names the member it belongs
//! to (`users.member_id`), so it follows the person and not the group. The role column grows to
//! hold COMMUNITY_BUILDER (17 characters).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::m20261129_000009_generation_monotone::add_generation_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    MemberId,
}

#[derive(DeriveIden)]
enum Matches {
    Table,
    CommunityBuilderId,
}

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    BaselineNetworkSize,
    BaselineWorkStatus,
    BaselineDutchLevel,
    BaselineWellbeing,
    BaselineRecordedOn,
}

#[derive(DeriveIden)]
enum HouseholdCheckIns {
    Table,
    Id,
    MatchId,
    CitySlug,
    Month,
    Satisfaction,
    Wellbeing,
    DutchLevel,
    WorkStatus,
    NetworkSize,
    Notes,
    RecordedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            // SQLite does not enforce lengths; PostgreSQL does.
            for (table, column) in [("users", "role"), ("audit_log", "actor_role")] {
                db.execute_unprepared(&format!("ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(32)")).await?;
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::MemberId).string_len(36).null())
                    .to_owned(),
            )
            .await?;
        // Existing coordinator accounts belong to the person who coordinates their group now.
        db.execute_unprepared(
            "UPDATE users SET member_id = (SELECT m.id FROM group_members m \
             WHERE m.group_id = users.group_id AND m.is_coordinator LIMIT 1) \
             WHERE role = 'COORDINATOR' AND group_id IS NOT NULL",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Matches::Table)
                    .add_column(ColumnDef::new(Matches::CommunityBuilderId).string_len(36).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_matches_community_builder")
                    .table(Matches::Table)
                    .col(Matches::CommunityBuilderId)
                    .to_owned(),
            )
            .await?;
        for col in [
            ColumnDef::new(Newcomers::BaselineNetworkSize).integer().null().to_owned(),
            ColumnDef::new(Newcomers::BaselineWorkStatus).string_len(32).null().to_owned(),
            ColumnDef::new(Newcomers::BaselineDutchLevel).string_len(2).null().to_owned(),
            ColumnDef::new(Newcomers::BaselineWellbeing).integer().null().to_owned(),
            ColumnDef::new(Newcomers::BaselineRecordedOn).date().null().to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Newcomers::Table).add_column(col).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(HouseholdCheckIns::Table)
                    .col(ColumnDef::new(HouseholdCheckIns::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(HouseholdCheckIns::MatchId).string_len(36).not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::Month).integer().not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::Satisfaction).integer().not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::Wellbeing).integer().not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::DutchLevel).string_len(2).not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::WorkStatus).string_len(32).not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::NetworkSize).integer().not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::Notes).text().null())
                    .col(ColumnDef::new(HouseholdCheckIns::RecordedBy).string_len(36).not_null())
                    .col(ColumnDef::new(HouseholdCheckIns::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        // One household answer per match and month: two staff recording at once cannot both win.
        manager
            .create_index(
                Index::create()
                    .name("ux_household_check_ins_match_month")
                    .table(HouseholdCheckIns::Table)
                    .col(HouseholdCheckIns::MatchId)
                    .col(HouseholdCheckIns::Month)
                    .unique()
                    .to_owned(),
            )
            .await?;
        add_generation_triggers(manager, "household_check_ins").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(HouseholdCheckIns::Table).to_owned()).await?;
        for col in [
            Newcomers::BaselineRecordedOn,
            Newcomers::BaselineWellbeing,
            Newcomers::BaselineDutchLevel,
            Newcomers::BaselineWorkStatus,
            Newcomers::BaselineNetworkSize,
        ] {
            manager.alter_table(Table::alter().table(Newcomers::Table).drop_column(col).to_owned()).await?;
        }
        manager.drop_index(Index::drop().name("ix_matches_community_builder").table(Matches::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Matches::Table).drop_column(Matches::CommunityBuilderId).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::MemberId).to_owned()).await
    }
}
