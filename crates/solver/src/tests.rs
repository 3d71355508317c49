//! Unit tests and brute-force property tests for the solver.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

use super::lap::Strategy;
use super::textio::{assignment_json, parse_matrix};
use super::*;

/// splitmix64: tiny, deterministic, good enough to drive property tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Exhaustive optimum over all partial assignments: (pairs, score).
fn brute(
    m: &ScoreMatrix,
    objective: Objective,
    locked: &[(usize, usize)],
    excluded: &[(usize, usize)],
) -> (usize, f64) {
    struct Ctx<'a> {
        m: &'a ScoreMatrix,
        obj: Objective,
        row_lock: Vec<Option<usize>>,
        col_locked: Vec<bool>,
        excluded: &'a [(usize, usize)],
        col_used: Vec<bool>,
        best: Option<(usize, f64)>,
    }
    fn better(obj: Objective, a: (usize, f64), b: (usize, f64)) -> bool {
        match obj {
            Objective::MaxMatchesThenScore => a.0 > b.0 || (a.0 == b.0 && a.1 > b.1),
            Objective::MaxTotalScore => a.1 > b.1,
        }
    }
    fn rec(cx: &mut Ctx<'_>, r: usize, cnt: usize, score: f64) {
        if r == cx.m.rows() {
            if cx.best.is_none_or(|b| better(cx.obj, (cnt, score), b)) {
                cx.best = Some((cnt, score));
            }
            return;
        }
        if let Some(c) = cx.row_lock[r] {
            let s = cx.m.get(r, c).unwrap_or(f64::NAN);
            rec(cx, r + 1, cnt + 1, score + s);
            return;
        }
        rec(cx, r + 1, cnt, score);
        for c in 0..cx.m.cols() {
            if cx.col_used[c] || cx.col_locked[c] || cx.excluded.contains(&(r, c)) {
                continue;
            }
            if let Some(s) = cx.m.get(r, c) {
                cx.col_used[c] = true;
                rec(cx, r + 1, cnt + 1, score + s);
                cx.col_used[c] = false;
            }
        }
    }
    let mut row_lock = vec![None; m.rows()];
    let mut col_locked = vec![false; m.cols()];
    for &(r, c) in locked {
        row_lock[r] = Some(c);
        col_locked[c] = true;
    }
    let mut cx = Ctx { m, obj: objective, row_lock, col_locked, excluded, col_used: vec![false; m.cols()], best: None };
    rec(&mut cx, 0, 0, 0.0);
    cx.best.unwrap_or((0, 0.0))
}

/// Checks feasibility of `a` and returns (pairs, recomputed score).
fn check_feasible(
    m: &ScoreMatrix,
    a: &Assignment,
    locked: &[(usize, usize)],
    excluded: &[(usize, usize)],
) -> (usize, f64) {
    let mut rows = vec![false; m.rows()];
    let mut cols = vec![false; m.cols()];
    let mut total = 0.0;
    for w in a.pairs.windows(2) {
        assert!(w[0].0 < w[1].0, "pairs not sorted by row: {:?}", a.pairs);
    }
    for &(r, c) in &a.pairs {
        assert!(!rows[r] && !cols[c], "row or column used twice: {:?}", a.pairs);
        rows[r] = true;
        cols[c] = true;
        assert!(!excluded.contains(&(r, c)), "excluded pair ({r}, {c}) chosen");
        total += m.get(r, c).expect("chosen pair must be allowed");
    }
    for l in locked {
        assert!(a.pairs.contains(l), "lock {l:?} missing from {:?}", a.pairs);
    }
    assert_eq!(total, a.total, "total is not the sum of the pairs");
    (a.pairs.len(), total)
}

