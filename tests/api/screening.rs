//! Screening before READY (per city), new cycles of a completed group, re-confirmation of
//! waiting households, and staff overrides of the script's eligibility.

use serde_json::{Value, json};

use sea_orm::EntityTrait;

use crate::helpers::*;

const READY: &str = "mutation($id:ID!){ markGroupReady(id:$id){ status } }";
const GROUP: &str = "query($id:ID!){ welcomeGroup(id:$id){ status cycle intakeHeldOn preparationAttendedOn version missingForReady { code detail memberIds } } }";
const UPDATE_GROUP: &str = "mutation($id:ID!,$input:UpdateWelcomeGroupInput!){ updateWelcomeGroup(id:$id, input:$input){ intakeHeldOn preparationAttendedOn } }";
const SETTINGS: &str = "mutation($c:String!,$input:CitySettingsInput!){ updateCitySettings(citySlug:$c, input:$input){ settings { declinePauseDays minGroupSize screeningRequired reconfirmAfterDays } } }";
const CYCLE: &str = "mutation($g:ID!,$i:Date,$p:Date){ startNewCycle(groupId:$g, intakeHeldOn:$i, preparationAttendedOn:$p){ status cycle intakeHeldOn missingForReady { code } } }";
const DUE: &str = "query($c:String!){ reconfirmationsDue(citySlug:$c){ id lastConfirmedAt } }";
const CONFIRM: &str = "mutation($n:ID!){ confirmStillWaiting(newcomerId:$n){ id lastConfirmedAt } }";

fn codes(group: &Value) -> Vec<String> {
    group["missingForReady"].as_array().unwrap().iter().map(|g| g["code"].as_str().unwrap().to_owned()).collect()
}

