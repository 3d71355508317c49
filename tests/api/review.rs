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
