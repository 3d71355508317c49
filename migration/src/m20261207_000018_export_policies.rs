//! Export policies and their releases. A policy is one recoding of every quasi-identifier
//! (`levels`, the countries named at country level, k), proposed by `samenhier export plan` or
//! `proposeExportPolicy` and adopted by an ADMIN. Adopting it checks k-anonymity once, on the
//! join of every dataset, and stores the rows released under it (`export_release_rows`):
//! every later download under that policy is a selection of those rows, so files of different
//! cities or days never disagree. Each policy has a pseudonym key of its own.

use sea_orm_migration::prelude::*;

use super::m20261129_000009_generation_monotone::add_generation_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExportPolicies {
    Table,
    Version,
    State,
    K,
    Levels,
    Countries,
    Note,
    Preview,
    Counts,
    ProposedBy,
    ProposedAt,
    AdoptedBy,
    AdoptedAt,
    RetiredAt,
    KeyId,
}

#[derive(DeriveIden)]
enum ExportReleaseRows {
    Table,
    PolicyVersion,
    Dataset,
    Ordinal,
    CitySlug,
    Row,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExportPolicies::Table)
                    .col(ColumnDef::new(ExportPolicies::Version).integer().not_null().primary_key())
                    .col(ColumnDef::new(ExportPolicies::State).string_len(16).not_null())
                    .col(ColumnDef::new(ExportPolicies::K).integer().not_null())
                    .col(ColumnDef::new(ExportPolicies::Levels).json_binary().not_null())
                    .col(ColumnDef::new(ExportPolicies::Countries).json_binary().not_null())
                    .col(ColumnDef::new(ExportPolicies::Note).text().null())
                    .col(ColumnDef::new(ExportPolicies::Preview).json_binary().not_null())
                    .col(ColumnDef::new(ExportPolicies::Counts).json_binary().null())
                    .col(ColumnDef::new(ExportPolicies::ProposedBy).string_len(36).null())
                    .col(ColumnDef::new(ExportPolicies::ProposedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ExportPolicies::AdoptedBy).string_len(36).null())
                    .col(ColumnDef::new(ExportPolicies::AdoptedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ExportPolicies::RetiredAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ExportPolicies::KeyId).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExportReleaseRows::Table)
                    .col(ColumnDef::new(ExportReleaseRows::PolicyVersion).integer().not_null())
                    .col(ColumnDef::new(ExportReleaseRows::Dataset).string_len(16).not_null())
                    .col(ColumnDef::new(ExportReleaseRows::Ordinal).integer().not_null())
                    .col(ColumnDef::new(ExportReleaseRows::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(ExportReleaseRows::Row).json_binary().not_null())
                    .primary_key(
                        Index::create()
                            .col(ExportReleaseRows::PolicyVersion)
                            .col(ExportReleaseRows::Dataset)
                            .col(ExportReleaseRows::Ordinal),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExportReleaseRows::Table, ExportReleaseRows::PolicyVersion)
                            .to(ExportPolicies::Table, ExportPolicies::Version)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A city's file reads its rows in order without scanning the other cities'.
        manager
            .create_index(
                Index::create()
                    .name("ix_export_release_rows_city")
                    .table(ExportReleaseRows::Table)
                    .col(ExportReleaseRows::PolicyVersion)
                    .col(ExportReleaseRows::Dataset)
                    .col(ExportReleaseRows::CitySlug)
                    .col(ExportReleaseRows::Ordinal)
                    .to_owned(),
            )
            .await?;
        // At most one policy is adopted, whichever replica adopts.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_export_policies_adopted ON export_policies (state) WHERE state = 'ADOPTED'",
            )
            .await?;
        for table in ["export_policies", "export_release_rows"] {
            add_generation_triggers(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExportReleaseRows::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ExportPolicies::Table).to_owned()).await?;
        Ok(())
    }
}
