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

/// Scores all pairs on rayon's pool (call it from a blocking thread, not an async worker).
/// Stops at the first failure: a round never runs on a partly failing script.
pub fn score_all(script: &CompiledScript, ns: &[ScriptNewcomer], gs: &[ScriptGroup]) -> Result<PairScores, PairFailure> {
    let cols = gs.len();
    let mut cells = vec![INELIGIBLE; ns.len() * cols];
    if cols > 0 {
        cells.par_chunks_mut(cols).enumerate().try_for_each(|(r, row)| {
            let mut scope = Scope::new();
            let n = &ns[r];
            for (c, g) in gs.iter().enumerate() {
                let fail = |problem| PairFailure { row: r, col: c, problem };
                match script.eligible(&mut scope, n, g).map_err(fail)? {
                    Eligibility::Yes => row[c] = script.score_total(&mut scope, n, g).map_err(fail)?,
                    Eligibility::No(_) => {}
                }
            }
            Ok(())
        })?;
    }
    Ok(PairScores { rows: ns.len(), cols, cells })
}
