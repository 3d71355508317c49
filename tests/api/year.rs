//! The year together, through HTTP: activities, check-ins, completion, the early end and the
//! re-match, statistics and what the outcomes teach.

use chrono::{Duration, Months};
use serde_json::{Value, json};

use crate::helpers::*;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive()
}

#[tokio::test]
async fn the_full_year_from_accept_to_completion() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("haarlem"), None).await;
    let (m, n, g) = app.active_match(&admin, "haarlem", None, 13).await;
    let coordinator = app.user("COORDINATOR", None, Some(&g)).await;
    let start = today().checked_sub_months(Months::new(13)).unwrap();

    // Activities by the coordinator: within the match's dates only.
    let ok = app
        .ok(
            Some(&coordinator),
            LOG_ACTIVITY,
            json!({"m": m, "input": activity_input(&(start + Duration::days(10)).to_string())}),
        )
        .await;
    assert_eq!(ok["logActivity"]["kind"], "MEAL");
    let before = app
        .gql(
            Some(&coordinator),
            LOG_ACTIVITY,
            json!({"m": m, "input": activity_input(&(start - Duration::days(1)).to_string())}),
        )
        .await;
    assert_eq!(field(&before).as_deref(), Some("date"));
    let future = app
        .gql(
            Some(&coordinator),
            LOG_ACTIVITY,
            json!({"m": m, "input": activity_input(&(today() + Duration::days(1)).to_string())}),
        )
        .await;
    assert_eq!(field(&future).as_deref(), Some("date"));
    let mut bad = activity_input(&start.to_string());
    bad["durationMinutes"] = json!(0);
    assert_eq!(
        field(&app.gql(Some(&coordinator), LOG_ACTIVITY, json!({"m": m, "input": bad})).await).as_deref(),
        Some("durationMinutes")
    );
    let second = app
        .ok(
            Some(&coordinator),
            LOG_ACTIVITY,
            json!({"m": m, "input": activity_input(&(start + Duration::days(40)).to_string())}),
        )
        .await;
    // The author corrects their own entry.
    let mut corrected = activity_input(&(start + Duration::days(41)).to_string());
    corrected["kind"] = json!("LANGUAGE_PRACTICE");
    let c = app
        .ok(
            Some(&coordinator),
            "mutation($id:ID!,$input:ActivityInput!){ updateActivity(id:$id, input:$input){ kind date } }",
            json!({"id": second["logActivity"]["id"], "input": corrected}),
        )
        .await;
    assert_eq!(c["updateActivity"]["kind"], "LANGUAGE_PRACTICE");

    // Check-ins: all three are due; each once.
    let due = app
        .ok(Some(&admin), "{ checkInsDue(citySlug:\"haarlem\"){ month view overdue match { id } } }", json!({}))
        .await;
    let months: Vec<(i64, &str)> = due["checkInsDue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["month"].as_i64().unwrap(), d["view"].as_str().unwrap()))
        .collect();
    let both = |m| [(m, "HOUSEHOLD"), (m, "GROUP")];
    assert_eq!(months, [both(3), both(6), both(12)].concat());
    for month in [3, 6, 12] {
        let r = app.ok(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(month)})).await;
        assert_eq!(r["recordCheckIn"]["month"], month);
    }
    let twice = app.gql(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(3)})).await;
    assert_eq!(code(&twice).as_deref(), Some("CONFLICT"));
    let odd = app.gql(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(4)})).await;
    assert_eq!(field(&odd).as_deref(), Some("month"));
    let mut unhappy = check_in_input(3);
    unhappy["newcomerSatisfaction"] = json!(6);
    assert_eq!(
        field(&app.gql(Some(&coordinator), CHECK_IN, json!({"m": m, "input": unhappy})).await).as_deref(),
        Some("newcomerSatisfaction")
    );
    // The household's own answers, asked without the group present (here by staff).
    for month in [3, 6, 12] {
        let r = app
            .ok(
                Some(&admin),
                "mutation($m:ID!,$input:HouseholdCheckInInput!){ recordHouseholdCheckIn(matchId:$m, input:$input){ month } }",
                json!({"m": m, "input": household_input(month)}),
            )
            .await;
        assert_eq!(r["recordHouseholdCheckIn"]["month"], month);
    }
    let due = app.ok(Some(&admin), "{ checkInsDue(citySlug:\"haarlem\"){ month } }", json!({})).await;
    assert_eq!(due["checkInsDue"], json!([]));

    // Completion after twelve months.
    let listed = app.ok(Some(&admin), "{ matchesDueForCompletion(citySlug:\"haarlem\"){ id } }", json!({})).await;
    assert_eq!(listed["matchesDueForCompletion"][0]["id"], m.as_str());
    let done = app
        .ok(Some(&admin), "mutation($id:ID!){ completeMatch(id:$id){ status endDate newcomer { status } group { status } activities { totalCount edges { node { kind } } } checkIns { month networkSize } } }", json!({"id": m}))
        .await;
    let d = &done["completeMatch"];
    assert_eq!(d["status"], "COMPLETED");
    assert_eq!(d["newcomer"]["status"], "COMPLETED");
    assert_eq!(d["group"]["status"], "COMPLETED");
    assert_eq!(d["activities"]["totalCount"], 2);
    assert_eq!(d["activities"]["edges"][0]["node"]["kind"], "LANGUAGE_PRACTICE", "newest first");
    assert_eq!(d["checkIns"].as_array().unwrap().len(), 3);
    let late =
        app.gql(Some(&coordinator), LOG_ACTIVITY, json!({"m": m, "input": activity_input(&today().to_string())})).await;
    assert_eq!(code(&late).as_deref(), Some("CONFLICT"));

    // Statistics: exact for staff, suppressed for analysts.
    let s = app.ok(Some(&admin), "{ cityStatistics(citySlug:\"haarlem\"){ completedMatches { value display } checkIns { month count { value } meanNewcomerSatisfaction } activitiesPerMonth { kind count { value } } } }", json!({})).await;
    assert_eq!(s["cityStatistics"]["completedMatches"], json!({"value": 1, "display": "1"}));
    assert_eq!(s["cityStatistics"]["checkIns"][0]["meanNewcomerSatisfaction"], 4.0);
    let analyst = app.user("ANALYST", None, None).await;
    let a = app.ok(Some(&analyst), "{ cityStatistics(citySlug:\"haarlem\"){ completedMatches { value display suppressed } checkIns { meanNewcomerSatisfaction } } }", json!({})).await;
    assert_eq!(a["cityStatistics"]["completedMatches"], json!({"value": null, "display": "<5", "suppressed": true}));
    assert_eq!(a["cityStatistics"]["checkIns"][0]["meanNewcomerSatisfaction"], serde_json::Value::Null);
    let outcomes = app.ok(Some(&admin), "{ criterionOutcomes(citySlug:\"haarlem\"){ criterion threshold high { matches { value } } low { matches { value } meanNewcomerSatisfaction meanDutchProgress } } }", json!({})).await;
    let list = outcomes["criterionOutcomes"].as_array().unwrap();
    assert!(!list.is_empty());
    let total: i64 =
        list[0]["high"]["matches"]["value"].as_i64().unwrap() + list[0]["low"]["matches"]["value"].as_i64().unwrap();
    assert_eq!(total, 1);
    // The newcomer registered at A2 and reached B1: one step.
    let with_progress = list.iter().find(|c| !c["low"]["meanDutchProgress"].is_null()).unwrap();
    assert_eq!(with_progress["low"]["meanDutchProgress"], 1.0);

    // The audit log tells the year, for the city's staff.
    let audit = app
        .ok(
            Some(&admin),
            "query($id:String!){ auditLog(filter:{entityId:$id}){ totalCount edges { node { action actorRole } } } }",
            json!({"id": m}),
        )
        .await;
    let actions: Vec<&str> =
        audit["auditLog"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["match.complete", "match.accept", "match.propose"]);
    let _ = n;
}

