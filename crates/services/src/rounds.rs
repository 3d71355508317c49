//! Matching rounds: candidates, the city's active script, the exact assignment, and the
//! stored run with its proposals. Rounds of one city are serialised; a round whose inputs
//! changed while it computed refuses to commit instead of proposing stale pairs.

use crate::run_record::{self, Quality, StoredPair, StoredUnmatched, Subgroup};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use entity::{MatchStatus, RunStatus, matches, matching_run, newcomer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::candidates::{self, Candidates};
use crate::db::begin_write;
use crate::matches::WithOverride;
use crate::matching::round::{self, Proposal, RoundParams};
use crate::metrics::Metrics;
use crate::scripts::Scoring;
use crate::{audit, new_id, scripts};
use domain::error::{AppError, AppResult};
use domain::policy::Op;
use domain::policy::Principal;
use scripting::CompiledScript;
use solver::Objective;

/// What a round optimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MatchingObjective {
    /// First the largest number of households matched, then the largest total score.
    #[default]
    MaxMatchesThenScore,
    /// The largest total score, even if fewer households are matched.
    MaxTotalScore,
}

impl MatchingObjective {
    pub fn code(self) -> &'static str {
        match self {
            Self::MaxMatchesThenScore => "MAX_MATCHES_THEN_SCORE",
            Self::MaxTotalScore => "MAX_TOTAL_SCORE",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "MAX_TOTAL_SCORE" { Self::MaxTotalScore } else { Self::MaxMatchesThenScore }
    }

    fn solver(self) -> Objective {
        match self {
            Self::MaxMatchesThenScore => Objective::MaxMatchesThenScore,
            Self::MaxTotalScore => Objective::MaxTotalScore,
        }
    }
}

/// A newcomer and a group.
#[derive(Clone, Debug)]
pub struct PairInput {
    pub newcomer_id: String,
    pub group_id: String,
    /// For a locked pair: staff's reason to propose it although the script finds it
    /// ineligible (CITY_ADMIN or ADMIN; stored on the match, audited). Not for excluded pairs.
    pub override_reason: Option<String>,
}

/// A matching round for one city.
#[derive(Clone, Debug)]
pub struct RunMatchingInput {
    /// The city whose WAITING newcomers and READY groups are matched.
    pub city_slug: String,
    /// A dry run stores only the run record (its pairs included), no matches.
    pub dry_run: bool,
    pub objective: MatchingObjective,
    /// Pairs that must be in the result.
    pub locked_pairs: Vec<PairInput>,
    /// Pairs that must not be.
    pub excluded_pairs: Vec<PairInput>,
}

/// The city, if the caller may decide matches there; NOT_FOUND otherwise.
pub async fn city_in_scope(conn: &impl ConnectionTrait, p: &Principal, op: Op, slug: &str) -> AppResult<String> {
    let scope = p.scope_for(op)?;
    let slug = slug.trim().to_lowercase();
    match entity::city::Entity::find_by_id(slug.as_str()).one(conn).await? {
        Some(c) if scope.covers_city(&c.slug) => Ok(c.slug),
        // Cities are public, so naming another one reveals nothing: the act is forbidden.
        Some(_) => Err(AppError::forbidden("you may act only in your own city")),
        None => Err(AppError::NotFound("city")),
    }
}

