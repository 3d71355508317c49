//! The household's own voice and the people around a match, through HTTP: community builders
//! assigned to matches, check-ins in two views (the household's never readable by the group),
//! exit check-ins after an early end, the baseline at registration, a coordinator's account
//! that follows its person, and a member leaving a group below the minimum.

use serde_json::{Value, json};

use crate::helpers::*;

const HOUSEHOLD_CHECK_IN: &str = "mutation($m:ID!,$input:HouseholdCheckInInput!){ recordHouseholdCheckIn(matchId:$m, input:$input){ id month view satisfaction wellbeing notes } }";
const ASSIGN: &str = "mutation($m:ID!,$u:ID){ assignCommunityBuilder(matchId:$m, userId:$u){ id communityBuilderId } }";
const DUE: &str = "{ checkInsDue(citySlug:\"almere\"){ month view overdue match { id } } }";

async fn my_id(app: &TestApp, token: &str) -> String {
    app.ok(Some(token), "{ me { id } }", json!({})).await["me"]["id"].as_str().unwrap().to_owned()
}

async fn coordinator_of(app: &TestApp, admin: &str, group: &str) -> String {
    let d =
        app.ok(Some(admin), "query($g:ID!){ welcomeGroup(id:$g){ coordinator { id } } }", json!({"g": group})).await;
    d["welcomeGroup"]["coordinator"]["id"].as_str().unwrap().to_owned()
}

