//! The year together in GraphQL: activities, check-ins, ending and completing matches,
//! statistics, criterion outcomes and the audit log.

use crate::{DB_COST, UNPAGED};
use async_graphql::{Context, ID, Object, SimpleObject};
use entity::{activity_log, audit_log, check_in, contact_read, household_check_in};

use crate::connection::{Conn, from_page};
use crate::context::both;
use crate::enums::CefrLevel;
use crate::error::IntoGql;
use crate::inputs::{
    ActivityInput, ActivityKind, AuditFilter, BaselineInput, CheckInInput, CheckInView, ContactReadFilter,
    DecisionSide, EndReason, HouseholdCheckInInput, WorkStatus,
};
use crate::matching::Match;
use crate::scalars::{Date, Timestamp};
use services::audit;
use services::page::PageArgs;
use services::stats::{self, Count};
use services::year as svc;

/// Something the group and the household did together.
pub struct ActivityLog(pub activity_log::Model);

/// Something the group and the household did together.
#[Object]
impl ActivityLog {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// When it happened.
    async fn date(&self) -> Date {
        Date(self.0.date)
    }
    /// What it was.
    async fn kind(&self) -> ActivityKind {
        svc::ActivityKind::parse(&self.0.kind).into()
    }
    /// Minutes.
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }
    /// People taking part.
    async fn participants(&self) -> i32 {
        self.0.participants
    }
    /// Free text (personal data: staff and the match's coordinator only; never exported).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let a = &self.0;
        crate::loaders::open(ctx, &a.match_id, services::sealed::ACTIVITY_NOTES, &a.id, a.notes.as_deref()).await.gql()
    }
    /// Id of the user who logged it.
    async fn logged_by_id(&self) -> &str {
        &self.0.logged_by
    }
    /// When it was logged.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// The group's view of the check-in of month 3, 6 or 12 (or 0: the exit check-in).
pub struct CheckIn(pub check_in::Model);

/// The group's view of the check-in of month 3, 6 or 12, or of the exit check-in after an early
/// end (month 0). The household's own answers are `Match.householdCheckIns`.
#[Object]
impl CheckIn {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// 3, 6 or 12; 0 for the exit check-in.
    async fn month(&self) -> i32 {
        self.0.month
    }
    /// Whose answers these are: always GROUP here.
    async fn view(&self) -> CheckInView {
        CheckInView::Group
    }
    /// 1-5: the household's satisfaction as the group sees it (check-ins recorded before the
    /// two views existed hold what was asked of the household then).
    async fn newcomer_satisfaction(&self) -> i32 {
        self.0.newcomer_satisfaction
    }
    /// 1-5, from the group.
    async fn group_satisfaction(&self) -> i32 {
        self.0.group_satisfaction
    }
    /// The newcomer's Dutch level at the check-in.
    async fn dutch_level(&self) -> Option<CefrLevel> {
        Some(self.0.dutch_level.into())
    }
    /// Work or education status at the check-in.
    async fn work_status(&self) -> WorkStatus {
        svc::WorkStatus::parse(&self.0.work_status).into()
    }
    /// People in the newcomer's social network beyond the group.
    async fn network_size(&self) -> i32 {
        self.0.network_size
    }
    /// Free text (personal data; never exported).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let c = &self.0;
        crate::loaders::open(ctx, &c.match_id, services::sealed::CHECK_IN_NOTES, &c.id, c.notes.as_deref()).await.gql()
    }
    /// Id of the user who recorded it.
    async fn recorded_by_id(&self) -> &str {
        &self.0.recorded_by
    }
    /// When it was recorded.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// The household's own view of a check-in, asked without the group present. Staff and the
/// match's community builder only; never the group.
pub struct HouseholdCheckIn(pub household_check_in::Model);

