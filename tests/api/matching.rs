//! Matching rounds through the API.

use serde_json::{Value, json};

use crate::helpers::*;

/// Scores from a table keyed by neighbourhoods, so the optimum is known: greedy takes a|x
/// (10) and is left with b|y (0); the exact optimum is a|y + b|x = 18.
const TABLE: &str = r#"
fn eligible(n, g) { if n.neighbourhood == "c" && g.neighbourhood == "y" { "c never with y" } else { true } }
fn score(n, g) {
    let t = #{ "a|x": 10, "a|y": 9, "b|x": 9, "b|y": 0, "c|x": 5, "c|y": 1 };
    let k = n.neighbourhood + "|" + g.neighbourhood;
    #{ fit: if k in t { t[k] } else { 0 }, bonus: 0.25 }
}
"#;

const RUN: &str = "mutation($input: RunMatchingInput!){ runMatching(input:$input){ id status totalScore eligiblePairs matchedCount scriptVersion scriptSha256 inputsHash objective
    pairs { newcomer { id } group { id } score explanation { criterion points } match { id status } }
    matches { id status score }
    unmatched { newcomer { id } reason }
    quality { greedyTotalScore exactTotalScore overallMatchRate byGender { group candidates matched belowFourFifths } byHouseholdType { group } byMainLanguage { group } } } }";

struct World {
    token: String,
    a: String,
    b: String,
    x: String,
    y: String,
}

async fn newcomer_in(app: &TestApp, token: &str, hood: &str) -> String {
    let mut input = newcomer_input("haarlem");
    input["neighbourhood"] = json!(hood);
    let d = app.ok(Some(token), REGISTER, json!({"input": input})).await;
    d["registerNewcomer"]["id"].as_str().unwrap().to_owned()
}

async fn group_in(app: &TestApp, token: &str, hood: &str) -> String {
    let g = app.ready_group(token, "haarlem").await;
    app.ok(
        Some(token),
        "mutation($id:ID!,$h:String!){ updateWelcomeGroup(id:$id, input:{neighbourhood:$h}){ id } }",
        json!({"id": g, "h": hood}),
    )
    .await;
    g
}

async fn world(app: &TestApp) -> World {
    let token = app.user("CITY_ADMIN", Some("haarlem"), None).await;
    app.ok(
        Some(&token),
        "mutation($s:String!){ publishScoringScript(citySlug:\"haarlem\", source:$s){ version } }",
        json!({"s": TABLE}),
    )
    .await;
    World {
        a: newcomer_in(app, &token, "a").await,
        b: newcomer_in(app, &token, "b").await,
        x: group_in(app, &token, "x").await,
        y: group_in(app, &token, "y").await,
        token,
    }
}

fn pair_of(run: &Value, newcomer: &str) -> Option<String> {
    run["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["newcomer"]["id"] == newcomer)
        .map(|p| p["group"]["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_round_proposes_the_exact_optimum_with_explanations_that_add_up() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let d = app.ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem"}})).await;
    let run = &d["runMatching"];
    assert_eq!(run["status"], "PROPOSED");
    assert_eq!(run["scriptVersion"], 2);
    assert_eq!(run["matchedCount"], 2);
    assert_eq!(run["totalScore"], 18.5);
    assert_eq!(pair_of(run, &w.a), Some(w.y.clone()));
    assert_eq!(pair_of(run, &w.b), Some(w.x.clone()));
    assert_eq!(run["quality"]["greedyTotalScore"], 10.5);
    assert_eq!(run["quality"]["exactTotalScore"], 18.5);
    for p in run["pairs"].as_array().unwrap() {
        let sum: f64 = p["explanation"].as_array().unwrap().iter().map(|e| e["points"].as_f64().unwrap()).sum();
        assert!((sum - p["score"].as_f64().unwrap()).abs() < 1e-9, "{p}");
        assert_eq!(p["match"]["status"], "PROPOSED");
    }
    assert_eq!(run["matches"].as_array().unwrap().len(), 2);
    assert_eq!(run["inputsHash"].as_str().unwrap().len(), 64);
    // Nobody is left, so nobody is a candidate: a second round proposes nothing.
    let again = app.ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem"}})).await;
    assert_eq!(again["runMatching"]["matchedCount"], 0);
}

