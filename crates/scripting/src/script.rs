//! Compiling a city's script and calling it on pairs.
//!
//! Points are kept in hundredths (integers): each criterion is rounded to 0.01 and the score
//! is the integer sum, so an explanation adds up to its score exactly, and the solver works on
//! integer-valued costs (exact, and faster than arbitrary floats).

use std::sync::{Arc, OnceLock};

use rhai::{AST, CallFnOptions, Dynamic, Engine, EvalAltResult, Map, ParseError, Position, Scope};

use super::api::{ScriptGroup, ScriptNewcomer};
use super::engine::{DEADLINE_TOKEN, Deadline, JOB_STOPPED_TOKEN, Limits, hardened_engine};
use super::fast::FastScript;

/// The largest script source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;
/// The largest absolute points one criterion may give.
pub const MAX_POINTS: f64 = 1_000_000.0;

/// The process-wide engine (it is `Sync`; compiled scripts are shared between threads).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| hardened_engine(Limits::default()))
}

fn limits() -> Limits {
    Limits::default()
}

/// A problem with a script, with where it is when known.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptProblem {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl ScriptProblem {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), line: None, column: None }
    }

    fn at(message: impl Into<String>, pos: Position) -> Self {
        Self { message: message.into(), line: pos.line(), column: pos.position() }
    }

    fn from_parse(e: &ParseError) -> Self {
        Self::at(format!("syntax error: {}", e.err_type()), e.position())
    }

    fn from_eval(function: &str, e: &EvalAltResult) -> Self {
        let pos = e.position();
        let message = match e {
            EvalAltResult::ErrorTerminated(token, _) if token.to_string() == DEADLINE_TOKEN => {
                format!(
                    "{function} took longer than {} ms for one pair and was stopped",
                    limits().call_deadline.as_millis()
                )
            }
            EvalAltResult::ErrorTerminated(token, _) if token.to_string() == JOB_STOPPED_TOKEN => {
                super::job::stop_message().unwrap_or_else(|| format!("{function} was stopped"))
            }
            EvalAltResult::ErrorTooManyOperations(_) => {
                format!(
                    "{function} used more than {} operations for one pair (an endless loop?)",
                    limits().max_operations
                )
            }
            EvalAltResult::ErrorStackOverflow(_) => {
                format!("{function} nested calls deeper than {} (unbounded recursion?)", limits().max_call_levels)
            }
            EvalAltResult::ErrorDataTooLarge(what, _) => format!("{function} built a {what} larger than allowed"),
            other => format!("{function} failed: {}", strip_position(&other.to_string())),
        };
        Self::at(message, pos)
    }
}

