//! Scoring every pair of a round in parallel over the compiled script.

use rayon::prelude::*;
use rhai::Scope;

use super::api::{ScriptGroup, ScriptNewcomer};
use super::script::{CompiledScript, Eligibility, ScriptProblem};

/// Marks an ineligible pair in a score matrix.
pub const INELIGIBLE: i64 = i64::MIN;

/// Scores in hundredths, row-major (rows = newcomers, columns = groups).
pub struct PairScores {
    pub rows: usize,
    pub cols: usize,
    pub cells: Vec<i64>,
}

impl PairScores {
    pub fn get(&self, r: usize, c: usize) -> Option<i64> {
        let v = self.cells[r * self.cols + c];
        (v != INELIGIBLE).then_some(v)
    }

    pub fn eligible_pairs(&self) -> usize {
        self.cells.iter().filter(|v| **v != INELIGIBLE).count()
    }
}

/// A script failure on one pair.
#[derive(Debug)]
pub struct PairFailure {
    pub row: usize,
    pub col: usize,
    pub problem: ScriptProblem,
}

/// Scores all pairs on rayon's pool (call it from a blocking thread, not an async worker;
/// inside `Job::run`, on the job's own threads). Stops at the first failure: a round never runs
/// on a partly failing script. Checks the thread's job between rows (the native evaluator has
/// no loops, so a row ends in bounded time) and Rhai checks it during every call.
pub fn score_all(
    script: &CompiledScript,
    ns: &[ScriptNewcomer],
    gs: &[ScriptGroup],
) -> Result<PairScores, PairFailure> {
    let cols = gs.len();
    let mut cells = vec![INELIGIBLE; ns.len() * cols];
    if cols > 0 {
        let native = script.is_native() && native_agrees_on_first_row(script, ns, gs);
        cells.par_chunks_mut(cols).enumerate().try_for_each_init(
            || (Scope::new(), Vec::with_capacity(cols)),
            |(scope, buf), (r, row)| {
                if let Some(message) = super::job::stop_message() {
                    return Err(PairFailure { row: r, col: 0, problem: ScriptProblem::new(message) });
                }
                buf.clear();
                let outcome = if native { script.score_row_native(scope, &ns[r], gs, buf) } else { None };
                match outcome {
                    Some(Ok(())) if buf.len() == cols => {
                        row.copy_from_slice(buf);
                        Ok(())
                    }
                    // Rhai pair by pair: the script is not native, or a native row failed
                    // (this names the pair and the problem precisely).
                    _ => score_row_by_pair(script, scope, r, &ns[r], gs, row),
                }
            },
        )?;
    }
    Ok(PairScores { rows: ns.len(), cols, cells })
}

/// Every round checks the native evaluator against Rhai on its first row before trusting it
/// with the rest; on any difference the round is scored by Rhai alone.
fn native_agrees_on_first_row(script: &CompiledScript, ns: &[ScriptNewcomer], gs: &[ScriptGroup]) -> bool {
    let Some(first) = ns.first() else { return false };
    let mut scope = Scope::new();
    let mut by_rhai = vec![INELIGIBLE; gs.len()];
    let rhai_ok = score_row_by_pair(script, &mut scope, 0, first, gs, &mut by_rhai).is_ok();
    let mut natively = Vec::with_capacity(gs.len());
    let native_ok = matches!(script.score_row_native(&mut scope, first, gs, &mut natively), Some(Ok(())));
    let agree = rhai_ok && native_ok && by_rhai == natively;
    if !agree && rhai_ok {
        tracing::warn!("the native evaluator disagreed with Rhai on a round's first row; the round is scored by Rhai");
    }
    agree
}

/// The Rhai path: one call per function per pair, naming the pair that fails.
fn score_row_by_pair(
    script: &CompiledScript,
    scope: &mut Scope,
    r: usize,
    n: &ScriptNewcomer,
    gs: &[ScriptGroup],
    row: &mut [i64],
) -> Result<(), PairFailure> {
    for (c, g) in gs.iter().enumerate() {
        let fail = |problem| PairFailure { row: r, col: c, problem };
        row[c] = match script.eligible(scope, n, g).map_err(fail)? {
            Eligibility::Yes => script.score_total(scope, n, g).map_err(fail)?,
            Eligibility::No(_) => INELIGIBLE,
        };
    }
    Ok(())
}
