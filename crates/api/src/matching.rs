//! Matching rounds, matches and recommendations in GraphQL.

use crate::{DB_COST, UNPAGED};
use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use entity::{matches, matching_run, newcomer, welcome_group};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::cities::{self, City};
use crate::connection::{Conn, from_page};
use crate::context::{both, caller};
use crate::error::{IntoGql, IntoGraphql};
use crate::groups::WelcomeGroup;
use crate::inputs::{DecisionSide, DeclineReason, MatchingObjective, RunMatchingInput};
use crate::loaders;
use crate::newcomers::Newcomer;
use crate::scalars::{Date, Timestamp};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use scripting::script::points;
use services::decisions::{self, MatchFilter};
use services::page::PageArgs;
use services::rounds;
use services::run_record;

/// One criterion's points in an explanation; the parts of an explanation sum to its score.
#[derive(SimpleObject, Clone)]
pub struct ScorePart {
    /// The criterion's name, as the city's script calls it.
    pub criterion: String,
    /// Points (rounded to hundredths).
    pub points: f64,
}

fn parts(v: &[(String, i64)]) -> Vec<ScorePart> {
    v.iter().map(|(k, p)| ScorePart { criterion: k.clone(), points: points(*p) }).collect()
}

/// Where a match stands.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::enums::MatchStatus")]
pub enum MatchStatus {
    /// Proposed by a round or by staff; waiting for both sides.
    Proposed,
    /// Both sides agreed: the twelve months run.
    Active,
    /// The twelve months are over.
    Completed,
    /// Ended before the twelve months were over.
    EndedEarly,
    /// Declined by one of the sides; the pair is proposed again only after a decline for the
    /// moment (TIMING, TEMPORARILY_UNAVAILABLE) and the city's pause, else never.
    Rejected,
}

/// Where a round stands.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::enums::RunStatus")]
pub enum RunStatus {
    /// Computed and stored as a record only; no matches.
    DryRun,
    /// Its matches are proposed; some are undecided.
    Proposed,
    /// Every match it proposed is decided.
    Decided,
}

/// Loads many newcomers by id in a few queries (chunks stay under parameter limits).
async fn newcomers_by_id(conn: &impl ConnectionTrait, ids: Vec<String>) -> AppResult<HashMap<String, newcomer::Model>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(services::db::IN_LIST_CHUNK) {
        for n in newcomer::Entity::find().filter(newcomer::Column::Id.is_in(chunk.iter().cloned())).all(conn).await? {
            out.insert(n.id.clone(), n);
        }
    }
    Ok(out)
}

/// A newcomer and a welcome group: proposed, then twelve months together.
pub struct Match(pub matches::Model);

