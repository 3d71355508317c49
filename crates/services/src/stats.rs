//! Statistics for staff and analysts, and what the outcomes teach about each criterion.
//! For ANALYST every count below five is shown as "<5" (and figures computed from fewer than
//! five matches are withheld), so no one can be singled out.

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use entity::{GroupStatus, MatchStatus, NewcomerStatus, activity_log, check_in, matches, newcomer, welcome_group};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use domain::error::AppResult;
use domain::policy::Op;
use domain::policy::Principal;
use scripting::api::cefr_rank;

/// Counts below this are suppressed for analysts.
pub const MIN_COUNT: u64 = 5;

/// A count that may be suppressed.
#[derive(Clone, Copy, Debug)]
pub struct Count {
    pub value: u64,
    pub suppressed: bool,
}

impl Count {
    pub(crate) fn new(value: u64, suppress_small: bool) -> Self {
        Self { value, suppressed: suppress_small && value < MIN_COUNT }
    }
}

/// A mean over `n` records: withheld where the count is suppressed.
fn mean(sum: f64, n: u64, suppress_small: bool) -> Option<f64> {
    if n == 0 || (suppress_small && n < MIN_COUNT) { None } else { Some(sum / n as f64) }
}

pub struct Statistics {
    pub city: String,
    pub waiting_newcomers: Count,
    pub median_waiting_days: Option<f64>,
    pub ready_groups: Count,
    pub active_matches: Count,
    pub completed_matches: Count,
    pub ended_early_matches: Count,
    pub ended_early_by_reason: Vec<(String, Count)>,
    pub activities: Vec<(String, String, Count)>,
    pub check_ins: Vec<CheckInStats>,
}

pub struct CheckInStats {
    pub month: i32,
    pub count: Count,
    pub newcomer_satisfaction: Option<f64>,
    pub group_satisfaction: Option<f64>,
    pub network_size: Option<f64>,
}

async fn city_for_stats(db: &DatabaseConnection, p: &Principal, city: &str) -> AppResult<(String, bool)> {
    let city = crate::rounds::city_in_scope(db, p, Op::Statistics, city).await?;
    Ok((city, p.role == domain::enums::Role::Analyst))
}

pub(crate) fn median(mut v: Vec<i64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) { (v[mid - 1] + v[mid]) as f64 / 2.0 } else { v[mid] as f64 })
}

/// Secondary suppression: where a total is shown and exactly one of its parts is suppressed,
/// the part would come back by subtraction (total minus the parts shown), so the smallest
/// part still shown is suppressed as well.
pub(crate) fn protect_parts(parts: &mut [Count], total: Count) {
    if total.suppressed || parts.iter().filter(|c| c.suppressed).count() != 1 {
        return;
    }
    if let Some(next) = parts.iter_mut().filter(|c| !c.suppressed).min_by_key(|c| c.value) {
        next.suppressed = true;
    }
}

