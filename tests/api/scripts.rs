//! Scoring scripts through the API: publish, hot swap, roll back, validation of hostile scripts.

use serde_json::{Value, json};

use crate::helpers::*;

const PUBLISH: &str = "mutation($c:String!,$s:String!,$n:String){ publishScoringScript(citySlug:$c, source:$s, note:$n){ version active sha256 note } }";
const VALIDATE: &str = "mutation($c:String!,$s:String!){ validateScoringScript(citySlug:$c, source:$s){ ok samplePairsScored errors { message line column } } }";
const RECS: &str = "query($n:ID!){ recommendations(newcomerId:$n, limit: 3){ eligible reason score explanation { criterion points } group { id } } }";

pub const CONSTANT: &str = "fn eligible(n, g) { true }\nfn score(n, g) { #{ constant: 42 } }";

async fn setup(app: &TestApp, token: &str) -> String {
    app.ready_group(token, "haarlem").await;
    app.register(token, "haarlem").await
}

#[tokio::test]
async fn a_published_script_is_used_at_once_and_rolling_back_works() {
    let app = spawn_app().await;
    let token = app.user("CITY_ADMIN", Some("haarlem"), None).await;
    let n = setup(&app, &token).await;
    let before = app.ok(Some(&token), RECS, json!({"n": n})).await;
    let shipped_score = before["recommendations"][0]["score"].as_f64().unwrap();
    assert_ne!(shipped_score, 42.0);

    let published = app.ok(Some(&token), PUBLISH, json!({"c": "haarlem", "s": CONSTANT, "n": "test"})).await;
    assert_eq!(published["publishScoringScript"]["version"], 2);
    assert_eq!(published["publishScoringScript"]["active"], true);
    let after = app.ok(Some(&token), RECS, json!({"n": n})).await;
    assert_eq!(after["recommendations"][0]["score"], 42.0);
    assert_eq!(after["recommendations"][0]["explanation"], json!([{"criterion": "constant", "points": 42.0}]));

    let back = app
        .ok(
            Some(&token),
            "mutation{ activateScoringScript(citySlug:\"haarlem\", version:1){ version active } }",
            json!({}),
        )
        .await;
    assert_eq!(back["activateScoringScript"], json!({"version": 1, "active": true}));
    let again = app.ok(Some(&token), RECS, json!({"n": n})).await;
    assert_eq!(again["recommendations"][0]["score"].as_f64().unwrap(), shipped_score);

    let list = app.ok(Some(&token), "{ scoringScripts(citySlug:\"haarlem\"){ version active } city(slug:\"haarlem\"){ activeScript { version } } }", json!({})).await;
    assert_eq!(list["scoringScripts"], json!([{"version": 2, "active": false}, {"version": 1, "active": true}]));
    assert_eq!(list["city"]["activeScript"]["version"], 1);
}

#[tokio::test]
async fn another_citys_admin_and_other_roles_may_not_touch_scripts() {
    let app = spawn_app().await;
    let other = app.user("CITY_ADMIN", Some("almere"), None).await;
    let body = app.gql(Some(&other), PUBLISH, json!({"c": "haarlem", "s": CONSTANT})).await;
    assert_eq!(code(&body).as_deref(), Some("FORBIDDEN"));
    let partner = app.user("PARTNER", Some("haarlem"), None).await;
    let body = app.gql(Some(&partner), "{ city(slug:\"haarlem\"){ name activeScript { version } } }", json!({})).await;
    assert_eq!(code(&body).as_deref(), Some("FORBIDDEN"));
    assert_eq!(body["data"]["city"]["name"], "Haarlem");
}

