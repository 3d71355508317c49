//! The sandbox and the script API, on fixtures.

use super::validate::validate;
use super::{CompiledScript, fixtures, shipped};

const OK_ELIGIBLE: &str = "fn eligible(n, g) { true }";

fn refused(source: &str) -> String {
    let report = validate(source, None);
    assert!(!report.ok(), "accepted: {source}");
    report.problems[0].message.clone()
}

#[test]
fn every_shipped_script_validates_on_the_fixtures() {
    for city in ["default", "almere", "den-haag", "haarlem", "rotterdam"] {
        let source = if city == "default" { shipped::DEFAULT } else { shipped::for_city(city) };
        let report = validate(source, None);
        assert!(report.ok(), "{city}: {:?}", report.problems);
        assert_eq!(report.sample_pairs_scored, 36, "{city}");
    }
}

#[test]
fn the_default_script_scores_at_least_six_criteria_that_add_up() {
    let script = CompiledScript::compile(shipped::DEFAULT).unwrap();
    let (ns, gs) = (fixtures::newcomers(), fixtures::groups());
    let mut scope = rhai::Scope::new();
    let scored = script.score(&mut scope, &ns[0], &gs[0]).unwrap();
    assert!(scored.parts.len() >= 6, "{:?}", scored.parts);
    assert_eq!(scored.parts.iter().map(|p| p.1).sum::<i64>(), scored.total);
    assert_eq!(script.score_total(&mut scope, &ns[0], &gs[0]).unwrap(), scored.total);
}

#[test]
fn an_endless_loop_is_stopped() {
    let msg = refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ loop {{ }} }}"));
    assert!(msg.contains("operations") || msg.contains("longer than"), "{msg}");
}

#[test]
fn unbounded_recursion_is_stopped() {
    let msg = refused(&format!("{OK_ELIGIBLE} fn deeper(x) {{ deeper(x + 1) }} fn score(n, g) {{ deeper(0) }}"));
    assert!(msg.contains("deeper than") || msg.contains("nested"), "{msg}");
}

#[test]
fn a_growing_string_or_array_is_stopped() {
    let msg = refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ let s = \"x\"; loop {{ s += s; }} }}"));
    assert!(msg.contains("larger than allowed") || msg.contains("operations"), "{msg}");
    let msg = refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ let a = [1]; loop {{ a += a; }} }}"));
    assert!(msg.contains("larger than allowed") || msg.contains("operations"), "{msg}");
}

#[test]
fn import_and_eval_are_refused_even_where_they_never_run() {
    let msg = refused(&format!("import \"x\" as x; {OK_ELIGIBLE} fn score(n, g) {{ 1 }}"));
    assert!(msg.contains("syntax error"), "{msg}");
    let msg = refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ if false {{ eval(\"1\") }} 1 }}"));
    assert!(msg.contains("syntax error"), "{msg}");
}

#[test]
fn non_finite_points_and_wrong_types_are_refused() {
    assert!(refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ #{{ a: 0.0 / 0.0 }} }}")).contains("finite"));
    assert!(refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ 1.0 / 0.0 }}")).contains("finite"));
    assert!(refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ \"high\" }}")).contains("must return a map"));
    assert!(refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ #{{ a: \"x\" }} }}")).contains("must be a number"));
    assert!(refused("fn eligible(n, g) { 42 } fn score(n, g) { 1 }").contains("eligible must return"));
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let report = validate("fn eligible(n, g) { true }\nfn score(n, g) {\n  let x = ;\n}", None);
    let p = &report.problems[0];
    assert!(p.message.contains("syntax error"), "{}", p.message);
    assert_eq!(p.line, Some(3));
    assert!(p.column.is_some());
}

#[test]
fn missing_functions_and_wrong_parameters_are_named() {
    assert!(refused("fn eligible(n, g) { true }").contains("no function score"));
    assert!(refused("fn eligible(n) { true } fn score(n, g) { 1 }").contains("two parameters"));
}

#[test]
fn undeclared_variables_and_unknown_fields_are_errors() {
    assert!(refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ undeclared + 1 }}")).contains("syntax error"));
    assert!(refused(&format!("{OK_ELIGIBLE} fn score(n, g) {{ n.name }}")).contains("score failed"));
}

#[test]
fn helpers_treat_lists_as_sets() {
    let src = r#"
        fn eligible(n, g) { true }
        fn score(n, g) {
            #{
                o: overlap(["a", "b", "b"], ["b", "c"]),
                j: jaccard(["a", "b"], ["b", "c"]),
                gap: age_gap(30, [25, 41]),
                none: age_gap(30, []),
                shares: if shares_language(n.languages, ["en"]) { 1 } else { 0 },
                inlist: if "cooking" in n.interests { 1 } else { 0 },
                len: n.interests.len,
            }
        }
    "#;
    let script = CompiledScript::compile(src).unwrap();
    let (ns, gs) = (fixtures::newcomers(), fixtures::groups());
    let scored = script.score(&mut rhai::Scope::new(), &ns[0], &gs[0]).unwrap();
    let get = |k: &str| scored.parts.iter().find(|p| p.0 == k).map(|p| p.1).unwrap();
    assert_eq!(get("o"), 100);
    assert_eq!(get("j"), 33);
    assert_eq!(get("gap"), 500);
    assert_eq!(get("none"), 10_000);
    assert_eq!(get("shares"), 100);
    assert_eq!(get("inlist"), 100);
    assert_eq!(get("len"), 200);
}