fn random_case(rng: &mut Rng) -> (ScoreMatrix, Vec<(usize, usize)>, Vec<(usize, usize)>, bool) {
    let rows = rng.below(8) as usize;
    let cols = if rng.below(3) == 0 { rows } else { rng.below(8) as usize };
    let p_forbid = [0.0, 0.0, 0.2, 0.5, 0.8][rng.below(5) as usize];
    let kind = rng.below(4);
    let integer = kind < 3;
    let mut cells = Vec::new();
    for _ in 0..rows * cols {
        if rng.unit() < p_forbid {
            cells.push(None);
        } else {
            let s = match kind {
                0 => rng.below(4) as f64,        // heavy ties
                1 => rng.below(21) as f64 - 8.0, // negatives
                2 => rng.below(101) as f64,      // 0..=100
                _ => (rng.unit() - 0.3) * 20.0,  // floats
            };
            cells.push(Some(s));
        }
    }
    let m = ScoreMatrix::from_rows(rows, cols, cells).expect("valid");
    let mut locked = Vec::new();
    if rows > 0 && cols > 0 && rng.below(3) == 0 {
        for _ in 0..1 + rng.below(3) {
            let (r, c) = (rng.below(rows as u64) as usize, rng.below(cols as u64) as usize);
            if m.get(r, c).is_some() && locked.iter().all(|&(a, b)| a != r && b != c) {
                locked.push((r, c));
            }
        }
    }
    let mut excluded = Vec::new();
    if rows > 0 && cols > 0 && rng.below(3) == 0 {
        for _ in 0..1 + rng.below(5) {
            let e = (rng.below(rows as u64) as usize, rng.below(cols as u64) as usize);
            if !locked.contains(&e) {
                excluded.push(e);
            }
        }
    }
    (m, locked, excluded, integer)
}

#[test]
fn property_against_brute_force() {
    let mut rng = Rng(0x5EED_0001);
    let mut checked = 0;
    for case in 0..6000 {
        let (m, locked, excluded, integer) = random_case(&mut rng);
        for objective in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
            let (bc, bs) = brute(&m, objective, &locked, &excluded);
            for strategy in [
                Strategy::Auto,
                Strategy::Padded,
                Strategy::Sap,
                Strategy::PaddedBatched,
                Strategy::SapBatched,
                Strategy::Single,
            ] {
                let a = solve_with(&m, objective, &locked, &excluded, strategy).expect("solvable");
                let (cnt, score) = check_feasible(&m, &a, &locked, &excluded);
                let ctx = || {
                    format!(
                        "case {case} {objective:?} {strategy:?} {m:?} locked {locked:?} excluded {excluded:?} got {a:?} want ({bc}, {bs})"
                    )
                };
                if objective == Objective::MaxMatchesThenScore {
                    assert_eq!(cnt, bc, "{}", ctx());
                }
                if integer {
                    assert_eq!(score, bs, "{}", ctx());
                } else {
                    assert!((score - bs).abs() <= 1e-9 * (1.0 + bs.abs()), "{}", ctx());
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6000 * 2 * 6);
}

#[test]
fn larger_random_integer_instances_agree_across_strategies() {
    // Brute force is out of reach here; instead the three code paths (and
    // the transposed problem) must agree exactly on integer data.
    let mut rng = Rng(42);
    for _ in 0..60 {
        let rows = 1 + rng.below(40) as usize;
        let cols = 1 + rng.below(40) as usize;
        let p = [0.0, 0.3, 0.9][rng.below(3) as usize];
        let mut m = ScoreMatrix::new(rows, cols);
        let mut t = ScoreMatrix::new(cols, rows);
        for r in 0..rows {
            for c in 0..cols {
                if rng.unit() >= p {
                    let s = rng.below(50) as f64 - 10.0;
                    m.set(r, c, s);
                    t.set(c, r, s);
                }
            }
        }
        for objective in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
            let a = solve_with(&m, objective, &[], &[], Strategy::Auto).expect("ok");
            let b = solve_with(&m, objective, &[], &[], Strategy::Padded).expect("ok");
            let c = solve_with(&m, objective, &[], &[], Strategy::Sap).expect("ok");
            let d = solve(&t, objective, &[], &[]).expect("ok");
            let e = solve_with(&m, objective, &[], &[], Strategy::PaddedBatched).expect("ok");
            let f = solve_with(&m, objective, &[], &[], Strategy::SapBatched).expect("ok");
            let g = solve_with(&m, objective, &[], &[], Strategy::Single).expect("ok");
            for o in [&b, &c, &d, &e, &f, &g] {
                assert_eq!(a.total, o.total);
                if objective == Objective::MaxMatchesThenScore {
                    assert_eq!(a.pairs.len(), o.pairs.len());
                }
            }
        }
    }
}

fn mat(rows: usize, cols: usize, cells: &[Option<f64>]) -> ScoreMatrix {
    ScoreMatrix::from_rows(rows, cols, cells.to_vec()).expect("valid")
}

#[test]
fn unmatched_row_pitfall() {
    // Rows A, B and one column: A scores 1, B scores 10; B must win.
    let m = mat(2, 1, &[Some(1.0), Some(10.0)]);
    for obj in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
        let a = solve(&m, obj, &[], &[]).expect("ok");
        assert_eq!(a.pairs, vec![(1, 0)]);
        assert_eq!(a.total, 10.0);
    }
}

