//! Scoring throughput: 1,000 newcomers × 1,000 groups with `scoring-scripts/default.rhai`
//! through the engine used in production (parallel over both cores), beside the same criteria
//! written in native Rust. Run: `cargo bench --bench scoring`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use scripting::api::{Ages, GroupData, NewcomerData, ScriptGroup, ScriptNewcomer, Tags};
use scripting::{CompiledScript, matrix, shipped};

const N: usize = 1000;

/// A small deterministic generator, so both sides score the same data.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick(&mut self, xs: &[&str], n: usize) -> Vec<String> {
        (0..n).map(|_| xs[(self.next() as usize) % xs.len()].to_owned()).collect()
    }
}

const LANGS: &[&str] = &["ar", "ti", "fa", "so", "tr", "uk", "en", "nl", "fr", "ku"];
const INTERESTS: &[&str] =
    &["cooking", "football", "walking", "music", "chess", "cycling", "reading", "gardening", "art", "swimming"];
const SECTORS: &[&str] = &["healthcare", "it", "education", "construction", "logistics", "retail"];
const GOALS: &[&str] = &["work", "study", "language", "social_network", "practical_matters"];
const HOODS: &[&str] = &["centrum", "noord", "oost", "zuid", "west"];

fn data() -> (Vec<ScriptNewcomer>, Vec<ScriptGroup>) {
    let mut r = Lcg(7);
    let ns = (0..N)
        .map(|_| {
            let children: Vec<i64> = (0..r.next() % 3).map(|_| (r.next() % 18) as i64).collect();
            ScriptNewcomer(Arc::new(NewcomerData {
                age: 18 + (r.next() % 50) as i64,
                gender: "female".into(),
                languages: Tags::new(r.pick(LANGS, 2)),
                dutch_level: "A1".into(),
                interests: Tags::new(r.pick(INTERESTS, 3)),
                sector: SECTORS[(r.next() as usize) % SECTORS.len()].into(),
                goals: Tags::new(r.pick(GOALS, 2)),
                household_size: 1 + children.len() as i64 + (r.next() % 2) as i64,
                children_ages: Ages::new(children),
                city: "almere".into(),
                neighbourhood: HOODS[(r.next() as usize) % HOODS.len()].into(),
                waiting_days: (r.next() % 400) as i64,
            }))
        })
        .collect();
    let gs = (0..N)
        .map(|_| {
            let size = 5 + (r.next() % 4) as usize;
            ScriptGroup(Arc::new(GroupData {
                city: "almere".into(),
                neighbourhood: HOODS[(r.next() as usize) % HOODS.len()].into(),
                capacity: 1 + (r.next() % 6) as i64,
                size: size as i64,
                languages: Tags::new([vec!["nl".to_owned()], r.pick(LANGS, 2)].concat()),
                interests: Tags::new(r.pick(INTERESTS, 5)),
                member_ages: Ages::new((0..size).map(|_| 20 + (r.next() % 55) as i64).collect()),
                sectors: Tags::new(r.pick(SECTORS, 3)),
                availability_hours: (r.next() % 24) as i64,
            }))
        })
        .collect();
    (ns, gs)
}

fn overlap(a: &Tags, b: &Tags) -> i64 {
    a.0.iter().filter(|x| b.0.binary_search(x).is_ok()).count() as i64
}

/// `default.rhai`, criterion for criterion, in Rust (hundredths, as the engine keeps them).
fn native(n: &NewcomerData, g: &GroupData) -> Option<i64> {
    if n.city != g.city || n.household_size > g.capacity || overlap(&n.languages, &g.languages) == 0 {
        return None;
    }
    let has = |t: &Tags, s: &str| t.0.iter().any(|x| x.as_str() == s);
    let inter = overlap(&n.interests, &g.interests);
    let union = n.interests.0.len() as i64 + g.interests.0.len() as i64 - inter;
    let jaccard = if union == 0 { 0.0 } else { inter as f64 / union as f64 };
    let gap = g.member_ages.0.iter().map(|a| (a - n.age).abs()).min().unwrap_or(100);
    let parts = [
        5.0 * overlap(&n.languages, &g.languages).clamp(0, 4) as f64,
        30.0 * jaccard,
        (15 - gap).clamp(0, 15) as f64,
        if has(&n.goals, "work") && !n.sector.is_empty() && has(&g.sectors, &n.sector) { 15.0 } else { 0.0 },
        if !n.neighbourhood.is_empty() && n.neighbourhood == g.neighbourhood { 10.0 } else { 0.0 },
        (n.waiting_days / 30).clamp(0, 12) as f64,
        if has(&n.goals, "language") && has(&g.languages, "nl") { 5.0 } else { 0.0 },
        if !n.children_ages.0.is_empty() && g.availability_hours >= 12 { 8.0 } else { 0.0 },
    ];
    Some(parts.iter().map(|p| (p * 100.0).round() as i64).sum())
}

fn bench(c: &mut Criterion) {
    let (ns, gs) = data();
    let script = match CompiledScript::compile(shipped::DEFAULT) {
        Ok(s) => s,
        Err(e) => panic!("default.rhai does not compile: {e:?}"),
    };
    let rhai_only = match CompiledScript::rhai_only(shipped::DEFAULT) {
        Ok(s) => s,
        Err(e) => panic!("default.rhai does not compile: {e:?}"),
    };
    assert!(script.is_native(), "default.rhai is in the native subset");
    let mut group = c.benchmark_group("score_1000x1000");
    group.sample_size(10);
    group.throughput(Throughput::Elements((N * N) as u64));
    // What a round runs: the native evaluator, checked against Rhai on the first row.
    group.bench_function("default.rhai", |b| {
        b.iter(|| {
            let m = matrix::score_all(&script, black_box(&ns), black_box(&gs));
            black_box(m.map(|m| m.eligible_pairs()).unwrap_or(0))
        })
    });
    // The same script with every pair through Rhai (scripts outside the native subset).
    group.bench_function("default.rhai on Rhai only", |b| {
        b.iter(|| {
            let m = matrix::score_all(&rhai_only, black_box(&ns), black_box(&gs));
            black_box(m.map(|m| m.eligible_pairs()).unwrap_or(0))
        })
    });
    group.bench_function("native", |b| {
        b.iter(|| {
            let cells: Vec<i64> =
                ns.par_iter().flat_map_iter(|n| gs.iter().map(|g| native(&n.0, &g.0).unwrap_or(i64::MIN))).collect();
            black_box(cells.iter().filter(|v| **v != i64::MIN).count())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
