//! Exact rectangular linear assignment (maximisation) with forbidden,
//! locked and excluded pairs.
//!
//! Rows are newcomers, columns are groups; a pair's score says how good the
//! match is and we **maximise**. This module is pure: `std` only, no I/O, no
//! threads, no randomness; the same input always gives the same output.
//!
//! # Algorithm
//!
//! Every variant is reduced to one minimum-cost problem that assigns *all*
//! rows of a matrix with `rows <= cols` (the matrix is transposed when it is
//! taller than wide), solved by Jonker–Volgenant (column reduction,
//! reduction transfer, two rounds of augmenting row reduction, then
//! shortest augmenting paths) — see `lap.rs`:
//!
//! * [`Objective::MaxMatchesThenScore`] without forbidden cells: every
//!   maximum assignment has `min(rows, cols)` pairs, so cost = −score.
//! * [`Objective::MaxMatchesThenScore`] with forbidden cells: a forbidden
//!   cell costs the lexicographic pair `(1, 0)` and an allowed one
//!   `(0, −score)`. Any partial assignment with `k` allowed pairs extends to a
//!   full one using `min(rows, cols) − k` forbidden cells and vice versa, so
//!   the lexicographic optimum (fewest forbidden cells, then best score) is
//!   exactly "most pairs, then highest score" after dropping forbidden
//!   cells. The count component is an exact small integer, so there is no
//!   "big M" whose magnitude could eat the score's precision, and rows that
//!   cannot be matched are never confused with rows that merely score low.
//! * [`Objective::MaxTotalScore`]: cost = −max(score, 0), forbidden cells
//!   cost 0. A full assignment under clamped scores is worth exactly the
//!   partial assignment obtained by dropping its forbidden and negative
//!   pairs, and every partial assignment extends to a full one that is worth
//!   at least as much, so the optima coincide. No forbidden handling needed.
//! * Locked pairs are removed (their rows and columns with them) and the
//!   remaining submatrix is solved; excluded pairs become forbidden cells.
//!
//! With integer-valued scores every intermediate quantity is an integer far
//! below 2^53, so the result is exactly optimal; with arbitrary floats the
//! usual rounding of sums applies (no amplification by big constants).

mod lap;
#[cfg(test)]
mod tests;
pub mod textio;

use std::fmt;

use lap::{Clamp, LexT, Neg, Rows, Strategy};

/// What [`solve`] optimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Objective {
    /// First the largest possible number of pairs over allowed cells, then,
    /// among all assignments of that size, the largest total score.
    MaxMatchesThenScore,
    /// The largest total score; pairs are optional, so a negative-score pair
    /// is never taken unless locked.
    MaxTotalScore,
}

/// A dense `rows x cols` score matrix where some cells may be forbidden.
///
/// Stored row-major; a forbidden cell holds `f64::NEG_INFINITY` internally
/// (never visible through the API: [`ScoreMatrix::get`] returns `None`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreMatrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
    /// Number of forbidden cells; zero selects the fast path.
    forbidden: usize,
    /// Number of cells [`ScoreMatrix::set`] was given a non-finite score
    /// for; [`solve`] refuses to run while this is non-zero.
    invalid: usize,
}

impl ScoreMatrix {
    /// A `rows x cols` matrix with **every cell forbidden**: nothing can be
    /// matched until [`ScoreMatrix::set`] gives the cell a score. (Starting
    /// forbidden means a forgotten cell can never be matched by accident.)
    ///
    /// # Panics
    /// If `rows * cols` overflows `usize` or cannot be allocated.
    pub fn new(rows: usize, cols: usize) -> Self {
        let len = rows.saturating_mul(cols);
        ScoreMatrix { rows, cols, data: vec![f64::NEG_INFINITY; len], forbidden: len, invalid: 0 }
    }

    /// Builds a matrix from `rows * cols` cells in row-major order; `None`
    /// marks a forbidden pair.
    ///
    /// # Errors
    /// [`SolveError::DimensionMismatch`] if `cells.len() != rows * cols`,
    /// [`SolveError::NonFiniteScore`] for a NaN or infinite score.
    pub fn from_rows(rows: usize, cols: usize, cells: Vec<Option<f64>>) -> Result<Self, SolveError> {
        let expected =
            rows.checked_mul(cols).ok_or(SolveError::DimensionMismatch { rows, cols, cells: cells.len() })?;
        if cells.len() != expected {
            return Err(SolveError::DimensionMismatch { rows, cols, cells: cells.len() });
        }
        let mut data = Vec::with_capacity(expected);
        let mut forbidden = 0;
        for (k, cell) in cells.into_iter().enumerate() {
            match cell {
                Some(s) if s.is_finite() => data.push(s),
                Some(s) => return Err(SolveError::NonFiniteScore { row: k / cols, col: k % cols, value: s }),
                None => {
                    forbidden += 1;
                    data.push(f64::NEG_INFINITY);
                }
            }
        }
        Ok(ScoreMatrix { rows, cols, data, forbidden, invalid: 0 })
    }