/// The household's own view of the check-in of month 3, 6 or 12, or of the exit check-in after
/// an early end (month 0). Staff and the match's community builder only; never the group.
#[Object]
impl HouseholdCheckIn {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// 3, 6 or 12; 0 for the exit check-in.
    async fn month(&self) -> i32 {
        self.0.month
    }
    /// Whose answers these are: always HOUSEHOLD here.
    async fn view(&self) -> CheckInView {
        CheckInView::Household
    }
    /// 1-5: the household's satisfaction with the match.
    async fn satisfaction(&self) -> i32 {
        self.0.satisfaction
    }
    /// 1-5: the household's well-being.
    async fn wellbeing(&self) -> i32 {
        self.0.wellbeing
    }
    /// The household's Dutch level at the check-in.
    async fn dutch_level(&self) -> CefrLevel {
        self.0.dutch_level.into()
    }
    /// Work or education at the check-in.
    async fn work_status(&self) -> WorkStatus {
        svc::WorkStatus::parse(&self.0.work_status).into()
    }
    /// People in the household's social network beyond the group.
    async fn network_size(&self) -> i32 {
        self.0.network_size
    }
    /// Free text (personal data; never exported).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let c = &self.0;
        let column = services::sealed::HOUSEHOLD_CHECK_IN_NOTES;
        crate::loaders::open(ctx, &c.match_id, column, &c.id, c.notes.as_deref()).await.gql()
    }
    /// Id of the user who recorded it.
    async fn recorded_by_id(&self) -> &str {
        &self.0.recorded_by
    }
    /// When it was recorded.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// A check-in that fell due and is missing.
pub struct DueCheckIn(svc::DueCheckIn);

/// A check-in that fell due and is missing.
#[Object]
impl DueCheckIn {
    /// The match.
    async fn r#match(&self) -> Match {
        Match(self.0.matched.clone())
    }
    /// 3, 6 or 12; 0 for the exit check-in after an early end.
    async fn month(&self) -> i32 {
        self.0.month
    }
    /// Whose answers are missing: the household's (a community builder or staff asks them) or
    /// the group's (its coordinator records them).
    async fn view(&self) -> CheckInView {
        self.0.view.into()
    }
    /// The day it fell due (for the exit check-in: the day the match ended).
    async fn due_date(&self) -> Date {
        Date(self.0.due)
    }
    /// True more than 14 days after the due date (30 for the exit check-in).
    async fn overdue(&self) -> bool {
        self.0.overdue
    }
}

/// A count; for ANALYST a count below 5 is suppressed and shown as "<5".
#[derive(SimpleObject)]
pub struct SuppressibleCount {
    /// The count, or null where suppressed.
    pub value: Option<i32>,
    /// True where the count is withheld: below 5, or (secondary suppression) a count that
    /// would otherwise give a small one back by subtraction from a total shown beside it.
    pub suppressed: bool,
    /// The count as text: "12", or "<5" where suppressed (for a secondary suppression too, so
    /// the two cannot be told apart).
    pub display: String,
}

impl From<Count> for SuppressibleCount {
    fn from(c: Count) -> Self {
        if c.suppressed {
            Self { value: None, suppressed: true, display: format!("<{}", stats::MIN_COUNT) }
        } else {
            Self { value: Some(c.value as i32), suppressed: false, display: c.value.to_string() }
        }
    }
}

/// Ended-early matches with one reason.
#[derive(SimpleObject)]
pub struct ReasonCount {
    /// The reason code (an `EndReason` value).
    pub reason: String,
    /// How many matches ended early for it.
    pub count: SuppressibleCount,
}

/// Activities of one kind in one month.
#[derive(SimpleObject)]
pub struct ActivityCount {
    /// "YYYY-MM".
    pub month: String,
    /// The kind of activity (an `ActivityKind` value).
    pub kind: String,
    /// How many were logged.
    pub count: SuppressibleCount,
}

