//! `programmeReport`: the programme in numbers over a period, for funders and the programme —
//! per city and in total: matches proposed, started, active at the period's end, completed,
//! ended early by reason; households waiting now with their median wait; the check-ins
//! recorded in the period per month and view with their mean satisfaction and network size;
//! activities by kind. For an ANALYST every count below five is suppressed, a mean or median
//! over fewer than five is withheld, and where one city's count is suppressed beside a total,
//! the smallest other city's is suppressed too, so no count comes back by subtraction.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use domain::enums::Role;
use domain::error::{AppError, AppResult};
use domain::policy::{Op, Principal};
use entity::{MatchStatus, NewcomerStatus, activity_log, check_in, household_check_in, matches, newcomer};

use crate::stats::{Count, MIN_COUNT, median, protect_parts};

/// The longest period one report covers.
const MAX_DAYS: i64 = 3660;

/// Check-ins of one month and view recorded in the period.
#[derive(Clone, Debug)]
pub struct CheckInFigure {
    /// 3, 6, 12, or 0 for the exit check-in.
    pub month: i32,
    /// "GROUP" or "HOUSEHOLD".
    pub view: &'static str,
    pub count: Count,
    /// The household's satisfaction (its own view) or the group's (the group's), 1-5.
    pub mean_satisfaction: Option<f64>,
    pub mean_network_size: Option<f64>,
}

/// One city's figures, or the total's.
#[derive(Clone, Debug)]
pub struct Figures {
    /// The city's slug; `None` for the total.
    pub city: Option<String>,
    pub proposed: Count,
    pub started: Count,
    pub active_at_end: Count,
    pub completed: Count,
    pub ended_early: Count,
    pub ended_early_by_reason: Vec<(String, Count)>,
    pub waiting_now: Count,
    pub median_waiting_days: Option<f64>,
    pub check_ins: Vec<CheckInFigure>,
    pub activities_by_kind: Vec<(String, Count)>,
}

/// The report.
#[derive(Clone, Debug)]
pub struct ProgrammeReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cities: Vec<Figures>,
    pub total: Figures,
}

/// A match as the report reads it: city, status, created, started, ended, end reason code.
type MatchRow = (String, MatchStatus, DateTime<Utc>, Option<NaiveDate>, Option<NaiveDate>, Option<String>);

/// The raw rows of the cities asked for, read once.
struct Rows {
    matches: Vec<MatchRow>,
    waiting: Vec<(String, DateTime<Utc>)>,
    group_checks: Vec<(String, i32, DateTime<Utc>, i32, i32)>,
    household_checks: Vec<(String, i32, DateTime<Utc>, i32, i32)>,
    activities: Vec<(String, String)>,
}

fn count(n: usize, suppress: bool) -> Count {
    Count::new(n as u64, suppress)
}

fn mean(values: &[i32], suppress: bool) -> Option<f64> {
    let n = values.len() as u64;
    if n == 0 || (suppress && n < MIN_COUNT) {
        return None;
    }
    Some(values.iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64)
}

