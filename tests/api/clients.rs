//! What real clients and a new user found (issue #18): behaviour a partner app relies on.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn asking_about_another_city_is_forbidden_everywhere() {
    let app = spawn_app().await;
    let almere = app.user("CITY_ADMIN", Some("almere"), None).await;
    for q in [
        "{ welcomeGroups(citySlug:\"den-haag\"){ totalCount } }",
        "{ newcomers(citySlug:\"den-haag\"){ totalCount } }",
        "{ matches(citySlug:\"den-haag\"){ totalCount } }",
        "{ auditLog(filter:{citySlug:\"den-haag\"}){ totalCount } }",
        "{ cityStatistics(citySlug:\"den-haag\"){ readyGroups { value } } }",
    ] {
        let body = app.gql(Some(&almere), q, json!({})).await;
        assert_eq!(code(&body).as_deref(), Some("FORBIDDEN"), "{q}: {body}");
    }
    // The own city, in any spelling, answers.
    let d = app.ok(Some(&almere), "{ welcomeGroups(citySlug:\" Almere \"){ totalCount } }", json!({})).await;
    assert_eq!(d["welcomeGroups"]["totalCount"], 0);
}

#[tokio::test]
async fn an_idempotency_key_reused_for_another_household_is_a_conflict() {
    let app = spawn_app().await;
    let partner = app.user("PARTNER", Some("almere"), None).await;
    let mut input = newcomer_input("almere");
    input["idempotencyKey"] = json!("intake-7");
    let first = app.ok(Some(&partner), REGISTER, json!({"input": input.clone()})).await;
    // The same input again: the first record (a retry).
    let again = app.ok(Some(&partner), REGISTER, json!({"input": input.clone()})).await;
    assert_eq!(again["registerNewcomer"]["id"], first["registerNewcomer"]["id"]);
    // Spelling that validation evens out is the same registration.
    input["name"] = json!("  Rama Haddad ");
    let spaced = app.ok(Some(&partner), REGISTER, json!({"input": input.clone()})).await;
    assert_eq!(spaced["registerNewcomer"]["id"], first["registerNewcomer"]["id"]);
    // Another household under the same key: refused, naming the key, and nothing stored.
    input["name"] = json!("Someone Else");
    let body = app.gql(Some(&partner), REGISTER, json!({"input": input})).await;
    assert_eq!(code(&body).as_deref(), Some("CONFLICT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("intake-7"), "{body}");
    let staff = app.user("CITY_ADMIN", Some("almere"), None).await;
    assert_eq!(app.ok(Some(&staff), "{ newcomers { totalCount } }", json!({})).await["newcomers"]["totalCount"], 1);
}

#[tokio::test]
async fn a_round_that_proposes_nothing_says_why() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let run = "mutation($c:String!){ runMatching(input:{citySlug:$c}){ status matchedCount emptyReason } }";
    let d = app.ok(Some(&admin), run, json!({"c": "haarlem"})).await;
    assert_eq!(d["runMatching"]["emptyReason"], "NO_WAITING_HOUSEHOLDS");
    app.register(&admin, "haarlem").await;
    let d = app.ok(Some(&admin), run, json!({"c": "haarlem"})).await;
    assert_eq!(d["runMatching"]["emptyReason"], "NO_READY_GROUPS");
    app.ready_group(&admin, "haarlem").await;
    let nobody = "fn eligible(n, g) { \"nobody in this test\" }\nfn score(n, g) { #{ x: 1 } }";
    app.ok(
        Some(&admin),
        "mutation($s:String!){ publishScoringScript(citySlug:\"haarlem\", source:$s){ version } }",
        json!({"s": nobody}),
    )
    .await;
    let d = app.ok(Some(&admin), run, json!({"c": "haarlem"})).await;
    assert_eq!(d["runMatching"]["emptyReason"], "NOTHING_ELIGIBLE");
    let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("samenhier_matching_rounds_total{outcome=\"empty\"} 3"), "{metrics}");
    assert!(!metrics.contains("outcome=\"proposed\""), "an empty round is not a proposal: {metrics}");
}

#[tokio::test]
async fn a_preview_solves_what_a_round_would_and_shows_each_change() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // Two households and two groups; one pair was declined before and is never proposed again.
    let (declined, _, _) = app.proposed_match(&admin, "haarlem", None).await;
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ rejectMatch(id:$id, reason:\"no click\"){ id } }",
        json!({"id": declined}),
    )
    .await;
    app.register(&admin, "haarlem").await;
    app.ready_group(&admin, "haarlem").await;
    let dry = app
        .ok(
            Some(&admin),
            "mutation{ runMatching(input:{citySlug:\"haarlem\", dryRun:true}){ totalScore matchedCount } }",
            json!({}),
        )
        .await;
    let active = services::scripts::active_row(&app.state.db, "haarlem").await.ok().unwrap().source;
    let q = "mutation($s:String!){ previewScoringScript(citySlug:\"haarlem\", source:$s){ currentTotalScore candidateTotalScore currentMatches
        changes { newcomer { id } groupBefore { id } groupAfter { id } scoreBefore scoreAfter scoreChange } } }";
    let same = app.ok(Some(&admin), q, json!({"s": active})).await;
    let p = &same["previewScoringScript"];
    assert_eq!(p["currentTotalScore"], dry["runMatching"]["totalScore"], "the preview and the round agree");
    assert_eq!(p["currentMatches"], dry["runMatching"]["matchedCount"]);
    assert_eq!(p["candidateTotalScore"], p["currentTotalScore"]);
    assert_eq!(p["changes"], json!([]));
    // A script that finds nobody eligible: every proposal goes, each shown with its score.
    let nobody = "fn eligible(n, g) { \"nobody in this test\" }\nfn score(n, g) { #{ x: 1 } }";
    let d = app.ok(Some(&admin), q, json!({"s": nobody})).await;
    let changes = d["previewScoringScript"]["changes"].as_array().unwrap();
    assert_eq!(changes.len() as i64, dry["runMatching"]["matchedCount"].as_i64().unwrap());
    for c in changes {
        assert!(c["groupBefore"]["id"].is_string() && c["groupAfter"].is_null(), "{c}");
        assert_eq!(c["scoreChange"].as_f64().unwrap(), -c["scoreBefore"].as_f64().unwrap());
    }
}

#[tokio::test]
async fn exports_list_themselves_and_criteria_are_json_objects() {
    let app = spawn_app().await;
    let index: serde_json::Value =
        app.client.get(format!("{}/exports", app.address)).send().await.unwrap().json().await.unwrap();
    let names: Vec<&str> = index["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 7, "{index}");
    assert!(names.contains(&"matches"));
    let admin = app.admin().await;
    // Two alike households with alike groups, started the same day: one class of two.
    app.active_match(&admin, "almere", None, 2).await;
    app.active_match(&admin, "almere", None, 2).await;
    app.adopt_export_policy(&admin, Some(2)).await;
    let analyst = app.user("ANALYST", None, None).await;
    let body = app
        .client
        .get(format!("{}/exports/matches?format=jsonl", app.address))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(body.lines().next().expect("a released match")).unwrap();
    assert!(first["criteria"].is_object(), "criteria once encoded, as an object: {first}");
}