/// Check-in averages of one month (3, 6 or 12); averages are null where too few to show.
#[derive(SimpleObject)]
pub struct CheckInAverages {
    /// The check-in month: 3, 6 or 12.
    pub month: i32,
    /// How many check-ins of that month were recorded.
    pub count: SuppressibleCount,
    /// Mean satisfaction of the newcomers (1-5).
    pub mean_newcomer_satisfaction: Option<f64>,
    /// Mean satisfaction of the groups (1-5).
    pub mean_group_satisfaction: Option<f64>,
    /// Mean size of the newcomers' network beyond the group.
    pub mean_network_size: Option<f64>,
}

/// A city's programme in numbers.
#[derive(SimpleObject)]
pub struct CityStatistics {
    /// The city.
    pub city_slug: String,
    /// WAITING newcomers.
    pub waiting_newcomers: SuppressibleCount,
    /// Median days the WAITING newcomers have waited (null where suppressed).
    pub median_waiting_days: Option<f64>,
    /// READY groups.
    pub ready_groups: SuppressibleCount,
    /// ACTIVE matches: the year together is running.
    pub active_matches: SuppressibleCount,
    /// COMPLETED matches: twelve months together.
    pub completed_matches: SuppressibleCount,
    /// Matches ENDED_EARLY.
    pub ended_early_matches: SuppressibleCount,
    /// Ended-early matches by reason code.
    pub ended_early_by_reason: Vec<ReasonCount>,
    /// Activities per kind per month.
    pub activities_per_month: Vec<ActivityCount>,
    /// Check-in averages per check-in month.
    pub check_ins: Vec<CheckInAverages>,
}

/// Outcomes of the matches on one side of a criterion's median.
#[derive(SimpleObject)]
pub struct OutcomeSummary {
    /// Matches on this side.
    pub matches: SuppressibleCount,
    /// Of them, with at least one check-in (the satisfaction and network figures).
    pub matches_with_check_ins: SuppressibleCount,
    /// Mean newcomer satisfaction at the latest check-in (1-5).
    pub mean_newcomer_satisfaction: Option<f64>,
    /// Mean group satisfaction at the latest check-in (1-5).
    pub mean_group_satisfaction: Option<f64>,
    /// Mean social-network size at the latest check-in.
    pub mean_network_size: Option<f64>,
    /// Mean CEFR steps gained between the start and the latest check-in.
    pub mean_dutch_progress: Option<f64>,
    /// Share of these matches that ended early.
    pub ended_early_rate: Option<f64>,
}

impl From<stats::OutcomeSummary> for OutcomeSummary {
    fn from(s: stats::OutcomeSummary) -> Self {
        Self {
            matches: s.matches.into(),
            matches_with_check_ins: s.with_check_ins.into(),
            mean_newcomer_satisfaction: s.newcomer_satisfaction,
            mean_group_satisfaction: s.group_satisfaction,
            mean_network_size: s.network_size,
            mean_dutch_progress: s.dutch_progress,
            ended_early_rate: s.ended_early_rate,
        }
    }
}

/// What the outcomes say about one criterion of the city's scripts.
#[derive(SimpleObject)]
pub struct CriterionOutcome {
    /// The version of the city's scoring script whose rounds proposed the matches compared;
    /// null for matches proposed by hand (no round, so no version). Versions are never pooled:
    /// with other weights or rules the same criterion's points mean something else. The number
    /// of matches behind each figure is in `high.matches` and `low.matches`.
    pub script_version: Option<i32>,
    /// The criterion's name in the explanations.
    pub criterion: String,
    /// The median points of this criterion; "high" means more than this.
    pub threshold: f64,
    /// Matches where the criterion scored above its median.
    pub high: OutcomeSummary,
    /// The other matches.
    pub low: OutcomeSummary,
}

/// One reader's reads of one person's contact details on one day: who, whose, which fields,
/// how often. Ids and codes only.
pub struct ContactReadEntry(contact_read::Model);

