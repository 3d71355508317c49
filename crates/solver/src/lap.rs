//! Core minimum-cost assignment routines (Jonker–Volgenant / shortest
//! augmenting path).
//!
//! Everything here works on a *cost* that is derived on the fly from a score
//! row through a [`Transform`], so the caller's score matrix never has to be
//! copied or negated up front. All routines assume `rows <= cols` and assign
//! every row; the public layer in `mod.rs` reduces every problem variant
//! (maximisation, optional pairs, forbidden cells, rectangular shapes) to
//! that form.
//!
//! The routines are generic over the cost type so the same code serves the
//! plain `f64` fast path and the lexicographic [`Lex`] cost used when some
//! cells are forbidden (and over `f32` for the single-precision search of
//! [`solve_min_scalar`]). Monomorphisation keeps the `f64` instance as fast
//! as hand-written code.

/// Marker for "no row" / "no column".
pub(super) const NONE: usize = usize::MAX;

/// The arithmetic the shortest-augmenting-path algorithm needs: an ordered
/// abelian group with a top element. Nothing else (no multiplication, no
/// "big M") is used, which is what makes the lexicographic cost exact.
pub(super) trait Cost: Copy + PartialOrd {
    /// Neutral element.
    const ZERO: Self;
    /// Larger than every cost that can occur; only ever compared against.
    const INF: Self;
    /// Marks a settled column in the augmentation phase: every comparison
    /// with it is false (a NaN), so it is neither relaxed nor chosen again,
    /// without a separate branch on a "done" flag.
    const DONE: Self;
    /// Group addition.
    fn add(self, o: Self) -> Self;
    /// Group subtraction.
    fn sub(self, o: Self) -> Self;
    /// The smaller of `self` and `o`, where `o` is never [`Cost::DONE`]:
    /// a `DONE` (NaN) `self` yields `o`. A single compare-and-select
    /// (`minpd` for `f64`), so per-lane minima vectorise.
    fn min2(self, o: Self) -> Self;
    /// Whether some element of `xs` (a chunk of [`L`] lanes) equals `t`.
    #[inline(always)]
    fn any_eq(xs: &[Self], t: Self) -> bool {
        // A count, not `any |= ..`: LLVM keeps a boolean OR-reduction of
        // float compares as a chain of branches, but vectorises this.
        let mut hits = 0u64;
        for &x in xs {
            hits += u64::from(x == t);
        }
        hits != 0
    }
}

/// The plain float costs: IEEE arithmetic as it is; `$extra` overrides defaults.
macro_rules! float_cost {
    ($t:ty { $($extra:tt)* }) => {
        impl Cost for $t {
            const ZERO: Self = 0.0;
            const INF: Self = <$t>::INFINITY;
            const DONE: Self = <$t>::NAN;
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn min2(self, o: Self) -> Self {
                if self < o { self } else { o }
            }
            $($extra)*
        }
    };
}

float_cost!(f64 {});
float_cost!(f32 {
    #[inline(always)]
    fn any_eq(xs: &[Self], t: Self) -> bool {
        // For `f32` the 64-bit count comes out as half-scalar code; lane
        // masks of the same width, OR-ed together, stay vector compares.
        let mut hit = [0u32; L];
        for (h, &x) in hit.iter_mut().zip(xs) {
            *h = u32::from(x == t);
        }
        hit.iter().fold(0, |a, &h| a | h) != 0
    }
});

/// Lexicographic cost `(k, s)`: first the number of forbidden cells used,
/// then the (negated) score. `k` only ever holds small integers, which `f64`
/// represents exactly, so the primary objective (number of real matches) is
/// computed without any rounding, unlike a "big M" encoding where a huge
/// constant would swamp the score's low bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Lex {
    /// Number of forbidden cells (primary key).
    pub k: f64,
    /// Cost proper (secondary key).
    pub s: f64,
}

impl PartialOrd for Lex {
    #[inline]
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        match self.k.partial_cmp(&o.k) {
            Some(std::cmp::Ordering::Equal) => self.s.partial_cmp(&o.s),
            other => other,
        }
    }
    // The default `lt` goes through `partial_cmp`; spelling it out keeps the
    // hot comparisons branch-light.
    #[inline(always)]
    fn lt(&self, o: &Self) -> bool {
        self.k < o.k || (self.k == o.k && self.s < o.s)
    }
    #[inline(always)]
    fn le(&self, o: &Self) -> bool {
        self.k < o.k || (self.k == o.k && self.s <= o.s)
    }
    #[inline(always)]
    fn gt(&self, o: &Self) -> bool {
        o.lt(self)
    }
    #[inline(always)]
    fn ge(&self, o: &Self) -> bool {
        o.le(self)
    }
}

impl Cost for Lex {
    const ZERO: Self = Lex { k: 0.0, s: 0.0 };
    const INF: Self = Lex { k: f64::INFINITY, s: f64::INFINITY };
    const DONE: Self = Lex { k: f64::NAN, s: f64::NAN };
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Lex { k: self.k + o.k, s: self.s + o.s }
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Lex { k: self.k - o.k, s: self.s - o.s }
    }
    #[inline(always)]
    fn min2(self, o: Self) -> Self {
        if self < o { self } else { o }
    }
}

/// Maps a stored score (`NEG_INFINITY` = forbidden) to a cost to minimise.
pub(super) trait Transform {
    /// The cost type produced.
    type C: Cost;
    /// Cost of a cell holding `score`.
    fn cost(score: f64) -> Self::C;
    /// Cost of a stored cell (exactly `cost` of its `f64` value).
    #[inline(always)]
    fn cs<S: Score>(score: S) -> Self::C {
        Self::cost(score.f())
    }
}

/// How a score matrix cell is stored. Every stored value converts to
/// `f64` exactly, so the storage type never changes a cost.
pub(super) trait Score: Copy + 'static {
    /// The exact `f64` value.
    fn f(self) -> f64;
    /// The nearest `f32` (exact for `f32` storage).
    fn f32(self) -> f32;
}

