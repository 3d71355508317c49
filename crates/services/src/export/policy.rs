//! Export policies: one recoding of every quasi-identifier, proposed by a search over the
//! lattice (`samenhier export plan`, `proposeExportPolicy`) and adopted by an ADMIN
//! (`adoptExportPolicy`). Adopting makes the release: the rows of every dataset under the
//! policy, checked for k-anonymity once on their join and stored. Every download is a selection
//! of those rows (a city filter only selects), so two files under one policy never disagree,
//! whatever their city or day; newer data reaches analysts with the next policy, whose
//! pseudonym key is its own, so files of two policies cannot be joined.

use chrono::Utc;
use entity::{export_policy, export_release_row};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

use super::datasets::{self, Dataset, Recoding};
use crate::audit;
use crate::db::{begin_snapshot, begin_write, serialise};
use anonymise::ExportKey;
use domain::error::{AppError, AppResult};
use domain::policy::{Op, Principal};

/// The advisory lock that serialises proposals and adoptions across replicas.
const POLICY_LOCK: i64 = 7_351_024_062;

pub const PROPOSED: &str = "PROPOSED";
pub const ADOPTED: &str = "ADOPTED";
pub const RETIRED: &str = "RETIRED";

/// The pseudonym key of policy `version`, derived from the server's export key.
pub fn key(master: &ExportKey, version: i32) -> ExportKey {
    master.derive(&format!("policy:v{version}"))
}

/// The recoding a stored policy fixes.
pub fn recoding(p: &export_policy::Model) -> Recoding {
    Recoding::from_stored(p.k, &p.levels, &p.countries)
}

/// The adopted policy, if any.
pub async fn current(conn: &impl ConnectionTrait) -> AppResult<Option<export_policy::Model>> {
    Ok(export_policy::Entity::find().filter(export_policy::Column::State.eq(ADOPTED)).one(conn).await?)
}

/// Every policy, newest first.
pub async fn list(conn: &impl ConnectionTrait) -> AppResult<Vec<export_policy::Model>> {
    Ok(export_policy::Entity::find().order_by_desc(export_policy::Column::Version).all(conn).await?)
}