/// The city's statistics, counted by the database: only the columns a figure needs are read
/// (the waiting start of waiting households for the median; dates and kinds of activities),
/// never whole rows with their notes and explanations.
pub async fn city_statistics(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    city: &str,
) -> AppResult<Statistics> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Alias, Expr, Func};
    let sum = |c: check_in::Column| Expr::expr(Func::cast_as(Func::sum(Expr::col(c)), Alias::new("BIGINT")));
    let (city, suppress) = city_for_stats(db, p, city).await?;
    let waiting_since: Vec<chrono::DateTime<chrono::Utc>> = newcomer::Entity::find()
        .select_only()
        .column(newcomer::Column::WaitingSince)
        .filter(newcomer::Column::CitySlug.eq(city.as_str()))
        .filter(newcomer::Column::Status.eq(NewcomerStatus::Waiting))
        .into_tuple()
        .all(db)
        .await?;
    let waiting_days: Vec<i64> =
        waiting_since.iter().map(|t| (today - domain::time::local_date(*t)).num_days().max(0)).collect();
    let ready = welcome_group::Entity::find()
        .filter(welcome_group::Column::CitySlug.eq(city.as_str()))
        .filter(welcome_group::Column::Status.eq(GroupStatus::Ready))
        .count(db)
        .await?;
    let by_status_and_reason: Vec<(MatchStatus, Option<String>, i64)> = matches::Entity::find()
        .select_only()
        .column(matches::Column::Status)
        .column(matches::Column::EndReasonCode)
        .column_as(Expr::expr(Func::count(Expr::col(matches::Column::Id))), "n")
        .filter(matches::Column::CitySlug.eq(city.as_str()))
        .group_by(matches::Column::Status)
        .group_by(matches::Column::EndReasonCode)
        .into_tuple()
        .all(db)
        .await?;
    let count_status = |s: MatchStatus| {
        by_status_and_reason.iter().filter(|(st, _, _)| *st == s).map(|(_, _, n)| *n as u64).sum::<u64>()
    };
    let mut by_reason: BTreeMap<String, u64> = BTreeMap::new();
    for (_, reason, n) in by_status_and_reason.iter().filter(|(st, _, _)| *st == MatchStatus::EndedEarly) {
        *by_reason.entry(reason.clone().unwrap_or_else(|| "OTHER".into())).or_default() += *n as u64;
    }
    let mut activities: BTreeMap<(String, String), u64> = BTreeMap::new();
    let dated: Vec<(chrono::NaiveDate, String)> = activity_log::Entity::find()
        .select_only()
        .column(activity_log::Column::Date)
        .column(activity_log::Column::Kind)
        .filter(activity_log::Column::CitySlug.eq(city.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    for (date, kind) in dated {
        *activities.entry((format!("{:04}-{:02}", date.year(), date.month()), kind)).or_default() += 1;
    }
    let checks: Vec<(i32, i64, i64, i64, i64)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::Month)
        .column_as(Expr::expr(Func::count(Expr::col(check_in::Column::Id))), "n")
        .column_as(sum(check_in::Column::NewcomerSatisfaction), "s1")
        .column_as(sum(check_in::Column::GroupSatisfaction), "s2")
        .column_as(sum(check_in::Column::NetworkSize), "s3")
        .filter(check_in::Column::CitySlug.eq(city.as_str()))
        .group_by(check_in::Column::Month)
        .order_by_asc(check_in::Column::Month)
        .into_tuple()
        .all(db)
        .await?;
    let waiting_count = Count::new(waiting_days.len() as u64, suppress);
    let ended_early = Count::new(count_status(MatchStatus::EndedEarly), suppress);
    let reasons: Vec<(String, u64)> = by_reason.into_iter().collect();
    let mut reason_counts: Vec<Count> = reasons.iter().map(|(_, v)| Count::new(*v, suppress)).collect();
    protect_parts(&mut reason_counts, ended_early);
    Ok(Statistics {
        median_waiting_days: if waiting_count.suppressed { None } else { median(waiting_days) },
        waiting_newcomers: waiting_count,
        ready_groups: Count::new(ready, suppress),
        active_matches: Count::new(count_status(MatchStatus::Active), suppress),
        completed_matches: Count::new(count_status(MatchStatus::Completed), suppress),
        ended_early_matches: ended_early,
        ended_early_by_reason: reasons.into_iter().map(|(k, _)| k).zip(reason_counts).collect(),
        activities: activities.into_iter().map(|((month, kind), v)| (month, kind, Count::new(v, suppress))).collect(),
        check_ins: checks
            .into_iter()
            .map(|(month, n, s1, s2, net)| {
                let n = n as u64;
                CheckInStats {
                    month,
                    count: Count::new(n, suppress),
                    newcomer_satisfaction: mean(s1 as f64, n, suppress),
                    group_satisfaction: mean(s2 as f64, n, suppress),
                    network_size: mean(net as f64, n, suppress),
                }
            })
            .collect(),
        city,
    })
}

/// Outcomes of the matches in which a criterion scored high or low.
pub struct OutcomeSummary {
    pub matches: Count,
    pub with_check_ins: Count,
    pub newcomer_satisfaction: Option<f64>,
    pub group_satisfaction: Option<f64>,
    pub network_size: Option<f64>,
    pub dutch_progress: Option<f64>,
    pub ended_early_rate: Option<f64>,
}

pub struct CriterionOutcome {
    /// The version of the city's script whose rounds proposed the matches compared; `None` for
    /// matches proposed by hand (no round, so no version).
    pub script_version: Option<i32>,
    pub criterion: String,
    /// Matches with more points than this are "high", the rest "low".
    pub threshold: f64,
    pub high: OutcomeSummary,
    pub low: OutcomeSummary,
}

struct MatchOutcome {
    script_version: Option<i32>,
    points: HashMap<String, i64>,
    ended_early: bool,
    latest: Option<check_in::Model>,
    start_rank: Option<i64>,
}