impl Score for f64 {
    #[inline(always)]
    fn f(self) -> f64 {
        self
    }
    #[inline(always)]
    fn f32(self) -> f32 {
        self as f32
    }
}

impl Score for f32 {
    #[inline(always)]
    fn f(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn f32(self) -> f32 {
        self
    }
}

/// Plain maximisation: cost = −score. Only valid when no cell is forbidden.
pub(super) struct Neg;
impl Transform for Neg {
    type C = f64;
    #[inline(always)]
    fn cost(score: f64) -> f64 {
        -score
    }
}

/// Optional pairs: cost = −max(score, 0). A forbidden cell (−∞) and a
/// negative one both cost 0, i.e. "as good as leaving the row unmatched";
/// such pairs are dropped afterwards.
pub(super) struct Clamp;
impl Transform for Clamp {
    type C = f64;
    #[inline(always)]
    fn cost(score: f64) -> f64 {
        -(score.max(0.0))
    }
}

/// Max matches, then max score: forbidden cells cost `(1, 0)`, allowed ones
/// `(0, −score)`. A full assignment using the fewest forbidden cells is a
/// maximum-cardinality partial assignment once those cells are dropped.
pub(super) struct LexT;
impl Transform for LexT {
    type C = Lex;
    #[inline(always)]
    fn cost(score: f64) -> Lex {
        if score == f64::NEG_INFINITY { Lex { k: 1.0, s: 0.0 } } else { Lex { k: 0.0, s: -score } }
    }
}

/// Reads a stored *cost* copy (see [`cost_copy`]) as an `f32` cost: the
/// single-precision search of [`solve_min_scalar`].
struct Id32;
impl Transform for Id32 {
    type C = f32;
    #[inline(always)]
    fn cost(score: f64) -> f32 {
        score as f32
    }
    #[inline(always)]
    fn cs<S: Score>(score: S) -> f32 {
        score.f32()
    }
}

/// Reads a stored cost copy as an exact `f64` cost.
struct Id64;
impl Transform for Id64 {
    type C = f64;
    #[inline(always)]
    fn cost(score: f64) -> f64 {
        score
    }
}

/// A row-major score matrix with `rows <= cols`, optionally padded to
/// `cols x cols` with virtual all-zero rows (so the square Jonker–Volgenant
/// initialisation applies to rectangular inputs without copying).
pub(super) struct Rows<'a, S = f64> {
    data: &'a [S],
    stride: usize,
    real: usize,
    width: usize,
    zeros: Vec<S>,
}

impl<'a, S: Score> Rows<'a, S> {
    /// `data` holds `real` rows of `stride` cells; only the first `width`
    /// cells of each row are used. The caller guarantees
    /// `data.len() >= real * stride` and `width <= stride`.
    pub(super) fn new(data: &'a [S], stride: usize, real: usize, width: usize) -> Self {
        debug_assert!(width <= stride);
        debug_assert!(data.len() >= real * stride);
        Rows { data, stride, real, width, zeros: Vec::new() }
    }

    /// Row `i`; rows at or beyond `real` are the virtual zero rows.
    #[inline(always)]
    fn get(&self, i: usize) -> &[S] {
        if i < self.real {
            let start = i * self.stride;
            &self.data[start..start + self.width]
        } else {
            &self.zeros[..self.width]
        }
    }
}

/// How to attack a problem: padded JV or plain shortest augmenting paths
/// for rectangular shapes, and which shortest-path search to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Strategy {
    /// Padded JV when `rows` is within 2.5 % of `cols`, else shortest
    /// augmenting paths. Padded JV uses the batched search for tie-heavy
    /// data (by the first ARR pass's tie rate), SAP the dense search.
    Auto,
    /// Pad to square with zero rows, full JV, dense search (tests force this).
    #[allow(dead_code)]
    Padded,
    /// Shortest augmenting paths from a greedy start, dense search (tests).
    #[allow(dead_code)]
    Sap,
    /// Like `Padded` with the batched search (tests force this).
    #[allow(dead_code)]
    PaddedBatched,
    /// Like `Sap` with the batched search (tests force this).
    #[allow(dead_code)]
    SapBatched,
    /// Padded JV searched in `f32`, then made exact in `f64` (tests force
    /// this; `Auto` does it for large near-square problems, see
    /// [`solve_min_scalar`]).
    #[allow(dead_code)]
    Single,
}

/// Solves `min Σ cost(i, x[i])` over assignments of every row of `rows`
/// (`real` rows, `width` columns, `real <= width`) to distinct columns.
/// Returns `x` (column per row) of length `real`.
pub(super) fn solve_min<T: Transform>(mut rows: Rows<'_>, strategy: Strategy) -> Vec<usize> {
    let (nr, nc) = (rows.real, rows.width);
    debug_assert!(nr <= nc);
    if nr == 0 {
        return Vec::new();
    }
    if nc == 1 {
        return vec![0];
    }
    let pad = pads(nr, nc, strategy);
    let mut x = vec![NONE; nc];
    let mut y = vec![NONE; nc];
    let mut v = vec![T::C::ZERO; nc];
    let (free, tie_heavy) = if pad {
        if nr < nc {
            rows.zeros = vec![0.0; nc];
        }
        jv_start::<T, _>(&rows, &mut x, &mut y, &mut v)
    } else {
        // The greedy start leaves many free rows for any data; the dense
        // search measured faster here even for small integer scores.
        (greedy_start::<T, _>(&rows, nr, &mut x, &mut y), false)
    };
    let n_rows = if pad { nc } else { nr };
    let batched = batched(strategy, tie_heavy);
    // The dense search reads one full row per settled column, so with many
    // free rows on a large matrix it is bound by memory bandwidth. If every
    // cell is exactly an `f32` (integer scores up to 2^24, ...), an `f32`
    // copy halves that traffic without changing a single cost.
    let narrow = if !batched && nc >= NARROW_MIN_DIM && free.len() >= NARROW_MIN_FREE {
        narrow_rows(&rows, n_rows)
    } else {
        None
    };
    if let Some(data) = &narrow {
        augment::<T, _>(&Rows::new(data.as_slice(), nc, n_rows, nc), &free, false, &mut x, &mut y, &mut v);
    } else {
        augment::<T, _>(&rows, &free, batched, &mut x, &mut y, &mut v);
    }
    debug_assert!(x[..n_rows].iter().all(|&j| j != NONE));
    x.truncate(nr);
    x
}

