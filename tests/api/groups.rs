use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn a_city_admin_builds_a_group_and_marks_it_ready() {
    let app = spawn_app().await;
    let token = app.user("CITY_ADMIN", Some("haarlem"), None).await;
    let data = app.ok(Some(&token), CREATE_GROUP, json!({ "input": group_input("haarlem") })).await;
    let g = &data["createWelcomeGroup"];
    assert_eq!(g["status"], "FORMING");
    assert_eq!(g["city"]["slug"], "haarlem");
    assert_eq!(g["languages"], json!(["en", "nl"]));
    let id = g["id"].as_str().unwrap().to_owned();

    for i in 0..4 {
        app.add_member(&token, &id, i == 0).await;
    }
    let early = app.gql(Some(&token), "mutation($id:ID!){ markGroupReady(id:$id){ status } }", json!({"id": id})).await;
    assert_eq!(code(&early).as_deref(), Some("BAD_USER_INPUT"), "{early}");
    assert!(early["errors"][0]["message"].as_str().unwrap().contains("at least 5 members"));

    app.add_member(&token, &id, false).await;
    let ready = app.ok(Some(&token), "mutation($id:ID!){ markGroupReady(id:$id){ status memberCount allMembersHaveVog coordinator { isCoordinator } } }", json!({"id": id})).await;
    assert_eq!(ready["markGroupReady"]["status"], "READY");
    assert_eq!(ready["markGroupReady"]["memberCount"], 5);
    assert_eq!(ready["markGroupReady"]["allMembersHaveVog"], true);
    assert_eq!(ready["markGroupReady"]["coordinator"]["isCoordinator"], true);
}

#[tokio::test]
async fn a_group_without_exactly_one_coordinator_cannot_be_ready() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    for _ in 0..5 {
        app.add_member(&token, &g, false).await;
    }
    let body = app.gql(Some(&token), "mutation($id:ID!){ markGroupReady(id:$id){ status } }", json!({"id": g})).await;
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"));
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("exactly one coordinator"));
}

#[tokio::test]
async fn a_second_coordinator_is_refused() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    app.add_member(&token, &g, true).await;
    let body = app.gql(Some(&token), ADD_MEMBER, json!({"g": g, "input": member_input(true)})).await;
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(field(&body).as_deref(), Some("isCoordinator"));
}

#[tokio::test]
async fn a_ready_group_that_drops_below_five_members_is_forming_again() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.ready_group(&token, "almere").await;
    let members = app
        .ok(Some(&token), "query($id:ID!){ welcomeGroup(id:$id){ members { id isCoordinator } } }", json!({"id": g}))
        .await;
    let plain = members["welcomeGroup"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["isCoordinator"] == false)
        .unwrap()["id"]
        .clone();
    // A member may always leave; the group is no longer ready to be matched.
    let ok = app.ok(Some(&token), "mutation($id:ID!){ removeGroupMember(id:$id) }", json!({"id": plain})).await;
    assert_eq!(ok["removeGroupMember"], true);
    let after =
        app.ok(Some(&token), "query($id:ID!){ welcomeGroup(id:$id){ status memberCount } }", json!({"id": g})).await;
    assert_eq!(after["welcomeGroup"], json!({"status": "FORMING", "memberCount": 4}));
    let audit = app
        .ok(
            Some(&token),
            "{ auditLog(filter:{action:\"group.member.remove\"}){ edges { node { details } } } }",
            json!({}),
        )
        .await;
    let details: Value =
        serde_json::from_str(audit["auditLog"]["edges"][0]["node"]["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["belowMinimum"], true);
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    let q = "mutation($id:ID!,$input:UpdateWelcomeGroupInput!){ updateWelcomeGroup(id:$id,input:$input){ name version capacity } }";
    let first = app.ok(Some(&token), q, json!({"id": g, "input": {"name": "Nieuwe naam", "expectedVersion": 1}})).await;
    assert_eq!(first["updateWelcomeGroup"]["version"], 2);
    let stale = app.gql(Some(&token), q, json!({"id": g, "input": {"capacity": 9, "expectedVersion": 1}})).await;
    assert_eq!(code(&stale).as_deref(), Some("CONFLICT"));
    let now =
        app.ok(Some(&token), "query($id:ID!){ welcomeGroup(id:$id){ name capacity version } }", json!({"id": g})).await;
    assert_eq!(now["welcomeGroup"], json!({"name": "Nieuwe naam", "capacity": 4, "version": 2}));
}

#[tokio::test]
async fn withdrawing_a_group_needs_a_reason_and_freezes_it() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    let q = "mutation($id:ID!,$r:String!){ withdrawWelcomeGroup(id:$id, reason:$r){ status statusReason } }";
    let blank = app.gql(Some(&token), q, json!({"id": g, "r": "  "})).await;
    assert_eq!(field(&blank).as_deref(), Some("reason"));
    let done = app.ok(Some(&token), q, json!({"id": g, "r": "members moved away"})).await;
    assert_eq!(done["withdrawWelcomeGroup"]["status"], "WITHDRAWN");
    let again = app.gql(Some(&token), ADD_MEMBER, json!({"g": g, "input": member_input(false)})).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"));
}

