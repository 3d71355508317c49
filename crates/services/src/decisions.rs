//! Staff decisions on matches: accept (both sides agreed), reject, propose one pair by hand,
//! and recommendations for matching by hand. Reading matches for staff and coordinators.

use chrono::{Months, NaiveDate, Utc};
use entity::{GroupStatus, MatchStatus, NewcomerStatus, RunStatus, matches, matching_run, newcomer, welcome_group};
use sea_orm::DatabaseConnection;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;

use crate::db::begin_write;
use crate::matches::WithOverride;
use crate::page::{self, Page, PageArgs};
use crate::script_values as values;
use crate::scripts::Scoring;
use domain::values::{DecisionSide, DeclineReason};

/// The pause after a decline for timing where a city set none.
pub const DEFAULT_DECLINE_PAUSE_DAYS: i32 = 90;
/// Days after its last confirmation before a WAITING household must confirm again, where a
/// city set no other period.
pub const DEFAULT_RECONFIRM_AFTER_DAYS: i32 = 90;
/// The longest reason staff give for an override.
pub const MAX_OVERRIDE_REASON: usize = 500;

/// Staff's reason for an override, validated (`field` names it in errors); `None` when absent
/// or blank.
pub fn override_reason(field: &str, reason: Option<&str>) -> AppResult<Option<String>> {
    match reason {
        Some(r) if !r.trim().is_empty() => Ok(Some(validate::required_text(field, r, MAX_OVERRIDE_REASON)?)),
        _ => Ok(None),
    }
}

/// The explanation part that marks a pair staff proposed or locked against the script's
/// eligibility; worth no points, so the parts still sum to the score.
pub const OVERRIDE_PART: &str = "override";
use crate::sealed::{self, Vault};
use crate::{audit, candidates, new_id, rounds, scripts};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use domain::policy::{Principal, Scope};
use domain::validate;
use scripting::Eligibility;

fn scope_condition(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::City(c) => Condition::all().add(matches::Column::CitySlug.eq(c.as_str())),
        Scope::Group { group_id, .. } => Condition::all().add(matches::Column::GroupId.eq(group_id.as_str())),
        Scope::Supported { city, of } => Condition::all()
            .add(matches::Column::CitySlug.eq(city.as_str()))
            .add(matches::Column::Id.is_in(of.matches.iter().map(String::as_str))),
    }
}

/// Whether match `m` is within `scope` (the same rule as `scope_condition`, for a match that
/// was loaded already).
pub fn in_scope(scope: &Scope, m: &matches::Model) -> bool {
    match scope {
        Scope::All => true,
        Scope::City(c) => m.city_slug == *c,
        Scope::Group { group_id, .. } => m.group_id == *group_id,
        Scope::Supported { city, of } => m.city_slug == *city && of.matches.contains(&m.id),
    }
}

/// Filters for listing matches.
#[derive(Default)]
pub struct MatchFilter {
    pub city: Option<String>,
    pub status: Option<MatchStatus>,
}

pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    filter: MatchFilter,
    args: &PageArgs,
) -> AppResult<Page<matches::Model>> {
    let scope = p.scope_for(Op::ReadMatches)?;
    let mut q = matches::Entity::find().filter(scope_condition(&scope));
    if let Some(c) = filter.city {
        q = q.filter(matches::Column::CitySlug.eq(scope.city_filter(&c)?));
    }
    if let Some(s) = filter.status {
        q = q.filter(matches::Column::Status.eq(s));
    }
    page::fetch(db, q, matches::Column::Id, args).await
}

/// A match within the caller's scope for `op`; NOT_FOUND otherwise.
pub async fn find_scoped(conn: &impl ConnectionTrait, p: &Principal, op: Op, id: &str) -> AppResult<matches::Model> {
    let scope = p.scope_for(op)?;
    matches::Entity::find_by_id(id.trim())
        .filter(scope_condition(&scope))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("match"))
}