/// [`solve_min`] for plain (`f64`) costs, which may instead run the whole
/// search in single precision and then make the result exact in `f64`.
///
/// Half-width costs halve the memory traffic of every row scan and double
/// the lanes per vector register, but rounding the costs (and the `f32`
/// arithmetic on the duals) can leave a slightly suboptimal assignment. So
/// the `f32` search only provides a start: its column duals `v`, widened
/// to `f64`, are kept, every row is checked against its exact minimum
/// reduced cost `min_j c[i][j] - v[j]`, rows not at such a column are
/// unassigned, and the exact `f64` phases assign them again (see
/// [`repair`]). That state satisfies the invariant of augmenting row
/// reduction and shortest augmenting paths (each assigned row sits at a
/// column of minimal reduced cost), so the result is as exact as the plain
/// `f64` solve. Scores that are `f32` values (integers up to 2^24, ...)
/// rarely need any repair; for general floats about a third of the rows
/// fail the check (columns tied in `f32` are not tied in `f64`), but each
/// is only a hair off and ARR reassigns them in a few row scans.
pub(super) fn solve_min_scalar<T: Transform<C = f64>>(mut rows: Rows<'_>, strategy: Strategy) -> Vec<usize> {
    let (nr, nc) = (rows.real, rows.width);
    let single = match strategy {
        Strategy::Auto if nc >= SINGLE_MIN_DIM && pads(nr, nc, strategy) => {
            let s = sample::<T>(&rows);
            !s.tie_heavy && (s.exact || nc >= SINGLE_MIN_DIM_INEXACT)
        }
        Strategy::Single => nr > 0 && nc > 1,
        Strategy::Auto | Strategy::Padded | Strategy::Sap | Strategy::PaddedBatched | Strategy::SapBatched => false,
    };
    if !single {
        return solve_min::<T>(rows, strategy);
    }
    if nr < nc {
        rows.zeros = vec![0.0; nc];
    }
    let Some((costs, mins, exact)) = cost_copy::<T>(&rows, nc) else {
        return solve_min::<T>(rows, strategy);
    };
    let c32 = Rows::new(costs.as_slice(), nc, nc, nc);
    let mut x = vec![NONE; nc];
    let mut y = vec![NONE; nc];
    let mut v32 = vec![0.0f32; nc];
    let mut free = mins.reduce::<Id32, _>(&c32, &mut x, &mut y, &mut v32);
    let tie_heavy = arr_passes::<Id32, _>(&c32, &mut free, &mut x, &mut y, &mut v32);
    augment::<Id32, _>(&c32, &free, batched(strategy, tie_heavy), &mut x, &mut y, &mut v32);
    let mut v: Vec<f64> = v32.into_iter().map(f64::from).collect();
    // Exact copies (integer scores, ...) give the same f64 costs at half
    // the traffic.
    if exact {
        repair::<Id64, _>(&c32, &mut x, &mut y, &mut v);
    } else {
        repair::<T, _>(&rows, &mut x, &mut y, &mut v);
    }
    x.truncate(nr);
    x
}

/// Smallest width for which [`solve_min_scalar`] searches in `f32` (below
/// it the `f64` matrix mostly sits in cache and the copy does not pay).
const SINGLE_MIN_DIM: usize = 500;

/// Smallest width for which the `f32` search pays off when the scores are
/// not `f32` values (then about a third of the rows need the repair).
const SINGLE_MIN_DIM_INEXACT: usize = 1500;

/// Whether to pad a `nr x nc` problem to square (full JV) rather than run
/// plain shortest augmenting paths.
fn pads(nr: usize, nc: usize, strategy: Strategy) -> bool {
    // Padding adds (cols - rows) identical all-zero rows. JV's
    // initialisation cannot spread identical rows over the columns, so each
    // of them ends up as a full (long) augmentation: measured on 1000-row
    // matrices, padding only wins up to ~2-3 % extra columns, while plain
    // shortest augmenting paths were 2-20x faster from +5 % on.
    match strategy {
        Strategy::Auto => (nc - nr) * PAD_RATIO <= nc,
        Strategy::Padded | Strategy::PaddedBatched | Strategy::Single => true,
        Strategy::Sap | Strategy::SapBatched => false,
    }
}

/// Whether to use the batched search.
fn batched(strategy: Strategy, tie_heavy: bool) -> bool {
    // Tie-heavy data (small integer scores: many rows found their two
    // smallest reduced costs equal in the first ARR pass): the batched
    // search settles tied columns in groups and stops at the first free
    // column it reaches. For continuous scores each search settles columns
    // one at a time and the dense vectorised search is faster.
    match strategy {
        Strategy::Auto | Strategy::Single => tie_heavy,
        Strategy::PaddedBatched | Strategy::SapBatched => true,
        Strategy::Padded | Strategy::Sap => false,
    }
}

/// JV's initialisation of a square problem: column reduction, then
/// augmenting row reduction passes. Returns the rows left free and whether
/// the data looks tie-heavy.
fn jv_start<T: Transform, S: Score>(
    rows: &Rows<'_, S>,
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [T::C],
) -> (Vec<usize>, bool) {
    let mut free = column_reduction::<T, S>(rows, rows.width, x, y, v);
    let tie_heavy = arr_passes::<T, S>(rows, &mut free, x, y, v);
    (free, tie_heavy)
}

