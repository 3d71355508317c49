//! The five datasets: their columns (an explicit allow-list: a column added to the database
//! later is never exported by default) and how a page of each is read and turned into rows.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::{activity_log, check_in, group_member, matches, matching_run, newcomer, welcome_group};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use anonymise::ExportKey;
use anonymise::generalise::{
    self, GROUP_MAX_LEVELS, GROUP_PRIORITY, GroupFacts, PERSON_MAX_LEVELS, PERSON_PRIORITY, PersonFacts, Plan,
};
use domain::error::AppResult;

/// Rows read from the database at a time: memory stays flat however large the table.
pub const PAGE: u64 = 500;

/// The datasets an analyst can download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    Matches,
    Activities,
    Checkins,
    Newcomers,
    Groups,
}

/// What a column holds, for the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// A keyed pseudonym of a record: joinable within one export key, meaningless without it.
    Pseudonym,
    /// A generalised fact that, combined with others, could single a person out; k-anonymity
    /// is enforced on these together.
    QuasiIdentifier,
    /// A fact about the record or event (status, scores, outcomes).
    Attribute,
}

/// One exported column.
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
    pub description: &'static str,
}

const fn col(name: &'static str, kind: ColumnKind, description: &'static str) -> Column {
    Column { name, kind, description }
}

use ColumnKind::{Attribute as A, Pseudonym as P, QuasiIdentifier as Q};

const MATCHES: &[Column] = &[
    col("match_pseudonym", P, "the match"),
    col("newcomer_pseudonym", P, "the household (joins newcomers and checkins)"),
    col("group_pseudonym", P, "the welcome group (joins groups)"),
    col("run_pseudonym", P, "the matching round that proposed it; empty when proposed by hand"),
    col("city", A, "city slug"),
    col("status", A, "PROPOSED, ACTIVE, COMPLETED, ENDED_EARLY or REJECTED"),
    col(
        "score",
        A,
        "band of the pair's total points among the pairs its round proposed: 1 (lowest third) to 3 (highest); empty when proposed by hand or when every pair of the round scored the same",
    ),
    col(
        "criteria",
        A,
        "JSON object: per criterion, the band (1 to 3) of its points among the pairs its round proposed; null where every pair scored the same",
    ),
    col("proposed_month", A, "YYYY-MM the match was proposed"),
    col("start_month", A, "YYYY-MM the year together started; empty before"),
    col("end_month", A, "YYYY-MM it ended; empty while it lasts"),
    col("end_reason_code", A, "why it ended (a code; the free-text reason is never exported)"),
    col("months_together", A, "whole months from start to end (or to the export date while active)"),
    col("start_dutch_level", A, "the newcomer's CEFR Dutch level at the start"),
    col("staff_override", A, "true when staff proposed or locked the pair although the script found it ineligible"),
];

const ACTIVITIES: &[Column] = &[
    col("activity_pseudonym", P, "the activity"),
    col("match_pseudonym", P, "the match (joins matches)"),
    col("city", A, "city slug"),
    col("month", A, "YYYY-MM of the activity"),
    col("kind", A, "MEAL, LANGUAGE, ..."),
    col("duration_minutes", A, "how long it took"),
    col("participants", A, "how many people took part"),
];

const CHECKINS: &[Column] = &[
    col("checkin_pseudonym", P, "the check-in"),
    col("match_pseudonym", P, "the match (joins matches)"),
    col("newcomer_pseudonym", P, "the household (joins newcomers)"),
    col("group_pseudonym", P, "the welcome group (joins groups)"),
    col("city", A, "city slug"),
    col("checkin_month", A, "3, 6 or 12: the month of the year together"),
    col("newcomer_satisfaction", A, "1-5"),
    col("group_satisfaction", A, "1-5"),
    col("dutch_level", A, "CEFR Dutch level at the check-in"),
    col("work_status", A, "a code"),
    col("network_size", A, "people the household counts on"),
];