/// The figures of one city's rows (`None`: of all rows).
fn figures(
    rows: &Rows,
    city: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    suppress: bool,
) -> Figures {
    let mine = |c: &str| city.is_none_or(|x| x == c);
    let within = |d: NaiveDate| from <= d && d <= to;
    let ms: Vec<_> = rows.matches.iter().filter(|m| mine(&m.0)).collect();
    let proposed = ms.iter().filter(|m| within(domain::time::local_date(m.2))).count();
    let started = ms.iter().filter(|m| m.3.is_some_and(within)).count();
    let active_at_end = ms
        .iter()
        .filter(|m| {
            matches!(m.1, MatchStatus::Active | MatchStatus::Completed | MatchStatus::EndedEarly)
                && m.3.is_some_and(|s| s <= to)
                && m.4.is_none_or(|e| e > to)
        })
        .count();
    let ended_in = |status: MatchStatus| ms.iter().filter(move |m| m.1 == status && m.4.is_some_and(within));
    let completed = ended_in(MatchStatus::Completed).count();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for m in ended_in(MatchStatus::EndedEarly) {
        *reasons.entry(m.5.clone().unwrap_or_else(|| "OTHER".into())).or_default() += 1;
    }
    let ended_early = count(reasons.values().sum(), suppress);
    let mut reason_counts: Vec<Count> = reasons.values().map(|n| count(*n, suppress)).collect();
    protect_parts(&mut reason_counts, ended_early);
    let waiting: Vec<i64> = rows
        .waiting
        .iter()
        .filter(|w| mine(&w.0))
        .map(|w| (today - domain::time::local_date(w.1)).num_days().max(0))
        .collect();
    let mut check_ins = Vec::new();
    for (view, list) in [("GROUP", &rows.group_checks), ("HOUSEHOLD", &rows.household_checks)] {
        let mut by_month: BTreeMap<i32, (Vec<i32>, Vec<i32>)> = BTreeMap::new();
        for c in list.iter().filter(|c| mine(&c.0) && within(domain::time::local_date(c.2))) {
            let e = by_month.entry(c.1).or_default();
            e.0.push(c.3);
            e.1.push(c.4);
        }
        for (month, (satisfaction, network)) in by_month {
            check_ins.push(CheckInFigure {
                month,
                view,
                count: count(satisfaction.len(), suppress),
                mean_satisfaction: mean(&satisfaction, suppress),
                mean_network_size: mean(&network, suppress),
            });
        }
    }
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for a in rows.activities.iter().filter(|a| mine(&a.0)) {
        *kinds.entry(a.1.clone()).or_default() += 1;
    }
    let waiting_now = count(waiting.len(), suppress);
    Figures {
        city: city.map(str::to_owned),
        proposed: count(proposed, suppress),
        started: count(started, suppress),
        active_at_end: count(active_at_end, suppress),
        completed: count(completed, suppress),
        ended_early,
        ended_early_by_reason: reasons.into_keys().zip(reason_counts).collect(),
        median_waiting_days: if waiting_now.suppressed { None } else { median(waiting) },
        waiting_now,
        check_ins,
        activities_by_kind: kinds.into_iter().map(|(k, n)| (k, count(n, suppress))).collect(),
    }
}

/// The same figure of every city beside the total's, protected against subtraction.
fn protect_cities(cities: &mut [Figures], total: &Figures) {
    type Pick = fn(&mut Figures) -> &mut Count;
    type Read = fn(&Figures) -> Count;
    let picks: [(Pick, Read); 6] = [
        (|f| &mut f.proposed, |f| f.proposed),
        (|f| &mut f.started, |f| f.started),
        (|f| &mut f.active_at_end, |f| f.active_at_end),
        (|f| &mut f.completed, |f| f.completed),
        (|f| &mut f.ended_early, |f| f.ended_early),
        (|f| &mut f.waiting_now, |f| f.waiting_now),
    ];
    for (pick, of_total) in picks {
        let mut parts: Vec<Count> = cities.iter_mut().map(|c| *pick(c)).collect();
        protect_parts(&mut parts, of_total(total));
        for (c, p) in cities.iter_mut().zip(parts) {
            *pick(c) = p;
        }
    }
    for c in cities.iter_mut() {
        if c.waiting_now.suppressed {
            c.median_waiting_days = None;
        }
    }
}