/// Augmenting row reduction passes over `free` (JV runs two, we may run
/// more); returns whether the data looks tie-heavy.
fn arr_passes<T: Transform, S: Score>(
    rows: &Rows<'_, S>,
    free: &mut Vec<usize>,
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [T::C],
) -> bool {
    let nc = rows.width;
    let (steps, ties) = augmenting_row_reduction::<T, S>(rows, nc, free, x, y, v);
    let mut capped = steps >= arr_budget(nc);
    let mut passes = 1;
    // JV runs two passes. When tied minima (not the step budget) ended
    // them, further passes are cheap (one row scan per free row) and
    // keep assigning rows at far less than an augmentation's cost;
    // continue while they make real progress.
    loop {
        let before = free.len();
        let (steps, _) = augmenting_row_reduction::<T, S>(rows, nc, free, x, y, v);
        passes += 1;
        capped |= steps >= arr_budget(nc);
        if capped || passes >= MAX_ARR_PASSES || free.is_empty() || free.len() * 16 > before * 15 {
            break;
        }
    }
    ties * TIE_RATIO >= steps && ties > 0
}

/// Shortest augmenting path from every row of `free`.
fn augment<T: Transform, S: Score>(
    rows: &Rows<'_, S>,
    free: &[usize],
    batched: bool,
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [T::C],
) {
    let nc = v.len();
    if batched {
        let mut aug = Batched::<T::C>::new(nc);
        for &f in free {
            aug.run::<T, S>(rows, f, x, y, v);
        }
    } else {
        let mut aug = Augmenter::<T::C>::new(nc);
        for &f in free {
            aug.run::<T, S>(rows, f, x, y, v);
        }
    }
}

/// Largest cost magnitude the `f32` search accepts: sums of a few thousand
/// such values stay far from `f32` overflow.
const SINGLE_MAX_COST: f64 = 1e30;

/// The `n x n` costs of a square (padded) problem rounded to `f32`, their
/// column minima (the first half of column reduction, folded in while each
/// copied row is still in cache) and whether the rounding was exact
/// everywhere; `None` if some cost is too large for the `f32` search.
fn cost_copy<T: Transform<C = f64>>(rows: &Rows<'_>, n: usize) -> Option<(Vec<f32>, ColumnMinima<f32>, bool)> {
    let mut out = vec![0.0f32; n * n];
    let mut mins = ColumnMinima::new(n);
    let mut exact = true;
    for (i, dst) in out.chunks_exact_mut(n.max(1)).enumerate() {
        // Flags accumulated branch-free per row so the loop vectorises.
        let mut fits = true;
        for (t, &s) in dst.iter_mut().zip(rows.get(i)) {
            let c = T::cost(s);
            let w = c as f32;
            *t = w;
            exact &= f64::from(w) == c;
            fits &= c.abs() <= SINGLE_MAX_COST;
        }
        if !fits {
            return None;
        }
        mins.add::<Id32, f32>(dst, i);
    }
    Some((out, mins, exact))
}

/// What a sample of up to [`SAMPLE_ROWS`] rows says about the costs.
struct Sample {
    /// The smallest cost of a row occurs more than once in at least a
    /// quarter of the sampled rows (small integer scores). Such data runs
    /// the batched search, which is fast in `f64`; there the `f32` copy
    /// costs more than it saves.
    tie_heavy: bool,
    /// Every sampled cost is exactly an `f32`, so the `f32` search will
    /// most likely need no repair.
    exact: bool,
}

fn sample<T: Transform<C = f64>>(rows: &Rows<'_>) -> Sample {
    let n = rows.real;
    let samples = n.min(SAMPLE_ROWS);
    let mut tied = 0;
    let mut exact = true;
    for k in 0..samples {
        let r = rows.get(k * n / samples);
        let min = r.iter().fold(f64::INFINITY, |m, &s| m.min(T::cost(s)));
        tied += usize::from(r.iter().filter(|&&s| T::cost(s) == min).count() > 1);
        exact &= r.iter().all(|&s| f64::from(T::cost(s) as f32) == T::cost(s));
    }
    Sample { tie_heavy: tied * 4 >= samples, exact }
}

/// Rows looked at by [`sample`].
const SAMPLE_ROWS: usize = 32;

/// Makes a complete assignment with (approximately optimal) duals `v`
/// exactly optimal: unassigns every row whose column is not at its minimal
/// reduced cost, which restores the invariant of the later JV phases, then
/// reassigns those rows by augmenting row reduction (cheap here: the duals
/// are nearly right, so displacement chains are short) and shortest
/// augmenting paths for any left over.
fn repair<T: Transform<C = f64>, S: Score>(rows: &Rows<'_, S>, x: &mut [usize], y: &mut [usize], v: &mut [f64]) {
    let n = v.len();
    let mut free = Vec::new();
    for (i, xi) in x.iter_mut().enumerate().take(n) {
        let r = rows.get(i);
        let j = *xi;
        // A row the f32 search left unassigned (it cannot, but the exact
        // phase must not depend on that) just joins the free rows.
        if j == NONE || min_reduced::<T, S>(r, v) < T::cs(r[j]).sub(v[j]) {
            if j != NONE {
                y[j] = NONE;
                *xi = NONE;
            }
            free.push(i);
        }
    }
    if !free.is_empty() {
        arr_passes::<T, S>(rows, &mut free, x, y, v);
    }
    augment::<T, S>(rows, &free, false, x, y, v);
}

/// Smallest width for which the dense search may switch to an `f32` copy
/// (below it the `f64` matrix mostly sits in cache).
const NARROW_MIN_DIM: usize = 1500;

/// Fewest free rows for which making the `f32` copy can pay off.
const NARROW_MIN_FREE: usize = 32;

/// The first `n` rows (virtual zero rows included) as `f32`, if every cell
/// is exactly representable; gives up at the first row that is not.
fn narrow_rows(rows: &Rows<'_>, n: usize) -> Option<Vec<f32>> {
    let w = rows.width;
    let mut out = vec![0.0f32; n * w];
    for (i, dst) in out.chunks_exact_mut(w.max(1)).enumerate() {
        let mut exact = true;
        for (t, &s) in dst.iter_mut().zip(rows.get(i)) {
            let c = s as f32;
            *t = c;
            exact &= f64::from(c) == s;
        }
        if !exact {
            return None;
        }
    }
    Some(out)
}