#[tokio::test]
async fn an_early_end_puts_the_newcomer_back_in_the_queue_and_the_pair_is_never_repeated() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    // The first group would win every time: a script that strongly prefers it.
    let first = app.ready_group(&admin, "almere").await;
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ updateWelcomeGroup(id:$id, input:{neighbourhood:\"favourite\"}){ id } }",
        json!({"id": first}),
    )
    .await;
    let script = "fn eligible(n, g) { true }\nfn score(n, g) { #{ favourite: if g.neighbourhood == \"favourite\" { 100 } else { 1 } } }";
    app.ok(
        Some(&admin),
        "mutation($s:String!){ publishScoringScript(citySlug:\"almere\", source:$s){ version } }",
        json!({"s": script}),
    )
    .await;
    let (m, n, _) = app.active_match(&admin, "almere", Some(&first), 2).await;
    let before = app.ok(Some(&admin), "query($id:ID!){ newcomer(id:$id){ waitingSince } }", json!({"id": n})).await;

    let ended = app
        .ok(Some(&admin), "mutation($id:ID!){ endMatch(id:$id, reason:\"they did not click\", reasonCode: NO_CONNECTION){ status endReason newcomer { status waitingSince } group { status } } }", json!({"id": m}))
        .await;
    let e = &ended["endMatch"];
    assert_eq!(e["status"], "ENDED_EARLY");
    assert_eq!(e["newcomer"]["status"], "WAITING");
    // The household keeps its place, counting only the time it waited: its waiting start moves
    // forward by the days it spent in the match.
    let started = app.ok(Some(&admin), "query($id:ID!){ match(id:$id){ startDate } }", json!({"id": m})).await;
    let start = chrono::NaiveDate::parse_from_str(started["match"]["startDate"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let in_match = (today() - start).num_days();
    let since = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let moved = since(&e["newcomer"]["waitingSince"]) - since(&before["newcomer"]["waitingSince"]);
    assert_eq!(moved.num_days(), in_match, "only the time spent waiting counts");
    assert_eq!(e["group"]["status"], "READY");
    let again =
        app.gql(Some(&admin), "mutation($id:ID!){ endMatch(id:$id, reason:\"x\"){ status } }", json!({"id": m})).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"));

    let second = app.ready_group(&admin, "almere").await;
    let run = app
        .ok(
            Some(&admin),
            "mutation{ runMatching(input:{citySlug:\"almere\"}){ pairs { newcomer { id } group { id } } } }",
            json!({}),
        )
        .await;
    let pair = run["runMatching"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["newcomer"]["id"] == n.as_str())
        .unwrap()
        .clone();
    assert_eq!(pair["group"]["id"], second.as_str(), "never the pair that ended early");
    let stats = app.ok(Some(&admin), "{ cityStatistics(citySlug:\"almere\"){ endedEarlyMatches { value } endedEarlyByReason { reason count { value } } } }", json!({})).await;
    assert_eq!(
        stats["cityStatistics"]["endedEarlyByReason"],
        json!([{"reason": "NO_CONNECTION", "count": {"value": 1}}])
    );
}

#[tokio::test]
async fn withdrawing_a_matched_newcomer_ends_the_match_first() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (m, n, g) = app.active_match(&admin, "rotterdam", None, 1).await;
    let w = app
        .ok(
            Some(&admin),
            "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved abroad\"){ status } }",
            json!({"id": n}),
        )
        .await;
    assert_eq!(w["withdrawNewcomer"]["status"], "WITHDRAWN");
    let after = app
        .ok(
            Some(&admin),
            "query($m:ID!,$g:ID!){ match(id:$m){ status endReasonCode } welcomeGroup(id:$g){ status } }",
            json!({"m": m, "g": g}),
        )
        .await;
    assert_eq!(after["match"], json!({"status": "ENDED_EARLY", "endReasonCode": "NEWCOMER_REQUEST"}));
    assert_eq!(after["welcomeGroup"]["status"], "READY");
}

#[tokio::test]
async fn a_coordinator_cannot_read_or_write_another_groups_match() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (mine, _, my_group) = app.active_match(&admin, "almere", None, 4).await;
    let (theirs, _, _) = app.active_match(&admin, "almere", None, 4).await;
    let coordinator = app.user("COORDINATOR", None, Some(&my_group)).await;
    app.ok(Some(&coordinator), LOG_ACTIVITY, json!({"m": mine, "input": activity_input(&today().to_string())})).await;
    for (q, v) in [
        ("query($m:ID!){ match(id:$m){ id } }", json!({"m": theirs})),
        (LOG_ACTIVITY, json!({"m": theirs, "input": activity_input(&today().to_string())})),
        (CHECK_IN, json!({"m": theirs, "input": check_in_input(3)})),
    ] {
        let body = app.gql(Some(&coordinator), q, v).await;
        assert_eq!(code(&body).as_deref(), Some("NOT_FOUND"), "{q}: {body}");
    }
    let end = app
        .gql(Some(&coordinator), "mutation($m:ID!){ endMatch(id:$m, reason:\"x\"){ id } }", json!({"m": mine}))
        .await;
    assert_eq!(code(&end).as_deref(), Some("FORBIDDEN"));
}

