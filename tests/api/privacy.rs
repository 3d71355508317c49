//! Exports, erasure, the personal-data report, retention and logs, checked from the outside.
//! The checks here are written independently of the export code: they read the database
//! through the entities, compute HMACs themselves and parse CSV with their own parser.

use std::collections::{HashMap, HashSet};

use sea_orm::{ActiveEnum, ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

use crate::cli::samenhier;
use crate::helpers::*;

const DATASETS: [&str; 7] =
    ["matches", "activities", "checkins", "newcomers", "groups", "candidates", "household_checkins"];
const K: usize = 5;

/// A downloaded export: status, headers we care about, body.
struct Download {
    status: u16,
    suppressed: Option<usize>,
    rows_header: Option<usize>,
    key_id: Option<String>,
    body: String,
}

async fn download(app: &TestApp, token: Option<&str>, path_and_query: &str) -> Download {
    let mut req = app.client.get(format!("{}{path_and_query}", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("GET export");
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let suppressed = header("x-suppressed-rows").and_then(|v| v.parse().ok());
    let rows_header = header("x-export-rows").and_then(|v| v.parse().ok());
    let key_id = header("x-export-key-id");
    let status = resp.status().as_u16();
    Download { status, suppressed, rows_header, key_id, body: resp.text().await.expect("body") }
}

/// RFC 4180, as a reader of the file would parse it: a header row and records.
fn parse_csv(text: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut field = String::new();
    let mut record = Vec::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "CSV does not end with a line break");
    let header = records.remove(0);
    let rows = records
        .into_iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "a CSV row has {} fields, the header {}", r.len(), header.len());
            header.iter().cloned().zip(r).collect()
        })
        .collect();
    (header, rows)
}

/// The key of export policy `version` under the server's export key `master`.
fn policy_key(master: &str, version: i64) -> Vec<u8> {
    hmac(master.as_bytes(), format!("derive:policy:v{version}").as_bytes())
}

/// The threat model's join, computed here from the files alone: each released household's
/// quasi-identifiers with the periods its matches started (from `matches`, joined on
/// `newcomer_pseudonym`), counted over every household of the file. Returns the classes
/// smaller than `k`.
fn small_join_classes(
    newcomers: &[HashMap<String, String>],
    matches: &[HashMap<String, String>],
    k: usize,
) -> Vec<(Vec<String>, usize)> {
    let mut starts: HashMap<&str, Vec<&str>> = HashMap::new();
    for m in matches {
        if !m["start_period"].is_empty() {
            starts.entry(m["newcomer_pseudonym"].as_str()).or_default().push(m["start_period"].as_str());
        }
    }
    let mut classes: HashMap<Vec<String>, usize> = HashMap::new();
    for n in newcomers {
        let mut key: Vec<String> = HOUSEHOLD_QI.iter().map(|c| n[*c].clone()).collect();
        let mut periods = starts.get(n["newcomer_pseudonym"].as_str()).cloned().unwrap_or_default();
        periods.sort_unstable();
        key.push(periods.join(";"));
        *classes.entry(key).or_default() += 1;
    }
    classes.into_iter().filter(|(_, n)| *n < k).collect()
}

/// The match pseudonyms of a matches file.
fn released_matches_of(matches: &[HashMap<String, String>]) -> HashSet<&str> {
    matches.iter().map(|r| r["match_pseudonym"].as_str()).collect()
}

/// What someone who knows a household knows (README, "For analysts": the threat model).
const HOUSEHOLD_QI: [&str; 10] = [
    "city",
    "age_band",
    "gender",
    "origin",
    "household_adults",
    "household_children",
    "arrival_period",
    "dutch_level",
    "goals",
    "language_count",
];

/// Every name, contact detail and free text held about people, read straight from the tables.
async fn personal_values(app: &TestApp) -> Vec<String> {
    use services::sealed as s;
    let db = &app.state.db;
    let mut values = Vec::new();
    // Stored sealed: opened with each record's key, as a reader of the database with the
    // server's key would.
    let subjects: Vec<String> =
        entity::person_key::Entity::find().all(db).await.unwrap().into_iter().map(|k| k.subject_id).collect();
    let keys = app.state.vault.keys(db, &subjects).await.unwrap();
    let open = |subject: &str, column, row: &str, stored: Option<String>| {
        s::open(keys.get(subject), column, row, stored.as_deref()).unwrap()
    };
    for n in entity::newcomer::Entity::find().all(db).await.unwrap() {
        let id = n.id.clone();
        values.extend(
            [
                open(&id, s::NEWCOMER_NAME, &id, Some(n.name)),
                open(&id, s::NEWCOMER_EMAIL, &id, n.email),
                open(&id, s::NEWCOMER_PHONE, &id, n.phone),
                open(&id, s::NEWCOMER_NEEDS, &id, n.needs),
                open(&id, s::NEWCOMER_STATUS_REASON, &id, n.status_reason),
            ]
            .into_iter()
            .flatten(),
        );
    }
    for m in entity::group_member::Entity::find().all(db).await.unwrap() {
        let id = m.id.clone();
        values.extend(
            [
                open(&id, s::MEMBER_NAME, &id, Some(m.name)),
                open(&id, s::MEMBER_EMAIL, &id, Some(m.email)),
                open(&id, s::MEMBER_PHONE, &id, m.phone),
            ]
            .into_iter()
            .flatten(),
        );
    }
    for a in entity::activity_log::Entity::find().all(db).await.unwrap() {
        values.extend(open(&a.match_id, s::ACTIVITY_NOTES, &a.id, a.notes));
    }
    for c in entity::check_in::Entity::find().all(db).await.unwrap() {
        values.extend(open(&c.match_id, s::CHECK_IN_NOTES, &c.id, c.notes));
    }
    for m in entity::matches::Entity::find().all(db).await.unwrap() {
        values.extend(open(&m.id, s::MATCH_END_REASON, &m.id, m.end_reason));
    }
    // Very short values ("-") would match anywhere and identify no one.
    values.retain(|v| v.len() >= 6 && v != "(erased)");
    values.sort();
    values.dedup();
    values
}

/// A household with a year behind it: contact details, needs, an activity with notes, a
/// check-in with notes and an early end with a reason, every value unique to this test.
struct Person {
    id: String,
    match_id: String,
    values: Vec<String>,
}

