//! Scoring-script versions: shipped version 1, validation, preview, publish and activate.
//! Only ADMIN and the city's own CITY_ADMIN may read or change scripts; every change is
//! audited; publishing and activating swap the compiled script in without a restart.

use chrono::NaiveDate;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use entity::{city, scoring_script};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use crate::db::begin_write;
use crate::{audit, candidates, new_id};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use domain::policy::Principal;
use domain::validate;
use scripting::job::{CancelOnDrop, Job, Slots};
use scripting::registry::{ActiveScript, ScriptRegistry};
use scripting::validate::{self as script_validate, Validation};
use scripting::{CompiledScript, ScriptProblem, sha256_hex, shipped};

/// What script work needs besides the database: the compiled active script of each city, the
/// slots that bound how many script jobs run at once, the budgets of a job, and the per-city
/// lock that serialises rounds within this process (PostgreSQL adds an advisory lock across
/// replicas).
pub struct Scoring {
    pub scripts: ScriptRegistry,
    pub slots: Slots,
    pub round_locks: RoundLocks,
    /// Wall-clock budget of a validation.
    pub validation_budget: Duration,
    /// Wall-clock budget of a round's, preview's, recommendation's or hand proposal's scoring.
    pub scoring_budget: Duration,
}

/// One async mutex per city.
#[derive(Default)]
pub struct RoundLocks(std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl RoundLocks {
    pub fn for_city(&self, city: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.0.lock() {
            Ok(mut map) => Arc::clone(map.entry(city.to_owned()).or_default()),
            // A poisoned map only means another thread panicked while inserting; a fresh
            // mutex still serialises this caller with later ones.
            Err(_) => Arc::new(tokio::sync::Mutex::new(())),
        }
    }
}

/// Loads the shipped script as version 1 of every city that has none.
pub async fn ensure_shipped(db: &DatabaseConnection) -> AppResult<()> {
    let cities = city::Entity::find().all(db).await?;
    for c in cities {
        let txn = begin_write(db).await?;
        let has_any = scoring_script::Entity::find()
            .filter(scoring_script::Column::CitySlug.eq(c.slug.as_str()))
            .one(&txn)
            .await?;
        if has_any.is_none() {
            let source = shipped::for_city(&c.slug);
            let model = scoring_script::ActiveModel {
                id: Set(new_id()),
                city_slug: Set(c.slug.clone()),
                version: Set(1),
                source: Set(source.to_owned()),
                sha256: Set(sha256_hex(source)),
                author_user_id: Set(None),
                note: Set(Some("shipped with the server".into())),
                active: Set(true),
                created_at: Set(Utc::now()),
            }
            .insert(&txn)
            .await;
            let model = match model {
                Ok(m) => m,
                // Another replica starting at the same moment loaded it first.
                Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => continue,
                Err(e) => return Err(e.into()),
            };
            audit::record(
                &txn,
                None,
                audit::Entry {
                    action: "script.load_shipped",
                    entity_type: "scoring_script",
                    entity_id: &model.id,
                    city: Some(&c.slug),
                    details: json!({ "version": 1, "sha256": model.sha256 }),
                },
            )
            .await?;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// The scope check shared by every script operation: FORBIDDEN for roles without access and
/// for another city, NOT_FOUND for an unknown city.
async fn city_in_scope(conn: &impl ConnectionTrait, p: &Principal, slug: &str) -> AppResult<String> {
    crate::rounds::city_in_scope(conn, p, Op::ManageScripts, slug).await
}

/// Whether `p` may read the scripts of `city` (for `City.activeScript`).
pub fn may_read(p: &Principal, city: &str) -> AppResult<()> {
    let scope = p.scope_for(Op::ManageScripts)?;
    if scope.covers_city(city) {
        Ok(())
    } else {
        Err(AppError::forbidden("only staff of this city may read its scoring script"))
    }
}

/// Every version of a city's script, newest first.
pub async fn list(db: &DatabaseConnection, p: &Principal, city: &str) -> AppResult<Vec<scoring_script::Model>> {
    let city = city_in_scope(db, p, city).await?;
    Ok(scoring_script::Entity::find()
        .filter(scoring_script::Column::CitySlug.eq(city))
        .order_by_desc(scoring_script::Column::Version)
        .all(db)
        .await?)
}

/// The active version row of a city.
pub async fn active_row(conn: &impl ConnectionTrait, city: &str) -> AppResult<scoring_script::Model> {
    scoring_script::Entity::find()
        .filter(scoring_script::Column::CitySlug.eq(city))
        .filter(scoring_script::Column::Active.eq(true))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("active scoring script"))
}

/// Runs script work (`work`, blocking) for `city` as a job: it waits for one of the scoring
/// slots (one per city, a few in all), runs on threads of its own off the async workers, and
/// stops when it runs out of `budget` or when the request that waits for it ends (time-out,
/// client gone): dropping this future cancels the job.
pub async fn scoring_job<T: Send + 'static>(
    scoring: &Scoring,
    city: &str,
    what: &'static str,
    budget: std::time::Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let slot = scoring
        .slots
        .acquire(city)
        .await
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the scoring slots are closed")))?;
    let job = Job::new(what, budget);
    let _cancel = CancelOnDrop(Arc::clone(&job));
    let threads = scoring.slots.threads;
    tokio::task::spawn_blocking(move || {
        // The slot is held until the work has really ended, not only until the request gave up.
        let _slot = slot;
        job.run(threads, work)
    })
    .await
    .map_err(AppError::internal)
}

/// The compiled active script of a city. The database is the truth: the active version is
/// read on every call, and compiled again only when it differs from the cached one, so a
/// version published on another replica is used here from the next round on. Compiling runs
/// the script on the sample pairs, so it is a job like any other script work.
pub async fn active(db: &DatabaseConnection, scoring: &Scoring, city: &str) -> AppResult<Arc<ActiveScript>> {
    let row = active_row(db, city).await?;
    if let Some(cached) = scoring.scripts.cached(city, &row.sha256) {
        return Ok(cached);
    }
    let source = row.source.clone();
    let compiled = scoring_job(scoring, city, "compiling the active script", scoring.validation_budget, move || {
        CompiledScript::compile(&source)
    })
    .await?;
    let script = compiled.map_err(|problems| script_error(&problems))?;
    let active = Arc::new(ActiveScript { version: row.version, sha256: row.sha256, script });
    scoring.scripts.install(city, Arc::clone(&active));
    Ok(active)
}

/// A script problem met inside a job: the job's own stop (budget, request ended) when that is
/// why the call failed, else the problem. Call it on the job's thread.
pub fn job_error(problem: ScriptProblem) -> AppError {
    match scripting::job::stop_message() {
        Some(message) => AppError::Script { message, line: None, column: None },
        None => script_error(&[problem]),
    }
}

pub fn script_error(problems: &[ScriptProblem]) -> AppError {
    match problems.first() {
        Some(p) => AppError::Script { message: p.message.clone(), line: p.line, column: p.column },
        None => AppError::Script { message: "the script is not valid".into(), line: None, column: None },
    }
}

/// Runs the validation on the city's current candidates (a sample), off the async workers.
async fn run_validation(
    db: &DatabaseConnection,
    scoring: &Scoring,
    today: NaiveDate,
    city: &str,
    source: &str,
) -> AppResult<Validation> {
    let sample = candidates::load(db, city, Some(20)).await?;
    let source = source.to_owned();
    scoring_job(scoring, city, "the validation", scoring.validation_budget, move || {
        let (ns, gs) = sample.script_values(today);
        script_validate::validate(&source, Some((&ns, &gs)))
    })
    .await
}

/// `validateScoringScript`: never an error for a bad script, only a report.
pub async fn validate_source(
    db: &DatabaseConnection,
    scoring: &Scoring,
    today: NaiveDate,
    p: &Principal,
    city: &str,
    source: &str,
) -> AppResult<Validation> {
    let city = city_in_scope(db, p, city).await?;
    run_validation(db, scoring, today, &city, source).await
}

/// `publishScoringScript`: validates, stores an immutable new version and makes it active.
pub async fn publish(
    db: &DatabaseConnection,
    scoring: &Scoring,
    today: NaiveDate,
    p: &Principal,
    city: &str,
    source: &str,
    note: Option<&str>,
) -> AppResult<scoring_script::Model> {
    let city = city_in_scope(db, p, city).await?;
    let note = validate::optional_text("note", note, validate::MAX_TEXT)?;
    let report = run_validation(db, scoring, today, &city, source).await?;
    let Some(compiled) = report.compiled.filter(|_| report.problems.is_empty()) else {
        return Err(script_error(&report.problems));
    };
    let txn = begin_write(db).await?;
    let latest = scoring_script::Entity::find()
        .filter(scoring_script::Column::CitySlug.eq(city.as_str()))
        .order_by_desc(scoring_script::Column::Version)
        .one(&txn)
        .await?;
    let version = latest.map(|l| l.version + 1).unwrap_or(1);
    deactivate_all(&txn, &city).await?;
    let model = scoring_script::ActiveModel {
        id: Set(new_id()),
        city_slug: Set(city.clone()),
        version: Set(version),
        source: Set(source.to_owned()),
        sha256: Set(sha256_hex(source)),
        author_user_id: Set(Some(p.user_id.clone())),
        note: Set(note),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "script.publish",
            entity_type: "scoring_script",
            entity_id: &model.id,
            city: Some(&city),
            details: json!({ "version": version, "sha256": model.sha256 }),
        },
    )
    .await?;
    txn.commit().await?;
    scoring.scripts.install(&city, Arc::new(ActiveScript { version, sha256: model.sha256.clone(), script: compiled }));
    Ok(model)
}

async fn deactivate_all(conn: &impl ConnectionTrait, city: &str) -> AppResult<()> {
    scoring_script::Entity::update_many()
        .set(scoring_script::ActiveModel { active: Set(false), ..Default::default() })
        .filter(scoring_script::Column::CitySlug.eq(city))
        .filter(scoring_script::Column::Active.eq(true))
        .exec(conn)
        .await?;
    Ok(())
}

/// `activateScoringScript`: rolls back or forward to a stored version, after the same checks.
pub async fn activate(
    db: &DatabaseConnection,
    scoring: &Scoring,
    today: NaiveDate,
    p: &Principal,
    city: &str,
    version: i32,
) -> AppResult<scoring_script::Model> {
    let city = city_in_scope(db, p, city).await?;
    let row = scoring_script::Entity::find()
        .filter(scoring_script::Column::CitySlug.eq(city.as_str()))
        .filter(scoring_script::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input("version", format!("{city} has no scoring script version {version}")))?;
    let report = run_validation(db, scoring, today, &city, &row.source).await?;
    let Some(compiled) = report.compiled.filter(|_| report.problems.is_empty()) else {
        return Err(script_error(&report.problems));
    };
    let txn = begin_write(db).await?;
    let previous = active_row(&txn, &city).await.ok().map(|r| r.version);
    deactivate_all(&txn, &city).await?;
    let mut am: scoring_script::ActiveModel = row.clone().into();
    am.active = Set(true);
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "script.activate",
            entity_type: "scoring_script",
            entity_id: &row.id,
            city: Some(&city),
            details: json!({ "version": version, "previous": previous }),
        },
    )
    .await?;
    txn.commit().await?;
    scoring
        .scripts
        .install(&city, Arc::new(ActiveScript { version, sha256: updated.sha256.clone(), script: compiled }));
    Ok(updated)
}