/// Pairs of this city that were rejected or ended early and may not be proposed `today`: all of
/// them, but a decline for the moment whose pause has passed.
pub async fn never_again(
    conn: &impl ConnectionTrait,
    city: &str,
    today: NaiveDate,
) -> AppResult<HashSet<(String, String)>> {
    let rows: Vec<(String, String)> = matches::Entity::find()
        .select_only()
        .column(matches::Column::NewcomerId)
        .column(matches::Column::GroupId)
        .filter(matches::Column::CitySlug.eq(city))
        .filter(matches::Column::Status.is_in([MatchStatus::Rejected, MatchStatus::EndedEarly]))
        // A decline for the moment (timing) lets the pair back in once the city's pause passed.
        .filter(
            Condition::any()
                .add(matches::Column::ProposableAgainOn.is_null())
                .add(matches::Column::ProposableAgainOn.gt(today)),
        )
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// What every computation of proposals starts from — a round, a preview, the recommendations:
/// the city's candidates, the pairs declined or ended before, and those pairs as (row, column)
/// of the candidates. One function, so a preview solves exactly the problem a round would.
pub struct RoundInputs {
    pub cands: Candidates,
    pub repeats: HashSet<(String, String)>,
    /// The declined pairs among the candidates, by row and column: not proposed in this round.
    pub never_again: Vec<(usize, usize)>,
}

pub async fn round_inputs(conn: &impl ConnectionTrait, city: &str, today: NaiveDate) -> AppResult<RoundInputs> {
    let cands = candidates::load(conn, city, None).await?;
    let repeats = never_again(conn, city, today).await?;
    let rows: HashMap<&str, usize> = cands.newcomers.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let cols: HashMap<&str, usize> = cands.groups.iter().enumerate().map(|(i, g)| (g.group.id.as_str(), i)).collect();
    let mut declined: Vec<(usize, usize)> =
        repeats.iter().filter_map(|(n, g)| Some((*rows.get(n.as_str())?, *cols.get(g.as_str())?))).collect();
    declined.sort_unstable();
    drop((rows, cols));
    Ok(RoundInputs { cands, repeats, never_again: declined })
}

/// A hash of everything a round reads: candidates with their versions, forbidden repeats,
/// the script and the parameters. Equal hashes mean the same proposals.
fn inputs_hash(
    c: &Candidates,
    repeats: &HashSet<(String, String)>,
    script_sha: &str,
    objective: MatchingObjective,
    locked: &[(usize, usize)],
    excluded: &[(usize, usize)],
) -> String {
    let mut h = Sha256::new();
    h.update(script_sha.as_bytes());
    h.update(objective.code().as_bytes());
    for n in &c.newcomers {
        h.update(format!("n:{}:{};", n.id, n.version).as_bytes());
    }
    for g in &c.groups {
        h.update(format!("g:{}:{};", g.group.id, g.group.version).as_bytes());
    }
    let mut rep: Vec<_> = repeats.iter().collect();
    rep.sort();
    for (n, g) in rep {
        h.update(format!("r:{n}:{g};").as_bytes());
    }
    for (r, c) in locked {
        h.update(format!("l:{r}:{c};").as_bytes());
    }
    for (r, c) in excluded {
        h.update(format!("x:{r}:{c};").as_bytes());
    }
    hex::encode(h.finalize())
}

fn index_pairs(
    field: &str,
    pairs: &[PairInput],
    rows: &HashMap<&str, usize>,
    cols: &HashMap<&str, usize>,
) -> AppResult<Vec<(usize, usize)>> {
    pairs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let r = rows.get(p.newcomer_id.as_str()).ok_or_else(|| {
                AppError::bad_input(field, format!("{field}[{i}]: newcomer {} is not a candidate of this round (WAITING, in this city, without a live match)", p.newcomer_id.as_str()))
            })?;
            let c = cols.get(p.group_id.as_str()).ok_or_else(|| {
                AppError::bad_input(field, format!("{field}[{i}]: group {} is not a candidate of this round (READY, in this city, without a live match)", p.group_id.as_str()))
            })?;
            Ok((*r, *c))
        })
        .collect()
}

/// The most eligible pairs a committed round stores as candidates for research (each is
/// scored once more with its explanation); a larger round stores its proposals only.
pub const CANDIDATE_CAP: usize = 20_000;

/// One computed pair with its explanation (hundredths).
struct PairOut {
    row: usize,
    col: usize,
    score: i64,
    parts: Vec<(String, i64)>,
    /// Staff's reason where the pair was locked against the script's eligibility.
    override_reason: Option<String>,
}

