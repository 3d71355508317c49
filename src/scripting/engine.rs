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
    /// Wall-clock budget of one call.
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
            call_deadline: Duration::from_millis(100),
        }
    }
}

thread_local! {
    /// When the script call running on this thread must stop. Set per call by `Deadline`.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Arms the deadline for the calls made while it lives on this thread.
pub struct Deadline(Option<Instant>);

impl Deadline {
    pub fn arm(budget: Duration) -> Self {
        let previous = DEADLINE.with(|d| d.replace(Some(Instant::now() + budget)));
        Self(previous)
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.0));
    }
}

/// The value `on_progress` returns to stop a script that ran out of time; recognised in errors.
pub const DEADLINE_TOKEN: &str = "samenhier:deadline";

/// Builds the hardened engine with the script API registered.
pub fn hardened_engine(limits: Limits) -> Engine {
    let mut engine = Engine::new_raw();
    StandardPackage::new().register_into_engine(&mut engine);
    super::api::register(&mut engine);

    // No file system and no dynamic code: refused by the parser, so a script that merely
    // contains them (even in a branch that never runs) fails validation.
    engine.disable_symbol("import");
    engine.disable_symbol("export");
    engine.disable_symbol("eval");

    engine.set_strict_variables(true);
    engine.set_optimization_level(OptimizationLevel::Simple);
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
        let expired = DEADLINE.with(|d| d.get()).is_some_and(|deadline| Instant::now() >= deadline);
        expired.then(|| Dynamic::from(DEADLINE_TOKEN))
    });

    // A script's print and debug go to the log, never to stdout. Scripts see no personal
    // data (names, contacts), only matching features.
    engine.on_print(|text| tracing::debug!(target: "samenhier::script", text, "script print"));
    engine.on_debug(|text, _source, pos| {
        tracing::debug!(target: "samenhier::script", text, line = pos.line(), "script debug")
    });
    engine
}
