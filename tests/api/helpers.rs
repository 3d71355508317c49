//! Test harness: every test starts the real server on port 0 with a database of its own and
//! talks HTTP to it, as a partner app would. SQLite (a temporary file) by default; with
//! `TEST_DATABASE_URL=postgres://...` each test gets a fresh PostgreSQL database.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use api::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use server::app::{Application, ServeOptions};
use services::config::Settings;
use services::users::{self, NewUser};

pub const TEST_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long!";
pub const TEST_EXPORT_KEY: &str = "test-export-key-that-is-at-least-32-bytes";
/// The key that wraps the data keys of personal data in tests.
pub const TEST_DATA_KEY: &str = "test-data-key-that-is-at-least-32-bytes!";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: Arc<AppState>,
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh database URL: a temporary SQLite file, or a new PostgreSQL database.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(admin_url) if admin_url.starts_with("postgres") => {
            let name = format!("samenhier_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(admin_url.as_str()).await.expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let (base, _) = admin_url.rsplit_once('/').expect("TEST_DATABASE_URL has a database path");
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
            (url, Some(dir))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts a server; `extra` overrides settings (e.g. `SAMENHIER_MAX_BODY_BYTES`).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let (database_url, dir) = fresh_database().await;
    spawn_app_on(database_url, dir, extra).await
}

/// Starts a server on an existing database (a second replica, or a restart with new settings).
pub async fn spawn_app_on(database_url: String, dir: Option<tempfile::TempDir>, extra: &[(&str, &str)]) -> TestApp {
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.clone()),
        ("SAMENHIER_JWT_SECRET".into(), TEST_SECRET.into()),
        ("SAMENHIER_INTROSPECTION".into(), "true".into()),
        ("SAMENHIER_EXPORT_KEY".into(), TEST_EXPORT_KEY.into()),
        ("SAMENHIER_DATA_KEY".into(), TEST_DATA_KEY.into()),
        // The scheduler's statements would count in the tests that count statements; the
        // notification tests turn it on.
        ("SAMENHIER_NOTIFY".into(), "false".into()),
    ]);
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let app = Application::build(settings, ServeOptions::default(), listener).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = Arc::clone(&app.state);
    tokio::spawn(app.run_until_stopped());
    // Idle connections are dropped well before the server's keep-alive closes them, so a
    // request never races the server's close of a connection it is reusing.
    let client =
        reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(20)).build().expect("HTTP client");
    TestApp { address, client, state, database_url, _dir: dir }
}

impl TestApp {
    /// POSTs a GraphQL operation and returns the JSON body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        resp.json().await.expect("JSON body")
    }

    /// Like `gql`, but fails the test on any error and returns `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors for {query}: {body}");
        body["data"].clone()
    }

    /// Creates a user directly and logs in through HTTP; returns the token.
    pub async fn user(&self, role: &str, city: Option<&str>, group: Option<&str>) -> String {
        let email = format!("{}-{}@example.org", role.to_lowercase(), uuid::Uuid::new_v4().simple());
        users::create(
            &self.state.db,
            NewUser {
                email: email.clone(),
                role: users::parse_role(role).expect("role"),
                city: city.map(str::to_owned),
                group: group.map(str::to_owned),
                password: PASSWORD.into(),
            },
        )
        .await
        .expect("create user");
        self.login(&email, PASSWORD).await
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let data = self
            .ok(
                None,
                "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }",
                json!({"e": email, "p": password}),
            )
            .await;
        data["login"]["token"].as_str().expect("token").to_owned()
    }

    pub async fn admin(&self) -> String {
        self.user("ADMIN", None, None).await
    }

    /// Creates a FORMING group in `city` and returns its id.
    pub async fn create_group(&self, token: &str, city: &str) -> String {
        let data = self.ok(Some(token), CREATE_GROUP, json!({ "input": group_input(city) })).await;
        data["createWelcomeGroup"]["id"].as_str().expect("id").to_owned()
    }

    /// Adds a member; returns the member id.
    pub async fn add_member(&self, token: &str, group: &str, coordinator: bool) -> String {
        let data = self.ok(Some(token), ADD_MEMBER, json!({ "g": group, "input": member_input(coordinator) })).await;
        data["addGroupMember"]["id"].as_str().expect("id").to_owned()
    }

    /// A group with five members, one coordinator, marked READY.
    pub async fn ready_group(&self, token: &str, city: &str) -> String {
        let g = self.create_group(token, city).await;
        for i in 0..5 {
            self.add_member(token, &g, i == 0).await;
        }
        self.ok(Some(token), "mutation($id:ID!){ markGroupReady(id:$id){ status } }", json!({ "id": g })).await;
        g
    }

    /// Registers a newcomer in `city`; returns the id.
    pub async fn register(&self, token: &str, city: &str) -> String {
        let data = self.ok(Some(token), REGISTER, json!({ "input": newcomer_input(city) })).await;
        data["registerNewcomer"]["id"].as_str().expect("id").to_owned()
    }
}