/// The batched search is used when at least `1 / TIE_RATIO` of the first
/// ARR pass's rows had tied minima.
const TIE_RATIO: usize = 4;

/// `Auto` pads a `rows x cols` problem to square iff
/// `(cols - rows) * PAD_RATIO <= cols`.
const PAD_RATIO: usize = 40;

/// JV column reduction followed by reduction transfer. Returns the free
/// rows. Establishes the invariant every later phase relies on: each
/// assigned row sits in a column of minimal reduced cost `c[i][j] - v[j]`.
fn column_reduction<T: Transform, S: Score>(
    rows: &Rows<'_, S>,
    n: usize,
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [T::C],
) -> Vec<usize> {
    // Column minima, computed row by row so memory is read sequentially
    // (a column walk over a row-major matrix would miss cache on every cell).
    let mut mins = ColumnMinima::new(n);
    for i in 0..n {
        mins.add::<T, S>(rows.get(i), i);
    }
    mins.reduce::<T, S>(rows, x, y, v)
}

/// Running column minima (and the first row reaching each) of the rows
/// seen so far: the first half of column reduction, separate so the `f32`
/// search can fold each row in while it is being copied.
struct ColumnMinima<C> {
    colmin: Vec<C>,
    argmin: Vec<usize>,
}

impl<C: Cost> ColumnMinima<C> {
    fn new(n: usize) -> Self {
        ColumnMinima { colmin: vec![C::INF; n], argmin: vec![0; n] }
    }

    /// Folds in row `i`.
    #[inline]
    fn add<T: Transform<C = C>, S: Score>(&mut self, r: &[S], i: usize) {
        let mut rc = r.chunks_exact(L);
        let mut cc = self.colmin.chunks_exact_mut(L);
        let mut ac = self.argmin.chunks_exact_mut(L);
        // Fixed-size chunks with both updates written as selects on the
        // same mask: the compiler turns this into vector compare + blends.
        for ((rr, cm), am) in (&mut rc).zip(&mut cc).zip(&mut ac) {
            for k in 0..L {
                let c = T::cs(rr[k]);
                let lt = c < cm[k];
                cm[k] = if lt { c } else { cm[k] };
                am[k] = if lt { i } else { am[k] };
            }
        }
        for ((&s, cm), am) in rc.remainder().iter().zip(cc.into_remainder()).zip(ac.into_remainder()) {
            let c = T::cs(s);
            if c < *cm {
                *cm = c;
                *am = i;
            }
        }
    }

    /// Once every row is in: assigns each column's minimum row (if that row
    /// has no column yet), sets `v` to the minima, transfers the reduction
    /// and returns the free rows.
    fn reduce<T: Transform<C = C>, S: Score>(
        self,
        rows: &Rows<'_, S>,
        x: &mut [usize],
        y: &mut [usize],
        v: &mut [C],
    ) -> Vec<usize> {
        let ColumnMinima { colmin, argmin } = self;
        let n = colmin.len();
        let mut matches = vec![0u32; n];
        for j in (0..n).rev() {
            let i = argmin[j];
            v[j] = colmin[j];
            if matches[i] == 0 {
                x[i] = j;
                y[j] = i;
            } else {
                y[j] = NONE;
            }
            matches[i] += 1;
        }
        // Reduction transfer: a row matched exactly once hands its slack to its
        // column (lowering v), which makes later augmentations cheaper.
        let mut free = Vec::new();
        for i in 0..n {
            match matches[i] {
                0 => free.push(i),
                1 => {
                    let j1 = x[i];
                    let r = rows.get(i);
                    // Smallest reduced cost outside column j1.
                    let n1 = j1.min(r.len()).min(v.len());
                    let a = min_reduced::<T, S>(&r[..n1], &v[..n1]);
                    let b = min_reduced::<T, S>(r.get(n1 + 1..).unwrap_or(&[]), v.get(n1 + 1..).unwrap_or(&[]));
                    let min = if b < a { b } else { a };
                    // n >= 2 here, so `min` is finite.
                    v[j1] = v[j1].sub(min);
                }
                _ => {}
            }
        }
        free
    }
}

/// One pass of JV's augmenting row reduction over `free` (rewritten in
/// place with the rows still free afterwards). Returns the number of rows
/// processed and how many of them had a tie between their two smallest
/// reduced costs (a measure of how tie-heavy the data is).
fn augmenting_row_reduction<T: Transform, S: Score>(
    rows: &Rows<'_, S>,
    n: usize,
    free: &mut Vec<usize>,
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [T::C],
) -> (usize, usize) {
    let prv = free.len();
    let mut steps = 0usize;
    let mut ties = 0usize;
    let mut k = 0usize;
    let mut nfree = 0usize;
    // Each re-queue strictly lowers some v[j] in exact arithmetic, so the
    // loop terminates, but it can take very many tiny steps. The budget
    // bounds that; hitting it only moves work to the (exact) augmentation
    // phase, never affects the optimum.
    // Measured on uniform random data (n = 1000..5000): about 8n steps
    // leaves only a handful of free rows; beyond that ARR mostly shuffles a
    // few rows back and forth with tiny price changes, which the
    // augmentation phase resolves faster.
    let mut budget = arr_budget(n);
    while k < prv {
        let i = free[k];
        k += 1;
        if budget == 0 {
            free[nfree] = i;
            nfree += 1;
            continue;
        }
        budget -= 1;
        steps += 1;
        // Minimum and second minimum reduced cost of row i.
        let (umin, usub, j1, j2) = two_smallest::<T, S>(rows.get(i), v);
        let mut j1 = j1;
        if j2 == NONE || usub == T::C::INF {
            // Cannot happen for n >= 2; keep the row for the exact phase.
            free[nfree] = i;
            nfree += 1;
            continue;
        }
        let mut i0 = y[j1];
        let mut lowered = false;
        if umin < usub {
            // Lower v[j1] so that j1 stays row i's minimum even after the
            // eviction. With floats the step can vanish; then don't re-queue
            // (no progress would be made) but keep the assignment, which is
            // still at a minimal reduced cost.
            let nv = v[j1].sub(usub.sub(umin));
            if nv < v[j1] {
                v[j1] = nv;
                lowered = true;
            }
        } else {
            ties += 1;
            if i0 != NONE {
                // Tie: take another column at the minimum, preferring one
                // that displaces nobody. The two found first are the
                // lowest-indexed ones, so with many ties (integer scores)
                // every row would fight over the same few columns; look for
                // any free tied column first.
                if y[j2] == NONE {
                    j1 = j2;
                    i0 = NONE;
                } else if let Some(jf) = free_tied::<T, S>(rows.get(i), v, y, umin) {
                    j1 = jf;
                    i0 = NONE;
                } else {
                    j1 = j2;
                    i0 = y[j2];
                }
            }
        }
        x[i] = j1;
        y[j1] = i;
        if i0 != NONE {
            x[i0] = NONE;
            if lowered {
                k -= 1;
                free[k] = i0;
            } else {
                free[nfree] = i0;
                nfree += 1;
            }
        }
    }
    free.truncate(nfree);
    (steps, ties)
}

