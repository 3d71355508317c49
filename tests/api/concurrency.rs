//! Concurrency and crashes: many rounds and decisions at once (two replicas on one database),
//! a server killed with SIGKILL in the middle of a round, and a graceful stop on SIGTERM.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use entity::{MatchStatus, NewcomerStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::cli::samenhier;
use crate::helpers::*;

const RUN: &str = "mutation { runMatching(input:{citySlug:\"almere\"}){ id matchedCount } }";

/// The invariants: nobody in two live matches, statuses agree with the matches, and every
/// decision in the audit log exactly once.
async fn assert_consistent(app: &TestApp) {
    let db = &app.state.db;
    let all = entity::matches::Entity::find().all(db).await.unwrap();
    let mut live_n: HashMap<&str, usize> = HashMap::new();
    let mut live_g: HashMap<&str, usize> = HashMap::new();
    for m in all.iter().filter(|m| matches!(m.status, MatchStatus::Proposed | MatchStatus::Active)) {
        *live_n.entry(&m.newcomer_id).or_default() += 1;
        *live_g.entry(&m.group_id).or_default() += 1;
    }
    assert!(live_n.values().all(|n| *n == 1), "a household in two live matches: {live_n:?}");
    assert!(live_g.values().all(|n| *n == 1), "a group in two live matches: {live_g:?}");
    for m in &all {
        let n = entity::newcomer::Entity::find_by_id(m.newcomer_id.clone()).one(db).await.unwrap().unwrap();
        match m.status {
            MatchStatus::Active => assert_eq!(n.status, NewcomerStatus::Matched, "match {}", m.id),
            MatchStatus::Proposed => assert_eq!(n.status, NewcomerStatus::Waiting, "match {}", m.id),
            _ => {}
        }
    }
    for (status, action) in [(MatchStatus::Active, "match.accept"), (MatchStatus::Rejected, "match.reject")] {
        let decided = all.iter().filter(|m| m.status == status).count() as u64;
        let audited = entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::Action.eq(action))
            .count(db)
            .await
            .unwrap();
        assert_eq!(decided, audited, "{action}: every decision audited exactly once");
    }
}

#[tokio::test]
async fn concurrent_rounds_and_decisions_on_two_replicas_never_double_book() {
    let (url, dir) = fresh_database().await;
    let one = spawn_app_on(url.clone(), dir, &[]).await;
    let two = spawn_app_on(url, None, &[]).await;
    let admin = one.admin().await;
    for _ in 0..8 {
        one.register(&admin, "almere").await;
        one.ready_group(&admin, "almere").await;
    }
    // Eight rounds at once, half on each replica.
    let rounds = (0..8).map(|i| {
        let app = if i % 2 == 0 { &one } else { &two };
        let token = admin.clone();
        async move { app.gql(Some(&token), RUN, json!({})).await }
    });
    let results = futures_util::future::join_all(rounds).await;
    let mut proposed = 0;
    for r in &results {
        match code(r).as_deref() {
            None => proposed += r["data"]["runMatching"]["matchedCount"].as_i64().unwrap(),
            Some("CONFLICT") => {}
            other => panic!("a round answered {other:?}: {r}"),
        }
    }
    assert_eq!(proposed, 8, "the eight pairs were proposed once in all: {results:?}");
    assert_consistent(&one).await;

    // Every proposal accepted twice and rejected once, at the same time, on both replicas.
    let ids: Vec<String> =
        entity::matches::Entity::find().all(&one.state.db).await.unwrap().into_iter().map(|m| m.id).collect();
    let mut calls = Vec::new();
    for id in &ids {
        for (k, q) in [
            "mutation($id:ID!){ acceptMatch(id:$id){ status } }",
            "mutation($id:ID!){ acceptMatch(id:$id){ status } }",
            "mutation($id:ID!){ rejectMatch(id:$id, reason:\"not now\"){ status } }",
        ]
        .into_iter()
        .enumerate()
        {
            let app = if k % 2 == 0 { &one } else { &two };
            let (token, id) = (admin.clone(), id.clone());
            calls.push(async move { (id.clone(), app.gql(Some(&token), q, json!({"id": id})).await) });
        }
    }
    let outcomes = futures_util::future::join_all(calls).await;
    let mut successes: HashMap<String, usize> = HashMap::new();
    for (id, body) in &outcomes {
        match code(body).as_deref() {
            None => *successes.entry(id.clone()).or_default() += 1,
            Some("CONFLICT") => {}
            other => panic!("a decision answered {other:?}: {body}"),
        }
    }
    for id in &ids {
        assert_eq!(successes.get(id), Some(&1), "match {id} was decided exactly once: {outcomes:?}");
    }
    assert_consistent(&one).await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_server(db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_samenhier"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", db)
        .env("SAMENHIER_JWT_SECRET", TEST_SECRET)
        .env("SAMENHIER_EXPORT_KEY", TEST_EXPORT_KEY)
        .env("SAMENHIER_DATA_KEY", TEST_DATA_KEY)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log_path(port)).map(Stdio::from).unwrap_or_else(|_| Stdio::null()))
        .spawn()
        .expect("start the server")
}

/// Where the binary on `port` writes its log (warnings and errors), for failure messages.
fn log_path(port: u16) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("samenhier-test-server-{port}.log"))
}