#[tokio::test]
async fn groups_are_paginated_with_cursors_and_filtered() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.create_group(&token, "almere").await);
    }
    app.create_group(&token, "haarlem").await;
    let q = "query($after:String){ welcomeGroups(citySlug:\"almere\", status: FORMING, first:2, after:$after){ totalCount pageInfo{ hasNextPage endCursor } edges { cursor node { id } } } }";
    let mut seen = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let d = app.ok(Some(&token), q, json!({"after": after})).await;
        let conn = &d["welcomeGroups"];
        assert_eq!(conn["totalCount"], 5);
        for e in conn["edges"].as_array().unwrap() {
            seen.push(e["node"]["id"].as_str().unwrap().to_owned());
        }
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, ids);
    let bad = app.gql(Some(&token), q, json!({"after": "not a cursor!"})).await;
    assert_eq!(field(&bad).as_deref(), Some("after"));
    let too_many = app.gql(Some(&token), "{ welcomeGroups(first: 1000){ totalCount } }", json!({})).await;
    assert_eq!(field(&too_many).as_deref(), Some("first"));
}

#[tokio::test]
async fn every_group_mutation_writes_the_audit_log() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = spawn_app().await;
    let token = app.admin().await;
    let before = entity::audit_log::Entity::find().count(&app.state.db).await.unwrap();
    let g = app.ready_group(&token, "almere").await; // create + 5 members + ready = 7 changes
    app.ok(
        Some(&token),
        "mutation($id:ID!){ withdrawWelcomeGroup(id:$id, reason:\"test\"){ status } }",
        json!({"id": g}),
    )
    .await;
    let after = entity::audit_log::Entity::find().count(&app.state.db).await.unwrap();
    assert_eq!(after - before, 8);
}

#[tokio::test]
async fn every_bad_group_field_is_named() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let cases = [
        (json!({"citySlug": "amsterdam"}), "citySlug"),
        (json!({"name": " "}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"capacity": 0}), "capacity"),
        (json!({"languages": ["xx"]}), "languages"),
        (json!({"interests": ["<b>"]}), "interests"),
        (json!({"availabilityHoursPerMonth": -1}), "availabilityHoursPerMonth"),
    ];
    for (patch, expected) in cases {
        let mut input = group_input("almere");
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        let body = app.gql(Some(&token), CREATE_GROUP, json!({"input": input})).await;
        assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{patch}: {body}");
        assert_eq!(field(&body).as_deref(), Some(expected), "{patch}: {body}");
    }
    let g = app.create_group(&token, "almere").await;
    let member_cases = [
        (json!({"email": "not-an-email"}), "email"),
        (json!({"phone": "12"}), "phone"),
        (json!({"birthYear": 2020}), "birthYear"),
        (json!({"birthYear": 1800}), "birthYear"),
        (json!({"name": ""}), "name"),
        (json!({"vogReceivedOn": "2999-01-01"}), "vogReceivedOn"),
        (json!({"languages": ["nl", "zz"]}), "languages"),
    ];
    for (patch, expected) in member_cases {
        let mut input = member_input(false);
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        let body = app.gql(Some(&token), ADD_MEMBER, json!({"g": g, "input": input})).await;
        assert_eq!(field(&body).as_deref(), Some(expected), "{patch}: {body}");
    }
    // Nothing of the refused inputs was stored.
    let d = app.ok(Some(&token), "{ welcomeGroups { totalCount } }", json!({})).await;
    assert_eq!(d["welcomeGroups"]["totalCount"], 1);
    let m = app.ok(Some(&token), "query($id:ID!){ welcomeGroup(id:$id){ memberCount } }", json!({"id": g})).await;
    assert_eq!(m["welcomeGroup"]["memberCount"], 0);
}

/// Queries counted by the server (`samenhier_db_queries_total` on /metrics).
async fn db_queries(app: &TestApp) -> u64 {
    let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("samenhier_db_queries_total "))
        .and_then(|v| v.parse().ok())
        .expect("the counter")
}

/// The typical read — a page of groups with their city and members — costs the same number of
/// database queries for 5 groups as for 20 (members are read for the whole page at once).
#[tokio::test]
async fn a_page_of_groups_with_members_costs_the_same_queries_whatever_its_size() {
    let app = spawn_app().await;
    let token = app.admin().await;
    for _ in 0..20 {
        app.ready_group(&token, "almere").await;
    }
    let q = "query($n:Int!){ welcomeGroups(citySlug:\"almere\", first:$n){ totalCount edges { node { id name city { slug } memberCount coordinator { name } members { name languages isCoordinator } } } } }";
    let mut costs = Vec::new();
    for n in [5, 20] {
        let before = db_queries(&app).await;
        let d = app.ok(Some(&token), q, json!({"n": n})).await;
        let after = db_queries(&app).await;
        assert_eq!(d["welcomeGroups"]["edges"].as_array().unwrap().len(), n as usize);
        assert!(
            d["welcomeGroups"]["edges"].as_array().unwrap().iter().all(|e| e["node"]["members"]
                .as_array()
                .unwrap()
                .len()
                == 5)
        );
        costs.push(after - before);
    }
    assert_eq!(costs[0], costs[1], "queries for 5 and for 20 groups: {costs:?}");
    assert!(costs[1] <= 6, "a handful of queries: {costs:?}");
}