async fn person_with_history(app: &TestApp, admin: &str, city: &str) -> Person {
    let u = uuid::Uuid::new_v4().simple().to_string();
    let tag = &u[..10];
    let digits: String = u.chars().filter(char::is_ascii_digit).chain("12345678".chars()).take(8).collect();
    let mut input = newcomer_input(city);
    input["name"] = json!(format!("Zainab Q{tag}"));
    input["preferredName"] = json!(format!("Zaina{tag}"));
    input["email"] = json!(format!("zainab.{tag}@example.org"));
    input["phone"] = json!(format!("+31 6 {digits}"));
    input["needs"] = json!(format!("needs-{tag}: a quiet home near school"));
    let d = app.ok(Some(admin), REGISTER, json!({ "input": input })).await;
    let id = d["registerNewcomer"]["id"].as_str().unwrap().to_owned();
    let g = app.ready_group(admin, city).await;
    let m = app
        .ok(
            Some(admin),
            "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id } }",
            json!({"n": id, "g": g}),
        )
        .await["proposeMatch"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(Some(admin), "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m})).await;
    app.backdate(&m, 13).await;
    let mut activity = activity_input(&(chrono::Utc::now().date_naive() - chrono::Duration::days(5)).to_string());
    activity["notes"] = json!(format!("activity-{tag}: cooked maqluba"));
    app.ok(Some(admin), LOG_ACTIVITY, json!({"m": m, "input": activity})).await;
    let mut check_in = check_in_input(3);
    check_in["notes"] = json!(format!("checkin-{tag}: found a job"));
    app.ok(Some(admin), CHECK_IN, json!({"m": m, "input": check_in})).await;
    app.ok(
        Some(admin),
        "mutation($id:ID!,$r:String!){ endMatch(id:$id, reason:$r, reasonCode: NEWCOMER_MOVED){ status } }",
        json!({"id": m, "r": format!("ended-{tag}: moved to Groningen")}),
    )
    .await;
    let values = vec![
        format!("Zainab Q{tag}"),
        format!("Zaina{tag}"),
        format!("zainab.{tag}@example.org"),
        format!("+31 6 {digits}"),
        format!("needs-{tag}"),
        format!("activity-{tag}"),
        format!("checkin-{tag}"),
        format!("ended-{tag}"),
    ];
    Person { id, match_id: m, values }
}

#[tokio::test]
async fn exports_hold_no_personal_values_are_k_anonymous_and_join() {
    let app = spawn_app().await;
    services::demo::seed(&app.state.db, &app.state.settings).await.expect("demo seed");
    // The demo writes plain text, as an older version did; start-up seals it (run here).
    let sealed = services::sealed::seal_legacy(&app.state.db, &app.state.vault).await.unwrap();
    assert!(sealed > 0);
    let db = &app.state.db;
    assert!(
        entity::newcomer::Entity::find().all(db).await.unwrap().iter().all(|n| services::sealed::is_sealed(&n.name))
    );
    let ends: Vec<_> =
        entity::matches::Entity::find().all(db).await.unwrap().into_iter().filter_map(|m| m.end_reason).collect();
    assert!(!ends.is_empty() && ends.iter().all(|r| services::sealed::is_sealed(r)), "{ends:?}");
    assert_eq!(services::sealed::seal_legacy(db, &app.state.vault).await.unwrap(), 0, "sealed once");
    let admin = app.admin().await;
    let person = person_with_history(&app, &admin, "almere").await;
    let analyst = app.user("ANALYST", None, None).await;
    let personal = personal_values(&app).await;
    assert!(personal.len() > 400, "the seed holds personal values to look for: {}", personal.len());
    // A committed round: its candidates are a dataset too.
    app.ok(Some(&admin), "mutation { runMatching(input:{citySlug:\"haarlem\"}){ id } }", json!({})).await;
    assert!(!entity::round_candidate::Entity::find().all(&app.state.db).await.unwrap().is_empty());
    let version = app.adopt_export_policy(&admin, None).await;
    let key = policy_key(TEST_EXPORT_KEY, version);

    let mut tables: HashMap<&str, Vec<HashMap<String, String>>> = HashMap::new();
    for dataset in DATASETS {
        let csv = download(&app, Some(&analyst), &format!("/exports/{dataset}?format=csv")).await;
        assert_eq!(csv.status, 200, "{dataset}: {}", csv.body);
        let jsonl = download(&app, Some(&analyst), &format!("/exports/{dataset}?format=jsonl")).await;
        assert_eq!(jsonl.status, 200, "{dataset}: {}", jsonl.body);
        for (format, body) in [("csv", &csv.body), ("jsonl", &jsonl.body)] {
            let leaked: Vec<&String> = personal.iter().filter(|v| body.contains(v.as_str())).collect();
            assert!(leaked.is_empty(), "{dataset}.{format} holds personal values: {leaked:?}");
        }
        let (header, rows) = parse_csv(&csv.body);
        let lines: Vec<Value> =
            jsonl.body.lines().map(|l| serde_json::from_str(l).expect("a JSON object per line")).collect();
        assert_eq!(rows.len(), lines.len(), "{dataset}: CSV and JSON Lines hold the same rows");
        assert_eq!(Some(rows.len()), csv.rows_header, "{dataset}: X-Export-Rows");
        for (row, line) in rows.iter().zip(&lines) {
            let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), header.len());
            for h in &header {
                let v = &line[h];
                let as_text = match v {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if h != "score" && h != "criteria" {
                    assert_eq!(row[h], as_text, "{dataset}.{h}: CSV and JSON Lines agree");
                }
            }
        }
        for h in &header {
            assert!(
                !["name", "email", "phone", "notes", "needs", "birth_year", "arrival_date"].contains(&h.as_str()),
                "{dataset} has a column {h}"
            );
        }
        let total = match dataset {
            "newcomers" => entity::newcomer::Entity::find().all(&app.state.db).await.unwrap().len(),
            "groups" => entity::welcome_group::Entity::find().all(&app.state.db).await.unwrap().len(),
            "matches" => entity::matches::Entity::find().all(&app.state.db).await.unwrap().len(),
            "activities" => entity::activity_log::Entity::find().all(&app.state.db).await.unwrap().len(),
            "candidates" => entity::round_candidate::Entity::find().all(&app.state.db).await.unwrap().len(),
            "household_checkins" => entity::household_check_in::Entity::find().all(&app.state.db).await.unwrap().len(),
            _ => entity::check_in::Entity::find().all(&app.state.db).await.unwrap().len(),
        };
        let suppressed = csv.suppressed.expect("X-Suppressed-Rows");
        assert_eq!(rows.len() + suppressed, total, "{dataset}: rows plus suppressed rows are every record");
        tables.insert(dataset, rows);
    }

    // k-anonymity on the threat model's join of households with the periods their matches
    // started, and on the groups' quasi-identifiers with theirs.
    let small = small_join_classes(&tables["newcomers"], &tables["matches"], K);
    assert!(small.is_empty(), "households joined with their matches: classes below {K}: {small:?}");
    assert!(tables["newcomers"].len() > 20, "k-anonymity left households to study: {}", tables["newcomers"].len());
    let mut group_starts: HashMap<&str, Vec<&str>> = HashMap::new();
    for m in &tables["matches"] {
        if !m["start_period"].is_empty() {
            group_starts.entry(m["group_pseudonym"].as_str()).or_default().push(m["start_period"].as_str());
        }
    }
    let mut classes: HashMap<Vec<String>, usize> = HashMap::new();
    for g in &tables["groups"] {
        let mut periods = group_starts.get(g["group_pseudonym"].as_str()).cloned().unwrap_or_default();
        periods.sort_unstable();
        let key = vec![g["city"].clone(), g["member_count"].clone(), g["members_age_band"].clone(), periods.join(";")];
        *classes.entry(key).or_default() += 1;
    }
    let small: Vec<_> = classes.iter().filter(|(_, n)| **n < K).collect();
    assert!(small.is_empty(), "groups joined with their matches: classes below {K}: {small:?}");
    // Every match, check-in and activity links to a released household (and group): nothing
    // withheld from one file is released through another.
    let released: HashSet<&str> = tables["newcomers"].iter().map(|r| r["newcomer_pseudonym"].as_str()).collect();
    let released_groups: HashSet<&str> = tables["groups"].iter().map(|r| r["group_pseudonym"].as_str()).collect();
    assert!(tables["matches"].iter().all(|m| released.contains(m["newcomer_pseudonym"].as_str())
        && released_groups.contains(m["group_pseudonym"].as_str())));
    assert!(tables["checkins"].iter().all(|c| released.contains(c["newcomer_pseudonym"].as_str())));
    assert!(
        tables["household_checkins"]
            .iter()
            .all(|c| released_matches_of(&tables["matches"]).contains(c["match_pseudonym"].as_str()))
    );
    assert!(tables["matches"].iter().all(|m| ["0-2", "3-5", "6-11", "12+"].contains(&m["waited_band"].as_str())));
    let released_matches: HashSet<&str> = tables["matches"].iter().map(|r| r["match_pseudonym"].as_str()).collect();
    assert!(tables["candidates"].iter().all(|c| released.contains(c["newcomer_pseudonym"].as_str())
        && released_groups.contains(c["group_pseudonym"].as_str())
        && (c["match_pseudonym"].is_empty() || released_matches.contains(c["match_pseudonym"].as_str()))));
    assert!(
        tables["candidates"].iter().any(|c| c["proposed"] == "true")
            && tables["candidates"].iter().any(|c| c["proposed"] == "false"),
        "candidates left to study, proposed and not"
    );
    assert!(tables["activities"].iter().all(|a| released_matches.contains(a["match_pseudonym"].as_str())));
    assert!(!tables["matches"].is_empty() && !tables["checkins"].is_empty(), "events left to study");

    // Pseudonyms: the policy key's HMAC of the record id, the same in every dataset.
    let stored = entity::matches::Entity::find().all(&app.state.db).await.unwrap();
    let by_pseudonym: HashMap<String, &entity::matches::Model> =
        stored.iter().map(|m| (pseudonym(&key, "match", &m.id), m)).collect();
    for row in &tables["matches"] {
        let m = by_pseudonym.get(&row["match_pseudonym"]).expect("every match pseudonym is the HMAC of a match id");
        assert_eq!(row["newcomer_pseudonym"], pseudonym(&key, "newcomer", &m.newcomer_id));
        assert_eq!(row["group_pseudonym"], pseudonym(&key, "group", &m.group_id));
        assert_eq!(row["status"], m.status.to_value());
    }
    // The household with a history is either released in full or withheld in full.
    let match_p = pseudonym(&key, "match", &person.match_id);
    let in_matches = tables["matches"].iter().find(|r| r["match_pseudonym"] == match_p);
    let in_newcomers = released.contains(pseudonym(&key, "newcomer", &person.id).as_str());
    assert_eq!(in_matches.is_some(), in_newcomers);
    if let Some(m) = in_matches {
        assert_eq!(m["status"], "ENDED_EARLY");
        assert_eq!(m["end_reason_code"], "NEWCOMER_MOVED");
    }
    assert_eq!(tables["checkins"].iter().any(|r| r["match_pseudonym"] == match_p), in_newcomers);
    for ids in tables.values().flat_map(|rows| rows.iter()) {
        for (col, v) in ids {
            if col.ends_with("_pseudonym") && !v.is_empty() {
                assert_eq!(v.len(), 24, "{col} {v}");
            }
        }
    }

    // A city filter keeps only that city; every export is in the audit log with its key id.
    let almere = download(&app, Some(&analyst), "/exports/matches?city=almere").await;
    let (_, rows) = parse_csv(&almere.body);
    assert!(!rows.is_empty() && rows.iter().all(|r| r["city"] == "almere"));
    let audit = app
        .ok(Some(&admin), "{ auditLog(filter:{action:\"export.download\"}, first: 20){ totalCount edges { node { actorRole entityId details } } } }", json!({}))
        .await;
    assert_eq!(audit["auditLog"]["totalCount"], 15);
    let details: Value =
        serde_json::from_str(audit["auditLog"]["edges"][0]["node"]["details"].as_str().unwrap()).unwrap();
    assert_eq!(audit["auditLog"]["edges"][0]["node"]["actorRole"], "ANALYST");
    assert_eq!(details["city"], "almere");
    assert_eq!(details["rows"], rows.len());
    assert_eq!(details["keyId"].as_str(), almere.key_id.as_deref());
    assert_eq!(details["policyVersion"], version);
}

#[tokio::test]
async fn export_requests_are_checked_with_clear_errors() {
    let app = spawn_app().await;
    let analyst = app.user("ANALYST", None, None).await;
    let city_admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let partner = app.user("PARTNER", Some("almere"), None).await;
    /// (token, path, status, code, field)
    type Case<'a> = (Option<&'a str>, &'a str, u16, &'a str, Option<&'a str>);
    let cases: [Case; 8] = [
        (None, "/exports/newcomers", 401, "UNAUTHENTICATED", None),
        (Some("not-a-token"), "/exports/newcomers", 401, "UNAUTHENTICATED", None),
        (Some(&city_admin), "/exports/newcomers", 403, "FORBIDDEN", None),
        (Some(&partner), "/exports/matches", 403, "FORBIDDEN", None),
        (Some(&analyst), "/exports/people", 400, "BAD_USER_INPUT", Some("dataset")),
        (Some(&analyst), "/exports/newcomers?format=xlsx", 400, "BAD_USER_INPUT", Some("format")),
        (Some(&analyst), "/exports/newcomers?city=atlantis", 400, "BAD_USER_INPUT", Some("city")),
        (Some(&analyst), "/exports/newcomers?cty=almere", 400, "BAD_USER_INPUT", Some("cty")),
    ];
    for (token, path, status, code, field) in cases {
        let d = download(&app, token, path).await;
        assert_eq!(d.status, status, "{path}: {}", d.body);
        let body: Value = serde_json::from_str(&d.body).expect("a JSON error");
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{path}");
        assert_eq!(body["errors"][0]["extensions"]["field"].as_str(), field, "{path}");
        assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.len() > 10), "{path}: {}", d.body);
    }
    // Before an administrator adopted a policy there is nothing to download.
    let d = download(&app, Some(&analyst), "/exports/newcomers").await;
    assert_eq!(d.status, 409, "{}", d.body);
    let body: Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("adoptExportPolicy"), "{}", d.body);
    // A refused export is not an export: nothing in the audit log.
    let admin = app.admin().await;
    let audit =
        app.ok(Some(&admin), "{ auditLog(filter:{action:\"export.download\"}){ totalCount } }", json!({})).await;
    assert_eq!(audit["auditLog"]["totalCount"], 0);
    // Proposing and adopting: ADMIN only, bad input named, only a proposal can be adopted.
    for (token, query, want, want_field) in [
        (&analyst, "mutation{ proposeExportPolicy{ version } }", "FORBIDDEN", None),
        (&city_admin, "mutation{ adoptExportPolicy(version: 1){ version } }", "FORBIDDEN", None),
        (&admin, "mutation{ proposeExportPolicy(k: 1){ version } }", "BAD_USER_INPUT", Some("k")),
        (&admin, "mutation{ proposeExportPolicy(k: 101){ version } }", "BAD_USER_INPUT", Some("k")),
        (&admin, "mutation{ adoptExportPolicy(version: 7){ version } }", "NOT_FOUND", None),
        (
            &admin,
            "mutation{ proposeExportPolicy(keep: [{column: \"religion\", level: 0}]){ version } }",
            "BAD_USER_INPUT",
            Some("keep"),
        ),
        (
            &admin,
            "mutation{ proposeExportPolicy(keep: [{column: \"gender\", level: 2}]){ version } }",
            "BAD_USER_INPUT",
            Some("keep"),
        ),
        (&admin, "mutation{ proposeExportPolicy(maxWithheld: 0.9){ version } }", "BAD_USER_INPUT", Some("maxWithheld")),
    ] {
        let r = app.gql(Some(token), query, json!({})).await;
        assert_eq!(code(&r).as_deref(), Some(want), "{query}: {r}");
        assert_eq!(field(&r).as_deref(), want_field, "{query}: {r}");
    }
    let none = app.ok(Some(&admin), "{ exportPolicies { version } }", json!({})).await;
    assert_eq!(none["exportPolicies"], json!([]), "a refused proposal stores nothing");
    let version = app.adopt_export_policy(&admin, None).await;
    let again = app
        .gql(Some(&admin), "mutation($v:Int!){ adoptExportPolicy(version:$v){ version } }", json!({"v": version}))
        .await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"), "{again}");
    // An empty export still has its header.
    let d = download(&app, Some(&admin), "/exports/activities?format=csv").await;
    assert_eq!(d.body, "activity_pseudonym,match_pseudonym,city,period,kind,duration_minutes,participants\r\n");
    assert_eq!(d.suppressed, Some(0));
    // The catalog tells a notebook what there is.
    let cat = app
        .ok(
            Some(&analyst),
            "{ exportCatalog { keyId k formats datasets { name path columns { name kind } } } }",
            json!({}),
        )
        .await;
    assert_eq!(cat["exportCatalog"]["k"], 5);
    assert_eq!(cat["exportCatalog"]["keyId"].as_str(), d.key_id.as_deref());
    let policies = app
        .ok(
            Some(&analyst),
            "{ exportPolicies { version state keyId levels { part column level meaning } } }",
            json!({}),
        )
        .await;
    assert_eq!(policies["exportPolicies"][0]["state"], "ADOPTED");
    assert_eq!(policies["exportPolicies"][0]["keyId"].as_str(), d.key_id.as_deref());
    assert!(policies["exportPolicies"][0]["levels"].as_array().unwrap().iter().any(|l| l["column"] == "event_period"));
    let names: Vec<&str> =
        cat["exportCatalog"]["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, DATASETS);
}

