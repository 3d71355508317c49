//! Connecting to SQLite (embedded default) or PostgreSQL, and applying migrations.

use std::time::Duration;

use anyhow::Context;
use domain::AppError;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// Ids per `IN (…)` list of one statement: far below the bound-parameter limits (SQLite 32,766,
/// PostgreSQL 65,535) and small enough that the planner still uses the primary key. Every
/// query over a list of ids splits it into chunks of this size.
pub const IN_LIST_CHUNK: usize = 500;

/// Opens a pool. SQLite gets WAL (readers never block the writer), a busy timeout, foreign
/// keys and secure delete (erased values must not linger in free pages).
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    domain::error::register_classifier(classify);
    if let Some(file) = crate::auth::secrets::sqlite_file(url) {
        private_files(&file)?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged, so power loss loses
                // nothing committed (NORMAL in WAL mode may lose the last commits).
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("secure_delete", "ON")
        });
    } else {
        opts.max_connections(20);
    }
    Database::connect(opts).await.with_context(|| format!("cannot connect to the database at {}", redact_url(url)))
}

/// The SQLite file holds people's personal data: only the server's user may read it. SQLite
/// creates its `-wal` and `-shm` files with the database file's permissions, so creating the
/// file 0600 before SQLite opens it covers all three; files left readable by an older version
/// are narrowed.
fn private_files(file: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !file.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(file)
            .or_else(|e| if e.kind() == std::io::ErrorKind::AlreadyExists { std::fs::File::open(file) } else { Err(e) })
            .with_context(|| format!("cannot create the database file {}", file.display()))?;
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot make {} private (chmod 600)", path.display()))?;
        }
    }
    Ok(())
}

/// SQLite: moves the write-ahead log into the database file and truncates the log. Nothing
/// to do on PostgreSQL.
pub async fn checkpoint(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.context("checkpoint")?;
    }
    Ok(())
}

/// A consistent copy of a live SQLite database in `target` (SQLite's `VACUUM INTO`: readers
/// and writers go on meanwhile), written 0600. On PostgreSQL use `pg_dump`.
pub async fn backup(db: &DatabaseConnection, target: &std::path::Path) -> anyhow::Result<()> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        anyhow::bail!(
            "`samenhier backup` copies SQLite databases; for PostgreSQL use pg_dump (see README, Operations)"
        );
    }
    if target.exists() {
        anyhow::bail!("{} exists already; give a new file name", target.display());
    }
    // Created empty and private first (VACUUM INTO fills an empty file and keeps its mode):
    // the copy holds personal data.
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(target)
            .with_context(|| format!("cannot create {}", target.display()))?;
    }
    let path = target.to_str().ok_or_else(|| anyhow::anyhow!("the backup path must be UTF-8"))?;
    let result = db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Sqlite,
            "VACUUM INTO ?",
            [path.into()],
        ))
        .await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(target);
        return Err(e).context("the backup failed");
    }
    Ok(())
}

/// Applies every pending migration.
/// The migrations run in one write transaction (on PostgreSQL holding an advisory lock, on
/// SQLite the write lock), so servers that start together on one database apply them once,
/// one after the other: the next finds nothing left to do.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let txn = begin_write(db).await.context("applying migrations failed")?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7351024061)")
            .await
            .context("waiting for the migration lock")?;
    }
    Migrator::up(&txn, None).await.context("applying migrations failed")?;
    txn.commit().await.context("applying migrations failed")
}

/// Whether every migration the binary knows is applied (for `/readyz`).
pub async fn migrations_applied(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}

/// Begins a write transaction. On SQLite it takes the write lock at BEGIN (IMMEDIATE): a
/// deferred transaction that reads and then writes fails with SQLITE_BUSY instead of waiting.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// The URL with any password replaced, fit for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &creds[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// What a database error means for the client, when it means something: a unique violation is
/// a conflict the client can act on, a deadlock a conflict to retry, an exhausted or
/// unreachable pool a 503; the rest is internal. Registered with the domain's error type when
/// the first pool opens, so `?` on a database error classifies it everywhere.
fn classify(err: &anyhow::Error) -> Option<AppError> {
    err.downcast_ref::<sea_orm::DbErr>().and_then(classify_db)
}

fn classify_db(err: &sea_orm::DbErr) -> Option<AppError> {
    if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
        return Some(AppError::Conflict("the record conflicts with one that exists already".into()));
    }
    // PostgreSQL broke a deadlock or a serialisation conflict by aborting this transaction
    // (SQLSTATE 40P01 / 40001): nothing was changed, and the same request may succeed now.
    let text = err.to_string();
    if text.contains("deadlock detected") || text.contains("could not serialize access") {
        return Some(AppError::Conflict(
            "another change to the same records was made at the same time; try again".into(),
        ));
    }
    // No connection free in time (the pool is exhausted) or none can be opened.
    if matches!(err, sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)) {
        return Some(AppError::Unavailable);
    }
    None
}

/// The same for an error shared by several waiters (a batched load).
pub fn error_from_ref(err: &sea_orm::DbErr) -> AppError {
    classify_db(err).unwrap_or_else(|| AppError::Internal(anyhow::anyhow!("{err}")))
}

/// Begins a read-only transaction that sees one moment of the database for all its reads
/// (PostgreSQL: REPEATABLE READ, read only; SQLite's read transaction in WAL mode keeps the
/// snapshot of its first read).
pub async fn begin_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            db.begin_with_config(Some(sea_orm::IsolationLevel::RepeatableRead), Some(sea_orm::AccessMode::ReadOnly))
                .await
        }
        _ => db.begin().await,
    }
}

/// Serialises writers of one kind across replicas for the rest of the transaction: on
/// PostgreSQL a transaction-scoped advisory lock on `key`; SQLite's write transaction already
/// holds the database's one write lock.
pub async fn serialise(txn: &DatabaseTransaction, key: i64) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({key})")).await?;
    }
    Ok(())
}
