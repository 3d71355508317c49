//! The computation of a round, without the database: score every pair with a compiled script,
//! forbid what must not be proposed, solve exactly, and compare with a greedy assignment.

use std::time::Instant;

use domain::error::{AppError, AppResult};
use scripting::api::{ScriptGroup, ScriptNewcomer};
use scripting::matrix::{self, PairScores};
use scripting::{CompiledScript, ScriptProblem};
use solver::{self, Objective, ScoreMatrix, SolveError};

/// What a round must honour, by row and column index.
#[derive(Clone, Debug)]
pub struct RoundParams {
    pub objective: Objective,
    /// Pairs staff require in the result.
    pub locked: Vec<(usize, usize)>,
    /// Pairs that must not be proposed: staff's exclusions and pairs rejected or ended before.
    pub excluded: Vec<(usize, usize)>,
}

impl Default for RoundParams {
    fn default() -> Self {
        Self { objective: Objective::MaxMatchesThenScore, locked: Vec::new(), excluded: Vec::new() }
    }
}

/// A round's exact proposal.
pub struct Proposal {
    /// (row, column, score in hundredths), by row.
    pub pairs: Vec<(usize, usize, i64)>,
    pub total: i64,
    pub greedy_total: i64,
    pub scores: PairScores,
    pub score_ms: u64,
    pub solve_ms: u64,
    /// A proposed pair's native score differed from Rhai's, so the round was scored on Rhai.
    pub rescored_on_rhai: bool,
}

impl Proposal {
    /// The column proposed for `row`, if any.
    pub fn assigned_col(&self, row: usize) -> Option<usize> {
        self.pairs.binary_search_by_key(&row, |p| p.0).ok().map(|i| self.pairs[i].1)
    }
}

/// Solves a round's matrix exactly. Round scores are integers (hundredths), which allows a
/// faster exact route for the default objective when some pairs are forbidden: every allowed
/// pair is worth `score - min + B` with `B = K·(max - min) + 1` (K = the most pairs possible)
/// and every forbidden or excluded pair 0, on a matrix without forbidden cells. One more
/// allowed pair (worth at least B) then always outweighs any difference in score among K
/// pairs (at most K·(max - min)), so the optimum has the most allowed pairs and, among those,
/// the highest total; and all values stay integers far below 2^52, so the f64 arithmetic is
/// exact. That matrix takes the solver's dense path, much faster than its general
/// forbidden-pair path; where the bound would not hold, the general path runs.
pub fn solve_scores(
    scores: &PairScores,
    m: &ScoreMatrix,
    params: &RoundParams,
) -> Result<solver::Assignment, SolveError> {
    let excluded: std::collections::HashSet<(usize, usize)> = params.excluded.iter().copied().collect();
    let allowed = |r: usize, c: usize| scores.get(r, c).filter(|_| !excluded.contains(&(r, c)));
    let fast = params.objective == Objective::MaxMatchesThenScore;
    let mut bounds: Option<(i64, i64)> = None;
    let mut any_forbidden = false;
    for r in 0..scores.rows {
        for c in 0..scores.cols {
            match allowed(r, c) {
                Some(v) => bounds = Some(bounds.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v)))),
                None => any_forbidden = true,
            }
        }
    }
    let k = scores.rows.min(scores.cols) as i128;
    let fits = bounds.is_some_and(|(lo, hi)| {
        let d = (hi - lo) as i128;
        (k * d + 1 + d) * k < (1i128 << 52)
    });
    let (Some((lo, hi)), true, true, true) = (bounds, fast, any_forbidden, fits) else {
        return solver::solve(m, params.objective, &params.locked, &params.excluded);
    };
    if let Some(&(r, c)) = params.locked.iter().find(|p| excluded.contains(p)) {
        return Err(SolveError::LockExcluded { row: r, col: c });
    }
    let big = (k * (hi - lo) as i128 + 1) as i64;
    let mut dense = ScoreMatrix::new(scores.rows, scores.cols);
    for r in 0..scores.rows {
        for c in 0..scores.cols {
            dense.set(r, c, allowed(r, c).map_or(0.0, |v| (v - lo + big) as f64));
        }
    }
    let a = solver::solve(&dense, Objective::MaxMatchesThenScore, &params.locked, &[])?;
    let pairs: Vec<(usize, usize)> = a.pairs.into_iter().filter(|&(r, c)| allowed(r, c).is_some()).collect();
    let total = pairs.iter().filter_map(|&(r, c)| scores.get(r, c)).map(|v| v as f64).sum();
    Ok(solver::Assignment { pairs, total })
}

/// Scores all pairs (in parallel) and solves the assignment exactly. Blocking and CPU-bound:
/// call it from a blocking thread.
///
/// The native evaluator is checked against Rhai on samples only; a branch that only some
/// households reach could score differently and no sample would show it. So every *proposed*
/// pair is scored again by Rhai (eligibility and total) and must equal the cell it was solved
/// on; if one does not, the whole round is scored again on Rhai alone and solved again, and
/// the proposal says so (`rescored_on_rhai`).
pub fn propose(
    script: &CompiledScript,
    ns: &[ScriptNewcomer],
    gs: &[ScriptGroup],
    params: &RoundParams,
) -> AppResult<Proposal> {
    let proposal = propose_once(script, ns, gs, params)?;
    if !script.is_native() || proposed_pairs_agree_with_rhai(script, ns, gs, &proposal)? {
        return Ok(proposal);
    }
    tracing::warn!("a proposed pair's native score differed from Rhai's; the round is scored again on Rhai alone");
    let mut again = propose_once(&script.without_native(), ns, gs, params)?;
    again.rescored_on_rhai = true;
    Ok(again)
}