#[test]
fn max_matches_beats_score() {
    // A can take c0 (100) or c1 (1); B only c0 (1). Max matches: A-c1, B-c0.
    let m = mat(2, 2, &[Some(100.0), Some(1.0), Some(1.0), None]);
    let a = solve(&m, Objective::MaxMatchesThenScore, &[], &[]).expect("ok");
    assert_eq!(a.pairs, vec![(0, 1), (1, 0)]);
    assert_eq!(a.total, 2.0);
    let b = solve(&m, Objective::MaxTotalScore, &[], &[]).expect("ok");
    assert_eq!(b.pairs, vec![(0, 0)]);
    assert_eq!(b.total, 100.0);
}

#[test]
fn negative_scores() {
    let m = mat(2, 2, &[Some(-1.0), Some(-5.0), Some(-2.0), Some(-1.0)]);
    let a = solve(&m, Objective::MaxMatchesThenScore, &[], &[]).expect("ok");
    assert_eq!(a.pairs, vec![(0, 0), (1, 1)]);
    assert_eq!(a.total, -2.0);
    let b = solve(&m, Objective::MaxTotalScore, &[], &[]).expect("ok");
    assert!(b.pairs.is_empty());
    assert_eq!(b.total, 0.0);
}

#[test]
fn empty_matrices() {
    for (r, c) in [(0, 0), (0, 5), (5, 0)] {
        let m = ScoreMatrix::new(r, c);
        for obj in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
            let a = solve(&m, obj, &[], &[]).expect("ok");
            assert!(a.pairs.is_empty());
            assert_eq!(a.total, 0.0);
        }
        assert!(greedy(&m).pairs.is_empty());
    }
}

#[test]
fn all_forbidden() {
    let m = ScoreMatrix::new(4, 3);
    for obj in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
        let a = solve(&m, obj, &[], &[]).expect("ok");
        assert!(a.pairs.is_empty());
    }
    assert_eq!(m.get(0, 0), None);
}

#[test]
fn set_get_forbid_bookkeeping() {
    let mut m = ScoreMatrix::new(2, 2);
    assert_eq!(m.forbidden, 4);
    m.set(0, 0, 3.0);
    m.set(0, 0, 4.0);
    assert_eq!(m.get(0, 0), Some(4.0));
    assert_eq!(m.forbidden, 3);
    m.forbid(0, 0);
    m.forbid(0, 0);
    assert_eq!(m.forbidden, 4);
    assert_eq!(m.get(9, 9), None);
    for r in 0..2 {
        for c in 0..2 {
            m.set(r, c, 1.0);
        }
    }
    assert_eq!(m.forbidden, 0);
    assert_eq!((m.rows(), m.cols()), (2, 2));
}