/// One reader's reads of one person's contact details on one day: who, whose, which fields,
/// how often. Ids and codes only.
#[Object]
impl ContactReadEntry {
    /// Opaque id; ids grow with the day's first read, so the newest has the greatest.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The day of the reads (the programme's time zone).
    async fn day(&self) -> Date {
        Date(self.0.day)
    }
    /// The user who read.
    async fn actor_id(&self) -> &str {
        &self.0.actor_user_id
    }
    /// Their role then.
    async fn actor_role(&self) -> &str {
        &self.0.actor_role
    }
    /// "newcomer" or "group_member".
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// The person's record id.
    async fn entity_id(&self) -> &str {
        &self.0.entity_id
    }
    /// The city concerned.
    async fn city_slug(&self) -> Option<&str> {
        self.0.city_slug.as_deref()
    }
    /// The fields read that day: "email", "phone".
    async fn fields(&self) -> Vec<&'static str> {
        audit::field_names(self.0.fields)
    }
    /// How many requests read them that day.
    async fn reads(&self) -> i64 {
        self.0.reads
    }
    /// The day's first read.
    async fn first_at(&self) -> Timestamp {
        Timestamp(self.0.first_at)
    }
    /// The day's last read.
    async fn last_at(&self) -> Timestamp {
        Timestamp(self.0.last_at)
    }
    /// The request of the last read (to find it in the server log).
    async fn last_request_id(&self) -> Option<&str> {
        self.0.last_request_id.as_deref()
    }
}

/// One audit-log entry: who did what to which record, when. Ids and codes only.
pub struct AuditEntry(audit_log::Model);

/// One audit-log entry: who did what to which record, when. Ids and codes only.
#[Object]
impl AuditEntry {
    /// Opaque id; ids grow with time, so the newest entry has the greatest.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// When.
    async fn at(&self) -> Timestamp {
        Timestamp(self.0.at)
    }
    /// The user who acted (none for the system and the CLI).
    async fn actor_id(&self) -> Option<&str> {
        self.0.actor_user_id.as_deref()
    }
    /// Their role then.
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor_role.as_deref()
    }
    /// What was done, e.g. "newcomer.register".
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of record.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// The record's id.
    async fn entity_id(&self) -> &str {
        &self.0.entity_id
    }
    /// The city concerned.
    async fn city_slug(&self) -> Option<&str> {
        self.0.city_slug.as_deref()
    }
    /// The HTTP request it happened in.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// Non-personal facts: changed field names, status codes, counts (JSON).
    async fn details(&self) -> String {
        self.0.details.to_string()
    }
}

#[derive(Default)]
pub struct YearQuery;

