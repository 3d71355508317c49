//! Development probe: where the time of one scored pair goes (single thread).
use std::time::Instant;

use scripting::{CompiledScript, fixtures};

fn main() {
    let (ns, gs) = (fixtures::newcomers(), fixtures::groups());
    let variants = [
        ("empty", "fn eligible(n, g) { true } fn score(n, g) { 1 }"),
        ("one getter", "fn eligible(n, g) { n.age > 0 } fn score(n, g) { n.age }"),
        ("list getter", "fn eligible(n, g) { true } fn score(n, g) { n.languages.len }"),
        ("overlap", "fn eligible(n, g) { true } fn score(n, g) { overlap(n.languages, g.languages) }"),
        ("map8", "fn eligible(n, g) { true } fn score(n, g) { #{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 } }"),
        ("default", scripting::shipped::DEFAULT),
    ];
    for (name, src) in variants {
        let script = CompiledScript::compile(src).unwrap_or_else(|e| panic!("{e:?}"));
        let mut scope = rhai::Scope::new();
        let iters = 200_000;
        let t = Instant::now();
        let mut acc = 0i64;
        for i in 0..iters {
            let (n, g) = (&ns[i % ns.len()], &gs[(i / 7) % gs.len()]);
            if let Ok(scripting::Eligibility::Yes) = script.eligible(&mut scope, n, g) {
                acc += script.score_total(&mut scope, n, g).unwrap_or(0);
            }
        }
        println!("{name:12} {:.2} µs/pair ({acc})", t.elapsed().as_secs_f64() * 1e6 / iters as f64);
    }
}
