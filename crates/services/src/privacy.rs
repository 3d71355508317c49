//! The rights of the people in the data: erasure (`eraseNewcomer`, `eraseGroupMember`, and the
//! retention command that applies it to everyone past the retention period) and access
//! (`personalDataReport`).
//!
//! Erasure removes what identifies a person — names, contact details, notes and other free
//! text, the exact birth year (kept as the start of its five-year band) — and keeps the
//! non-identifying facts statistics need (city, gender, origin, household shape, languages,
//! goals, statuses, matches, scores, check-in outcomes). The audit log holds ids and codes only,
//! so it needs no change. On SQLite, `secure_delete` zeroes freed space and a checkpoint
//! truncates the write-ahead log, so the old values are gone from the files; on PostgreSQL a
//! VACUUM of the touched tables removes the dead row versions.

use chrono::Datelike;
use chrono::{NaiveDate, Utc};
use entity::{
    GroupStatus, MatchStatus, NewcomerStatus, activity_log, audit_log, check_in, group_member, matches, newcomer,
    welcome_group,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Set, Statement,
};
use serde_json::{Value, json};

use crate::db::begin_write;
use crate::matches::LIVE;
use crate::{audit, groups, newcomers};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use domain::policy::Principal;

/// What an erased name reads as.
pub const ERASED: &str = "(erased)";

/// The start of the five-year band of a birth year: what erasure keeps of it.
fn coarse_birth_year(year: i32) -> i32 {
    year - year.rem_euclid(5)
}

/// The first day of `d`'s month: erasure keeps months, not days.
fn month_of(d: chrono::NaiveDate) -> chrono::NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The start of `t`'s month (UTC).
fn month_start(t: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    month_of(t.date_naive()).and_hms_opt(0, 0, 0).map(|dt| dt.and_utc()).unwrap_or(t)
}

/// A child's age as the lower bound of its five-year band (0, 5, 10, 15): erasure keeps
/// bands, not exact ages.
fn age_band(age: i32) -> i32 {
    age - age.rem_euclid(5)
}

/// Why a record is erased: by a staff member, or by the retention command.
#[derive(Clone, Copy)]
pub enum Cause<'a> {
    Request(&'a Principal),
    Retention { months: u32 },
}

impl Cause<'_> {
    fn actor(&self) -> Option<&Principal> {
        match self {
            Cause::Request(p) => Some(p),
            Cause::Retention { .. } => None,
        }
    }
}

/// Erases the personal data of newcomer `id`. Refused (CONFLICT) while the household is in a
/// proposed or active match: reject or end the match first. Erasing twice is harmless.
pub async fn erase_newcomer(db: &DatabaseConnection, cause: Cause<'_>, id: &str) -> AppResult<()> {
    erase_newcomer_rows(db, cause, id).await?;
    scrub(db).await;
    Ok(())
}

