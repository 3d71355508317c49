//! Races that PostgreSQL's concurrent transactions could lose (issue #20): two replicas on one
//! database, requests fired at the same moment, and the invariants checked with SQL afterwards.
//! On SQLite (one writer at a time) they pass trivially; CI runs them on PostgreSQL too.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::*;

/// Counts rows of a query that must find none.
async fn violations(app: &TestApp, sql: &str) -> i64 {
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM ({sql}) v"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// The invariants of matches, households and groups, in SQL.
async fn assert_invariants(app: &TestApp) {
    let checks = [
        (
            "a MATCHED household without an ACTIVE match",
            "SELECT n.id FROM newcomers n WHERE n.status = 'MATCHED' AND NOT EXISTS \
             (SELECT 1 FROM matches m WHERE m.newcomer_id = n.id AND m.status = 'ACTIVE')",
        ),
        (
            "a MATCHED group without an ACTIVE match",
            "SELECT g.id FROM welcome_groups g WHERE g.status = 'MATCHED' AND NOT EXISTS \
             (SELECT 1 FROM matches m WHERE m.group_id = g.id AND m.status = 'ACTIVE')",
        ),
        (
            "a PROPOSED match of a household that is not WAITING",
            "SELECT m.id FROM matches m JOIN newcomers n ON n.id = m.newcomer_id \
             WHERE m.status = 'PROPOSED' AND (n.status <> 'WAITING' OR n.erased_at IS NOT NULL)",
        ),
        (
            "a PROPOSED match of a group that is not READY",
            "SELECT m.id FROM matches m JOIN welcome_groups g ON g.id = m.group_id \
             WHERE m.status = 'PROPOSED' AND g.status <> 'READY'",
        ),
        (
            "an ACTIVE match of a household that is not MATCHED",
            "SELECT m.id FROM matches m JOIN newcomers n ON n.id = m.newcomer_id \
             WHERE m.status = 'ACTIVE' AND n.status <> 'MATCHED'",
        ),
        (
            "a REJECTED match with a start date (an accept overwritten)",
            "SELECT m.id FROM matches m WHERE m.status = 'REJECTED' AND m.start_date IS NOT NULL",
        ),
        (
            "a PROPOSED run with nothing left to decide",
            "SELECT r.id FROM matching_runs r WHERE r.status = 'PROPOSED' AND NOT EXISTS \
             (SELECT 1 FROM matches m WHERE m.run_id = r.id AND m.status = 'PROPOSED')",
        ),
        (
            "a READY or MATCHED group below five members or without one coordinator",
            "SELECT g.id FROM welcome_groups g WHERE g.status IN ('READY', 'MATCHED') AND \
             ((SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) < 5 OR \
              (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id AND gm.is_coordinator) <> 1)",
        ),
    ];
    for (what, sql) in checks {
        assert_eq!(violations(app, sql).await, 0, "{what}");
    }
}

const RUN: &str = "mutation { runMatching(input:{citySlug:\"almere\"}){ id matches { id } } }";

/// A real round in Almere over `pairs` new households and groups; returns the proposed matches
/// with their household and group ids.
async fn proposals(app: &TestApp, admin: &str, pairs: usize) -> Vec<(String, String, String)> {
    for _ in 0..pairs {
        app.register(admin, "almere").await;
        app.ready_group(admin, "almere").await;
    }
    app.ok(Some(admin), RUN, json!({})).await;
    let d = app
        .ok(
            Some(admin),
            "{ matches(status: PROPOSED, first: 100){ edges { node { id newcomer { id } group { id } } } } }",
            json!({}),
        )
        .await;
    d["matches"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["id"].as_str().unwrap().to_owned(),
                n["newcomer"]["id"].as_str().unwrap().to_owned(),
                n["group"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn two_replicas() -> (TestApp, TestApp, String) {
    let (url, dir) = fresh_database().await;
    let one = spawn_app_on(url.clone(), dir, &[]).await;
    let two = spawn_app_on(url, None, &[]).await;
    let admin = one.admin().await;
    (one, two, admin)
}

#[tokio::test]
async fn decisions_racing_withdrawals_leave_a_consistent_state() {
    let (one, two, admin) = two_replicas().await;
    let props = proposals(&one, &admin, 8).await;
    assert_eq!(props.len(), 8);
    let accept = "mutation($id:ID!){ acceptMatch(id:$id){ id } }";
    let withdraw_n = "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved away\"){ id } }";
    let withdraw_g = "mutation($id:ID!){ withdrawWelcomeGroup(id:$id, reason:\"dissolved\"){ id } }";
    let races = props.iter().enumerate().map(|(i, (m, n, g))| {
        let (one, two, admin) = (&one, &two, &admin);
        async move {
            let decide = one.gql(Some(admin), accept, json!({"id": m}));
            let leave = if i % 2 == 0 {
                two.gql(Some(admin), withdraw_n, json!({"id": n}))
            } else {
                two.gql(Some(admin), withdraw_g, json!({"id": g}))
            };
            let (a, b): (Value, Value) = tokio::join!(decide, leave);
            for body in [&a, &b] {
                let code = code(body);
                assert!(code.is_none() || code.as_deref() == Some("CONFLICT"), "{body}");
            }
        }
    });
    futures_util::future::join_all(races).await;
    assert_invariants(&one).await;
    // Every household and group is free to go on: nobody is stuck.
    let stuck = violations(
        &one,
        "SELECT n.id FROM newcomers n WHERE n.status = 'MATCHED' AND EXISTS \
         (SELECT 1 FROM matches m JOIN welcome_groups g ON g.id = m.group_id \
          WHERE m.newcomer_id = n.id AND m.status = 'ACTIVE' AND g.status = 'WITHDRAWN')",
    )
    .await;
    assert_eq!(stuck, 0, "an ACTIVE match with a withdrawn group");
}

#[tokio::test]
async fn a_round_racing_withdrawals_and_erasures_proposes_only_candidates() {
    let (one, two, admin) = two_replicas().await;
    let mut households = Vec::new();
    for _ in 0..8 {
        households.push(one.register(&admin, "almere").await);
        one.ready_group(&admin, "almere").await;
    }
    let round = one.gql(Some(&admin), RUN, json!({}));
    let leaving = households.iter().enumerate().map(|(i, n)| {
        let (two, admin) = (&two, &admin);
        async move {
            if i % 2 == 0 {
                two.gql(
                    Some(admin),
                    "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved\"){ id } }",
                    json!({"id": n}),
                )
                .await
            } else {
                two.gql(Some(admin), "mutation($id:ID!){ eraseNewcomer(id:$id) }", json!({"id": n})).await
            }
        }
    });
    let (round, leaving) = tokio::join!(round, futures_util::future::join_all(leaving));
    assert!(code(&round).is_none() || code(&round).as_deref() == Some("CONFLICT"), "{round}");
    for body in leaving {
        assert!(code(&body).is_none() || code(&body).as_deref() == Some("CONFLICT"), "{body}");
    }
    assert_invariants(&one).await;
}

#[tokio::test]
async fn the_last_two_decisions_of_a_run_at_once_settle_it() {
    let (one, two, admin) = two_replicas().await;
    let props = proposals(&one, &admin, 2).await;
    let accept = "mutation($id:ID!){ acceptMatch(id:$id){ id } }";
    let (a, b) = tokio::join!(
        one.gql(Some(&admin), accept, json!({"id": props[0].0})),
        two.gql(Some(&admin), accept, json!({"id": props[1].0}))
    );
    assert!(code(&a).is_none() && code(&b).is_none(), "{a} {b}");
    assert_invariants(&one).await;
}

#[tokio::test]
async fn group_rules_hold_under_concurrent_member_changes() {
    let (one, two, admin) = two_replicas().await;
    // A READY group of six: two removals at once may not leave it READY with four.
    let g = one.ready_group(&admin, "almere").await;
    let extra = one.add_member(&admin, &g, false).await;
    let members = one
        .ok(Some(&admin), "query($id:ID!){ welcomeGroup(id:$id){ members { id isCoordinator } } }", json!({"id": g}))
        .await;
    let plain: Vec<String> = members["welcomeGroup"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["isCoordinator"] == false)
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .filter(|id| *id != extra)
        .take(1)
        .collect();
    let remove = "mutation($id:ID!){ removeGroupMember(id:$id) }";
    let (a, b) = tokio::join!(
        one.gql(Some(&admin), remove, json!({"id": extra})),
        two.gql(Some(&admin), remove, json!({"id": plain[0]}))
    );
    // Both may leave; whichever is second takes the group below five, so it is FORMING again:
    // never READY with four.
    assert!(code(&a).is_none() && code(&b).is_none(), "{a} {b}");
    let after =
        one.ok(Some(&admin), "query($id:ID!){ welcomeGroup(id:$id){ status memberCount } }", json!({"id": g})).await;
    assert_eq!(after["welcomeGroup"], json!({"status": "FORMING", "memberCount": 4}));
    // Two coordinators added at once to a forming group: one wins.
    let forming = one.create_group(&admin, "almere").await;
    let (a, b) = tokio::join!(
        one.gql(Some(&admin), ADD_MEMBER, json!({"g": forming, "input": member_input(true)})),
        two.gql(Some(&admin), ADD_MEMBER, json!({"g": forming, "input": member_input(true)}))
    );
    assert_eq!([&a, &b].iter().filter(|r| code(r).is_none()).count(), 1, "{a} {b}");
    assert_invariants(&one).await;
    let coordinators = violations(
        &one,
        "SELECT group_id FROM group_members WHERE is_coordinator GROUP BY group_id HAVING COUNT(*) > 1",
    )
    .await;
    assert_eq!(coordinators, 0);
}

#[tokio::test]
async fn concurrent_registrations_with_one_idempotency_key_return_the_first_record() {
    let (one, two, _) = two_replicas().await;
    let partner = one.user("PARTNER", Some("almere"), None).await;
    let mut input = newcomer_input("almere");
    input["idempotencyKey"] = json!("intake-2026-0042");
    let (a, b) = tokio::join!(
        one.gql(Some(&partner), REGISTER, json!({"input": input.clone()})),
        two.gql(Some(&partner), REGISTER, json!({"input": input.clone()}))
    );
    assert!(code(&a).is_none() && code(&b).is_none(), "{a} {b}");
    assert_eq!(a["data"]["registerNewcomer"]["id"], b["data"]["registerNewcomer"]["id"]);
}

#[tokio::test]
async fn replicas_starting_together_on_a_new_database_all_start() {
    use server::app::{Application, ServeOptions};
    use services::config::Settings;
    let (url, _dir) = fresh_database().await;
    let sqlite = url.starts_with("sqlite:");
    // On SQLite without configured keys, so the key files are created by whoever is first.
    let env = move |k: &str| match k {
        "DATABASE_URL" => Some(url.clone()),
        "SAMENHIER_JWT_SECRET" if !sqlite => Some(TEST_SECRET.into()),
        "SAMENHIER_EXPORT_KEY" if !sqlite => Some(TEST_EXPORT_KEY.into()),
        "SAMENHIER_DATA_KEY" if !sqlite => Some(TEST_DATA_KEY.into()),
        _ => None,
    };
    let starts = (0..3).map(|_| {
        let settings = Settings::from_lookup(env.clone()).unwrap();
        async move {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            Application::build(settings, ServeOptions::default(), listener)
                .await
                .map(|app| std::sync::Arc::clone(&app.state))
        }
    });
    let states = futures_util::future::join_all(starts).await;
    for s in &states {
        assert!(s.is_ok(), "a replica failed to start: {:?}", s.as_ref().err());
    }
    // One shipped script per city, loaded once.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let state = states[0].as_ref().unwrap();
    assert_eq!(entity::scoring_script::Entity::find().count(&state.db).await.unwrap(), 4);
}

#[tokio::test]
async fn concurrent_reads_of_contact_details_count_every_read_in_one_row_a_person() {
    let app = spawn_app().await;
    let second = spawn_app_on(app.database_url.clone(), None, &[]).await;
    let admin = app.admin().await;
    let g = app.ready_group(&admin, "almere").await;
    let q = "query($g:ID!){ welcomeGroup(id:$g){ members { email phone } } }";
    // Two replicas, 24 requests at once, each reading every member's address and phone: the
    // upserts of one request lock their rows in one order, so none deadlocks or is lost.
    let reads = (0..24).map(|i| {
        let (target, admin, g) = (if i % 2 == 0 { &app } else { &second }, admin.clone(), g.clone());
        async move { target.gql(Some(&admin), q, json!({"g": g})).await }
    });
    for body in futures_util::future::join_all(reads).await {
        assert!(body.get("errors").is_none(), "{body}");
    }
    let d = app
        .ok(
            Some(&admin),
            "{ contactReads(first: 100){ totalCount edges { node { entityId fields reads } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["contactReads"]["totalCount"], 5, "one entry per member read today: {d}");
    for e in d["contactReads"]["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["reads"], 24, "{e}");
        assert!(e["node"]["fields"].as_array().unwrap().contains(&json!("email")), "{e}");
    }
}
