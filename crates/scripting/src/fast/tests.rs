//! The native evaluator against Rhai: construct by construct, every shipped script over
//! generated households and groups, the grammar difference issue #20 found, and scripts
//! outside the subset.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rhai::Scope;

use super::super::api::{Ages, GroupData, NewcomerData, ScriptGroup, ScriptNewcomer, Tags};
use super::super::script::engine;
use super::super::{CompiledScript, fixtures};
use super::FastScript;

const LANGS: [&str; 6] = ["nl", "en", "ar", "ti", "fa", "uk"];
const INTERESTS: [&str; 6] = ["cooking", "walking", "music", "football", "chess", "reading"];
const GOALS: [&str; 5] = ["work", "study", "language", "social_network", "practical_matters"];
const SECTORS: [&str; 4] = ["", "it", "healthcare", "education"];
const HOODS: [&str; 3] = ["", "centrum", "haven"];
const LEVELS: [&str; 4] = ["A0", "A1", "B1", "C1"];

/// The script translated from the AST the hardened engine compiles, as `CompiledScript` does.
fn native(source: &str) -> Option<FastScript> {
    let ast = engine().compile(source).unwrap_or_else(|e| panic!("{e}\n{source}"));
    FastScript::compile(&ast)
}

fn some(rng: &mut StdRng, from: &[&str]) -> Tags {
    Tags::new(from.iter().filter(|_| rng.random_bool(0.4)).map(|s| s.to_string()).collect())
}

fn household(rng: &mut StdRng) -> ScriptNewcomer {
    let children: Vec<i64> = (0..rng.random_range(0..4)).map(|_| rng.random_range(0..18)).collect();
    ScriptNewcomer(Arc::new(NewcomerData {
        age: rng.random_range(18..70),
        gender: "female".into(),
        languages: some(rng, &LANGS),
        dutch_level: LEVELS[rng.random_range(0..LEVELS.len())].into(),
        interests: some(rng, &INTERESTS),
        sector: SECTORS[rng.random_range(0..SECTORS.len())].into(),
        goals: some(rng, &GOALS),
        household_size: 1 + children.len() as i64 + rng.random_range(0..2),
        children_ages: Ages::new(children),
        city: if rng.random_bool(0.9) { "almere".into() } else { "haarlem".into() },
        neighbourhood: HOODS[rng.random_range(0..HOODS.len())].into(),
        waiting_days: rng.random_range(0..800),
    }))
}

fn group(rng: &mut StdRng) -> ScriptGroup {
    let ages: Vec<i64> = (0..rng.random_range(0..8)).map(|_| rng.random_range(18..80)).collect();
    ScriptGroup(Arc::new(GroupData {
        city: "almere".into(),
        neighbourhood: HOODS[rng.random_range(0..HOODS.len())].into(),
        capacity: rng.random_range(1..7),
        size: ages.len() as i64,
        languages: some(rng, &LANGS),
        interests: some(rng, &INTERESTS),
        member_ages: Ages::new(ages),
        sectors: some(rng, &SECTORS[1..]),
        availability_hours: rng.random_range(0..30),
    }))
}

/// Native and Rhai agree on every pair of `households` × `groups` generated households and
/// groups that the native evaluator does not defer; returns how many pairs were native.
fn agree(source: &str, households: usize, groups: usize) -> usize {
    let fast = native(source).unwrap_or_else(|| panic!("not in the subset: {source}"));
    let script = CompiledScript::compile(source).unwrap_or_else(|p| panic!("{p:?}"));
    let mut rng = StdRng::seed_from_u64(7);
    let ns: Vec<_> = (0..households).map(|_| household(&mut rng)).collect();
    let gs: Vec<_> = (0..groups).map(|_| group(&mut rng)).collect();
    let mut scope = Scope::new();
    let mut on_native = 0;
    for n in &ns {
        for g in &gs {
            let by_rhai = script.rhai_total(&mut scope, n, g).ok();
            if let Ok(total) = fast.pair_total(&n.0, &g.0) {
                assert_eq!(Some(total), by_rhai, "{source}\n{n:?}\n{g:?}");
                on_native += 1;
            }
        }
    }
    on_native
}

/// Every `.rhai` file in `scoring-scripts/`, so a script added there is checked too.
fn shipped_scripts() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scoring-scripts");
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rhai"))
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).unwrap()))
        .collect();
    scripts.sort();
    scripts
}