/// A newcomer and a welcome group: proposed, then twelve months together.
#[Object]
impl Match {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The household.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn newcomer(&self, ctx: &Context<'_>) -> async_graphql::Result<Newcomer> {
        let run = async {
            // The household through the loader first, holding no database turn meanwhile (a
            // turn held while waiting would cap the batch at the request's few turns).
            let p = crate::context::caller(ctx)?;
            let n = loaders::one(&loaders::loaders(ctx)?.newcomers, &self.0.newcomer_id, "newcomer").await?;
            let (state, _turn) = crate::context::state_and_turn(ctx).await?;
            Newcomer::scoped(&state.db, n, p).await
        };
        run.await.gql()
    }
    /// The group.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<WelcomeGroup> {
        let run = async {
            crate::context::caller(ctx)?;
            Ok(WelcomeGroup::new(
                loaders::one(&loaders::loaders(ctx)?.groups, &self.0.group_id, "welcome group").await?,
            ))
        };
        run.await.gql()
    }
    /// The round that proposed it (none for a pair proposed by hand). Staff only.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn run(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MatchingRun>> {
        let run = async {
            let Some(id) = &self.0.run_id else { return Ok(None) };
            let scope = crate::context::caller(ctx)?.scope_for(domain::policy::Op::DecideMatches)?;
            match loaders::maybe(&loaders::loaders(ctx)?.runs, id).await? {
                Some(r) if scope.covers_city(&r.city_slug) => Ok(Some(MatchingRun(r))),
                _ => Err(AppError::NotFound("matching run")),
            }
        };
        run.await.gql()
    }
    /// Where the match stands.
    async fn status(&self) -> MatchStatus {
        self.0.status.into()
    }
    /// The score under the script that proposed it; the explanation sums to it.
    async fn score(&self) -> f64 {
        points(self.0.score)
    }
    /// Points per criterion; a pair staff proposed or locked against the script's eligibility
    /// has an `override` part worth 0 points.
    async fn explanation(&self) -> async_graphql::Result<Vec<ScorePart>> {
        Ok(parts(&run_record::explanation(&self.0.explanation).gql()?))
    }
    /// True when staff proposed or locked the pair although the city's script found it
    /// ineligible (an override, with a reason).
    async fn overridden(&self) -> bool {
        self.0.override_reason.is_some()
    }
    /// Staff's reason for the override, if the match is one. Staff only.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn override_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        staff_only(ctx, &self.0)?;
        let m = &self.0;
        crate::loaders::open(ctx, &m.id, services::sealed::MATCH_OVERRIDE_REASON, &m.id, m.override_reason.as_deref())
            .await
            .gql()
    }
    /// Date of the introduction meeting, if there was one.
    async fn introduction_date(&self) -> Option<Date> {
        self.0.introduction_date.map(Date)
    }
    /// First day of the twelve months.
    async fn start_date(&self) -> Option<Date> {
        self.0.start_date.map(Date)
    }
    /// Twelve months after the start.
    async fn planned_end_date(&self) -> Option<Date> {
        self.0.planned_end_date.map(Date)
    }
    /// Why it was rejected or ended, in staff's words. Staff only.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn end_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        staff_only(ctx, &self.0)?;
        let m = &self.0;
        crate::loaders::open(ctx, &m.id, services::sealed::MATCH_END_REASON, &m.id, m.end_reason.as_deref()).await.gql()
    }
    /// Coded reason of an early end.
    async fn end_reason_code(&self) -> Option<&str> {
        self.0.end_reason_code.as_deref()
    }
    /// Who declined it or ended it early; null while it is proposed or active, and for
    /// declines recorded before this was kept.
    async fn decision_side(&self) -> Option<DecisionSide> {
        self.0.decided_side.as_deref().and_then(domain::values::DecisionSide::parse).map(Into::into)
    }
    /// The coded reason of a decline.
    async fn decline_code(&self) -> Option<DeclineReason> {
        self.0.decline_code.as_deref().and_then(domain::values::DeclineReason::parse).map(Into::into)
    }
    /// From this day the declined pair may be proposed again (a decline for TIMING or
    /// TEMPORARILY_UNAVAILABLE); null: never again, or not declined.
    async fn proposable_again_on(&self) -> Option<Date> {
        self.0.proposable_again_on.map(Date)
    }
    /// The day it ended (early or completed).
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }
    /// What the group and household did together, newest first. A coordinator sees the
    /// activities their group logged (never staff's entries and notes).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + DB_COST")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<crate::year::ActivityLog>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = PageArgs::parse(first, after.as_deref())?;
            let page = services::year::activities(&state.db, p, &self.0, &args).await?;
            Ok(from_page(page, args.after.is_some(), |a| a.id.clone(), crate::year::ActivityLog))
        };
        run.await.gql()
    }
    /// The group's view of the check-ins recorded so far (months 3, 6 and 12; 0 for the exit
    /// check-in). Staff, the match's community builder, and the coordinator while the match is
    /// ACTIVE.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn check_ins(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::year::CheckIn>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            if p.role == domain::enums::Role::Coordinator && self.0.status != entity::MatchStatus::Active {
                return Err(AppError::forbidden("a group reads check-ins only while its match is ACTIVE"));
            }
            Ok(services::year::check_ins(&state.db, &self.0.id).await?.into_iter().map(crate::year::CheckIn).collect())
        };
        run.await.gql()
    }
    /// The household's own view of the check-ins recorded so far, asked without the group
    /// present. Staff and the match's community builder; for the group's coordinator null with
    /// a FORBIDDEN error on this field (the rest of the answer stands).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn household_check_ins(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<crate::year::HouseholdCheckIn>>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let rows = services::year::household_check_ins(&state.db, p, &self.0).await?;
            Ok(Some(rows.into_iter().map(crate::year::HouseholdCheckIn).collect()))
        };
        run.await.gql()
    }
    /// Id of the COMMUNITY_BUILDER account that supports this match, if one is assigned. Staff
    /// and that community builder.
    async fn community_builder_id(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ID>> {
        let run = async {
            let (_, p, _turn) = both(ctx).await?;
            if !matches!(
                p.role,
                domain::enums::Role::Admin | domain::enums::Role::CityAdmin | domain::enums::Role::CommunityBuilder
            ) {
                return Err(AppError::forbidden("only staff read who supports a match"));
            }
            Ok(self.0.community_builder_id.clone().map(ID))
        };
        run.await.gql()
    }
    /// When it was proposed.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// Staff's own texts on a match (reasons) are not for the group or anyone else outside staff.
fn staff_only(ctx: &Context<'_>, _m: &matches::Model) -> async_graphql::Result<()> {
    let p = caller(ctx).gql()?;
    match p.role {
        domain::enums::Role::Admin | domain::enums::Role::CityAdmin => Ok(()),
        _ => Err(AppError::forbidden("only staff read the reasons staff wrote").into_graphql()),
    }
}

/// A pair a round computed, for dry runs too.
pub struct ProposedPair {
    newcomer: newcomer::Model,
    group: welcome_group::Model,
    score: i64,
    explanation: Vec<ScorePart>,
    match_id: Option<String>,
}

/// A pair a round computed, for dry runs too.
#[Object]
impl ProposedPair {
    /// The household.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn newcomer(&self, ctx: &Context<'_>) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped(&state.db, self.newcomer.clone(), p).await
        };
        run.await.gql()
    }
    /// The group.
    async fn group(&self) -> WelcomeGroup {
        WelcomeGroup::new(self.group.clone())
    }
    /// The pair's score.
    async fn score(&self) -> f64 {
        points(self.score)
    }
    /// Points per criterion; they sum to the score.
    async fn explanation(&self) -> &[ScorePart] {
        &self.explanation
    }
    /// The stored match (none for a dry run).
    async fn r#match(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Match>> {
        let run = async {
            let Some(id) = &self.match_id else { return Ok(None) };
            crate::context::caller(ctx)?;
            Ok(loaders::maybe(&loaders::loaders(ctx)?.matches, id).await?.map(Match))
        };
        run.await.gql()
    }
}