fn explain(
    script: &CompiledScript,
    c: &Candidates,
    proposal: &Proposal,
    today: chrono::NaiveDate,
) -> AppResult<Vec<PairOut>> {
    let mut scope = rhai::Scope::new();
    let mut out = Vec::with_capacity(proposal.pairs.len());
    for &(row, col, _) in &proposal.pairs {
        let n = crate::script_values::newcomer(&c.newcomers[row], today);
        let g = crate::script_values::group(&c.groups[col].group, &c.groups[col].members, today);
        let scored = script.score(&mut scope, &n, &g).map_err(scripts::job_error)?;
        // The stored score is the explanation's sum, so the two always add up; scripts are
        // deterministic (no clock, no randomness), so it equals the matrix entry solved on.
        out.push(PairOut { row, col, score: scored.total, parts: scored.parts, override_reason: None });
    }
    Ok(out)
}

fn household_type(n: &newcomer::Model) -> &'static str {
    if !n.children_ages.0.is_empty() {
        "FAMILY_WITH_CHILDREN"
    } else if n.household_adults >= 2 {
        "COUPLE_OR_ADULTS"
    } else {
        "SINGLE_ADULT"
    }
}

fn main_language(n: &newcomer::Model) -> String {
    n.languages
        .0
        .iter()
        .find(|l| l.level == "native")
        .or_else(|| n.languages.0.first())
        .map(|l| l.code.clone())
        .unwrap_or_default()
}

/// Match rate and mean score per subgroup, flagged where a subgroup's rate is below four
/// fifths of the overall rate.
fn quality(c: &Candidates, pairs: &[PairOut], greedy_total: i64, exact_total: i64) -> Quality {
    let matched: HashMap<usize, i64> = pairs.iter().map(|p| (p.row, p.score)).collect();
    let overall = if c.newcomers.is_empty() { 0.0 } else { matched.len() as f64 / c.newcomers.len() as f64 };
    let breakdown = |key: &dyn Fn(&newcomer::Model) -> String| -> Vec<Subgroup> {
        let mut groups: BTreeMap<String, (usize, usize, i64)> = BTreeMap::new();
        for (i, n) in c.newcomers.iter().enumerate() {
            let e = groups.entry(key(n)).or_default();
            e.0 += 1;
            if let Some(s) = matched.get(&i) {
                e.1 += 1;
                e.2 += s;
            }
        }
        groups
            .into_iter()
            .map(|(k, (cands, m, sum))| {
                let rate = m as f64 / cands as f64;
                Subgroup {
                    group: k,
                    candidates: cands,
                    matched: m,
                    match_rate: rate,
                    mean_score: if m > 0 { sum as f64 / m as f64 / 100.0 } else { 0.0 },
                    below_four_fifths: rate < 0.8 * overall,
                }
            })
            .collect()
    };
    Quality {
        greedy_total,
        exact_total,
        overall_match_rate: overall,
        by_gender: breakdown(&|n| crate::script_values::gender_code(n.gender).to_owned()),
        by_household_type: breakdown(&|n| household_type(n).to_owned()),
        by_main_language: breakdown(&|n| main_language(n)),
        rescored_on_rhai: false,
        empty_reason: None,
        overrides: 0,
    }
}

/// Takes the cross-replica lock of a city's rounds inside `txn` (PostgreSQL), released at
/// commit. SQLite's single writer (IMMEDIATE transactions) already serialises commits.
async fn advisory_lock(txn: &impl ConnectionTrait, city: &str) -> AppResult<()> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        let key = i64::from_be_bytes(
            Sha256::digest(format!("samenhier-round:{city}").as_bytes())[..8].try_into().unwrap_or([0; 8]),
        );
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// `runMatching`.
pub async fn run(
    db: &DatabaseConnection,
    vault: &crate::sealed::Vault,
    scoring: &Scoring,
    metrics: &Metrics,
    today: NaiveDate,
    p: &Principal,
    input: RunMatchingInput,
) -> AppResult<matching_run::Model> {
    let started = Instant::now();
    let dry = input.dry_run;
    let result = run_round(db, vault, scoring, today, p, input, started).await;
    let outcome = match &result {
        Ok(_) if dry => "dry_run",
        // A real round that found nothing to propose is not a proposal.
        Ok(run) if run.matched_count == 0 => "empty",
        Ok(_) => "proposed",
        Err(_) => "failed",
    };
    // Refusals before any work (roles, bad input) are not rounds.
    if !matches!(result, Err(AppError::Forbidden(_) | AppError::NotFound(_) | AppError::BadInput { .. })) {
        metrics.round(outcome, started.elapsed());
    }
    result
}