/// A FORMING group without screening dates: five members (one coordinator), `without_vog` of
/// them without a certificate-of-conduct date.
async fn unscreened_group(app: &TestApp, token: &str, city: &str, without_vog: usize) -> (String, Vec<String>) {
    let mut input = group_input(city);
    input.as_object_mut().unwrap().remove("intakeHeldOn");
    input.as_object_mut().unwrap().remove("preparationAttendedOn");
    let g = app.ok(Some(token), CREATE_GROUP, json!({ "input": input })).await["createWelcomeGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut members = Vec::new();
    for i in 0..5 {
        let mut m = member_input(i == 0);
        if i < without_vog {
            m.as_object_mut().unwrap().remove("vogReceivedOn");
        }
        members.push(
            app.ok(Some(token), ADD_MEMBER, json!({"g": g, "input": m})).await["addGroupMember"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    (g, members)
}

async fn audited(app: &TestApp, admin: &str, entity_id: &str, action: &str) -> bool {
    let d = app
        .ok(
            Some(admin),
            "query($id:String!){ auditLog(filter:{entityId:$id}, first: 50){ edges { node { action } } } }",
            json!({"id": entity_id}),
        )
        .await;
    d["auditLog"]["edges"].as_array().unwrap().iter().any(|e| e["node"]["action"] == action)
}

#[tokio::test]
async fn mark_ready_lists_everything_the_screening_still_lacks_and_changes_nothing() {
    let app = spawn_app().await;
    let token = app.user("CITY_ADMIN", Some("almere"), None).await;
    let (g, members) = unscreened_group(&app, &token, "almere", 2).await;

    let body = app.gql(Some(&token), READY, json!({"id": g})).await;
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(field(&body).as_deref(), Some("id"));
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("2 of 5 members have no certificate-of-conduct (VOG) date"), "{message}");
    assert!(message.contains(&members[0]) && message.contains(&members[1]), "member ids: {message}");
    assert!(!message.contains("Marieke"), "no names in the error: {message}");
    assert!(message.contains("intake conversation") && message.contains("preparation meeting"), "{message}");

    let read = app.ok(Some(&token), GROUP, json!({"id": g})).await;
    let group = &read["welcomeGroup"];
    assert_eq!(group["status"], "FORMING", "a refusal changes nothing");
    assert_eq!(codes(group), ["CERTIFICATE_OF_CONDUCT", "INTAKE_CONVERSATION", "PREPARATION_MEETING"]);
    assert_eq!(group["missingForReady"][0]["memberIds"], json!([members[0], members[1]]));

    // A date in the future is bad input naming the field.
    let future = app.gql(Some(&token), UPDATE_GROUP, json!({"id": g, "input": {"intakeHeldOn": "2999-01-01"}})).await;
    assert_eq!(code(&future).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(field(&future).as_deref(), Some("intakeHeldOn"));

    let d = app
        .ok(
            Some(&token),
            UPDATE_GROUP,
            json!({"id": g, "input": {"intakeHeldOn": "2026-03-02", "preparationAttendedOn": "2026-03-20"}}),
        )
        .await;
    assert_eq!(d["updateWelcomeGroup"]["intakeHeldOn"], "2026-03-02");
    assert!(audited(&app, &token, &g, "group.update").await);
    for m in &members[..2] {
        app.ok(
            Some(&token),
            "mutation($id:ID!){ updateGroupMember(id:$id, input:{vogReceivedOn:\"2026-02-10\"}){ id } }",
            json!({"id": m}),
        )
        .await;
    }
    let read = app.ok(Some(&token), GROUP, json!({"id": g})).await;
    assert_eq!(read["welcomeGroup"]["missingForReady"], json!([]));
    let ready = app.ok(Some(&token), READY, json!({"id": g})).await;
    assert_eq!(ready["markGroupReady"]["status"], "READY");
}

#[tokio::test]
async fn the_minimum_size_and_the_screening_are_city_settings() {
    let app = spawn_app().await;
    let token = app.user("CITY_ADMIN", Some("haarlem"), None).await;
    let read = app
        .ok(
            Some(&token),
            "{ city(slug:\"haarlem\"){ settings { minGroupSize screeningRequired reconfirmAfterDays } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["city"]["settings"],
        json!({"minGroupSize": 5, "screeningRequired": true, "reconfirmAfterDays": 90})
    );

    for (input, field_name) in [
        (json!({"minGroupSize": 0}), "minGroupSize"),
        (json!({"minGroupSize": 31}), "minGroupSize"),
        (json!({"reconfirmAfterDays": 1}), "reconfirmAfterDays"),
    ] {
        let body = app.gql(Some(&token), SETTINGS, json!({"c": "haarlem", "input": input})).await;
        assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(field(&body).as_deref(), Some(field_name));
    }
    let d = app
        .ok(Some(&token), SETTINGS, json!({"c": "haarlem", "input": {"minGroupSize": 3, "screeningRequired": false}}))
        .await;
    assert_eq!(d["updateCitySettings"]["settings"]["minGroupSize"], 3);
    assert_eq!(d["updateCitySettings"]["settings"]["screeningRequired"], false);
    assert!(audited(&app, &token, "haarlem", "city.settings").await);

    // Three members without any screening are enough in Haarlem now.
    let (g, members) = unscreened_group(&app, &token, "haarlem", 5).await;
    for m in &members[3..] {
        app.ok(Some(&token), "mutation($id:ID!){ removeGroupMember(id:$id) }", json!({"id": m})).await;
    }
    let ready = app.ok(Some(&token), READY, json!({"id": g})).await;
    assert_eq!(ready["markGroupReady"]["status"], "READY");
    // ... and a READY group that drops below the city's minimum is FORMING again.
    app.ok(Some(&token), "mutation($id:ID!){ removeGroupMember(id:$id) }", json!({"id": members[1]})).await;
    let after = app.ok(Some(&token), "query($id:ID!){ welcomeGroup(id:$id){ status } }", json!({"id": g})).await;
    assert_eq!(after["welcomeGroup"]["status"], "FORMING");

    // Another city keeps the defaults.
    let admin = app.admin().await;
    let (other, _) = unscreened_group(&app, &admin, "almere", 0).await;
    let refused = app.gql(Some(&admin), READY, json!({"id": other})).await;
    assert_eq!(code(&refused).as_deref(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_completed_group_starts_a_new_cycle_and_keeps_its_history() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (old_match, _, g) = app.completed_group(&admin, "almere").await;

    // Only a COMPLETED group starts a new cycle.
    let ready = app.ready_group(&admin, "almere").await;
    let refused = app.gql(Some(&admin), CYCLE, json!({"g": ready})).await;
    assert_eq!(code(&refused).as_deref(), Some("CONFLICT"), "{refused}");

    // Without the new cycle's screening the group goes back to FORMING.
    let d = app.ok(Some(&admin), CYCLE, json!({"g": g})).await;
    let cycle = &d["startNewCycle"];
    assert_eq!(cycle["status"], "FORMING");
    assert_eq!(cycle["cycle"], 2);
    assert!(cycle["intakeHeldOn"].is_null(), "the old cycle's intake does not carry over");
    assert_eq!(codes(cycle), ["INTAKE_CONVERSATION", "PREPARATION_MEETING"]);
    assert!(audited(&app, &admin, &g, "group.new_cycle").await);
    let again = app.gql(Some(&admin), CYCLE, json!({"g": g})).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"));

    app.ok(
        Some(&admin),
        UPDATE_GROUP,
        json!({"id": g, "input": {"intakeHeldOn": "2026-06-01", "preparationAttendedOn": "2026-06-10"}}),
    )
    .await;
    assert_eq!(app.ok(Some(&admin), READY, json!({"id": g})).await["markGroupReady"]["status"], "READY");

    // The old match stays, and the group takes another household.
    let old =
        app.ok(Some(&admin), "query($id:ID!){ match(id:$id){ status group { id } } }", json!({"id": old_match})).await;
    assert_eq!(old["match"]["status"], "COMPLETED");
    let (m, _, _) = app.proposed_match(&admin, "almere", Some(&g)).await;
    assert_ne!(m, old_match);

    // With the dates given, a completed group is READY at once.
    let (_, _, g2) = app.completed_group(&admin, "almere").await;
    let d = app.ok(Some(&admin), CYCLE, json!({"g": g2, "i": "2026-06-01", "p": "2026-06-02"})).await;
    assert_eq!(d["startNewCycle"]["status"], "READY");
    assert_eq!(d["startNewCycle"]["cycle"], 2);
    let future = app.gql(Some(&admin), CYCLE, json!({"g": g2, "p": "2999-01-01"})).await;
    assert_eq!(field(&future).as_deref(), Some("preparationAttendedOn"));
}

#[tokio::test]
async fn a_household_waiting_past_the_period_is_left_out_until_staff_confirm_it() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let stale = app.register(&admin, "almere").await;
    let fresh = app.register(&admin, "almere").await;
    registered_days_ago(&app, &stale, 100).await;
    let g = app.ready_group(&admin, "almere").await;

    let due = app.ok(Some(&admin), DUE, json!({"c": "almere"})).await;
    let ids: Vec<&str> =
        due["reconfirmationsDue"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [stale.as_str()]);

    let run = app
        .ok(
            Some(&admin),
            "mutation{ runMatching(input:{citySlug:\"almere\", dryRun:true}){ newcomerCount unmatched { newcomer { id } reason } pairs { newcomer { id } } } }",
            json!({}),
        )
        .await;
    let run = &run["runMatching"];
    assert_eq!(run["newcomerCount"], 1, "{run}");
    assert_eq!(run["pairs"][0]["newcomer"]["id"], fresh.as_str());
    let left_out: Vec<&Value> = run["unmatched"].as_array().unwrap().iter().collect();
    assert!(
        left_out.iter().any(|u| u["newcomer"]["id"] == stale.as_str() && u["reason"] == "RECONFIRMATION_DUE"),
        "{run}"
    );
    let by_hand = app
        .gql(
            Some(&admin),
            "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id } }",
            json!({"n": stale, "g": g}),
        )
        .await;
    assert_eq!(code(&by_hand).as_deref(), Some("BAD_USER_INPUT"), "{by_hand}");
    assert!(by_hand["errors"][0]["message"].as_str().unwrap().contains("confirmStillWaiting"), "{by_hand}");
    let locked = app
        .gql(
            Some(&admin),
            "mutation($n:ID!,$g:ID!){ runMatching(input:{citySlug:\"almere\", dryRun:true, lockedPairs:[{newcomerId:$n, groupId:$g}]}){ id } }",
            json!({"n": stale, "g": g}),
        )
        .await;
    assert_eq!(field(&locked).as_deref(), Some("lockedPairs"), "{locked}");
    let recs =
        app.gql(Some(&admin), "query($n:ID!){ recommendations(newcomerId:$n){ score } }", json!({"n": stale})).await;
    assert_eq!(code(&recs).as_deref(), Some("CONFLICT"), "{recs}");

    let confirmed = app.ok(Some(&admin), CONFIRM, json!({"n": stale})).await;
    assert!(confirmed["confirmStillWaiting"]["lastConfirmedAt"].is_string());
    assert!(audited(&app, &admin, &stale, "newcomer.confirm_waiting").await);
    let due = app.ok(Some(&admin), DUE, json!({"c": "almere"})).await;
    assert_eq!(due["reconfirmationsDue"], json!([]));
    let run = app
        .ok(
            Some(&admin),
            "mutation{ runMatching(input:{citySlug:\"almere\", dryRun:true}){ newcomerCount } }",
            json!({}),
        )
        .await;
    assert_eq!(run["runMatching"]["newcomerCount"], 2);

    // A longer period in the city's settings: not due.
    registered_days_ago(&app, &stale, 100).await;
    app.ok(Some(&admin), SETTINGS, json!({"c": "almere", "input": {"reconfirmAfterDays": 120}})).await;
    let due = app.ok(Some(&admin), DUE, json!({"c": "almere"})).await;
    assert_eq!(due["reconfirmationsDue"], json!([]));

    // Only a WAITING household confirms.
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved\"){ status } }",
        json!({"id": fresh}),
    )
    .await;
    let withdrawn = app.gql(Some(&admin), CONFIRM, json!({"n": fresh})).await;
    assert_eq!(code(&withdrawn).as_deref(), Some("CONFLICT"));
}

const NOBODY: &str = "fn eligible(n, g) { \"needs an interpreter\" }\nfn score(n, g) { #{ base: 1 } }";
const PROPOSE: &str = "mutation($n:ID!,$g:ID!,$r:String){ proposeMatch(newcomerId:$n, groupId:$g, overrideReason:$r){ id overridden overrideReason explanation { criterion points } } }";

#[tokio::test]
async fn staff_override_the_scripts_eligibility_with_a_reason() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("haarlem"), None).await;
    app.ok(
        Some(&admin),
        "mutation($s:String!){ publishScoringScript(citySlug:\"haarlem\", source:$s){ version } }",
        json!({"s": NOBODY}),
    )
    .await;
    let (n, g) = (app.register(&admin, "haarlem").await, app.ready_group(&admin, "haarlem").await);

    let refused = app.gql(Some(&admin), PROPOSE, json!({"n": n, "g": g})).await;
    assert_eq!(code(&refused).as_deref(), Some("BAD_USER_INPUT"), "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("needs an interpreter"));
    let too_long = app.gql(Some(&admin), PROPOSE, json!({"n": n, "g": g, "r": "x".repeat(501)})).await;
    assert_eq!(field(&too_long).as_deref(), Some("overrideReason"));

    let d =
        app.ok(Some(&admin), PROPOSE, json!({"n": n, "g": g, "r": "an interpreter for Tigrinya was arranged"})).await;
    let m = &d["proposeMatch"];
    assert_eq!(m["overridden"], true);
    assert_eq!(m["overrideReason"], "an interpreter for Tigrinya was arranged");
    assert!(m["explanation"].as_array().unwrap().iter().any(|p| p["criterion"] == "override" && p["points"] == 0.0));
    let id = m["id"].as_str().unwrap().to_owned();
    let stored = entity::matches::Entity::find_by_id(id.as_str()).one(&app.state.db).await.unwrap().unwrap();
    assert!(!stored.override_reason.unwrap().contains("interpreter"), "staff's words are sealed");
    assert!(audited(&app, &admin, &id, "match.propose").await);

    // A locked pair in a round: refused without a reason, forced with one.
    let (n2, g2) = (app.register(&admin, "haarlem").await, app.ready_group(&admin, "haarlem").await);
    let run_q = "mutation($n:ID!,$g:ID!,$r:String){ runMatching(input:{citySlug:\"haarlem\", lockedPairs:[{newcomerId:$n, groupId:$g, overrideReason:$r}]}){ matchedCount quality { overrides } matches { id overridden newcomer { id } explanation { criterion } } } }";
    let no_reason = app.gql(Some(&admin), run_q, json!({"n": n2, "g": g2})).await;
    assert_eq!(code(&no_reason).as_deref(), Some("BAD_USER_INPUT"), "{no_reason}");
    assert_eq!(field(&no_reason).as_deref(), Some("lockedPairs"));
    let run = app.ok(Some(&admin), run_q, json!({"n": n2, "g": g2, "r": "staff know both well"})).await;
    let run = &run["runMatching"];
    assert_eq!(run["matchedCount"], 1, "{run}");
    assert_eq!(run["quality"]["overrides"], 1);
    assert_eq!(run["matches"][0]["overridden"], true);
    assert_eq!(run["matches"][0]["newcomer"]["id"], n2.as_str());
    let excluded = app
        .gql(
            Some(&admin),
            "mutation($n:ID!,$g:ID!){ runMatching(input:{citySlug:\"haarlem\", dryRun:true, excludedPairs:[{newcomerId:$n, groupId:$g, overrideReason:\"no\"}]}){ id } }",
            json!({"n": n2, "g": g2}),
        )
        .await;
    assert_eq!(code(&excluded).as_deref(), Some("BAD_USER_INPUT"));

    // A coordinator sees that a match is an override, never staff's reason.
    let coordinator = app.user("COORDINATOR", Some("haarlem"), Some(&g)).await;
    let seen = app
        .gql(Some(&coordinator), "query($id:ID!){ match(id:$id){ overridden overrideReason } }", json!({"id": id}))
        .await;
    assert_eq!(code(&seen).as_deref(), Some("FORBIDDEN"), "{seen}");

    // Analysts see the flag, not the reason (k = 2: the two alike households are released).
    let analyst = app.user("ANALYST", None, None).await;
    let root = app.admin().await;
    app.adopt_export_policy(&root, Some(2)).await;
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
    let rows: Vec<Value> = body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!rows.is_empty(), "{body}");
    assert!(rows.iter().all(|r| r["staff_override"] == true), "{body}");
    assert!(!body.contains("interpreter"));
}

#[tokio::test]
async fn the_demos_ready_groups_passed_their_screening_and_its_households_are_confirmed() {
    let app = spawn_app().await;
    services::demo::seed(&app.state.db, &app.state.settings).await.expect("demo seed");
    let admin = app.admin().await;
    let d = app
        .ok(
            Some(&admin),
            "{ welcomeGroups(citySlug:\"almere\", status: READY, first: 100) { nodes { id missingForReady { code } } } }",
            json!({}),
        )
        .await;
    let groups = d["welcomeGroups"]["nodes"].as_array().unwrap();
    assert!(!groups.is_empty());
    assert!(groups.iter().all(|g| g["missingForReady"] == json!([])), "{d}");
    let due = app.ok(Some(&admin), DUE, json!({"c": "almere"})).await;
    assert_eq!(due["reconfirmationsDue"], json!([]));
}