/// A newcomer a round left unmatched, and why.
pub struct UnmatchedNewcomer {
    newcomer: newcomer::Model,
    reason: String,
}

/// A newcomer a round left unmatched, and why.
#[Object]
impl UnmatchedNewcomer {
    /// The household.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn newcomer(&self, ctx: &Context<'_>) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped(&state.db, self.newcomer.clone(), p).await
        };
        run.await.gql()
    }
    /// NO_ELIGIBLE_GROUP (the script found no group for them), ONLY_EXCLUDED_GROUPS (the
    /// groups the script allows were all excluded by staff, or declined or ended with this
    /// household before) or OUTNUMBERED (there were groups it could have, but the best
    /// assignment gave them to others) or RECONFIRMATION_DUE (left out of the round: its last
    /// confirmation is older than the city's `reconfirmAfterDays`; see `confirmStillWaiting`).
    async fn reason(&self) -> &str {
        &self.reason
    }
}

/// Match rate and mean score of one subgroup of a round's newcomers.
#[derive(SimpleObject)]
pub struct SubgroupQuality {
    /// The subgroup: a gender, a household type (SINGLE_ADULT, COUPLE_OR_ADULTS,
    /// FAMILY_WITH_CHILDREN) or a main language.
    pub group: String,
    /// Newcomers of the subgroup among the candidates.
    pub candidates: i32,
    /// Of them, matched.
    pub matched: i32,
    /// matched / candidates.
    pub match_rate: f64,
    /// Mean score of the matched.
    pub mean_score: f64,
    /// True where the subgroup's match rate is below four fifths of the overall rate.
    pub below_four_fifths: bool,
}

