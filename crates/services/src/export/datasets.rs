//! The five datasets: their columns (an explicit allow-list: a column added to the database
//! later is never exported by default) and how the rows of a release are made from the
//! database under one policy's recoding (`build`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::{activity_log, check_in, group_member, matches, matching_run, newcomer, welcome_group};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use anonymise::ExportKey;
use anonymise::generalise::{self, EVENT_PERIOD, GroupFacts, PersonFacts};
use domain::error::AppResult;

/// Rows read from or written to the database at a time.
pub const PAGE: u64 = 500;

/// The datasets an analyst can download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    Matches,
    Activities,
    Checkins,
    Newcomers,
    Groups,
    Candidates,
    HouseholdCheckins,
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
    col("proposed_period", A, "the event period (quarter YYYY-Qn or year, as the policy says) the match was proposed"),
    col("start_period", Q, "the event period the year together started; empty before"),
    col("end_period", A, "the event period it ended; empty while it lasts"),
    col("end_reason_code", A, "why it ended (a code; the free-text reason is never exported)"),
    col("months_together", A, "whole months from start to end (or to the export date while active)"),
    col("start_dutch_level", A, "the newcomer's CEFR Dutch level at the start, as coarse as the policy's Dutch level"),
    col("staff_override", A, "true when staff proposed or locked the pair although the script found it ineligible"),
    col("decided_side", A, "who decided a rejection or an early end: NEWCOMER, GROUP or STAFF"),
    col("decline_code", A, "why a proposal was declined (a code; the free-text reason is never exported)"),
    col(
        "waited_band",
        A,
        "time from registration to this proposal: 0-2, 3-5, 6-11 or 12+ months (a band: with the proposal period the exact time would give the registration month)",
    ),
];

const ACTIVITIES: &[Column] = &[
    col("activity_pseudonym", P, "the activity"),
    col("match_pseudonym", P, "the match (joins matches)"),
    col("city", A, "city slug"),
    col("period", A, "the event period of the activity"),
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
/// Every quasi-identifier of the threat model is generalised here or, for the months matches
/// started, in `matches`; the k-check runs on both together.
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
    col("dutch_level", Q, "CEFR Dutch level at registration (A0-A1 / A2-B1 / B2+ or * when coarser)"),
    col("goals", Q, "semicolon-separated goal codes (WORK, STUDY, LANGUAGE, ...); how many (3+) or * when coarser"),
    col("language_count", Q, "how many languages the newcomer speaks, as text, top-coded: 4+ (2+ or * when coarser)"),
    col("status", A, "WAITING, MATCHED, COMPLETED or WITHDRAWN"),
    col("baseline_network_size", A, "people it counted on at the baseline (registration), top-coded at 10+"),
    col("baseline_work_status", A, "work status at the baseline (a code)"),
    col("baseline_wellbeing", A, "well-being 1-5 at the baseline"),
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
    col("created_period", A, "the event period the group was registered"),
];

/// Every pair a committed round could propose (`round_candidates`), between released
/// households and groups: what a criterion did to the pairs that were not chosen too.
const CANDIDATES: &[Column] = &[
    col("run_pseudonym", P, "the round (joins matches)"),
    col("newcomer_pseudonym", P, "the household (joins newcomers)"),
    col("group_pseudonym", P, "the welcome group (joins groups)"),
    col("match_pseudonym", P, "the match it became; empty when the round did not propose it"),
    col("city", A, "city slug"),
    col("round_period", A, "the event period the round ran"),
    col("proposed", A, "whether the round proposed this pair"),
    col(
        "score",
        A,
        "band of the pair's total points among every pair the round could propose: 1 (lowest third) to 3; empty where they all scored the same",
    ),
    col("criteria", A, "JSON object: per criterion, the band (1 to 3) of its points among the round's candidates"),
];

/// The household's own answers (`household_check_ins`), never the group's: months 3, 6 and 12
/// and the exit check-in (month 0).
const HOUSEHOLD_CHECKINS: &[Column] = &[
    col("household_checkin_pseudonym", P, "the household's check-in"),
    col("match_pseudonym", P, "the match (joins matches)"),
    col("newcomer_pseudonym", P, "the household (joins newcomers)"),
    col("city", A, "city slug"),
    col("checkin_month", A, "3, 6 or 12: the month of the year together; 0 the exit check-in"),
    col("satisfaction", A, "1-5"),
    col("wellbeing", A, "1-5"),
    col("dutch_level", A, "CEFR Dutch level at the check-in"),
    col("work_status", A, "a code"),
    col("network_size", A, "people the household counts on"),
];