/// The erasure of one household in the database, without scrubbing the files (a retention run
/// scrubs once at its end, not once a person).
async fn erase_newcomer_rows(db: &DatabaseConnection, cause: Cause<'_>, id: &str) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let n = match cause {
        Cause::Request(p) => newcomers::find_scoped(&txn, p, Op::PersonalData, id).await?,
        Cause::Retention { .. } => {
            newcomer::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound("newcomer"))?
        }
    };
    if n.erased_at.is_some() {
        return Ok(());
    }
    let own_matches = matches::Entity::find().filter(matches::Column::NewcomerId.eq(n.id.as_str())).all(&txn).await?;
    if let Some(live) = own_matches.iter().find(|m| LIVE.contains(&m.status)) {
        return Err(AppError::conflict(format!(
            "the household is in a {} match ({}); reject or end it before erasing",
            live.status.to_value(),
            live.id
        )));
    }
    let now = Utc::now();
    let status = if n.status == NewcomerStatus::Waiting { NewcomerStatus::Withdrawn } else { n.status };
    newcomer::ActiveModel {
        id: Set(n.id.clone()),
        name: Set(ERASED.to_owned()),
        preferred_name: Set(ERASED.to_owned()),
        email: Set(None),
        phone: Set(None),
        birth_year: Set(coarse_birth_year(n.birth_year)),
        arrival_date: Set(month_of(n.arrival_date)),
        consent_date: Set(n.consent_date.map(month_of)),
        children_ages: Set(entity::IntList(n.children_ages.0.iter().copied().map(age_band).collect())),
        waiting_since: Set(month_start(n.waiting_since)),
        created_at: Set(month_start(n.created_at)),
        education: Set(None),
        neighbourhood: Set(None),
        needs: Set(None),
        status: Set(status),
        status_reason: Set(None),
        idempotency_key: Set(None),
        idempotency_fingerprint: Set(None),
        // The baseline is the household's own well-being and circumstances: not kept once erased.
        baseline_network_size: Set(None),
        baseline_work_status: Set(None),
        baseline_dutch_level: Set(None),
        baseline_wellbeing: Set(None),
        baseline_recorded_on: Set(None),
        erased_at: Set(Some(now)),
        version: Set(n.version + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let match_ids: Vec<String> = own_matches.iter().map(|m| m.id.clone()).collect();
    // The household's key and its matches' keys: every sealed copy of its name, contact
    // details and the year's free text, wherever the database left one, is unreadable now.
    let mut subjects = match_ids.clone();
    subjects.push(n.id.clone());
    crate::sealed::shred(&txn, subjects).await?;
    // What rounds' scripts read of the household, kept for research: personal data.
    entity::round_feature::Entity::delete_many()
        .filter(entity::round_feature::Column::EntityId.eq(n.id.as_str()))
        .exec(&txn)
        .await?;
    if !match_ids.is_empty() {
        // Free text written about the year together is about this household too.
        matches::Entity::update_many()
            .col_expr(matches::Column::EndReason, Expr::value(Option::<String>::None))
            .filter(matches::Column::Id.is_in(match_ids.clone()))
            .exec(&txn)
            .await?;
        activity_log::Entity::update_many()
            .col_expr(activity_log::Column::Notes, Expr::value(Option::<String>::None))
            .filter(activity_log::Column::MatchId.is_in(match_ids.clone()))
            .exec(&txn)
            .await?;
        check_in::Entity::update_many()
            .col_expr(check_in::Column::Notes, Expr::value(Option::<String>::None))
            .filter(check_in::Column::MatchId.is_in(match_ids.clone()))
            .exec(&txn)
            .await?;
        entity::household_check_in::Entity::update_many()
            .col_expr(entity::household_check_in::Column::Notes, Expr::value(Option::<String>::None))
            .filter(entity::household_check_in::Column::MatchId.is_in(match_ids.clone()))
            .exec(&txn)
            .await?;
    }
    let (action, details) = match cause {
        Cause::Request(_) => ("newcomer.erase", json!({ "matches": match_ids.len() })),
        Cause::Retention { months } => {
            ("retention.erase", json!({ "matches": match_ids.len(), "retentionMonths": months }))
        }
    };
    audit::record(
        &txn,
        cause.actor(),
        audit::Entry { action, entity_type: "newcomer", entity_id: &n.id, city: Some(&n.city_slug), details },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Erases the personal data of group member `id` (name, contact details, exact birth year,
/// certificate-of-conduct date); the member stays counted in the group.
pub async fn erase_member(db: &DatabaseConnection, cause: Cause<'_>, id: &str) -> AppResult<()> {
    erase_member_rows(db, cause, id).await?;
    scrub(db).await;
    Ok(())
}

async fn erase_member_rows(db: &DatabaseConnection, cause: Cause<'_>, id: &str) -> AppResult<()> {
    // The role decides first: a role that may not erase learns nothing about ids.
    if let Cause::Request(p) = cause {
        p.scope_for(Op::PersonalData)?;
    }
    let txn = begin_write(db).await?;
    let member =
        group_member::Entity::find_by_id(id.trim()).one(&txn).await?.ok_or(AppError::NotFound("group member"))?;
    let group = match cause {
        Cause::Request(p) => groups::find_scoped_locked(&txn, p, Op::PersonalData, &member.group_id)
            .await
            .map_err(|e| if matches!(e, AppError::NotFound(_)) { AppError::NotFound("group member") } else { e })?,
        Cause::Retention { .. } => welcome_group::Entity::find_by_id(member.group_id.as_str())
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound("welcome group"))?,
    };
    if member.erased_at.is_some() {
        return Ok(());
    }
    group_member::ActiveModel {
        id: Set(member.id.clone()),
        name: Set(ERASED.to_owned()),
        email: Set(String::new()),
        email_index: Set(String::new()),
        phone: Set(None),
        birth_year: Set(coarse_birth_year(member.birth_year)),
        vog_received_on: Set(None),
        created_at: Set(month_start(member.created_at)),
        erased_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    crate::sealed::shred(&txn, vec![member.id.clone()]).await?;
    // The group's features kept with rounds hold this member's languages and interests among
    // the others': they go with the member.
    entity::round_feature::Entity::delete_many()
        .filter(entity::round_feature::Column::EntityId.eq(member.group_id.as_str()))
        .exec(&txn)
        .await?;
    let (action, details) = match cause {
        Cause::Request(_) => ("group.member.erase", json!({ "groupId": group.id })),
        Cause::Retention { months } => ("retention.erase", json!({ "groupId": group.id, "retentionMonths": months })),
    };
    audit::record(
        &txn,
        cause.actor(),
        audit::Entry {
            action,
            entity_type: "group_member",
            entity_id: &member.id,
            city: Some(&group.city_slug),
            details,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes the old row versions from the database files after an erasure. A failure is
/// logged, not returned: the erasure itself has committed, and the next erasure (or the
/// database's own checkpointing and autovacuum) finishes the job.
async fn scrub(db: &DatabaseConnection) {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            // A checkpoint cannot truncate while another connection reads an older snapshot;
            // such reads are short, so retry briefly.
            for attempt in 0..20 {
                let row = db
                    .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(TRUNCATE)"))
                    .await;
                match row {
                    Ok(Some(r)) if r.try_get_by_index::<i32>(0).unwrap_or(1) == 0 => return,
                    Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(25 * (attempt + 1))).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "checkpoint after erasure failed");
                        return;
                    }
                }
            }
            tracing::warn!(
                "checkpoint after erasure stayed busy; the write-ahead log is truncated at the next checkpoint"
            );
        }
        _ => {
            crate::sealed::scrub_keys(db).await;
            let sql = "VACUUM newcomers, group_members, matches, activity_logs, check_ins, household_check_ins";
            if let Err(e) = db.execute_unprepared(sql).await {
                tracing::warn!(error = %e, "VACUUM after erasure failed; autovacuum removes the old row versions later");
            }
        }
    }
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

/// Everything held about newcomer `id`, as one JSON document (a subject-access request).
pub async fn personal_data_report(
    db: &DatabaseConnection,
    vault: &crate::sealed::Vault,
    p: &Principal,
    id: &str,
) -> AppResult<Value> {
    let n = newcomers::find_scoped(db, p, Op::PersonalData, id).await?;
    let own_matches = matches::Entity::find()
        .filter(matches::Column::NewcomerId.eq(n.id.as_str()))
        .order_by_asc(matches::Column::Id)
        .all(db)
        .await?;
    let match_ids: Vec<String> = own_matches.iter().map(|m| m.id.clone()).collect();
    let activities = activity_log::Entity::find()
        .filter(activity_log::Column::MatchId.is_in(match_ids.clone()))
        .order_by_asc(activity_log::Column::Id)
        .all(db)
        .await?;
    let check_ins = check_in::Entity::find()
        .filter(check_in::Column::MatchId.is_in(match_ids.clone()))
        .order_by_asc(check_in::Column::Id)
        .all(db)
        .await?;
    let household_check_ins = entity::household_check_in::Entity::find()
        .filter(entity::household_check_in::Column::MatchId.is_in(match_ids.clone()))
        .order_by_asc(entity::household_check_in::Column::Id)
        .all(db)
        .await?;
    let mut about = match_ids.clone();
    about.push(n.id.clone());
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.is_in(about))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?;
    let mut subjects = match_ids.clone();
    subjects.push(n.id.clone());
    let keys = vault.keys(db, &subjects).await?;
    let nk = keys.get(&n.id);
    let open = |key: Option<&crate::sealed::DataKey>, column, row: &str, stored: Option<&str>| {
        crate::sealed::open(key, column, row, stored)
    };
    use crate::sealed as s;
    let name = open(nk, s::NEWCOMER_NAME, &n.id, Some(&n.name))?;
    let preferred_name = open(nk, s::NEWCOMER_PREFERRED_NAME, &n.id, Some(&n.preferred_name))?;
    let email = open(nk, s::NEWCOMER_EMAIL, &n.id, n.email.as_deref())?;
    let phone = open(nk, s::NEWCOMER_PHONE, &n.id, n.phone.as_deref())?;
    let education = open(nk, s::NEWCOMER_EDUCATION, &n.id, n.education.as_deref())?;
    let needs = open(nk, s::NEWCOMER_NEEDS, &n.id, n.needs.as_deref())?;
    let status_reason = open(nk, s::NEWCOMER_STATUS_REASON, &n.id, n.status_reason.as_deref())?;
    let mut end_reasons = std::collections::HashMap::new();
    let mut override_reasons = std::collections::HashMap::new();
    for m in &own_matches {
        end_reasons.insert(m.id.clone(), open(keys.get(&m.id), s::MATCH_END_REASON, &m.id, m.end_reason.as_deref())?);
        override_reasons.insert(
            m.id.clone(),
            open(keys.get(&m.id), s::MATCH_OVERRIDE_REASON, &m.id, m.override_reason.as_deref())?,
        );
    }
    let mut activity_notes = std::collections::HashMap::new();
    for a in &activities {
        activity_notes.insert(a.id.clone(), open(keys.get(&a.match_id), s::ACTIVITY_NOTES, &a.id, a.notes.as_deref())?);
    }
    let mut check_in_notes = std::collections::HashMap::new();
    for c in &check_ins {
        check_in_notes.insert(c.id.clone(), open(keys.get(&c.match_id), s::CHECK_IN_NOTES, &c.id, c.notes.as_deref())?);
    }
    let mut household_notes = std::collections::HashMap::new();
    for c in &household_check_ins {
        let notes = open(keys.get(&c.match_id), s::HOUSEHOLD_CHECK_IN_NOTES, &c.id, c.notes.as_deref())?;
        household_notes.insert(c.id.clone(), notes);
    }
    let reads = entity::contact_read::Entity::find()
        .filter(entity::contact_read::Column::EntityId.eq(n.id.as_str()))
        .order_by_asc(entity::contact_read::Column::Id)
        .all(db)
        .await?;
    let languages: Vec<Value> = n.languages.0.iter().map(|l| json!({ "code": l.code, "level": l.level })).collect();
    let report = json!({
        "generatedAt": Utc::now().to_rfc3339(),
        "newcomer": {
            "id": n.id, "city": n.city_slug, "name": name, "preferredName": preferred_name,
            "email": email, "phone": phone, "birthYear": n.birth_year, "gender": n.gender.to_value(),
            "countryOfOrigin": n.country_of_origin, "languages": languages, "dutchLevel": n.dutch_level.to_value(),
            "interests": n.interests.0, "sector": n.sector, "education": education, "goals": n.goals.0,
            "householdAdults": n.household_adults, "childrenAges": n.children_ages.0,
            "arrivalDate": n.arrival_date.to_string(), "neighbourhood": n.neighbourhood, "needs": needs,
            "shareContactWithGroup": n.share_contact_with_group,
            "consent": { "date": date(n.consent_date), "privacyNoticeVersion": n.privacy_notice_version },
            "status": n.status.to_value(), "statusReason": status_reason,
            "waitingSince": n.waiting_since.to_rfc3339(), "erasedAt": n.erased_at.map(|t| t.to_rfc3339()),
            "createdAt": n.created_at.to_rfc3339(), "updatedAt": n.updated_at.to_rfc3339(),
            "baseline": {
                "networkSize": n.baseline_network_size, "workStatus": n.baseline_work_status,
                "dutchLevel": n.baseline_dutch_level.map(|l| l.to_value()), "wellbeing": n.baseline_wellbeing,
                "recordedOn": date(n.baseline_recorded_on),
            },
        },
        "matches": own_matches.iter().map(|m| json!({
            "id": m.id, "groupId": m.group_id, "runId": m.run_id, "status": m.status.to_value(),
            "score": m.score as f64 / 100.0, "explanation": m.explanation,
            "introductionDate": date(m.introduction_date), "startDate": date(m.start_date),
            "plannedEndDate": date(m.planned_end_date), "endDate": date(m.end_date),
            "endReasonCode": m.end_reason_code, "endReason": end_reasons.get(&m.id), "startDutchLevel": m.start_dutch_level,
            "overrideReason": override_reasons.get(&m.id),
            "createdAt": m.created_at.to_rfc3339(),
        })).collect::<Vec<_>>(),
        "activities": activities.iter().map(|a| json!({
            "id": a.id, "matchId": a.match_id, "date": a.date.to_string(), "kind": a.kind,
            "durationMinutes": a.duration_minutes, "participants": a.participants, "notes": activity_notes.get(&a.id),
        })).collect::<Vec<_>>(),
        "checkIns": check_ins.iter().map(|c| json!({
            "id": c.id, "matchId": c.match_id, "month": c.month, "newcomerSatisfaction": c.newcomer_satisfaction,
            "groupSatisfaction": c.group_satisfaction, "dutchLevel": c.dutch_level, "workStatus": c.work_status,
            "networkSize": c.network_size, "notes": check_in_notes.get(&c.id), "recordedAt": c.created_at.to_rfc3339(),
        })).collect::<Vec<_>>(),
        "householdCheckIns": household_check_ins.iter().map(|c| json!({
            "id": c.id, "matchId": c.match_id, "month": c.month, "satisfaction": c.satisfaction,
            "wellbeing": c.wellbeing, "dutchLevel": c.dutch_level, "workStatus": c.work_status,
            "networkSize": c.network_size, "notes": household_notes.get(&c.id), "recordedAt": c.created_at.to_rfc3339(),
        })).collect::<Vec<_>>(),
        "contactReads": reads.iter().map(|r| json!({
            "day": r.day.to_string(), "actorUserId": r.actor_user_id, "actorRole": r.actor_role,
            "fields": crate::audit::field_names(r.fields), "reads": r.reads,
            "firstAt": r.first_at.to_rfc3339(), "lastAt": r.last_at.to_rfc3339(),
        })).collect::<Vec<_>>(),
        "auditLog": entries.iter().map(|e| json!({
            "at": e.at.to_rfc3339(), "action": e.action, "entityType": e.entity_type, "entityId": e.entity_id,
            "actorUserId": e.actor_user_id, "actorRole": e.actor_role, "details": e.details,
        })).collect::<Vec<_>>(),
    });
    audit::record(db, Some(p), audit::Entry {
        action: "newcomer.personal_data_report",
        entity_type: "newcomer",
        entity_id: &n.id,
        city: Some(&n.city_slug),
        details: json!({ "matches": own_matches.len(), "activities": activities.len(), "checkIns": check_ins.len() }),
    })
    .await?;
    Ok(report)
}

/// One record the retention command erases (or would, in a dry run).
#[derive(Clone, Debug, serde::Serialize)]
pub struct RetentionCandidate {
    /// "newcomer" or "group_member".
    pub kind: &'static str,
    pub id: String,
    pub city: String,
    pub reason: String,
}

/// Everyone past the retention period of `months` months on `today`: households whose match
/// ended before the cut-off, households withdrawn or never matched with no change since, and
/// the members of withdrawn (dissolved) or completed groups with no change since. Never anyone
/// in a proposed or active match.
pub async fn retention_candidates(
    db: &DatabaseConnection,
    months: u32,
    today: NaiveDate,
) -> AppResult<Vec<RetentionCandidate>> {
    let cutoff_date = today.checked_sub_months(chrono::Months::new(months)).unwrap_or(today);
    let cutoff = domain::time::local_midnight(cutoff_date);
    let mut out = Vec::new();
    let idle = newcomer::Entity::find()
        .filter(newcomer::Column::ErasedAt.is_null())
        .filter(newcomer::Column::UpdatedAt.lt(cutoff))
        .filter(newcomer::Column::Status.is_in([
            NewcomerStatus::Waiting,
            NewcomerStatus::Withdrawn,
            NewcomerStatus::Completed,
        ]))
        .order_by_asc(newcomer::Column::Id)
        .all(db)
        .await?;
    // The matches of every idle household, 500 households a query.
    let mut by_newcomer: std::collections::HashMap<String, Vec<matches::Model>> = std::collections::HashMap::new();
    for chunk in idle.chunks(crate::db::IN_LIST_CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|n| n.id.clone()).collect();
        for m in matches::Entity::find().filter(matches::Column::NewcomerId.is_in(ids)).all(db).await? {
            by_newcomer.entry(m.newcomer_id.clone()).or_default().push(m);
        }
    }
    for n in idle {
        let own = by_newcomer.remove(&n.id).unwrap_or_default();
        if own.iter().any(|m| LIVE.contains(&m.status)) {
            continue;
        }
        // A proposal, a decline or an end since the cut-off is activity too, though it left
        // the household's own row untouched.
        if own.iter().any(|m| m.updated_at >= cutoff) {
            continue;
        }
        let last_end = own.iter().filter(|m| m.start_date.is_some()).filter_map(|m| m.end_date).max();
        let reason = match (n.status, last_end) {
            (_, Some(end)) if end >= cutoff_date => continue,
            (NewcomerStatus::Withdrawn, _) => format!("withdrawn; no change since {}", n.updated_at.date_naive()),
            (_, Some(end)) => format!("match ended on {end}"),
            (NewcomerStatus::Waiting, None) => format!("never matched; no change since {}", n.updated_at.date_naive()),
            (_, None) => format!("no change since {}", n.updated_at.date_naive()),
        };
        out.push(RetentionCandidate { kind: "newcomer", id: n.id, city: n.city_slug, reason });
    }
    let dissolved = welcome_group::Entity::find()
        .filter(welcome_group::Column::Status.is_in([GroupStatus::Withdrawn, GroupStatus::Completed]))
        .filter(welcome_group::Column::UpdatedAt.lt(cutoff))
        .order_by_asc(welcome_group::Column::Id)
        .all(db)
        .await?;
    for g in dissolved {
        let live = matches::Entity::find()
            .filter(matches::Column::GroupId.eq(g.id.as_str()))
            .filter(matches::Column::Status.is_in([MatchStatus::Proposed, MatchStatus::Active]))
            .one(db)
            .await?;
        if live.is_some() {
            continue;
        }
        let members = group_member::Entity::find()
            .filter(group_member::Column::GroupId.eq(g.id.as_str()))
            .filter(group_member::Column::ErasedAt.is_null())
            .order_by_asc(group_member::Column::Id)
            .all(db)
            .await?;
        let status = groups::status_code(g.status);
        for m in members {
            out.push(RetentionCandidate {
                kind: "group_member",
                id: m.id,
                city: g.city_slug.clone(),
                reason: format!("group {status}; no change since {}", g.updated_at.date_naive()),
            });
        }
    }
    Ok(out)
}

/// What a retention run did to one person.
#[derive(Debug, serde::Serialize)]
pub struct RetentionOutcome {
    #[serde(flatten)]
    pub candidate: RetentionCandidate,
    /// "erased", "would erase" (dry run) or "failed".
    pub outcome: &'static str,
    /// Why it failed (a public message; the detail is in the log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Erases every retention candidate (unless `dry_run`) and reports each. A person whose
/// erasure fails is reported and the run goes on; the database files are scrubbed once, at
/// the end (not once a person: each scrub costs the size of the tables).
pub async fn apply_retention(
    db: &DatabaseConnection,
    months: u32,
    today: NaiveDate,
    dry_run: bool,
) -> AppResult<Vec<RetentionOutcome>> {
    let candidates = retention_candidates(db, months, today).await?;
    let mut out = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        if dry_run {
            out.push(RetentionOutcome { candidate, outcome: "would erase", error: None });
            continue;
        }
        let cause = Cause::Retention { months };
        let result = match candidate.kind {
            "newcomer" => erase_newcomer_rows(db, cause, &candidate.id).await,
            _ => erase_member_rows(db, cause, &candidate.id).await,
        };
        let (outcome, error) = match result {
            Ok(()) => ("erased", None),
            Err(e) => {
                if let AppError::Internal(inner) = &e {
                    tracing::error!(id = %candidate.id, error = %format!("{inner:#}"), "retention: erasure failed");
                }
                ("failed", Some(e.public_message("-")))
            }
        };
        out.push(RetentionOutcome { candidate, outcome, error });
    }
    if !dry_run && out.iter().any(|o| o.outcome == "erased") {
        scrub(db).await;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_years_keep_their_band() {
        assert_eq!(coarse_birth_year(1987), 1985);
        assert_eq!(coarse_birth_year(1990), 1990);
    }
}