#[tokio::test]
async fn a_new_policy_or_a_new_export_key_gives_new_pseudonyms() {
    let (url, dir) = fresh_database().await;
    let first = spawn_app_on(url.clone(), dir, &[]).await;
    services::demo::seed(&first.state.db, &first.state.settings).await.expect("demo seed");
    let admin = first.admin().await;
    let v1 = first.adopt_export_policy(&admin, None).await;
    let one = download(&first, Some(&admin), "/exports/newcomers?format=jsonl").await;
    // The same recoding adopted again is a new policy with a key of its own.
    let v2 = first.adopt_export_policy(&admin, None).await;
    let two = download(&first, Some(&admin), "/exports/newcomers?format=jsonl").await;
    let second = spawn_app_on(url, None, &[("SAMENHIER_EXPORT_KEY", "a-rotated-export-key-of-32-bytes-or-more")]).await;
    let admin2 = second.user("ADMIN", None, None).await;
    // What was released stays as it was released, named by the key it was made with.
    let still = download(&second, Some(&admin2), "/exports/newcomers?format=jsonl").await;
    assert_eq!((still.key_id.as_deref(), &still.body), (two.key_id.as_deref(), &two.body));
    let v3 = second.adopt_export_policy(&admin2, None).await;
    let three = download(&second, Some(&admin2), "/exports/newcomers?format=jsonl").await;
    let ids: HashSet<Option<String>> = [&one, &two, &three].iter().map(|d| d.key_id.clone()).collect();
    assert_eq!(ids.len(), 3, "three policies, three keys");
    let pseudonyms = |d: &Download| -> HashSet<String> {
        d.body
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["newcomer_pseudonym"].as_str().unwrap().to_owned())
            .collect()
    };
    let (p1, p2, p3) = (pseudonyms(&one), pseudonyms(&two), pseudonyms(&three));
    assert!(!p1.is_empty() && p1.len() == p2.len() && p2.len() == p3.len(), "the same rows");
    assert!(
        p1.is_disjoint(&p2) && p2.is_disjoint(&p3) && p1.is_disjoint(&p3),
        "files of two policies cannot be joined"
    );
    // Each is the HMAC under its policy's key.
    let n = entity::newcomer::Entity::find().all(&first.state.db).await.unwrap();
    for (set, master, v) in
        [(&p1, TEST_EXPORT_KEY, v1), (&p2, TEST_EXPORT_KEY, v2), (&p3, "a-rotated-export-key-of-32-bytes-or-more", v3)]
    {
        let key = policy_key(master, v);
        let all: HashSet<String> = n.iter().map(|n| pseudonym(&key, "newcomer", &n.id)).collect();
        assert!(set.is_subset(&all), "policy {v}");
    }
    // The retired policy's rows are gone from the database; its record stays.
    let rows = entity::export_release_row::Entity::find().all(&second.state.db).await.unwrap();
    assert!(rows.iter().all(|r| r.policy_version == v3 as i32));
    let policies = second.ok(Some(&admin2), "{ exportPolicies { version state retiredAt } }", json!({})).await;
    let states: Vec<&str> =
        policies["exportPolicies"].as_array().unwrap().iter().map(|p| p["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["ADOPTED", "RETIRED", "RETIRED"]);
}

/// The SQLite file and its write-ahead log, as they lie on disk.
fn sqlite_files(app: &TestApp) -> Vec<u8> {
    let path = app.database_url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
    let mut bytes = std::fs::read(&path).expect("database file");
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    bytes
}

/// The bytes of the database as a thief would read them: the SQLite file and its WAL, or
/// `pg_dump` of the PostgreSQL database.
async fn database_dump(app: &TestApp) -> Vec<u8> {
    if app.database_url.starts_with("sqlite") {
        sqlite_files(app)
    } else {
        let out = std::process::Command::new("pg_dump")
            .arg("--no-owner")
            .arg(&app.database_url)
            .output()
            .expect("pg_dump runs");
        assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }
}

/// Which of `needles` lie in the database's files as they are on disk, free space included:
/// the SQLite file and its WAL; on PostgreSQL (after a CHECKPOINT, so every page is written)
/// the heap, TOAST and index files of every table, and the write-ahead log written since
/// `wal_from` (a segment name). PostgreSQL searches its own files (the log alone is many
/// segments of 16 MiB while the other tests run), so nothing large crosses the connection.
async fn in_database_files(app: &TestApp, wal_from: Option<&str>, needles: &[String]) -> Vec<String> {
    use sea_orm::{DbBackend, Statement};
    if app.database_url.starts_with("sqlite") {
        let bytes = sqlite_files(app);
        return needles.iter().filter(|n| contains(&bytes, n)).cloned().collect();
    }
    let db = &app.state.db;
    db.execute_unprepared("CHECKPOINT").await.unwrap();
    let files = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c \
             WHERE c.relkind IN ('r', 'i', 't') AND pg_relation_filepath(c.oid) IS NOT NULL \
             AND (c.relnamespace = 'public'::regnamespace \
                  OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace) \
                  OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN \
                      (SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace)))",
        ))
        .await
        .unwrap();
    let mut paths: Vec<String> = files.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect();
    if let Some(from) = wal_from {
        let wal = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT 'pg_wal/' || name FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$' AND name >= $1 ORDER BY name",
                [from.into()],
            ))
            .await
            .unwrap();
        paths.extend(wal.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()));
    }
    let mut found = std::collections::BTreeSet::new();
    for path in paths {
        // A relation created and dropped meanwhile has no file any more: nothing to read.
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "WITH f AS MATERIALIZED (SELECT pg_read_binary_file($1, 0, 268435456, true) AS b) \
                 SELECT n FROM unnest(string_to_array($2, chr(2))) AS n, f \
                 WHERE position(convert_to(n, 'UTF8') IN f.b) > 0",
                // The values joined by a control character none of them holds.
                [path.into(), needles.join("\u{2}").into()],
            ))
            .await
            .unwrap();
        found.extend(rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()));
    }
    found.into_iter().collect()
}

