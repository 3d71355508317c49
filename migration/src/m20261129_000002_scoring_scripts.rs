//! Versions of the cities' scoring scripts. At most one active version per city, enforced by a
//! partial unique index (same SQL on SQLite and PostgreSQL).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ScoringScripts {
    Table,
    Id,
    CitySlug,
    Version,
    Source,
    Sha256,
    AuthorUserId,
    Note,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Cities {
    Table,
    Slug,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScoringScripts::Table)
                    .col(ColumnDef::new(ScoringScripts::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(ScoringScripts::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(ScoringScripts::Version).integer().not_null())
                    .col(ColumnDef::new(ScoringScripts::Source).text().not_null())
                    .col(ColumnDef::new(ScoringScripts::Sha256).string_len(64).not_null())
                    .col(ColumnDef::new(ScoringScripts::AuthorUserId).string_len(36).null())
                    .col(ColumnDef::new(ScoringScripts::Note).text().null())
                    .col(ColumnDef::new(ScoringScripts::Active).boolean().not_null())
                    .col(ColumnDef::new(ScoringScripts::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ScoringScripts::Table, ScoringScripts::CitySlug)
                            .to(Cities::Table, Cities::Slug),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_scoring_scripts_city_version")
                    .table(ScoringScripts::Table)
                    .col(ScoringScripts::CitySlug)
                    .col(ScoringScripts::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_scoring_scripts_one_active ON scoring_scripts (city_slug) WHERE active",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ScoringScripts::Table).to_owned()).await
    }
}