/// No registration date: it would identify like the arrival date, outside the generalisation.
const NEWCOMERS: &[Column] = &[
    col("newcomer_pseudonym", P, "the household (its main applicant)"),
    col("city", Q, "city slug"),
    col("age_band", Q, "birth-year band of five years (ten, twenty, or * when the export needed coarser values)"),
    col("gender", Q, "FEMALE, MALE, OTHER or UNDISCLOSED (* when withheld)"),
    col(
        "origin",
        Q,
        "ISO 3166-1 country shared by at least k people in the export, otherwise its UN sub-region; sub-region, continent or * when coarser",
    ),
    col(
        "household_adults",
        Q,
        "adults as text, top-coded: 1, 2, 3+ (2+ or * when coarser); a string in JSON Lines too",
    ),
    col(
        "household_children",
        Q,
        "children as text, top-coded: 0, 1, 2, 3+ (1+ or * when coarser); a string in JSON Lines too",
    ),
    col("arrival_period", Q, "YYYY-MM of arrival (YYYY-Qn, YYYY or * when coarser)"),
    col("dutch_level", A, "CEFR Dutch level at registration"),
    col("goals", A, "semicolon-separated goal codes (WORK, STUDY, LANGUAGE, ...)"),
    col("language_count", A, "how many languages the newcomer speaks"),
    col("status", A, "WAITING, MATCHED, COMPLETED or WITHDRAWN"),
];

const GROUPS: &[Column] = &[
    col("group_pseudonym", P, "the welcome group"),
    col("city", Q, "city slug"),
    col("member_count", Q, "volunteers, top-coded at 8+ (0-4 / 5-7 / 8+ or * when coarser)"),
    col("members_age_band", Q, "ten-year band of the volunteers' median birth year (twenty years or * when coarser)"),
    col("status", A, "FORMING, READY, MATCHED, COMPLETED or WITHDRAWN"),
    col("capacity", A, "largest household the group can welcome"),
    col("language_count", A, "languages spoken in the group"),
    col("interest_count", A, "interests the group lists"),
    col("availability_hours_per_month", A, "hours a month the group offers"),
    col("has_coordinator", A, "whether one member coordinates"),
    col("created_month", A, "YYYY-MM the group was registered"),
];

impl Dataset {
    pub const ALL: [Dataset; 5] =
        [Dataset::Matches, Dataset::Activities, Dataset::Checkins, Dataset::Newcomers, Dataset::Groups];

    pub fn name(self) -> &'static str {
        match self {
            Dataset::Matches => "matches",
            Dataset::Activities => "activities",
            Dataset::Checkins => "checkins",
            Dataset::Newcomers => "newcomers",
            Dataset::Groups => "groups",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Dataset::Matches => MATCHES,
            Dataset::Activities => ACTIVITIES,
            Dataset::Checkins => CHECKINS,
            Dataset::Newcomers => NEWCOMERS,
            Dataset::Groups => GROUPS,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Dataset::Matches => "every match, proposed to ended, with its score and criteria and how long it lasted",
            Dataset::Activities => "what groups and households did together, by month",
            Dataset::Checkins => "the check-ins of months 3, 6 and 12: satisfaction, Dutch level, work, network",
            Dataset::Newcomers => "one row per household, quasi-identifiers generalised and k-anonymous",
            Dataset::Groups => "one row per welcome group, volunteers in aggregate, k-anonymous",
        }
    }
}

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    /// A JSON value written as JSON in JSON Lines (not as a string holding JSON), and as its
    /// text in CSV.
    Json(serde_json::Value),
}

impl Cell {
    fn opt(v: Option<String>) -> Self {
        v.map_or(Cell::Null, Cell::Text)
    }
}

/// The k-anonymity plan of a person dataset, made before the first row is written.
pub enum Planned {
    None,
    Newcomers(Plan<PersonFacts>),
    Groups(Plan<GroupFacts>),
    Matches(RoundRanges),
}

