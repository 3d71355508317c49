use serde_json::json;

use crate::helpers::*;

const FULL: &str = "query($id:ID!){ newcomer(id:$id){ id status name preferredName email phone birthYear gender countryOfOrigin languages { code level } dutchLevel interests sector goals householdAdults childrenAges householdSize arrivalDate neighbourhood shareContactWithGroup consentDate privacyNoticeVersion version city { slug } } }";

#[tokio::test]
async fn a_city_admin_registers_and_reads_a_newcomer() {
    let app = spawn_app().await;
    let token = app.user("CITY_ADMIN", Some("rotterdam"), None).await;
    let id = app.register(&token, "rotterdam").await;
    let d = app.ok(Some(&token), FULL, json!({"id": id})).await;
    let n = &d["newcomer"];
    assert_eq!(n["status"], "WAITING");
    assert_eq!(n["preferredName"], "Rama");
    assert_eq!(n["languages"], json!([{"code": "ar", "level": "NATIVE"}, {"code": "en", "level": "BASIC"}]));
    assert_eq!(n["goals"], json!(["WORK", "LANGUAGE"]));
    assert_eq!(n["childrenAges"], json!([9, 4]));
    assert_eq!(n["householdSize"], 4);
    assert_eq!(n["consentDate"], "2025-04-01");
    assert_eq!(n["city"]["slug"], "rotterdam");
}

#[tokio::test]
async fn a_retried_registration_with_the_same_key_returns_the_same_newcomer() {
    let app = spawn_app().await;
    let token = app.user("PARTNER", Some("almere"), None).await;
    let mut input = newcomer_input("almere");
    input["idempotencyKey"] = json!("partner-app-req-42");
    let a = app.ok(Some(&token), REGISTER, json!({"input": input})).await;
    let b = app.ok(Some(&token), REGISTER, json!({"input": input})).await;
    assert_eq!(a["registerNewcomer"]["id"], b["registerNewcomer"]["id"]);
    let list = app.ok(Some(&token), "{ newcomers { totalCount } }", json!({})).await;
    assert_eq!(list["newcomers"]["totalCount"], 1);
    // Another account's identical key is its own key.
    let other = app.user("PARTNER", Some("almere"), None).await;
    let c = app.ok(Some(&other), REGISTER, json!({"input": input})).await;
    assert_ne!(a["registerNewcomer"]["id"], c["registerNewcomer"]["id"]);
}

#[tokio::test]
async fn a_partner_sees_the_status_only() {
    let app = spawn_app().await;
    let token = app.user("PARTNER", Some("almere"), None).await;
    let id = app.register(&token, "almere").await;
    let status = app.ok(Some(&token), "query($id:ID!){ newcomer(id:$id){ id status } }", json!({"id": id})).await;
    assert_eq!(status["newcomer"]["status"], "WAITING");
    let name = app.gql(Some(&token), "query($id:ID!){ newcomer(id:$id){ id name } }", json!({"id": id})).await;
    assert_eq!(code(&name).as_deref(), Some("FORBIDDEN"));
    assert_eq!(name["data"]["newcomer"]["name"], serde_json::Value::Null);
}

#[tokio::test]
async fn updates_are_versioned_and_withdrawal_is_final() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let id = app.register(&token, "almere").await;
    let q = "mutation($id:ID!,$input:UpdateNewcomerInput!){ updateNewcomer(id:$id,input:$input){ dutchLevel version email } }";
    let d = app
        .ok(Some(&token), q, json!({"id": id, "input": {"dutchLevel": "B1", "email": "", "expectedVersion": 1}}))
        .await;
    assert_eq!(d["updateNewcomer"], json!({"dutchLevel": "B1", "version": 2, "email": null}));
    let stale = app.gql(Some(&token), q, json!({"id": id, "input": {"dutchLevel": "C1", "expectedVersion": 1}})).await;
    assert_eq!(code(&stale).as_deref(), Some("CONFLICT"));
    let w = app
        .ok(
            Some(&token),
            "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved to Utrecht\"){ status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(w["withdrawNewcomer"]["status"], "WITHDRAWN");
    let after = app.gql(Some(&token), q, json!({"id": id, "input": {"dutchLevel": "C1"}})).await;
    assert_eq!(code(&after).as_deref(), Some("CONFLICT"));
}

#[tokio::test]
async fn every_bad_newcomer_field_is_named_and_nothing_is_stored() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let cases = [
        (json!({"citySlug": "utrecht"}), "citySlug"),
        (json!({"name": "   "}), "name"),
        (json!({"name": "n".repeat(201)}), "name"),
        (json!({"email": "rama@"}), "email"),
        (json!({"phone": "call me"}), "phone"),
        (json!({"birthYear": 2024}), "birthYear"),
        (json!({"birthYear": 1850}), "birthYear"),
        (json!({"countryOfOrigin": "XX"}), "countryOfOrigin"),
        (json!({"countryOfOrigin": "SYR"}), "countryOfOrigin"),
        (json!({"languages": []}), "languages"),
        (json!({"languages": [{"code": "arabic", "level": "NATIVE"}]}), "languages"),
        (json!({"languages": [{"code": "ar", "level": "NATIVE"}, {"code": "AR", "level": "BASIC"}]}), "languages"),
        (json!({"interests": ["a".repeat(41)]}), "interests"),
        (json!({"householdAdults": 0}), "householdAdults"),
        (json!({"householdAdults": 11}), "householdAdults"),
        (json!({"childrenAges": [18]}), "childrenAges"),
        (json!({"childrenAges": [-1]}), "childrenAges"),
        (json!({"arrivalDate": "2999-01-01"}), "arrivalDate"),
        (json!({"needs": "x".repeat(2001)}), "needs"),
        (json!({"preferredName": ""}), "preferredName"),
        (json!({"consentDate": "2999-12-31"}), "consentDate"),
        (json!({"idempotencyKey": ""}), "idempotencyKey"),
    ];
    for (patch, expected) in cases {
        let mut input = newcomer_input("almere");
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        let body = app.gql(Some(&token), REGISTER, json!({"input": input})).await;
        assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{patch}: {body}");
        assert_eq!(field(&body).as_deref(), Some(expected), "{patch}: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().len() > 10);
    }
    let list = app.ok(Some(&token), "{ newcomers { totalCount } }", json!({})).await;
    assert_eq!(list["newcomers"]["totalCount"], 0);
}

#[tokio::test]
async fn a_badly_typed_value_is_a_validation_error_of_the_request() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let mut input = newcomer_input("almere");
    input["gender"] = json!("ROBOT");
    input["arrivalDate"] = json!("01-03-2025");
    let body = app.gql(Some(&token), REGISTER, json!({"input": input})).await;
    assert!(
        body["errors"][0]["message"].as_str().unwrap().contains("gender")
            || body["errors"][0]["message"].as_str().unwrap().contains("ROBOT"),
        "{body}"
    );
    assert!(body.get("data").is_none() || body["data"].is_null());
}
