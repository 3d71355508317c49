//! Notifications: an outbox of events (`notification_events`, written in the transaction of the
//! change that caused them, or by the scheduler for due dates, once per `dedupe_key`), the
//! deliveries fanned out from them (`notification_deliveries`: one e-mail to one person or one
//! POST to one webhook endpoint, with its attempts), the endpoints partner apps registered
//! (`webhook_endpoints`), each person's choices (`notification_preferences`) and language
//! (`users.language`).

use sea_orm_migration::prelude::*;

use super::m20261129_000009_generation_monotone::add_generation_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Language,
}

#[derive(DeriveIden)]
enum NotificationEvents {
    Table,
    Id,
    Kind,
    CitySlug,
    EntityType,
    EntityId,
    DedupeKey,
    Data,
    CreatedAt,
    FannedOutAt,
}

#[derive(DeriveIden)]
enum NotificationDeliveries {
    Table,
    Id,
    EventId,
    Kind,
    Channel,
    UserId,
    EndpointId,
    Status,
    Digest,
    Payload,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastAttemptAt,
    LastStatus,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    Url,
    Kinds,
    CitySlug,
    Secret,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationPreferences {
    Table,
    UserId,
    Kind,
    Delivery,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::Language).string_len(2).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationEvents::Table)
                    .col(ColumnDef::new(NotificationEvents::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(NotificationEvents::Kind).string_len(40).not_null())
                    .col(ColumnDef::new(NotificationEvents::CitySlug).string_len(64).null())
                    .col(ColumnDef::new(NotificationEvents::EntityType).string_len(32).not_null())
                    .col(ColumnDef::new(NotificationEvents::EntityId).string_len(36).not_null())
                    .col(ColumnDef::new(NotificationEvents::DedupeKey).string_len(200).null())
                    .col(ColumnDef::new(NotificationEvents::Data).json_binary().not_null())
                    .col(ColumnDef::new(NotificationEvents::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(NotificationEvents::FannedOutAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        // A due date is announced once, however many replicas' schedulers find it.
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_events_dedupe")
                    .table(NotificationEvents::Table)
                    .col(NotificationEvents::DedupeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_events_fan_out")
                    .table(NotificationEvents::Table)
                    .col(NotificationEvents::FannedOutAt)
                    .col(NotificationEvents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationDeliveries::Table)
                    .col(ColumnDef::new(NotificationDeliveries::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(NotificationDeliveries::EventId).string_len(36).not_null())
                    .col(ColumnDef::new(NotificationDeliveries::Kind).string_len(40).not_null())
                    .col(ColumnDef::new(NotificationDeliveries::Channel).string_len(16).not_null())
                    .col(ColumnDef::new(NotificationDeliveries::UserId).string_len(36).null())
                    .col(ColumnDef::new(NotificationDeliveries::EndpointId).string_len(36).null())
                    .col(ColumnDef::new(NotificationDeliveries::Status).string_len(16).not_null())
                    .col(ColumnDef::new(NotificationDeliveries::Digest).boolean().not_null())
                    .col(ColumnDef::new(NotificationDeliveries::Payload).text().not_null())
                    .col(ColumnDef::new(NotificationDeliveries::Attempts).integer().not_null())
                    .col(ColumnDef::new(NotificationDeliveries::NextAttemptAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(NotificationDeliveries::LockedUntil).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(NotificationDeliveries::LastAttemptAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(NotificationDeliveries::LastStatus).integer().null())
                    .col(ColumnDef::new(NotificationDeliveries::LastError).text().null())
                    .col(ColumnDef::new(NotificationDeliveries::SentAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(NotificationDeliveries::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_notification_deliveries_event", vec![NotificationDeliveries::EventId]),
            (
                "ix_notification_deliveries_due",
                vec![NotificationDeliveries::Status, NotificationDeliveries::NextAttemptAt],
            ),
            (
                "ix_notification_deliveries_endpoint",
                vec![NotificationDeliveries::EndpointId, NotificationDeliveries::Id],
            ),
            ("ix_notification_deliveries_user", vec![NotificationDeliveries::UserId, NotificationDeliveries::Id]),
        ] {
            let mut index = Index::create();
            index.name(name).table(NotificationDeliveries::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(ColumnDef::new(WebhookEndpoints::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(WebhookEndpoints::Url).text().not_null())
                    .col(ColumnDef::new(WebhookEndpoints::Kinds).json_binary().not_null())
                    .col(ColumnDef::new(WebhookEndpoints::CitySlug).string_len(64).null())
                    .col(ColumnDef::new(WebhookEndpoints::Secret).string_len(128).not_null())
                    .col(ColumnDef::new(WebhookEndpoints::Active).boolean().not_null())
                    .col(ColumnDef::new(WebhookEndpoints::CreatedBy).string_len(36).null())
                    .col(ColumnDef::new(WebhookEndpoints::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationPreferences::Table)
                    .col(ColumnDef::new(NotificationPreferences::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(NotificationPreferences::Kind).string_len(40).not_null())
                    .col(ColumnDef::new(NotificationPreferences::Delivery).string_len(16).not_null())
                    .primary_key(
                        Index::create().col(NotificationPreferences::UserId).col(NotificationPreferences::Kind),
                    )
                    .to_owned(),
            )
            .await?;
        for table in ["notification_events", "notification_deliveries", "webhook_endpoints", "notification_preferences"]
        {
            add_generation_triggers(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            NotificationPreferences::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            NotificationDeliveries::Table.into_iden(),
            NotificationEvents::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::Language).to_owned()).await
    }
}