/// Bands of a criterion's points: points leave the server only as the third of the range they
/// fall in, so nothing a script computes from personal data (such as waiting time, which with
/// the proposal month would give back the registration month) reaches analysts in detail.
pub const SCORE_BANDS: i64 = 3;

/// The lowest and highest points (hundredths) of the total and of each criterion among the pairs
/// one round proposed. A round's pairs never change once it ran, so a match's bands are the same
/// in every download, whatever else was registered since.
#[derive(Default)]
pub struct RoundRange {
    total: Option<(i64, i64)>,
    parts: HashMap<String, (i64, i64)>,
}

/// The ranges of every round that proposed a match, by run id.
pub type RoundRanges = HashMap<String, RoundRange>;

fn widen(range: &mut Option<(i64, i64)>, v: i64) {
    *range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
}

/// The band (1 to `SCORE_BANDS`) of `v` in `range`; `None` without a range or when the range is
/// a single value (a band would then say nothing but could be read as "middle").
pub fn band(v: i64, range: Option<(i64, i64)>) -> Option<i64> {
    let (lo, hi) = range?;
    if hi <= lo {
        return None;
    }
    Some(((v.clamp(lo, hi) - lo) * SCORE_BANDS / (hi - lo)).min(SCORE_BANDS - 1) + 1)
}