    /// Allows pair `(r, c)` with the given score (replacing any previous
    /// score or prohibition). A non-finite score is recorded and makes
    /// [`solve`] return [`SolveError::NonFiniteScore`] until overwritten.
    ///
    /// # Panics
    /// If `r >= rows()` or `c >= cols()`, like slice indexing.
    pub fn set(&mut self, r: usize, c: usize, score: f64) {
        let k = self.index(r, c);
        let old = self.data[k];
        self.unaccount(old);
        if score.is_finite() {
            self.data[k] = score;
        } else {
            // NaN, not −∞, so an invalid cell never looks forbidden.
            self.data[k] = f64::NAN;
            self.invalid += 1;
        }
    }

    /// Forbids pair `(r, c)`.
    ///
    /// # Panics
    /// If `r >= rows()` or `c >= cols()`, like slice indexing.
    pub fn forbid(&mut self, r: usize, c: usize) {
        let k = self.index(r, c);
        let old = self.data[k];
        self.unaccount(old);
        self.data[k] = f64::NEG_INFINITY;
        self.forbidden += 1;
    }

    /// Score of `(r, c)`, or `None` if forbidden, invalid or out of range.
    pub fn get(&self, r: usize, c: usize) -> Option<f64> {
        if r >= self.rows || c >= self.cols {
            return None;
        }
        let s = self.data[r * self.cols + c];
        s.is_finite().then_some(s)
    }

    /// Number of rows (newcomers).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (groups).
    pub fn cols(&self) -> usize {
        self.cols
    }

    fn index(&self, r: usize, c: usize) -> usize {
        assert!(r < self.rows && c < self.cols, "cell ({r}, {c}) outside {}x{} matrix", self.rows, self.cols);
        r * self.cols + c
    }

    fn unaccount(&mut self, old: f64) {
        if old == f64::NEG_INFINITY {
            self.forbidden -= 1;
        } else if old.is_nan() {
            self.invalid -= 1;
        }
    }

    /// First invalid cell, for the error message (only called when one exists).
    fn first_invalid(&self) -> SolveError {
        let k = self.data.iter().position(|s| s.is_nan()).unwrap_or(0);
        SolveError::NonFiniteScore { row: k / self.cols.max(1), col: k % self.cols.max(1), value: f64::NAN }
    }
}

/// An optimal assignment.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// Chosen `(row, col)` pairs, sorted by row.
    pub pairs: Vec<(usize, usize)>,
    /// Sum of the chosen pairs' scores, added in row order.
    pub total: f64,
}

/// Why [`solve`] (or [`ScoreMatrix::from_rows`]) refused its input.
#[derive(Clone, Debug, PartialEq)]
pub enum SolveError {
    /// A score is NaN or infinite.
    NonFiniteScore {
        /// Row of the offending cell.
        row: usize,
        /// Column of the offending cell.
        col: usize,
        /// The offending value.
        value: f64,
    },
    /// `from_rows` got a cell count that is not `rows * cols`.
    DimensionMismatch {
        /// Declared rows.
        rows: usize,
        /// Declared columns.
        cols: usize,
        /// Cells actually given.
        cells: usize,
    },
    /// A locked pair lies outside the matrix.
    LockOutOfRange {
        /// Locked row.
        row: usize,
        /// Locked column.
        col: usize,
    },
    /// A locked pair is a forbidden cell.
    LockForbidden {
        /// Locked row.
        row: usize,
        /// Locked column.
        col: usize,
    },
    /// A pair is both locked and excluded.
    LockExcluded {
        /// The pair's row.
        row: usize,
        /// The pair's column.
        col: usize,
    },
    /// Two different locks share a row.
    RowLockedTwice {
        /// The row.
        row: usize,
        /// First locked column.
        first: usize,
        /// Second locked column.
        second: usize,
    },
    /// Two different locks share a column.
    ColLockedTwice {
        /// The column.
        col: usize,
        /// First locked row.
        first: usize,
        /// Second locked row.
        second: usize,
    },
    /// An excluded pair lies outside the matrix.
    ExcludedOutOfRange {
        /// Excluded row.
        row: usize,
        /// Excluded column.
        col: usize,
    },
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SolveError::NonFiniteScore { row, col, value } => {
                write!(f, "score at row {row}, column {col} is not finite ({value})")
            }
            SolveError::DimensionMismatch { rows, cols, cells } => {
                write!(f, "a {rows}x{cols} matrix needs {} cells, got {cells}", rows.saturating_mul(cols))
            }
            SolveError::LockOutOfRange { row, col } => {
                write!(f, "locked pair ({row}, {col}) is outside the matrix")
            }
            SolveError::LockForbidden { row, col } => {
                write!(f, "locked pair ({row}, {col}) is a forbidden pair")
            }
            SolveError::LockExcluded { row, col } => {
                write!(f, "pair ({row}, {col}) is both locked and excluded")
            }
            SolveError::RowLockedTwice { row, first, second } => {
                write!(f, "row {row} is locked to both column {first} and column {second}")
            }
            SolveError::ColLockedTwice { col, first, second } => {
                write!(f, "column {col} is locked to both row {first} and row {second}")
            }
            SolveError::ExcludedOutOfRange { row, col } => {
                write!(f, "excluded pair ({row}, {col}) is outside the matrix")
            }
        }
    }
}

