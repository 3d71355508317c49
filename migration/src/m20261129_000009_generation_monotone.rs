//! The data generation never goes back to a number it had on another timeline.
//!
//! After a restore, a point-in-time recovery or a failover to a standby that lost commits, the
//! generation is older than numbers replicas may still hold answers for; plain `n + 1` would
//! then walk back up to one of those numbers with other data behind it, and a replica would
//! serve an answer from the lost timeline. Every bump now goes to at least the wall clock in
//! microseconds, so the first write after such an event jumps past every number handed out
//! before it (as long as the database server's clock does not run backwards).
//!
//! `TRUNCATE` fires no row trigger: on PostgreSQL a statement-level trigger bumps for it too
//! (SQLite has no `TRUNCATE`; its `DELETE FROM t` fires the row triggers).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::m20261129_000006_data_generation::TABLES;

#[derive(DeriveMigrationName)]
pub struct Migration;

const EVENTS: [(&str, &str); 3] = [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")];

const SQLITE_NEXT: &str = "MAX(n + 1, CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER))";

const PG_FUNCTION: &str = r#"
CREATE OR REPLACE FUNCTION samenhier_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('samenhier.generation_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('samenhier.generation_bumped', 'on', true);
        UPDATE data_generation
           SET n = GREATEST(n + 1, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint)
         WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$"#;

const PG_FUNCTION_BEFORE: &str = r#"
CREATE OR REPLACE FUNCTION samenhier_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('samenhier.generation_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('samenhier.generation_bumped', 'on', true);
        UPDATE data_generation SET n = n + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$"#;

async fn sqlite_triggers(db: &SchemaManagerConnection<'_>, next: &str) -> Result<(), DbErr> {
    for table in TABLES {
        for (tag, event) in EVENTS {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS data_generation_{table}_{tag}")).await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER data_generation_{table}_{tag} AFTER {event} ON {table} \
                 BEGIN UPDATE data_generation SET n = {next} WHERE id = 1; END"
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_triggers(db, SQLITE_NEXT).await?,
            DbBackend::Postgres => {
                db.execute_unprepared(PG_FUNCTION).await?;
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER data_generation_{table}_truncate AFTER TRUNCATE ON {table} \
                         FOR EACH STATEMENT EXECUTE FUNCTION samenhier_bump_generation()"
                    ))
                    .await?;
                }
            }
            other => return Err(DbErr::Migration(format!("the data generation is not implemented for {other:?}"))),
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_triggers(db, "n + 1").await?,
            DbBackend::Postgres => {
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS data_generation_{table}_truncate ON {table}"
                    ))
                    .await?;
                }
                db.execute_unprepared(PG_FUNCTION_BEFORE).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// The data-generation triggers of a table added later (its own migration calls this): on
/// PostgreSQL the deferred row trigger and the TRUNCATE trigger, on SQLite one per event.
pub(crate) async fn add_generation_triggers(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!(
                "CREATE CONSTRAINT TRIGGER data_generation_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} \
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION samenhier_bump_generation()"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER data_generation_{table}_truncate AFTER TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION samenhier_bump_generation()"
            ))
            .await?;
        }
        _ => {
            for (tag, event) in EVENTS {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER data_generation_{table}_{tag} AFTER {event} ON {table} \
                     BEGIN UPDATE data_generation SET n = {SQLITE_NEXT} WHERE id = 1; END"
                ))
                .await?;
            }
        }
    }
    Ok(())
}