/// The ranges of the rounds that proposed the matches of the export.
async fn round_ranges(conn: &impl ConnectionTrait) -> AppResult<RoundRanges> {
    let run_ids: Vec<Option<String>> =
        matches::Entity::find().select_only().column(matches::Column::RunId).distinct().into_tuple().all(conn).await?;
    let run_ids: Vec<String> = run_ids.into_iter().flatten().collect();
    let mut ranges = RoundRanges::new();
    for ids in run_ids.chunks(PAGE as usize) {
        let runs: Vec<(String, serde_json::Value)> = matching_run::Entity::find()
            .select_only()
            .column(matching_run::Column::Id)
            .column(matching_run::Column::Pairs)
            .filter(matching_run::Column::Id.is_in(ids.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, pairs) in runs {
            let pairs: Vec<crate::run_record::StoredPair> = crate::run_record::read("matching_runs.pairs", &pairs)?;
            let mut range = RoundRange::default();
            for pair in pairs.iter().filter(|p| p.match_id.is_some()) {
                widen(&mut range.total, pair.score);
                for (criterion, points) in &pair.parts {
                    let mut r = range.parts.get(criterion).copied();
                    widen(&mut r, *points);
                    if let Some(r) = r {
                        range.parts.insert(criterion.clone(), r);
                    }
                }
            }
            ranges.insert(id, range);
        }
    }
    Ok(ranges)
}

impl Planned {
    /// How coarse each generalised column is in this export, e.g.
    /// `age_band=10 years; gender=as recorded; ...`; empty for datasets without quasi-identifiers.
    pub fn describe(&self) -> String {
        let (names, levels, words): (&[&str], &[usize], &[&[&str]]) = match self {
            Planned::None => return String::new(),
            Planned::Matches(_) => return format!("score and criteria=bands of {SCORE_BANDS} of the round's range"),
            Planned::Newcomers(p) => (&generalise::PERSON_QI, &p.levels, &PERSON_LEVEL_NAMES),
            Planned::Groups(p) => (&generalise::GROUP_QI, &p.levels, &GROUP_LEVEL_NAMES),
        };
        let parts: Vec<String> = names
            .iter()
            .zip(levels)
            .zip(words.iter())
            .skip(1)
            .map(|((name, level), words)| format!("{name}={}", words.get(*level).copied().unwrap_or("?")))
            .collect();
        parts.join("; ")
    }
}

const PERSON_LEVEL_NAMES: [&[&str]; 7] = [
    &["as recorded"],
    &["5 years", "10 years", "20 years", "withheld"],
    &["as recorded", "withheld"],
    &["country or sub-region", "sub-region", "continent", "withheld"],
    &["3+", "2+", "withheld"],
    &["3+", "1+", "withheld"],
    &["month", "quarter", "year", "withheld"],
];

const GROUP_LEVEL_NAMES: [&[&str]; 3] =
    [&["as recorded"], &["8+", "bands", "withheld"], &["10 years", "20 years", "withheld"]];

fn month_of(d: NaiveDate) -> String {
    generalise::month(d)
}

fn month_of_time(t: DateTime<Utc>) -> String {
    generalise::month(domain::time::local_date(t))
}

fn person_facts(n: &newcomer::Model) -> PersonFacts {
    PersonFacts {
        city: n.city_slug.clone(),
        birth_year: n.birth_year,
        gender: n.gender.to_value(),
        country: n.country_of_origin.clone(),
        adults: n.household_adults,
        children: n.children_ages.0.len() as i32,
        arrival: (n.arrival_date.year(), n.arrival_date.month()),
    }
}

/// A page of `entity` rows with ids after `after`, in one city or all.
macro_rules! page_of {
    ($conn:expr, $entity:ident, $city:expr, $after:expr) => {{
        let mut q = $entity::Entity::find().order_by_asc($entity::Column::Id).limit(PAGE);
        if let Some(c) = $city {
            q = q.filter($entity::Column::CitySlug.eq(c));
        }
        if let Some(a) = $after {
            q = q.filter($entity::Column::Id.gt(a));
        }
        q.all($conn).await?
    }};
}

/// How many rows of the asked scope a plan releases and withholds.
fn scope_counts<K>(plan: &Plan<K>, hist: &HashMap<K, usize>, in_scope: impl Fn(&K) -> bool) -> (usize, usize)
where
    K: Eq + std::hash::Hash,
{
    hist.iter().filter(|(key, _)| in_scope(key)).fold((0, 0), |(kept, withheld), (key, n)| {
        if plan.decide(key).is_some() { (kept + n, withheld) } else { (kept, withheld + n) }
    })
}

/// Pass one: for a person dataset the histogram of raw quasi-identifiers and the plan, for the
/// matches the ranges of their rounds. Returns the plan, the rows of the asked scope that will
/// be written, and those withheld.
///
/// The plan is made over every city, whatever `city` asks for: a city filter only selects rows
/// of the one plan, so a city's file and the all-cities file give every row the same values
/// and withhold the same rows (planning per scope let the two be joined into small classes).
pub async fn plan(
    conn: &impl ConnectionTrait,
    dataset: Dataset,
    city: Option<&str>,
    k: usize,
) -> AppResult<(Planned, usize, usize)> {
    let everywhere: Option<&str> = None;
    match dataset {
        Dataset::Newcomers => {
            let mut hist: HashMap<PersonFacts, usize> = HashMap::new();
            let mut after: Option<String> = None;
            loop {
                let page = page_of!(conn, newcomer, everywhere, after.as_deref());
                for n in &page {
                    *hist.entry(person_facts(n)).or_default() += 1;
                }
                match page.last() {
                    Some(last) if page.len() as u64 == PAGE => after = Some(last.id.clone()),
                    _ => break,
                }
            }
            // The search over the lattice of generalisations is CPU work (millions of small
            // steps for a large city): off the async workers.
            let city = city.map(str::to_owned);
            tokio::task::spawn_blocking(move || {
                let mut countries: HashMap<&str, usize> = HashMap::new();
                for (f, n) in &hist {
                    *countries.entry(f.country.as_str()).or_default() += n;
                }
                let common = |c: &str| countries.get(c).is_some_and(|n| *n >= k);
                let plan = generalise::plan(&hist, k, &PERSON_MAX_LEVELS, &PERSON_PRIORITY, |f, levels| {
                    generalise::publish_person(f, levels, &common)
                });
                let (kept, withheld) = scope_counts(&plan, &hist, |f| city.as_deref().is_none_or(|c| f.city == c));
                (Planned::Newcomers(plan), kept, withheld)
            })
            .await
            .map_err(domain::error::AppError::internal)
        }
        Dataset::Groups => {
            let mut hist: HashMap<GroupFacts, usize> = HashMap::new();
            let mut after: Option<String> = None;
            loop {
                let page = page_of!(conn, welcome_group, everywhere, after.as_deref());
                let facts = group_aggregates(conn, &page).await?;
                for g in &page {
                    if let Some(a) = facts.get(&g.id) {
                        *hist.entry(a.facts.clone()).or_default() += 1;
                    }
                }
                match page.last() {
                    Some(last) if page.len() as u64 == PAGE => after = Some(last.id.clone()),
                    _ => break,
                }
            }
            let city = city.map(str::to_owned);
            tokio::task::spawn_blocking(move || {
                let plan = generalise::plan(&hist, k, &GROUP_MAX_LEVELS, &GROUP_PRIORITY, generalise::publish_group);
                let (kept, withheld) = scope_counts(&plan, &hist, |f| city.as_deref().is_none_or(|c| f.city == c));
                (Planned::Groups(plan), kept, withheld)
            })
            .await
            .map_err(domain::error::AppError::internal)
        }
        Dataset::Matches => {
            let rows = count(conn, dataset, city).await?;
            Ok((Planned::Matches(round_ranges(conn).await?), rows, 0))
        }
        Dataset::Activities | Dataset::Checkins => {
            let rows = count(conn, dataset, city).await?;
            Ok((Planned::None, rows, 0))
        }
    }
}

async fn count(conn: &impl ConnectionTrait, dataset: Dataset, city: Option<&str>) -> AppResult<usize> {
    use sea_orm::PaginatorTrait;
    macro_rules! count_of {
        ($entity:ident) => {{
            let mut q = $entity::Entity::find();
            if let Some(c) = city {
                q = q.filter($entity::Column::CitySlug.eq(c));
            }
            q.count(conn).await? as usize
        }};
    }
    Ok(match dataset {
        Dataset::Matches => count_of!(matches),
        Dataset::Activities => count_of!(activity_log),
        Dataset::Checkins => count_of!(check_in),
        Dataset::Newcomers => count_of!(newcomer),
        Dataset::Groups => count_of!(welcome_group),
    })
}

struct GroupAggregate {
    facts: GroupFacts,
    has_coordinator: bool,
}

/// Member counts and median birth years of a page of groups, in one query.
async fn group_aggregates(
    conn: &impl ConnectionTrait,
    groups: &[welcome_group::Model],
) -> AppResult<HashMap<String, GroupAggregate>> {
    let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
    let mut years: HashMap<String, (Vec<i32>, bool)> = HashMap::new();
    if !ids.is_empty() {
        let rows: Vec<(String, i32, bool)> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::GroupId)
            .column(group_member::Column::BirthYear)
            .column(group_member::Column::IsCoordinator)
            .filter(group_member::Column::GroupId.is_in(ids))
            .into_tuple()
            .all(conn)
            .await?;
        for (group, year, coordinator) in rows {
            let e = years.entry(group).or_default();
            e.0.push(year);
            e.1 |= coordinator;
        }
    }
    Ok(groups
        .iter()
        .map(|g| {
            let (mut ys, has_coordinator) = years.remove(&g.id).unwrap_or_default();
            ys.sort_unstable();
            let median = (!ys.is_empty()).then(|| ys[ys.len() / 2]);
            let facts = GroupFacts { city: g.city_slug.clone(), members: ys.len() as i32, median_birth_year: median };
            (g.id.clone(), GroupAggregate { facts, has_coordinator })
        })
        .collect())
}