fn strip_position(s: &str) -> String {
    match s.rfind(" (line ") {
        Some(i) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// A script that compiled and defines `eligible(n, g)` and `score(n, g)`.
pub struct CompiledScript {
    ast: AST,
    /// The keys of the map literals written in the script: the only criterion names allowed
    /// (read from the parsed script, so a name in a comment or a string does not count).
    criteria: std::collections::BTreeSet<String>,
    /// The same script natively, when it is in the subset `fast` knows and agreed with Rhai on
    /// every built-in sample pair.
    fast: Option<FastScript>,
}

/// Whether a pair may be matched, and if not, why.
#[derive(Clone, Debug, PartialEq)]
pub enum Eligibility {
    Yes,
    No(String),
}

/// A pair's score: points per criterion in hundredths, and their sum.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub parts: Vec<(String, i64)>,
    pub total: i64,
}

impl CompiledScript {
    /// Parses `source` and checks that both functions exist with two parameters.
    pub fn compile(source: &str) -> Result<Arc<Self>, Vec<ScriptProblem>> {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(vec![ScriptProblem::new(format!("the script is longer than {} KiB", MAX_SOURCE_BYTES / 1024))]);
        }
        let ast = engine().compile(source).map_err(|e| vec![ScriptProblem::from_parse(&e)])?;
        let mut problems = Vec::new();
        for name in ["eligible", "score"] {
            let defs: Vec<_> = ast.iter_functions().filter(|f| f.name == name).collect();
            match defs.as_slice() {
                [] => problems.push(ScriptProblem::new(format!("the script defines no function {name}(n, g)"))),
                [f] if f.params.len() == 2 => {}
                [f] => problems.push(ScriptProblem::new(format!(
                    "{name} must take two parameters (n, g); it takes {}",
                    f.params.len()
                ))),
                _ => problems.push(ScriptProblem::new(format!("{name} is defined more than once"))),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut script = Self { criteria: map_literal_keys(&ast), ast, fast: None };
        // Translated from the AST Rhai runs (no parser of its own), and still checked against Rhai
        // on the sample pairs before it is trusted.
        script.fast = FastScript::compile(&script.ast).filter(|fast| script.agrees_on_fixtures(fast));
        Ok(Arc::new(script))
    }

    /// Whether the native evaluator gives Rhai's result on every built-in sample pair (a pair
    /// it defers to Rhai counts as agreeing: Rhai decides it).
    fn agrees_on_fixtures(&self, fast: &FastScript) -> bool {
        let (ns, gs) = (super::fixtures::newcomers(), super::fixtures::groups());
        let mut scope = Scope::new();
        for n in &ns {
            for g in &gs {
                if let Ok(native) = fast.pair_total(&n.0, &g.0)
                    && self.rhai_total(&mut scope, n, g).ok() != Some(native)
                {
                    tracing::warn!(
                        "the native evaluator disagreed with Rhai on a sample pair; this script runs on Rhai only"
                    );
                    return false;
                }
            }
        }
        true
    }

    /// The same script with the native evaluator switched off: Rhai scores every pair (for the
    /// benchmark that compares the two).
    pub fn rhai_only(source: &str) -> Result<Arc<Self>, Vec<ScriptProblem>> {
        let compiled = Self::compile(source)?;
        Ok(Arc::new(Self { ast: compiled.ast.clone(), criteria: compiled.criteria.clone(), fast: None }))
    }

    /// The same compiled script with the native evaluator switched off.
    pub fn without_native(&self) -> Self {
        Self { ast: self.ast.clone(), criteria: self.criteria.clone(), fast: None }
    }

    /// Whether this script is scored natively (see `fast`).
    pub fn is_native(&self) -> bool {
        self.fast.is_some()
    }

    /// A pair's total in hundredths or `INELIGIBLE`, through Rhai, one call per function.
    pub fn rhai_total(&self, scope: &mut Scope, n: &ScriptNewcomer, g: &ScriptGroup) -> Result<i64, ScriptProblem> {
        match self.eligible(scope, n, g)? {
            Eligibility::Yes => self.score_total(scope, n, g),
            Eligibility::No(_) => Ok(super::matrix::INELIGIBLE),
        }
    }

    /// Scores one newcomer against every group natively, deferring to Rhai pair by pair where
    /// the native evaluator does; `None` when the script is not native.
    pub fn score_row_native(
        &self,
        scope: &mut Scope,
        n: &ScriptNewcomer,
        groups: &[ScriptGroup],
        out: &mut Vec<i64>,
    ) -> Option<Result<(), ScriptProblem>> {
        let fast = self.fast.as_ref()?;
        for g in groups {
            match fast.pair_total(&n.0, &g.0) {
                Ok(total) => out.push(total),
                Err(_) => match self.rhai_total(scope, n, g) {
                    Ok(total) => out.push(total),
                    Err(problem) => return Some(Err(problem)),
                },
            }
        }
        Some(Ok(()))
    }

    fn call(
        &self,
        scope: &mut Scope,
        name: &str,
        n: &ScriptNewcomer,
        g: &ScriptGroup,
    ) -> Result<Dynamic, ScriptProblem> {
        let _deadline = Deadline::arm(&limits());
        // eval_ast(false): the top level ran once at compile time; re-running it per call
        // would cost time and let a script keep state between pairs.
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        engine()
            .call_fn_with_options::<Dynamic>(options, scope, &self.ast, name, (n.clone(), g.clone()))
            .map_err(|e| ScriptProblem::from_eval(name, &e))
    }

    /// Calls `eligible(n, g)`: `true`, or a string that says why not (`false` counts as "not
    /// eligible" without a reason).
    pub fn eligible(
        &self,
        scope: &mut Scope,
        n: &ScriptNewcomer,
        g: &ScriptGroup,
    ) -> Result<Eligibility, ScriptProblem> {
        let v = self.call(scope, "eligible", n, g)?;
        if let Ok(b) = v.as_bool() {
            return Ok(if b { Eligibility::Yes } else { Eligibility::No("not eligible".into()) });
        }
        if v.is_string() {
            let reason = v.into_string().unwrap_or_default();
            return Ok(Eligibility::No(if reason.trim().is_empty() { "not eligible".into() } else { reason }));
        }
        Err(ScriptProblem::new(format!(
            "eligible must return true or a string saying why not; it returned a {}",
            v.type_name()
        )))
    }

    /// Calls `score(n, g)` and checks the result: a map of criterion to finite points, or one
    /// finite number (criterion "score").
    pub fn score(&self, scope: &mut Scope, n: &ScriptNewcomer, g: &ScriptGroup) -> Result<Scored, ScriptProblem> {
        let v = self.call(scope, "score", n, g)?;
        if let Some(points) = number(&v) {
            let p = hundredths("score", points)?;
            return Ok(Scored { parts: vec![("score".into(), p)], total: p });
        }
        let Some(map) = v.clone().try_cast::<Map>() else {
            return Err(ScriptProblem::new(format!(
                "score must return a map of criterion to points, or a number; it returned a {}",
                v.type_name()
            )));
        };
        let mut parts = Vec::with_capacity(map.len());
        let mut total = 0i64;
        for (k, val) in map {
            // Criterion names are shown to staff and exported to analysts: a name built from a
            // household's or group's data (its neighbourhood, say) would carry that data along.
            if !self.criteria.contains(k.as_str()) {
                return Err(ScriptProblem::new(format!(
                    "criterion {k:?} is not a key of a map literal in the script: write every criterion as a key of the map score returns (#{{ name: points, … }}), never built from the data of a household or group"
                )));
            }
            let Some(points) = number(&val) else {
                return Err(ScriptProblem::new(format!(
                    "criterion {k:?} must be a number; it is a {}",
                    val.type_name()
                )));
            };
            let p = hundredths(&k, points)?;
            total += p;
            parts.push((k.to_string(), p));
        }
        Ok(Scored { parts, total })
    }

    /// Only the total, without building the explanation.
    pub fn score_total(&self, scope: &mut Scope, n: &ScriptNewcomer, g: &ScriptGroup) -> Result<i64, ScriptProblem> {
        let v = self.call(scope, "score", n, g)?;
        total_of(&v)
    }
}

/// The keys of every map literal in the parsed script (including maps the optimiser folded
/// into constants, which can only come from literals too).
fn map_literal_keys(ast: &AST) -> std::collections::BTreeSet<String> {
    use rhai::{ASTNode, Expr};
    let mut keys = std::collections::BTreeSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Map(m, _))) => keys.extend(m.0.iter().map(|(ident, _)| ident.name.to_string())),
            Some(ASTNode::Expr(Expr::DynamicConstant(d, _))) => {
                if let Some(map) = d.read_lock::<Map>() {
                    keys.extend(map.keys().map(|k| k.to_string()));
                }
            }
            _ => {}
        }
        true
    });
    keys
}