pub const CREATE_GROUP: &str = "mutation($input: CreateWelcomeGroupInput!){ createWelcomeGroup(input:$input){ id name status version city { slug } languages interests capacity } }";
pub const ADD_MEMBER: &str =
    "mutation($g: ID!, $input: GroupMemberInput!){ addGroupMember(groupId:$g, input:$input){ id name isCoordinator } }";
pub const REGISTER: &str =
    "mutation($input: RegisterNewcomerInput!){ registerNewcomer(input:$input){ id status version } }";

impl TestApp {
    /// Proposes an export policy on today's data with `k` and adopts it, as an ADMIN does;
    /// returns its version.
    pub async fn adopt_export_policy(&self, admin: &str, k: Option<i32>) -> i64 {
        let proposed = self
            .ok(
                Some(admin),
                "mutation($k:Int){ proposeExportPolicy(k:$k, note:\"test\"){ version state } }",
                json!({"k": k}),
            )
            .await;
        assert_eq!(proposed["proposeExportPolicy"]["state"], "PROPOSED");
        let version = proposed["proposeExportPolicy"]["version"].as_i64().expect("a version");
        let adopted = self
            .ok(
                Some(admin),
                "mutation($v:Int!){ adoptExportPolicy(version:$v){ version state } }",
                json!({"v": version}),
            )
            .await;
        assert_eq!(adopted["adoptExportPolicy"]["state"], "ADOPTED");
        version
    }
}

pub fn group_input(city: &str) -> Value {
    json!({
        "citySlug": city, "name": "Buren van de Haven", "neighbourhood": "Centrum", "capacity": 4,
        "languages": ["nl", "en"], "interests": ["cooking", "walking"], "availabilityHoursPerMonth": 10,
        "intakeHeldOn": "2026-02-01", "preparationAttendedOn": "2026-02-15"
    })
}

pub fn member_input(coordinator: bool) -> Value {
    json!({
        "name": "Marieke Visser", "email": format!("m{}@example.org", uuid::Uuid::new_v4().simple()),
        "phone": "+31 6 12345678", "birthYear": 1980, "languages": ["nl", "en"],
        "interests": ["cooking"], "sector": "healthcare", "isCoordinator": coordinator, "vogReceivedOn": "2026-01-15"
    })
}

pub fn newcomer_input(city: &str) -> Value {
    json!({
        "citySlug": city, "name": "Rama Haddad", "email": "rama@example.org", "phone": "+31 6 87654321",
        "birthYear": 1990, "gender": "FEMALE", "countryOfOrigin": "SY",
        "languages": [{ "code": "ar", "level": "NATIVE" }, { "code": "en", "level": "BASIC" }],
        "dutchLevel": "A2", "interests": ["cooking"], "sector": "healthcare", "goals": ["WORK", "LANGUAGE"],
        "householdAdults": 2, "childrenAges": [4, 9], "arrivalDate": "2025-03-01", "neighbourhood": "Centrum",
        "shareContactWithGroup": true, "consentDate": "2025-04-01", "privacyNoticeVersion": "2026-01"
    })
}

/// The `extensions.code` of the first error, if any.
pub fn code(body: &Value) -> Option<String> {
    body["errors"][0]["extensions"]["code"].as_str().map(str::to_owned)
}

/// The `extensions.field` of the first error, if any.
pub fn field(body: &Value) -> Option<String> {
    body["errors"][0]["extensions"]["field"].as_str().map(str::to_owned)
}

