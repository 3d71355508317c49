//! What client libraries rely on beyond the transport: validation as graphql-js decides it,
//! variables checked before anything runs, GraphiQL served from the binary.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn first_error(body: &Value) -> &Value {
    &body["errors"][0]
}

#[tokio::test]
async fn documents_graphql_js_refuses_are_refused_at_validation() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (query, expected) in [
        // async-graphql's own rule let these run.
        ("query($id: Int!) { newcomer(id: $id) { id } }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($id: ID) { newcomer(id: $id) { id } }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($b: Boolean) { me { id @skip(if: $b) } }", "GRAPHQL_VALIDATION_FAILED"),
        (r#"{ welcomeGroups(status: "READY") { totalCount } }"#, "GRAPHQL_VALIDATION_FAILED"),
        (r#"{ auditLog(filter: "almere") { totalCount } }"#, "GRAPHQL_VALIDATION_FAILED"),
        (r#"{ auditLog(filter: { citySlug: "a", citySlug: "b" }) { totalCount } }"#, "GRAPHQL_VALIDATION_FAILED"),
        // async-graphql's parser refused these as syntax; the specification calls them validation.
        ("query A { me { id } } query A { cities { slug } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ me { id } } query B { cities { slug } }", "GRAPHQL_VALIDATION_FAILED"),
        ("type Foo { a: Int } { me { id } }", "GRAPHQL_VALIDATION_FAILED"),
        // And the other way round.
        ("{ me { ...on } }", "GRAPHQL_PARSE_FAILED"),
    ] {
        let body = app.gql(Some(&admin), query, json!({})).await;
        assert!(body.get("data").is_none_or(Value::is_null), "{query} ran: {body}");
        assert_eq!(code(&body).as_deref(), Some(expected), "{query}: {body}");
    }
    // A variable with a default in a non-null position, and a nullable variable where the
    // argument has a default, are allowed.
    let body = app
        .gql(Some(&admin), "query($l: Int = 3) { recommendations(newcomerId: \"x\", limit: $l) { score } }", json!({}))
        .await;
    assert_ne!(code(&body).as_deref(), Some("GRAPHQL_VALIDATION_FAILED"), "{body}");
}

#[tokio::test]
async fn variables_that_do_not_fit_name_the_variable_and_the_field_and_run_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let register = "mutation($input: RegisterNewcomerInput!) { registerNewcomer(input: $input) { id } }";
    let mut input = newcomer_input("almere");
    input["arrivalDate"] = json!("yesterday");
    input["languages"] = json!([{ "code": "ar", "level": "FLUENT" }, { "code": "nl", "level": "SOME" }]);
    let body = app.gql(Some(&admin), register, json!({ "input": input })).await;
    assert!(body.get("data").is_none(), "{body}");
    let fields: Vec<(&str, &str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["extensions"]["code"].as_str().unwrap(),
                e["extensions"]["variable"].as_str().unwrap(),
                e["extensions"]["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![("BAD_USER_INPUT", "input", "languages[1].level"), ("BAD_USER_INPUT", "input", "arrivalDate")],
        "{body}"
    );
    let count = app.ok(Some(&admin), "{ newcomers { totalCount } }", json!({})).await;
    assert_eq!(count["newcomers"]["totalCount"], 0, "nothing was registered");

    for (query, variables, variable, field) in [
        ("query($id: ID!) { newcomer(id: $id) { id } }", json!({}), "id", "id"),
        ("query($id: ID!) { newcomer(id: $id) { id } }", json!({ "id": null }), "id", "id"),
        ("query($s: NewcomerStatus) { newcomers(status: $s) { totalCount } }", json!({ "s": "WAITNG" }), "s", "s"),
        ("query($f: Int) { newcomers(first: $f) { totalCount } }", json!({ "f": 3_000_000_000u64 }), "f", "f"),
        (
            "mutation($i: RunMatchingInput!) { runMatching(input: $i) { id } }",
            json!({ "i": { "citySlug": "almere", "lockedPairs": [{ "newcomerId": "a" }] } }),
            "i",
            "lockedPairs[0].groupId",
        ),
        ("query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }", json!({ "f": { "nope": 1 } }), "f", "nope"),
    ] {
        let body = app.gql(Some(&admin), query, variables.clone()).await;
        let e = first_error(&body);
        assert!(body.get("data").is_none(), "{query} {variables}: {body}");
        assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{query} {variables}: {body}");
        assert_eq!(e["extensions"]["variable"], variable, "{query} {variables}: {body}");
        assert_eq!(e["extensions"]["field"], field, "{query} {variables}: {body}");
    }

    // A document that is invalid and has misfit variables answers its validation error first,
    // as graphql-js does; the complexity of a list read from a variable does not get in the way.
    let body = app.gql(Some(&admin), "query($id: Int!) { newcomer(id: $id) { id } }", json!({ "id": "x" })).await;
    assert_eq!(code(&body).as_deref(), Some("GRAPHQL_VALIDATION_FAILED"), "{body}");
    let body = app
        .gql(
            Some(&admin),
            "query($n: ID!, $l: Int!) { recommendations(newcomerId: $n, limit: $l) { score } }",
            json!({ "n": "x" }),
        )
        .await;
    assert_eq!(first_error(&body)["extensions"]["variable"], "l", "{body}");

    // With application/graphql-response+json the request error is a 400.
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .bearer_auth(&admin)
        .json(&json!({ "query": "query($id: ID!) { newcomer(id: $id) { id } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary_under_a_strict_policy() {
    let app = spawn_app().await;
    let resp = app.client.get(format!("{}/graphql", app.address)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    let page = resp.text().await.unwrap();
    assert!(!page.contains("http://") && !page.contains("https://"), "the page names another origin: {page}");
    assert!(!page.contains("<script>"), "no inline script");
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "samenhier.js",
    ] {
        assert!(page.contains(&format!("/graphiql/{asset}")), "{asset} is not on the page");
        let resp = app.client.get(format!("{}/graphiql/{asset}", app.address)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{asset}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/"), "{asset}");
        assert!(resp.bytes().await.unwrap().len() > 100, "{asset}");
    }
    let missing = app.client.get(format!("{}/graphiql/../Cargo.toml", app.address)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let script = app.client.get(format!("{}/graphiql/samenhier.js", app.address)).send().await.unwrap();
    assert!(script.text().await.unwrap().contains("mutation Login"), "the page opens with the example");

    // Where introspection is off, there is no GraphiQL and no assets.
    let closed = spawn_app_with(&[("SAMENHIER_INTROSPECTION", "false")]).await;
    let resp = closed.client.get(format!("{}/graphiql/graphiql.min.js", closed.address)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_are_oldest_first_in_the_demo_too() {
    let app = spawn_app().await;
    services::demo::seed(&app.state.db, &app.state.settings).await.expect("demo seed");
    let admin = app.admin().await;
    let data = app
        .ok(
            Some(&admin),
            "{ newcomers(first: 100) { nodes { createdAt } } matches(first: 100) { nodes { createdAt } } \
               welcomeGroups(first: 100) { nodes { createdAt } } }",
            json!({}),
        )
        .await;
    for list in ["newcomers", "matches", "welcomeGroups"] {
        let times: Vec<&str> =
            data[list]["nodes"].as_array().unwrap().iter().map(|n| n["createdAt"].as_str().unwrap()).collect();
        assert!(times.len() > 10, "{list}: {times:?}");
        let parsed: Vec<chrono::DateTime<chrono::Utc>> = times.iter().map(|t| t.parse().unwrap()).collect();
        assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "{list} is not oldest first: {times:?}");
    }
}