/// The live (proposed or active) match of a newcomer or a group, if the caller may read it.
pub async fn live_match_of(
    db: &DatabaseConnection,
    p: &Principal,
    newcomer_id: Option<&str>,
    group_id: Option<&str>,
) -> AppResult<Option<matches::Model>> {
    let scope = p.scope_for(Op::ReadMatches)?;
    let mut q = matches::Entity::find()
        .filter(scope_condition(&scope))
        .filter(matches::Column::Status.is_in(crate::matches::LIVE));
    if let Some(n) = newcomer_id {
        q = q.filter(matches::Column::NewcomerId.eq(n));
    }
    if let Some(g) = group_id {
        q = q.filter(matches::Column::GroupId.eq(g));
    }
    Ok(q.one(db).await?)
}

/// The live match of a newcomer or group, whoever asks (for internal rules).
pub async fn live_match_any(
    conn: &impl ConnectionTrait,
    newcomer_id: Option<&str>,
    group_id: Option<&str>,
) -> AppResult<Option<matches::Model>> {
    let mut q = matches::Entity::find().filter(matches::Column::Status.is_in(crate::matches::LIVE));
    if let Some(n) = newcomer_id {
        q = q.filter(matches::Column::NewcomerId.eq(n));
    }
    if let Some(g) = group_id {
        q = q.filter(matches::Column::GroupId.eq(g));
    }
    Ok(q.one(conn).await?)
}