#[test]
fn locks_are_honoured() {
    // Optimum without locks is (0,0),(1,1) = 20; locking (0,1) forces (1,0).
    let m = mat(2, 2, &[Some(10.0), Some(1.0), Some(2.0), Some(10.0)]);
    let a = solve(&m, Objective::MaxMatchesThenScore, &[(0, 1)], &[]).expect("ok");
    assert_eq!(a.pairs, vec![(0, 1), (1, 0)]);
    assert_eq!(a.total, 3.0);
    // A negative locked pair is kept even under MaxTotalScore.
    let n = mat(1, 2, &[Some(-3.0), Some(5.0)]);
    let b = solve(&n, Objective::MaxTotalScore, &[(0, 0)], &[]).expect("ok");
    assert_eq!(b.pairs, vec![(0, 0)]);
    assert_eq!(b.total, -3.0);
    // Duplicate identical locks are harmless.
    let c = solve(&m, Objective::MaxTotalScore, &[(0, 1), (0, 1)], &[]).expect("ok");
    assert_eq!(c.pairs, vec![(0, 1), (1, 0)]);
}

#[test]
fn exclusions_are_honoured() {
    let m = mat(2, 2, &[Some(10.0), Some(1.0), Some(2.0), Some(10.0)]);
    let a = solve(&m, Objective::MaxMatchesThenScore, &[], &[(0, 0)]).expect("ok");
    assert_eq!(a.pairs, vec![(0, 1), (1, 0)]);
    let b = solve(&m, Objective::MaxTotalScore, &[], &[(0, 0), (1, 0)]).expect("ok");
    assert_eq!(b.pairs, vec![(1, 1)]);
    assert_eq!(b.total, 10.0);
}

#[test]
fn lock_errors() {
    let m = mat(2, 2, &[Some(1.0), None, Some(1.0), Some(1.0)]);
    let obj = Objective::MaxMatchesThenScore;
    assert_eq!(solve(&m, obj, &[(2, 0)], &[]), Err(SolveError::LockOutOfRange { row: 2, col: 0 }));
    assert_eq!(solve(&m, obj, &[(0, 1)], &[]), Err(SolveError::LockForbidden { row: 0, col: 1 }));
    assert_eq!(solve(&m, obj, &[(0, 0)], &[(0, 0)]), Err(SolveError::LockExcluded { row: 0, col: 0 }));
    assert_eq!(solve(&m, obj, &[(1, 0), (1, 1)], &[]), Err(SolveError::RowLockedTwice { row: 1, first: 0, second: 1 }));
    assert_eq!(solve(&m, obj, &[(0, 0), (1, 0)], &[]), Err(SolveError::ColLockedTwice { col: 0, first: 0, second: 1 }));
    assert_eq!(solve(&m, obj, &[], &[(0, 7)]), Err(SolveError::ExcludedOutOfRange { row: 0, col: 7 }));
    for e in [
        SolveError::LockOutOfRange { row: 2, col: 0 },
        SolveError::RowLockedTwice { row: 1, first: 0, second: 1 },
        SolveError::NonFiniteScore { row: 0, col: 0, value: f64::NAN },
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn non_finite_rejected() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = ScoreMatrix::from_rows(1, 2, vec![Some(1.0), Some(bad)]).expect_err("must fail");
        assert!(matches!(err, SolveError::NonFiniteScore { row: 0, col: 1, .. }), "{err:?}");
        let mut m = ScoreMatrix::new(2, 2);
        m.set(1, 0, bad);
        assert_eq!(m.get(1, 0), None);
        let e = solve(&m, Objective::MaxTotalScore, &[], &[]).expect_err("must fail");
        assert!(matches!(e, SolveError::NonFiniteScore { row: 1, col: 0, .. }), "{e:?}");
        m.set(1, 0, 2.0); // overwriting clears the error
        assert!(solve(&m, Objective::MaxTotalScore, &[], &[]).is_ok());
    }
    assert!(matches!(
        ScoreMatrix::from_rows(2, 2, vec![None]),
        Err(SolveError::DimensionMismatch { rows: 2, cols: 2, cells: 1 })
    ));
}

