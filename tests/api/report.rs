//! The programme report through the real server: the figures of a small year in Almere, as
//! GraphQL and as CSV; suppressed for an analyst; refused clearly when asked wrongly.

use serde_json::json;

use crate::helpers::*;

const REPORT: &str = "query($from: Date!, $to: Date!, $cities: [String!]){ programmeReport(from:$from, to:$to, citySlugs:$cities){
  from to
  cities { citySlug proposed { value display } started { value } activeAtEnd { value } completed { value }
           endedEarly { value } endedEarlyByReason { reason count { value } } waitingNow { value suppressed display } medianWaitingDays
           checkIns { month view count { value } meanSatisfaction meanNetworkSize } activitiesByKind { kind count { value } } }
  total { citySlug proposed { value suppressed display } completed { value suppressed } }
} }";

fn today() -> String {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive().to_string()
}

fn two_years_ago() -> String {
    (chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive() - chrono::Duration::days(730))
        .to_string()
}

#[tokio::test]
async fn a_small_year_in_numbers_for_staff_suppressed_for_analysts_and_as_csv() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (m1, _, _) = app.active_match(&admin, "almere", None, 0).await;
    app.ok(Some(&admin), LOG_ACTIVITY, json!({"m": m1, "input": activity_input(&today())})).await;
    let (m2, _, _) = app.active_match(&admin, "almere", None, 13).await;
    app.ok(Some(&admin), CHECK_IN, json!({"m": m2, "input": check_in_input(3)})).await;
    app.ok(
        Some(&admin),
        "mutation($m:ID!,$input:HouseholdCheckInInput!){ recordHouseholdCheckIn(matchId:$m, input:$input){ id } }",
        json!({"m": m2, "input": household_input(3)}),
    )
    .await;
    app.ok(Some(&admin), "mutation($id:ID!){ completeMatch(id:$id){ status } }", json!({"id": m2})).await;
    let (m3, _, _) = app.active_match(&admin, "almere", None, 0).await;
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ endMatch(id:$id, reason:\"moved\", reasonCode: NEWCOMER_MOVED){ status } }",
        json!({"id": m3}),
    )
    .await;
    app.proposed_match(&admin, "almere", None).await;
    let (m5, _, _) = app.proposed_match(&admin, "almere", None).await;
    app.ok(Some(&admin), "mutation($id:ID!){ rejectMatch(id:$id, reason:\"no\"){ id } }", json!({"id": m5})).await;
    // Rotterdam: one proposal, outside the Almere figures but in the total.
    app.proposed_match(&admin, "rotterdam", None).await;

    let vars = json!({"from": two_years_ago(), "to": today(), "cities": ["almere", "rotterdam"]});
    let d = app.ok(Some(&admin), REPORT, vars.clone()).await;
    let r = &d["programmeReport"];
    let almere = &r["cities"][0];
    assert_eq!(almere["citySlug"], "almere");
    assert_eq!(almere["proposed"]["value"], 5, "{almere}");
    assert_eq!(almere["started"]["value"], 3);
    assert_eq!(almere["activeAtEnd"]["value"], 1, "the one still under way today");
    assert_eq!(almere["completed"]["value"], 1);
    assert_eq!(almere["endedEarly"]["value"], 1);
    assert_eq!(almere["endedEarlyByReason"], json!([{"reason": "NEWCOMER_MOVED", "count": {"value": 1}}]));
    assert_eq!(
        almere["checkIns"],
        json!([
            {"month": 3, "view": "GROUP", "count": {"value": 1}, "meanSatisfaction": 5.0, "meanNetworkSize": 12.0},
            {"month": 3, "view": "HOUSEHOLD", "count": {"value": 1}, "meanSatisfaction": 3.0, "meanNetworkSize": 4.0},
        ])
    );
    assert_eq!(almere["activitiesByKind"], json!([{"kind": "MEAL", "count": {"value": 1}}]));
    let stats =
        app.ok(Some(&admin), "{ cityStatistics(citySlug:\"almere\"){ waitingNewcomers { value } } }", json!({})).await;
    assert_eq!(almere["waitingNow"]["value"], stats["cityStatistics"]["waitingNewcomers"]["value"]);
    assert_eq!(r["cities"][1]["citySlug"], "rotterdam");
    assert_eq!(r["total"]["proposed"]["value"], 6);
    assert_eq!(r["total"]["citySlug"], json!(null));

    // An analyst sees the same report with every small count suppressed.
    let analyst = app.user("ANALYST", None, None).await;
    let d = app.ok(Some(&analyst), REPORT, vars.clone()).await;
    let r = &d["programmeReport"];
    assert_eq!(r["cities"][0]["proposed"]["display"], "<5");
    assert_eq!(r["cities"][0]["proposed"]["value"], json!(null));
    assert_eq!(r["cities"][0]["checkIns"][0]["meanSatisfaction"], json!(null));
    assert_eq!(r["total"]["proposed"], json!({"value": 6, "suppressed": false, "display": "6"}));
    // Beside a total of 6, Almere's "<5" would come back as 6 minus Rotterdam's 1: both are withheld.
    let rotterdam =
        app.ok(Some(&analyst), REPORT, vars.clone()).await["programmeReport"]["cities"][1]["proposed"].clone();
    assert_eq!(rotterdam["display"], "<5");

    // As CSV, for spreadsheets.
    let csv = |token: &str, query: &str| {
        app.client.get(format!("{}/reports/programme.csv?{query}", app.address)).bearer_auth(token.to_owned()).send()
    };
    let q = format!("from={}&to={}&cities=almere,rotterdam", two_years_ago(), today());
    let resp = csv(&admin, &q).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("city,figure,key,value\n"));
    for line in [
        "almere,matches,proposed,5",
        "almere,matches,completed,1",
        "almere,ended_early_by_reason,NEWCOMER_MOVED,1",
        "almere,check_ins,month_3_household,1",
        "almere,check_ins_mean_satisfaction,month_3_group,5.00",
        "almere,activities,MEAL,1",
        "ALL,matches,proposed,6",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} missing from\n{text}");
    }
    let text = csv(&analyst, &q).await.unwrap().text().await.unwrap();
    assert!(text.lines().any(|l| l == "almere,matches,proposed,<5"), "{text}");
    assert!(text.lines().any(|l| l == "ALL,matches,proposed,6"), "{text}");

    // Asked wrongly: a clear error, at its field.
    let resp = csv(&admin, &format!("from=2026-13-01&to={}", today())).await.unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["field"], "from");
    let resp = app.client.get(format!("{}/reports/programme.csv?{q}", app.address)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body = app.gql(Some(&admin), REPORT, json!({"from": today(), "to": two_years_ago()})).await;
    assert_eq!((code(&body).as_deref(), field(&body).as_deref()), (Some("BAD_USER_INPUT"), Some("to")));
    let body =
        app.gql(Some(&admin), REPORT, json!({"from": two_years_ago(), "to": today(), "cities": ["atlantis"]})).await;
    assert_eq!((code(&body).as_deref(), field(&body).as_deref()), (Some("BAD_USER_INPUT"), Some("citySlugs[0]")));
    let staff = app.user("CITY_ADMIN", Some("almere"), None).await;
    let body =
        app.gql(Some(&staff), REPORT, json!({"from": two_years_ago(), "to": today(), "cities": ["rotterdam"]})).await;
    assert_eq!(code(&body).as_deref(), Some("FORBIDDEN"));
    let own = app.ok(Some(&staff), REPORT, json!({"from": two_years_ago(), "to": today()})).await;
    let slugs: Vec<&str> =
        own["programmeReport"]["cities"].as_array().unwrap().iter().map(|c| c["citySlug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["almere"], "a city's staff get their own city");
}
