//! Research under an agreement: research consent of households and group members (separate
//! from the privacy notice: when and which version; none means no), research projects
//! registered by an ADMIN (agreement, purpose, approved datasets and columns, dates, the
//! researchers' accounts), and every extract downloaded under one.

use sea_orm_migration::prelude::*;

use super::m20261129_000009_generation_monotone::add_generation_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    ResearchConsentAt,
    ResearchConsentVersion,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    ResearchConsentAt,
    ResearchConsentVersion,
}

#[derive(DeriveIden)]
enum ResearchProjects {
    Table,
    Id,
    Name,
    AgreementReference,
    Purpose,
    Datasets,
    StartsOn,
    EndsOn,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ResearchProjectMembers {
    Table,
    ProjectId,
    UserId,
}

#[derive(DeriveIden)]
enum ResearchDownloads {
    Table,
    Id,
    ProjectId,
    UserId,
    Dataset,
    Format,
    Rows,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One ALTER per column: SQLite adds one column a statement.
        for col in [Newcomers::ResearchConsentAt, Newcomers::ResearchConsentVersion] {
            let def = match col {
                Newcomers::ResearchConsentAt => ColumnDef::new(col).timestamp_with_time_zone().null().to_owned(),
                _ => ColumnDef::new(col).string_len(32).null().to_owned(),
            };
            manager.alter_table(Table::alter().table(Newcomers::Table).add_column(def).to_owned()).await?;
        }
        for col in [GroupMembers::ResearchConsentAt, GroupMembers::ResearchConsentVersion] {
            let def = match col {
                GroupMembers::ResearchConsentAt => ColumnDef::new(col).timestamp_with_time_zone().null().to_owned(),
                _ => ColumnDef::new(col).string_len(32).null().to_owned(),
            };
            manager.alter_table(Table::alter().table(GroupMembers::Table).add_column(def).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ResearchProjects::Table)
                    .col(ColumnDef::new(ResearchProjects::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(ResearchProjects::Name).string_len(200).not_null())
                    .col(ColumnDef::new(ResearchProjects::AgreementReference).string_len(200).not_null())
                    .col(ColumnDef::new(ResearchProjects::Purpose).text().not_null())
                    .col(ColumnDef::new(ResearchProjects::Datasets).json_binary().not_null())
                    .col(ColumnDef::new(ResearchProjects::StartsOn).date().not_null())
                    .col(ColumnDef::new(ResearchProjects::EndsOn).date().not_null())
                    .col(ColumnDef::new(ResearchProjects::CreatedBy).string_len(36).null())
                    .col(ColumnDef::new(ResearchProjects::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ResearchProjects::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ResearchProjectMembers::Table)
                    .col(ColumnDef::new(ResearchProjectMembers::ProjectId).string_len(36).not_null())
                    .col(ColumnDef::new(ResearchProjectMembers::UserId).string_len(36).not_null())
                    .primary_key(
                        Index::create().col(ResearchProjectMembers::ProjectId).col(ResearchProjectMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ResearchProjectMembers::Table, ResearchProjectMembers::ProjectId)
                            .to(ResearchProjects::Table, ResearchProjects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ResearchDownloads::Table)
                    .col(ColumnDef::new(ResearchDownloads::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(ResearchDownloads::ProjectId).string_len(36).not_null())
                    .col(ColumnDef::new(ResearchDownloads::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(ResearchDownloads::Dataset).string_len(16).not_null())
                    .col(ColumnDef::new(ResearchDownloads::Format).string_len(8).not_null())
                    .col(ColumnDef::new(ResearchDownloads::Rows).integer().not_null())
                    .col(ColumnDef::new(ResearchDownloads::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_research_downloads_project")
                    .table(ResearchDownloads::Table)
                    .col(ResearchDownloads::ProjectId)
                    .col(ResearchDownloads::CreatedAt)
                    .to_owned(),
            )
            .await?;
        for table in ["research_projects", "research_project_members", "research_downloads"] {
            add_generation_triggers(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ResearchDownloads::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ResearchProjectMembers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ResearchProjects::Table).to_owned()).await?;
        for col in [GroupMembers::ResearchConsentAt, GroupMembers::ResearchConsentVersion] {
            manager.alter_table(Table::alter().table(GroupMembers::Table).drop_column(col).to_owned()).await?;
        }
        for col in [Newcomers::ResearchConsentAt, Newcomers::ResearchConsentVersion] {
            manager.alter_table(Table::alter().table(Newcomers::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