/// Step budget of one ARR pass (see `augmenting_row_reduction`).
///
/// A step costs one row scan, while each row left free costs a
/// shortest-path search of up to `n` row scans, so larger problems can
/// afford more steps per row: 8n up to n = 2000, rising to 20n at n = 5000.
/// (Uniform floats, n = 5000: 8n left 29 free rows and took 516 ms, 20n
/// left 9 and took 404 ms; at n <= 2000 more steps did not pay.)
fn arr_budget(n: usize) -> usize {
    let per_row = (n / 250).clamp(8, 20);
    per_row * n + 64
}

/// At most this many ARR passes (when the budget never bites).
const MAX_ARR_PASSES: usize = 10;

/// Lanes per chunk in the hot scans: 8 f64 = two AVX or four SSE2 registers,
/// enough independent work for the compiler to vectorise the chunk body.
const L: usize = 8;

/// Smallest reduced cost `cost(r[j]) - v[j]` over a slice (INF if empty),
/// with per-lane minima so the loop vectorises.
#[inline]
fn min_reduced<T: Transform, S: Score>(r: &[S], v: &[T::C]) -> T::C {
    let mut lanes = [T::C::INF; L];
    let rc = r.chunks_exact(L);
    let vc = v.chunks_exact(L);
    let (rt, vt) = (rc.remainder(), vc.remainder());
    for (rr, vv) in rc.zip(vc) {
        for k in 0..L {
            let h = T::cs(rr[k]).sub(vv[k]);
            lanes[k] = if h < lanes[k] { h } else { lanes[k] };
        }
    }
    let mut m = T::C::INF;
    for (&s, &vj) in rt.iter().zip(vt) {
        let h = T::cs(s).sub(vj);
        m = if h < m { h } else { m };
    }
    for l in lanes {
        m = if l < m { l } else { m };
    }
    m
}

/// The smallest and second smallest reduced cost `cost(r[j]) - v[j]` and
/// their columns (`j2 == NONE` if `r` has a single cell).
///
/// This is the hot loop of augmenting row reduction. Once the running
/// second minimum is small, almost no cell beats it, so each chunk first
/// asks "does any lane beat `usub`?" with a branch-free (vectorisable) test
/// and only then walks the chunk with the branchy scalar update.
#[inline]
fn two_smallest<T: Transform, S: Score>(r: &[S], v: &[T::C]) -> (T::C, T::C, usize, usize) {
    let mut umin = T::C::INF;
    let mut usub = T::C::INF;
    let mut j1 = 0usize;
    let mut j2 = NONE;
    let mut update = |h: T::C, j: usize, umin: &mut T::C, usub: &mut T::C| {
        if h < *usub {
            if h < *umin {
                *usub = *umin;
                j2 = j1;
                *umin = h;
                j1 = j;
            } else {
                *usub = h;
                j2 = j;
            }
        }
    };
    let n = r.len().min(v.len());
    let (r, v) = (&r[..n], &v[..n]);
    let rc = r.chunks_exact(L);
    let vc = v.chunks_exact(L);
    let tail = n - rc.remainder().len();
    for (c, (rr, vv)) in rc.zip(vc).enumerate() {
        let mut h = [T::C::ZERO; L];
        let mut any = false;
        for k in 0..L {
            h[k] = T::cs(rr[k]).sub(vv[k]);
            any |= h[k] < usub;
        }
        if any {
            for (k, &hk) in h.iter().enumerate() {
                update(hk, c * L + k, &mut umin, &mut usub);
            }
        }
    }
    for j in tail..n {
        update(T::cs(r[j]).sub(v[j]), j, &mut umin, &mut usub);
    }
    (umin, usub, j1, j2)
}

/// The first unassigned column whose reduced cost `cost(r[j]) - v[j]` is
/// exactly `target`, if any. Chunks without such a cell are skipped with a
/// branch-free (vectorisable) test.
fn free_tied<T: Transform, S: Score>(r: &[S], v: &[T::C], y: &[usize], target: T::C) -> Option<usize> {
    let n = r.len().min(v.len()).min(y.len());
    let (r, v, y) = (&r[..n], &v[..n], &y[..n]);
    let rc = r.chunks_exact(L);
    let vc = v.chunks_exact(L);
    let tail = n - rc.remainder().len();
    for (c, (rr, vv)) in rc.zip(vc).enumerate() {
        let mut any = false;
        for k in 0..L {
            any |= T::cs(rr[k]).sub(vv[k]) == target;
        }
        if any {
            for k in 0..L {
                let j = c * L + k;
                if y[j] == NONE && T::cs(rr[k]).sub(vv[k]) == target {
                    return Some(j);
                }
            }
        }
    }
    (tail..n).find(|&j| y[j] == NONE && T::cs(r[j]).sub(v[j]) == target)
}