#[test]
fn deterministic_with_ties() {
    let n = 60;
    let m = ScoreMatrix::from_rows(n, n + 3, vec![Some(1.0); n * (n + 3)]).expect("ok");
    let mut tied = m.clone();
    tied.forbid(3, 4);
    for mm in [&m, &tied] {
        for obj in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
            let a = solve(mm, obj, &[], &[]).expect("ok");
            for _ in 0..5 {
                assert_eq!(solve(mm, obj, &[], &[]).expect("ok"), a);
            }
            assert_eq!(a.pairs.len(), n);
            assert_eq!(a.total, n as f64);
        }
        assert_eq!(greedy(mm), greedy(mm));
    }
}

#[test]
fn integer_totals_exact_at_scale() {
    // Large integer scores: the result must be exactly integral and equal
    // across code paths (no big-M rounding).
    let mut rng = Rng(7);
    let n = 120;
    let mut m = ScoreMatrix::new(n, n);
    for r in 0..n {
        for c in 0..n {
            if rng.below(10) != 0 {
                m.set(r, c, (rng.below(1 << 40) as f64) - (1u64 << 39) as f64);
            }
        }
    }
    let a = solve(&m, Objective::MaxMatchesThenScore, &[], &[]).expect("ok");
    let b = solve_with(&m, Objective::MaxMatchesThenScore, &[], &[], Strategy::Sap).expect("ok");
    assert_eq!(a.total, b.total);
    for s in [Strategy::Padded, Strategy::PaddedBatched, Strategy::SapBatched] {
        let c = solve_with(&m, Objective::MaxMatchesThenScore, &[], &[], s).expect("ok");
        assert_eq!(a.total, c.total);
    }
    assert_eq!(a.total.fract(), 0.0);
    assert_eq!(a.pairs.len(), n);
    // Without forbidden cells these scores go through the f32 search, which
    // cannot represent them: its repair must still land on the exact total.
    let p = solve_with(&m, Objective::MaxTotalScore, &[], &[], Strategy::Padded).expect("ok");
    let q = solve_with(&m, Objective::MaxTotalScore, &[], &[], Strategy::Single).expect("ok");
    assert_eq!(p.total, q.total);
}

#[test]
fn single_precision_search_is_repaired_exactly() {
    // Scores f32 cannot hold (a fine decimal grid, integers beyond 2^24, and
    // magnitudes beyond the f32 search's range, which falls back to f64):
    // the f32 search only provides a start, the f64 repair must reach the
    // optimum of the plain f64 solve.
    let mut rng = Rng(2024);
    for &(rows, cols, scale) in &[(150, 150, 1e-6), (140, 143, 1e-6), (100, 100, 1.0), (80, 80, 1e33)] {
        let mut m = ScoreMatrix::new(rows, cols);
        for r in 0..rows {
            for c in 0..cols {
                m.set(r, c, rng.below(100_000_000) as f64 * scale);
            }
        }
        for objective in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
            let a = solve_with(&m, objective, &[], &[], Strategy::Padded).expect("ok");
            let b = solve_with(&m, objective, &[], &[], Strategy::Single).expect("ok");
            let ctx = format!("{rows}x{cols} scale {scale} {objective:?}");
            assert_eq!(a.pairs.len(), b.pairs.len(), "{ctx}");
            if scale == 1.0 {
                assert_eq!(a.total, b.total, "{ctx}");
            } else {
                assert!((a.total - b.total).abs() <= 1e-9 * a.total.abs(), "{ctx}: {} vs {}", a.total, b.total);
            }
        }
    }
}

