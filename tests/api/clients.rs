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
