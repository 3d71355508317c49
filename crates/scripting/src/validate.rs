//! Validation before a script is stored or activated: it compiles, defines both functions
//! with two parameters, runs on sample pairs within the limits, and returns the right types
//! with finite numbers.

use std::sync::Arc;

use rhai::Scope;

use super::api::{ScriptGroup, ScriptNewcomer};
use super::fixtures;
use super::script::{CompiledScript, Eligibility, ScriptProblem};

/// The most sample pairs one validation runs.
pub const MAX_SAMPLE_PAIRS: usize = 400;

/// What validation found.
pub struct Validation {
    pub problems: Vec<ScriptProblem>,
    pub sample_pairs_scored: usize,
    pub compiled: Option<Arc<CompiledScript>>,
}

impl Validation {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Validates `source` on the given candidates (at most `MAX_SAMPLE_PAIRS` pairs of them), or
/// on the built-in fixtures when there are none. Blocking: run it off the async workers.
pub fn validate(source: &str, candidates: Option<(&[ScriptNewcomer], &[ScriptGroup])>) -> Validation {
    let compiled = match CompiledScript::compile(source) {
        Ok(c) => c,
        Err(problems) => return Validation { problems, sample_pairs_scored: 0, compiled: None },
    };
    let (fixture_ns, fixture_gs) = (fixtures::newcomers(), fixtures::groups());
    let (ns, gs) = match candidates {
        Some((ns, gs)) if !ns.is_empty() && !gs.is_empty() => (ns, gs),
        _ => (fixture_ns.as_slice(), fixture_gs.as_slice()),
    };
    let per_row = gs.len().min(MAX_SAMPLE_PAIRS);
    let rows = (MAX_SAMPLE_PAIRS / per_row.max(1)).max(1).min(ns.len());
    let mut scope = Scope::new();
    let mut scored = 0;
    let mut eligible_seen = 0;
    for n in &ns[..rows] {
        for g in &gs[..per_row] {
            if let Some(message) = super::job::stop_message() {
                return Validation {
                    problems: vec![ScriptProblem::new(message)],
                    sample_pairs_scored: scored,
                    compiled: None,
                };
            }
            let outcome = compiled.eligible(&mut scope, n, g).and_then(|e| match e {
                Eligibility::Yes => compiled.score(&mut scope, n, g).map(|_| true),
                Eligibility::No(_) => Ok(false),
            });
            match outcome {
                Ok(true) => {
                    scored += 1;
                    eligible_seen += 1;
                }
                Ok(false) => scored += 1,
                Err(problem) => {
                    let problem = super::job::stop_message().map(ScriptProblem::new).unwrap_or(problem);
                    return Validation { problems: vec![problem], sample_pairs_scored: scored, compiled: None };
                }
            }
        }
    }
    if eligible_seen == 0 {
        // Nothing eligible: make sure `score` at least works, on the fixtures.
        for (n, g) in fixture_ns.iter().zip(fixture_gs.iter()) {
            if let Err(problem) = compiled.score(&mut scope, n, g) {
                return Validation { problems: vec![problem], sample_pairs_scored: scored, compiled: None };
            }
        }
    }
    Validation { problems: Vec::new(), sample_pairs_scored: scored, compiled: Some(compiled) }
}
