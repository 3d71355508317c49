//! Personal data sealed with a key per person (crypto-shredding): a table of data keys, each
//! wrapped by the server's data key from configuration; the personal text columns widen to
//! `text` because a sealed value (nonce, ciphertext and tag, in base64) is longer than the
//! plain value they were sized for; a member's e-mail address is unique in its group through
//! a keyed hash (a blind index), since the sealed address differs every time it is written.
//! Rows written before this migration are sealed by the server at start-up
//! (`services::sealed::seal_legacy`), which needs the configured key a migration does not have.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::m20261129_000009_generation_monotone::add_generation_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PersonKeys {
    Table,
    SubjectId,
    WrappedKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    EmailIndex,
}

/// Columns that hold sealed values, with the type they had (PostgreSQL enforces the length).
const WIDENED: [(&str, &str, &str); 8] = [
    ("newcomers", "name", "varchar(200)"),
    ("newcomers", "preferred_name", "varchar(100)"),
    ("newcomers", "email", "varchar(254)"),
    ("newcomers", "phone", "varchar(32)"),
    ("newcomers", "education", "varchar(200)"),
    ("group_members", "name", "varchar(200)"),
    ("group_members", "email", "varchar(254)"),
    ("group_members", "phone", "varchar(32)"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersonKeys::Table)
                    .col(ColumnDef::new(PersonKeys::SubjectId).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(PersonKeys::WrappedKey).string_len(128).not_null())
                    .col(ColumnDef::new(PersonKeys::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(GroupMembers::Table)
                    .add_column(ColumnDef::new(GroupMembers::EmailIndex).string_len(64).not_null().default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // SQLite does not enforce declared lengths: nothing to widen there.
        if manager.get_database_backend() == DbBackend::Postgres {
            for (table, column, _) in WIDENED {
                db.execute_unprepared(&format!("ALTER TABLE {table} ALTER COLUMN {column} TYPE text")).await?;
            }
        }
        // Answers hold values opened with these keys: the table moves the data generation like
        // every data table (see the data-generation migrations).
        add_generation_triggers(manager, "person_keys").await?;
        db.execute_unprepared("DROP INDEX ux_group_members_email").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_group_members_email_index ON group_members (group_id, email_index) \
             WHERE email_index <> ''",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_group_members_email_index").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_group_members_email ON group_members (group_id, email) WHERE email <> ''",
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            // Sealed values do not fit the old lengths: going down means the personal data was
            // opened again first (there is no command for that; restore a backup instead).
            for (table, column, ty) in WIDENED {
                db.execute_unprepared(&format!("ALTER TABLE {table} ALTER COLUMN {column} TYPE {ty}")).await?;
            }
        }
        manager
            .alter_table(Table::alter().table(GroupMembers::Table).drop_column(GroupMembers::EmailIndex).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(PersonKeys::Table).to_owned()).await
    }
}
