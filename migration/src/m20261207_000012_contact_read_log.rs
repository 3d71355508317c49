//! Reads of contact details, aggregated: one row per reader, record and day with a count and
//! the fields read, instead of one audit row per record per request (which grew by about
//! 15,000 rows a second under an audited-read load). The table holds ids only. It is not a data
//! table of the data generation: reads write to it, and they must not empty the answers other
//! callers have cached.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContactReads {
    Table,
    Id,
    Day,
    ActorUserId,
    ActorRole,
    EntityType,
    EntityId,
    CitySlug,
    Fields,
    Reads,
    FirstAt,
    LastAt,
    LastRequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContactReads::Table)
                    .col(ColumnDef::new(ContactReads::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(ContactReads::Day).date().not_null())
                    .col(ColumnDef::new(ContactReads::ActorUserId).string_len(36).not_null())
                    .col(ColumnDef::new(ContactReads::ActorRole).string_len(32).not_null())
                    .col(ColumnDef::new(ContactReads::EntityType).string_len(32).not_null())
                    .col(ColumnDef::new(ContactReads::EntityId).string_len(64).not_null())
                    .col(ColumnDef::new(ContactReads::CitySlug).string_len(64).null())
                    .col(ColumnDef::new(ContactReads::Fields).integer().not_null())
                    .col(ColumnDef::new(ContactReads::Reads).big_integer().not_null())
                    .col(ColumnDef::new(ContactReads::FirstAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ContactReads::LastAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ContactReads::LastRequestId).string_len(36).null())
                    .to_owned(),
            )
            .await?;
        // The key the count is kept under; a request adds to it with one upsert per record.
        manager
            .create_index(
                Index::create()
                    .name("ux_contact_reads_day_actor_record")
                    .table(ContactReads::Table)
                    .col(ContactReads::Day)
                    .col(ContactReads::ActorUserId)
                    .col(ContactReads::EntityType)
                    .col(ContactReads::EntityId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Who read this person's details (the personal-data report, the API's filter).
        manager
            .create_index(
                Index::create()
                    .name("ix_contact_reads_record")
                    .table(ContactReads::Table)
                    .col(ContactReads::EntityId)
                    .col(ContactReads::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contact_reads_city")
                    .table(ContactReads::Table)
                    .col(ContactReads::CitySlug)
                    .col(ContactReads::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ContactReads::Table).to_owned()).await
    }
}
