//! What a line-by-line review found (issue #20), beyond the races: statistics that gave a
//! suppressed count back by subtraction, unmatched households called OUTNUMBERED when their
//! only groups were excluded, and the native evaluator checked on every proposed pair.

use serde_json::{Value, json};

use crate::helpers::*;

const END: &str = "mutation($id:ID!, $code: EndReason!){ endMatch(id:$id, reason:\"test\", reasonCode:$code){ id } }";

#[tokio::test]
async fn a_suppressed_count_cannot_come_back_by_subtraction() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let analyst = app.user("ANALYST", None, None).await;
    // Six early ends: five for one reason, one for another; the total (6) is shown.
    for i in 0..6 {
        let (m, _, _) = app.active_match(&admin, "almere", None, 2).await;
        let code = if i < 5 { "NO_CONNECTION" } else { "NEWCOMER_MOVED" };
        app.ok(Some(&admin), END, json!({"id": m, "code": code})).await;
    }
    let q = "{ cityStatistics(citySlug:\"almere\"){ endedEarlyMatches { value suppressed } endedEarlyByReason { reason count { value suppressed } } } }";
    let d = app.ok(Some(&analyst), q, json!({})).await;
    let s = &d["cityStatistics"];
    assert_eq!(s["endedEarlyMatches"], json!({"value": 6, "suppressed": false}));
    let reasons: Vec<&Value> = s["endedEarlyByReason"].as_array().unwrap().iter().collect();
    assert_eq!(reasons.len(), 2);
    for r in &reasons {
        assert_eq!(r["count"], json!({"value": null, "suppressed": true}), "{r}: 6 minus the other would give it back");
    }
    // Staff see every count.
    let d = app.ok(Some(&admin), q, json!({})).await;
    assert!(
        d["cityStatistics"]["endedEarlyByReason"].as_array().unwrap().iter().all(|r| r["count"]["suppressed"] == false)
    );
}

#[tokio::test]
async fn a_household_whose_only_groups_are_excluded_is_not_called_outnumbered() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let n = app.register(&admin, "haarlem").await;
    let g = app.ready_group(&admin, "haarlem").await;
    let q = "mutation($n:ID!,$g:ID!){ runMatching(input:{citySlug:\"haarlem\", dryRun:true, excludedPairs:[{newcomerId:$n, groupId:$g}]}){ eligiblePairs matchedCount unmatched { reason } } }";
    let d = app.ok(Some(&admin), q, json!({"n": n, "g": g})).await;
    let run = &d["runMatching"];
    assert_eq!(run["matchedCount"], 0);
    assert_eq!(run["eligiblePairs"], 0, "an excluded pair cannot be proposed");
    assert_eq!(run["unmatched"][0]["reason"], "ONLY_EXCLUDED_GROUPS");
}

#[tokio::test]
async fn every_round_reports_whether_it_was_scored_again_on_rhai() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.register(&admin, "almere").await;
    app.ready_group(&admin, "almere").await;
    let d = app
        .ok(Some(&admin), "mutation{ runMatching(input:{citySlug:\"almere\", dryRun:true}){ matchedCount quality { rescoredOnRhai } } }", json!({}))
        .await;
    // The shipped script is native and agrees with Rhai on the proposed pair.
    assert_eq!(d["runMatching"]["quality"]["rescoredOnRhai"], false);
    assert_eq!(d["runMatching"]["matchedCount"], 1);
}

/// The statements one nested read of a run costs, on a city with `pairs` households and groups.
async fn statements_for_a_nested_run_read(pairs: usize) -> u64 {
    let app = spawn_app_with(&[("SAMENHIER_RESPONSE_CACHE_MB", "0")]).await;
    let admin = app.admin().await;
    for _ in 0..pairs {
        app.register(&admin, "almere").await;
        app.ready_group(&admin, "almere").await;
    }
    let run = app
        .ok(Some(&admin), "mutation{ runMatching(input:{citySlug:\"almere\"}){ id matchedCount } }", json!({}))
        .await;
    assert_eq!(run["runMatching"]["matchedCount"], pairs);
    let q = "query($id:ID!){ matchingRun(id:$id){
        pairs { newcomer { id currentMatch { id } } group { id members { name } currentMatch { id } }
                match { id status run { id } } }
        matches { id newcomer { id } group { id } } } }";
    let vars = json!({"id": run["runMatching"]["id"]});
    let metric = || async {
        let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("samenhier_db_queries_total ").and_then(|v| v.trim().parse::<u64>().ok()))
            .unwrap()
    };
    let before = metric().await;
    let d = app.ok(Some(&admin), q, vars).await;
    assert_eq!(d["matchingRun"]["pairs"].as_array().unwrap().len(), pairs);
    metric().await - before
}

#[tokio::test]
async fn a_nested_read_of_a_run_costs_the_same_statements_whatever_its_size() {
    let small = statements_for_a_nested_run_read(2).await;
    let large = statements_for_a_nested_run_read(12).await;
    // A loader collects the keys asked within a millisecond into one statement; on a busy
    // machine a late key may start a second batch of the same kind, so a few statements of
    // slack, but nothing that grows with the pairs (before the loaders: about six a pair).
    eprintln!("statements of the nested run read: {small} for 2 pairs, {large} for 12");
    assert!(large <= small + 3, "the statements grew with the run: {small} for 2 pairs, {large} for 12");
}

#[tokio::test]
async fn a_stored_run_result_that_does_not_read_back_is_an_error_not_an_empty_list() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.register(&admin, "almere").await;
    app.ready_group(&admin, "almere").await;
    let run = app
        .ok(
            Some(&admin),
            "mutation{ runMatching(input:{citySlug:\"almere\", dryRun:true}){ id pairs { score } } }",
            json!({}),
        )
        .await;
    assert_eq!(run["runMatching"]["pairs"].as_array().unwrap().len(), 1);
    let id = run["runMatching"]["id"].as_str().unwrap();
    // A pair whose score is not a number (a hand edit, a bug in a later writer).
    let db = &app.state.db;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        format!("UPDATE matching_runs SET pairs = '[{{\"n\": \"x\", \"g\": \"y\", \"score\": \"many\", \"parts\": []}}]' WHERE id = '{id}'"),
    ))
    .await
    .unwrap();
    let body =
        app.gql(Some(&admin), "query($id:ID!){ matchingRun(id:$id){ id pairs { score } } }", json!({"id": id})).await;
    assert_eq!(code(&body).as_deref(), Some("INTERNAL"), "{body}");
    assert!(!body.to_string().contains("many"), "the detail stays in the server log: {body}");
}