/// How good and how fair a round's proposal is.
pub struct QualityReport(run_record::Quality);

impl QualityReport {
    fn list(groups: &[run_record::Subgroup]) -> Vec<SubgroupQuality> {
        groups
            .iter()
            .map(|s| SubgroupQuality {
                group: s.group.clone(),
                candidates: s.candidates as i32,
                matched: s.matched as i32,
                match_rate: s.match_rate,
                mean_score: s.mean_score,
                below_four_fifths: s.below_four_fifths,
            })
            .collect()
    }
}

/// How good and how fair a round's proposal is.
#[Object]
impl QualityReport {
    /// Total score of a greedy assignment (best remaining pair first) on the same matrix.
    async fn greedy_total_score(&self) -> f64 {
        points(self.0.greedy_total)
    }
    /// Total score of the exact assignment.
    async fn exact_total_score(&self) -> f64 {
        points(self.0.exact_total)
    }
    /// True when a proposed pair's score from the fast native evaluator differed from Rhai's,
    /// so the whole round was scored again on Rhai alone (the proposals are Rhai's; see
    /// scoring-scripts/README.md). Worth reporting: it means the native evaluator is wrong for
    /// this script.
    async fn rescored_on_rhai(&self) -> bool {
        self.0.rescored_on_rhai
    }
    /// Pairs staff locked although the city's script found them ineligible (overrides, each
    /// with a reason on its match).
    async fn overrides(&self) -> i32 {
        self.0.overrides as i32
    }
    /// Share of candidate newcomers matched.
    async fn overall_match_rate(&self) -> f64 {
        self.0.overall_match_rate
    }
    /// By gender.
    async fn by_gender(&self) -> Vec<SubgroupQuality> {
        Self::list(&self.0.by_gender)
    }
    /// By household type.
    async fn by_household_type(&self) -> Vec<SubgroupQuality> {
        Self::list(&self.0.by_household_type)
    }
    /// By main language (the first native language).
    async fn by_main_language(&self) -> Vec<SubgroupQuality> {
        Self::list(&self.0.by_main_language)
    }
}

/// A matching round of one city, with everything needed to reproduce it.
pub struct MatchingRun(pub matching_run::Model);

impl MatchingRun {
    async fn load_pairs(&self, ctx: &Context<'_>) -> AppResult<Vec<ProposedPair>> {
        let (state, _, _turn) = both(ctx).await?;
        let raw: Vec<run_record::StoredPair> = run_record::read("matching_runs.pairs", &self.0.pairs)?;
        let n_ids: Vec<String> = raw.iter().map(|p| p.newcomer_id.clone()).collect();
        let g_ids: Vec<String> = raw.iter().map(|p| p.group_id.clone()).collect();
        let ns = newcomers_by_id(&state.db, n_ids).await?;
        let mut gs = HashMap::new();
        for chunk in g_ids.chunks(services::db::IN_LIST_CHUNK) {
            for g in welcome_group::Entity::find()
                .filter(welcome_group::Column::Id.is_in(chunk.iter().cloned()))
                .all(&state.db)
                .await?
            {
                gs.insert(g.id.clone(), g);
            }
        }
        Ok(raw
            .iter()
            .filter_map(|p| {
                // A household or group deleted since is left out (records are erased, not
                // deleted, so this does not happen in practice).
                Some(ProposedPair {
                    newcomer: ns.get(&p.newcomer_id)?.clone(),
                    group: gs.get(&p.group_id)?.clone(),
                    score: p.score,
                    explanation: parts(&p.parts),
                    match_id: p.match_id.clone(),
                })
            })
            .collect())
    }
}

