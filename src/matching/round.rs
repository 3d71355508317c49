//! The computation of a round, without the database: score every pair with a compiled script,
//! forbid what must not be proposed, solve exactly, and compare with a greedy assignment.

use std::time::Instant;

use super::solver::{self, Objective, ScoreMatrix, SolveError};
use crate::error::{AppError, AppResult};
use crate::scripting::api::{ScriptGroup, ScriptNewcomer};
use crate::scripting::matrix::{self, PairScores};
use crate::scripting::{CompiledScript, ScriptProblem};

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
}

impl Proposal {
    /// The column proposed for `row`, if any.
    pub fn assigned_col(&self, row: usize) -> Option<usize> {
        self.pairs.binary_search_by_key(&row, |p| p.0).ok().map(|i| self.pairs[i].1)
    }

    /// How many groups `row` was eligible for.
    pub fn eligible_in_row(&self, row: usize) -> usize {
        (0..self.scores.cols).filter(|c| self.scores.get(row, *c).is_some()).count()
    }
}

/// Scores all pairs (in parallel) and solves the assignment exactly. Blocking and CPU-bound:
/// call it from a blocking thread.
pub fn propose(script: &CompiledScript, ns: &[ScriptNewcomer], gs: &[ScriptGroup], params: &RoundParams) -> AppResult<Proposal> {
    let started = Instant::now();
    let scores = matrix::score_all(script, ns, gs).map_err(|f| {
        let ScriptProblem { message, line, column } = f.problem;
        AppError::Script { message: format!("on newcomer {} and group {} of this round: {message}", f.row + 1, f.col + 1), line, column }
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
    let assignment = solver::solve(&m, params.objective, &params.locked, &params.excluded).map_err(|e| match e {
        SolveError::LockExcluded { .. } => AppError::bad_input("lockedPairs", "a pair cannot be both locked and excluded"),
        SolveError::RowLockedTwice { .. } => AppError::bad_input("lockedPairs", "a newcomer is locked to two groups"),
        SolveError::ColLockedTwice { .. } => AppError::bad_input("lockedPairs", "a group is locked to two newcomers"),
        SolveError::LockForbidden { .. } => AppError::bad_input("lockedPairs", "a locked pair is not eligible or was rejected before"),
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
    Ok(Proposal { pairs, total, greedy_total, scores, score_ms, solve_ms })
}