/// `programmeReport`: ADMIN every city; a CITY_ADMIN their own; ANALYST every city with small
/// counts suppressed. `cities` empty: every city the caller may read.
pub async fn programme_report(
    db: &DatabaseConnection,
    today: NaiveDate,
    p: &Principal,
    from: NaiveDate,
    to: NaiveDate,
    cities: &[String],
) -> AppResult<ProgrammeReport> {
    let scope = p.scope_for(Op::Statistics)?;
    if to < from {
        return Err(AppError::bad_input("to", "the period ends before it starts"));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(AppError::bad_input("to", format!("a report covers at most {MAX_DAYS} days")));
    }
    let slugs: Vec<String> = if cities.is_empty() {
        entity::city::Entity::find()
            .order_by_asc(entity::city::Column::Slug)
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.slug)
            .filter(|s| scope.covers_city(s))
            .collect()
    } else {
        let mut v = Vec::new();
        for (i, c) in cities.iter().enumerate() {
            let slug = match crate::rounds::city_in_scope(db, p, Op::Statistics, c).await {
                Err(AppError::NotFound(_)) => {
                    return Err(AppError::bad_input(format!("citySlugs[{i}]"), format!("there is no city {c:?}")));
                }
                other => other?,
            };
            if !v.contains(&slug) {
                v.push(slug);
            }
        }
        v
    };
    let suppress = p.role == Role::Analyst;
    let in_cities = |c: matches::Column| c.is_in(slugs.clone());
    let rows = Rows {
        matches: matches::Entity::find()
            .select_only()
            .columns([
                matches::Column::CitySlug,
                matches::Column::Status,
                matches::Column::CreatedAt,
                matches::Column::StartDate,
                matches::Column::EndDate,
                matches::Column::EndReasonCode,
            ])
            .filter(in_cities(matches::Column::CitySlug))
            .into_tuple()
            .all(db)
            .await?,
        waiting: newcomer::Entity::find()
            .select_only()
            .columns([newcomer::Column::CitySlug, newcomer::Column::WaitingSince])
            .filter(newcomer::Column::CitySlug.is_in(slugs.clone()))
            .filter(newcomer::Column::Status.eq(NewcomerStatus::Waiting))
            .into_tuple()
            .all(db)
            .await?,
        group_checks: check_in::Entity::find()
            .select_only()
            .columns([
                check_in::Column::CitySlug,
                check_in::Column::Month,
                check_in::Column::CreatedAt,
                check_in::Column::GroupSatisfaction,
                check_in::Column::NetworkSize,
            ])
            .filter(check_in::Column::CitySlug.is_in(slugs.clone()))
            .into_tuple()
            .all(db)
            .await?,
        household_checks: household_check_in::Entity::find()
            .select_only()
            .columns([
                household_check_in::Column::CitySlug,
                household_check_in::Column::Month,
                household_check_in::Column::CreatedAt,
                household_check_in::Column::Satisfaction,
                household_check_in::Column::NetworkSize,
            ])
            .filter(household_check_in::Column::CitySlug.is_in(slugs.clone()))
            .into_tuple()
            .all(db)
            .await?,
        activities: activity_log::Entity::find()
            .select_only()
            .columns([activity_log::Column::CitySlug, activity_log::Column::Kind])
            .filter(activity_log::Column::CitySlug.is_in(slugs.clone()))
            .filter(activity_log::Column::Date.gte(from))
            .filter(activity_log::Column::Date.lte(to))
            .into_tuple()
            .all(db)
            .await?,
    };
    let total = figures(&rows, None, from, to, today, suppress);
    let mut per_city: Vec<Figures> = slugs.iter().map(|s| figures(&rows, Some(s), from, to, today, suppress)).collect();
    if suppress {
        protect_cities(&mut per_city, &total);
    }
    Ok(ProgrammeReport { from, to, cities: per_city, total })
}

/// A count as a report shows it: the number, or "<5".
pub fn shown(c: Count) -> String {
    if c.suppressed { format!("<{MIN_COUNT}") } else { c.value.to_string() }
}

/// The report as CSV: one line per figure (`city,figure,key,value`; the total's city is
/// `ALL`), the same figures and suppression as the GraphQL answer.
pub fn to_csv(r: &ProgrammeReport) -> String {
    let mut out = String::from("city,figure,key,value\n");
    let num = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
    for f in r.cities.iter().chain(std::iter::once(&r.total)) {
        let city = f.city.clone().unwrap_or_else(|| "ALL".into());
        let mut line = |figure: &str, key: &str, value: String| {
            out.push_str(&format!("{city},{figure},{key},{value}\n"));
        };
        line("period", "from", r.from.to_string());
        line("period", "to", r.to.to_string());
        line("matches", "proposed", shown(f.proposed));
        line("matches", "started", shown(f.started));
        line("matches", "active_at_end", shown(f.active_at_end));
        line("matches", "completed", shown(f.completed));
        line("matches", "ended_early", shown(f.ended_early));
        for (reason, c) in &f.ended_early_by_reason {
            line("ended_early_by_reason", reason, shown(*c));
        }
        line("households", "waiting_now", shown(f.waiting_now));
        line("households", "median_waiting_days", num(f.median_waiting_days));
        for c in &f.check_ins {
            let key = format!("month_{}_{}", c.month, c.view.to_ascii_lowercase());
            line("check_ins", &key, shown(c.count));
            line("check_ins_mean_satisfaction", &key, num(c.mean_satisfaction));
            line("check_ins_mean_network_size", &key, num(c.mean_network_size));
        }
        for (kind, c) in &f.activities_by_kind {
            line("activities", kind, shown(*c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_suppressed_city_beside_the_total_takes_the_smallest_other_with_it() {
        let mk = |n: u64| Count { value: n, suppressed: n < MIN_COUNT };
        let mut parts = vec![mk(3), mk(9), mk(7), mk(20)];
        protect_parts(&mut parts, mk(39));
        assert_eq!(parts.iter().map(|c| c.suppressed).collect::<Vec<_>>(), [true, false, true, false]);
        let mut two = vec![mk(3), mk(2), mk(30)];
        protect_parts(&mut two, mk(35));
        assert_eq!(two.iter().map(|c| c.suppressed).collect::<Vec<_>>(), [true, true, false]);
    }
}
