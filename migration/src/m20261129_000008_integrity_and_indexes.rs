//! Rules the database holds itself, and indexes for the queries that run.
//!
//! - A group has at most one coordinator, and an e-mail address once (erased members keep an
//!   empty address, so they are left out). The services lock the group row for every change of
//!   its members; these indexes hold the rules even against a statement typed by hand.
//! - Exports page by `(city_slug, id)` within a city and statistics filter activities and
//!   check-ins by city; the audit log is filtered by city and by actor, newest first.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, columns) of the plain indexes.
const INDEXES: [(&str, &str, &str); 8] = [
    ("idx_activity_logs_city_id", "activity_logs", "city_slug, id"),
    ("idx_check_ins_city_id", "check_ins", "city_slug, id"),
    ("idx_matches_city_id", "matches", "city_slug, id"),
    ("idx_newcomers_city_id", "newcomers", "city_slug, id"),
    ("idx_welcome_groups_city_id", "welcome_groups", "city_slug, id"),
    ("idx_audit_log_city_id", "audit_log", "city_slug, id"),
    ("idx_audit_log_actor_id", "audit_log", "actor_user_id, id"),
    ("idx_matching_runs_city", "matching_runs", "city_slug, id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_group_members_one_coordinator ON group_members (group_id) WHERE is_coordinator",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_group_members_email ON group_members (group_id, email) WHERE email <> ''",
        )
        .await?;
        for (name, table, columns) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({columns})")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        db.execute_unprepared("DROP INDEX ux_group_members_email").await?;
        db.execute_unprepared("DROP INDEX ux_group_members_one_coordinator").await?;
        Ok(())
    }
}
