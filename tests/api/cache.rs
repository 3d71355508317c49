//! The response cache: repeated reads are answered from memory, and any write — through the
//! API, on another replica, or straight into the database — shows in the very next answer.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;

use crate::helpers::*;

/// A counter from `/metrics` (0 when absent).
async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok())).unwrap_or(0)
}

const HITS: &str = "samenhier_response_cache_lookups_total{result=\"hit\"}";
const STORED: &str = "samenhier_response_cache_stored_total";
const STATEMENTS: &str = "samenhier_db_queries_total";
const NAMES: &str =
    "query Names { welcomeGroups(citySlug: \"almere\") { totalCount edges { node { id name members { name } } } } }";

fn names(d: &serde_json::Value) -> Vec<String> {
    d["welcomeGroups"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn rename_in_database(app: &TestApp, group: &str, name: &str) {
    let db = &app.state.db;
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => "UPDATE welcome_groups SET name = $1 WHERE id = $2",
        _ => "UPDATE welcome_groups SET name = ? WHERE id = ?",
    };
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [name.into(), group.into()]))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_repeated_read_comes_from_the_cache_and_every_write_shows_at_once() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    app.add_member(&token, &g, true).await;

    let first = app.ok(Some(&token), NAMES, json!({})).await;
    let (hits, statements) = (metric(&app, HITS).await, metric(&app, STATEMENTS).await);
    let again = app.ok(Some(&token), NAMES, json!({})).await;
    assert_eq!(first, again);
    assert_eq!(metric(&app, HITS).await, hits + 1, "the second read is a hit");
    // The hit cost one statement: the caller's user row, read with the data generation.
    assert_eq!(metric(&app, STATEMENTS).await, statements + 1);

    // A write through the API.
    app.ok(
        Some(&token),
        "mutation($id:ID!){ updateWelcomeGroup(id:$id, input:{name:\"Nieuwe naam\"}){ id } }",
        json!({"id": g}),
    )
    .await;
    assert_eq!(names(&app.ok(Some(&token), NAMES, json!({})).await), ["Nieuwe naam"]);
    // A write that never passed through this server (the CLI, another tool, a hand-written fix).
    rename_in_database(&app, &g, "Buiten de server om").await;
    assert_eq!(names(&app.ok(Some(&token), NAMES, json!({})).await), ["Buiten de server om"]);
    // A new member (another table) shows too.
    app.add_member(&token, &g, false).await;
    let d = app.ok(Some(&token), NAMES, json!({})).await;
    assert_eq!(d["welcomeGroups"]["edges"][0]["node"]["members"].as_array().unwrap().len(), 2);

    // Answers with errors are not kept.
    let stored = metric(&app, STORED).await;
    for _ in 0..2 {
        let body = app.gql(Some(&token), "{ welcomeGroups(first: 500) { totalCount } }", json!({})).await;
        assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "{body}");
    }
    assert_eq!(metric(&app, STORED).await, stored);
}

#[tokio::test]
async fn contact_details_are_read_and_audited_every_time() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    app.add_member(&token, &g, true).await;
    let q = "query($id:ID!){ welcomeGroup(id:$id){ members { name email } } }";
    let audited = || async {
        let rows = app
            .state
            .db
            .query_one_raw(Statement::from_string(
                app.state.db.get_database_backend(),
                "SELECT CAST(COALESCE(SUM(reads), 0) AS BIGINT) AS n FROM contact_reads",
            ))
            .await
            .unwrap()
            .unwrap();
        rows.try_get::<i64>("", "n").unwrap()
    };
    let (before, hits) = (audited().await, metric(&app, HITS).await);
    for _ in 0..3 {
        let d = app.ok(Some(&token), q, json!({"id": g})).await;
        assert!(d["welcomeGroup"]["members"][0]["email"].as_str().is_some());
    }
    assert_eq!(audited().await, before + 3, "every read is counted");
    assert_eq!(metric(&app, HITS).await, hits, "never answered from the cache");
}

#[tokio::test]
async fn each_caller_gets_their_own_answers_and_a_demoted_user_none() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.create_group(&admin, "almere").await;
    app.create_group(&admin, "haarlem").await;
    let haarlem = app.user("CITY_ADMIN", Some("haarlem"), None).await;
    let q = "{ welcomeGroups { totalCount edges { node { city { slug } } } } }";
    for _ in 0..2 {
        assert_eq!(app.ok(Some(&admin), q, json!({})).await["welcomeGroups"]["totalCount"], 2);
        let d = app.ok(Some(&haarlem), q, json!({})).await;
        assert_eq!(d["welcomeGroups"]["totalCount"], 1);
        assert_eq!(d["welcomeGroups"]["edges"][0]["node"]["city"]["slug"], "haarlem");
    }
    // Demoted in the database: the old token is refused instead of answered from memory.
    let db = &app.state.db;
    db.execute_unprepared("UPDATE users SET role = 'PARTNER' WHERE role = 'CITY_ADMIN'").await.unwrap();
    let body = app.gql(Some(&haarlem), q, json!({})).await;
    assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"), "{body}");
}

