//! A data generation: one number that grows whenever any row of the programme's data changes,
//! whoever changes it (any replica, the CLI, a migration, a hand-written statement). Replicas
//! keep answers to read-only queries in memory and serve them only while the generation they
//! were computed at is still the current one; the caller's user row is read with the
//! generation in one statement on every request, so a cached answer costs one statement.
//!
//! The number moves inside the writing transaction, so it becomes visible exactly when the
//! change does. A replica reads the number before it reads any data for an answer and labels
//! the answer with it: data read later can only be newer than its label, and an answer is
//! served again only while the number is unchanged, i.e. while nothing was written since.
//!
//! `audit_log` is left out on purpose: reading contact details appends to it, and those
//! answers are never cached anyway; queries that read the audit log are never cached.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table whose rows a cached answer may depend on. A table added later must be added
/// here by its own migration (a test fails when a table has no generation trigger).
pub const TABLES: [&str; 10] = [
    "cities",
    "welcome_groups",
    "group_members",
    "newcomers",
    "users",
    "scoring_scripts",
    "matching_runs",
    "matches",
    "activity_logs",
    "check_ins",
];

const EVENTS: [(&str, &str); 3] = [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")];

// PostgreSQL: a deferred constraint trigger runs at commit, after every other statement of the
// transaction, so the generation row is the last lock a writer takes (no lock-order deadlocks
// with the rows it changed) and is held only while committing. A transaction-local setting
// makes the first row event of a transaction bump the number and the rest return at once (a
// round that stores 5,000 matches bumps once).
const PG_FUNCTION: &str = r#"
CREATE FUNCTION samenhier_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('samenhier.generation_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('samenhier.generation_bumped', 'on', true);
        UPDATE data_generation SET n = n + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared("CREATE TABLE data_generation (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)").await?;
        db.execute_unprepared("INSERT INTO data_generation (id, n) VALUES (1, 0)").await?;
        match backend {
            DbBackend::Sqlite => {
                for table in TABLES {
                    for (tag, event) in EVENTS {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER data_generation_{table}_{tag} AFTER {event} ON {table} \
                             BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END"
                        ))
                        .await?;
                    }
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(PG_FUNCTION).await?;
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE CONSTRAINT TRIGGER data_generation_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} \
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION samenhier_bump_generation()"
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
            DbBackend::Sqlite => {
                for table in TABLES {
                    for (tag, _) in EVENTS {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS data_generation_{table}_{tag}")).await?;
                    }
                }
            }
            DbBackend::Postgres => {
                for table in TABLES {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS data_generation_{table} ON {table}"))
                        .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS samenhier_bump_generation()").await?;
            }
            _ => {}
        }
        db.execute_unprepared("DROP TABLE IF EXISTS data_generation").await?;
        Ok(())
    }
}