impl Dataset {
    pub const ALL: [Dataset; 7] = [
        Dataset::Matches,
        Dataset::Activities,
        Dataset::Checkins,
        Dataset::Newcomers,
        Dataset::Groups,
        Dataset::Candidates,
        Dataset::HouseholdCheckins,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dataset::Matches => "matches",
            Dataset::Activities => "activities",
            Dataset::Checkins => "checkins",
            Dataset::Newcomers => "newcomers",
            Dataset::Groups => "groups",
            Dataset::Candidates => "candidates",
            Dataset::HouseholdCheckins => "household_checkins",
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
            Dataset::Candidates => CANDIDATES,
            Dataset::HouseholdCheckins => HOUSEHOLD_CHECKINS,
        }
    }

    /// The column names, in file order.
    pub fn names(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.name).collect()
    }

    pub fn description(self) -> &'static str {
        match self {
            Dataset::Matches => "every match, proposed to ended, with its score and criteria and how long it lasted",
            Dataset::Activities => "what groups and households did together, by month",
            Dataset::Checkins => "the check-ins of months 3, 6 and 12: satisfaction, Dutch level, work, network",
            Dataset::Newcomers => {
                "one row per household, quasi-identifiers generalised and k-anonymous with its matches"
            }
            Dataset::Groups => "one row per welcome group, volunteers in aggregate, k-anonymous with its matches",
            Dataset::Candidates => "every pair a round could propose, with banded points and whether it was proposed",
            Dataset::HouseholdCheckins => "the household's own check-ins, with the exit check-in",
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

    /// As stored in a release row.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Int(n) => (*n).into(),
            Cell::Bool(b) => (*b).into(),
            Cell::Text(t) => t.as_str().into(),
            Cell::Json(v) => v.clone(),
        }
    }

    /// Back from a release row: a string is text, an object or array JSON (no column holds
    /// JSON that is a bare string).
    pub fn from_json(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Cell::Null,
            serde_json::Value::Bool(b) => Cell::Bool(*b),
            serde_json::Value::Number(n) => n.as_i64().map_or_else(|| Cell::Json(v.clone()), Cell::Int),
            serde_json::Value::String(t) => Cell::Text(t.clone()),
            _ => Cell::Json(v.clone()),
        }
    }
}

/// Bands of a criterion's points: points leave the server only as the third of the range they
/// fall in, so nothing a script computes from personal data (such as waiting time, which with
/// the proposal month would give back the registration month) reaches analysts in detail.
pub const SCORE_BANDS: i64 = 3;

/// The lowest and highest points (hundredths) of the total and of each criterion among the pairs
/// one round proposed. A round's pairs never change once it ran.
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

impl RoundRange {
    /// Widens the range by one pair's total and points.
    fn add(&mut self, score: i64, parts: &crate::run_record::Explanation) {
        widen(&mut self.total, score);
        for (criterion, points) in parts {
            let mut r = self.parts.get(criterion).copied();
            widen(&mut r, *points);
            if let Some(r) = r {
                self.parts.insert(criterion.clone(), r);
            }
        }
    }

    /// Each criterion's band in this range (null where the range is one value).
    fn bands(&self, parts: crate::run_record::Explanation) -> serde_json::Value {
        serde_json::Value::Object(
            parts
                .into_iter()
                .map(|(name, h)| {
                    let b = band(h, self.parts.get(&name).copied());
                    (name, b.map_or(serde_json::Value::Null, serde_json::Value::from))
                })
                .collect(),
        )
    }
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

/// The ranges of the rounds that proposed `run_ids`.
async fn round_ranges(conn: &impl ConnectionTrait, run_ids: Vec<String>) -> AppResult<RoundRanges> {
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
                range.add(pair.score, &pair.parts);
            }
            ranges.insert(id, range);
        }
    }
    Ok(ranges)
}

/// The recoding a policy fixes: one level per quasi-identifier of households and of groups
/// (indexes as in `generalise::PERSON_QI` and `GROUP_QI`), the countries named as themselves,
/// and k.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recoding {
    pub k: usize,
    pub households: Vec<usize>,
    pub groups: Vec<usize>,
    pub countries: HashSet<String>,
}

impl Recoding {
    /// The granularity of every month released.
    pub fn event_level(&self) -> usize {
        self.households.get(EVENT_PERIOD).copied().unwrap_or(generalise::PERSON_MAX_LEVELS[EVENT_PERIOD])
    }