fn due_for<'a>(due: &'a Value, m: &str) -> Vec<(i64, &'a str)> {
    let mut out: Vec<(i64, &str)> = due["checkInsDue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["match"]["id"] == m)
        .map(|d| (d["month"].as_i64().unwrap(), d["view"].as_str().unwrap()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_community_builder_records_the_households_view_which_the_group_never_reads() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let (m, n, g) = app.active_match(&admin, "almere", None, 4).await;
    let (other, _, _) = app.active_match(&admin, "almere", None, 4).await;
    let builder = app.user("COMMUNITY_BUILDER", Some("almere"), None).await;
    let coordinator = app.user("COORDINATOR", None, Some(&g)).await;

    // Before the assignment the community builder reaches nothing.
    let before = app.gql(Some(&builder), "query($id:ID!){ match(id:$id){ id } }", json!({"id": m})).await;
    assert_eq!(code(&before).as_deref(), Some("NOT_FOUND"));
    // Only a COMMUNITY_BUILDER of the match's city can be assigned.
    let partner = app.user("PARTNER", Some("almere"), None).await;
    let wrong = app.gql(Some(&admin), ASSIGN, json!({"m": m, "u": my_id(&app, &partner).await})).await;
    assert_eq!((code(&wrong).as_deref(), field(&wrong).as_deref()), (Some("BAD_USER_INPUT"), Some("userId")));
    let elsewhere = app.user("COMMUNITY_BUILDER", Some("rotterdam"), None).await;
    let wrong = app.gql(Some(&admin), ASSIGN, json!({"m": m, "u": my_id(&app, &elsewhere).await})).await;
    assert_eq!(code(&wrong).as_deref(), Some("BAD_USER_INPUT"));
    let builder_id = my_id(&app, &builder).await;
    let d = app.ok(Some(&admin), ASSIGN, json!({"m": m, "u": builder_id})).await;
    assert_eq!(d["assignCommunityBuilder"]["communityBuilderId"], builder_id.as_str());

    // Now the match, its household (in full) and its group; not another match.
    let read = app
        .ok(
            Some(&builder),
            "query($id:ID!){ match(id:$id){ newcomer { id name phone } group { id } } }",
            json!({"id": m}),
        )
        .await;
    assert_eq!(read["match"]["newcomer"]["id"], n.as_str());
    assert_eq!(read["match"]["newcomer"]["name"], "Rama Haddad");
    assert_eq!(read["match"]["group"]["id"], g.as_str());
    let list = app.ok(Some(&builder), "{ matches { totalCount } newcomers { totalCount } }", json!({})).await;
    assert_eq!((list["matches"]["totalCount"].as_i64(), list["newcomers"]["totalCount"].as_i64()), (Some(1), Some(1)));
    let not_mine = app.gql(Some(&builder), "query($id:ID!){ match(id:$id){ id } }", json!({"id": other})).await;
    assert_eq!(code(&not_mine).as_deref(), Some("NOT_FOUND"));
    let refused = app.gql(Some(&builder), HOUSEHOLD_CHECK_IN, json!({"m": other, "input": household_input(3)})).await;
    assert_eq!(code(&refused).as_deref(), Some("NOT_FOUND"));

    // Month 3 is due in both views.
    let due = app.ok(Some(&admin), DUE, json!({})).await;
    assert_eq!(due_for(&due, &m), vec![(3, "GROUP"), (3, "HOUSEHOLD")]);

    // The household's answers, recorded by the community builder; bad input names the field.
    let bad = app
        .gql(Some(&builder), HOUSEHOLD_CHECK_IN, json!({"m": m, "input": {"month": 3, "satisfaction": 3, "wellbeing": 9, "dutchLevel": "A2", "workStatus": "SEARCHING", "networkSize": 4}}))
        .await;
    assert_eq!((code(&bad).as_deref(), field(&bad).as_deref()), (Some("BAD_USER_INPUT"), Some("wellbeing")));
    let early = app.gql(Some(&builder), HOUSEHOLD_CHECK_IN, json!({"m": m, "input": household_input(6)})).await;
    assert_eq!((code(&early).as_deref(), field(&early).as_deref()), (Some("BAD_USER_INPUT"), Some("month")));
    let rec = app.ok(Some(&builder), HOUSEHOLD_CHECK_IN, json!({"m": m, "input": household_input(3)})).await;
    assert_eq!(rec["recordHouseholdCheckIn"]["view"], "HOUSEHOLD");
    assert_eq!(rec["recordHouseholdCheckIn"]["notes"], "told in Tigrinya");
    let twice = app.gql(Some(&builder), HOUSEHOLD_CHECK_IN, json!({"m": m, "input": household_input(3)})).await;
    assert_eq!(code(&twice).as_deref(), Some("CONFLICT"));

    // The group records its own view; it never reads the household's.
    app.ok(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(3)})).await;
    let hidden = app
        .gql(
            Some(&coordinator),
            "query($id:ID!){ match(id:$id){ checkIns { month view } householdCheckIns { satisfaction } } }",
            json!({"id": m}),
        )
        .await;
    assert_eq!(code(&hidden).as_deref(), Some("FORBIDDEN"));
    assert_eq!(hidden["data"]["match"]["checkIns"], json!([{"month": 3, "view": "GROUP"}]), "{hidden}");
    assert_eq!(hidden["data"]["match"]["checkIns"], json!([{"month": 3, "view": "GROUP"}]));
    assert_eq!(hidden["data"]["match"]["householdCheckIns"], Value::Null);
    let write = app.gql(Some(&coordinator), HOUSEHOLD_CHECK_IN, json!({"m": m, "input": household_input(3)})).await;
    assert_eq!(code(&write).as_deref(), Some("FORBIDDEN"));
    // The coordinator's own view of the household has no baseline (staff only).
    let baseline = app
        .gql(Some(&coordinator), "query($id:ID!){ newcomer(id:$id){ baseline { wellbeing } } }", json!({"id": n}))
        .await;
    assert_eq!(code(&baseline).as_deref(), Some("FORBIDDEN"));

    // Staff read both views; nothing is due any more for month 3.
    let both = app
        .ok(
            Some(&admin),
            "query($id:ID!){ match(id:$id){ checkIns { view } householdCheckIns { view satisfaction } } }",
            json!({"id": m}),
        )
        .await;
    assert_eq!(both["match"]["householdCheckIns"], json!([{"view": "HOUSEHOLD", "satisfaction": 3}]));
    let due = app.ok(Some(&admin), DUE, json!({})).await;
    assert!(due_for(&due, &m).is_empty());

    // Unassigned, the community builder reaches nothing again, from the next request on.
    app.ok(Some(&admin), ASSIGN, json!({"m": m, "u": null})).await;
    let gone = app.gql(Some(&builder), "query($id:ID!){ match(id:$id){ id } }", json!({"id": m})).await;
    assert_eq!(code(&gone).as_deref(), Some("NOT_FOUND"));
    // The personal-data report holds the household's view too.
    let report = app.ok(Some(&admin), "query($id:ID!){ personalDataReport(newcomerId:$id) }", json!({"id": n})).await;
    assert_eq!(report["personalDataReport"]["householdCheckIns"][0]["notes"], "told in Tigrinya");
}

#[tokio::test]
async fn an_early_end_asks_for_an_exit_check_in_in_both_views() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let (m, _, g) = app.active_match(&admin, "almere", None, 2).await;
    let coordinator = app.user("COORDINATOR", None, Some(&g)).await;
    let not_yet = app.gql(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(0)})).await;
    assert_eq!((code(&not_yet).as_deref(), field(&not_yet).as_deref()), (Some("BAD_USER_INPUT"), Some("month")));
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ endMatch(id:$id, reason:\"moved away\", reasonCode: GROUP_REQUEST, side: GROUP){ status } }",
        json!({"id": m}),
    )
    .await;
    let due = app.ok(Some(&admin), DUE, json!({})).await;
    assert_eq!(due_for(&due, &m), vec![(0, "GROUP"), (0, "HOUSEHOLD")]);
    // The group's exit check-in by its coordinator (who may still write on its ended match),
    // the household's by staff.
    app.ok(Some(&coordinator), CHECK_IN, json!({"m": m, "input": check_in_input(0)})).await;
    let exit = app.ok(Some(&admin), HOUSEHOLD_CHECK_IN, json!({"m": m, "input": household_input(0)})).await;
    assert_eq!(exit["recordHouseholdCheckIn"]["month"], 0);
    let due = app.ok(Some(&admin), DUE, json!({})).await;
    assert!(due_for(&due, &m).is_empty());
    // Month 3 never fell due before the end: refused.
    let late = app.gql(Some(&admin), HOUSEHOLD_CHECK_IN, json!({"m": m, "input": household_input(3)})).await;
    assert_eq!(code(&late).as_deref(), Some("CONFLICT"));
}