impl std::error::Error for SolveError {}

/// Solves the assignment problem exactly.
///
/// Each row takes at most one column and vice versa; `locked` pairs are
/// always in the result (the rest is optimal given them), `excluded` pairs
/// never are. Identical duplicate locks or exclusions are harmless.
///
/// # Errors
/// Non-finite scores (set through [`ScoreMatrix::set`]), locks or exclusions
/// outside the matrix, a lock on a forbidden or excluded pair, or two
/// different locks sharing a row or column.
pub fn solve(
    m: &ScoreMatrix,
    objective: Objective,
    locked: &[(usize, usize)],
    excluded: &[(usize, usize)],
) -> Result<Assignment, SolveError> {
    solve_with(m, objective, locked, excluded, Strategy::Auto)
}

fn solve_with(
    m: &ScoreMatrix,
    objective: Objective,
    locked: &[(usize, usize)],
    excluded: &[(usize, usize)],
    strategy: Strategy,
) -> Result<Assignment, SolveError> {
    if m.invalid > 0 {
        return Err(m.first_invalid());
    }
    let (nr, nc) = (m.rows, m.cols);
    for &(r, c) in excluded {
        if r >= nr || c >= nc {
            return Err(SolveError::ExcludedOutOfRange { row: r, col: c });
        }
    }
    let mut row_lock = vec![usize::MAX; if locked.is_empty() { 0 } else { nr }];
    let mut col_lock = vec![usize::MAX; if locked.is_empty() { 0 } else { nc }];
    for &(r, c) in locked {
        if r >= nr || c >= nc {
            return Err(SolveError::LockOutOfRange { row: r, col: c });
        }
        if m.data[r * nc + c] == f64::NEG_INFINITY {
            return Err(SolveError::LockForbidden { row: r, col: c });
        }
        if excluded.contains(&(r, c)) {
            return Err(SolveError::LockExcluded { row: r, col: c });
        }
        if row_lock[r] != usize::MAX && row_lock[r] != c {
            return Err(SolveError::RowLockedTwice { row: r, first: row_lock[r], second: c });
        }
        if col_lock[c] != usize::MAX && col_lock[c] != r {
            return Err(SolveError::ColLockedTwice { col: c, first: col_lock[c], second: r });
        }
        row_lock[r] = c;
        col_lock[c] = r;
    }

    // The free part of the problem: row/column index maps plus the data.
    // Without locks or exclusions the caller's matrix is used in place.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    if locked.is_empty() && excluded.is_empty() {
        pairs = solve_dense(&m.data, nr, nc, m.forbidden > 0, objective, strategy);
    } else {
        let rmap: Vec<usize> = (0..nr).filter(|&r| locked.is_empty() || row_lock[r] == usize::MAX).collect();
        let cmap: Vec<usize> = (0..nc).filter(|&c| locked.is_empty() || col_lock[c] == usize::MAX).collect();
        let mut col_pos = vec![usize::MAX; nc];
        for (k, &c) in cmap.iter().enumerate() {
            col_pos[c] = k;
        }
        let mut sub = Vec::with_capacity(rmap.len() * cmap.len());
        for &r in &rmap {
            let row = &m.data[r * nc..(r + 1) * nc];
            sub.extend(cmap.iter().map(|&c| row[c]));
        }
        let mut row_pos = vec![usize::MAX; nr];
        for (k, &r) in rmap.iter().enumerate() {
            row_pos[r] = k;
        }
        for &(r, c) in excluded {
            let (rp, cp) = (row_pos[r], col_pos[c]);
            if rp != usize::MAX && cp != usize::MAX {
                sub[rp * cmap.len() + cp] = f64::NEG_INFINITY;
            }
        }
        let any_forbidden = sub.contains(&f64::NEG_INFINITY);
        let sub_pairs = solve_dense(&sub, rmap.len(), cmap.len(), any_forbidden, objective, strategy);
        pairs.extend(sub_pairs.into_iter().map(|(r, c)| (rmap[r], cmap[c])));
        pairs.extend(locked.iter().copied());
        pairs.sort_unstable();
        pairs.dedup();
    }
    let total = pairs.iter().map(|&(r, c)| m.data[r * nc + c]).sum();
    Ok(Assignment { pairs, total })
}