/// Runs the search on today's data and stores its result as a proposal. `by` is the proposing
/// account (`None` from the command line). The proposal's preview says what it would release
/// today.
pub async fn propose(
    db: &DatabaseConnection,
    by: Option<&Principal>,
    ask: datasets::Ask,
    note: Option<String>,
    today: chrono::NaiveDate,
) -> AppResult<export_policy::Model> {
    if let Some(p) = by {
        p.scope_for(Op::ExportPolicy)?;
    }
    ask.check()?;
    let k = ask.k;
    let (fixed, suppression) = (ask.fixed.clone(), ask.suppression);
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(AppError::bad_input("note", "the note may have at most 500 characters"));
    }
    let snapshot = begin_snapshot(db).await?;
    let source = datasets::read_source(&snapshot).await?;
    snapshot.commit().await?;
    // The search is CPU work (tens of thousands of nodes): off the async workers.
    let (recoding, preview) = tokio::task::spawn_blocking(move || {
        let (households, groups) = source.facts();
        let recoding = datasets::search(&households, &groups, &ask);
        // The preview's pseudonyms are never shown: any key serves.
        let release =
            datasets::build(&source, &recoding, &ExportKey::new(domain::secret::Secret::new(vec![0; 32])), today);
        (recoding, totals(&release.counts()))
    })
    .await
    .map_err(AppError::internal)?;
    let txn = begin_write(db).await?;
    serialise(&txn, POLICY_LOCK).await?;
    let last: Option<i32> = export_policy::Entity::find()
        .select_only()
        .column_as(export_policy::Column::Version.max(), "v")
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten();
    let version = last.unwrap_or(0) + 1;
    let mut countries: Vec<String> = recoding.countries.iter().cloned().collect();
    countries.sort();
    let model = export_policy::ActiveModel {
        version: Set(version),
        state: Set(PROPOSED.to_owned()),
        k: Set(k as i32),
        levels: Set(recoding.levels_json()),
        countries: Set(json!(countries)),
        note: Set(note),
        preview: Set(preview),
        counts: Set(None),
        proposed_by: Set(by.map(|p| p.user_id.clone())),
        proposed_at: Set(Utc::now()),
        adopted_by: Set(None),
        adopted_at: Set(None),
        retired_at: Set(None),
        key_id: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        by,
        audit::Entry {
            action: "export.policy.propose",
            entity_type: "export_policy",
            entity_id: &version.to_string(),
            city: None,
            details: json!({
                "version": version, "k": k, "levels": model.levels, "preview": model.preview,
                "keep": fixed, "maxWithheld": suppression,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// `{dataset: {"rows": n, "withheld": m}}` over every city, from a release's counts.
pub fn totals(counts: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for d in Dataset::ALL {
        let (rows, withheld) = scope_counts(counts, d, None);
        out.insert(d.name().to_owned(), json!({ "rows": rows, "withheld": withheld }));
    }
    serde_json::Value::Object(out)
}

/// Rows released and withheld of `dataset` in `city` (or every city), from a release's counts.
pub fn scope_counts(counts: &serde_json::Value, dataset: Dataset, city: Option<&str>) -> (u64, u64) {
    let Some(cities) = counts[dataset.name()].as_object() else { return (0, 0) };
    cities
        .iter()
        .filter(|(c, _)| city.is_none_or(|want| want == c.as_str()))
        .fold((0, 0), |(r, w), (_, v)| (r + v["rows"].as_u64().unwrap_or(0), w + v["withheld"].as_u64().unwrap_or(0)))
}

/// Adopts proposal `version`: makes and stores its release on today's data, retires the policy
/// adopted before (its stored rows are deleted: files already downloaded stay with their
/// holders, under a key no new file uses). ADMIN.
pub async fn adopt(
    db: &DatabaseConnection,
    p: &Principal,
    master: &ExportKey,
    version: i32,
    today: chrono::NaiveDate,
) -> AppResult<export_policy::Model> {
    p.scope_for(Op::ExportPolicy)?;
    let proposal =
        export_policy::Entity::find_by_id(version).one(db).await?.ok_or(AppError::NotFound("export policy"))?;
    if proposal.state != PROPOSED {
        return Err(AppError::conflict(format!(
            "export policy {version} is {}; only a PROPOSED policy can be adopted (propose a new one with proposeExportPolicy or `samenhier export plan`)",
            proposal.state
        )));
    }
    let recoding = recoding(&proposal);
    let key = key(master, version);
    let snapshot = begin_snapshot(db).await?;
    let source = datasets::read_source(&snapshot).await?;
    snapshot.commit().await?;
    let release = tokio::task::spawn_blocking(move || datasets::build(&source, &recoding, &key, today))
        .await
        .map_err(AppError::internal)?;
    let counts = release.counts();
    let txn = begin_write(db).await?;
    serialise(&txn, POLICY_LOCK).await?;
    // Read again under the lock: another adoption may have come first.
    let proposal =
        export_policy::Entity::find_by_id(version).one(&txn).await?.ok_or(AppError::NotFound("export policy"))?;
    if proposal.state != PROPOSED {
        return Err(AppError::conflict(format!("export policy {version} was {} meanwhile", proposal.state)));
    }
    let now = Utc::now();
    let retired: Vec<i32> = export_policy::Entity::find()
        .select_only()
        .column(export_policy::Column::Version)
        .filter(export_policy::Column::State.eq(ADOPTED))
        .into_tuple()
        .all(&txn)
        .await?;
    if !retired.is_empty() {
        export_release_row::Entity::delete_many()
            .filter(export_release_row::Column::PolicyVersion.is_in(retired.clone()))
            .exec(&txn)
            .await?;
        export_policy::Entity::update_many()
            .col_expr(export_policy::Column::State, sea_orm::sea_query::Expr::value(RETIRED))
            .col_expr(export_policy::Column::RetiredAt, sea_orm::sea_query::Expr::value(now))
            .filter(export_policy::Column::Version.is_in(retired.clone()))
            .exec(&txn)
            .await?;
    }
    for dataset in Dataset::ALL {
        let rows = release.rows.get(dataset.name()).map(Vec::as_slice).unwrap_or_default();
        for (chunk_no, chunk) in rows.chunks(datasets::PAGE as usize).enumerate() {
            let models = chunk.iter().enumerate().map(|(i, (city, cells))| export_release_row::ActiveModel {
                policy_version: Set(version),
                dataset: Set(dataset.name().to_owned()),
                ordinal: Set((chunk_no * datasets::PAGE as usize + i) as i32),
                city_slug: Set(city.clone()),
                row: Set(serde_json::Value::Array(cells.iter().map(datasets::Cell::to_json).collect())),
            });
            export_release_row::Entity::insert_many(models).exec(&txn).await?;
        }
    }
    let mut active: export_policy::ActiveModel = proposal.into();
    active.state = Set(ADOPTED.to_owned());
    active.counts = Set(Some(counts.clone()));
    active.adopted_by = Set(Some(p.user_id.clone()));
    active.adopted_at = Set(Some(now));
    active.key_id = Set(Some(key_id(master, version)));
    let model = active.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "export.policy.adopt",
            entity_type: "export_policy",
            entity_id: &version.to_string(),
            city: None,
            details: json!({
                "version": version, "retired": retired, "keyId": key_id(master, version),
                "released": totals(&counts),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The id of policy `version`'s key under `master`.
pub fn key_id(master: &ExportKey, version: i32) -> String {
    key(master, version).id().to_owned()
}

/// The id of the key a policy's release was made with; for a proposal, the one it would get.
pub fn release_key_id(master: &ExportKey, p: &export_policy::Model) -> String {
    p.key_id.clone().unwrap_or_else(|| key_id(master, p.version))
}

/// A page of the release rows of `dataset` under policy `version` (in `city`, or every city)
/// after ordinal `after`.
pub async fn page(
    conn: &impl ConnectionTrait,
    version: i32,
    dataset: Dataset,
    city: Option<&str>,
    after: Option<i32>,
) -> AppResult<Vec<export_release_row::Model>> {
    let mut q = export_release_row::Entity::find()
        .filter(export_release_row::Column::PolicyVersion.eq(version))
        .filter(export_release_row::Column::Dataset.eq(dataset.name()))
        .order_by_asc(export_release_row::Column::Ordinal)
        .limit(datasets::PAGE);
    if let Some(c) = city {
        q = q.filter(export_release_row::Column::CitySlug.eq(c));
    }
    if let Some(a) = after {
        q = q.filter(export_release_row::Column::Ordinal.gt(a));
    }
    Ok(q.all(conn).await?)
}