/// Start for the skinny rectangular case (`v = 0`): give each row its
/// cheapest column if that column is still free. Every assigned row then
/// sits at its minimum reduced cost and unassigned columns keep `v = 0`, the
/// dual conditions shortest augmenting paths need for rectangular problems.
fn greedy_start<T: Transform, S: Score>(rows: &Rows<'_, S>, nr: usize, x: &mut [usize], y: &mut [usize]) -> Vec<usize> {
    let mut free = Vec::new();
    for (i, xi) in x.iter_mut().enumerate().take(nr) {
        let r = rows.get(i);
        let mut best = T::C::INF;
        let mut bj = NONE;
        for (j, &s) in r.iter().enumerate() {
            let c = T::cs(s);
            if c < best {
                best = c;
                bj = j;
            }
        }
        if bj != NONE && y[bj] == NONE {
            *xi = bj;
            y[bj] = i;
        } else {
            free.push(i);
        }
    }
    free
}

/// Scratch space for the shortest-augmenting-path phase, reused across
/// free rows.
struct Augmenter<C> {
    /// Tentative distance per column; `C::DONE` once settled.
    d: Vec<C>,
    /// Final distance of settled columns.
    dist: Vec<C>,
    /// Rows in the order they were scanned, with their offset `h`
    /// (the free row first, with offset zero).
    scanned: Vec<(usize, C)>,
    /// Settled columns, in order.
    settled: Vec<usize>,
}

impl<C: Cost> Augmenter<C> {
    fn new(n: usize) -> Self {
        Augmenter {
            d: vec![C::INF; n],
            dist: vec![C::INF; n],
            scanned: Vec::with_capacity(n),
            settled: Vec::with_capacity(n),
        }
    }

    /// Dijkstra from free row `f` over reduced costs to the nearest free
    /// column, then augmentation along the path and dual update.
    ///
    /// Compared with the textbook JV loop this fuses "relax the columns via
    /// the newly scanned row" and "find the next closest column" into one
    /// pass (as Crouse's formulation does), halving the passes for float
    /// data where ties are rare. The pass runs over all columns with
    /// settled ones marked by a NaN distance (every comparison false), and
    /// keeps no predecessor array, so its body is pure branch-free `f64`
    /// arithmetic that the compiler vectorises; predecessors are recovered
    /// afterwards for the few columns on the augmenting path (see
    /// [`Augmenter::pred`]).
    fn run<T: Transform<C = C>, S: Score>(
        &mut self,
        rows: &Rows<'_, S>,
        f: usize,
        x: &mut [usize],
        y: &mut [usize],
        v: &mut [C],
    ) {
        let n = v.len();
        self.scanned.clear();
        self.settled.clear();
        let mut i = f;
        let mut h = C::ZERO;
        let (end, min) = loop {
            self.scanned.push((i, h));
            let best = relax::<T, _>(rows.get(i), v, &mut self.d[..n], h, i == f);
            let jb = pick(&self.d[..n], y, best);
            let ib = y[jb];
            if ib == NONE {
                break (jb, best);
            }
            self.settled.push(jb);
            self.dist[jb] = best;
            self.d[jb] = C::DONE;
            // Row ib's dual: its assigned column jb is its cheapest, so any
            // column k is at distance best + (c[ib][k]-v[k]) - (c[ib][jb]-v[jb]).
            h = T::cs(rows.get(ib)[jb]).sub(v[jb]).sub(best);
            i = ib;
        };
        // Flip the alternating path (before v changes: `pred` needs the
        // duals the search used).
        let mut j = end;
        let mut dj = min;
        loop {
            let i = self.pred::<T, _>(rows, v, j, dj);
            y[j] = i;
            let prev = x[i];
            x[i] = j;
            if i == f {
                break;
            }
            j = prev;
            dj = self.dist[j];
        }
        // Dual update: settled columns move by their slack to `min`.
        for &j in &self.settled {
            v[j] = v[j].add(self.dist[j].sub(min));
        }
    }

    /// The row through which column `j` got its final distance `dj`: the
    /// first scanned row whose relaxation reproduces `dj` exactly. Distances
    /// only drop on a strict improvement, so that is precisely the row a
    /// predecessor array would have recorded, and recomputing it with the
    /// same floating-point expression gives a bit-identical value. Costs
    /// O(path length x scanned rows) cells, less than the search itself.
    fn pred<T: Transform<C = C>, S: Score>(&self, rows: &Rows<'_, S>, v: &[C], j: usize, dj: C) -> usize {
        for &(i, h) in &self.scanned {
            if T::cs(rows.get(i)[j]).sub(v[j]).sub(h) == dj {
                return i;
            }
        }
        // Unreachable: the search set `dj` from one of these rows.
        debug_assert!(false, "no predecessor for column {j}");
        self.scanned.first().map_or(0, |&(i, _)| i)
    }
}

