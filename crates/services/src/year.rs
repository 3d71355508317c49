//! The year together: activities, check-ins at months 3, 6 and 12, the end of a match (early
//! or completed), and what is due.

use chrono::{Months, NaiveDate, Utc};
use entity::{
    GroupStatus, MatchStatus, NewcomerStatus, activity_log, check_in, household_check_in, matches, newcomer,
    welcome_group,
};
use sea_orm::DatabaseConnection;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
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
/// The "month" of the exit check-in after an early end.
pub const EXIT_MONTH: i32 = 0;
/// The exit check-in is due within this many days of an early end.
pub const EXIT_DUE_DAYS: i64 = 30;
/// Early ends older than this no longer list their missing exit check-ins as due.
pub const EXIT_LISTED_DAYS: i64 = 90;

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

/// A check-in to record: the group's view (recorded by its coordinator, or staff).
#[derive(Clone, Debug)]
pub struct CheckInInput {
    /// 3, 6 or 12: months since the start; 0 for the exit check-in after an early end.
    pub month: i32,
    /// 1-5: how the group sees the household's satisfaction. The household's own answer is its
    /// view of the check-in (`HouseholdCheckInInput`), asked without the group present.
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

/// The household's own view of a check-in, asked without the group present by a community
/// builder or staff.
#[derive(Clone, Debug)]
pub struct HouseholdCheckInInput {
    /// 3, 6 or 12: months since the start; 0 for the exit check-in after an early end.
    pub month: i32,
    /// 1-5: the household's satisfaction with the match.
    pub satisfaction: i32,
    /// 1-5: the household's well-being, as at the baseline.
    pub wellbeing: i32,
    pub dutch_level: domain::enums::CefrLevel,
    pub work_status: WorkStatus,
    /// People in the household's social network beyond the group, 0-1000.
    pub network_size: i32,
    /// Free text, at most 2000 characters. Personal data: sealed, never exported.
    pub notes: Option<String>,
}

/// The baseline at registration, to measure the year against.
#[derive(Clone, Copy, Debug)]
pub struct BaselineInput {
    /// People in the household's social network, 0-1000.
    pub network_size: i32,
    pub work_status: WorkStatus,
    pub dutch_level: domain::enums::CefrLevel,
    /// 1-5.
    pub wellbeing: i32,
}

impl BaselineInput {
    /// Checks the ranges; `prefix` names the input the fields are in ("baseline." at
    /// registration, "" in `recordBaseline`).
    pub fn check(&self, prefix: &str) -> AppResult<()> {
        validate::int_range(&format!("{prefix}networkSize"), self.network_size, 0, 1000)?;
        validate::int_range(&format!("{prefix}wellbeing"), self.wellbeing, 1, 5)?;
        Ok(())
    }