#[Object]
impl YearQuery {
    /// Check-ins that fell due and are missing, one line per view, for staff reminders: months
    /// 3, 6 and 12 of ACTIVE matches, and the exit check-ins of matches that ended early in the
    /// last 90 days.
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn check_ins_due(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city whose ACTIVE matches are checked.")] city_slug: String,
    ) -> async_graphql::Result<Vec<DueCheckIn>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(svc::check_ins_due(&state.db, state.settings.today(), p, &city_slug)
                .await?
                .into_iter()
                .map(DueCheckIn)
                .collect())
        };
        run.await.gql()
    }

    /// MATCHED groups that fell below the minimum number of members (a member left), for staff
    /// to act on. Staff.
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn groups_below_minimum(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city whose MATCHED groups are checked.")] city_slug: String,
    ) -> async_graphql::Result<Vec<crate::groups::WelcomeGroup>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let groups = services::groups::below_minimum(&state.db, p, &city_slug).await?;
            Ok(groups.into_iter().map(crate::groups::WelcomeGroup::new).collect())
        };
        run.await.gql()
    }

    /// ACTIVE matches past their planned end, to complete.
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn matches_due_for_completion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city whose ACTIVE matches are checked.")] city_slug: String,
    ) -> async_graphql::Result<Vec<Match>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(svc::due_for_completion(&state.db, state.settings.today(), p, &city_slug)
                .await?
                .into_iter()
                .map(Match)
                .collect())
        };
        run.await.gql()
    }

    /// The city's programme in numbers. ADMIN, the city's CITY_ADMIN, and ANALYST (counts
    /// below 5 suppressed).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn city_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city.")] city_slug: String,
    ) -> async_graphql::Result<CityStatistics> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let s = stats::city_statistics(&state.db, state.settings.today(), p, &city_slug).await?;
            Ok(CityStatistics {
                city_slug: s.city,
                waiting_newcomers: s.waiting_newcomers.into(),
                median_waiting_days: s.median_waiting_days,
                ready_groups: s.ready_groups.into(),
                active_matches: s.active_matches.into(),
                completed_matches: s.completed_matches.into(),
                ended_early_matches: s.ended_early_matches.into(),
                ended_early_by_reason: s
                    .ended_early_by_reason
                    .into_iter()
                    .map(|(reason, c)| ReasonCount { reason, count: c.into() })
                    .collect(),
                activities_per_month: s
                    .activities
                    .into_iter()
                    .map(|(month, kind, c)| ActivityCount { month, kind, count: c.into() })
                    .collect(),
                check_ins: s
                    .check_ins
                    .into_iter()
                    .map(|c| CheckInAverages {
                        month: c.month,
                        count: c.count.into(),
                        mean_newcomer_satisfaction: c.newcomer_satisfaction,
                        mean_group_satisfaction: c.group_satisfaction,
                        mean_network_size: c.network_size,
                    })
                    .collect(),
            })
        };
        run.await.gql()
    }

    /// For each version of the city's script and each criterion of its explanations: the
    /// outcomes of matches where it scored high against those where it scored low, one entry
    /// per version and criterion. See the README, "Reading criterion outcomes".
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn criterion_outcomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city.")] city_slug: String,
    ) -> async_graphql::Result<Vec<CriterionOutcome>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(stats::criterion_outcomes(&state.db, p, &city_slug)
                .await?
                .into_iter()
                .map(|c| CriterionOutcome {
                    script_version: c.script_version,
                    criterion: c.criterion,
                    threshold: c.threshold,
                    high: c.high.into(),
                    low: c.low.into(),
                })
                .collect())
        };
        run.await.gql()
    }

    /// The audit log, newest first. ADMIN everything; CITY_ADMIN their city.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + DB_COST")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries that match every filter given.")] filter: Option<AuditFilter>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<AuditEntry>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = PageArgs::parse(first, after.as_deref())?;
            let page = audit::list(&state.db, p, filter.map(Into::into).unwrap_or_default(), &args).await?;
            Ok(from_page(page, args.after.is_some(), |a| a.id.clone(), AuditEntry))
        };
        run.await.gql()
    }

    /// Who read which person's contact details, one entry per reader, person and day with
    /// the fields read and how often; newest first. ADMIN everything; CITY_ADMIN their city.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + DB_COST")]
    async fn contact_reads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries that match every filter given.")] filter: Option<ContactReadFilter>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<ContactReadEntry>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = PageArgs::parse(first, after.as_deref())?;
            let filter = filter.map(Into::into).unwrap_or_default();
            let page = audit::list_contact_reads(&state.db, p, filter, &args).await?;
            Ok(from_page(page, args.after.is_some(), |a| a.id.clone(), ContactReadEntry))
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct YearMutation;