/// Whether Rhai gives every proposed pair the eligibility and total it was solved on.
fn proposed_pairs_agree_with_rhai(
    script: &CompiledScript,
    ns: &[ScriptNewcomer],
    gs: &[ScriptGroup],
    proposal: &Proposal,
) -> AppResult<bool> {
    let mut scope = rhai::Scope::new();
    for &(r, c, solved) in &proposal.pairs {
        match script.rhai_total(&mut scope, &ns[r], &gs[c]) {
            Ok(total) if total == solved => {}
            Ok(_) => return Ok(false),
            Err(problem) => {
                let message = scripting::job::stop_message().unwrap_or(problem.message);
                return Err(AppError::Script { message, line: problem.line, column: problem.column });
            }
        }
    }
    Ok(true)
}

fn propose_once(
    script: &CompiledScript,
    ns: &[ScriptNewcomer],
    gs: &[ScriptGroup],
    params: &RoundParams,
) -> AppResult<Proposal> {
    let started = Instant::now();
    let scores = matrix::score_all(script, ns, gs).map_err(|f| {
        // A job stopped from outside (time budget, request ended) is not the pair's fault.
        if let Some(message) = scripting::job::stop_message() {
            return AppError::Script { message, line: None, column: None };
        }
        let ScriptProblem { message, line, column } = f.problem;
        AppError::Script {
            message: format!("on newcomer {} and group {} of this round: {message}", f.row + 1, f.col + 1),
            line,
            column,
        }
    })?;
    let score_ms = started.elapsed().as_millis() as u64;

    let mut m = ScoreMatrix::new(scores.rows, scores.cols);
    for r in 0..scores.rows {
        for c in 0..scores.cols {
            if let Some(v) = scores.get(r, c) {
                m.set(r, c, v as f64);
            }
        }
    }
    for &(r, c) in &params.locked {
        if scores.get(r, c).is_none() {
            return Err(AppError::bad_input(
                "lockedPairs",
                format!("locked pair {} is not eligible under the city's script", r + 1),
            ));
        }
    }
    let solve_started = Instant::now();
    let assignment = solve_scores(&scores, &m, params).map_err(|e| match e {
        SolveError::LockExcluded { .. } => {
            AppError::bad_input("lockedPairs", "a pair cannot be both locked and excluded")
        }
        SolveError::RowLockedTwice { .. } => AppError::bad_input("lockedPairs", "a newcomer is locked to two groups"),
        SolveError::ColLockedTwice { .. } => AppError::bad_input("lockedPairs", "a group is locked to two newcomers"),
        SolveError::LockForbidden { .. } => {
            AppError::bad_input("lockedPairs", "a locked pair is not eligible or was rejected before")
        }
        other => AppError::internal(anyhow::anyhow!("solver: {other}")),
    })?;
    let solve_ms = solve_started.elapsed().as_millis() as u64;
    let pairs: Vec<(usize, usize, i64)> =
        assignment.pairs.iter().filter_map(|&(r, c)| scores.get(r, c).map(|s| (r, c, s))).collect();
    let total = pairs.iter().map(|p| p.2).sum();
    for &(r, c) in &params.excluded {
        m.forbid(r, c);
    }
    let greedy_total = solver::greedy(&m).pairs.iter().filter_map(|&(r, c)| scores.get(r, c)).sum();
    Ok(Proposal { pairs, total, greedy_total, scores, score_ms, solve_ms, rescored_on_rhai: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scripting::matrix::INELIGIBLE;

    /// The integer route gives the same number of pairs and the same total as the solver's
    /// general forbidden-pair path, with locks and exclusions, on many small random rounds.
    #[test]
    fn the_integer_route_matches_the_general_path() {
        let mut seed = 0x9e3779b97f4a7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..3000 {
            let rows = (next() % 7) as usize + 1;
            let cols = (next() % 7) as usize + 1;
            let density = next() % 4;
            let cells: Vec<i64> = (0..rows * cols)
                .map(|_| if next() % 4 < density { INELIGIBLE } else { (next() % 40) as i64 - 10 })
                .collect();
            let scores = PairScores { rows, cols, cells };
            let mut m = ScoreMatrix::new(rows, cols);
            for r in 0..rows {
                for c in 0..cols {
                    if let Some(v) = scores.get(r, c) {
                        m.set(r, c, v as f64);
                    }
                }
            }
            let mut params = RoundParams::default();
            if next() % 3 == 0 {
                params.excluded.push(((next() as usize) % rows, (next() as usize) % cols));
            }
            if next() % 3 == 0 {
                let (r, c) = ((next() as usize) % rows, (next() as usize) % cols);
                if scores.get(r, c).is_some() && !params.excluded.contains(&(r, c)) {
                    params.locked.push((r, c));
                }
            }
            let general = solver::solve(&m, Objective::MaxMatchesThenScore, &params.locked, &params.excluded).unwrap();
            let fast = solve_scores(&scores, &m, &params).unwrap();
            assert_eq!(fast.pairs.len(), general.pairs.len(), "case {case}");
            assert_eq!(fast.total, general.total, "case {case}");
            for l in &params.locked {
                assert!(fast.pairs.contains(l), "case {case}: lock dropped");
            }
            for x in &params.excluded {
                assert!(!fast.pairs.contains(x), "case {case}: excluded pair chosen");
            }
        }
    }
}