#[test]
fn every_shipped_script_is_native_and_gives_rhais_total_on_generated_households_and_groups() {
    let scripts = shipped_scripts();
    assert!(scripts.len() >= 5, "{scripts:?}");
    for (path, source) in scripts {
        let (households, groups) = (80, 50);

        let on_native = agree(&source, households, groups);

        assert!(CompiledScript::compile(&source).is_ok_and(|s| s.is_native()), "{path}");
        let deferred = households * groups - on_native;
        assert!(deferred * 100 <= households * groups, "{path}: {deferred} of {} pairs deferred", households * groups);
    }
}

#[test]
fn the_subset_agrees_with_rhai_construct_by_construct() {
    let scripts = [
        // let, else-if chains, return from inside an if, integer division and remainder,
        // negative numbers, string comparison, ||, !, method calls, interpolation.
        "fn eligible(n, g) { let big = n.household_size * 2; if big > g.capacity * 3 { return `too big: ${big} vs ${g.capacity}`; } if !(n.city == g.city) || n.gender < \"a\" { return false; } true }
         fn score(n, g) { let gap = age_gap(n.age, g.member_ages); let w = n.waiting_days / 7 % 5; #{ a: if gap < 5 { 10 } else if gap < 15 { 5 } else { -3 }, b: w - 2, c: 2.5 * mean_age(g.member_ages) / 10.0, d: if n.languages.contains(\"nl\") && !g.interests.is_empty() { g.interests.len() } else { n.languages.len } } }",
        // One number instead of a map; has_all/has_any/count_between/min/max/cefr_rank.
        "fn eligible(n, g) { if has_any(n.languages, g.languages) { true } else { \"no language\" } }
         fn score(n, g) { if has_all(g.languages, n.languages) { 3 } else { count_between(g.member_ages, 20, 40) + min_age(g.member_ages) - max_age(n.children_ages) + cefr_rank(n.dutch_level) } }",
        // Mixed int/float arithmetic is left to Rhai, pair by pair.
        "fn eligible(n, g) { true }
         fn score(n, g) { #{ mixed: n.age * 1.5, fine: clamp(n.age, 20, 40) } }",
        // Shadowing, a name of the same spelling in an inner block, `in` on ages, helpers
        // called as functions, a map the optimiser folds into a constant, a negated variable,
        // and a block whose last statement ends in `;` (its value is still the block's).
        "fn eligible(n, g) { let ok = n.age >= 18; if ok { let ok = n.city == g.city; ok } else { false } }
         fn score(n, g) { let x = 1; let x = x + n.age; if 3 in n.children_ages { return #{ a: 1, b: 2 }; } if len(g.member_ages) > 3 && contains(g.languages, \"nl\") { #{ c: -x, d: x % 7 } } else { x * 2; } }",
    ];
    assert_eq!(agree(scripts[0], 50, 40), 2000);
    assert_eq!(agree(scripts[1], 50, 40), 2000);
    assert_eq!(agree(scripts[2], 20, 10), 0, "mixed arithmetic always defers to Rhai");
    assert_eq!(agree(scripts[3], 50, 40), 2000);
}

#[test]
fn numbers_and_strings_are_read_by_rhais_lexer_in_every_form_it_knows() {
    let source = "fn eligible(n, g) { if n.household_size > g.capacity { return \"too \\\"big\\\"\\n\"; } true }
         fn score(n, g) { #{ a: 1_000 / 100 + 0x10 - n.age, b: 1e1 * jaccard(n.interests, g.interests) } }";

    let on_native = agree(source, 50, 40);

    assert_eq!(on_native, 2000, "{source}");
}

fn fixture_with_age(age: i64) -> ScriptNewcomer {
    let base = &fixtures::newcomers()[0];
    ScriptNewcomer(Arc::new(NewcomerData { age, ..clone_data(&base.0) }))
}

fn clone_data(n: &NewcomerData) -> NewcomerData {
    NewcomerData {
        age: n.age,
        gender: n.gender.clone(),
        languages: n.languages.clone(),
        dutch_level: n.dutch_level.clone(),
        interests: n.interests.clone(),
        sector: n.sector.clone(),
        goals: n.goals.clone(),
        household_size: n.household_size,
        children_ages: n.children_ages.clone(),
        city: n.city.clone(),
        neighbourhood: n.neighbourhood.clone(),
        waiting_days: n.waiting_days,
    }
}

/// The grammar difference issue #20 found: at the start of a statement an `if` is a statement
/// of its own in Rhai, so `if c { 10 } else { 0 } - x` is the `if` and then `-x`; as a map
/// value the same text is one subtraction. The native evaluator reads Rhai's AST, so it
/// reads both as Rhai does, on households that reach either branch.
#[test]
fn an_if_statement_followed_by_an_expression_is_two_statements_as_in_rhai() {
    let statement = "fn eligible(n, g) { true }
         fn score(n, g) { if n.age > 40 { 10 } else { 0 } - age_gap(n.age, g.member_ages) }";
    let in_a_map = "fn eligible(n, g) { true }
         fn score(n, g) { #{ age: if n.age > 40 { 10 } else { 0 } - age_gap(n.age, g.member_ages) } }";
    let g = &fixtures::groups()[0];
    let mut scope = Scope::new();
    for (source, branch) in [(statement, [0, 0]), (in_a_map, [10, 0])] {
        let script = CompiledScript::compile(source).unwrap();
        let fast = native(source).unwrap();
        assert!(script.is_native(), "{source}");
        for (n, if_value) in [(fixture_with_age(52), branch[0]), (fixture_with_age(23), branch[1])] {
            let expected = (if_value - g.0.member_ages.gap(n.0.age)) * 100;

            let (by_rhai, by_native) = (script.rhai_total(&mut scope, &n, g), fast.pair_total(&n.0, &g.0));

            assert_eq!(by_rhai.unwrap(), expected, "Rhai, age {}: {source}", n.0.age);
            assert_eq!(by_native.unwrap(), expected, "native, age {}: {source}", n.0.age);
        }
    }
    assert_eq!(agree(statement, 50, 40), 2000, "every pair native and equal to Rhai");
    assert_eq!(agree(in_a_map, 50, 40), 2000, "every pair native and equal to Rhai");
    // What Rhai refuses after such an `if` (`== 3` cannot start a statement) has no AST at
    // all, so nothing native either.
    assert!(
        CompiledScript::compile("fn eligible(n, g) { true } fn score(n, g) { if true { 1 } else { 2 } == 3 }").is_err()
    );
}

#[test]
fn scripts_outside_the_subset_are_not_native_and_still_score_on_rhai() {
    let (n, g) = (&fixtures::newcomers()[0], &fixtures::groups()[0]);
    let (age, interests) = (n.0.age, n.0.interests.0.len() as i64);
    let scripts: [(&str, Option<i64>); 10] = [
        (
            "fn eligible(n, g) { true } fn score(n, g) { let t = 0; for x in n.interests { t += 1; } t }",
            Some(interests),
        ),
        ("fn eligible(n, g) { true } fn score(n, g) { let t = 0; while t < 3 { t += 1; } t }", Some(3)),
        ("fn eligible(n, g) { true } fn score(n, g) { let twice = |x| x * 2; twice.call(n.age) }", Some(2 * age)),
        ("fn eligible(n, g) { true } fn score(n, g) { abs(n.age - 100) }", Some((age - 100).abs())),
        ("fn helper(x) { x * 2 } fn eligible(n, g) { true } fn score(n, g) { helper(n.age) }", Some(2 * age)),
        ("fn eligible(n, g) { true } fn score(n, g) { n.age ** 2 }", Some(age * age)),
        ("fn eligible(n, g) { true } fn score(n, g) { [1, 2].len() }", Some(2)),
        ("fn eligible(a, b) { true } fn score(a, b) { a.age }", Some(age)),
        ("let unused = 1; fn eligible(n, g) { true } fn score(n, g) { 1 }", Some(1)),
        ("fn eligible(n, g) { true } fn score(n, g) { const X = 3; X + n.age }", Some(3 + age)),
    ];
    let mut scope = Scope::new();
    for (source, points) in scripts {
        assert!(native(source).is_none(), "{source}");

        let Ok(script) = CompiledScript::compile(source) else { continue };

        assert!(!script.is_native(), "{source}");
        if let Some(points) = points {
            assert_eq!(script.rhai_total(&mut scope, n, g).unwrap(), points * 100, "{source}");
        }
    }
}