/// What a candidate script would change, for `previewScoringScript`.
pub struct Preview {
    pub current_total: i64,
    pub candidate_total: i64,
    pub current_matches: usize,
    pub candidate_matches: usize,
    pub changed_newcomers: Vec<entity::newcomer::Model>,
    /// Per household whose proposal changes: its group and score before and after.
    pub changes: Vec<PreviewChange>,
}

/// One household whose proposal a candidate script changes.
#[derive(Clone)]
pub struct PreviewChange {
    pub newcomer: entity::newcomer::Model,
    /// The group and score (hundredths) under the active script, if it proposes one.
    pub before: Option<(entity::welcome_group::Model, i64)>,
    /// The same under the candidate script.
    pub after: Option<(entity::welcome_group::Model, i64)>,
}

/// Solves the city's current candidates with the active and the candidate script (exact
/// assignment, the default objective, the pairs declined before excluded — the problem a round
/// would solve now) and compares the proposals. Stores nothing.
pub async fn preview(
    db: &DatabaseConnection,
    scoring: &Scoring,
    today: NaiveDate,
    p: &Principal,
    city: &str,
    source: &str,
) -> AppResult<Preview> {
    let city = city_in_scope(db, p, city).await?;
    let report = run_validation(db, scoring, today, &city, source).await?;
    let Some(candidate) = report.compiled.filter(|_| report.problems.is_empty()) else {
        return Err(script_error(&report.problems));
    };
    let current = active(db, scoring, &city).await?;
    let inputs = crate::rounds::round_inputs(db, &city, today).await?;
    let current_script = Arc::clone(&current.script);
    let params = crate::matching::round::RoundParams { excluded: inputs.never_again.clone(), ..Default::default() };
    let cands = inputs.cands;
    let (cur, cand, cands) =
        scoring_job(scoring, &city, "the preview", scoring.scoring_budget, move || -> AppResult<_> {
            let (ns, gs) = cands.script_values(today);
            let cur = crate::matching::round::propose(&current_script, &ns, &gs, &params)?;
            let cand = crate::matching::round::propose(&candidate, &ns, &gs, &params)?;
            Ok((cur, cand, cands))
        })
        .await??;
    let pick = |proposal: &crate::matching::round::Proposal, row: usize| {
        proposal
            .pairs
            .binary_search_by_key(&row, |p| p.0)
            .ok()
            .map(|i| (cands.groups[proposal.pairs[i].1].group.clone(), proposal.pairs[i].2))
    };
    let changes: Vec<PreviewChange> = cands
        .newcomers
        .iter()
        .enumerate()
        .filter(|(row, _)| cur.assigned_col(*row) != cand.assigned_col(*row))
        .map(|(row, n)| PreviewChange { newcomer: n.clone(), before: pick(&cur, row), after: pick(&cand, row) })
        .collect();
    Ok(Preview {
        current_total: cur.total,
        candidate_total: cand.total,
        current_matches: cur.pairs.len(),
        candidate_matches: cand.pairs.len(),
        changed_newcomers: changes.iter().map(|c| c.newcomer.clone()).collect(),
        changes,
    })
}