impl TestApp {
    /// A PROPOSED match between a new newcomer and `group` (a new READY group when `None`) in
    /// `city`, proposed by hand; returns (match, newcomer, group).
    pub async fn proposed_match(&self, admin: &str, city: &str, group: Option<&str>) -> (String, String, String) {
        let n = self.register(admin, city).await;
        let g = match group {
            Some(g) => g.to_owned(),
            None => self.ready_group(admin, city).await,
        };
        let d = self
            .ok(
                Some(admin),
                "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id } }",
                json!({"n": n, "g": g}),
            )
            .await;
        (d["proposeMatch"]["id"].as_str().expect("id").to_owned(), n, g)
    }

    /// An ACTIVE match that started `months_ago` months ago (its dates moved back in the
    /// database, so check-ins and completion are due as they would be by then).
    pub async fn active_match(
        &self,
        admin: &str,
        city: &str,
        group: Option<&str>,
        months_ago: u32,
    ) -> (String, String, String) {
        let (m, n, g) = self.proposed_match(admin, city, group).await;
        self.ok(Some(admin), "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m})).await;
        self.backdate(&m, months_ago).await;
        (m, n, g)
    }

    /// A group whose year with a household is over (its match COMPLETED); the match, household
    /// and group ids.
    pub async fn completed_group(&self, admin: &str, city: &str) -> (String, String, String) {
        let (m, n, g) = self.active_match(admin, city, None, 13).await;
        self.ok(Some(admin), "mutation($id:ID!){ completeMatch(id:$id){ status } }", json!({"id": m})).await;
        (m, n, g)
    }

    /// Moves a match's start (and planned end) `months` months into the past.
    pub async fn backdate(&self, match_id: &str, months: u32) {
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let m = entity::matches::Entity::find_by_id(match_id).one(&self.state.db).await.unwrap().unwrap();
        let start = m.start_date.unwrap().checked_sub_months(chrono::Months::new(months)).unwrap();
        let mut am: entity::matches::ActiveModel = m.into();
        am.start_date = Set(Some(start));
        am.planned_end_date = Set(Some(start.checked_add_months(chrono::Months::new(12)).unwrap()));
        am.update(&self.state.db).await.unwrap();
    }
}

/// Moves a household's registration (and any confirmation) `days` days into the past.
pub async fn registered_days_ago(app: &TestApp, id: &str, days: i64) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let n = entity::newcomer::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    let then = chrono::Utc::now() - chrono::Duration::days(days);
    let mut am: entity::newcomer::ActiveModel = n.into();
    am.created_at = Set(then);
    am.waiting_since = Set(then);
    am.confirmed_at = Set(None);
    am.update(&app.state.db).await.unwrap();
}

pub fn activity_input(date: &str) -> Value {
    json!({ "date": date, "kind": "MEAL", "durationMinutes": 120, "participants": 6, "notes": "cooked together" })
}

pub fn check_in_input(month: i32) -> Value {
    json!({ "month": month, "newcomerSatisfaction": 4, "groupSatisfaction": 5, "dutchLevel": "B1", "workStatus": "PART_TIME_WORK", "networkSize": 12, "notes": "going well" })
}

/// The household's own answers at a check-in.
pub fn household_input(month: i32) -> Value {
    json!({ "month": month, "satisfaction": 3, "wellbeing": 4, "dutchLevel": "A2", "workStatus": "SEARCHING", "networkSize": 4, "notes": "told in Tigrinya" })
}

pub const LOG_ACTIVITY: &str =
    "mutation($m:ID!,$input:ActivityInput!){ logActivity(matchId:$m, input:$input){ id date kind } }";
pub const CHECK_IN: &str =
    "mutation($m:ID!,$input:CheckInInput!){ recordCheckIn(matchId:$m, input:$input){ id month } }";

/// HMAC-SHA-256, computed here (apart from the server's code) to check pseudonyms.
pub fn hmac(key: &[u8], input: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

/// The pseudonym of record `id` of `kind` under a (derived) key: 24 hex digits of the HMAC.
pub fn pseudonym(key: &[u8], kind: &str, id: &str) -> String {
    hmac(key, format!("{kind}:{id}").as_bytes())[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// The key derived from the server's export key for `purpose` (`policy:v1`,
/// `research-project:…`).
pub fn derived_key(purpose: &str) -> Vec<u8> {
    hmac(TEST_EXPORT_KEY.as_bytes(), format!("derive:{purpose}").as_bytes())
}