/// The write-ahead log segment being written now (PostgreSQL), to read the log from here on.
async fn current_wal_segment(app: &TestApp) -> Option<String> {
    use sea_orm::{DbBackend, Statement};
    if app.database_url.starts_with("sqlite") {
        return None;
    }
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT pg_walfile_name(pg_current_wal_lsn())"))
        .await
        .unwrap()
        .unwrap();
    Some(row.try_get_by_index::<String>(0).unwrap())
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn erasure_leaves_no_personal_value_in_the_database() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let wal_from = current_wal_segment(&app).await;
    let person = person_with_history(&app, &admin, "almere").await;
    let other = person_with_history(&app, &admin, "almere").await;
    // Sealed from the start: no plain value in any file of the database, its write-ahead log
    // and free space included (before sealing, VACUUM left three copies of the name in the
    // heap of `newcomers` and the log held it too), though the API reads them all.
    let all: Vec<String> = person.values.iter().chain(&other.values).cloned().collect();
    let in_files = in_database_files(&app, wal_from.as_deref(), &all).await;
    assert!(in_files.is_empty(), "database files hold {in_files:?} in plain text");
    let dump = database_dump(&app).await;
    for v in &all {
        assert!(!contains(&dump, v), "the dump holds {v:?} in plain text");
    }
    let report = app
        .ok(Some(&admin), "query($id:ID!){ personalDataReport(newcomerId:$id) }", json!({"id": person.id}))
        .await
        .to_string();
    for v in &person.values {
        assert!(report.contains(v.as_str()), "the personal-data report reads {v:?}");
    }
    // The household's and its match's data keys, wrapped, as the key table holds them.
    let wrapped: Vec<String> = entity::person_key::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.subject_id == person.id || k.subject_id == person.match_id)
        .map(|k| k.wrapped_key)
        .collect();
    assert_eq!(wrapped.len(), 2, "a key for the household and one for its match");
    let sealed_name =
        entity::newcomer::Entity::find_by_id(person.id.as_str()).one(&app.state.db).await.unwrap().unwrap().name;
    assert!(services::sealed::is_sealed(&sealed_name));
    // The reader of the files finds what is there: the sealed value itself (else the absence
    // of the plain values above would prove nothing).
    let found = in_database_files(&app, None, std::slice::from_ref(&sealed_name)).await;
    assert_eq!(found.len(), 1, "the raw files hold the sealed name");
    // A household in a live match is refused, with the reason, and nothing changes.
    let (live, live_n, _) = app.proposed_match(&admin, "almere", None).await;
    let refused = app.gql(Some(&admin), "mutation($id:ID!){ eraseNewcomer(id:$id) }", json!({"id": live_n})).await;
    assert_eq!(code(&refused).as_deref(), Some("CONFLICT"), "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains(&live));

    let d = app.ok(Some(&admin), "mutation($id:ID!){ eraseNewcomer(id:$id) }", json!({"id": person.id})).await;
    assert_eq!(d["eraseNewcomer"], true);
    let again = app.ok(Some(&admin), "mutation($id:ID!){ eraseNewcomer(id:$id) }", json!({"id": person.id})).await;
    assert_eq!(again["eraseNewcomer"], true, "erasing twice is harmless");

    // The keys are destroyed: every sealed copy of the household's data, wherever the
    // database left one, no longer opens; the key table was rewritten, so the wrapped keys are
    // not in its file either. Another household still reads.
    let keys = app.state.vault.keys(&app.state.db, &[person.id.clone(), person.match_id.clone()]).await.unwrap();
    assert!(keys.is_empty(), "the household's data keys are gone");
    let left = in_database_files(&app, None, &wrapped).await;
    assert!(left.is_empty(), "a destroyed data key is still in a database file");
    assert_eq!(
        services::sealed::open(None, services::sealed::NEWCOMER_NAME, &person.id, Some(&sealed_name)).unwrap(),
        None
    );
    let other_report = app
        .ok(Some(&admin), "query($id:ID!){ personalDataReport(newcomerId:$id) }", json!({"id": other.id}))
        .await
        .to_string();
    for v in &other.values {
        assert!(other_report.contains(v.as_str()), "another household's {v:?} was erased too");
    }
    // What statistics need stays; what identifies is gone.
    let n = app
        .ok(
            Some(&admin),
            "query($id:ID!){ newcomer(id:$id){ name email phone birthYear gender countryOfOrigin status erasedAt } }",
            json!({"id": person.id}),
        )
        .await;
    assert_eq!(n["newcomer"]["name"], "(erased)");
    assert_eq!(n["newcomer"]["email"], Value::Null);
    assert_eq!(n["newcomer"]["birthYear"], 1990);
    assert_eq!(n["newcomer"]["countryOfOrigin"], "SY");
    assert!(n["newcomer"]["erasedAt"].is_string());
    let m = app
        .ok(Some(&admin), "query($id:ID!){ match(id:$id){ status score endReason } }", json!({"id": person.match_id}))
        .await;
    assert_eq!(m["match"]["status"], "ENDED_EARLY");
    assert_eq!(m["match"]["endReason"], Value::Null);
    let audit = app
        .ok(
            Some(&admin),
            "query($id:String!){ auditLog(filter:{entityId:$id, action:\"newcomer.erase\"}){ totalCount } }",
            json!({"id": person.id}),
        )
        .await;
    assert_eq!(audit["auditLog"]["totalCount"], 1);

    // A member: name and contact details gone, still counted in the group.
    let g = app.ready_group(&admin, "haarlem").await;
    let member = app.add_member(&admin, &g, false).await;
    let before = app
        .ok(Some(&admin), "query($g:ID!){ welcomeGroup(id:$g){ members { id name email phone } } }", json!({"g": g}))
        .await;
    let row = before["welcomeGroup"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member.as_str())
        .unwrap()
        .clone();
    let email = row["email"].as_str().unwrap().to_owned();
    app.ok(Some(&admin), "mutation($id:ID!){ eraseGroupMember(id:$id) }", json!({"id": member})).await;
    let after = app
        .ok(
            Some(&admin),
            "query($g:ID!){ welcomeGroup(id:$g){ members { id name email phone erasedAt } } }",
            json!({"g": g}),
        )
        .await;
    let members = after["welcomeGroup"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 6);
    let erased = members.iter().find(|m| m["id"] == member.as_str()).unwrap();
    assert_eq!(erased["name"], "(erased)");
    assert_eq!(erased["email"], Value::Null);
    assert_eq!(erased["phone"], Value::Null);
    assert!(in_database_files(&app, None, std::slice::from_ref(&email)).await.is_empty());
    let missing = app.gql(Some(&admin), "mutation{ eraseGroupMember(id:\"no-such-member\") }", json!({})).await;
    assert_eq!(code(&missing).as_deref(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn the_personal_data_report_holds_everything_and_reads_are_audited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let person = person_with_history(&app, &admin, "rotterdam").await;
    let city_admin = app.user("CITY_ADMIN", Some("rotterdam"), None).await;
    let d = app
        .ok(Some(&city_admin), "query($id:ID!){ personalDataReport(newcomerId:$id) }", json!({"id": person.id}))
        .await;
    let report = &d["personalDataReport"];
    let text = report.to_string();
    for v in &person.values {
        assert!(text.contains(v.as_str()), "the report lacks {v:?}");
    }
    assert_eq!(report["newcomer"]["consent"]["privacyNoticeVersion"], "2026-01");
    assert_eq!(report["newcomer"]["consent"]["date"], "2025-04-01");
    assert_eq!(report["matches"].as_array().unwrap().len(), 1);
    assert_eq!(report["activities"].as_array().unwrap().len(), 1);
    assert_eq!(report["checkIns"].as_array().unwrap().len(), 1);
    let actions: Vec<&str> =
        report["auditLog"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"newcomer.register") && actions.contains(&"match.accept"), "{actions:?}");

    // Reading contact details is audited: one entry per reader, record and day, naming the
    // fields and counting the reads.
    for _ in 0..3 {
        app.ok(Some(&city_admin), "query($id:ID!){ newcomer(id:$id){ email phone name } }", json!({"id": person.id}))
            .await;
    }
    let audit = app
        .ok(
            Some(&admin),
            "query($id:String!){ reads: contactReads(filter:{entityId:$id}){ totalCount edges { node { actorRole entityType fields reads day } } } report: auditLog(filter:{entityId:$id, action:\"newcomer.personal_data_report\"}){ totalCount } }",
            json!({"id": person.id}),
        )
        .await;
    assert_eq!(audit["reads"]["totalCount"], 1, "{audit}");
    let read = &audit["reads"]["edges"][0]["node"];
    assert_eq!(read["actorRole"], "CITY_ADMIN");
    assert_eq!(read["entityType"], "newcomer");
    assert_eq!(read["fields"], json!(["email", "phone"]));
    assert_eq!(read["reads"], 3);
    assert_eq!(audit["report"]["totalCount"], 1);
    let text = audit.to_string();
    assert!(person.values.iter().all(|v| !text.contains(v.as_str())), "{text}");
    // The household's report lists who read its contact details.
    let report =
        app.ok(Some(&admin), "query($id:ID!){ personalDataReport(newcomerId:$id) }", json!({"id": person.id})).await;
    let reads = report["personalDataReport"]["contactReads"].as_array().unwrap();
    assert_eq!(reads.len(), 1, "{report}");
    assert_eq!(reads[0]["reads"], 3);
    // Another city's household is NOT_FOUND for this city admin.
    let elsewhere = app.register(&admin, "almere").await;
    let body = app
        .gql(Some(&city_admin), "query($id:ID!){ personalDataReport(newcomerId:$id) }", json!({"id": elsewhere}))
        .await;
    assert_eq!(code(&body).as_deref(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn retention_erases_everyone_past_the_period_and_a_dry_run_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let db = &app.state.db;
    // Ended 30 months ago; ended last month; withdrawn long ago; waiting long ago, never
    // matched; a group withdrawn long ago; a household in a live match (never erased).
    let old = person_with_history(&app, &admin, "almere").await;
    let recent = person_with_history(&app, &admin, "almere").await;
    let withdrawn = app.register(&admin, "almere").await;
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved abroad\"){ status } }",
        json!({"id": withdrawn}),
    )
    .await;
    let never = app.register(&admin, "almere").await;
    let dissolved = app.ready_group(&admin, "almere").await;
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ withdrawWelcomeGroup(id:$id, reason:\"dissolved\"){ status } }",
        json!({"id": dissolved}),
    )
    .await;
    let (_, live_n, _) = app.proposed_match(&admin, "almere", None).await;
    // Waiting for years by its own row, but proposed and declined last week: that is activity.
    let (declined, declined_n, _) = app.proposed_match(&admin, "almere", None).await;
    app.ok(Some(&admin), "mutation($id:ID!){ rejectMatch(id:$id, reason:\"timing\"){ id } }", json!({"id": declined}))
        .await;
    let backdate = |sql: String| async move { db.execute_unprepared(&sql).await.expect("backdate") };
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(30 * 31)).date_naive();
    let stamp = if app.database_url.starts_with("sqlite") {
        format!("{long_ago} 00:00:00+00:00")
    } else {
        format!("{long_ago}T00:00:00Z")
    };
    backdate(format!(
        "UPDATE matches SET end_date = '{long_ago}', updated_at = '{stamp}' WHERE id = '{}'",
        old.match_id
    ))
    .await;
    for id in [&old.id, &withdrawn, &never, &live_n, &declined_n] {
        backdate(format!("UPDATE newcomers SET updated_at = '{stamp}' WHERE id = '{id}'")).await;
    }
    backdate(format!("UPDATE welcome_groups SET updated_at = '{stamp}' WHERE id = '{dissolved}'")).await;

    let (ok, out, err) = samenhier(&app.database_url, &["retention", "apply", "--months", "24", "--dry-run"], "");
    assert!(ok, "{out}{err}");
    let listed: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: HashSet<&str> = listed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in [&old.id, &withdrawn, &never] {
        assert!(ids.contains(id.as_str()), "{id} is past the period: {out}");
    }
    assert!(!ids.contains(recent.id.as_str()) && !ids.contains(live_n.as_str()), "{out}");
    assert!(!ids.contains(declined_n.as_str()), "a household declined last week is active: {out}");
    let members: Vec<&Value> = listed.iter().filter(|c| c["kind"] == "group_member").collect();
    assert_eq!(members.len(), 5, "the dissolved group's members: {out}");
    assert!(err.contains("would erase 3 households and 5 group members"), "{err}");
    assert!(!out.contains("Rama") && !out.contains("Marieke"), "ids only: {out}");
    let still = entity::newcomer::Entity::find_by_id(old.id.clone()).one(db).await.unwrap().unwrap();
    assert!(still.erased_at.is_none(), "a dry run changes nothing");

    let (ok, out, err) = samenhier(&app.database_url, &["retention", "apply", "--months", "24"], "");
    assert!(ok, "{out}{err}");
    assert!(err.contains("erased 3 households and 5 group members"), "{err}");
    for id in [&old.id, &withdrawn, &never] {
        let n = entity::newcomer::Entity::find_by_id(id.clone()).one(db).await.unwrap().unwrap();
        assert!(n.erased_at.is_some() && n.email.is_none() && n.name == "(erased)", "{id}");
    }
    let kept = entity::newcomer::Entity::find_by_id(recent.id.clone()).one(db).await.unwrap().unwrap();
    assert!(kept.erased_at.is_none());
    let dump = database_dump(&app).await;
    for v in &old.values {
        assert!(!contains(&dump, v), "{v:?} survived retention");
    }
    let (ok, _, err) = samenhier(&app.database_url, &["retention", "apply", "--months", "24"], "");
    assert!(ok && err.contains("erased 0 households and 0 group members"), "{err}");
    let (ok, _, err) = samenhier(&app.database_url, &["retention", "apply", "--months", "0"], "");
    assert!(!ok && err.contains("--months"), "{err}");
}

/// Finding 1 of the research-data issue (files of different scopes disagree) and finding 4
/// (exact points give back what is withheld), checked from the files alone.
#[tokio::test]
async fn a_city_file_is_the_all_cities_file_filtered_and_points_leave_only_as_bands() {
    let app = spawn_app().await;
    services::demo::seed(&app.state.db, &app.state.settings).await.expect("demo seed");
    let analyst = app.user("ANALYST", None, None).await;
    let admin = app.admin().await;
    let version = app.adopt_export_policy(&admin, None).await;
    let key = policy_key(TEST_EXPORT_KEY, version);
    let cities: Vec<String> =
        entity::city::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|c| c.slug).collect();
    assert!(cities.len() >= 4);
    let newcomers = entity::newcomer::Entity::find().all(&app.state.db).await.unwrap();
    let groups = entity::welcome_group::Entity::find().all(&app.state.db).await.unwrap();
    for (dataset, id_column) in [("newcomers", "newcomer_pseudonym"), ("groups", "group_pseudonym")] {
        let all = download(&app, Some(&analyst), &format!("/exports/{dataset}")).await;
        let (header, all_rows) = parse_csv(&all.body);
        let by_pseudonym: HashMap<&str, &HashMap<String, String>> =
            all_rows.iter().map(|r| (r[id_column].as_str(), r)).collect();
        for city in &cities {
            let one = download(&app, Some(&analyst), &format!("/exports/{dataset}?city={city}")).await;
            assert_eq!(one.status, 200, "{}", one.body);
            let (_, rows) = parse_csv(&one.body);
            // The same rows with the same values: joining the two files on the pseudonym adds
            // nothing to either, so no class of the join is smaller than in the all-cities file.
            let expected = all_rows.iter().filter(|r| &r["city"] == city).count();
            assert_eq!(rows.len(), expected, "{dataset} of {city}: the all-cities rows of the city");
            for row in &rows {
                let twin = by_pseudonym
                    .get(row[id_column].as_str())
                    .unwrap_or_else(|| panic!("{dataset} of {city}: a row withheld from the all-cities file: {row:?}"));
                for h in &header {
                    assert_eq!(row[h], twin[h], "{dataset} of {city}: {h} differs between the files");
                }
            }
            let total = match dataset {
                "newcomers" => newcomers.iter().filter(|n| &n.city_slug == city).count(),
                _ => groups.iter().filter(|g| &g.city_slug == city).count(),
            };
            assert_eq!(rows.len() + one.suppressed.unwrap_or(usize::MAX), total, "{dataset} of {city}: suppressed");
        }
    }

    // Points: bands 1 to 3 of the round's range, never the points themselves.
    let file = download(&app, Some(&analyst), "/exports/matches?format=jsonl").await;
    let lines: Vec<Value> = file.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty());
    let is_band = |v: &Value| v.is_null() || v.as_i64().is_some_and(|b| (1..=3).contains(&b));
    let mut banded = 0;
    for line in &lines {
        assert!(is_band(&line["score"]), "score {}", line["score"]);
        for (criterion, v) in line["criteria"].as_object().unwrap() {
            assert!(is_band(v), "{criterion}: {v}");
            banded += usize::from(!v.is_null());
        }
    }
    assert!(banded > 0, "bands are published where a round's pairs differ");
    // The computation of finding 4: the proposal month less the waiting points (a point a
    // month in Almere's script) gave each household's registration month. With bands it no
    // longer does: the stored points of Almere's matches say how many months each waited,
    // and the published value differs from them wherever a household waited more than 3.
    let stored = entity::matches::Entity::find().all(&app.state.db).await.unwrap();
    let mut recovered = 0;
    let mut hidden = 0;
    for m in stored.iter().filter(|m| m.city_slug == "almere" && m.run_id.is_some()) {
        let Some(line) = lines.iter().find(|l| l["match_pseudonym"] == pseudonym(&key, "match", &m.id).as_str()) else {
            continue;
        };
        let points: Vec<(String, i64)> = serde_json::from_value(m.explanation.clone()).unwrap();
        let Some((_, waiting)) = points.iter().find(|(c, _)| c == "waiting") else { continue };
        let published = line["criteria"]["waiting"].as_i64();
        if published == Some(waiting / 100) {
            recovered += 1;
        } else {
            hidden += 1;
        }
    }
    assert!(hidden > recovered, "waiting points hidden for {hidden}, still exact for {recovered}");
}