/// A matching round of one city, with everything needed to reproduce it.
#[Object]
impl MatchingRun {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The city.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn city(&self, ctx: &Context<'_>) -> async_graphql::Result<City> {
        cities::load(ctx, &self.0.city_slug).await.gql()
    }
    /// DRY_RUN, PROPOSED or DECIDED.
    async fn status(&self) -> RunStatus {
        self.0.status.into()
    }
    /// The scoring-script version used.
    async fn script_version(&self) -> i32 {
        self.0.script_version
    }
    /// SHA-256 of that script's source.
    async fn script_sha256(&self) -> &str {
        &self.0.script_sha256
    }
    /// What the round optimised.
    async fn objective(&self) -> MatchingObjective {
        rounds::MatchingObjective::parse(&self.0.objective).into()
    }
    /// Sum of the scores of the pairs.
    async fn total_score(&self) -> f64 {
        points(self.0.total_score)
    }
    /// Newcomer-group pairs the script found eligible.
    async fn eligible_pairs(&self) -> i32 {
        self.0.eligible_pairs as i32
    }
    /// Candidate newcomers.
    async fn newcomer_count(&self) -> i32 {
        self.0.newcomer_count
    }
    /// Candidate groups.
    async fn group_count(&self) -> i32 {
        self.0.group_count
    }
    /// Pairs in the result.
    async fn matched_count(&self) -> i32 {
        self.0.matched_count
    }
    /// Why a round proposed nothing: NO_WAITING_HOUSEHOLDS (the city has no WAITING household
    /// without a live match), NO_READY_GROUPS (no READY group without one) or NOTHING_ELIGIBLE
    /// (the script, exclusions and earlier declines left no pair). Null when it proposed pairs.
    async fn empty_reason(&self) -> async_graphql::Result<Option<String>> {
        run_record::read::<run_record::Quality>("matching_runs.quality", &self.0.quality).map(|q| q.empty_reason).gql()
    }
    /// What the round computed, for dry runs too.
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn pairs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProposedPair>> {
        self.load_pairs(ctx).await.gql()
    }
    /// The stored matches it proposed (empty for a dry run).
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn matches(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Match>> {
        let run = async {
            let (state, _, _turn) = both(ctx).await?;
            Ok(rounds::run_matches(&state.db, &self.0.id).await?.into_iter().map(Match).collect())
        };
        run.await.gql()
    }
    /// Candidate newcomers left without a proposal.
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn unmatched_newcomers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Newcomer>> {
        let list = self.unmatched(ctx).await?;
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Newcomer::scoped_all(&state.db, list.into_iter().map(|u| u.newcomer).collect(), p).await
        };
        run.await.gql()
    }
    /// Candidate newcomers left without a proposal, with the reason.
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn unmatched(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UnmatchedNewcomer>> {
        let run = async {
            let (state, _, _turn) = both(ctx).await?;
            let raw: Vec<run_record::StoredUnmatched> = run_record::read("matching_runs.unmatched", &self.0.unmatched)?;
            let ids: Vec<String> = raw.iter().map(|u| u.newcomer_id.clone()).collect();
            let ns = newcomers_by_id(&state.db, ids).await?;
            Ok(raw
                .iter()
                .filter_map(|u| {
                    Some(UnmatchedNewcomer { newcomer: ns.get(&u.newcomer_id)?.clone(), reason: u.reason.clone() })
                })
                .collect())
        };
        run.await.gql()
    }
    /// Greedy comparison and subgroup match rates.
    async fn quality(&self) -> async_graphql::Result<QualityReport> {
        run_record::read("matching_runs.quality", &self.0.quality).map(QualityReport).gql()
    }
    /// SHA-256 over everything the round read (candidates and their versions, declined
    /// pairs, script, parameters): equal hashes mean a reproduction gives the same pairs.
    async fn inputs_hash(&self) -> &str {
        &self.0.inputs_hash
    }
    /// Wall time of the whole round (load, score, solve, store).
    async fn duration_ms(&self) -> i32 {
        self.0.duration_ms as i32
    }
    /// Time spent scoring pairs with the script.
    async fn score_ms(&self) -> i32 {
        self.0.score_ms as i32
    }
    /// Time spent in the exact solver.
    async fn solve_ms(&self) -> i32 {
        self.0.solve_ms as i32
    }
    /// When the round ran.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

/// A group recommended for one newcomer.
pub struct Recommendation(decisions::Recommendation);

/// A group recommended for one newcomer.
#[Object]
impl Recommendation {
    /// The group.
    async fn group(&self) -> WelcomeGroup {
        WelcomeGroup::new(self.0.group.clone())
    }
    /// Whether the city's script lets this pair be matched.
    async fn eligible(&self) -> bool {
        self.0.eligible
    }
    /// Why not, when not eligible.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The score the script gives the pair.
    async fn score(&self) -> f64 {
        points(self.0.score)
    }
    /// Points per criterion.
    async fn explanation(&self) -> Vec<ScorePart> {
        parts(&self.0.parts)
    }
}

#[derive(Default)]
pub struct MatchingQuery;

#[Object]
impl MatchingQuery {
    /// The WAITING households of a city whose last confirmation (registration, or staff's
    /// `confirmStillWaiting`) is older than the city's `reconfirmAfterDays`: rounds leave them
    /// out until staff confirm they still want a group. Longest due first. ADMIN and the
    /// city's CITY_ADMIN.
    #[graphql(complexity = "UNPAGED * child_complexity + DB_COST")]
    async fn reconfirmations_due(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug, e.g. \"almere\".")] city_slug: String,
    ) -> async_graphql::Result<Vec<Newcomer>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let due = decisions::reconfirmations_due(&state.db, p, &city_slug).await?;
            Newcomer::scoped_all(&state.db, due, p).await
        };
        run.await.gql()
    }

    /// Matches the caller may see (a coordinator: their group's), oldest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + DB_COST")]
    async fn matches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only matches of this city (FORBIDDEN for a city outside the caller's scope).")]
        city_slug: Option<String>,
        #[graphql(desc = "Only matches with this status.")] status: Option<MatchStatus>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted for the first page.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Match>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let args = PageArgs::parse(first, after.as_deref())?;
            let page =
                decisions::list(&state.db, p, MatchFilter { city: city_slug, status: status.map(Into::into) }, &args)
                    .await?;
            Ok(from_page(page, args.after.is_some(), |m| m.id.clone(), Match))
        };
        run.await.gql()
    }

    /// One match; NOT_FOUND outside the caller's scope.
    async fn r#match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the match.")] id: ID,
    ) -> async_graphql::Result<Option<Match>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            decisions::find_scoped(&state.db, p, Op::ReadMatches, &id).await.map(|m| Some(Match(m)))
        };
        run.await.gql()
    }

    /// One matching round. ADMIN and the city's CITY_ADMIN.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn matching_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the matching run (a round or a dry run).")] id: ID,
    ) -> async_graphql::Result<Option<MatchingRun>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            rounds::get_run(&state.db, p, &id).await.map(|r| Some(MatchingRun(r)))
        };
        run.await.gql()
    }

    /// The best groups for one WAITING newcomer, eligible ones first, for matching by hand.
    #[graphql(complexity = "limit.clamp(1, 50) as usize * child_complexity + DB_COST")]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of a WAITING newcomer household.")] newcomer_id: ID,
        #[graphql(default = 5, desc = "How many groups at most, 1-50 (default 5).")] limit: i32,
    ) -> async_graphql::Result<Vec<Recommendation>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            Ok(decisions::recommendations(&state.db, &state.scoring, state.settings.today(), p, &newcomer_id, limit)
                .await?
                .into_iter()
                .map(Recommendation)
                .collect())
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct MatchingMutation;