#[tokio::test]
async fn a_write_on_one_replica_shows_in_the_next_answer_of_the_other() {
    let (url, dir) = fresh_database().await;
    let one = spawn_app_on(url.clone(), dir, &[]).await;
    let two = spawn_app_on(url, None, &[]).await;
    let token = one.admin().await;
    let g = one.create_group(&token, "almere").await;
    for _ in 0..2 {
        assert_eq!(names(&one.ok(Some(&token), NAMES, json!({})).await).len(), 1);
    }
    two.ok(
        Some(&token),
        "mutation($id:ID!){ updateWelcomeGroup(id:$id, input:{name:\"Op replica twee\"}){ id } }",
        json!({"id": g}),
    )
    .await;
    assert_eq!(names(&one.ok(Some(&token), NAMES, json!({})).await), ["Op replica twee"]);
    two.create_group(&token, "almere").await;
    assert_eq!(one.ok(Some(&token), NAMES, json!({})).await["welcomeGroups"]["totalCount"], 2);
}

#[tokio::test]
async fn with_the_cache_turned_off_nothing_is_kept() {
    let app = spawn_app_with(&[("SAMENHIER_RESPONSE_CACHE_MB", "0")]).await;
    let token = app.admin().await;
    for _ in 0..3 {
        app.ok(Some(&token), NAMES, json!({})).await;
    }
    assert_eq!(metric(&app, HITS).await, 0);
    assert_eq!(metric(&app, STORED).await, 0);
}

/// Every table of the programme's data moves the data generation, so no write can leave a
/// stale answer behind; a table added without its trigger fails here.
#[tokio::test]
async fn every_data_table_moves_the_data_generation() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let (tables_sql, triggers_sql) = match backend {
        DbBackend::Postgres => (
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
            "SELECT DISTINCT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'samenhier_bump_generation'",
        ),
        _ => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT DISTINCT tbl_name AS name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_generation_%'",
        ),
    };
    let names = |sql: &'static str| async move {
        db.query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "name").unwrap())
            .collect::<BTreeSet<_>>()
    };
    let mut tables = names(tables_sql).await;
    // The audit log and the contact-read log are written by reads: they must not move it.
    for own in ["audit_log", "contact_reads", "seaql_migrations", "data_generation"] {
        assert!(tables.remove(own), "{own} exists");
    }
    assert_eq!(tables, migration::generation_tables().map(|t| t.to_string()).collect::<BTreeSet<_>>());
    assert_eq!(names(triggers_sql).await, tables, "every data table has its generation trigger");
    // SQLite needs one trigger per event; all three are there.
    if backend == DbBackend::Sqlite {
        let n = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_generation_%'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(n as usize, 3 * tables.len());
    }
    // And a write moves it.
    let generation = || async {
        db.query_one_raw(Statement::from_string(backend, "SELECT n FROM data_generation WHERE id = 1"))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap()
    };
    let before = generation().await;
    let token = app.admin().await;
    app.create_group(&token, "almere").await;
    assert!(generation().await > before);
}

async fn generation(app: &TestApp) -> i64 {
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT n FROM data_generation WHERE id = 1"))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn a_generation_that_went_back_never_serves_an_answer_of_the_other_timeline() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    app.ok(Some(&token), NAMES, json!({})).await;
    let cached_at = generation(&app).await;
    // A restore to an older backup: the generation is one behind what the replica holds an
    // answer for, and the first write after it (here by hand) changes the data.
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let txn = db.begin().await.unwrap();
    txn.execute_raw(Statement::from_string(
        backend,
        format!("UPDATE data_generation SET n = {} WHERE id = 1", cached_at - 1),
    ))
    .await
    .unwrap();
    let sql = match backend {
        DbBackend::Postgres => "UPDATE welcome_groups SET name = $1 WHERE id = $2",
        _ => "UPDATE welcome_groups SET name = ? WHERE id = ?",
    };
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, ["Andere tijdlijn".into(), g.as_str().into()]))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_ne!(generation(&app).await, cached_at, "the write walked the generation back to a cached number");
    assert_eq!(names(&app.ok(Some(&token), NAMES, json!({})).await), ["Andere tijdlijn"]);
}

#[tokio::test]
async fn anonymous_or_failing_mutations_do_not_empty_the_cache() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let g = app.create_group(&token, "almere").await;
    app.add_member(&token, &g, true).await;
    app.ok(Some(&token), NAMES, json!({})).await;
    for _ in 0..3 {
        let refused = app
            .gql(None, "mutation{ login(email:\"x@example.org\", password:\"wrong password\"){ token } }", json!({}))
            .await;
        assert!(code(&refused).is_some());
        let failing = app.gql(Some(&token), "mutation{ markGroupReady(id:\"nope\"){ id } }", json!({})).await;
        assert_eq!(code(&failing).as_deref(), Some("NOT_FOUND"));
    }
    let hits = metric(&app, HITS).await;
    app.ok(Some(&token), NAMES, json!({})).await;
    assert_eq!(metric(&app, HITS).await, hits + 1, "the answer was still there");
}

#[tokio::test]
async fn a_truncate_typed_by_hand_shows_in_the_next_answer() {
    let app = spawn_app().await;
    if app.state.db.get_database_backend() != DbBackend::Postgres {
        return; // SQLite has no TRUNCATE; its DELETE fires the row triggers.
    }
    let token = app.admin().await;
    let (m, _, _) = app.active_match(&token, "almere", None, 2).await;
    app.ok(
        Some(&token),
        LOG_ACTIVITY,
        json!({"m": m, "input": activity_input(&chrono::Utc::now().date_naive().to_string())}),
    )
    .await;
    let q = "query($id:ID!){ match(id:$id){ activities { totalCount } } }";
    assert_eq!(app.ok(Some(&token), q, json!({"id": m})).await["match"]["activities"]["totalCount"], 1);
    app.state.db.execute_unprepared("TRUNCATE activity_logs").await.unwrap();
    assert_eq!(app.ok(Some(&token), q, json!({"id": m})).await["match"]["activities"]["totalCount"], 0);
}
