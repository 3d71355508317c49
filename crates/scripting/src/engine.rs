//! The one hardened Rhai engine, used by the server, the tests and `samenhier script check`.
//!
//! `Engine::new()` is no sandbox: it resolves `import` from the file system, allows `eval`,
//! prints to stdout and has no limits. This starts from `Engine::new_raw()`, adds only the
//! packages the script guide documents and our helpers, refuses `import` and `eval` at compile
//! time, requires every variable to be declared, bounds operations, call depth, expression
//! depth, strings, arrays and maps, and stops any single call at a wall-clock deadline and any
//! call of a job (a validation, a preview, a round) that was cancelled or ran out of its budget.
//!
//! Nothing else is registered: a script can name a function by a computed string (`Fn(..)`,
//! `call`, `curry`, the deprecated `filter("name")` forms), so every function the engine knows
//! is reachable from a script. The test `every_registered_function_is_documented` holds the
//! list. In particular Rhai's `LanguageCorePackage` (`sleep`, `exit`, `parse_json`, function
//! metadata), `BasicTimePackage` (`timestamp`: rounds must be deterministic), `BasicFnPackage`,
//! blobs and bit fields are left out.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage, BasicStringPackage,
    LogicPackage, MoreStringPackage, Package,
};
use rhai::{Dynamic, Engine, OptimizationLevel};

use super::job::Job;

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

thread_local! {
    /// The deadline of the call running on this thread. Only the server sets it (before each
    /// call, see `Deadline::arm`); nothing a script can reach changes it.
    static CALL_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The job this thread works for, if any (see `job::Job::enter`).
    pub(super) static CURRENT_JOB: RefCell<Option<Arc<Job>>> = const { RefCell::new(None) };
}

/// Arms the deadline of the call about to start on this thread; the previous one comes back
/// when it is dropped.
pub struct Deadline(Option<Instant>);

impl Deadline {
    pub fn arm(limits: &Limits) -> Self {
        Self(CALL_DEADLINE.with(|d| d.replace(Some(Instant::now() + limits.call_deadline))))
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        CALL_DEADLINE.with(|d| d.set(self.0));
    }
}

/// The value `on_progress` returns to stop a call that ran out of time; recognised in errors.
pub const DEADLINE_TOKEN: &str = "samenhier:deadline";
/// The value `on_progress` returns to stop a call whose job was cancelled or ran out of budget.
pub const JOB_STOPPED_TOKEN: &str = "samenhier:job-stopped";

/// How many script `print`/`debug` calls were swallowed (their text never reaches the log:
/// scripts see households' features, and a print would copy them there).
static PRINTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Script `print`/`debug` calls since start, for `/metrics`.
pub fn prints_total() -> u64 {
    PRINTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Builds the hardened engine with the script API registered.
pub fn hardened_engine(limits: Limits) -> Engine {
    let mut engine = Engine::new_raw();
    for package in [
        ArithmeticPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(package);
    }
    super::api::register(&mut engine);

    // No file system and no dynamic code: refused by the parser, so a script that merely
    // contains them (even in a branch that never runs) fails validation.
    engine.disable_symbol("import");
    engine.disable_symbol("export");
    engine.disable_symbol("eval");

    engine.set_strict_variables(true);
    engine.set_optimization_level(OptimizationLevel::Simple);
    // Rhai counts operations per call, and the server calls the script once per function and
    // pair: this is the per-pair limit, and no script code can reset it.
    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_levels);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_fn_expr_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_modules(0);
    engine.set_max_functions(64);
    engine.set_max_variables(256);

    // Checking the clock costs about 20 ns; every 256 operations keeps it off the hot path.
    engine.on_progress(|ops| {
        if ops % 256 != 0 {
            return None;
        }
        if CURRENT_JOB.with(|j| j.borrow().as_ref().is_some_and(|job| job.should_stop())) {
            return Some(Dynamic::from(JOB_STOPPED_TOKEN));
        }
        let expired = CALL_DEADLINE.with(|d| d.get().is_some_and(|deadline| Instant::now() >= deadline));
        expired.then(|| Dynamic::from(DEADLINE_TOKEN))
    });

    // A script's print and debug are counted, never written anywhere: scripts see households'
    // features (neighbourhood, ages, gender), which must not reach the log.
    engine.on_print(|_| {
        PRINTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    engine.on_debug(|_, _, _| {
        PRINTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    engine
}