#[Object]
impl MatchingMutation {
    /// Runs a matching round for one city: the exact best assignment of its WAITING newcomers
    /// to its READY groups under the city's active script. Its pairs become PROPOSED matches
    /// (a dry run stores only the run record).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn run_matching(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city, the objective and the pairs locked in or excluded.")] input: RunMatchingInput,
    ) -> async_graphql::Result<MatchingRun> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            rounds::run(
                &state.db,
                &state.vault,
                &state.scoring,
                &state.metrics,
                state.settings.today(),
                p,
                input.into(),
            )
            .await
            .map(MatchingRun)
        };
        run.await.gql()
    }

    /// Both sides agreed: PROPOSED -> ACTIVE, the twelve months start today; newcomer and
    /// group MATCHED.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn accept_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the PROPOSED match.")] id: ID,
        #[graphql(desc = "Date the household and the group first met, if they have (not in the future).")]
        introduction_date: Option<Date>,
    ) -> async_graphql::Result<Match> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            decisions::accept(&state.db, state.settings.today(), p, &id, introduction_date.map(|d| d.0))
                .await
                .map(Match)
        };
        run.await.gql()
    }

    /// One side declined: PROPOSED -> REJECTED; both are candidates again. The pair is never
    /// proposed again, unless the reason code is TIMING or TEMPORARILY_UNAVAILABLE: then it may
    /// be proposed again from `proposableAgainOn` (today plus the city's pause).
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn reject_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the PROPOSED match.")] id: ID,
        #[graphql(desc = "Why the match is declined (1-2000 characters; staff read it).")] reason: String,
        #[graphql(default_with = "DecisionSide::Staff", desc = "Who declined (default STAFF).")] side: DecisionSide,
        #[graphql(default_with = "DeclineReason::Other", desc = "The reason as a code (default OTHER).")]
        reason_code: DeclineReason,
    ) -> async_graphql::Result<Match> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let decline = decisions::Decline { side: side.into(), code: reason_code.into(), reason };
            decisions::reject(&state.db, &state.vault, state.settings.today(), p, &id, decline).await.map(Match)
        };
        run.await.gql()
    }

    /// Proposes one pair by hand, through the same rules as a round. With `overrideReason`,
    /// staff propose a pair the city's script finds ineligible (an override: stored on the
    /// match, audited, an `override` part in its explanation); without it such a pair is refused.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn propose_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of a WAITING newcomer household.")] newcomer_id: ID,
        #[graphql(desc = "Id of a READY welcome group.")] group_id: ID,
        #[graphql(
            desc = "Why staff propose the pair although the script finds it ineligible (1-500 characters, e.g. an interpreter was arranged). Staff of the city read it."
        )]
        override_reason: Option<String>,
    ) -> async_graphql::Result<Match> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            decisions::propose_by_hand(
                &state.db,
                &state.vault,
                &state.scoring,
                state.settings.today(),
                p,
                decisions::HandProposal {
                    newcomer_id: &newcomer_id,
                    group_id: &group_id,
                    override_reason: override_reason.as_deref(),
                },
            )
            .await
            .map(Match)
        };
        run.await.gql()
    }

    /// Records that a WAITING household still wants a group (asked by staff); its period
    /// before the next re-confirmation starts again, and rounds consider it again. Audited.
    /// ADMIN and the city's CITY_ADMIN.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn confirm_still_waiting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the WAITING newcomer household.")] newcomer_id: ID,
    ) -> async_graphql::Result<Newcomer> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            let n = decisions::confirm_still_waiting(&state.db, p, &newcomer_id).await?;
            Newcomer::scoped(&state.db, n, p).await
        };
        run.await.gql()
    }
}
