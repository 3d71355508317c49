//! Database migrations, append-only: a migration once released is never edited; each has a
//! working `down`. `DeriveMigrationName` names a migration after its file, so one per file.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_foundation;
mod m20261129_000002_scoring_scripts;
mod m20261129_000003_matching;
mod m20261129_000004_year_together;
mod m20261129_000005_erasure;
mod m20261129_000006_data_generation;
mod m20261129_000007_registered_by;
mod m20261129_000008_integrity_and_indexes;
mod m20261129_000009_generation_monotone;
mod m20261129_000010_idempotency_fingerprint;
mod m20261207_000011_sealed_personal_data;
mod m20261207_000012_contact_read_log;
mod m20261207_000013_declines;
mod m20261207_000014_accounts;
mod m20261207_000015_screening;
mod m20261207_000016_check_in_views;
mod m20261207_000017_notifications;
mod m20261207_000018_export_policies;
mod m20261207_000019_research;
mod m20261207_000020_round_candidates;

/// Tables whose changes move the data generation (see that migration; `person_keys` joined
/// with the sealing of personal data, `invitations` with accounts, `household_check_ins` with the household's view, the notification tables with
/// notifications, the export policies and their released rows with export policies, the research tables with research, `round_candidates` with a round's candidates).
pub fn generation_tables() -> impl Iterator<Item = &'static str> {
    m20261129_000006_data_generation::TABLES
        .into_iter()
        .chain(["person_keys", "invitations", "household_check_ins"])
        .chain(["notification_events", "notification_deliveries", "webhook_endpoints", "notification_preferences"])
        .chain(["export_policies", "export_release_rows"])
        .chain([
            "research_projects",
            "research_project_members",
            "research_downloads",
            "round_candidates",
            "round_features",
        ])
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_scoring_scripts::Migration),
            Box::new(m20261129_000003_matching::Migration),
            Box::new(m20261129_000004_year_together::Migration),
            Box::new(m20261129_000005_erasure::Migration),
            Box::new(m20261129_000006_data_generation::Migration),
            Box::new(m20261129_000007_registered_by::Migration),
            Box::new(m20261129_000008_integrity_and_indexes::Migration),
            Box::new(m20261129_000009_generation_monotone::Migration),
            Box::new(m20261129_000010_idempotency_fingerprint::Migration),
            Box::new(m20261207_000011_sealed_personal_data::Migration),
            Box::new(m20261207_000012_contact_read_log::Migration),
            Box::new(m20261207_000013_declines::Migration),
            Box::new(m20261207_000014_accounts::Migration),
            Box::new(m20261207_000015_screening::Migration),
            Box::new(m20261207_000016_check_in_views::Migration),
            Box::new(m20261207_000017_notifications::Migration),
            Box::new(m20261207_000018_export_policies::Migration),
            Box::new(m20261207_000019_research::Migration),
            Box::new(m20261207_000020_round_candidates::Migration),
        ]
    }
}