#[tokio::test]
async fn files_under_one_policy_never_disagree_before_or_after_new_registrations() {
    let app = spawn_app().await;
    services::demo::seed(&app.state.db, &app.state.settings).await.expect("demo seed");
    let admin = app.admin().await;
    let analyst = app.user("ANALYST", None, None).await;
    let version = app.adopt_export_policy(&admin, None).await;
    let paths: Vec<String> = DATASETS
        .iter()
        .flat_map(|d| {
            ["", "&city=almere", "&city=haarlem"].into_iter().map(move |c| format!("/exports/{d}?format=jsonl{c}"))
        })
        .collect();
    let mut before = Vec::new();
    for path in &paths {
        let d = download(&app, Some(&analyst), path).await;
        assert_eq!(d.status, 200, "{path}: {}", d.body);
        before.push(d);
    }
    // Six new households (finding 1: adding six switched which columns the file kept), and a
    // match that starts.
    for _ in 0..6 {
        app.register(&admin, "almere").await;
    }
    app.active_match(&admin, "haarlem", None, 1).await;
    for (path, then) in paths.iter().zip(&before) {
        let now = download(&app, Some(&analyst), path).await;
        assert_eq!(now.body, then.body, "{path}: a later file under the same policy is the same file");
        assert_eq!(now.key_id, then.key_id);
    }
    // The next policy releases them, under another key: nothing joins across the two.
    let next = app.adopt_export_policy(&admin, None).await;
    assert_eq!(next, version + 1);
    let later = download(&app, Some(&analyst), "/exports/newcomers?format=jsonl").await;
    let ids = |body: &str| -> HashSet<String> {
        body.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["newcomer_pseudonym"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        ids(&later.body).is_disjoint(&ids(&before
            [paths.iter().position(|p| p == "/exports/newcomers?format=jsonl").unwrap()]
        .body))
    );
    // The release is checked on the join with every file that links to it.
    let (_, newcomers) = parse_csv(&download(&app, Some(&analyst), "/exports/newcomers").await.body);
    let (_, matches) = parse_csv(&download(&app, Some(&analyst), "/exports/matches").await.body);
    let small = small_join_classes(&newcomers, &matches, K);
    assert!(small.is_empty(), "{small:?}");
    // Finding 2: (city, start period) of the released matches is no small class either.
    let mut by_start: HashMap<(&str, &str), usize> = HashMap::new();
    for m in matches.iter().filter(|m| !m["start_period"].is_empty()) {
        *by_start.entry((m["city"].as_str(), m["start_period"].as_str())).or_default() += 1;
    }
    // Each released household with a start is in a join class of k or more, so every
    // (city, period) that occurs is shared by at least k households' starts.
    assert!(by_start.values().all(|n| *n >= K), "{by_start:?}");
}