fn summarize(items: &[&MatchOutcome], suppress: bool) -> OutcomeSummary {
    let n = items.len() as u64;
    let with: Vec<&check_in::Model> = items.iter().filter_map(|m| m.latest.as_ref()).collect();
    let k = with.len() as u64;
    let sum = |f: &dyn Fn(&check_in::Model) -> f64| with.iter().map(|c| f(c)).sum::<f64>();
    let progress: Vec<f64> = items
        .iter()
        .filter_map(|m| {
            Some((cefr_rank(crate::script_values::cefr(m.latest.as_ref()?.dutch_level)) - m.start_rank?) as f64)
        })
        .collect();
    let ended = items.iter().filter(|m| m.ended_early).count() as f64;
    OutcomeSummary {
        matches: Count::new(n, suppress),
        with_check_ins: Count::new(k, suppress),
        newcomer_satisfaction: mean(sum(&|c| c.newcomer_satisfaction as f64), k, suppress),
        group_satisfaction: mean(sum(&|c| c.group_satisfaction as f64), k, suppress),
        network_size: mean(sum(&|c| c.network_size as f64), k, suppress),
        dutch_progress: mean(progress.iter().sum(), progress.len() as u64, suppress),
        ended_early_rate: mean(ended, n, suppress),
    }
}

/// `criterionOutcomes`: for every version of the city's script and every criterion in the
/// explanations of the started matches its rounds proposed, the outcomes of the matches where
/// it scored above its median against the rest. Versions are never pooled: with other weights
/// or rules, the same criterion's points mean something else.
pub async fn criterion_outcomes(
    db: &DatabaseConnection,
    p: &Principal,
    city: &str,
) -> AppResult<Vec<CriterionOutcome>> {
    let (city, suppress) = city_for_stats(db, p, city).await?;
    let started: Vec<matches::Model> = matches::Entity::find()
        .filter(matches::Column::CitySlug.eq(city.as_str()))
        .filter(matches::Column::Status.is_in([MatchStatus::Active, MatchStatus::Completed, MatchStatus::EndedEarly]))
        .all(db)
        .await?;
    let mut latest: HashMap<String, check_in::Model> = HashMap::new();
    for c in check_in::Entity::find().filter(check_in::Column::CitySlug.eq(city.as_str())).all(db).await? {
        match latest.get(&c.match_id) {
            Some(prev) if prev.month >= c.month => {}
            _ => {
                latest.insert(c.match_id.clone(), c);
            }
        }
    }
    let run_ids: Vec<String> = started.iter().filter_map(|m| m.run_id.clone()).collect();
    let mut versions: HashMap<String, i32> = HashMap::new();
    for ids in run_ids.chunks(500) {
        use sea_orm::QuerySelect;
        let rows: Vec<(String, i32)> = entity::matching_run::Entity::find()
            .select_only()
            .column(entity::matching_run::Column::Id)
            .column(entity::matching_run::Column::ScriptVersion)
            .filter(entity::matching_run::Column::Id.is_in(ids.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        versions.extend(rows);
    }
    let mut outcomes: Vec<MatchOutcome> = Vec::with_capacity(started.len());
    for m in &started {
        outcomes.push(MatchOutcome {
            script_version: m.run_id.as_ref().and_then(|r| versions.get(r).copied()),
            points: crate::run_record::explanation(&m.explanation)?.into_iter().collect(),
            ended_early: m.status == MatchStatus::EndedEarly,
            latest: latest.remove(&m.id),
            start_rank: m.start_dutch_level.map(|l| cefr_rank(crate::script_values::cefr(l))),
        });
    }
    // Versions in order, hand-proposed matches (no version) last.
    let mut by_version: BTreeMap<(bool, Option<i32>), Vec<&MatchOutcome>> = BTreeMap::new();
    for o in &outcomes {
        by_version.entry((o.script_version.is_none(), o.script_version)).or_default().push(o);
    }
    let mut result = Vec::new();
    for ((_, script_version), group) in by_version {
        let mut criteria: Vec<&String> = group.iter().flat_map(|o| o.points.keys()).collect();
        criteria.sort();
        criteria.dedup();
        for criterion in criteria {
            let points = |o: &MatchOutcome| o.points.get(criterion).copied().unwrap_or(0);
            let mut pts: Vec<i64> = group.iter().map(|o| points(o)).collect();
            pts.sort_unstable();
            let threshold = if pts.is_empty() { 0 } else { pts[(pts.len() - 1) / 2] };
            let (high, low): (Vec<&MatchOutcome>, Vec<&MatchOutcome>) =
                group.iter().copied().partition(|o| points(o) > threshold);
            result.push(CriterionOutcome {
                script_version,
                threshold: threshold as f64 / 100.0,
                high: summarize(&high, suppress),
                low: summarize(&low, suppress),
                criterion: criterion.clone(),
            });
        }
    }
    Ok(result)
}