#[tokio::test]
async fn hostile_scripts_are_refused_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let ok_eligible = "fn eligible(n, g) { true }";
    let hostile = [
        ("endless loop", format!("{ok_eligible} fn score(n, g) {{ loop {{ }} }}")),
        ("recursion", format!("{ok_eligible} fn f(x) {{ f(x + 1) }} fn score(n, g) {{ f(1) }}")),
        ("growing string", format!("{ok_eligible} fn score(n, g) {{ let s = \"ab\"; loop {{ s += s; }} }}")),
        ("growing array", format!("{ok_eligible} fn score(n, g) {{ let a = [1, 2]; loop {{ a += a; }} }}")),
        ("import", format!("import \"/etc/passwd\" as p;\n{ok_eligible} fn score(n, g) {{ 1 }}")),
        ("eval", format!("{ok_eligible} fn score(n, g) {{ eval(\"1 + 1\") }}")),
        ("NaN", format!("{ok_eligible} fn score(n, g) {{ #{{ x: 0.0 / 0.0 }} }}")),
        ("infinity", format!("{ok_eligible} fn score(n, g) {{ #{{ x: 1.0 / 0.0 }} }}")),
        ("wrong type", format!("{ok_eligible} fn score(n, g) {{ [1, 2] }}")),
        ("syntax error", format!("{ok_eligible}\nfn score(n, g) {{ #{{ x: }} }}")),
        ("missing function", ok_eligible.to_owned()),
    ];
    for (what, source) in &hostile {
        let v = app.ok(Some(&token), VALIDATE, json!({"c": "rotterdam", "s": source})).await;
        let report = &v["validateScoringScript"];
        assert_eq!(report["ok"], false, "{what}: {report}");
        assert!(!report["errors"].as_array().unwrap().is_empty(), "{what}");
        let published = app.gql(Some(&token), PUBLISH, json!({"c": "rotterdam", "s": source})).await;
        assert_eq!(code(&published).as_deref(), Some("SCRIPT_ERROR"), "{what}: {published}");
    }
    let syntax = app.ok(Some(&token), VALIDATE, json!({"c": "rotterdam", "s": hostile[9].1})).await;
    assert_eq!(syntax["validateScoringScript"]["errors"][0]["line"], 2);
    let publish_syntax = app.gql(Some(&token), PUBLISH, json!({"c": "rotterdam", "s": hostile[9].1})).await;
    assert_eq!(publish_syntax["errors"][0]["extensions"]["line"], 2);
    // Nothing was stored, and the server still answers.
    let versions =
        app.ok(Some(&token), "{ scoringScripts(citySlug:\"rotterdam\"){ version } cities { slug } }", json!({})).await;
    assert_eq!(versions["scoringScripts"].as_array().unwrap().len(), 1);
    assert_eq!(versions["cities"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_preview_compares_the_candidate_with_the_active_script_and_stores_nothing() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for _ in 0..2 {
        setup(&app, &token).await;
    }
    let prefer_nobody = "fn eligible(n, g) { \"nobody is eligible in this test\" }\nfn score(n, g) { 1 }";
    let q = "mutation($s:String!){ previewScoringScript(citySlug:\"haarlem\", source:$s){ currentTotalScore candidateTotalScore currentMatches candidateMatches changedNewcomers { id } } }";
    let d = app.ok(Some(&token), q, json!({"s": prefer_nobody})).await;
    let p = &d["previewScoringScript"];
    assert_eq!(p["currentMatches"], 2);
    assert_eq!(p["candidateMatches"], 0);
    assert_eq!(p["candidateTotalScore"], 0.0);
    assert_eq!(p["changedNewcomers"].as_array().unwrap().len(), 2);
    let stored: Value = app
        .ok(Some(&token), "{ scoringScripts(citySlug:\"haarlem\"){ version } matches { totalCount } }", json!({}))
        .await;
    assert_eq!(stored["scoringScripts"].as_array().unwrap().len(), 1);
    assert_eq!(stored["matches"]["totalCount"], 0);
}

#[tokio::test]
async fn validation_tells_whether_a_script_is_scored_natively() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let q = "mutation($c:String!,$s:String!){ validateScoringScript(citySlug:$c, source:$s){ ok nativeScoring } }";
    let shipped = app.ok(Some(&token), q, json!({"c": "almere", "s": scripting::shipped::DEFAULT})).await;
    assert_eq!(shipped["validateScoringScript"], json!({"ok": true, "nativeScoring": true}));
    let looping = "fn eligible(n, g) { true }\nfn score(n, g) { let t = 0; for x in n.interests { t += 1; } t }";
    let other = app.ok(Some(&token), q, json!({"c": "almere", "s": looping})).await;
    assert_eq!(other["validateScoringScript"], json!({"ok": true, "nativeScoring": false}));
}