/// Marks a run DECIDED once none of its matches is PROPOSED.
pub async fn settle_run(conn: &impl ConnectionTrait, run_id: Option<&str>) -> AppResult<()> {
    let Some(run_id) = run_id else { return Ok(()) };
    // Two last decisions of a run at once: each must see the other's, so the second waits for
    // the first here and counts after it committed.
    crate::locks::run(conn, run_id).await?;
    let open = matches::Entity::find()
        .filter(matches::Column::RunId.eq(run_id))
        .filter(matches::Column::Status.eq(MatchStatus::Proposed))
        .count(conn)
        .await?;
    if open == 0 {
        matching_run::Entity::update_many()
            .set(matching_run::ActiveModel { status: Set(RunStatus::Decided), ..Default::default() })
            .filter(matching_run::Column::Id.eq(run_id))
            .filter(matching_run::Column::Status.eq(RunStatus::Proposed))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Rejects the PROPOSED matches of a newcomer or group that is leaving (withdrawn), so the
/// other side becomes a candidate again.
/// The caller must hold the lock of the side that leaves (see `locks`).
pub async fn cancel_proposals(
    conn: &impl ConnectionTrait,
    vault: &Vault,
    actor: Option<&Principal>,
    newcomer_id: Option<&str>,
    group_id: Option<&str>,
    reason: &str,
) -> AppResult<()> {
    let mut q = matches::Entity::find().filter(matches::Column::Status.eq(MatchStatus::Proposed));
    if let Some(n) = newcomer_id {
        q = q.filter(matches::Column::NewcomerId.eq(n));
    }
    if let Some(g) = group_id {
        q = q.filter(matches::Column::GroupId.eq(g));
    }
    for m in q.all(conn).await? {
        if let Some(run_id) = &m.run_id {
            crate::locks::run(conn, run_id).await?;
        }
        // Only if it is still PROPOSED, in the statement that changes it: a decision that
        // committed meanwhile (an accept) is never overwritten.
        let sealed_reason = vault.key_for(conn, &m.id).await?.seal(sealed::MATCH_END_REASON, &m.id, reason)?;
        let moved = matches::Entity::update_many()
            .col_expr(matches::Column::Status, Expr::value(MatchStatus::Rejected))
            .col_expr(matches::Column::EndReason, Expr::value(Some(sealed_reason)))
            .col_expr(matches::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(matches::Column::Id.eq(m.id.as_str()))
            .filter(matches::Column::Status.eq(MatchStatus::Proposed))
            .exec(conn)
            .await?
            .rows_affected;
        if moved == 1 {
            audit::record(
                conn,
                actor,
                audit::Entry {
                    action: "match.cancel",
                    entity_type: "match",
                    entity_id: &m.id,
                    city: Some(&m.city_slug),
                    details: json!({ "from": "PROPOSED", "to": "REJECTED" }),
                },
            )
            .await?;
            settle_run(conn, m.run_id.as_deref()).await?;
        }
    }
    Ok(())
}

fn proposed_only(m: &matches::Model) -> AppResult<()> {
    if m.status != MatchStatus::Proposed {
        return Err(AppError::conflict(format!(
            "only a PROPOSED match can be decided; this one is {}",
            crate::matches::status_code(m.status)
        )));
    }
    Ok(())
}

/// `acceptMatch`: both sides agreed. PROPOSED → ACTIVE, the twelve months start today;
/// newcomer and group MATCHED.
pub async fn accept(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    introduction: Option<NaiveDate>,
) -> AppResult<matches::Model> {
    let introduction = introduction.map(|d| validate::past_date("introductionDate", d, today)).transpose()?;
    let txn = begin_write(db).await?;
    let m = find_scoped(&txn, p, Op::DecideMatches, id).await?;
    // Both sides' rows first (a withdrawal racing this accept waits, then sees it), then the
    // match, claimed by its status.
    let (n, g) = crate::locks::decision(&txn, &m).await?;
    proposed_only(&m)?;
    if n.status != NewcomerStatus::Waiting {
        return Err(AppError::conflict("the newcomer is no longer WAITING"));
    }
    if g.status != GroupStatus::Ready {
        return Err(AppError::conflict("the group is no longer READY"));
    }
    let planned_end = today
        .checked_add_months(Months::new(12))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("date overflow")))?;
    let now = Utc::now();
    crate::matches::claim(&txn, &m.id, MatchStatus::Proposed, MatchStatus::Active).await?;
    let mut am: matches::ActiveModel = m.clone().into();
    am.status = Set(MatchStatus::Active);
    am.introduction_date = Set(introduction);
    am.start_date = Set(Some(today));
    am.planned_end_date = Set(Some(planned_end));
    am.decided_by = Set(Some(p.user_id.clone()));
    am.start_dutch_level = Set(Some(n.dutch_level));
    am.updated_at = Set(now);
    let updated = am.update(&txn).await?;
    newcomer::Entity::update_many()
        .set(newcomer::ActiveModel {
            status: Set(NewcomerStatus::Matched),
            version: Set(n.version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(newcomer::Column::Id.eq(n.id.as_str()))
        .exec(&txn)
        .await?;
    welcome_group::Entity::update_many()
        .set(welcome_group::ActiveModel {
            status: Set(GroupStatus::Matched),
            version: Set(g.version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(welcome_group::Column::Id.eq(g.id.as_str()))
        .exec(&txn)
        .await?;
    settle_run(&txn, m.run_id.as_deref()).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "match.accept",
            entity_type: "match",
            entity_id: &m.id,
            city: Some(&m.city_slug),
            details: json!({ "from": "PROPOSED", "to": "ACTIVE", "newcomerId": n.id, "groupId": g.id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// `rejectMatch`: either side declined. PROPOSED → REJECTED; both sides are candidates again;
/// the pair is not proposed again — after a decline for the moment (timing, temporarily
/// unavailable) not before the city's pause has passed, after any other decline never.
/// What a decline says: who declined, why (coded), and the words.
#[derive(Clone, Debug)]
pub struct Decline {
    pub side: DecisionSide,
    pub code: DeclineReason,
    /// Staff's words (1-2000 characters; personal data, sealed).
    pub reason: String,
}

pub async fn reject(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    decline: Decline,
) -> AppResult<matches::Model> {
    let reason = validate::required_text("reason", &decline.reason, validate::MAX_TEXT)?;
    let txn = begin_write(db).await?;
    let m = find_scoped(&txn, p, Op::DecideMatches, id).await?;
    crate::locks::decision(&txn, &m).await?;
    proposed_only(&m)?;
    crate::matches::claim(&txn, &m.id, MatchStatus::Proposed, MatchStatus::Rejected).await?;
    let mut am: matches::ActiveModel = m.clone().into();
    am.status = Set(MatchStatus::Rejected);
    am.end_reason = Set(Some(vault.key_for(&txn, &m.id).await?.seal(sealed::MATCH_END_REASON, &m.id, &reason)?));
    am.decided_by = Set(Some(p.user_id.clone()));
    am.decided_side = Set(Some(decline.side.code().to_owned()));
    am.decline_code = Set(Some(decline.code.code().to_owned()));
    // A decline for the moment lets the pair back in after the city's pause; any other never.
    am.proposable_again_on = Set(if decline.code.allows_reproposal() {
        let pause = entity::city::Entity::find_by_id(m.city_slug.as_str())
            .one(&txn)
            .await?
            .map(|c| c.decline_pause_days)
            .unwrap_or(DEFAULT_DECLINE_PAUSE_DAYS);
        today.checked_add_days(chrono::Days::new(pause.max(0) as u64))
    } else {
        None
    });
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    settle_run(&txn, m.run_id.as_deref()).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "match.reject",
            entity_type: "match",
            entity_id: &m.id,
            city: Some(&m.city_slug),
            details: json!({
                "from": "PROPOSED", "to": "REJECTED", "side": decline.side.code(), "reasonCode": decline.code.code(),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// One group as a recommendation for a newcomer.
pub struct Recommendation {
    pub group: welcome_group::Model,
    pub eligible: bool,
    pub reason: Option<String>,
    pub score: i64,
    pub parts: Vec<(String, i64)>,
}

/// `recommendations`: the best groups for one WAITING newcomer, eligible ones first, by score.
pub async fn recommendations(
    db: &DatabaseConnection,
    scoring: &Scoring,
    today: NaiveDate,
    p: &Principal,
    newcomer_id: &str,
    limit: i32,
) -> AppResult<Vec<Recommendation>> {
    let limit = validate::int_range("limit", limit, 1, 50)? as usize;
    let scope = p.scope_for(Op::DecideMatches)?;
    let n = newcomer::Entity::find_by_id(newcomer_id.trim()).one(db).await?;
    let n = match n {
        Some(n) if scope.covers_city(&n.city_slug) => n,
        _ => return Err(AppError::NotFound("newcomer")),
    };
    if n.status != NewcomerStatus::Waiting {
        return Err(AppError::conflict("recommendations are for WAITING newcomers; this one is not"));
    }
    let active = scripts::active(db, scoring, &n.city_slug).await?;
    // The same inputs a round of the city would start from.
    let rounds::RoundInputs { cands, repeats, .. } = rounds::round_inputs(db, &n.city_slug, today).await?;
    if cands.reconfirmation_due.contains(&n.id) {
        return Err(AppError::conflict(
            "the household's re-confirmation is due (its last confirmation is older than the city's reconfirmAfterDays); record confirmStillWaiting first",
        ));
    }
    let script = std::sync::Arc::clone(&active.script);
    let budget = scoring.scoring_budget;
    let mut recs = scripts::scoring_job(
        scoring,
        &n.city_slug.clone(),
        "the recommendations",
        budget,
        move || -> AppResult<Vec<Recommendation>> {
            let sn = values::newcomer(&n, today);
            let mut scope = rhai::Scope::new();
            let mut out = Vec::with_capacity(cands.groups.len());
            for g in cands.groups {
                let sg = values::group(&g.group, &g.members, today);
                let err = scripts::job_error;
                let (eligible, reason) = if repeats.contains(&(n.id.clone(), g.group.id.clone())) {
                    (false, Some("this pair was declined or ended early before and may not be proposed now".to_owned()))
                } else {
                    match script.eligible(&mut scope, &sn, &sg).map_err(err)? {
                        Eligibility::Yes => (true, None),
                        Eligibility::No(r) => (false, Some(r)),
                    }
                };
                let scored = script.score(&mut scope, &sn, &sg).map_err(err)?;
                out.push(Recommendation { group: g.group, eligible, reason, score: scored.total, parts: scored.parts });
            }
            Ok(out)
        },
    )
    .await??;
    recs.sort_by(|a, b| b.eligible.cmp(&a.eligible).then(b.score.cmp(&a.score)).then(a.group.id.cmp(&b.group.id)));
    recs.truncate(limit);
    Ok(recs)
}

/// One pair staff propose by hand, with their reason if they override the script.
#[derive(Clone, Copy, Debug)]
pub struct HandProposal<'a> {
    pub newcomer_id: &'a str,
    pub group_id: &'a str,
    /// Staff's reason to propose the pair although the script finds it ineligible.
    pub override_reason: Option<&'a str>,
}

/// `proposeMatch`: staff propose one pair by hand, through the same rules as a round (both
/// candidates, eligible under the city's script, not a pair declined before). With an
/// `override_reason`, a CITY_ADMIN or ADMIN proposes a pair the script finds ineligible: the
/// reason is stored on the match, its explanation gets an `override` part, and it is audited.
pub async fn propose_by_hand(
    db: &DatabaseConnection,
    vault: &Vault,
    scoring: &Scoring,
    today: NaiveDate,
    p: &Principal,
    pair: HandProposal<'_>,
) -> AppResult<matches::Model> {
    let HandProposal { newcomer_id, group_id, override_reason } = pair;
    let scope = p.scope_for(Op::DecideMatches)?;
    let override_reason = self::override_reason("overrideReason", override_reason)?;
    let n = newcomer::Entity::find_by_id(newcomer_id.trim()).one(db).await?;
    let n = match n {
        Some(n) if scope.covers_city(&n.city_slug) => n,
        _ => return Err(AppError::NotFound("newcomer")),
    };
    let cands = candidates::load(db, &n.city_slug, None).await?;
    if cands.reconfirmation_due.contains(&n.id) {
        return Err(AppError::bad_input(
            "newcomerId",
            "the household's re-confirmation is due (its last confirmation is older than the city's reconfirmAfterDays); record confirmStillWaiting first",
        ));
    }
    if !cands.newcomers.iter().any(|c| c.id == n.id) {
        return Err(AppError::bad_input("newcomerId", "the newcomer is not WAITING or has a live match already"));
    }
    let Some(g) = cands.groups.into_iter().find(|g| g.group.id == group_id.trim()) else {
        return Err(AppError::bad_input("groupId", "the group is not a READY group of this city without a live match"));
    };
    if rounds::never_again(db, &n.city_slug, today).await?.contains(&(n.id.clone(), g.group.id.clone())) {
        return Err(AppError::bad_input(
            "groupId",
            "this pair was declined or ended early before and may not be proposed now (a decline for timing or \
             temporary unavailability may be proposed again once the city's pause has passed)",
        ));
    }
    let active = scripts::active(db, scoring, &n.city_slug).await?;
    let (sn, sg) = (values::newcomer(&n, today), values::group(&g.group, &g.members, today));
    let script = std::sync::Arc::clone(&active.script);
    let (eligibility, scored) =
        scripts::scoring_job(scoring, &n.city_slug, "the proposal", scoring.scoring_budget, move || {
            let mut scope = rhai::Scope::new();
            let e = script.eligible(&mut scope, &sn, &sg).map_err(scripts::job_error)?;
            let s = script.score(&mut scope, &sn, &sg).map_err(scripts::job_error)?;
            Ok::<_, AppError>((e, s))
        })
        .await??;
    let mut parts = scored.parts;
    let overridden = match (eligibility, &override_reason) {
        (Eligibility::Yes, _) => None,
        (Eligibility::No(_), Some(why)) => {
            parts.push((OVERRIDE_PART.to_owned(), 0));
            Some(why.clone())
        }
        (Eligibility::No(reason), None) => {
            return Err(AppError::bad_input(
                "groupId",
                format!(
                    "not eligible under the city's script: {reason} (staff may propose it anyway with an overrideReason)"
                ),
            ));
        }
    };
    let txn = begin_write(db).await?;
    // Checked again under the rows' locks: the household may have been withdrawn, the group
    // matched, or the pair declined while the script ran.
    let (fresh_n, fresh_g) = crate::locks::pair(&txn, &n.id, &g.group.id).await?;
    if fresh_n.status != NewcomerStatus::Waiting || live_match_any(&txn, Some(&n.id), None).await?.is_some() {
        return Err(AppError::conflict("the newcomer is no longer WAITING without a live match"));
    }
    if fresh_g.status != GroupStatus::Ready || live_match_any(&txn, None, Some(&g.group.id)).await?.is_some() {
        return Err(AppError::conflict("the group is no longer READY without a live match"));
    }
    if rounds::never_again(&txn, &n.city_slug, today).await?.contains(&(n.id.clone(), g.group.id.clone())) {
        return Err(AppError::conflict("this pair was rejected or ended early meanwhile"));
    }
    let id = new_id();
    // Staff's words may name the household's circumstances: sealed, like every free text.
    let sealed_reason = match &overridden {
        Some(why) => Some(vault.key_for(&txn, &id).await?.seal(sealed::MATCH_OVERRIDE_REASON, &id, why)?),
        None => None,
    };
    let m = crate::matches::Proposed {
        city: &n.city_slug,
        newcomer_id: &n.id,
        group_id: &g.group.id,
        run_id: None,
        score: scored.total,
        parts: &parts,
        created_by: &p.user_id,
    }
    .into_active_model(id)
    .with_override(sealed_reason)
    .insert(&txn)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("the newcomer or the group got a live match meanwhile"),
        other => other,
    })?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "match.propose",
            entity_type: "match",
            entity_id: &m.id,
            city: Some(&m.city_slug),
            details: json!({
                "newcomerId": m.newcomer_id, "groupId": m.group_id, "scriptVersion": active.version,
                "override": overridden.is_some(),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// A city's settings that decide how matching treats declines.
#[derive(Clone, Debug, Default)]
pub struct CitySettingsInput {
    /// Days after a decline for timing or temporary unavailability before the pair may be
    /// proposed again (0-730).
    pub decline_pause_days: Option<i32>,
    /// The fewest members of a READY group (1-30).
    pub min_group_size: Option<i32>,
    /// Whether a group needs its screening before READY.
    pub screening_required: Option<bool>,
    /// Days after its last confirmation before a WAITING household must confirm again (7-730).
    pub reconfirm_after_days: Option<i32>,
}

/// `updateCitySettings`: ADMIN, or the city's CITY_ADMIN. Audited with the fields changed.
pub async fn update_city_settings(
    db: &DatabaseConnection,
    p: &Principal,
    city: &str,
    input: CitySettingsInput,
) -> AppResult<entity::city::Model> {
    let pause = input.decline_pause_days.map(|d| validate::int_range("declinePauseDays", d, 0, 730)).transpose()?;
    let min_size = input
        .min_group_size
        .map(|d| validate::int_range("minGroupSize", d, 1, crate::groups::MAX_MEMBERS as i32))
        .transpose()?;
    let reconfirm =
        input.reconfirm_after_days.map(|d| validate::int_range("reconfirmAfterDays", d, 7, 730)).transpose()?;
    let txn = begin_write(db).await?;
    let slug = rounds::city_in_scope(&txn, p, Op::CitySettings, city).await?;
    let mut am = entity::city::ActiveModel { slug: Set(slug.clone()), ..Default::default() };
    let mut changed = Vec::new();
    if let Some(d) = pause {
        am.decline_pause_days = Set(d);
        changed.push("declinePauseDays");
    }
    if let Some(d) = min_size {
        am.min_group_size = Set(d);
        changed.push("minGroupSize");
    }
    if let Some(d) = input.screening_required {
        am.screening_required = Set(d);
        changed.push("screeningRequired");
    }
    if let Some(d) = reconfirm {
        am.reconfirm_after_days = Set(d);
        changed.push("reconfirmAfterDays");
    }
    if changed.is_empty() {
        return Err(AppError::bad_input("input", "name at least one setting to change"));
    }
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "city.settings",
            entity_type: "city",
            entity_id: &slug,
            city: Some(&slug),
            details: json!({
                "fields": changed, "declinePauseDays": updated.decline_pause_days,
                "minGroupSize": updated.min_group_size, "screeningRequired": updated.screening_required,
                "reconfirmAfterDays": updated.reconfirm_after_days,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// `confirmStillWaiting`: staff recorded that a WAITING household still wants a group; its
/// period before the next re-confirmation starts again today. Audited.
pub async fn confirm_still_waiting(
    db: &DatabaseConnection,
    p: &Principal,
    newcomer_id: &str,
) -> AppResult<newcomer::Model> {
    let scope = p.scope_for(Op::DecideMatches)?;
    let txn = begin_write(db).await?;
    let n = match newcomer::Entity::find_by_id(newcomer_id.trim()).one(&txn).await? {
        Some(n) if scope.covers_city(&n.city_slug) => n,
        _ => return Err(AppError::NotFound("newcomer")),
    };
    let n = crate::locks::newcomer(&txn, &n.id).await?;
    if n.status != NewcomerStatus::Waiting {
        return Err(AppError::conflict("only a WAITING household confirms that it still wants a group"));
    }
    let now = Utc::now();
    let res = newcomer::Entity::update_many()
        .set(newcomer::ActiveModel {
            confirmed_at: Set(Some(now)),
            version: Set(n.version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(newcomer::Column::Id.eq(n.id.as_str()))
        .filter(newcomer::Column::Version.eq(n.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::conflict("the household changed at the same time; try again"));
    }
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "newcomer.confirm_waiting",
            entity_type: "newcomer",
            entity_id: &n.id,
            city: Some(&n.city_slug),
            details: json!({ "previous": crate::candidates::last_confirmed(&n).to_rfc3339() }),
        },
    )
    .await?;
    let updated = newcomer::Entity::find_by_id(n.id.as_str()).one(&txn).await?.ok_or(AppError::NotFound("newcomer"))?;
    txn.commit().await?;
    Ok(updated)
}

/// `reconfirmationsDue`: the WAITING households of `city` whose last confirmation is older
/// than the city's period (left out of rounds until confirmed), longest due first.
pub async fn reconfirmations_due(
    db: &DatabaseConnection,
    p: &Principal,
    city: &str,
) -> AppResult<Vec<newcomer::Model>> {
    let slug = rounds::city_in_scope(db, p, Op::DecideMatches, city).await?;
    let cutoff = candidates::reconfirm_cutoff(db, &slug).await?;
    let mut due: Vec<newcomer::Model> = newcomer::Entity::find()
        .filter(newcomer::Column::CitySlug.eq(slug.as_str()))
        .filter(newcomer::Column::Status.eq(NewcomerStatus::Waiting))
        .filter(newcomer::Column::ErasedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|n| candidates::last_confirmed(n) < cutoff)
        .collect();
    due.sort_by(|a, b| candidates::last_confirmed(a).cmp(&candidates::last_confirmed(b)).then(a.id.cmp(&b.id)));
    Ok(due)
}
