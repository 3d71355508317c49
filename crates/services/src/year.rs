//! The year together: activities, check-ins at months 3, 6 and 12, the end of a match (early
//! or completed), and what is due.

use chrono::{Months, NaiveDate, Utc};
use entity::{GroupStatus, MatchStatus, NewcomerStatus, activity_log, check_in, matches, newcomer, welcome_group};
use sea_orm::DatabaseConnection;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use crate::db::begin_write;
use crate::page::{self, Page, PageArgs};
use crate::sealed::{self, Vault};
use crate::{audit, decisions, new_id};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use domain::policy::Principal;
use domain::validate;
use domain::values::DecisionSide;

/// How long an author may correct an activity they logged.
pub const CORRECTION_DAYS: i64 = 14;
/// A check-in is overdue this many days after it fell due.
pub const OVERDUE_AFTER_DAYS: i64 = 14;
/// The months with a check-in.
pub const CHECK_IN_MONTHS: [i32; 3] = [3, 6, 12];

/// What the group and household did together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityKind {
    Meal,
    LanguagePractice,
    LettersAndAdmin,
    WorkAndEducation,
    SocialOuting,
    Other,
}

impl ActivityKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Meal => "MEAL",
            Self::LanguagePractice => "LANGUAGE_PRACTICE",
            Self::LettersAndAdmin => "LETTERS_AND_ADMIN",
            Self::WorkAndEducation => "WORK_AND_EDUCATION",
            Self::SocialOuting => "SOCIAL_OUTING",
            Self::Other => "OTHER",
        }
    }

    pub fn parse(s: &str) -> Self {
        [Self::Meal, Self::LanguagePractice, Self::LettersAndAdmin, Self::WorkAndEducation, Self::SocialOuting]
            .into_iter()
            .find(|k| k.code() == s)
            .unwrap_or(Self::Other)
    }
}

/// Work or education status at a check-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkStatus {
    None,
    Searching,
    Volunteering,
    Education,
    PartTimeWork,
    FullTimeWork,
}

impl WorkStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Searching => "SEARCHING",
            Self::Volunteering => "VOLUNTEERING",
            Self::Education => "EDUCATION",
            Self::PartTimeWork => "PART_TIME_WORK",
            Self::FullTimeWork => "FULL_TIME_WORK",
        }
    }

    pub fn parse(s: &str) -> Self {
        [Self::Searching, Self::Volunteering, Self::Education, Self::PartTimeWork, Self::FullTimeWork]
            .into_iter()
            .find(|k| k.code() == s)
            .unwrap_or(Self::None)
    }
}

/// Why a match ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EndReason {
    NewcomerMoved,
    GroupDissolved,
    NoConnection,
    NewcomerRequest,
    GroupRequest,
    #[default]
    Other,
}

impl EndReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::NewcomerMoved => "NEWCOMER_MOVED",
            Self::GroupDissolved => "GROUP_DISSOLVED",
            Self::NoConnection => "NO_CONNECTION",
            Self::NewcomerRequest => "NEWCOMER_REQUEST",
            Self::GroupRequest => "GROUP_REQUEST",
            Self::Other => "OTHER",
        }
    }
}

/// An activity to log.
#[derive(Clone, Debug)]
pub struct ActivityInput {
    /// When it happened: not in the future, not before the match started.
    pub date: NaiveDate,
    pub kind: ActivityKind,
    /// Minutes, 1-1440.
    pub duration_minutes: i32,
    /// People taking part, 1-50.
    pub participants: i32,
    /// Free text, at most 2000 characters. Personal data: never exported.
    pub notes: Option<String>,
}

/// A check-in to record.
#[derive(Clone, Debug)]
pub struct CheckInInput {
    /// 3, 6 or 12: months since the start.
    pub month: i32,
    /// 1-5, asked of the newcomer in a conversation without the group present.
    pub newcomer_satisfaction: i32,
    /// 1-5, asked of the group.
    pub group_satisfaction: i32,
    /// The newcomer's Dutch level now.
    pub dutch_level: domain::enums::CefrLevel,
    pub work_status: WorkStatus,
    /// People in the newcomer's social network beyond the group, 0-1000.
    pub network_size: i32,
    /// Free text, at most 2000 characters. Personal data: never exported.
    pub notes: Option<String>,
}