async fn run_round(
    db: &DatabaseConnection,
    vault: &crate::sealed::Vault,
    scoring: &Scoring,
    today: NaiveDate,
    p: &Principal,
    input: RunMatchingInput,
    started: Instant,
) -> AppResult<matching_run::Model> {
    let city = city_in_scope(db, p, Op::DecideMatches, &input.city_slug).await?;
    let city_lock = scoring.round_locks.for_city(&city);
    let _serial = city_lock.lock().await;

    let active = scripts::active(db, scoring, &city).await?;
    let RoundInputs { cands, repeats, never_again: declined } = round_inputs(db, &city, today).await?;
    let rows: HashMap<&str, usize> = cands.newcomers.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let cols: HashMap<&str, usize> = cands.groups.iter().enumerate().map(|(i, g)| (g.group.id.as_str(), i)).collect();
    if let Some(due) = input.locked_pairs.iter().find(|p| cands.reconfirmation_due.contains(&p.newcomer_id)) {
        return Err(AppError::bad_input(
            "lockedPairs",
            format!(
                "newcomer {} is left out of rounds until staff confirm it still wants a group (confirmStillWaiting)",
                due.newcomer_id
            ),
        ));
    }
    let locked = index_pairs("lockedPairs", &input.locked_pairs, &rows, &cols)?;
    let mut excluded = index_pairs("excludedPairs", &input.excluded_pairs, &rows, &cols)?;
    if input.excluded_pairs.iter().any(|p| p.override_reason.is_some()) {
        return Err(AppError::bad_input("excludedPairs", "an overrideReason is for locked pairs only"));
    }
    // Locked pairs with staff's reason to override the script's eligibility, by position.
    let mut reasons: Vec<(usize, usize, String)> = Vec::new();
    for (pair, at) in input.locked_pairs.iter().zip(&locked) {
        if let Some(why) = crate::decisions::override_reason("lockedPairs", pair.override_reason.as_deref())? {
            reasons.push((at.0, at.1, why));
        }
    }
    {
        let mut seen_rows = HashSet::new();
        let mut seen_cols = HashSet::new();
        for (r, c) in &locked {
            if !seen_rows.insert(*r) {
                return Err(AppError::bad_input("lockedPairs", "a newcomer is locked to two groups"));
            }
            if !seen_cols.insert(*c) {
                return Err(AppError::bad_input("lockedPairs", "a group is locked to two newcomers"));
            }
        }
    }
    let staff_excluded = excluded.clone();
    if locked.iter().any(|pair| declined.contains(pair)) {
        return Err(AppError::bad_input(
            "lockedPairs",
            "a locked pair was declined or ended early before and may not be proposed now (a decline for timing may be \
             proposed again once the city's pause has passed)",
        ));
    }
    excluded.extend(declined);
    let hash = inputs_hash(&cands, &repeats, &active.sha256, input.objective, &locked, &staff_excluded);
    drop(rows);
    drop(cols);

    // Score and solve off the async workers, outside any transaction.
    let script = Arc::clone(&active.script);
    let objective = input.objective.solver();
    let all_locked = locked.clone();
    let keep_candidates = !input.dry_run;
    let (cands, proposal, pairs, excluded, candidate_pairs, features) =
        scripts::scoring_job(scoring, &city, "the round", scoring.scoring_budget, move || -> AppResult<_> {
            let (ns, gs) = cands.script_values(today);
            // A locked pair with a reason that the script finds ineligible is forced: its
            // newcomer and group leave the assignment, and the pair is proposed as staff said.
            let mut scope = rhai::Scope::new();
            let mut forced = Vec::new();
            for (r, c, why) in reasons {
                if let scripting::Eligibility::No(_) =
                    script.eligible(&mut scope, &ns[r], &gs[c]).map_err(scripts::job_error)?
                {
                    forced.push((r, c, why));
                }
            }
            let mut excluded = excluded;
            let locked: Vec<(usize, usize)> =
                all_locked.iter().copied().filter(|p| !forced.iter().any(|f| (f.0, f.1) == *p)).collect();
            for (r, c, _) in &forced {
                excluded.extend((0..gs.len()).map(|col| (*r, col)));
                excluded.extend((0..ns.len()).map(|row| (row, *c)));
            }
            let params = RoundParams { objective, locked, excluded: excluded.clone() };
            let proposal = round::propose(&script, &ns, &gs, &params)?;
            let mut pairs = explain(&script, &cands, &proposal, today)?;
            for (row, col, why) in forced {
                let scored = script.score(&mut scope, &ns[row], &gs[col]).map_err(scripts::job_error)?;
                let mut parts = scored.parts;
                parts.push((crate::decisions::OVERRIDE_PART.to_owned(), 0));
                pairs.push(PairOut { row, col, score: scored.total, parts, override_reason: Some(why) });
            }
            pairs.sort_by_key(|p| p.row);
            // Every pair the round could propose, with its points, for research: scored once
            // more on Rhai (the matrix keeps totals only), so only for a committed round of
            // the programme's size.
            let mut candidate_pairs = Vec::new();
            if keep_candidates && proposal.scores.eligible_pairs() <= CANDIDATE_CAP {
                let skip: HashSet<(usize, usize)> = excluded.iter().copied().collect();
                for (r, n) in ns.iter().enumerate() {
                    for (c, g) in gs.iter().enumerate() {
                        if proposal.scores.get(r, c).is_some() && !skip.contains(&(r, c)) {
                            let scored = script.score(&mut scope, n, g).map_err(scripts::job_error)?;
                            candidate_pairs.push((r, c, scored.total, scored.parts));
                        }
                    }
                }
            }
            // What the script read of each side of a stored candidate, as this round saw it.
            let rows: std::collections::BTreeSet<usize> = candidate_pairs.iter().map(|p| p.0).collect();
            let cols: std::collections::BTreeSet<usize> = candidate_pairs.iter().map(|p| p.1).collect();
            let features: Vec<(&'static str, usize, Value)> = rows
                .into_iter()
                .map(|r| ("newcomer", r, crate::script_values::newcomer_features(&ns[r])))
                .chain(cols.into_iter().map(|c| ("group", c, crate::script_values::group_features(&gs[c]))))
                .collect();
            Ok((cands, proposal, pairs, excluded, candidate_pairs, features))
        })
        .await??;
    let excluded_set: HashSet<(usize, usize)> = excluded.iter().copied().collect();

    let total: i64 = pairs.iter().map(|p| p.score).sum();
    let matched_rows: HashSet<usize> = pairs.iter().map(|p| p.row).collect();
    let mut unmatched: Vec<StoredUnmatched> = (0..cands.newcomers.len())
        .filter(|r| !matched_rows.contains(r))
        .map(|r| {
            let eligible = (0..proposal.scores.cols).filter(|c| proposal.scores.get(r, *c).is_some());
            let (any, allowed) = eligible
                .fold((0, 0), |(any, allowed), c| (any + 1, allowed + usize::from(!excluded_set.contains(&(r, c)))));
            let reason = match (any, allowed) {
                (0, _) => "NO_ELIGIBLE_GROUP",
                (_, 0) => "ONLY_EXCLUDED_GROUPS",
                _ => "OUTNUMBERED",
            };
            StoredUnmatched { newcomer_id: cands.newcomers[r].id.clone(), reason: reason.to_owned() }
        })
        .collect();
    // Households left out of the round until staff confirm they still want a group.
    unmatched.extend(
        cands
            .reconfirmation_due
            .iter()
            .map(|id| StoredUnmatched { newcomer_id: id.clone(), reason: "RECONFIRMATION_DUE".to_owned() }),
    );
    let excluded_eligible = excluded_set.iter().filter(|(r, c)| proposal.scores.get(*r, *c).is_some()).count();
    let mut quality = quality(&cands, &pairs, proposal.greedy_total, total);
    quality.rescored_on_rhai = proposal.rescored_on_rhai;
    quality.overrides = pairs.iter().filter(|p| p.override_reason.is_some()).count();
    if pairs.is_empty() {
        quality.empty_reason = Some(
            if cands.newcomers.is_empty() {
                "NO_WAITING_HOUSEHOLDS"
            } else if cands.groups.is_empty() {
                "NO_READY_GROUPS"
            } else {
                "NOTHING_ELIGIBLE"
            }
            .to_owned(),
        );
    }
    let run_id = new_id();
    let now = Utc::now();

    // Commit in one short write transaction, after checking nothing changed meanwhile.
    let txn = begin_write(db).await?;
    advisory_lock(&txn, &city).await?;
    // Every candidate's row is locked before the inputs are read again, so a withdrawal, an
    // erasure or a decision on one of them either committed before (and changes the inputs:
    // CONFLICT) or waits until this round committed (and then sees its proposals).
    let newcomer_ids: Vec<String> = cands.newcomers.iter().map(|n| n.id.clone()).collect();
    let group_ids: Vec<String> = cands.groups.iter().map(|g| g.group.id.clone()).collect();
    crate::locks::many(&txn, &newcomer_ids, &group_ids).await?;
    let fresh = candidates::load(&txn, &city, None).await?;
    let fresh_repeats = never_again(&txn, &city, today).await?;
    if inputs_hash(&fresh, &fresh_repeats, &active.sha256, input.objective, &locked, &staff_excluded) != hash {
        return Err(AppError::conflict(
            "the candidates changed while the round was computed (another round, an accept or an edit); nothing was stored: run it again",
        ));
    }
    let mut pair_json = Vec::with_capacity(pairs.len());
    let mut new_matches = Vec::new();
    for pair in &pairs {
        let match_id = (!input.dry_run).then(new_id);
        pair_json.push(StoredPair {
            newcomer_id: cands.newcomers[pair.row].id.clone(),
            group_id: cands.groups[pair.col].group.id.clone(),
            score: pair.score,
            parts: pair.parts.clone(),
            match_id: match_id.clone(),
            overridden: pair.override_reason.is_some(),
        });
        if let Some(id) = match_id {
            // Staff's words are sealed, like every free text.
            let sealed_reason = match &pair.override_reason {
                Some(why) => {
                    Some(vault.key_for(&txn, &id).await?.seal(crate::sealed::MATCH_OVERRIDE_REASON, &id, why)?)
                }
                None => None,
            };
            new_matches.push(
                crate::matches::Proposed {
                    city: &city,
                    newcomer_id: &cands.newcomers[pair.row].id,
                    group_id: &cands.groups[pair.col].group.id,
                    run_id: Some(&run_id),
                    score: pair.score,
                    parts: &pair.parts,
                    created_by: &p.user_id,
                }
                .into_active_model(id)
                .with_override(sealed_reason),
            );
        }
    }
    let forced_pairs: Vec<(usize, usize)> =
        pairs.iter().filter(|p| p.override_reason.is_some()).map(|p| (p.row, p.col)).collect();
    let id_pairs = |v: &[(usize, usize)]| -> Value {
        Value::Array(v.iter().map(|(r, c)| json!([cands.newcomers[*r].id, cands.groups[*c].group.id])).collect())
    };
    let status = if input.dry_run {
        RunStatus::DryRun
    } else if pairs.is_empty() {
        RunStatus::Decided
    } else {
        RunStatus::Proposed
    };
    let run = matching_run::ActiveModel {
        id: Set(run_id.clone()),
        city_slug: Set(city.clone()),
        status: Set(status),
        script_version: Set(active.version),
        script_sha256: Set(active.sha256.clone()),
        objective: Set(input.objective.code().to_owned()),
        // The locked pairs staff forced against the script's eligibility, to reproduce the run.
        parameters: Set(json!({
            "locked": id_pairs(&locked),
            "excluded": id_pairs(&staff_excluded),
            "overridden": id_pairs(&forced_pairs),
        })),
        newcomer_count: Set(cands.newcomers.len() as i32),
        group_count: Set(cands.groups.len() as i32),
        // Pairs the round could propose: eligible under the script and not excluded (by
        // staff, or declined or ended before).
        eligible_pairs: Set((proposal.scores.eligible_pairs() - excluded_eligible) as i64),
        matched_count: Set(pairs.len() as i32),
        total_score: Set(total),
        greedy_total_score: Set(proposal.greedy_total),
        inputs_hash: Set(hash),
        duration_ms: Set(started.elapsed().as_millis() as i64),
        score_ms: Set(proposal.score_ms as i64),
        solve_ms: Set(proposal.solve_ms as i64),
        pairs: Set(run_record::to_json(&pair_json)?),
        unmatched: Set(run_record::to_json(&unmatched)?),
        quality: Set(run_record::to_json(&quality)?),
        created_by: Set(Some(p.user_id.clone())),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    for chunk in new_matches.chunks(crate::db::IN_LIST_CHUNK) {
        matches::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    let proposed: HashSet<(usize, usize)> = pairs.iter().map(|p| (p.row, p.col)).collect();
    for chunk in candidate_pairs.chunks(crate::db::IN_LIST_CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for (r, c, score, parts) in chunk {
            rows.push(entity::round_candidate::ActiveModel {
                run_id: Set(run.id.clone()),
                newcomer_id: Set(cands.newcomers[*r].id.clone()),
                group_id: Set(cands.groups[*c].group.id.clone()),
                score: Set(*score),
                parts: Set(run_record::to_json(parts)?),
                proposed: Set(proposed.contains(&(*r, *c))),
            });
        }
        entity::round_candidate::Entity::insert_many(rows).exec(&txn).await?;
    }
    for chunk in features.chunks(crate::db::IN_LIST_CHUNK) {
        let rows = chunk.iter().map(|(kind, at, value)| entity::round_feature::ActiveModel {
            run_id: Set(run.id.clone()),
            kind: Set((*kind).to_owned()),
            entity_id: Set(if *kind == "newcomer" {
                cands.newcomers[*at].id.clone()
            } else {
                cands.groups[*at].group.id.clone()
            }),
            features: Set(value.clone()),
        });
        entity::round_feature::Entity::insert_many(rows).exec(&txn).await?;
    }
    audit::record(
        &txn,
        Some(p),
        audit::Entry {
            action: if input.dry_run { "round.dry_run" } else { "round.run" },
            entity_type: "matching_run",
            entity_id: &run.id,
            city: Some(&city),
            details: json!({
                "scriptVersion": run.script_version, "matched": run.matched_count, "objective": run.objective,
                "overrides": quality.overrides,
            }),
        },
    )
    .await?;
    // The duration includes the commit.
    let mut am: matching_run::ActiveModel = run.into();
    am.duration_ms = Set(started.elapsed().as_millis() as i64);
    let run = am.update(&txn).await?;
    txn.commit().await?;
    tracing::info!(city = %city, run_id = %run.id, matched = run.matched_count, duration_ms = run.duration_ms, score_ms = run.score_ms, solve_ms = run.solve_ms, "matching round");
    Ok(run)
}

/// A run, if the caller may read the city's matches.
pub async fn get_run(db: &DatabaseConnection, p: &Principal, id: &str) -> AppResult<matching_run::Model> {
    let scope = p.scope_for(Op::DecideMatches)?;
    match matching_run::Entity::find_by_id(id.trim()).one(db).await? {
        Some(r) if scope.covers_city(&r.city_slug) => Ok(r),
        _ => Err(AppError::NotFound("matching run")),
    }
}

/// The stored matches of a run, in the order of its pairs.
pub async fn run_matches(conn: &impl ConnectionTrait, run_id: &str) -> AppResult<Vec<matches::Model>> {
    Ok(matches::Entity::find()
        .filter(matches::Column::RunId.eq(run_id))
        .order_by_asc(matches::Column::NewcomerId)
        .all(conn)
        .await?)
}