#[test]
fn greedy_is_best_remaining_pair() {
    let m = mat(2, 2, &[Some(10.0), Some(9.0), Some(9.0), Some(0.0)]);
    let g = greedy(&m);
    assert_eq!(g.pairs, vec![(0, 0), (1, 1)]);
    assert_eq!(g.total, 10.0);
    let opt = solve(&m, Objective::MaxMatchesThenScore, &[], &[]).expect("ok");
    assert_eq!(opt.total, 18.0);
}

#[test]
fn text_format_roundtrip() {
    let m = parse_matrix("# comment\n2 3\n1 x -2.5\n\n4 5e0 X\n").expect("parses");
    assert_eq!(m.get(0, 0), Some(1.0));
    assert_eq!(m.get(0, 1), None);
    assert_eq!(m.get(1, 1), Some(5.0));
    assert_eq!(m.get(1, 2), None);
    let a = solve(&m, Objective::MaxMatchesThenScore, &[], &[]).expect("ok");
    assert_eq!(a.pairs, vec![(0, 0), (1, 1)]);
    assert_eq!(assignment_json(&a, 1.5), r#"{"pairs": [[0, 0], [1, 1]], "total": 6.0, "solve_ms": 1.5}"#);
    let b = Assignment { pairs: vec![(0, 2)], total: -2.5 };
    assert_eq!(assignment_json(&b, 0.0), r#"{"pairs": [[0, 2]], "total": -2.5, "solve_ms": 0.0}"#);
    let e = assignment_json(&Assignment { pairs: vec![], total: 0.0 }, 0.25);
    assert_eq!(e, r#"{"pairs": [], "total": 0.0, "solve_ms": 0.25}"#);
}

#[test]
fn text_format_errors_name_position() {
    let e = parse_matrix("2 2\n1 2\n3 abc\n").expect_err("bad token");
    assert!(e.contains("line 3, column 3"), "{e}");
    let e = parse_matrix("2 2\n1 nan\n3 4\n").expect_err("nan");
    assert!(e.contains("line 2, column 3") && e.contains("not finite"), "{e}");
    let e = parse_matrix("2 2\n1 2 3\n").expect_err("too many");
    assert!(e.contains("line 2, column 5"), "{e}");
    let e = parse_matrix("2 2\n1\n").expect_err("too few");
    assert!(e.contains("line 2"), "{e}");
    let e = parse_matrix("2 2\n1 2\n").expect_err("missing row");
    assert!(e.contains("expected 2"), "{e}");
    let e = parse_matrix("2 -1\n").expect_err("bad header");
    assert!(e.contains("line 1, column 3"), "{e}");
    assert!(parse_matrix("").is_err());
    assert!(parse_matrix("1 1\n1\n2\n").is_err());
}

#[test]
fn tie_heavy_medium_instances_agree_across_strategies() {
    // Sizes where ARR's tie rule, the extra ARR passes and the batched
    // search all kick in; every code path must find the same integer total.
    let mut rng = Rng(99);
    for &(rows, cols, hi) in &[(200, 200, 20), (200, 200, 10_000), (150, 180, 20), (180, 185, 3), (120, 300, 100)] {
        let mut m = ScoreMatrix::new(rows, cols);
        for r in 0..rows {
            for c in 0..cols {
                m.set(r, c, rng.below(hi + 1) as f64);
            }
        }
        for objective in [Objective::MaxMatchesThenScore, Objective::MaxTotalScore] {
            let a = solve(&m, objective, &[], &[]).expect("ok");
            for s in [Strategy::Padded, Strategy::Sap, Strategy::PaddedBatched, Strategy::SapBatched, Strategy::Single]
            {
                let b = solve_with(&m, objective, &[], &[], s).expect("ok");
                assert_eq!(a.total, b.total, "{rows}x{cols} 0..={hi} {s:?}");
                assert_eq!(a.pairs.len(), b.pairs.len());
            }
        }
    }
}