#[tokio::test]
async fn the_baseline_is_taken_at_registration_or_later_and_read_by_staff_only() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let partner = app.user("PARTNER", Some("almere"), None).await;
    let mut input = newcomer_input("almere");
    input["baseline"] = json!({"networkSize": 2, "workStatus": "NONE", "dutchLevel": "A1", "wellbeing": 6});
    let bad = app.gql(Some(&partner), REGISTER, json!({"input": input})).await;
    assert_eq!((code(&bad).as_deref(), field(&bad).as_deref()), (Some("BAD_USER_INPUT"), Some("baseline.wellbeing")));
    input["baseline"]["wellbeing"] = json!(2);
    let d = app.ok(Some(&partner), REGISTER, json!({"input": input})).await;
    let n = d["registerNewcomer"]["id"].as_str().unwrap().to_owned();
    let read = app
        .ok(
            Some(&admin),
            "query($id:ID!){ newcomer(id:$id){ baseline { networkSize workStatus dutchLevel wellbeing recordedOn } } }",
            json!({"id": n}),
        )
        .await;
    let b = &read["newcomer"]["baseline"];
    assert_eq!(
        (b["networkSize"].as_i64(), b["workStatus"].as_str(), b["wellbeing"].as_i64()),
        (Some(2), Some("NONE"), Some(2))
    );
    assert!(b["recordedOn"].is_string());
    let hidden =
        app.gql(Some(&partner), "query($id:ID!){ newcomer(id:$id){ baseline { wellbeing } } }", json!({"id": n})).await;
    assert_eq!(code(&hidden).as_deref(), Some("FORBIDDEN"));
    // Taken again later (here by staff), audited.
    let later = app
        .ok(Some(&admin), "mutation($id:ID!){ recordBaseline(newcomerId:$id, input:{networkSize:5, workStatus: EDUCATION, dutchLevel: A2, wellbeing:4}){ baseline { networkSize wellbeing } } }", json!({"id": n}))
        .await;
    assert_eq!(later["recordBaseline"]["baseline"], json!({"networkSize": 5, "wellbeing": 4}));
    let bad = app
        .gql(Some(&admin), "mutation($id:ID!){ recordBaseline(newcomerId:$id, input:{networkSize:-1, workStatus: EDUCATION, dutchLevel: A2, wellbeing:4}){ id } }", json!({"id": n}))
        .await;
    assert_eq!((code(&bad).as_deref(), field(&bad).as_deref()), (Some("BAD_USER_INPUT"), Some("networkSize")));
    let audit =
        app.ok(Some(&admin), "{ auditLog(filter:{action:\"newcomer.baseline\"}){ totalCount } }", json!({})).await;
    assert_eq!(audit["auditLog"]["totalCount"], 1);
}