    /// `{"households": {"age_band": 1, ...}, "groups": {...}}`, as stored.
    pub fn levels_json(&self) -> serde_json::Value {
        let named = |names: &[&str], levels: &[usize]| -> serde_json::Map<String, serde_json::Value> {
            names.iter().zip(levels).map(|(n, l)| ((*n).to_owned(), serde_json::Value::from(*l))).collect()
        };
        serde_json::json!({
            "households": named(&generalise::PERSON_QI, &self.households),
            "groups": named(&generalise::GROUP_QI, &self.groups),
        })
    }

    /// Back from the stored form; a level missing or out of range is the coarsest (a stored
    /// policy is never read finer than it was written).
    pub fn from_stored(k: i32, levels: &serde_json::Value, countries: &serde_json::Value) -> Self {
        let read = |part: &str, names: &[&str], max: &[usize]| -> Vec<usize> {
            names.iter().zip(max).map(|(n, m)| levels[part][*n].as_u64().map_or(*m, |l| (l as usize).min(*m))).collect()
        };
        let mut groups = read("groups", &generalise::GROUP_QI, &generalise::GROUP_MAX_LEVELS);
        // The groups' event period is the households'; its own slot is not searched.
        if let Some(e) = groups.get_mut(3) {
            *e = 0;
        }
        Recoding {
            k: k.max(2) as usize,
            households: read("households", &generalise::PERSON_QI, &generalise::PERSON_MAX_LEVELS),
            groups,
            countries: countries
                .as_array()
                .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
        }
    }

    /// `age_band=10 years; gender=as recorded; ...`, for headers and the audit log.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = generalise::PERSON_QI
            .iter()
            .zip(&self.households)
            .zip(generalise::PERSON_LEVEL_NAMES.iter())
            .skip(1)
            .map(|((name, level), words)| format!("{name}={}", words.get(*level).copied().unwrap_or("?")))
            .collect();
        parts.extend(
            generalise::GROUP_QI
                .iter()
                .zip(&self.groups)
                .zip(generalise::GROUP_LEVEL_NAMES.iter())
                .skip(1)
                .map(|((name, level), words)| format!("{name}={}", words.get(*level).copied().unwrap_or("?"))),
        );
        parts.push(format!("score and criteria=bands of {SCORE_BANDS} of the round's range"));
        parts.join("; ")
    }
}

/// Everything a release is made of, read once.
pub struct Source {
    newcomers: Vec<newcomer::Model>,
    groups: Vec<welcome_group::Model>,
    aggregates: HashMap<String, GroupAggregate>,
    matches: Vec<matches::Model>,
    check_ins: Vec<check_in::Model>,
    activities: Vec<activity_log::Model>,
    ranges: RoundRanges,
    candidates: Vec<entity::round_candidate::Model>,
    household_check_ins: Vec<entity::household_check_in::Model>,
    /// City and time of every round that stored candidates.
    runs: HashMap<String, (String, DateTime<Utc>)>,
}