#[Object]
impl YearMutation {
    /// Logs an activity of an ACTIVE match: its coordinator, or staff.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn log_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the ACTIVE match.")] match_id: ID,
        #[graphql(desc = "The activity.")] input: ActivityInput,
    ) -> async_graphql::Result<ActivityLog> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::log_activity(&state.db, &state.vault, state.settings.today(), p, &match_id, input.into())
                .await
                .map(ActivityLog)
        };
        run.await.gql()
    }

    /// Corrects an activity: only its author, within 14 days of logging it.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the logged activity.")] id: ID,
        #[graphql(desc = "The activity as it should read now.")] input: ActivityInput,
    ) -> async_graphql::Result<ActivityLog> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::update_activity(&state.db, &state.vault, state.settings.today(), p, &id, input.into())
                .await
                .map(ActivityLog)
        };
        run.await.gql()
    }

    /// Records the group's view of the check-in of month 3, 6 or 12 (once each, not before it is
    /// due), or of the exit check-in (month 0) after an early end: its coordinator, its community
    /// builder, or staff.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn record_check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the ACTIVE match.")] match_id: ID,
        #[graphql(desc = "The check-in.")] input: CheckInInput,
    ) -> async_graphql::Result<CheckIn> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::record_check_in(&state.db, &state.vault, state.settings.today(), p, &match_id, input.into())
                .await
                .map(CheckIn)
        };
        run.await.gql()
    }

    /// Records the household's own view of the check-in of month 3, 6 or 12 (once each, not
    /// before it is due), or of the exit check-in (month 0) after an early end: the match's
    /// community builder or staff, never the group.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn record_household_check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the match.")] match_id: ID,
        #[graphql(desc = "The household's answers.")] input: HouseholdCheckInInput,
    ) -> async_graphql::Result<HouseholdCheckIn> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let today = state.settings.today();
            svc::record_household_check_in(&state.db, &state.vault, today, p, &match_id, input.into())
                .await
                .map(HouseholdCheckIn)
        };
        run.await.gql()
    }

    /// Assigns the COMMUNITY_BUILDER who supports a match (one of its city), or nobody with
    /// `userId: null`. Staff.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn assign_community_builder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the match.")] match_id: ID,
        #[graphql(desc = "Id of the community builder's account; null to unassign.")] user_id: Option<ID>,
    ) -> async_graphql::Result<Match> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::assign_community_builder(&state.db, p, &match_id, user_id.as_ref().map(|u| u.as_str()))
                .await
                .map(Match)
        };
        run.await.gql()
    }

    /// Records (or takes again) a household's baseline: staff, the partner that registered it,
    /// or the community builder of its match.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn record_baseline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the newcomer household.")] newcomer_id: ID,
        #[graphql(desc = "The baseline.")] input: BaselineInput,
    ) -> async_graphql::Result<crate::newcomers::Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let n = svc::record_baseline(&state.db, state.settings.today(), p, &newcomer_id, input.into()).await?;
            crate::newcomers::Newcomer::scoped(&state.db, n, p).await
        };
        run.await.gql()
    }

    /// ACTIVE -> ENDED_EARLY; the newcomer is WAITING again (keeping the time it waited before);
    /// the group READY again (WITHDRAWN when it dissolved); this pair is never proposed again.
    async fn end_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the ACTIVE match.")] id: ID,
        #[graphql(desc = "What happened, in words (1-2000 characters; staff read it).")] reason: String,
        #[graphql(default_with = "EndReason::Other", desc = "The reason as a code, for statistics (default OTHER).")]
        reason_code: EndReason,
        #[graphql(default_with = "DecisionSide::Staff", desc = "Who asked to end it (default STAFF).")]
        side: DecisionSide,
    ) -> async_graphql::Result<Match> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let ended = (reason_code.into(), side.into());
            svc::end_match(&state.db, &state.vault, state.settings.today(), p, &id, &reason, ended).await.map(Match)
        };
        run.await.gql()
    }

    /// After the twelve months: ACTIVE -> COMPLETED; newcomer and group COMPLETED.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn complete_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the ACTIVE match whose twelve months are over.")] id: ID,
    ) -> async_graphql::Result<Match> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::complete_match(&state.db, state.settings.today(), p, &id).await.map(Match)
        };
        run.await.gql()
    }
}