#[tokio::test]
async fn a_coordinators_account_follows_the_person_through_a_handover() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let g = app.ready_group(&admin, "almere").await;
    let first = coordinator_of(&app, &admin, &g).await;
    let old = app.user("COORDINATOR", None, Some(&g)).await;
    let read = "query($g:ID!){ welcomeGroup(id:$g){ id } }";
    app.ok(Some(&old), read, json!({"g": g})).await;
    let next = app.add_member(&admin, &g, false).await;
    let hand = "mutation($g:ID!,$m:ID!){ handOverCoordination(groupId:$g, memberId:$m){ id } }";
    app.ok(Some(&admin), hand, json!({"g": g, "m": next})).await;
    // The old coordinator's account no longer reaches the group; the new person's does.
    let refused = app.gql(Some(&old), read, json!({"g": g})).await;
    assert_eq!(code(&refused).as_deref(), Some("FORBIDDEN"));
    let new = app.user("COORDINATOR", None, Some(&g)).await;
    app.ok(Some(&new), read, json!({"g": g})).await;
    // Handed back, the first person's account works again and the second's stops.
    app.ok(Some(&admin), hand, json!({"g": g, "m": first})).await;
    app.ok(Some(&old), read, json!({"g": g})).await;
    let refused = app.gql(Some(&new), read, json!({"g": g})).await;
    assert_eq!(code(&refused).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_member_may_leave_a_matched_group_below_the_minimum_and_staff_see_it() {
    let app = spawn_app().await;
    let admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let (_, _, g) = app.active_match(&admin, "almere", None, 1).await;
    let below = "{ groupsBelowMinimum(citySlug:\"almere\"){ id memberCount } }";
    assert_eq!(app.ok(Some(&admin), below, json!({})).await["groupsBelowMinimum"], json!([]));
    let members = app
        .ok(Some(&admin), "query($g:ID!){ welcomeGroup(id:$g){ members { id isCoordinator } } }", json!({"g": g}))
        .await;
    let leaving = members["welcomeGroup"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["isCoordinator"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(Some(&admin), "mutation($id:ID!){ removeGroupMember(id:$id) }", json!({"id": leaving})).await;
    let listed = app.ok(Some(&admin), below, json!({})).await;
    assert_eq!(listed["groupsBelowMinimum"], json!([{"id": g, "memberCount": 4}]));
    let status = app.ok(Some(&admin), "query($g:ID!){ welcomeGroup(id:$g){ status } }", json!({"g": g})).await;
    assert_eq!(status["welcomeGroup"]["status"], "MATCHED", "the match goes on");

    // A READY group that drops below the minimum is FORMING again.
    let ready = app.ready_group(&admin, "almere").await;
    let members = app
        .ok(Some(&admin), "query($g:ID!){ welcomeGroup(id:$g){ members { id isCoordinator } } }", json!({"g": ready}))
        .await;
    let leaving = members["welcomeGroup"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["isCoordinator"] == false)
        .unwrap()["id"]
        .clone();
    app.ok(Some(&admin), "mutation($id:ID!){ removeGroupMember(id:$id) }", json!({"id": leaving})).await;
    let status = app.ok(Some(&admin), "query($g:ID!){ welcomeGroup(id:$g){ status } }", json!({"g": ready})).await;
    assert_eq!(status["welcomeGroup"]["status"], "FORMING");
}