/// Reads every table a release is made of (the programme holds hundreds of households, so all
/// of it fits in memory; reads go in pages of `PAGE` ids).
pub async fn read_source(conn: &impl ConnectionTrait) -> AppResult<Source> {
    macro_rules! all_of {
        ($entity:ident) => {{
            let mut rows = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut q = $entity::Entity::find().order_by_asc($entity::Column::Id).limit(PAGE);
                if let Some(a) = after.as_deref() {
                    q = q.filter($entity::Column::Id.gt(a));
                }
                let page = q.all(conn).await?;
                let full = page.len() as u64 == PAGE;
                after = page.last().map(|r| r.id.clone());
                rows.extend(page);
                if !full {
                    break;
                }
            }
            rows
        }};
    }
    let newcomers = all_of!(newcomer);
    let groups = all_of!(welcome_group);
    let matches = all_of!(matches);
    let check_ins = all_of!(check_in);
    let activities = all_of!(activity_log);
    let household_check_ins = {
        use entity::household_check_in;
        all_of!(household_check_in)
    };
    let mut aggregates = HashMap::new();
    for page in groups.chunks(PAGE as usize) {
        aggregates.extend(group_aggregates(conn, page).await?);
    }
    let run_ids: HashSet<String> = matches.iter().filter_map(|m| m.run_id.clone()).collect();
    let ranges = round_ranges(conn, run_ids.into_iter().collect()).await?;
    let candidates = entity::round_candidate::Entity::find()
        .order_by_asc(entity::round_candidate::Column::RunId)
        .order_by_asc(entity::round_candidate::Column::NewcomerId)
        .order_by_asc(entity::round_candidate::Column::GroupId)
        .all(conn)
        .await?;
    let candidate_runs: Vec<String> =
        candidates.iter().map(|c| c.run_id.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut runs = HashMap::new();
    for ids in candidate_runs.chunks(PAGE as usize) {
        let found: Vec<(String, String, DateTime<Utc>)> = matching_run::Entity::find()
            .select_only()
            .column(matching_run::Column::Id)
            .column(matching_run::Column::CitySlug)
            .column(matching_run::Column::CreatedAt)
            .filter(matching_run::Column::Id.is_in(ids.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        runs.extend(found.into_iter().map(|(id, city, at)| (id, (city, at))));
    }
    Ok(Source {
        newcomers,
        groups,
        aggregates,
        matches,
        check_ins,
        activities,
        ranges,
        candidates,
        household_check_ins,
        runs,
    })
}

/// Year and month each match of a household (or group) started, by its id.
type Starts<'a> = HashMap<&'a str, Vec<(i32, u32)>>;

impl Source {
    /// The months each household's and each group's matches started.
    fn starts(&self) -> (Starts<'_>, Starts<'_>) {
        let mut households = Starts::new();
        let mut groups = Starts::new();
        for m in &self.matches {
            if let Some(s) = m.start_date {
                households.entry(m.newcomer_id.as_str()).or_default().push((s.year(), s.month()));
                groups.entry(m.group_id.as_str()).or_default().push((s.year(), s.month()));
            }
        }
        for v in households.values_mut().chain(groups.values_mut()) {
            v.sort_unstable();
        }
        (households, groups)
    }

    /// The facts of every household and every group, with the months their matches started.
    pub fn facts(&self) -> (Vec<PersonFacts>, Vec<Option<GroupFacts>>) {
        let (household_starts, group_starts) = self.starts();
        let households = self
            .newcomers
            .iter()
            .map(|n| person_facts(n, household_starts.get(n.id.as_str()).cloned().unwrap_or_default()))
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|g| {
                self.aggregates.get(&g.id).map(|a| GroupFacts {
                    starts: group_starts.get(g.id.as_str()).cloned().unwrap_or_default(),
                    ..a.facts.clone()
                })
            })
            .collect();
        (households, groups)
    }
}

/// Histogram of facts.
pub fn histogram<K: Eq + std::hash::Hash + Clone>(facts: impl IntoIterator<Item = K>) -> HashMap<K, usize> {
    let mut hist = HashMap::new();
    for f in facts {
        *hist.entry(f).or_insert(0) += 1;
    }
    hist
}

/// The countries of origin at least `k` households share: named as themselves at the finest
/// origin level.
pub fn common_countries(households: &[PersonFacts], k: usize) -> HashSet<String> {
    let mut countries: HashMap<&str, usize> = HashMap::new();
    for f in households {
        *countries.entry(f.country.as_str()).or_default() += 1;
    }
    countries.into_iter().filter(|(_, n)| *n >= k).map(|(c, _)| c.to_owned()).collect()
}

/// What an administrator asks of a proposal: k, levels fixed by hand (by column name, e.g.
/// `gender` at 0 to keep it as recorded), and the share of rows the search may withhold rather
/// than generalise further.
#[derive(Clone, Debug)]
pub struct Ask {
    pub k: usize,
    pub fixed: HashMap<String, usize>,
    pub suppression: f64,
}

impl Ask {
    /// k, nothing fixed, the standard suppression budget.
    pub fn standard(k: usize) -> Self {
        Ask { k, fixed: HashMap::new(), suppression: generalise::SUPPRESSION_BUDGET }
    }

    /// Checks the names and levels: every problem names the column and what is allowed.
    pub fn check(&self) -> AppResult<()> {
        if !(2..=100).contains(&self.k) {
            return Err(domain::error::AppError::bad_input(
                "k",
                format!("k must be between 2 and 100, got {}", self.k),
            ));
        }
        if !(0.0..=0.5).contains(&self.suppression) || self.suppression.is_nan() {
            return Err(domain::error::AppError::bad_input(
                "maxWithheld",
                format!("the share of rows that may be withheld must be between 0 and 0.5, got {}", self.suppression),
            ));
        }
        for (name, level) in &self.fixed {
            let (names, max): (&[&str], &[usize]) = (&generalise::PERSON_QI, &generalise::PERSON_MAX_LEVELS);
            let found = names.iter().position(|n| n == name).map(|i| max[i]).or_else(|| {
                generalise::GROUP_QI.iter().take(3).position(|n| n == name).map(|i| generalise::GROUP_MAX_LEVELS[i])
            });
            match found {
                None => {
                    let mut known: Vec<&str> = names.iter().skip(1).copied().collect();
                    known.extend(generalise::GROUP_QI.iter().skip(1).take(2));
                    return Err(domain::error::AppError::bad_input(
                        "keep",
                        format!("there is no quasi-identifier {name:?}; use one of {}", known.join(", ")),
                    ));
                }
                Some(m) if *level > m => {
                    return Err(domain::error::AppError::bad_input(
                        "keep",
                        format!("{name} has levels 0 to {m}, got {level}"),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn bounds(&self, names: &[&str], max: &[usize]) -> generalise::Bounds {
        generalise::Bounds {
            ranges: names
                .iter()
                .zip(max)
                .map(|(n, m)| self.fixed.get(*n).map_or((0, *m), |l| (*l.min(m), *l.min(m))))
                .collect(),
            suppression: self.suppression,
        }
    }
}

/// Searches the least generalised recoding that leaves at most the suppression budget of
/// households (then of groups) in classes smaller than k, over the join of each with the
/// months its matches started, within the levels `ask` fixes. CPU work: run it off the async
/// workers.
pub fn search(households: &[PersonFacts], groups: &[Option<GroupFacts>], ask: &Ask) -> Recoding {
    let k = ask.k;
    let countries = common_countries(households, k);
    let hist = histogram(households.iter().cloned());
    let common = |c: &str| countries.contains(c);
    let household_levels = generalise::search_within(
        &hist,
        k,
        &generalise::PERSON_MAX_LEVELS,
        &ask.bounds(&generalise::PERSON_QI, &generalise::PERSON_MAX_LEVELS),
        &generalise::PERSON_PRIORITY,
        |f, d, l| generalise::publish_person(f, d, l, &common),
    );
    let event = household_levels[EVENT_PERIOD];
    let group_hist = histogram(groups.iter().flatten().cloned());
    let group_levels = generalise::search_within(
        &group_hist,
        k,
        &generalise::GROUP_MAX_LEVELS,
        &ask.bounds(&generalise::GROUP_QI, &generalise::GROUP_MAX_LEVELS),
        &generalise::GROUP_PRIORITY,
        |f, d, l| generalise::publish_group(f, d, l, event),
    );
    Recoding { k, households: household_levels, groups: group_levels, countries }
}

/// The rows of one release: per dataset, `(city, cells)` in file order, and per dataset and
/// city how many rows were withheld.
#[derive(Default)]
pub struct Release {
    pub rows: HashMap<&'static str, Vec<(String, Vec<Cell>)>>,
    pub withheld: HashMap<&'static str, HashMap<String, usize>>,
}

impl Release {
    fn push(&mut self, dataset: Dataset, city: &str, row: Vec<Cell>) {
        self.rows.entry(dataset.name()).or_default().push((city.to_owned(), row));
    }

    fn withhold(&mut self, dataset: Dataset, city: &str) {
        *self.withheld.entry(dataset.name()).or_default().entry(city.to_owned()).or_default() += 1;
    }

    /// `{dataset: {city: {"rows": n, "withheld": m}}}`, as stored with the policy.
    pub fn counts(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for d in Dataset::ALL {
            let mut per_city: HashMap<&str, (usize, usize)> = HashMap::new();
            for (city, _) in self.rows.get(d.name()).into_iter().flatten() {
                per_city.entry(city).or_default().0 += 1;
            }
            for (city, n) in self.withheld.get(d.name()).into_iter().flatten() {
                per_city.entry(city).or_default().1 += n;
            }
            let cities: serde_json::Map<String, serde_json::Value> = per_city
                .into_iter()
                .map(|(c, (rows, withheld))| (c.to_owned(), serde_json::json!({ "rows": rows, "withheld": withheld })))
                .collect();
            out.insert(d.name().to_owned(), serde_json::Value::Object(cities));
        }
        serde_json::Value::Object(out)
    }
}

/// Makes the release of `source` under `recoding`: k-anonymity is checked once, on the
/// households joined with the months their matches started (and the groups likewise), over
/// every city together; a household or group in a class smaller than k is withheld from every
/// dataset that links to it (its matches, their check-ins and activities). Pure.
pub fn build(source: &Source, recoding: &Recoding, key: &ExportKey, today: NaiveDate) -> Release {
    let (household_facts, group_facts) = source.facts();
    let k = recoding.k;
    let event = recoding.event_level();
    let common = |c: &str| recoding.countries.contains(c);
    // Which households and groups are released: those in classes of k or more, counted among
    // the released ones only, where a started match links two released sides (a household
    // whose match is withheld would show fewer starts in the files than its class was checked
    // with). Withholding shrinks classes, so repeat until nothing changes.
    let mut kept_households: Vec<bool> = vec![true; household_facts.len()];
    let mut kept_groups: Vec<bool> = group_facts.iter().map(Option::is_some).collect();
    let household_index: HashMap<&str, usize> =
        source.newcomers.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let group_index: HashMap<&str, usize> = source.groups.iter().enumerate().map(|(i, g)| (g.id.as_str(), i)).collect();
    let (households, groups) = loop {
        let households = generalise::apply(
            &histogram(household_facts.iter().zip(&kept_households).filter(|(_, k)| **k).map(|(f, _)| f.clone())),
            k,
            &recoding.households,
            |f, d, l| generalise::publish_person(f, d, l, &common),
        );
        let groups = generalise::apply(
            &histogram(group_facts.iter().zip(&kept_groups).filter(|(_, k)| **k).filter_map(|(f, _)| f.clone())),
            k,
            &recoding.groups,
            |f, d, l| generalise::publish_group(f, d, l, event),
        );
        let mut changed = false;
        for (i, f) in household_facts.iter().enumerate() {
            if kept_households[i] && households.decide(f).is_none() {
                kept_households[i] = false;
                changed = true;
            }
        }
        for (i, f) in group_facts.iter().enumerate() {
            if kept_groups[i] && f.as_ref().is_none_or(|f| groups.decide(f).is_none()) {
                kept_groups[i] = false;
                changed = true;
            }
        }
        for m in source.matches.iter().filter(|m| m.start_date.is_some()) {
            let (Some(&h), Some(&g)) =
                (household_index.get(m.newcomer_id.as_str()), group_index.get(m.group_id.as_str()))
            else {
                continue;
            };
            if kept_households[h] != kept_groups[g] {
                kept_households[h] = false;
                kept_groups[g] = false;
                changed = true;
            }
        }
        if !changed {
            break (households, groups);
        }
    };
    let mut release = Release::default();
    let mut released_households: HashSet<&str> = HashSet::new();
    for ((n, f), kept) in source.newcomers.iter().zip(&household_facts).zip(&kept_households) {
        let Some(qi) = households.decide(f).filter(|_| *kept) else {
            release.withhold(Dataset::Newcomers, &n.city_slug);
            continue;
        };
        released_households.insert(n.id.as_str());
        let mut row = vec![Cell::Text(key.pseudonym("newcomer", &n.id))];
        // City, age, gender, origin, adults, children, arrival, Dutch level, goals, languages;
        // the event period is the matches file's.
        row.extend(qi.iter().take(EVENT_PERIOD).cloned().map(Cell::Text));
        row.extend([
            Cell::Text(n.status.to_value()),
            n.baseline_network_size.map_or(Cell::Null, |v| Cell::Text(generalise::top_code(v, 10))),
            Cell::opt(n.baseline_work_status.clone()),
            n.baseline_wellbeing.map_or(Cell::Null, |v| Cell::Int(v.into())),
        ]);
        release.push(Dataset::Newcomers, &n.city_slug, row);
    }
    let mut released_groups: HashSet<&str> = HashSet::new();
    for ((g, f), kept) in source.groups.iter().zip(&group_facts).zip(&kept_groups) {
        let (Some(f), Some(agg), true) = (f, source.aggregates.get(&g.id), *kept) else {
            release.withhold(Dataset::Groups, &g.city_slug);
            continue;
        };
        let Some(qi) = groups.decide(f) else {
            release.withhold(Dataset::Groups, &g.city_slug);
            continue;
        };
        released_groups.insert(g.id.as_str());
        let mut row = vec![Cell::Text(key.pseudonym("group", &g.id))];
        row.extend(qi.iter().take(3).cloned().map(Cell::Text));
        let created = domain::time::local_date(g.created_at);
        row.extend([
            Cell::Text(g.status.to_value()),
            Cell::Int(g.capacity.into()),
            Cell::Int(g.languages.0.len() as i64),
            Cell::Int(g.interests.0.len() as i64),
            g.availability_hours_per_month.map_or(Cell::Null, |h| Cell::Int(h.into())),
            Cell::Bool(agg.has_coordinator),
            Cell::Text(generalise::period(created.year(), created.month(), event)),
        ]);
        release.push(Dataset::Groups, &g.city_slug, row);
    }
    let dutch_level = recoding.households.get(7).copied().unwrap_or(2);
    let registered: HashMap<&str, NaiveDate> =
        source.newcomers.iter().map(|n| (n.id.as_str(), domain::time::local_date(n.created_at))).collect();
    let period = |d: NaiveDate| generalise::period(d.year(), d.month(), event);
    let mut released_matches: HashSet<&str> = HashSet::new();
    let none = RoundRange::default();
    for m in &source.matches {
        if !released_households.contains(m.newcomer_id.as_str()) || !released_groups.contains(m.group_id.as_str()) {
            release.withhold(Dataset::Matches, &m.city_slug);
            continue;
        }
        released_matches.insert(m.id.as_str());
        let range = m.run_id.as_deref().and_then(|r| source.ranges.get(r)).unwrap_or(&none);
        // A stored explanation that does not read back is left out rather than fail the release.
        let criteria = range.bands(crate::run_record::explanation(&m.explanation).unwrap_or_default());
        let months = m.start_date.map(|s| months_between(s, m.end_date.unwrap_or(today)));
        release.push(
            Dataset::Matches,
            &m.city_slug,
            vec![
                Cell::Text(key.pseudonym("match", &m.id)),
                Cell::Text(key.pseudonym("newcomer", &m.newcomer_id)),
                Cell::Text(key.pseudonym("group", &m.group_id)),
                Cell::opt(m.run_id.as_deref().map(|r| key.pseudonym("run", r))),
                Cell::Text(m.city_slug.clone()),
                Cell::Text(m.status.to_value()),
                band(m.score, range.total).map_or(Cell::Null, Cell::Int),
                Cell::Json(criteria),
                Cell::Text(period(domain::time::local_date(m.created_at))),
                Cell::opt(m.start_date.map(period)),
                Cell::opt(m.end_date.map(period)),
                Cell::opt(m.end_reason_code.clone()),
                months.map_or(Cell::Null, Cell::Int),
                Cell::opt(m.start_dutch_level.map(|l| generalise::dutch(&l.to_value(), dutch_level))),
                Cell::Bool(m.override_reason.is_some()),
                Cell::opt(m.decided_side.clone()),
                Cell::opt(m.decline_code.clone()),
                Cell::opt(
                    registered
                        .get(m.newcomer_id.as_str())
                        .map(|r| waited_band(months_between(*r, domain::time::local_date(m.created_at))).to_owned()),
                ),
            ],
        );
    }
    let pairs: HashMap<&str, (&str, &str)> =
        source.matches.iter().map(|m| (m.id.as_str(), (m.newcomer_id.as_str(), m.group_id.as_str()))).collect();
    for c in &source.check_ins {
        let Some((n, g)) = pairs.get(c.match_id.as_str()).filter(|_| released_matches.contains(c.match_id.as_str()))
        else {
            release.withhold(Dataset::Checkins, &c.city_slug);
            continue;
        };
        release.push(
            Dataset::Checkins,
            &c.city_slug,
            vec![
                Cell::Text(key.pseudonym("checkin", &c.id)),
                Cell::Text(key.pseudonym("match", &c.match_id)),
                Cell::Text(key.pseudonym("newcomer", n)),
                Cell::Text(key.pseudonym("group", g)),
                Cell::Text(c.city_slug.clone()),
                Cell::Int(c.month.into()),
                Cell::Int(c.newcomer_satisfaction.into()),
                Cell::Int(c.group_satisfaction.into()),
                Cell::Text(c.dutch_level.to_value()),
                Cell::Text(c.work_status.clone()),
                Cell::Int(c.network_size.into()),
            ],
        );
    }
    for a in &source.activities {
        if !released_matches.contains(a.match_id.as_str()) {
            release.withhold(Dataset::Activities, &a.city_slug);
            continue;
        }
        release.push(
            Dataset::Activities,
            &a.city_slug,
            vec![
                Cell::Text(key.pseudonym("activity", &a.id)),
                Cell::Text(key.pseudonym("match", &a.match_id)),
                Cell::Text(a.city_slug.clone()),
                Cell::Text(period(a.date)),
                Cell::Text(a.kind.clone()),
                Cell::Int(a.duration_minutes.into()),
                Cell::Int(a.participants.into()),
            ],
        );
    }
    for c in &source.household_check_ins {
        let Some((n, _)) = pairs.get(c.match_id.as_str()).filter(|_| released_matches.contains(c.match_id.as_str()))
        else {
            release.withhold(Dataset::HouseholdCheckins, &c.city_slug);
            continue;
        };
        release.push(
            Dataset::HouseholdCheckins,
            &c.city_slug,
            vec![
                Cell::Text(key.pseudonym("household_checkin", &c.id)),
                Cell::Text(key.pseudonym("match", &c.match_id)),
                Cell::Text(key.pseudonym("newcomer", n)),
                Cell::Text(c.city_slug.clone()),
                Cell::Int(c.month.into()),
                Cell::Int(c.satisfaction.into()),
                Cell::Int(c.wellbeing.into()),
                Cell::Text(c.dutch_level.to_value()),
                Cell::Text(c.work_status.clone()),
                Cell::Int(c.network_size.into()),
            ],
        );
    }
    // Candidates: bands of each round's range over all its candidates.
    let mut ranges: HashMap<&str, RoundRange> = HashMap::new();
    let mut parts_of: Vec<crate::run_record::Explanation> = Vec::with_capacity(source.candidates.len());
    for c in &source.candidates {
        // Parts that do not read back are left out rather than fail the release.
        let parts: crate::run_record::Explanation =
            crate::run_record::read("round_candidates.parts", &c.parts).unwrap_or_default();
        ranges.entry(c.run_id.as_str()).or_default().add(c.score, &parts);
        parts_of.push(parts);
    }
    let became: HashMap<(&str, &str, &str), &str> = source
        .matches
        .iter()
        .filter_map(|m| m.run_id.as_deref().map(|r| ((r, m.newcomer_id.as_str(), m.group_id.as_str()), m.id.as_str())))
        .collect();
    for (c, parts) in source.candidates.iter().zip(parts_of) {
        let Some((city, at)) = source.runs.get(&c.run_id) else { continue };
        if !released_households.contains(c.newcomer_id.as_str()) || !released_groups.contains(c.group_id.as_str()) {
            release.withhold(Dataset::Candidates, city);
            continue;
        }
        let range = ranges.get(c.run_id.as_str()).unwrap_or(&none);
        let criteria = range.bands(parts);
        // A match the round proposed links only when its match is released too.
        let match_id = became
            .get(&(c.run_id.as_str(), c.newcomer_id.as_str(), c.group_id.as_str()))
            .filter(|m| released_matches.contains(**m));
        release.push(
            Dataset::Candidates,
            city,
            vec![
                Cell::Text(key.pseudonym("run", &c.run_id)),
                Cell::Text(key.pseudonym("newcomer", &c.newcomer_id)),
                Cell::Text(key.pseudonym("group", &c.group_id)),
                Cell::opt(match_id.map(|m| key.pseudonym("match", m))),
                Cell::Text(city.clone()),
                Cell::Text(period(domain::time::local_date(*at))),
                Cell::Bool(c.proposed),
                band(c.score, range.total).map_or(Cell::Null, Cell::Int),
                Cell::Json(criteria),
            ],
        );
    }
    release
}

fn person_facts(n: &newcomer::Model, starts: Vec<(i32, u32)>) -> PersonFacts {
    let mut goals = n.goals.0.clone();
    goals.sort();
    goals.dedup();
    PersonFacts {
        city: n.city_slug.clone(),
        birth_year: n.birth_year,
        gender: n.gender.to_value(),
        country: n.country_of_origin.clone(),
        adults: n.household_adults,
        children: n.children_ages.0.len() as i32,
        arrival: (n.arrival_date.year(), n.arrival_date.month()),
        dutch_level: n.dutch_level.to_value(),
        goals,
        languages: n.languages.0.len() as i32,
        starts,
    }
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
            let facts = GroupFacts {
                city: g.city_slug.clone(),
                members: ys.len() as i32,
                median_birth_year: median,
                starts: Vec::new(),
            };
            (g.id.clone(), GroupAggregate { facts, has_coordinator })
        })
        .collect())
}

/// The band of a wait of `months` months.
fn waited_band(months: i64) -> &'static str {
    match months {
        ..=2 => "0-2",
        3..=5 => "3-5",
        6..=11 => "6-11",
        _ => "12+",
    }
}

/// Whole months from `start` to `end`.
pub fn months_between(start: NaiveDate, end: NaiveDate) -> i64 {
    let m = (end.year() - start.year()) as i64 * 12 + end.month() as i64 - start.month() as i64;
    if end.day() < start.day() { (m - 1).max(0) } else { m.max(0) }
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
