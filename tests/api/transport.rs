//! The GraphQL-over-HTTP transport: media types, status codes, GET, limits.

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn typename_answers_without_a_token() {
    let app = spawn_app().await;
    let d = app.ok(None, "{ __typename }", json!({})).await;
    assert_eq!(d["__typename"], "Query");
}

#[tokio::test]
async fn the_response_media_type_follows_accept() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    for (accept, expected) in [
        (Some("application/graphql-response+json"), "application/graphql-response+json"),
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/graphql-response+json, application/json;q=0.9"), "application/graphql-response+json"),
        (None, "application/json"),
    ] {
        let mut req = app.client.post(&url).json(&json!({"query": "{ __typename }"}));
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with(expected), "Accept {accept:?} got {ct}");
    }
    let refused = app
        .client
        .post(&url)
        .header("accept", "text/html")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn request_errors_are_400_for_graphql_response_json_and_200_for_json() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    // A document that does not parse or validate: 400 for the new media type, 200 (with
    // errors) for application/json clients, as the specification's watershed rule says.
    for body in [json!({"query": "{ __typename"}), json!({"query": "{ noSuchField }"})] {
        let strict = app
            .client
            .post(&url)
            .header("accept", "application/graphql-response+json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(strict.status(), StatusCode::BAD_REQUEST, "{body}");
        let v: Value = strict.json().await.unwrap();
        assert!(v.get("data").is_none(), "{v}");
        let legacy = app.client.post(&url).header("accept", "application/json").json(&body).send().await.unwrap();
        assert_eq!(legacy.status(), StatusCode::OK, "{body}");
        let v: Value = legacy.json().await.unwrap();
        assert!(v["errors"].is_array(), "{v}");
    }
    // A request that is not well-formed (missing or mistyped parameters): 400 for both.
    for body in [json!({"variables": {}}), json!({"query": 1}), json!({"query": "{ __typename }", "variables": "x"})] {
        for accept in ["application/graphql-response+json", "application/json"] {
            let r = app.client.post(&url).header("accept", accept).json(&body).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{accept} {body}");
        }
    }
    let not_json =
        app.client.post(&url).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let wrong_type = app.client.post(&url).header("content-type", "text/plain").body("{}").send().await.unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let q = app
        .client
        .get(&url)
        .query(&[("query", "{ __typename }")])
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(q.status(), StatusCode::OK);
    let v: Value = q.json().await.unwrap();
    assert_eq!(v["data"]["__typename"], "Query");
    let m = app
        .client
        .get(&url)
        .query(&[("query", "mutation { login(email:\"a@b.nl\", password:\"x\"){ token } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(m.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(m.headers()["allow"], "POST");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_parsing() {
    let app = spawn_app_with(&[("SAMENHIER_MAX_BODY_BYTES", "10000")]).await;
    let big = format!("{{ __typename }} #{}", "x".repeat(20_000));
    let resp = app.client.post(format!("{}/graphql", app.address)).json(&json!({"query": big})).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn batches_deep_queries_and_costly_queries_are_refused() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let url = format!("{}/graphql", app.address);
    let batch = app
        .client
        .post(&url)
        .json(&json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]))
        .send()
        .await
        .unwrap();
    let v: Value = batch.json().await.unwrap();
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("batch"));
    let deep = format!("{{ {}__typename{} }}", "me { group { city { ".repeat(5), " } } }".repeat(5));
    let body = app.gql(Some(&token), &deep, json!({})).await;
    assert!(body["errors"].is_array(), "{body}");
    let aliases: String = (0..300)
        .map(|i| format!("a{i}: welcomeGroups(first: 100) {{ edges {{ node {{ members {{ name }} }} }} }} "))
        .collect();
    let body = app.gql(Some(&token), &format!("{{ {aliases} }}"), json!({})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().to_lowercase().contains("complex"), "{body}");
}