async fn match_for(conn: &impl ConnectionTrait, p: &Principal, op: Op, id: &str) -> AppResult<matches::Model> {
    decisions::find_scoped(conn, p, op, id).await
}

struct ActivityFields {
    date: NaiveDate,
    kind: ActivityKind,
    duration: i32,
    participants: i32,
    notes: Option<String>,
}

fn check_activity(m: &matches::Model, input: &ActivityInput, today: NaiveDate) -> AppResult<ActivityFields> {
    let date = input.date;
    if date > today {
        return Err(AppError::bad_input("date", format!("date {date} lies in the future")));
    }
    if let Some(start) = m.start_date
        && date < start
    {
        return Err(AppError::bad_input("date", format!("date {date} is before the match started on {start}")));
    }
    Ok(ActivityFields {
        date,
        kind: input.kind,
        duration: validate::int_range("durationMinutes", input.duration_minutes, 1, 1440)?,
        participants: validate::int_range("participants", input.participants, 1, 50)?,
        notes: validate::optional_text("notes", input.notes.as_deref(), validate::MAX_TEXT)?,
    })
}

/// `logActivity`: the match's coordinator (or staff), on an ACTIVE match.
pub async fn log_activity(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    match_id: &str,
    input: ActivityInput,
) -> AppResult<activity_log::Model> {
    let txn = begin_write(db).await?;
    let m = match_for(&txn, p, Op::RecordYear, match_id).await?;
    if m.status != MatchStatus::Active {
        return Err(AppError::conflict("activities are logged on ACTIVE matches only"));
    }
    let f = check_activity(&m, &input, today)?;
    let now = Utc::now();
    let id = new_id();
    let key = vault.key_for(&txn, &m.id).await?;
    let a = activity_log::ActiveModel {
        notes: Set(key.seal_opt(sealed::ACTIVITY_NOTES, &id, f.notes.as_deref())?),
        id: Set(id),
        match_id: Set(m.id.clone()),
        city_slug: Set(m.city_slug.clone()),
        date: Set(f.date),
        kind: Set(f.kind.code().to_owned()),
        duration_minutes: Set(f.duration),
        participants: Set(f.participants),
        logged_by: Set(p.user_id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "activity.log",
            entity_type: "activity",
            entity_id: &a.id,
            city: Some(&m.city_slug),
            details: json!({ "matchId": m.id, "kind": a.kind }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

/// `updateActivity`: the author corrects an activity within `CORRECTION_DAYS`.
pub async fn update_activity(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    input: ActivityInput,
) -> AppResult<activity_log::Model> {
    let txn = begin_write(db).await?;
    let a = activity_log::Entity::find_by_id(id.trim()).one(&txn).await?.ok_or(AppError::NotFound("activity"))?;
    let m = match_for(&txn, p, Op::RecordYear, &a.match_id).await.map_err(|e| match e {
        AppError::NotFound(_) => AppError::NotFound("activity"),
        other => other,
    })?;
    if a.logged_by != p.user_id {
        return Err(AppError::forbidden("only the person who logged an activity may correct it"));
    }
    if (Utc::now() - a.created_at).num_days() >= CORRECTION_DAYS {
        return Err(AppError::conflict(format!(
            "an activity can be corrected for {CORRECTION_DAYS} days after it was logged"
        )));
    }
    let f = check_activity(&m, &input, today)?;
    let mut am: activity_log::ActiveModel = a.clone().into();
    am.date = Set(f.date);
    am.kind = Set(f.kind.code().to_owned());
    am.duration_minutes = Set(f.duration);
    am.participants = Set(f.participants);
    let key = vault.key_for(&txn, &m.id).await?;
    am.notes = Set(key.seal_opt(sealed::ACTIVITY_NOTES, &a.id, f.notes.as_deref())?);
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "activity.correct",
            entity_type: "activity",
            entity_id: &a.id,
            city: Some(&m.city_slug),
            details: json!({ "matchId": m.id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// A match's activities, newest first.
/// A match's activities as `p` may read them: a coordinator sees only what the group's own
/// accounts logged (staff's entries and notes are not the group's), on the current match and
/// on past ones alike.
pub async fn activities(
    conn: &impl ConnectionTrait,
    p: &Principal,
    m: &matches::Model,
    args: &PageArgs,
) -> AppResult<Page<activity_log::Model>> {
    let mut q = activity_log::Entity::find().filter(activity_log::Column::MatchId.eq(m.id.as_str()));
    if p.role == domain::enums::Role::Coordinator {
        q = q.filter(
            activity_log::Column::LoggedBy.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(entity::user::Column::Id)
                    .from(entity::user::Entity)
                    .and_where(entity::user::Column::GroupId.eq(m.group_id.as_str()))
                    .to_owned(),
            ),
        );
    }
    page::fetch_newest_first(conn, q, activity_log::Column::Id, args).await
}

/// A match's check-ins, by month.
pub async fn check_ins(conn: &impl ConnectionTrait, match_id: &str) -> AppResult<Vec<check_in::Model>> {
    Ok(check_in::Entity::find()
        .filter(check_in::Column::MatchId.eq(match_id))
        .order_by_asc(check_in::Column::Month)
        .all(conn)
        .await?)
}

/// When the check-in of `month` falls due for a match that started on `start`.
pub fn due_date(start: NaiveDate, month: i32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(month as u32))
}

/// `recordCheckIn`: one per month (3, 6, 12), not before it is due.
pub async fn record_check_in(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    match_id: &str,
    input: CheckInInput,
) -> AppResult<check_in::Model> {
    if !CHECK_IN_MONTHS.contains(&input.month) {
        return Err(AppError::bad_input("month", format!("month must be 3, 6 or 12, got {}", input.month)));
    }
    let ns = validate::int_range("newcomerSatisfaction", input.newcomer_satisfaction, 1, 5)?;
    let gs = validate::int_range("groupSatisfaction", input.group_satisfaction, 1, 5)?;
    let network = validate::int_range("networkSize", input.network_size, 0, 1000)?;
    let notes = validate::optional_text("notes", input.notes.as_deref(), validate::MAX_TEXT)?;
    let txn = begin_write(db).await?;
    let m = match_for(&txn, p, Op::RecordYear, match_id).await?;
    if !matches!(m.status, MatchStatus::Active | MatchStatus::Completed) {
        return Err(AppError::conflict("check-ins are recorded on ACTIVE (or, for month 12, COMPLETED) matches"));
    }
    let due = m
        .start_date
        .and_then(|s| due_date(s, input.month))
        .ok_or_else(|| AppError::conflict("the match has not started"))?;
    if due > today {
        return Err(AppError::bad_input(
            "month",
            format!("the month-{} check-in is due on {due}, not before", input.month),
        ));
    }
    let exists = check_in::Entity::find()
        .filter(check_in::Column::MatchId.eq(m.id.as_str()))
        .filter(check_in::Column::Month.eq(input.month))
        .one(&txn)
        .await?;
    if exists.is_some() {
        return Err(AppError::conflict(format!(
            "the month-{} check-in of this match is recorded already",
            input.month
        )));
    }
    let dutch: entity::CefrLevel = input.dutch_level.into();
    let id = new_id();
    let key = vault.key_for(&txn, &m.id).await?;
    let c = check_in::ActiveModel {
        notes: Set(key.seal_opt(sealed::CHECK_IN_NOTES, &id, notes.as_deref())?),
        id: Set(id),
        match_id: Set(m.id.clone()),
        city_slug: Set(m.city_slug.clone()),
        month: Set(input.month),
        newcomer_satisfaction: Set(ns),
        group_satisfaction: Set(gs),
        dutch_level: Set(dutch),
        work_status: Set(input.work_status.code().to_owned()),
        network_size: Set(network),
        recorded_by: Set(p.user_id.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "checkin.record",
            entity_type: "check_in",
            entity_id: &c.id,
            city: Some(&m.city_slug),
            details: json!({ "matchId": m.id, "month": c.month }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// A check-in that is due or overdue.
pub struct DueCheckIn {
    pub matched: matches::Model,
    pub month: i32,
    pub due: NaiveDate,
    pub overdue: bool,
}

/// `checkInsDue`: the check-ins of a city's ACTIVE matches that fell due and are missing.
pub async fn check_ins_due(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    city: &str,
) -> AppResult<Vec<DueCheckIn>> {
    let city = crate::rounds::city_in_scope(db, p, Op::DecideMatches, city).await?;
    let active = matches::Entity::find()
        .filter(matches::Column::CitySlug.eq(city.as_str()))
        .filter(matches::Column::Status.eq(MatchStatus::Active))
        .order_by_asc(matches::Column::StartDate)
        .all(db)
        .await?;
    // Only the two columns needed (not the notes), in a set: one look-up per check-in.
    let recorded: std::collections::HashSet<(String, i32)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::MatchId)
        .column(check_in::Column::Month)
        .filter(check_in::Column::CitySlug.eq(city.as_str()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for m in active {
        let Some(start) = m.start_date else { continue };
        for month in CHECK_IN_MONTHS {
            let Some(due) = due_date(start, month) else { continue };
            if due <= today && !recorded.contains(&(m.id.clone(), month)) {
                out.push(DueCheckIn {
                    matched: m.clone(),
                    month,
                    due,
                    overdue: (today - due).num_days() > OVERDUE_AFTER_DAYS,
                });
            }
        }
    }
    Ok(out)
}

/// Ends a live match because one side leaves; used by `endMatch`, withdrawals and erasure.
/// ACTIVE → ENDED_EARLY (the newcomer WAITING again with their original waiting time, the
/// group READY again unless it dissolved); PROPOSED → REJECTED.
pub async fn end_live(
    conn: &impl ConnectionTrait,
    vault: &Vault,
    p: &Principal,
    m: &matches::Model,
    (code, side): (EndReason, DecisionSide),
    reason: &str,
    today: NaiveDate,
) -> AppResult<matches::Model> {
    let now = Utc::now();
    // Callers hold the household's lock, or none yet; households, groups, runs (see `locks`).
    crate::locks::decision(conn, m).await?;
    if m.status == MatchStatus::Proposed {
        decisions::cancel_proposals(conn, vault, Some(p), Some(&m.newcomer_id), None, reason).await?;
        return matches::Entity::find_by_id(m.id.as_str()).one(conn).await?.ok_or(AppError::NotFound("match"));
    }
    if m.status != MatchStatus::Active {
        return Err(AppError::conflict(format!(
            "only an ACTIVE match can end early; this one is {}",
            crate::matches::status_code(m.status)
        )));
    }
    let mut am: matches::ActiveModel = m.clone().into();
    crate::matches::claim(conn, &m.id, MatchStatus::Active, MatchStatus::EndedEarly).await?;
    am.status = Set(MatchStatus::EndedEarly);
    am.end_date = Set(Some(today));
    am.end_reason_code = Set(Some(code.code().to_owned()));
    am.decided_side = Set(Some(side.code().to_owned()));
    am.end_reason = Set(Some(vault.key_for(conn, &m.id).await?.seal(sealed::MATCH_END_REASON, &m.id, reason)?));
    am.updated_at = Set(now);
    let updated = am.update(conn).await?;
    if let Some(n) = newcomer::Entity::find_by_id(m.newcomer_id.as_str()).one(conn).await?
        && n.status == NewcomerStatus::Matched
    {
        // waiting_since is kept: the household keeps its place in the queue.
        let am = newcomer::ActiveModel {
            id: Set(n.id.clone()),
            status: Set(NewcomerStatus::Waiting),
            version: Set(n.version + 1),
            updated_at: Set(now),
            ..Default::default()
        };
        am.update(conn).await?;
    }
    if let Some(g) = welcome_group::Entity::find_by_id(m.group_id.as_str()).one(conn).await?
        && g.status == GroupStatus::Matched
    {
        let next = if code == EndReason::GroupDissolved { GroupStatus::Withdrawn } else { GroupStatus::Ready };
        let am = welcome_group::ActiveModel {
            id: Set(g.id.clone()),
            status: Set(next),
            version: Set(g.version + 1),
            updated_at: Set(now),
            ..Default::default()
        };
        am.update(conn).await?;
    }
    audit::record(
        conn,
        Some(p),
        audit::Entry {
            action: "match.end_early",
            entity_type: "match",
            entity_id: &m.id,
            city: Some(&m.city_slug),
            details: json!({ "from": "ACTIVE", "to": "ENDED_EARLY", "reasonCode": code.code(), "side": side.code() }),
        },
    )
    .await?;
    Ok(updated)
}

/// `endMatch`.
pub async fn end_match(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    id: &str,
    reason: &str,
    ended: (EndReason, DecisionSide),
) -> AppResult<matches::Model> {
    let reason = validate::required_text("reason", reason, validate::MAX_TEXT)?;
    let txn = begin_write(db).await?;
    let m = match_for(&txn, p, Op::DecideMatches, id).await?;
    if m.status != MatchStatus::Active {
        return Err(AppError::conflict(format!(
            "only an ACTIVE match can end early; this one is {}",
            crate::matches::status_code(m.status)
        )));
    }
    let updated = end_live(&txn, vault, p, &m, ended, &reason, today).await?;
    txn.commit().await?;
    Ok(updated)
}

/// `completeMatch`: after the twelve months, ACTIVE → COMPLETED; newcomer and group COMPLETED.
pub async fn complete_match(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    id: &str,
) -> AppResult<matches::Model> {
    let txn = begin_write(db).await?;
    let m = match_for(&txn, p, Op::DecideMatches, id).await?;
    let (n, g) = crate::locks::decision(&txn, &m).await?;
    if m.status != MatchStatus::Active {
        return Err(AppError::conflict(format!(
            "only an ACTIVE match can be completed; this one is {}",
            crate::matches::status_code(m.status)
        )));
    }
    if let Some(end) = m.planned_end_date
        && end > today
    {
        return Err(AppError::conflict(format!(
            "the twelve months end on {end}; complete the match from then on, or end it early"
        )));
    }
    let now = Utc::now();
    crate::matches::claim(&txn, &m.id, MatchStatus::Active, MatchStatus::Completed).await?;
    let mut am: matches::ActiveModel = m.clone().into();
    am.status = Set(MatchStatus::Completed);
    am.end_date = Set(Some(today));
    am.updated_at = Set(now);
    let updated = am.update(&txn).await?;
    newcomer::Entity::update_many()
        .set(newcomer::ActiveModel {
            status: Set(NewcomerStatus::Completed),
            version: Set(n.version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(newcomer::Column::Id.eq(m.newcomer_id.as_str()))
        .exec(&txn)
        .await?;
    welcome_group::Entity::update_many()
        .set(welcome_group::ActiveModel {
            status: Set(GroupStatus::Completed),
            version: Set(g.version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(welcome_group::Column::Id.eq(m.group_id.as_str()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "match.complete",
            entity_type: "match",
            entity_id: &m.id,
            city: Some(&m.city_slug),
            details: json!({ "from": "ACTIVE", "to": "COMPLETED" }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// `matchesDueForCompletion`: ACTIVE matches past their planned end.
pub async fn due_for_completion(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    city: &str,
) -> AppResult<Vec<matches::Model>> {
    let city = crate::rounds::city_in_scope(db, p, Op::DecideMatches, city).await?;
    Ok(matches::Entity::find()
        .filter(matches::Column::CitySlug.eq(city.as_str()))
        .filter(matches::Column::Status.eq(MatchStatus::Active))
        .filter(matches::Column::PlannedEndDate.lte(today))
        .order_by_asc(matches::Column::PlannedEndDate)
        .all(db)
        .await?)
}
