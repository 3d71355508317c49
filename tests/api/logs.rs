//! No personal data in logs: the real binary serves a whole scenario with every log level on
//! (RUST_LOG=trace, all crates), and none of the names, e-mail addresses, phone numbers or
//! notes it handled appears in what it wrote.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::cli::samenhier;
use crate::helpers::*;

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self.http.post(&self.url).json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request").json().await.expect("JSON")
    }

    async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(Some(token), query, variables).await;
        assert!(body["errors"].is_null(), "{query}: {body}");
        body["data"].clone()
    }
}

#[tokio::test]
async fn no_personal_value_reaches_the_logs_at_any_level() {
    let (db, _dir) = fresh_database().await;
    let admin_email = format!("admin.{}@example.org", uuid::Uuid::new_v4().simple());
    let (ok, out, err) =
        samenhier(&db, &["user", "add", "--email", &admin_email, "--role", "ADMIN"], "an admin password\n");
    assert!(ok, "{out}{err}");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_samenhier"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db)
        .env("SAMENHIER_JWT_SECRET", TEST_SECRET)
        .env("SAMENHIER_EXPORT_KEY", TEST_EXPORT_KEY)
        .env("SAMENHIER_DATA_KEY", TEST_DATA_KEY)
        .env("SAMENHIER_LOG_FORMAT", "json")
        .env("RUST_LOG", "trace")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("start the server");
    let c = Client { http: reqwest::Client::new(), url: format!("http://127.0.0.1:{port}/graphql") };
    let mut up = false;
    for _ in 0..200 {
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not start: {}", std::fs::read_to_string(&log_path).unwrap_or_default());

    let tag = &uuid::Uuid::new_v4().simple().to_string()[..10];
    let secrets = [
        format!("Yusuf Logcheck{tag}"),
        format!("yusuf.{tag}@example.org"),
        "+31 6 55501234".to_owned(),
        format!("needs-{tag} wheelchair access"),
        format!("Femke Logmember{tag}"),
        format!("femke.{tag}@example.org"),
        "+31 6 55509876".to_owned(),
        format!("activity-{tag} visited the library"),
        format!("checkin-{tag} feels at home"),
        format!("reason-{tag} moved to family"),
        format!("withdrawn-{tag} personal circumstances"),
        admin_email.clone(),
        "an admin password".to_owned(),
        format!("wrong-{tag}@example.org"),
    ];

    // A failed login (unknown account) and a good one.
    let bad = c
        .gql(
            None,
            "mutation($e:String!){ login(email:$e, password:\"guess guess guess\"){ token } }",
            json!({"e": secrets[13]}),
        )
        .await;
    assert_eq!(code(&bad).as_deref(), Some("UNAUTHENTICATED"));
    let login = c
        .gql(
            None,
            "mutation($e:String!,$p:String!){ login(email:$e, password:$p){ token } }",
            json!({"e": admin_email, "p": secrets[12]}),
        )
        .await;
    let admin = login["data"]["login"]["token"].as_str().expect("token").to_owned();

    let mut input = newcomer_input("almere");
    input["name"] = json!(secrets[0]);
    input["email"] = json!(secrets[1]);
    input["phone"] = json!(secrets[2]);
    input["needs"] = json!(secrets[3]);
    let n =
        c.ok(&admin, REGISTER, json!({ "input": input })).await["registerNewcomer"]["id"].as_str().unwrap().to_owned();
    // Bad input that carries personal values: refused, and the refusal is not logged with them.
    let mut bad_input = input.clone();
    bad_input["email"] = json!(format!("{} at nowhere", secrets[0]));
    let refused = c.gql(Some(&admin), REGISTER, json!({ "input": bad_input })).await;
    assert_eq!(code(&refused).as_deref(), Some("BAD_USER_INPUT"));
    c.ok(&admin, "query($id:ID!){ newcomer(id:$id){ name email phone needs } }", json!({"id": n})).await;

    let g = c.ok(&admin, CREATE_GROUP, json!({ "input": group_input("almere") })).await["createWelcomeGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..5 {
        let mut m = member_input(i == 0);
        if i == 0 {
            m["name"] = json!(secrets[4]);
            m["email"] = json!(secrets[5]);
            m["phone"] = json!(secrets[6]);
        }
        c.ok(&admin, ADD_MEMBER, json!({ "g": g, "input": m })).await;
    }
    c.ok(&admin, "mutation($id:ID!){ markGroupReady(id:$id){ status } }", json!({"id": g})).await;
    let m = c
        .ok(&admin, "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id } }", json!({"n": n, "g": g}))
        .await["proposeMatch"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.ok(&admin, "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m})).await;
    let mut activity =
        activity_input(&chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive().to_string());
    activity["notes"] = json!(secrets[7]);
    c.ok(&admin, LOG_ACTIVITY, json!({"m": m, "input": activity})).await;
    let mut check_in = check_in_input(3);
    check_in["notes"] = json!(secrets[8]);
    // Not due yet (the match started today): refused, with the notes in the request.
    let early = c.gql(Some(&admin), CHECK_IN, json!({"m": m, "input": check_in})).await;
    assert!(code(&early).is_some(), "{early}");
    c.ok(
        &admin,
        "mutation($id:ID!,$r:String!){ endMatch(id:$id, reason:$r, reasonCode: NEWCOMER_MOVED){ status } }",
        json!({"id": m, "r": secrets[9]}),
    )
    .await;
    c.ok(&admin, "query($id:ID!){ personalDataReport(newcomerId:$id) }", json!({"id": n})).await;
    c.ok(
        &admin,
        "mutation($id:ID!,$r:String!){ withdrawNewcomer(id:$id, reason:$r){ status } }",
        json!({"id": n, "r": secrets[10]}),
    )
    .await;
    let v =
        c.ok(&admin, "mutation{ proposeExportPolicy{ version } }", json!({})).await["proposeExportPolicy"]["version"]
            .clone();
    c.ok(&admin, "mutation($v:Int!){ adoptExportPolicy(version:$v){ version } }", json!({"v": v})).await;
    let export = c
        .http
        .get(format!("http://127.0.0.1:{port}/exports/newcomers?format=jsonl"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert!(export.status().is_success());
    export.text().await.unwrap();
    c.ok(&admin, "mutation($id:ID!){ eraseNewcomer(id:$id) }", json!({"id": n})).await;
    // A script that prints what it sees of the candidates (and a marker of its own).
    let printing = "fn eligible(n, g) { print(`SCRIPT-PRINTED ${n.neighbourhood} ${n.age}`); debug(`SCRIPT-DEBUGGED ${g.neighbourhood}`); true }\nfn score(n, g) { #{ x: 1 } }";
    c.ok(
        &admin,
        "mutation($s:String!){ validateScoringScript(citySlug:\"almere\", source:$s){ ok } }",
        json!({"s": printing}),
    )
    .await;

    server.kill().ok();
    server.wait().ok();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(logs.lines().count() > 50, "trace logging was on: {} lines", logs.lines().count());
    assert!(logs.contains("graphql request"), "the requests were logged");
    let leaked: Vec<&String> = secrets.iter().filter(|s| logs.contains(s.as_str())).collect();
    let lower = logs.to_lowercase();
    let leaked_any_case: Vec<&String> = secrets.iter().filter(|s| lower.contains(&s.to_lowercase())).collect();
    assert!(leaked.is_empty() && leaked_any_case.is_empty(), "personal values in the logs: {leaked_any_case:?}");
    assert!(!logs.contains("SCRIPT-PRINTED") && !logs.contains("SCRIPT-DEBUGGED"), "a script's print reached the log");
    // Every line is JSON with a level.
    for line in logs.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        assert!(v["level"].is_string(), "{line}");
    }
}