    /// The baseline's columns on a household, taken `today`.
    pub fn apply(&self, am: &mut newcomer::ActiveModel, today: NaiveDate) {
        am.baseline_network_size = Set(Some(self.network_size));
        am.baseline_work_status = Set(Some(self.work_status.code().to_owned()));
        am.baseline_dutch_level = Set(Some(self.dutch_level.into()));
        am.baseline_wellbeing = Set(Some(self.wellbeing));
        am.baseline_recorded_on = Set(Some(today));
    }
}

/// `recordBaseline`: the baseline of a household registered without one (or taken again).
pub async fn record_baseline(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    newcomer_id: &str,
    input: BaselineInput,
) -> AppResult<newcomer::Model> {
    input.check("")?;
    let txn = begin_write(db).await?;
    let n = crate::newcomers::find_scoped_locked(&txn, p, Op::UpdateNewcomer, newcomer_id).await?;
    if !p.may_change(Op::UpdateNewcomer, n.registered_by.as_deref()) {
        return Err(AppError::NotFound("newcomer"));
    }
    if n.erased_at.is_some() {
        return Err(AppError::conflict("this household's personal data was erased"));
    }
    let mut am: newcomer::ActiveModel = n.clone().into();
    input.apply(&mut am, today);
    am.version = Set(n.version + 1);
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "newcomer.baseline",
            entity_type: "newcomer",
            entity_id: &n.id,
            city: Some(&n.city_slug),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// `assignCommunityBuilder`: who supports a match (an enabled COMMUNITY_BUILDER of its city), or
/// nobody (`None`). The community builder reaches the match, its household and its group from
/// their next request.
pub async fn assign_community_builder(
    db: &DatabaseConnection,
    p: &Principal,
    match_id: &str,
    user_id: Option<&str>,
) -> AppResult<matches::Model> {
    let txn = begin_write(db).await?;
    let m = match_for(&txn, p, Op::DecideMatches, match_id).await?;
    if let Some(uid) = user_id {
        let u = entity::user::Entity::find_by_id(uid.trim()).one(&txn).await?;
        let u = u.ok_or_else(|| AppError::bad_input("userId", format!("there is no account {uid:?}")))?;
        if u.role != entity::Role::CommunityBuilder {
            return Err(AppError::bad_input("userId", "this account is not a COMMUNITY_BUILDER"));
        }
        if u.city_slug.as_deref() != Some(m.city_slug.as_str()) {
            return Err(AppError::bad_input(
                "userId",
                format!("this community builder does not work in {}", m.city_slug),
            ));
        }
        if u.disabled_at.is_some() {
            return Err(AppError::bad_input("userId", "this account is disabled"));
        }
    }
    let mut am: matches::ActiveModel = m.clone().into();
    am.community_builder_id = Set(user_id.map(|u| u.trim().to_owned()));
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: "match.community_builder",
            entity_type: "match",
            entity_id: &m.id,
            city: Some(&m.city_slug),
            details: json!({ "from": m.community_builder_id, "to": updated.community_builder_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Whether a check-in of `month` (either view) may be recorded on `m` today: months 3, 6 and 12
/// once due, on an ACTIVE match (or a COMPLETED one, or one that ended early after it fell
/// due); month 0, the exit check-in, on a match that ended early.
fn check_occasion(m: &matches::Model, month: i32, today: NaiveDate) -> AppResult<()> {
    if month == EXIT_MONTH {
        if m.status != MatchStatus::EndedEarly {
            return Err(AppError::bad_input(
                "month",
                "month 0 is the exit check-in, recorded after a match ended early; this match did not",
            ));
        }
        return Ok(());
    }
    if !CHECK_IN_MONTHS.contains(&month) {
        return Err(AppError::bad_input(
            "month",
            format!("month must be 3, 6 or 12 (or 0 for the exit check-in), got {month}"),
        ));
    }
    let due =
        m.start_date.and_then(|s| due_date(s, month)).ok_or_else(|| AppError::conflict("the match has not started"))?;
    let open = match m.status {
        MatchStatus::Active | MatchStatus::Completed => true,
        MatchStatus::EndedEarly => m.end_date.is_some_and(|end| due <= end),
        _ => false,
    };
    if !open {
        return Err(AppError::conflict(
            "check-ins are recorded on ACTIVE or COMPLETED matches (and on a match that ended early, for the months before its end)",
        ));
    }
    if due > today {
        return Err(AppError::bad_input("month", format!("the month-{month} check-in is due on {due}, not before")));
    }
    Ok(())
}

/// `recordHouseholdCheckIn`: the household's own view, once per month (3, 6, 12, 0 for exit).
pub async fn record_household_check_in(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    match_id: &str,
    input: HouseholdCheckInInput,
) -> AppResult<household_check_in::Model> {
    let satisfaction = validate::int_range("satisfaction", input.satisfaction, 1, 5)?;
    let wellbeing = validate::int_range("wellbeing", input.wellbeing, 1, 5)?;
    let common = CommonAnswers::check(input.network_size, input.notes.as_deref())?;
    let frame = CheckInFrame::open(db, vault, today, p, CheckInView::Household, match_id, input.month).await?;
    let c = household_check_in::ActiveModel {
        notes: Set(frame.seal_notes(&common)?),
        id: Set(frame.id.clone()),
        match_id: Set(frame.matched.id.clone()),
        city_slug: Set(frame.matched.city_slug.clone()),
        month: Set(input.month),
        satisfaction: Set(satisfaction),
        wellbeing: Set(wellbeing),
        dutch_level: Set(input.dutch_level.into()),
        work_status: Set(input.work_status.code().to_owned()),
        network_size: Set(common.network_size),
        recorded_by: Set(p.user_id.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&frame.txn)
    .await?;
    frame.close(p).await?;
    Ok(c)
}

/// The household's view of a match's check-ins, by month; FORBIDDEN for a coordinator (the
/// group never reads what the household said without it).
pub async fn household_check_ins(
    conn: &impl ConnectionTrait,
    p: &Principal,
    m: &matches::Model,
) -> AppResult<Vec<household_check_in::Model>> {
    let scope = p.scope_for(Op::HouseholdView)?;
    if !decisions::in_scope(&scope, m) {
        return Err(AppError::NotFound("match"));
    }
    Ok(household_check_in::Entity::find()
        .filter(household_check_in::Column::MatchId.eq(m.id.as_str()))
        .order_by_asc(household_check_in::Column::Month)
        .all(conn)
        .await?)
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

/// `recordCheckIn`: the group's view, one per month (3, 6, 12, and 0 for the exit check-in after
/// an early end), not before it is due.
pub async fn record_check_in(
    db: &DatabaseConnection,
    vault: &Vault,
    today: NaiveDate,
    p: &Principal,
    match_id: &str,
    input: CheckInInput,
) -> AppResult<check_in::Model> {
    let ns = validate::int_range("newcomerSatisfaction", input.newcomer_satisfaction, 1, 5)?;
    let gs = validate::int_range("groupSatisfaction", input.group_satisfaction, 1, 5)?;
    let common = CommonAnswers::check(input.network_size, input.notes.as_deref())?;
    let frame = CheckInFrame::open(db, vault, today, p, CheckInView::Group, match_id, input.month).await?;
    let c = check_in::ActiveModel {
        notes: Set(frame.seal_notes(&common)?),
        id: Set(frame.id.clone()),
        match_id: Set(frame.matched.id.clone()),
        city_slug: Set(frame.matched.city_slug.clone()),
        month: Set(input.month),
        newcomer_satisfaction: Set(ns),
        group_satisfaction: Set(gs),
        dutch_level: Set(input.dutch_level.into()),
        work_status: Set(input.work_status.code().to_owned()),
        network_size: Set(common.network_size),
        recorded_by: Set(p.user_id.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&frame.txn)
    .await?;
    frame.close(p).await?;
    Ok(c)
}

/// The answers both views of a check-in have, checked.
struct CommonAnswers {
    network_size: i32,
    notes: Option<String>,
}

impl CommonAnswers {
    fn check(network_size: i32, notes: Option<&str>) -> AppResult<Self> {
        Ok(Self {
            network_size: validate::int_range("networkSize", network_size, 0, 1000)?,
            notes: validate::optional_text("notes", notes, validate::MAX_TEXT)?,
        })
    }
}

/// What recording either view of a check-in shares: the write transaction, the match in the
/// caller's scope for that view, the month's rules, one answer per view and month, the new
/// row's id, its notes sealed under the match's key, and the audit entry at the end.
struct CheckInFrame {
    txn: sea_orm::DatabaseTransaction,
    matched: matches::Model,
    view: CheckInView,
    month: i32,
    id: String,
    key: sealed::DataKey,
}

impl CheckInFrame {
    async fn open(
        db: &DatabaseConnection,
        vault: &Vault,
        today: NaiveDate,
        p: &Principal,
        view: CheckInView,
        match_id: &str,
        month: i32,
    ) -> AppResult<Self> {
        let txn = begin_write(db).await?;
        let op = match view {
            CheckInView::Household => Op::HouseholdView,
            CheckInView::Group => Op::RecordYear,
        };
        let matched = match_for(&txn, p, op, match_id).await?;
        check_occasion(&matched, month, today)?;
        let recorded = match view {
            CheckInView::Household => {
                household_check_in::Entity::find()
                    .filter(household_check_in::Column::MatchId.eq(matched.id.as_str()))
                    .filter(household_check_in::Column::Month.eq(month))
                    .count(&txn)
                    .await?
            }
            CheckInView::Group => {
                check_in::Entity::find()
                    .filter(check_in::Column::MatchId.eq(matched.id.as_str()))
                    .filter(check_in::Column::Month.eq(month))
                    .count(&txn)
                    .await?
            }
        };
        if recorded > 0 {
            let whose = if view == CheckInView::Household { "the household's" } else { "the group's" };
            return Err(AppError::conflict(format!(
                "{whose} month-{month} check-in of this match is recorded already"
            )));
        }
        let key = vault.key_for(&txn, &matched.id).await?;
        Ok(Self { txn, matched, view, month, id: new_id(), key })
    }

    fn seal_notes(&self, answers: &CommonAnswers) -> AppResult<Option<String>> {
        let column = match self.view {
            CheckInView::Household => sealed::HOUSEHOLD_CHECK_IN_NOTES,
            CheckInView::Group => sealed::CHECK_IN_NOTES,
        };
        self.key.seal_opt(column, &self.id, answers.notes.as_deref())
    }

    async fn close(self, p: &Principal) -> AppResult<()> {
        let (action, entity_type) = match self.view {
            CheckInView::Household => ("checkin.household.record", "household_check_in"),
            CheckInView::Group => ("checkin.record", "check_in"),
        };
        audit::record(
            &self.txn,
            Some(p),
            audit::Entry {
                action,
                entity_type,
                entity_id: &self.id,
                city: Some(&self.matched.city_slug),
                details: json!({ "matchId": self.matched.id, "month": self.month }),
            },
        )
        .await?;
        self.txn.commit().await?;
        Ok(())
    }
}

/// Whose answers a check-in holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInView {
    /// The household's own, asked without the group present.
    Household,
    /// The group's, recorded by its coordinator.
    Group,
}

/// A check-in that is due or overdue.
pub struct DueCheckIn {
    pub matched: matches::Model,
    /// 3, 6 or 12; 0 for the exit check-in after an early end.
    pub month: i32,
    pub view: CheckInView,
    pub due: NaiveDate,
    pub overdue: bool,
}

/// `checkInsDue`: per view, the check-ins of a city's ACTIVE matches that fell due and are
/// missing, and the exit check-ins of matches that ended early in the last
/// `EXIT_LISTED_DAYS` days (due at the end, overdue after `EXIT_DUE_DAYS`).
pub async fn check_ins_due(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    city: &str,
) -> AppResult<Vec<DueCheckIn>> {
    let city = crate::rounds::city_in_scope(db, p, Op::DecideMatches, city).await?;
    let listed_from = today - chrono::Duration::days(EXIT_LISTED_DAYS);
    let live = matches::Entity::find()
        .filter(matches::Column::CitySlug.eq(city.as_str()))
        .filter(
            sea_orm::Condition::any().add(matches::Column::Status.eq(MatchStatus::Active)).add(
                sea_orm::Condition::all()
                    .add(matches::Column::Status.eq(MatchStatus::EndedEarly))
                    .add(matches::Column::EndDate.gte(listed_from)),
            ),
        )
        .order_by_asc(matches::Column::StartDate)
        .all(db)
        .await?;
    // Only the two columns needed (not the notes), in a set per view: one look-up per check-in.
    let group_done: std::collections::HashSet<(String, i32)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::MatchId)
        .column(check_in::Column::Month)
        .filter(check_in::Column::CitySlug.eq(city.as_str()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let household_done: std::collections::HashSet<(String, i32)> = household_check_in::Entity::find()
        .select_only()
        .column(household_check_in::Column::MatchId)
        .column(household_check_in::Column::Month)
        .filter(household_check_in::Column::CitySlug.eq(city.as_str()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for m in live {
        let occasions: Vec<(i32, NaiveDate, i64)> = match (m.status, m.start_date, m.end_date) {
            (MatchStatus::Active, Some(start), _) => CHECK_IN_MONTHS
                .into_iter()
                .filter_map(|month| due_date(start, month).map(|due| (month, due, OVERDUE_AFTER_DAYS)))
                .collect(),
            (MatchStatus::EndedEarly, _, Some(end)) => vec![(EXIT_MONTH, end, EXIT_DUE_DAYS)],
            _ => Vec::new(),
        };
        for (month, due, grace) in occasions {
            if due > today {
                continue;
            }
            for (view, done) in [(CheckInView::Household, &household_done), (CheckInView::Group, &group_done)] {
                if !done.contains(&(m.id.clone(), month)) {
                    out.push(DueCheckIn {
                        matched: m.clone(),
                        month,
                        view,
                        due,
                        overdue: (today - due).num_days() > grace,
                    });
                }
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
        // The household keeps its place in the queue, counting only the time it spent waiting:
        // its waiting start moves forward by the days it was in the match.
        let in_match = m.start_date.map(|s| (today - s).num_days().max(0)).unwrap_or(0);
        let am = newcomer::ActiveModel {
            id: Set(n.id.clone()),
            status: Set(NewcomerStatus::Waiting),
            waiting_since: Set(n.waiting_since + chrono::Duration::days(in_match)),
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