const MEMBERS: &str =
    "query($g:ID!){ welcomeGroup(id:$g){ version members { id name email phone vogReceivedOn isCoordinator } } }";
const UPDATE: &str = "mutation($id:ID!,$input:UpdateGroupMemberInput!){ updateGroupMember(id:$id, input:$input){ id name email phone vogReceivedOn } }";

#[tokio::test]
async fn a_members_details_change_after_joining_with_clear_errors_for_bad_input() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, _, g) = app.active_match(&admin, "almere", None, 2).await;
    let before = app.ok(Some(&admin), MEMBERS, json!({"g": g})).await;
    let member = before["welcomeGroup"]["members"][1]["id"].as_str().unwrap().to_owned();
    let other_email = before["welcomeGroup"]["members"][2]["email"].as_str().unwrap().to_owned();
    let version = before["welcomeGroup"]["version"].as_i64().unwrap();

    // In a MATCHED group: a certificate of conduct that arrived later, a new phone and address.
    let d = app
        .ok(
            Some(&admin),
            UPDATE,
            json!({"id": member, "input": {"vogReceivedOn": "2026-01-15", "phone": "+31 6 87654321", "email": "nieuw.adres@example.org", "expectedVersion": version}}),
        )
        .await;
    assert_eq!(d["updateGroupMember"]["vogReceivedOn"], "2026-01-15");
    assert_eq!(d["updateGroupMember"]["phone"], "+31 6 87654321");
    assert_eq!(d["updateGroupMember"]["email"], "nieuw.adres@example.org");
    let after = app.ok(Some(&admin), MEMBERS, json!({"g": g})).await;
    assert!(after["welcomeGroup"]["version"].as_i64().unwrap() > version, "the group's version moves");

    // Bad input names its field and changes nothing.
    let cases = [
        (json!({"email": other_email}), "email"),
        (json!({"email": "not an address"}), "email"),
        (json!({"birthYear": 2020}), "birthYear"),
        (json!({"vogReceivedOn": "2999-01-01"}), "vogReceivedOn"),
        (json!({}), "input"),
    ];
    for (input, field) in cases {
        let body = app.gql(Some(&admin), UPDATE, json!({"id": member, "input": input})).await;
        assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let stale = app
        .gql(Some(&admin), UPDATE, json!({"id": member, "input": {"name": "X Y", "expectedVersion": version}}))
        .await;
    assert_eq!(code(&stale).as_deref(), Some("CONFLICT"), "{stale}");
    assert_eq!(app.ok(Some(&admin), MEMBERS, json!({"g": g})).await, after, "nothing changed");
    let audit = app
        .ok(
            Some(&admin),
            "query($id:String!){ auditLog(filter:{entityId:$id, action:\"group.member.update\"}){ totalCount edges { node { details } } } }",
            json!({"id": member}),
        )
        .await;
    assert_eq!(audit["auditLog"]["totalCount"], 1);
    assert!(!audit.to_string().contains("nieuw.adres"), "the audit names fields, not values");
}

#[tokio::test]
async fn coordination_is_handed_over_in_one_step_in_a_matched_group() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, _, g) = app.active_match(&admin, "almere", None, 2).await;
    let before = app.ok(Some(&admin), MEMBERS, json!({"g": g})).await;
    let members = before["welcomeGroup"]["members"].as_array().unwrap();
    let old = members.iter().find(|m| m["isCoordinator"] == true).unwrap()["id"].as_str().unwrap().to_owned();
    let next = members.iter().find(|m| m["isCoordinator"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    // The group's coordinator account hands over itself.
    let coordinator = app.user("COORDINATOR", Some("almere"), Some(&g)).await;
    let q = "mutation($g:ID!,$m:ID!){ handOverCoordination(groupId:$g, memberId:$m){ status coordinator { id } } }";
    let d = app.ok(Some(&coordinator), q, json!({"g": g, "m": next})).await;
    assert_eq!(d["handOverCoordination"]["status"], "MATCHED");
    assert_eq!(d["handOverCoordination"]["coordinator"]["id"], next.as_str());
    let after = app.ok(Some(&admin), MEMBERS, json!({"g": g})).await;
    let members = after["welcomeGroup"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 5, "the previous coordinator stays a member");
    assert_eq!(members.iter().filter(|m| m["isCoordinator"] == true).count(), 1);
    assert!(members.iter().any(|m| m["id"] == old.as_str() && m["isCoordinator"] == false));
    // Handing to whoever coordinates already changes nothing; to a stranger is refused.
    app.ok(Some(&admin), q, json!({"g": g, "m": next})).await;
    let stranger = app.add_member(&admin, &app.ready_group(&admin, "almere").await, false).await;
    let body = app.gql(Some(&admin), q, json!({"g": g, "m": stranger})).await;
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "memberId");
}
