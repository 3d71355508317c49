//! Row locks for state changes.
//!
//! The rule: a transaction that changes the state of a household, of a group, or of a match
//! between them first locks the rows of the household and the group involved — households
//! before groups, each kind in id order, so two transactions never wait for each other in a
//! circle — and reads their state only once it holds the locks. On PostgreSQL this is
//! `SELECT … FOR UPDATE`: a second transaction on the same rows waits until the first commits,
//! and under READ COMMITTED every statement it runs after that sees what the first committed
//! (an accepted match, a withdrawn household), so its checks are never made on a stale state.
//! On SQLite the IMMEDIATE write transaction already holds the database's one write lock, and
//! no lock clause is written.

use entity::{matching_run, newcomer, welcome_group};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use domain::error::{AppError, AppResult};

/// Locks one household and reads it.
pub async fn newcomer(conn: &impl ConnectionTrait, id: &str) -> AppResult<newcomer::Model> {
    newcomer::Entity::find_by_id(id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound("newcomer"))
}

/// Locks one group and reads it.
pub async fn group(conn: &impl ConnectionTrait, id: &str) -> AppResult<welcome_group::Model> {
    welcome_group::Entity::find_by_id(id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound("welcome group"))
}

/// Locks what a decision on match `m` changes: its household, its group, then its run.
pub async fn decision(
    conn: &impl ConnectionTrait,
    m: &entity::matches::Model,
) -> AppResult<(newcomer::Model, welcome_group::Model)> {
    let both = pair(conn, &m.newcomer_id, &m.group_id).await?;
    if let Some(run_id) = &m.run_id {
        run(conn, run_id).await?;
    }
    Ok(both)
}

/// Locks a household and a group, in that order, and reads both.
pub async fn pair(
    conn: &impl ConnectionTrait,
    newcomer_id: &str,
    group_id: &str,
) -> AppResult<(newcomer::Model, welcome_group::Model)> {
    let n = newcomer(conn, newcomer_id).await?;
    let g = group(conn, group_id).await?;
    Ok((n, g))
}

/// Locks many households and then many groups (each in id order), e.g. a round's candidates.
pub async fn many(conn: &impl ConnectionTrait, newcomer_ids: &[String], group_ids: &[String]) -> AppResult<()> {
    for chunk in sorted(newcomer_ids).chunks(crate::db::IN_LIST_CHUNK) {
        newcomer::Entity::find()
            .select_only()
            .column(newcomer::Column::Id)
            .filter(newcomer::Column::Id.is_in(chunk.iter().cloned()))
            .order_by_asc(newcomer::Column::Id)
            .lock_exclusive()
            .into_tuple::<String>()
            .all(conn)
            .await?;
    }
    for chunk in sorted(group_ids).chunks(crate::db::IN_LIST_CHUNK) {
        welcome_group::Entity::find()
            .select_only()
            .column(welcome_group::Column::Id)
            .filter(welcome_group::Column::Id.is_in(chunk.iter().cloned()))
            .order_by_asc(welcome_group::Column::Id)
            .lock_exclusive()
            .into_tuple::<String>()
            .all(conn)
            .await?;
    }
    Ok(())
}

/// Locks a matching run (its status follows its matches: two last decisions at once must not
/// both see the other's match as still open). Runs come after households and groups, and
/// before the run's matches change: PostgreSQL's check of `matches.run_id` takes a share lock
/// on the run when a match row changes twice in one transaction, and a share lock taken
/// before this one would turn into a deadlock between two decisions of one run.
pub async fn run(conn: &impl ConnectionTrait, id: &str) -> AppResult<Option<matching_run::Model>> {
    Ok(matching_run::Entity::find_by_id(id).lock_exclusive().one(conn).await?)
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut v = ids.to_vec();
    v.sort();
    v.dedup();
    v
}