#[tokio::test]
async fn a_dry_run_stores_no_matches() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let d = app.ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem", "dryRun": true}})).await;
    let run = &d["runMatching"];
    assert_eq!(run["status"], "DRY_RUN");
    assert_eq!(run["pairs"].as_array().unwrap().len(), 2);
    assert!(run["pairs"][0]["match"].is_null());
    assert_eq!(run["matches"], json!([]));
    let m = app.ok(Some(&w.token), "{ matches { totalCount } }", json!({})).await;
    assert_eq!(m["matches"]["totalCount"], 0);
    let stored = app
        .ok(Some(&w.token), "query($id:ID!){ matchingRun(id:$id){ status pairs { score } } }", json!({"id": run["id"]}))
        .await;
    assert_eq!(stored["matchingRun"]["pairs"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn locked_and_excluded_pairs_are_honoured() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let locked = app
        .ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem", "dryRun": true, "lockedPairs": [{"newcomerId": w.a, "groupId": w.x}]}}))
        .await;
    assert_eq!(pair_of(&locked["runMatching"], &w.a), Some(w.x.clone()));
    assert_eq!(pair_of(&locked["runMatching"], &w.b), Some(w.y.clone()));
    let excluded = app
        .ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem", "dryRun": true, "excludedPairs": [{"newcomerId": w.a, "groupId": w.y}]}}))
        .await;
    assert_ne!(pair_of(&excluded["runMatching"], &w.a), Some(w.y.clone()));
    let both = app
        .gql(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem", "lockedPairs": [{"newcomerId": w.a, "groupId": w.x}], "excludedPairs": [{"newcomerId": w.a, "groupId": w.x}]}}))
        .await;
    assert_eq!(field(&both).as_deref(), Some("lockedPairs"));
    let unknown = app
        .gql(
            Some(&w.token),
            RUN,
            json!({"input": {"citySlug": "haarlem", "lockedPairs": [{"newcomerId": "nope", "groupId": w.x}]}}),
        )
        .await;
    assert_eq!(field(&unknown).as_deref(), Some("lockedPairs"));
    let m = app.ok(Some(&w.token), "{ matches { totalCount } }", json!({})).await;
    assert_eq!(m["matches"]["totalCount"], 0, "refused rounds store nothing");
}

#[tokio::test]
async fn accepting_starts_the_year_and_rejected_pairs_are_never_proposed_again() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let d = app.ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem"}})).await;
    let run = &d["runMatching"];
    let match_of = |n: &str| {
        run["pairs"].as_array().unwrap().iter().find(|p| p["newcomer"]["id"] == n).unwrap()["match"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ma, mb) = (match_of(&w.a), match_of(&w.b));

    let accepted = app
        .ok(Some(&w.token), "mutation($id:ID!){ acceptMatch(id:$id, introductionDate:\"2026-01-10\"){ status startDate plannedEndDate newcomer { status } group { status currentMatch { id } } } }", json!({"id": ma}))
        .await;
    let m = &accepted["acceptMatch"];
    assert_eq!(m["status"], "ACTIVE");
    assert_eq!(m["newcomer"]["status"], "MATCHED");
    assert_eq!(m["group"]["status"], "MATCHED");
    assert_eq!(m["group"]["currentMatch"]["id"], ma.as_str());
    let start = chrono::NaiveDate::parse_from_str(m["startDate"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let end = chrono::NaiveDate::parse_from_str(m["plannedEndDate"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(end, start.checked_add_months(chrono::Months::new(12)).unwrap());

    let again = app.gql(Some(&w.token), "mutation($id:ID!){ acceptMatch(id:$id){ status } }", json!({"id": ma})).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"));

    let rejected = app
        .ok(
            Some(&w.token),
            "mutation($id:ID!){ rejectMatch(id:$id, reason:\"no click\"){ status endReason run { status } } }",
            json!({"id": mb}),
        )
        .await;
    assert_eq!(rejected["rejectMatch"]["status"], "REJECTED");
    assert_eq!(rejected["rejectMatch"]["run"]["status"], "DECIDED");

    // b and x are candidates again, but never together; with a third group c, b gets it.
    let z = group_in(&app, &w.token, "z").await;
    let next = app.ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem"}})).await;
    assert_eq!(pair_of(&next["runMatching"], &w.b), Some(z));
    let recs = app
        .ok(
            Some(&w.token),
            "query($n:ID!){ recommendations(newcomerId:$n, limit: 5){ eligible reason group { id } } }",
            json!({"n": w.b}),
        )
        .await;
    let x = recs["recommendations"].as_array().unwrap().iter().find(|r| r["group"]["id"] == w.x.as_str()).unwrap();
    assert_eq!(x["eligible"], false);
    assert!(x["reason"].as_str().unwrap().contains("may not be proposed now"));
}

#[tokio::test]
async fn unmatched_newcomers_are_listed_with_the_reason() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let c = newcomer_in(&app, &w.token, "c").await;
    let third = newcomer_in(&app, &w.token, "b").await;
    let d = app.ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem", "dryRun": true}})).await;
    let unmatched = d["runMatching"]["unmatched"].as_array().unwrap().clone();
    assert_eq!(unmatched.len(), 2);
    for u in &unmatched {
        let id = u["newcomer"]["id"].as_str().unwrap();
        assert!(id == c || id == third || id == w.a || id == w.b);
        assert!(u["reason"] == "OUTNUMBERED" || u["reason"] == "NO_ELIGIBLE_GROUP");
    }
    // With x excluded for c, c can only take y, which its rule forbids: no eligible group.
    let d = app
        .ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem", "dryRun": true, "lockedPairs": [{"newcomerId": w.a, "groupId": w.x}]}}))
        .await;
    assert!(
        d["runMatching"]["unmatched"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["reason"] == "OUTNUMBERED" || u["newcomer"]["id"] == c.as_str())
    );
}

#[tokio::test]
async fn a_pair_proposed_by_hand_follows_the_same_rules() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let c = newcomer_in(&app, &w.token, "c").await;
    let q = "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id status score explanation { criterion points } run { id } } }";
    let refused = app.gql(Some(&w.token), q, json!({"n": c, "g": w.y})).await;
    assert_eq!(field(&refused).as_deref(), Some("groupId"));
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("c never with y"));
    let ok = app.ok(Some(&w.token), q, json!({"n": c, "g": w.x})).await;
    assert_eq!(ok["proposeMatch"]["score"], 5.25);
    assert!(ok["proposeMatch"]["run"].is_null());
    let twice = app.gql(Some(&w.token), q, json!({"n": w.a, "g": w.x})).await;
    assert_eq!(field(&twice).as_deref(), Some("groupId"));
}

#[tokio::test]
async fn concurrent_rounds_and_accepts_never_give_anyone_two_live_matches() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = std::sync::Arc::new(spawn_app().await);
    let token = app.admin().await;
    for i in 0..4 {
        app.ready_group(&token, "almere").await;
        let _ = i;
        app.register(&token, "almere").await;
    }
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (app, token) = (app.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let d = app
                .gql(Some(&token), "mutation{ runMatching(input:{citySlug:\"almere\"}){ matches { id } } }", json!({}))
                .await;
            if let Some(ms) = d["data"]["runMatching"]["matches"].as_array() {
                for m in ms {
                    let _ = app
                        .gql(Some(&token), "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m["id"]}))
                        .await;
                }
            } else {
                let c = code(&d);
                assert!(c.as_deref() == Some("CONFLICT"), "{d}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let live = entity::matches::Entity::find()
        .filter(entity::matches::Column::Status.is_in([entity::MatchStatus::Proposed, entity::MatchStatus::Active]))
        .all(&app.state.db)
        .await
        .unwrap();
    let mut newcomers: Vec<_> = live.iter().map(|m| m.newcomer_id.clone()).collect();
    let mut groups: Vec<_> = live.iter().map(|m| m.group_id.clone()).collect();
    newcomers.sort();
    groups.sort();
    let n = newcomers.len();
    newcomers.dedup();
    groups.dedup();
    assert_eq!(newcomers.len(), n);
    assert_eq!(groups.len(), n);
    assert_eq!(n, 4, "every household ends up in exactly one live match");
}

#[tokio::test]
async fn a_coordinator_sees_their_own_match_and_what_it_needs_of_the_newcomer() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.ok(Some(&w.token), RUN, json!({"input": {"citySlug": "haarlem"}})).await;
    let coordinator = app.user("COORDINATOR", None, Some(&w.x)).await;
    let q = "{ matches { totalCount edges { node { id group { id } newcomer { id preferredName languages { code } goals householdSize email } } } } }";
    // While PROPOSED: what the decision needs, no contact details.
    let proposed = app.gql(Some(&coordinator), q, json!({})).await;
    assert_eq!(proposed["data"]["matches"]["edges"][0]["node"]["newcomer"]["preferredName"], "Rama");
    assert_eq!(code(&proposed).as_deref(), Some("FORBIDDEN"), "email while proposed: {proposed}");
    let m = proposed["data"]["matches"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
    app.ok(Some(&w.token), "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m})).await;
    let d = app.ok(Some(&coordinator), q, json!({})).await;
    assert_eq!(d["matches"]["totalCount"], 1);
    let n = &d["matches"]["edges"][0]["node"]["newcomer"];
    assert_eq!(n["id"], w.b.as_str());
    assert_eq!(n["preferredName"], "Rama");
    assert_eq!(n["email"], "rama@example.org", "the newcomer agreed to share contact details");
    let name = app.gql(Some(&coordinator), "query($id:ID!){ newcomer(id:$id){ name } }", json!({"id": w.b})).await;
    assert_eq!(code(&name).as_deref(), Some("FORBIDDEN"));
    let other = app.gql(Some(&coordinator), "query($id:ID!){ newcomer(id:$id){ id } }", json!({"id": w.a})).await;
    assert_eq!(code(&other).as_deref(), Some("NOT_FOUND"));
}

const REJECT_CODED: &str = "mutation($id:ID!,$side:DecisionSide!,$code:DeclineReason!){ rejectMatch(id:$id, reason:\"not now\", side:$side, reasonCode:$code){ status decisionSide declineCode proposableAgainOn } }";
const DRY_PAIRS: &str =
    "mutation($c:String!){ runMatching(input:{citySlug:$c, dryRun:true}){ pairs { newcomer { id } group { id } } } }";

async fn proposed_pairs(app: &TestApp, admin: &str, city: &str) -> Vec<(String, String)> {
    let d = app.ok(Some(admin), DRY_PAIRS, json!({"c": city})).await;
    d["runMatching"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["newcomer"]["id"].as_str().unwrap().to_owned(), p["group"]["id"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_decline_for_timing_lets_the_pair_back_after_the_citys_pause_and_other_declines_never() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let today = chrono::Utc::now().date_naive();
    // The household declines for timing: recorded with its side and code, back in 90 days.
    let (m, n, g) = app.proposed_match(&admin, "haarlem", None).await;
    let d = app.ok(Some(&admin), REJECT_CODED, json!({"id": m, "side": "HOUSEHOLD", "code": "TIMING"})).await;
    let r = &d["rejectMatch"];
    assert_eq!(
        (r["status"].as_str(), r["decisionSide"].as_str(), r["declineCode"].as_str()),
        (Some("REJECTED"), Some("HOUSEHOLD"), Some("TIMING"))
    );
    let back_on = chrono::NaiveDate::parse_from_str(r["proposableAgainOn"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert!((back_on - today).num_days() >= 89 && (back_on - today).num_days() <= 91, "{back_on}");
    assert!(!proposed_pairs(&app, &admin, "haarlem").await.contains(&(n.clone(), g.clone())), "not during the pause");
    // The pause has passed (moved back in the database): the pair is proposed again.
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let row = entity::matches::Entity::find_by_id(m.as_str()).one(&app.state.db).await.unwrap().unwrap();
    let mut am: entity::matches::ActiveModel = row.into();
    am.proposable_again_on = Set(Some(today));
    am.update(&app.state.db).await.unwrap();
    assert!(proposed_pairs(&app, &admin, "haarlem").await.contains(&(n.clone(), g.clone())), "back after the pause");

    // A city with no pause: a decline for the moment is proposable again at once; a decline
    // for no connection never is, with no pause either (each in a city of its own, so the
    // round's only choice is that pair).
    let no_pause = "mutation($c:String!){ updateCitySettings(citySlug:$c, input:{declinePauseDays: 0}){ settings { declinePauseDays } } }";
    for city in ["rotterdam", "den-haag"] {
        let s = app.ok(Some(&admin), no_pause, json!({"c": city})).await;
        assert_eq!(s["updateCitySettings"]["settings"]["declinePauseDays"], 0);
    }
    let (m1, n1, g1) = app.proposed_match(&admin, "rotterdam", None).await;
    app.ok(Some(&admin), REJECT_CODED, json!({"id": m1, "side": "GROUP", "code": "TEMPORARILY_UNAVAILABLE"})).await;
    assert_eq!(proposed_pairs(&app, &admin, "rotterdam").await, [(n1, g1)]);
    let (m2, _, _) = app.proposed_match(&admin, "den-haag", None).await;
    let d = app.ok(Some(&admin), REJECT_CODED, json!({"id": m2, "side": "GROUP", "code": "NO_CONNECTION"})).await;
    assert_eq!(d["rejectMatch"]["proposableAgainOn"], Value::Null);
    assert!(proposed_pairs(&app, &admin, "den-haag").await.is_empty(), "never again");

    // An early end records who asked for it.
    let (active, _, _) = app.active_match(&admin, "almere", None, 2).await;
    let d = app
        .ok(
            Some(&admin),
            "mutation($id:ID!){ endMatch(id:$id, reason:\"moved\", reasonCode: NEWCOMER_MOVED, side: HOUSEHOLD){ decisionSide endReasonCode } }",
            json!({"id": active}),
        )
        .await;
    assert_eq!(d["endMatch"]["decisionSide"], "HOUSEHOLD");

    // Bad settings name their field and change nothing.
    for (input, field) in [(json!({"declinePauseDays": -1}), "declinePauseDays"), (json!({}), "input")] {
        let body = app
            .gql(
                Some(&admin),
                "mutation($i:CitySettingsInput!){ updateCitySettings(citySlug:\"almere\", input:$i){ slug } }",
                json!({"i": input}),
            )
            .await;
        assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    let d = app.ok(Some(&admin), "{ city(slug:\"almere\"){ settings { declinePauseDays } } }", json!({})).await;
    assert_eq!(d["city"]["settings"]["declinePauseDays"], 90);
    // A partner may not read a city's settings.
    let partner = app.user("PARTNER", Some("almere"), None).await;
    let body = app.gql(Some(&partner), "{ city(slug:\"almere\"){ settings { declinePauseDays } } }", json!({})).await;
    assert_eq!(code(&body).as_deref(), Some("FORBIDDEN"), "{body}");
}