/// One Dijkstra relaxation over all columns through a row `ri` with offset
/// `h` (`init`: overwrite instead of relax). Returns the smallest
/// unsettled distance.
///
/// The minimum is kept in `L` independent lane accumulators, each updated
/// with a single compare-and-select that skips settled (NaN) columns, so
/// the whole body vectorises without a serial dependency chain.
#[inline]
fn relax<T: Transform, S: Score>(ri: &[S], v: &[T::C], d: &mut [T::C], h: T::C, init: bool) -> T::C {
    let n = d.len().min(v.len()).min(ri.len());
    let (ri, v, d) = (&ri[..n], &v[..n], &mut d[..n]);
    let mut lanes = [T::C::INF; L];
    let rc = ri.chunks_exact(L);
    let vc = v.chunks_exact(L);
    let (rt, vt) = (rc.remainder(), vc.remainder());
    let mut dc = d.chunks_exact_mut(L);
    for ((rr, vv), dd) in rc.zip(vc).zip(&mut dc) {
        for k in 0..L {
            let r = T::cs(rr[k]).sub(vv[k]).sub(h);
            // A settled column has d = NaN: `r < d` is false, so it
            // stays NaN (initialising happens before anything settles),
            // and `min2` ignores it.
            let nd = if init || r < dd[k] { r } else { dd[k] };
            dd[k] = nd;
            lanes[k] = nd.min2(lanes[k]);
        }
    }
    let mut best = T::C::INF;
    for ((&s, &vj), dj) in rt.iter().zip(vt).zip(dc.into_remainder()) {
        let r = T::cs(s).sub(vj).sub(h);
        let nd = if init || r < *dj { r } else { *dj };
        *dj = nd;
        best = nd.min2(best);
    }
    for l in lanes {
        best = l.min2(best);
    }
    best
}

/// Chooses the next column to settle among those at distance `best`: a
/// free one if any (it ends the search; integer data has many ties), else
/// the last one. Chunks without such a column are skipped with a
/// branch-free (vectorisable) test.
#[inline]
fn pick<C: Cost>(d: &[C], y: &[usize], best: C) -> usize {
    let n = d.len().min(y.len());
    let (d, y) = (&d[..n], &y[..n]);
    let mut last = NONE;
    let dc = d.chunks_exact(L);
    let tail = n - dc.remainder().len();
    for (c, dd) in dc.enumerate() {
        if C::any_eq(dd, best) {
            for (k, &x) in dd.iter().enumerate() {
                if x == best {
                    let j = c * L + k;
                    if y[j] == NONE {
                        return j;
                    }
                    last = j;
                }
            }
        }
    }
    for j in tail..n {
        if d[j] == best {
            if y[j] == NONE {
                return j;
            }
            last = j;
        }
    }
    // While a row is free some unsettled column has a finite distance.
    debug_assert!(last != NONE);
    if last == NONE { 0 } else { last }
}

/// Scratch space for the classic Jonker–Volgenant shortest-path search
/// (`collist` variant, as in the original Pascal code and the `lap` C++
/// package), reused across free rows.
///
/// The unsettled columns are kept compact at the end of `cols`, so every
/// scan touches only columns that can still improve, and all columns tied
/// at the current minimum distance are settled in one batch (the `todo`
/// range `cols[lo..hi]`) without another minimum search. Integer-valued
/// data has many such ties; there this beats the dense vectorised search.
struct Batched<C> {
    /// Column order: `[0, lo)` settled and scanned, `[lo, hi)` at the
    /// current minimum, waiting to be scanned, `[hi, n)` unsettled.
    cols: Vec<usize>,
    /// Tentative (for settled columns: final) distance per column.
    d: Vec<C>,
    /// Row through which each column got its current distance.
    pred: Vec<usize>,
}

impl<C: Cost> Batched<C> {
    fn new(n: usize) -> Self {
        Batched { cols: (0..n).collect(), d: vec![C::INF; n], pred: vec![0; n] }
    }

    /// Dijkstra from free row `f` to the nearest free column, augmentation
    /// and dual update.
    fn run<T: Transform<C = C>, S: Score>(
        &mut self,
        rows: &Rows<'_, S>,
        f: usize,
        x: &mut [usize],
        y: &mut [usize],
        v: &mut [C],
    ) {
        let n = v.len();
        let cols = &mut self.cols[..n];
        let d = &mut self.d[..n];
        let pred = &mut self.pred[..n];
        let y = &mut y[..n];
        {
            let r = &rows.get(f)[..n];
            for (((dj, &s), &vj), (pj, cj)) in
                d.iter_mut().zip(r).zip(v.iter()).zip(pred.iter_mut().zip(cols.iter_mut().enumerate()))
            {
                *dj = T::cs(s).sub(vj);
                *pj = f;
                *cj.1 = cj.0;
            }
        }
        let mut lo = 0usize;
        let mut hi = 0usize;
        let mut n_ready = 0usize;
        let mut mind = C::ZERO;
        let end = 'search: loop {
            if lo == hi {
                // Next batch: all unsettled columns at the minimum distance.
                n_ready = lo;
                let mut mn = C::INF;
                for k in lo..n {
                    let j = cols[k];
                    let dj = d[j];
                    if dj <= mn {
                        if dj < mn {
                            hi = lo;
                            mn = dj;
                        }
                        cols.swap(k, hi);
                        hi += 1;
                    }
                }
                mind = mn;
                for &j in &cols[lo..hi] {
                    if y[j] == NONE {
                        break 'search j;
                    }
                }
                if hi == lo {
                    // Unreachable: while a row is free, some column is free
                    // and every distance is finite. Never index past `n`.
                    debug_assert!(false, "batched search ran out of columns");
                    break 'search cols.get(lo).copied().unwrap_or(0);
                }
            }
            // Scan the row assigned to the next column of the batch.
            let j = cols[lo];
            lo += 1;
            let i = y[j];
            let ri = &rows.get(i)[..n];
            let h = T::cs(ri[j]).sub(v[j]).sub(mind);
            let mut k = hi;
            while k < n {
                let c = cols[k];
                let cred = T::cs(ri[c]).sub(v[c]).sub(h);
                if cred < d[c] {
                    d[c] = cred;
                    pred[c] = i;
                    if cred == mind {
                        if y[c] == NONE {
                            break 'search c;
                        }
                        cols.swap(k, hi);
                        hi += 1;
                    }
                }
                k += 1;
            }
        };
        // Dual update for the columns scanned before the last batch.
        for &j in &cols[..n_ready] {
            v[j] = v[j].add(d[j].sub(mind));
        }
        // Flip the alternating path.
        let mut j = end;
        loop {
            let i = pred[j];
            y[j] = i;
            let prev = x[i];
            x[i] = j;
            if i == f {
                break;
            }
            j = prev;
        }
    }
}
