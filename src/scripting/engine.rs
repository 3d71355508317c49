//! The one hardened Rhai engine, used by the server, the tests and `samenhier script check`.
//!
//! `Engine::new()` is no sandbox: it resolves `import` from the file system, allows `eval`,
//! prints to stdout and has no limits. This starts from `Engine::new_raw()`, adds only the
//! standard packages and our helpers, refuses `import` and `eval` at compile time, requires
//! every variable to be declared, bounds operations, call depth, expression depth, strings,
//! arrays and maps, and stops any single call at a wall-clock deadline.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::packages::{Package, StandardPackage};
use rhai::{Dynamic, Engine, OptimizationLevel};

/// Limits of one script call (one `eligible` or one `score` of one pair).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_operations: u64,
    pub max_call_levels: usize,
    pub max_expr_depth: usize,
    pub max_fn_expr_depth: usize,
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    /// Wall-clock budget of one call: a backstop behind the operation limit. Wall-clock time
    /// includes waiting for a core, so on a loaded two-core machine (or in a debug build) a
    /// legitimate call can take tens of milliseconds; a second stops a runaway call without
    /// failing rounds under load.
    pub call_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_operations: 200_000,
            max_call_levels: 16,
            max_expr_depth: 64,
            max_fn_expr_depth: 32,
            max_string_size: 4_096,
            max_array_size: 1_000,
            max_map_size: 200,
            call_deadline: Duration::from_millis(1000),
        }
    }
}

/// The running call's budget, per thread: operations and a wall-clock deadline per pair.
/// Rhai's own operation limit counts a whole call; a round calls the script once per row of
/// pairs, so the per-pair budget is kept here and reset at each pair boundary.
#[derive(Clone, Copy)]
struct Budget {
    deadline: Option<Instant>,
    call_deadline: Duration,
    start_ops: u64,
    last_ops: u64,
    max_ops: u64,
}

thread_local! {
    static BUDGET: Cell<Budget> = const {
        Cell::new(Budget { deadline: None, call_deadline: Duration::from_millis(100), start_ops: 0, last_ops: 0, max_ops: u64::MAX })
    };
}

/// Arms a fresh budget for the call about to start on this thread; the previous budget comes
/// back when it is dropped.
pub struct Deadline(Budget);

impl Deadline {
    pub fn arm(limits: &Limits) -> Self {
        let fresh = Budget {
            deadline: Some(Instant::now() + limits.call_deadline),
            call_deadline: limits.call_deadline,
            start_ops: 0,
            last_ops: 0,
            max_ops: limits.max_operations,
        };
        Self(BUDGET.with(|b| b.replace(fresh)))
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        BUDGET.with(|b| b.set(self.0));
    }
}

/// Starts the next pair's budget within the same call (used between the pairs of a row).
pub fn next_pair() {
    BUDGET.with(|b| {
        let mut s = b.get();
        s.start_ops = s.last_ops;
        s.deadline = Some(Instant::now() + s.call_deadline);
        b.set(s);
    });
}

/// The value `on_progress` returns to stop a script that ran out of time; recognised in errors.
pub const DEADLINE_TOKEN: &str = "samenhier:deadline";
/// The value `on_progress` returns to stop a script that used too many operations on a pair.
pub const OPERATIONS_TOKEN: &str = "samenhier:operations";

/// Builds the hardened engine with the script API registered.
pub fn hardened_engine(limits: Limits) -> Engine {
    let mut engine = Engine::new_raw();
    StandardPackage::new().register_into_engine(&mut engine);
    super::api::register(&mut engine);
    super::script::register_row_natives(&mut engine);

    // No file system and no dynamic code: refused by the parser, so a script that merely
    // contains them (even in a branch that never runs) fails validation.
    engine.disable_symbol("import");
    engine.disable_symbol("export");
    engine.disable_symbol("eval");

    engine.set_strict_variables(true);
    engine.set_optimization_level(OptimizationLevel::Simple);
    // Operations are counted per pair by `on_progress` below, not per call.
    engine.set_max_operations(0);
    // One more level for the row wrapper that calls eligible and score.
    engine.set_max_call_levels(limits.max_call_levels + 1);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_fn_expr_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_modules(0);
    engine.set_max_functions(64);
    engine.set_max_variables(256);

    // Checking the clock costs about 20 ns; every 256 operations keeps it off the hot path.
    engine.on_progress(|ops| {
        BUDGET.with(|b| {
            let mut s = b.get();
            s.last_ops = ops;
            b.set(s);
            if ops.saturating_sub(s.start_ops) > s.max_ops {
                return Some(Dynamic::from(OPERATIONS_TOKEN));
            }
            if ops % 256 != 0 {
                return None;
            }
            let expired = s.deadline.is_some_and(|deadline| Instant::now() >= deadline);
            expired.then(|| Dynamic::from(DEADLINE_TOKEN))
        })
    });

    // A script's print and debug go to the log, never to stdout. Scripts see no personal
    // data (names, contacts), only matching features.
    engine.on_print(|text| tracing::debug!(target: "samenhier::script", text, "script print"));
    engine.on_debug(|text, _source, pos| {
        tracing::debug!(target: "samenhier::script", text, line = pos.line(), "script debug")
    });
    engine
}