impl CompiledScript {
    /// The criterion names the script may return (for validation reports).
    pub fn criteria(&self) -> impl Iterator<Item = &str> {
        self.criteria.iter().map(String::as_str)
    }
}

/// The total of a `score` result in hundredths, with the same checks as `score`.
fn total_of(v: &Dynamic) -> Result<i64, ScriptProblem> {
    if let Some(points) = number(v) {
        return hundredths("score", points);
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(ScriptProblem::new(format!(
            "score must return a map of criterion to points, or a number; it returned a {}",
            v.type_name()
        )));
    };
    let mut total = 0i64;
    for (k, val) in map.iter() {
        let Some(points) = number(val) else {
            return Err(ScriptProblem::new(format!("criterion {k:?} must be a number; it is a {}", val.type_name())));
        };
        total += hundredths(k, points)?;
    }
    Ok(total)
}

fn number(v: &Dynamic) -> Option<f64> {
    if let Ok(i) = v.as_int() {
        return Some(i as f64);
    }
    v.as_float().ok()
}

fn hundredths(criterion: &str, points: f64) -> Result<i64, ScriptProblem> {
    if !points.is_finite() {
        return Err(ScriptProblem::new(format!(
            "criterion {criterion:?} gave {points}; points must be finite numbers"
        )));
    }
    if points.abs() > MAX_POINTS {
        return Err(ScriptProblem::new(format!(
            "criterion {criterion:?} gave {points}; at most {MAX_POINTS} points are allowed"
        )));
    }
    Ok((points * 100.0).round() as i64)
}

/// Converts hundredths to the points shown in the API.
pub fn points(hundredths: i64) -> f64 {
    hundredths as f64 / 100.0
}