#[tokio::test]
async fn an_internal_error_shows_only_a_request_id() {
    // A table that went missing makes a resolver's query fail inside the database.
    let app = spawn_app().await;
    let token = app.admin().await;
    use sea_orm::ConnectionTrait;
    app.state.db.execute_unprepared("DROP TABLE scoring_scripts").await.unwrap();
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({"query": "{ scoringScripts(citySlug:\"almere\"){ version } }"}))
        .send()
        .await
        .unwrap();
    let rid = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(code(&v).as_deref(), Some("INTERNAL"), "{v}");
    let msg = v["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("request id"), "{msg}");
    assert!(!msg.to_lowercase().contains("sql") && !msg.contains("scoring_scripts"), "{msg}");
    assert_eq!(v["errors"][0]["extensions"]["requestId"], rid.as_str());
}

#[tokio::test]
async fn a_database_that_cannot_answer_is_503_unavailable_not_unauthenticated() {
    // Closing the pool makes every database call fail, the token check included: clients must
    // not sign their users out over it.
    let app = spawn_app().await;
    let token = app.admin().await;
    app.state.db.clone().close().await.ok();
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({"query": "{ cities { slug } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(code(&v).as_deref(), Some("UNAVAILABLE"), "{v}");
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({"query": "mutation{ login(email:\"a@example.org\", password:\"whatever\"){ token } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(code(&v).as_deref(), Some("UNAVAILABLE"), "{v}");
    assert!(!v["errors"][0]["message"].as_str().unwrap().to_lowercase().contains("pool"));
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let h = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(h.status(), StatusCode::OK);
    let r = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// The abuse limits at their default settings: each refused with a clear error, and the server
/// answers normally afterwards.
#[tokio::test]
async fn abusive_requests_are_refused_with_clear_errors() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let url = format!("{}/graphql", app.address);
    // 12 MB body: refused by its declared length, before a byte is read.
    let big = format!("{{ __typename }} #{}", "x".repeat(12 * 1024 * 1024));
    let resp = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(json!({"query": big}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
    // A query nested 1,000 deep.
    let deep = format!("{{ {}__typename{} }}", "me { group { ".repeat(500), " } }".repeat(500));
    let body = app.gql(Some(&token), &deep, json!({})).await;
    assert!(
        body["data"].is_null() && body["errors"][0]["message"].is_string(),
        "{}",
        &body.to_string()[..200.min(body.to_string().len())]
    );
    // 300 aliases of an expensive field.
    let aliases: String = (0..300).map(|i| format!("a{i}: welcomeGroups(first: 100) {{ totalCount }} ")).collect();
    let body = app.gql(Some(&token), &format!("{{ {aliases} }}"), json!({})).await;
    assert!(
        body["data"].is_null() && body["errors"][0]["message"].as_str().unwrap().to_lowercase().contains("complex"),
        "{body}"
    );
    // A list argument asking for a million items.
    let body = app.gql(Some(&token), "{ welcomeGroups(first: 1000000) { totalCount } }", json!({})).await;
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(field(&body).as_deref(), Some("first"));
    // A batch of many operations.
    let batch: Vec<Value> = (0..1000).map(|_| json!({"query": "{ __typename }"})).collect();
    let resp = app.client.post(&url).json(&batch).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // Still serving.
    let ok = app.ok(Some(&token), "{ me { id } }", json!({})).await;
    assert!(ok["me"]["id"].is_string());
}

#[tokio::test]
async fn metrics_count_requests_rounds_and_exports_in_prometheus_text() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let url = format!("{}/graphql", app.address);
    app.client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"query": "query Me { me { id } }", "operationName": "Me"}))
        .send()
        .await
        .unwrap();
    app.client
        .post(&url)
        .json(&json!({"query": "query Me { me { id } }", "operationName": "Me"}))
        .send()
        .await
        .unwrap();
    app.ok(Some(&token), "mutation { runMatching(input:{citySlug:\"almere\", dryRun:true}){ id } }", json!({})).await;
    app.adopt_export_policy(&token, None).await;
    app.client
        .get(format!("{}/exports/groups", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resp = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = resp.text().await.unwrap();
    for line in [
        "samenhier_graphql_requests_total{operation=\"Me\",outcome=\"ok\"} 1",
        "samenhier_graphql_requests_total{operation=\"Me\",outcome=\"error\"} 1",
        "samenhier_graphql_request_duration_seconds_count{operation=\"Me\"} 2",
        "samenhier_matching_rounds_total{outcome=\"dry_run\"} 1",
        "samenhier_matching_round_duration_seconds_count 1",
        "samenhier_exports_total{dataset=\"groups\",format=\"csv\"} 1",
        "samenhier_script_errors_total 0",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

/// GraphiQL and client generators send the standard introspection query: it passes the limits.
#[tokio::test]
async fn the_standard_introspection_query_is_answered() {
    let app = spawn_app().await;
    let query = include_str!("fixtures/introspection.graphql");
    let body = app.gql(None, query, json!({})).await;
    assert!(body["errors"].is_null(), "{}", &body.to_string()[..300.min(body.to_string().len())]);
    assert!(body["data"]["__schema"]["types"].as_array().is_some_and(|t| t.len() > 50));
}

/// Errors from parsing and validation carry a code too.
#[tokio::test]
async fn parse_and_validation_errors_have_codes() {
    let app = spawn_app().await;
    for (query, expected) in [
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ me { ", "GRAPHQL_PARSE_FAILED"),
        ("query($x: Int!) { __typename }", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let body = app.gql(None, query, json!({})).await;
        assert_eq!(code(&body).as_deref(), Some(expected), "{query}: {body}");
        // One line a person can read; the position is in `locations`.
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(!message.contains('\n') && !message.contains("-->"), "{message}");
    }
    let body = app.gql(None, "{ me { ", json!({})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().starts_with("syntax error: expected"), "{body}");
    assert!(body["errors"][0]["locations"][0]["line"].is_number(), "{body}");
}

/// An ADMIN token issued directly (no login request: the budgets below are too short for one).
async fn admin_token(app: &TestApp) -> String {
    let user = services::users::create(
        &app.state.db,
        services::users::NewUser {
            email: format!("admin-{}@example.org", uuid::Uuid::new_v4().simple()),
            role: entity::Role::Admin,
            city: None,
            group: None,
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    app.state.sign_in.jwt.issue(&user.id, "ADMIN", None, None).unwrap().0
}

/// A request past the execution timeout is stopped with TIMEOUT (503); the server goes on.
#[tokio::test]
async fn a_request_past_the_execution_timeout_is_stopped() {
    let app = spawn_app_with(&[("SAMENHIER_REQUEST_TIMEOUT_SECS", "0.001")]).await;
    services::demo::bulk(&app.state.db, &app.state.settings, "almere", 300, 300, 1).await.unwrap();
    let token = admin_token(&app).await;
    let n = entity::newcomer::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    // Scoring 300 groups for one household, after reading them, cannot fit in a millisecond.
    let q = "query($n:ID!){ recommendations(newcomerId:$n, limit: 3){ score } }";
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({"query": q, "variables": {"n": n}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "TIMEOUT", "{v}");
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("1 ms"), "{v}");
    let body = app.gql(None, "{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query");
}

/// A round runs on its own budget; one stopped by it stores nothing.
#[tokio::test]
async fn a_round_past_its_budget_stores_nothing() {
    let app = spawn_app_with(&[("SAMENHIER_ROUND_TIMEOUT_SECS", "0.2")]).await;
    services::demo::bulk(&app.state.db, &app.state.settings, "almere", 300, 300, 1).await.unwrap();
    let token = admin_token(&app).await;
    // A script outside the native subset: Rhai scores 90,000 pairs, far more than 0.2 s.
    let slow = "fn eligible(n, g) { true }\nfn score(n, g) { let t = 0; for x in n.interests { t += 1; } for y in g.interests { t += 1; } t }";
    app.ok(
        Some(&token),
        "mutation($s:String!){ publishScoringScript(citySlug:\"almere\", source:$s){ version } }",
        json!({"s": slow}),
    )
    .await;
    let run = "mutation { runMatching(input:{citySlug:\"almere\"}){ id } }";
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({"query": run}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "TIMEOUT", "{v}");
    // Give the abandoned scoring time to finish on its blocking thread: still nothing stored.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let d = app.ok(Some(&token), "{ matches(citySlug:\"almere\"){ totalCount } }", json!({})).await;
    assert_eq!(d["matches"]["totalCount"], 0);
    assert_eq!(entity::matching_run::Entity::find().all(&app.state.db).await.unwrap().len(), 0);
}

/// The raw body of an answer (to see its key order).
async fn raw(app: &TestApp, token: Option<&str>, query: &str) -> String {
    let mut req = app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": query }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn a_failed_nullable_field_is_null_and_keys_follow_the_selection() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let partner = app.user("PARTNER", Some("almere"), None).await;
    app.register(&partner, "almere").await;
    // A failed nullable field is present as null, beside the fields that worked.
    let v: Value =
        serde_json::from_str(&raw(&app, Some(&admin), "{ welcomeGroup(id:\"nope\"){ id } me { id } }").await).unwrap();
    assert!(v["data"].as_object().unwrap().contains_key("welcomeGroup"), "{v}");
    assert!(v["data"]["welcomeGroup"].is_null() && v["data"]["me"]["id"].is_string(), "{v}");
    let v: Value = serde_json::from_str(&raw(&app, Some(&admin), "{ welcomeGroup(id:\"nope\"){ id } }").await).unwrap();
    assert_eq!(v["data"], json!({"welcomeGroup": null}), "{v}");
    // A field the role may not read: null in every object, the error beside it.
    let v: Value =
        serde_json::from_str(&raw(&app, Some(&partner), "{ newcomers { edges { node { id status name } } } }").await)
            .unwrap();
    let node = &v["data"]["newcomers"]["edges"][0]["node"];
    assert!(node.as_object().unwrap().contains_key("name") && node["name"].is_null(), "{v}");
    // A failed field that may not be null takes its nullable parent (here: data) with it.
    let v: Value = serde_json::from_str(&raw(&app, None, "{ me { id } }").await).unwrap();
    assert!(v["data"].is_null(), "{v}");
    // Keys in the order of the selection, whatever finished first.
    let order_in = |body: &str, keys: &[&'static str]| -> Vec<&'static str> {
        let mut at: Vec<(usize, &'static str)> =
            keys.iter().map(|k| (body.find(&format!("\"{k}\"")).unwrap_or(usize::MAX), *k)).collect();
        at.sort();
        at.into_iter().map(|(_, k)| k).collect()
    };
    let keys = ["me", "id", "role", "cities", "newcomers"];
    let body = raw(&app, Some(&admin), "{ me { id role } cities { slug } newcomers { totalCount } }").await;
    assert_eq!(order_in(&body, &keys), ["me", "id", "role", "cities", "newcomers"], "{body}");
    let body = raw(&app, Some(&admin), "{ newcomers { totalCount } cities { slug } me { role id } }").await;
    assert_eq!(order_in(&body, &keys), ["newcomers", "cities", "me", "role", "id"], "{body}");
}

#[tokio::test]
async fn two_aliases_of_one_failing_field_are_both_null() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body =
        raw(&app, Some(&admin), "{ a: welcomeGroup(id:\"nope\"){ id } b: welcomeGroup(id:\"nope\"){ id } }").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["data"], json!({"a": null, "b": null}), "{body}");
    let paths: Vec<&Value> = v["errors"].as_array().unwrap().iter().map(|e| &e["path"][0]).collect();
    assert!(paths.contains(&&json!("a")) && paths.contains(&&json!("b")), "{body}");
}