#[test]
fn scoring_a_row_in_one_call_gives_the_same_results_as_pair_by_pair() {
    use super::matrix::{INELIGIBLE, score_all};
    let (ns, gs) = (fixtures::newcomers(), fixtures::groups());
    for city in ["almere", "den-haag", "haarlem", "rotterdam", "default"] {
        let script = CompiledScript::compile(shipped::for_city(city)).unwrap();
        let m = score_all(&script, &ns, &gs).unwrap();
        let mut scope = rhai::Scope::new();
        for (r, n) in ns.iter().enumerate() {
            for (c, g) in gs.iter().enumerate() {
                let expected = match script.eligible(&mut scope, n, g).unwrap() {
                    super::Eligibility::Yes => script.score_total(&mut scope, n, g).unwrap(),
                    super::Eligibility::No(_) => INELIGIBLE,
                };
                assert_eq!(m.cells[r * gs.len() + c], expected, "{city} ({r}, {c})");
            }
        }
    }
}

#[test]
fn a_round_names_the_pair_a_script_fails_on() {
    let src = "fn eligible(n, g) { true }\nfn score(n, g) { if n.age == 52 && g.capacity == 8 { loop { } } 1 }";
    let script = CompiledScript::compile(src).unwrap();
    let (ns, gs) = (fixtures::newcomers(), fixtures::groups());
    let failure = super::matrix::score_all(&script, &ns, &gs).err().unwrap();
    assert_eq!((failure.row, failure.col), (3, 5));
    assert!(failure.problem.message.contains("operations"), "{}", failure.problem.message);
}

/// Every function a script can reach (by name, `Fn("..")`, `call`, `curry`, the deprecated
/// by-name array methods) is one the engine registers; the engine registers only the
/// documented API (see `engine`). These were reachable before: the server's own row natives
/// (calling one reset a pair's limits), `sleep`, the clock, `exit`, JSON and metadata.
#[test]
fn no_internal_or_undocumented_function_is_reachable_by_a_computed_name() {
    for name in [
        "__sh_skip",
        "__sh_emit",
        "__sh_row",
        "sleep",
        "timestamp",
        "elapsed",
        "exit",
        "parse_json",
        "get_fn_metadata_list",
        "tag",
        "take",
        "is_anonymous",
    ] {
        let (a, b) = name.split_at(name.len() / 2);
        for call in [
            format!("let f = Fn(\"{a}\" + \"{b}\"); f.call(1)"),
            format!("let f = Fn(\"{a}\" + \"{b}\"); call(f, 1)"),
            format!("let f = Fn(\"{a}\" + \"{b}\").curry(1); f.call()"),
            format!("[1].map(\"{a}\" + \"{b}\")"),
        ] {
            let src = format!("fn eligible(n, g) {{ {call}; true }}\nfn score(n, g) {{ 1 }}");
            let report = validate(&src, None);
            assert!(!report.ok(), "{name}: {call} ran");
        }
    }
}

#[test]
fn criterion_names_are_map_literal_keys_only() {
    let computed = "fn eligible(n, g) { true }\nfn score(n, g) { let m = #{}; m[n.neighbourhood] = 1; m }";
    assert!(refused(computed).contains("not a key of a map literal"));
    // A name in a comment or a string does not make it a criterion.
    let in_comment =
        "// centrum west\nfn eligible(n, g) { true }\nfn score(n, g) { let m = #{}; m[n.neighbourhood] = 1; m }";
    assert!(refused(in_comment).contains("not a key of a map literal"));
    let quoted = "fn eligible(n, g) { true }\nfn score(n, g) { #{ \"shared language\": 5, age: 1 } }";
    let report = validate(quoted, None);
    assert!(report.ok());
    let names: Vec<_> = report.compiled.unwrap().criteria().map(str::to_owned).collect();
    assert_eq!(names, ["age", "shared language"]);
}

#[test]
fn a_job_that_is_cancelled_stops_a_running_script() {
    let src = "fn eligible(n, g) { true }\nfn score(n, g) { let i = 0; while i < 150000 { i += 1; } 1 }";
    let script = CompiledScript::compile(src).unwrap();
    let (ns, gs) = (fixtures::newcomers(), fixtures::groups());
    let job = super::job::Job::new("the test", std::time::Duration::from_secs(60));
    job.cancel();
    let failure = job.run(2, || super::matrix::score_all(&script, &ns, &gs)).err().unwrap();
    assert!(failure.problem.message.contains("its request ended"), "{}", failure.problem.message);
    let out_of_time = super::job::Job::new("the test", std::time::Duration::from_millis(1));
    std::thread::sleep(std::time::Duration::from_millis(5));
    let _guard = out_of_time.enter();
    assert!(super::job::stop_message().unwrap().contains("time budget"));
}