/// The end of the log of the binary on `port`.
fn server_log(port: u16) -> String {
    let text = std::fs::read_to_string(log_path(port)).unwrap_or_default();
    let start = text.len().saturating_sub(4000);
    text.get(start..).unwrap_or(&text).to_owned()
}

async fn wait_ready(port: u16) {
    for _ in 0..300 {
        if reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server on port {port} did not become ready");
}

/// Posts a GraphQL operation to the binary on `port` and returns the JSON body.
async fn call(port: u16, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .json(&json!({"query": query, "variables": variables}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn login(port: u16, email: &str) -> String {
    let body = call(
        port,
        None,
        "mutation($e:String!,$p:String!){ login(email:$e, password:$p){ token } }",
        json!({"e": email, "p": PASSWORD}),
    )
    .await;
    body["data"]["login"]["token"].as_str().expect("token").to_owned()
}

/// A database with 400 waiting households and 400 ready groups in Almere, and an admin.
async fn large_round_database() -> (String, Option<tempfile::TempDir>, String) {
    let (db, dir) = fresh_database().await;
    let (ok, out, err) = samenhier(&db, &["seed", "--bulk", "almere", "--newcomers", "400", "--groups", "400"], "");
    assert!(ok, "{out}{err}");
    let email = format!("admin-{}@example.org", uuid::Uuid::new_v4().simple());
    let (ok, out, err) =
        samenhier(&db, &["user", "add", "--email", &email, "--role", "ADMIN"], &format!("{PASSWORD}\n"));
    assert!(ok, "{out}{err}");
    (db, dir, email)
}

/// Starts the binary on `db` and logs in as `email`: (server, port, token).
async fn serve(db: &str, email: &str) -> (Child, u16, String) {
    let port = free_port();
    let server = start_server(db, port);
    wait_ready(port).await;
    let token = login(port, email).await;
    (server, port, token)
}

/// A script outside the native subset (a loop), so Rhai scores every pair and a round of
/// 400 × 400 takes seconds: long enough to be interrupted.
const SLOW_SCRIPT: &str = "fn eligible(n, g) { true }\nfn score(n, g) { let t = 0; for x in n.interests { t += 1; } for y in g.interests { t += 1; } t + overlap(n.languages, g.languages) }";

async fn publish_slow_script(port: u16, token: &str) {
    let q = "mutation($s:String!){ publishScoringScript(citySlug:\"almere\", source:$s){ version } }";
    let body = call(port, Some(token), q, json!({"s": SLOW_SCRIPT})).await;
    assert!(body["data"]["publishScoringScript"]["version"].is_number(), "{body}");
}

/// Sends `query` in the background.
fn post(port: u16, token: &str, query: &'static str) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
    let token = token.to_owned();
    tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/graphql"))
            .bearer_auth(token)
            .json(&json!({"query": query}))
            .send()
            .await
    })
}

#[tokio::test]
async fn a_server_killed_in_the_middle_of_a_round_restarts_with_nothing_partial() {
    let (db, _dir, email) = large_round_database().await;
    let (mut server, port, token) = serve(&db, &email).await;
    publish_slow_script(port, &token).await;
    let round = post(port, &token, RUN);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL");
    server.wait().ok();
    assert!(round.await.unwrap().is_err(), "the round was cut off by the kill, not finished before it");

    // Restarted: ready, no run and no match stored, every household still waiting.
    let (mut server, port, token) = serve(&db, &email).await;
    let counts =
        "{ matches(citySlug:\"almere\"){ totalCount } newcomers(citySlug:\"almere\", status: WAITING){ totalCount } }";
    let body: Value = post(port, &token, counts).await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(body["data"]["matches"]["totalCount"], 0, "{body}");
    assert_eq!(body["data"]["newcomers"]["totalCount"], 400, "{body}");
    let conn = sea_orm::Database::connect(db.as_str()).await.unwrap();
    assert_eq!(entity::matching_run::Entity::find().count(&conn).await.unwrap(), 0, "no partial run");
    server.kill().ok();
    server.wait().ok();
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish() {
    let (db, _dir, email) = large_round_database().await;
    let (mut server, port, token) = serve(&db, &email).await;
    publish_slow_script(port, &token).await;
    let round =
        post(port, &token, "mutation { runMatching(input:{citySlug:\"almere\", dryRun:true}){ id matchedCount } }");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let term = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(term.success());
    let resp = round.await.unwrap().expect("the request in flight was answered");
    let body: Value = resp.json().await.unwrap();
    let status = server.wait().unwrap();
    assert!(
        body["data"]["runMatching"]["matchedCount"].as_i64().is_some_and(|n| n > 0),
        "{body}\nserver log:\n{}",
        server_log(port)
    );
    assert!(status.success(), "the server stopped cleanly: {status:?}\nserver log:\n{}", server_log(port));
    // On SQLite a clean stop leaves the whole database in its file: the log is empty.
    if let Some(file) = services::auth::secrets::sqlite_file(&db) {
        let wal = std::fs::metadata(format!("{}-wal", file.display())).map(|m| m.len()).unwrap_or(0);
        assert_eq!(wal, 0, "the write-ahead log was checkpointed at shutdown");
    }
}
