//! Batched loads of the records a resolver reaches from another (async-graphql's DataLoader):
//! a match's household and group, a group's members and current match, a run's matches. Every
//! resolver of one request asks its loader for one key; the loader collects the keys asked in
//! the same turn and reads them in one statement (500 keys a statement), so a run of 5,000
//! pairs with their matches, households, groups, members and current matches costs a handful
//! of statements, not 15,000.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{group_member, matches, matching_run, newcomer, welcome_group};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use domain::error::{AppError, AppResult};
use services::sealed::{self, Column, DataKey, Vault};

/// A database error shared by every resolver that waited for the batch.
pub type Shared = Arc<sea_orm::DbErr>;

/// Keys per statement (see `IN_LIST_CHUNK`).
const CHUNK: usize = services::db::IN_LIST_CHUNK;

macro_rules! by_id {
    ($name:ident, $entity:ident) => {
        /// Records by id.
        pub struct $name(DatabaseConnection);

        impl Loader<String> for $name {
            type Value = $entity::Model;
            type Error = Shared;

            async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
                let mut out = HashMap::with_capacity(keys.len());
                for chunk in keys.chunks(CHUNK) {
                    let found = $entity::Entity::find()
                        .filter($entity::Column::Id.is_in(chunk.iter().cloned()))
                        .all(&self.0)
                        .await
                        .map_err(Arc::new)?;
                    out.extend(found.into_iter().map(|m| (m.id.clone(), m)));
                }
                Ok(out)
            }
        }
    };
}

by_id!(NewcomerById, newcomer);
by_id!(GroupById, welcome_group);
by_id!(RunById, matching_run);
by_id!(MatchById, matches);

/// The live (PROPOSED or ACTIVE) match of each group, or of each household.
pub struct LiveMatch {
    db: DatabaseConnection,
    by_group: bool,
}

impl Loader<String> for LiveMatch {
    type Value = matches::Model;
    type Error = Shared;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let col = if self.by_group { matches::Column::GroupId } else { matches::Column::NewcomerId };
        let mut out = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let found = matches::Entity::find()
                .filter(col.is_in(chunk.iter().cloned()))
                .filter(matches::Column::Status.is_in(services::matches::LIVE))
                .all(&self.db)
                .await
                .map_err(Arc::new)?;
            for m in found {
                let key = if self.by_group { m.group_id.clone() } else { m.newcomer_id.clone() };
                out.insert(key, m);
            }
        }
        Ok(out)
    }
}

/// The members of each group, in the order they joined.
pub struct MembersByGroup(DatabaseConnection);

impl Loader<String> for MembersByGroup {
    type Value = Vec<group_member::Model>;
    type Error = Shared;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let mut out: HashMap<String, Vec<group_member::Model>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for chunk in keys.chunks(CHUNK) {
            let found = group_member::Entity::find()
                .filter(group_member::Column::GroupId.is_in(chunk.iter().cloned()))
                .order_by_asc(group_member::Column::Id)
                .all(&self.0)
                .await
                .map_err(Arc::new)?;
            for m in found {
                out.entry(m.group_id.clone()).or_default().push(m);
            }
        }
        Ok(out)
    }
}

/// The data keys of people and matches (see `services::sealed`), unwrapped; a subject whose
/// key was destroyed (erased) has none.
pub struct PersonKeys {
    db: DatabaseConnection,
    vault: Arc<Vault>,
}

impl Loader<String> for PersonKeys {
    type Value = Arc<DataKey>;
    type Error = Shared;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let found = self.vault.keys(&self.db, keys).await.map_err(|e| {
            // The loader's error must be shareable; the detail goes to the log here, once.
            let detail = format!("{:#}", e.into_anyhow());
            tracing::error!(error = %detail, "reading data keys failed");
            Arc::new(sea_orm::DbErr::Custom("reading data keys failed".into()))
        })?;
        Ok(found.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// The loaders of one request (made fresh for each, so nothing outlives it).
pub struct Loaders {
    pub keys: DataLoader<PersonKeys>,
    pub newcomers: DataLoader<NewcomerById>,
    pub groups: DataLoader<GroupById>,
    pub runs: DataLoader<RunById>,
    pub matches: DataLoader<MatchById>,
    pub live_by_group: DataLoader<LiveMatch>,
    pub live_by_newcomer: DataLoader<LiveMatch>,
    pub members: DataLoader<MembersByGroup>,
}

/// How long a loader waits for more keys before it reads: the siblings of a list ask within
/// microseconds of each other in a release build, but a debug build (or a busy machine) needs
/// a little longer, and a late key would start a second statement.
const GATHER: std::time::Duration = std::time::Duration::from_millis(3);

fn loader<L: Loader<String>>(l: L) -> DataLoader<L> {
    DataLoader::new(l, tokio::spawn).delay(GATHER)
}

impl Loaders {
    pub fn new(db: &DatabaseConnection, vault: &Arc<Vault>) -> Self {
        // A batch is not cached across requests: the loaders live as long as the request.
        Self {
            keys: loader(PersonKeys { db: db.clone(), vault: Arc::clone(vault) }),
            newcomers: loader(NewcomerById(db.clone())),
            groups: loader(GroupById(db.clone())),
            runs: loader(RunById(db.clone())),
            matches: loader(MatchById(db.clone())),
            live_by_group: loader(LiveMatch { db: db.clone(), by_group: true }),
            live_by_newcomer: loader(LiveMatch { db: db.clone(), by_group: false }),
            members: loader(MembersByGroup(db.clone())),
        }
    }
}

/// The request's loaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> AppResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| AppError::internal(anyhow::anyhow!("the request has no loaders")))
}

/// One record through a loader; NOT_FOUND (`what`) when there is none.
pub async fn one<L>(loader: &DataLoader<L>, id: &str, what: &'static str) -> AppResult<L::Value>
where
    L: Loader<String, Error = Shared>,
{
    loader.load_one(id.to_owned()).await.map_err(|e| services::db::error_from_ref(&e))?.ok_or(AppError::NotFound(what))
}

/// An optional record through a loader.
pub async fn maybe<L>(loader: &DataLoader<L>, id: &str) -> AppResult<Option<L::Value>>
where
    L: Loader<String, Error = Shared>,
{
    loader.load_one(id.to_owned()).await.map_err(|e| services::db::error_from_ref(&e))
}

/// The plain text of a sealed column of a record whose data key belongs to `subject` (a
/// household's or member's id, or a match's for the year's free text): opened with the key
/// through the request's loader, so a page of records reads its keys in one statement.
pub async fn open(
    ctx: &Context<'_>,
    subject: &str,
    column: Column,
    row_id: &str,
    stored: Option<&str>,
) -> AppResult<Option<String>> {
    let Some(value) = stored else { return Ok(None) };
    if !sealed::is_sealed(value) {
        return Ok(Some(value.to_owned()));
    }
    let key = maybe(&loaders(ctx)?.keys, subject).await?;
    sealed::open(key.as_deref(), column, row_id, Some(value))
}