/// The programme's year as the README tells it: screening → READY → proposed → declined by the
/// household for timing → proposed again after the pause → accepted → check-ins in both views →
/// ended early by the group with a code → exit check-ins → the household waits again, with only
/// its time spent waiting counted.
#[tokio::test]
async fn the_programmes_year_from_screening_to_the_exit_check_in() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("haarlem"), None).await;

    // Screening: no intake, no preparation, one member without a certificate of conduct.
    let mut group = group_input("haarlem");
    group.as_object_mut().unwrap().remove("intakeHeldOn");
    group.as_object_mut().unwrap().remove("preparationAttendedOn");
    let g = app.ok(Some(&admin), CREATE_GROUP, json!({"input": group})).await["createWelcomeGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut members = Vec::new();
    for i in 0..5 {
        let mut m = member_input(i == 0);
        if i == 4 {
            m.as_object_mut().unwrap().remove("vogReceivedOn");
        }
        members
            .push(app.ok(Some(&admin), ADD_MEMBER, json!({"g": g, "input": m})).await["addGroupMember"]["id"].clone());
    }
    let ready = "mutation($id:ID!){ markGroupReady(id:$id){ status } }";
    let refused = app.gql(Some(&admin), ready, json!({"id": g})).await;
    assert_eq!(code(&refused).as_deref(), Some("BAD_USER_INPUT"), "{refused}");
    let missing = app
        .ok(Some(&admin), "query($id:ID!){ welcomeGroup(id:$id){ missingForReady { code } } }", json!({"id": g}))
        .await;
    let codes: Vec<&str> = missing["welcomeGroup"]["missingForReady"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CERTIFICATE_OF_CONDUCT", "INTAKE_CONVERSATION", "PREPARATION_MEETING"]);
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ updateGroupMember(id:$id, input:{vogReceivedOn:\"2026-02-01\"}){ id } }",
        json!({"id": members[4]}),
    )
    .await;
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ updateWelcomeGroup(id:$id, input:{intakeHeldOn:\"2026-02-10\", preparationAttendedOn:\"2026-02-20\"}){ id } }",
        json!({"id": g}),
    )
    .await;
    assert_eq!(app.ok(Some(&admin), ready, json!({"id": g})).await["markGroupReady"]["status"], "READY");
    let coordinator = app.user("COORDINATOR", None, Some(&g)).await;

    // The household, with its baseline.
    let mut household = newcomer_input("haarlem");
    household["baseline"] = json!({"networkSize": 1, "workStatus": "NONE", "dutchLevel": "A1", "wellbeing": 2});
    let n = app.ok(Some(&admin), REGISTER, json!({"input": household})).await["registerNewcomer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let waited = app.ok(Some(&admin), "query($id:ID!){ newcomer(id:$id){ waitingSince } }", json!({"id": n})).await;

    // Proposed; the household declines for timing; not again during the pause; again after it.
    let propose = "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id } }";
    let first =
        app.ok(Some(&admin), propose, json!({"n": n, "g": g})).await["proposeMatch"]["id"].as_str().unwrap().to_owned();
    let declined = app
        .ok(Some(&admin), "mutation($id:ID!){ rejectMatch(id:$id, reason:\"after the move\", side: HOUSEHOLD, reasonCode: TIMING){ status decisionSide declineCode proposableAgainOn } }", json!({"id": first}))
        .await;
    assert_eq!(declined["rejectMatch"]["decisionSide"], "HOUSEHOLD");
    assert_eq!(declined["rejectMatch"]["declineCode"], "TIMING");
    let paused = app.gql(Some(&admin), propose, json!({"n": n, "g": g})).await;
    assert_eq!((code(&paused).as_deref(), field(&paused).as_deref()), (Some("BAD_USER_INPUT"), Some("groupId")));
    {
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let row = entity::matches::Entity::find_by_id(first.as_str()).one(&app.state.db).await.unwrap().unwrap();
        let mut am: entity::matches::ActiveModel = row.into();
        am.proposable_again_on = Set(Some(today()));
        am.update(&app.state.db).await.unwrap();
    }
    let m =
        app.ok(Some(&admin), propose, json!({"n": n, "g": g})).await["proposeMatch"]["id"].as_str().unwrap().to_owned();
    app.ok(Some(&admin), "mutation($id:ID!){ acceptMatch(id:$id){ status } }", json!({"id": m})).await;
    app.backdate(&m, 4).await;

    // Month 3 in both views: the household's by its community builder, the group's by its
    // coordinator, who never reads the household's.
    let builder = app.user("COMMUNITY_BUILDER", Some("haarlem"), None).await;
    let builder_id = app.ok(Some(&builder), "{ me { id } }", json!({})).await["me"]["id"].clone();
    app.ok(
        Some(&admin),
        "mutation($m:ID!,$u:ID){ assignCommunityBuilder(matchId:$m, userId:$u){ id } }",
        json!({"m": m, "u": builder_id}),
    )
    .await;
    let household_check_in =
        "mutation($m:ID!,$input:HouseholdCheckInInput!){ recordHouseholdCheckIn(matchId:$m, input:$input){ month } }";
    app.ok(Some(&builder), household_check_in, json!({"m": m, "input": household_input(3)})).await;
    app.ok(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(3)})).await;
    let hidden = app
        .gql(
            Some(&coordinator),
            "query($id:ID!){ match(id:$id){ householdCheckIns { satisfaction } } }",
            json!({"id": m}),
        )
        .await;
    assert_eq!(code(&hidden).as_deref(), Some("FORBIDDEN"));

    // Ended early by the group, with a code; the exit check-ins in both views.
    let ended = app
        .ok(Some(&admin), "mutation($id:ID!){ endMatch(id:$id, reason:\"two members moved\", reasonCode: GROUP_REQUEST, side: GROUP){ status endReasonCode decisionSide } }", json!({"id": m}))
        .await;
    assert_eq!(
        ended["endMatch"],
        json!({"status": "ENDED_EARLY", "endReasonCode": "GROUP_REQUEST", "decisionSide": "GROUP"})
    );
    let due = app.ok(Some(&admin), "{ checkInsDue(citySlug:\"haarlem\"){ month view match { id } } }", json!({})).await;
    let exit: Vec<(i64, &str)> = due["checkInsDue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["match"]["id"] == m.as_str())
        .map(|d| (d["month"].as_i64().unwrap(), d["view"].as_str().unwrap()))
        .collect();
    assert_eq!(exit, [(0, "HOUSEHOLD"), (0, "GROUP")]);
    app.ok(Some(&builder), household_check_in, json!({"m": m, "input": household_input(0)})).await;
    app.ok(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(0)})).await;
    let views = app
        .ok(
            Some(&admin),
            "query($id:ID!){ match(id:$id){ checkIns { month view } householdCheckIns { month view } } }",
            json!({"id": m}),
        )
        .await;
    assert_eq!(views["match"]["checkIns"], json!([{"month": 0, "view": "GROUP"}, {"month": 3, "view": "GROUP"}]));
    assert_eq!(
        views["match"]["householdCheckIns"],
        json!([{"month": 0, "view": "HOUSEHOLD"}, {"month": 3, "view": "HOUSEHOLD"}])
    );

    // Waiting again, with only the time spent waiting counted.
    let after = app
        .ok(
            Some(&admin),
            "query($id:ID!){ newcomer(id:$id){ status waitingSince baseline { wellbeing } } }",
            json!({"id": n}),
        )
        .await;
    assert_eq!(after["newcomer"]["status"], "WAITING");
    assert_eq!(after["newcomer"]["baseline"]["wellbeing"], 2);
    let started = app.ok(Some(&admin), "query($id:ID!){ match(id:$id){ startDate } }", json!({"id": m})).await;
    let start = chrono::NaiveDate::parse_from_str(started["match"]["startDate"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let since = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let moved = since(&after["newcomer"]["waitingSince"]) - since(&waited["newcomer"]["waitingSince"]);
    assert_eq!(moved.num_days(), (today() - start).num_days(), "the months in the match do not count as waiting");
}

/// `criterionOutcomes` never pools script versions: the demo's matches come from a round of
/// version 1; a match proposed by a round of a newly published version is compared on its own.
#[tokio::test]
async fn criterion_outcomes_are_per_script_version() {
    let app = spawn_app().await;
    services::demo::seed(&app.state.db, &app.state.settings).await.expect("demo seed");
    let admin = app.admin().await;
    let source =
        "fn eligible(n, g) { true }\nfn score(n, g) { #{ closeness: 10 - age_gap(n.age, g.member_ages) / 10 } }";
    let published = app
        .ok(
            Some(&admin),
            "mutation($s:String!){ publishScoringScript(citySlug:\"almere\", source:$s){ version } }",
            json!({"s": source}),
        )
        .await;
    let version = published["publishScoringScript"]["version"].as_i64().unwrap();
    assert!(version >= 2);
    let run = app
        .ok(Some(&admin), "mutation { runMatching(input:{citySlug:\"almere\"}){ matches { id } } }", json!({}))
        .await;
    let m = run["runMatching"]["matches"][0]["id"].as_str().expect("the round proposed a match").to_owned();
    app.ok(Some(&admin), "mutation($id:ID!){ acceptMatch(id:$id){ status } }", json!({"id": m})).await;
    let q = "{ criterionOutcomes(citySlug:\"almere\"){ scriptVersion criterion high { matches { value } } low { matches { value } } } }";
    let list = app.ok(Some(&admin), q, json!({})).await["criterionOutcomes"].as_array().unwrap().clone();
    let count =
        |o: &Value| o["high"]["matches"]["value"].as_i64().unwrap() + o["low"]["matches"]["value"].as_i64().unwrap();
    let new: Vec<&Value> = list.iter().filter(|o| o["scriptVersion"] == json!(version)).collect();
    assert_eq!(new.len(), 1, "the new version's one criterion: {list:?}");
    assert_eq!(new[0]["criterion"], "closeness");
    assert_eq!(count(new[0]), 1, "one match behind the new version's figures");
    let old: Vec<&Value> = list.iter().filter(|o| o["scriptVersion"] == json!(1)).collect();
    assert!(!old.is_empty() && old.iter().all(|o| o["criterion"] != "closeness"), "{list:?}");
    let started_v1 = count(old[0]);
    assert!(
        started_v1 > 1 && old.iter().all(|o| count(o) == started_v1),
        "each of version 1's criteria over its matches"
    );
}