/// Whole months from `start` to `end`.
fn months_between(start: NaiveDate, end: NaiveDate) -> i64 {
    let m = (end.year() - start.year()) as i64 * 12 + end.month() as i64 - start.month() as i64;
    if end.day() < start.day() { (m - 1).max(0) } else { m.max(0) }
}

/// Pass two: the rows of one page after `after`, and the cursor of the next page (`None` at the
/// end). Rows the plan withholds are skipped.
pub async fn page(
    conn: &impl ConnectionTrait,
    dataset: Dataset,
    city: Option<&str>,
    after: Option<&str>,
    key: &ExportKey,
    planned: &Planned,
    today: NaiveDate,
) -> AppResult<(Vec<Vec<Cell>>, Option<String>)> {
    let mut rows = Vec::new();
    let last: Option<String>;
    let full: bool;
    match dataset {
        Dataset::Matches => {
            let page = page_of!(conn, matches, city, after);
            full = page.len() as u64 == PAGE;
            last = page.last().map(|m| m.id.clone());
            let none = RoundRange::default();
            for m in page {
                let range = match (planned, m.run_id.as_deref()) {
                    (Planned::Matches(ranges), Some(run)) => ranges.get(run).unwrap_or(&none),
                    _ => &none,
                };
                let criteria: serde_json::Map<String, serde_json::Value> =
                    crate::run_record::explanation(&m.explanation)?
                        .into_iter()
                        .map(|(name, h)| {
                            let b = band(h, range.parts.get(&name).copied());
                            (name, b.map_or(serde_json::Value::Null, serde_json::Value::from))
                        })
                        .collect();
                let months = m.start_date.map(|s| months_between(s, m.end_date.unwrap_or(today)));
                rows.push(vec![
                    Cell::Text(key.pseudonym("match", &m.id)),
                    Cell::Text(key.pseudonym("newcomer", &m.newcomer_id)),
                    Cell::Text(key.pseudonym("group", &m.group_id)),
                    Cell::opt(m.run_id.as_deref().map(|r| key.pseudonym("run", r))),
                    Cell::Text(m.city_slug),
                    Cell::Text(m.status.to_value()),
                    band(m.score, range.total).map_or(Cell::Null, Cell::Int),
                    Cell::Json(serde_json::Value::Object(criteria)),
                    Cell::Text(month_of_time(m.created_at)),
                    Cell::opt(m.start_date.map(month_of)),
                    Cell::opt(m.end_date.map(month_of)),
                    Cell::opt(m.end_reason_code),
                    months.map_or(Cell::Null, Cell::Int),
                    Cell::opt(m.start_dutch_level.map(|l| l.to_value())),
                    Cell::Bool(m.override_reason.is_some()),
                ]);
            }
        }
        Dataset::Activities => {
            let page = page_of!(conn, activity_log, city, after);
            full = page.len() as u64 == PAGE;
            last = page.last().map(|m| m.id.clone());
            for a in page {
                rows.push(vec![
                    Cell::Text(key.pseudonym("activity", &a.id)),
                    Cell::Text(key.pseudonym("match", &a.match_id)),
                    Cell::Text(a.city_slug),
                    Cell::Text(month_of(a.date)),
                    Cell::Text(a.kind),
                    Cell::Int(a.duration_minutes.into()),
                    Cell::Int(a.participants.into()),
                ]);
            }
        }
        Dataset::Checkins => {
            let page = page_of!(conn, check_in, city, after);
            full = page.len() as u64 == PAGE;
            last = page.last().map(|m| m.id.clone());
            let match_ids: HashSet<String> = page.iter().map(|c| c.match_id.clone()).collect();
            let pairs: HashMap<String, (String, String)> = if match_ids.is_empty() {
                HashMap::new()
            } else {
                matches::Entity::find()
                    .select_only()
                    .column(matches::Column::Id)
                    .column(matches::Column::NewcomerId)
                    .column(matches::Column::GroupId)
                    .filter(matches::Column::Id.is_in(match_ids))
                    .into_tuple::<(String, String, String)>()
                    .all(conn)
                    .await?
                    .into_iter()
                    .map(|(id, n, g)| (id, (n, g)))
                    .collect()
            };
            for c in page {
                let (n, g) = pairs.get(&c.match_id).cloned().unzip();
                rows.push(vec![
                    Cell::Text(key.pseudonym("checkin", &c.id)),
                    Cell::Text(key.pseudonym("match", &c.match_id)),
                    Cell::opt(n.map(|n| key.pseudonym("newcomer", &n))),
                    Cell::opt(g.map(|g| key.pseudonym("group", &g))),
                    Cell::Text(c.city_slug),
                    Cell::Int(c.month.into()),
                    Cell::Int(c.newcomer_satisfaction.into()),
                    Cell::Int(c.group_satisfaction.into()),
                    Cell::Text(c.dutch_level.to_value()),
                    Cell::Text(c.work_status),
                    Cell::Int(c.network_size.into()),
                ]);
            }
        }
        Dataset::Newcomers => {
            let page = page_of!(conn, newcomer, city, after);
            full = page.len() as u64 == PAGE;
            last = page.last().map(|m| m.id.clone());
            for n in page {
                let Planned::Newcomers(plan) = planned else { break };
                let Some(qi) = plan.decide(&person_facts(&n)) else { continue };
                let mut row = vec![Cell::Text(key.pseudonym("newcomer", &n.id))];
                row.extend(qi.iter().cloned().map(Cell::Text));
                row.extend([
                    Cell::Text(n.dutch_level.to_value()),
                    Cell::Text(n.goals.0.join(";")),
                    Cell::Int(n.languages.0.len() as i64),
                    Cell::Text(n.status.to_value()),
                ]);
                rows.push(row);
            }
        }
        Dataset::Groups => {
            let page = page_of!(conn, welcome_group, city, after);
            full = page.len() as u64 == PAGE;
            last = page.last().map(|m| m.id.clone());
            let aggregates = group_aggregates(conn, &page).await?;
            for g in page {
                let Planned::Groups(plan) = planned else { break };
                let Some(agg) = aggregates.get(&g.id) else { continue };
                let Some(qi) = plan.decide(&agg.facts) else { continue };
                let mut row = vec![Cell::Text(key.pseudonym("group", &g.id))];
                row.extend(qi.iter().cloned().map(Cell::Text));
                row.extend([
                    Cell::Text(g.status.to_value()),
                    Cell::Int(g.capacity.into()),
                    Cell::Int(g.languages.0.len() as i64),
                    Cell::Int(g.interests.0.len() as i64),
                    g.availability_hours_per_month.map_or(Cell::Null, |h| Cell::Int(h.into())),
                    Cell::Bool(agg.has_coordinator),
                    Cell::Text(month_of_time(g.created_at)),
                ]);
                rows.push(row);
            }
        }
    }
    Ok((rows, if full { last } else { None }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_the_allow_list_and_months_count_whole_months() {
        for d in Dataset::ALL {
            assert_eq!(Dataset::parse(d.name()), Some(d));
            let names: HashSet<&str> = d.columns().iter().map(|c| c.name).collect();
            assert_eq!(names.len(), d.columns().len(), "{} has a duplicate column", d.name());
            assert!(
                d.columns().iter().filter(|c| c.kind == ColumnKind::Pseudonym).all(|c| c.name.ends_with("_pseudonym"))
            );
        }
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(months_between(date(2025, 1, 15), date(2026, 1, 15)), 12);
        assert_eq!(months_between(date(2025, 1, 15), date(2026, 1, 14)), 11);
        assert_eq!(months_between(date(2025, 1, 15), date(2025, 1, 1)), 0);
    }
}