/// Solves a dense (possibly forbidden-containing) row-major matrix and
/// returns the worthwhile pairs sorted by row.
fn solve_dense(
    data: &[f64],
    nr: usize,
    nc: usize,
    any_forbidden: bool,
    objective: Objective,
    strategy: Strategy,
) -> Vec<(usize, usize)> {
    if nr == 0 || nc == 0 {
        return Vec::new();
    }
    // The core wants rows <= cols; transpose a tall matrix once.
    let transposed;
    let (view, tr) = if nr <= nc {
        (Rows::new(data, nc, nr, nc), false)
    } else {
        transposed = transpose(data, nr, nc);
        (Rows::new(&transposed, nr, nc, nr), true)
    };
    let x = match objective {
        Objective::MaxTotalScore => lap::solve_min_scalar::<Clamp>(view, strategy),
        Objective::MaxMatchesThenScore if any_forbidden => lap::solve_min::<LexT>(view, strategy),
        Objective::MaxMatchesThenScore => lap::solve_min_scalar::<Neg>(view, strategy),
    };
    let mut pairs: Vec<(usize, usize)> = x
        .into_iter()
        .enumerate()
        .map(|(a, b)| if tr { (b, a) } else { (a, b) })
        .filter(|&(r, c)| {
            let s = data[r * nc + c];
            // Forbidden cells stand for "unmatched"; under MaxTotalScore a
            // negative pair was priced like "unmatched" and is dropped too.
            match objective {
                Objective::MaxTotalScore => s >= 0.0,
                Objective::MaxMatchesThenScore => s != f64::NEG_INFINITY,
            }
        })
        .collect();
    if tr {
        pairs.sort_unstable();
    }
    pairs
}

/// Row-major transpose, blocked so both sides stay in cache.
fn transpose(data: &[f64], nr: usize, nc: usize) -> Vec<f64> {
    const B: usize = 32;
    let mut out = vec![0.0; nr * nc];
    for rb in (0..nr).step_by(B) {
        for cb in (0..nc).step_by(B) {
            for r in rb..(rb + B).min(nr) {
                for c in cb..(cb + B).min(nc) {
                    out[c * nr + r] = data[r * nc + c];
                }
            }
        }
    }
    out
}

/// Best-remaining-pair greedy: repeatedly takes the allowed pair with the
/// highest score whose row and column are both still free (ties: lower row,
/// then lower column). Every allowed pair is eligible, negative ones
/// included, so the result is a maximal matching — a baseline to compare
/// the exact optimum against in quality reports.
pub fn greedy(m: &ScoreMatrix) -> Assignment {
    let nc = m.cols;
    let mut cells: Vec<(f64, usize)> =
        m.data.iter().enumerate().filter(|(_, s)| s.is_finite()).map(|(k, &s)| (s, k)).collect();
    // Cell indices are unique, so this order is total and the unstable sort
    // is deterministic.
    cells.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut row_used = vec![false; m.rows];
    let mut col_used = vec![false; nc];
    let mut pairs = Vec::new();
    let limit = m.rows.min(nc);
    for (_, k) in cells {
        if pairs.len() == limit {
            break;
        }
        let (r, c) = (k / nc, k % nc);
        if !row_used[r] && !col_used[c] {
            row_used[r] = true;
            col_used[c] = true;
            pairs.push((r, c));
        }
    }
    pairs.sort_unstable();
    let total = pairs.iter().map(|&(r, c)| m.data[r * nc + c]).sum();
    Assignment { pairs, total }
}
