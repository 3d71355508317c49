//! Research extracts under an agreement, checked from the outside: who may download, which
//! people and columns an extract holds, whose key its pseudonyms are made with, and that a
//! project's dates are kept. The checks compute HMACs themselves and read the database through
//! the entities.

use std::collections::HashSet;

use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::*;

fn project_key(project: &str) -> Vec<u8> {
    derived_key(&format!("research-project:{project}"))
}

struct Got {
    status: u16,
    download_id: Option<String>,
    body: String,
}

async fn get(app: &TestApp, token: &str, path: &str) -> Got {
    let resp = app.client.get(format!("{}{path}", app.address)).bearer_auth(token).send().await.expect("GET");
    let status = resp.status().as_u16();
    let download_id = resp.headers().get("x-research-download-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    Got { status, download_id, body: resp.text().await.expect("body") }
}

fn lines(body: &str) -> Vec<Value> {
    body.lines().map(|l| serde_json::from_str(l).expect("a JSON object per line")).collect()
}

fn error_code(body: &str) -> String {
    let v: Value = serde_json::from_str(body).expect("a JSON error");
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned()
}

async fn user_id(app: &TestApp, token: &str) -> String {
    app.ok(Some(token), "{ me { id } }", json!({})).await["me"]["id"].as_str().unwrap().to_owned()
}

const REGISTER_PROJECT: &str = "mutation($input: ResearchProjectInput!){ registerResearchProject(input:$input){ id keyId datasets { dataset columns path } researchers { email } } }";

fn project_input(researchers: &[&str], starts: chrono::NaiveDate, ends: chrono::NaiveDate) -> Value {
    json!({
        "name": "Which criteria go with good outcomes",
        "agreementReference": "DSA-2026-014",
        "purpose": "Relate the criteria of the matching script to the check-in outcomes.",
        "datasets": [
            {"dataset": "households"},
            {"dataset": "matches", "columns": ["criteria", "match_pseudonym", "household_pseudonym", "start_month", "days_registration_to_proposal"]},
            {"dataset": "members", "columns": ["member_pseudonym", "birth_year"]},
            {"dataset": "candidates"},
        ],
        "startsOn": starts.to_string(),
        "endsOn": ends.to_string(),
        "researcherIds": researchers,
    })
}

#[tokio::test]
async fn an_extract_holds_only_consenting_people_under_the_projects_own_key_within_its_dates() {
    let app = spawn_app().await;
    services::demo::seed(&app.state.db, &app.state.settings).await.expect("demo seed");
    let admin = app.admin().await;
    let (r1, r2, outsider) = (
        app.user("ANALYST", None, None).await,
        app.user("ANALYST", None, None).await,
        app.user("ANALYST", None, None).await,
    );
    let (r1_id, r2_id) = (user_id(&app, &r1).await, user_id(&app, &r2).await);
    let city_admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let today = app.state.settings.today();
    // A committed round stores every pair it could propose; a dry run stores none.
    app.ok(Some(&admin), "mutation { runMatching(input:{citySlug:\"almere\", dryRun:true}){ id } }", json!({})).await;
    assert!(entity::round_candidate::Entity::find().all(&app.state.db).await.unwrap().is_empty());
    let round = app
        .ok(
            Some(&admin),
            "mutation { runMatching(input:{citySlug:\"almere\"}){ id matchedCount eligiblePairs } }",
            json!({}),
        )
        .await;
    let stored = entity::round_candidate::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(stored.len() as i64, round["runMatching"]["eligiblePairs"].as_i64().unwrap(), "{round}");
    assert_eq!(
        stored.iter().filter(|c| c.proposed).count() as i64,
        round["runMatching"]["matchedCount"].as_i64().unwrap()
    );
    let (starts, ends) = (today - chrono::Duration::days(10), today + chrono::Duration::days(30));

    // Registering: ADMIN only, every problem named at its field.
    let refused =
        app.gql(Some(&city_admin), REGISTER_PROJECT, json!({"input": project_input(&[&r1_id], starts, ends)})).await;
    assert_eq!(code(&refused).as_deref(), Some("FORBIDDEN"), "{refused}");
    let admin_id = user_id(&app, &admin).await;
    for (change, want_field) in [
        (json!({"datasets": [{"dataset": "people"}]}), "datasets[0]"),
        (json!({"datasets": [{"dataset": "households", "columns": ["name"]}]}), "datasets[0].columns"),
        (json!({"datasets": []}), "datasets"),
        (json!({"endsOn": (starts - chrono::Duration::days(1)).to_string()}), "endsOn"),
        (json!({"researcherIds": [admin_id]}), "researcherIds[0]"),
        (json!({"researcherIds": ["no-such-account"]}), "researcherIds[0]"),
        (json!({"agreementReference": "  "}), "agreementReference"),
    ] {
        let mut input = project_input(&[&r1_id], starts, ends);
        for (k, v) in change.as_object().unwrap() {
            input[k] = v.clone();
        }
        let r = app.gql(Some(&admin), REGISTER_PROJECT, json!({ "input": input })).await;
        assert_eq!(code(&r).as_deref(), Some("BAD_USER_INPUT"), "{change}: {r}");
        assert_eq!(field(&r).as_deref(), Some(want_field), "{change}: {r}");
    }
    let none = app.ok(Some(&admin), "{ researchProjects { id } }", json!({})).await;
    assert_eq!(none["researchProjects"], json!([]), "refused input stores nothing");

    let a = app.ok(Some(&admin), REGISTER_PROJECT, json!({"input": project_input(&[&r1_id], starts, ends)})).await;
    let a = &a["registerResearchProject"];
    let a_id = a["id"].as_str().unwrap().to_owned();
    let approved = a["datasets"].as_array().unwrap().iter().find(|d| d["dataset"] == "matches").unwrap();
    assert_eq!(approved["path"], format!("/research/{a_id}/matches"));
    assert_eq!(
        approved["columns"],
        json!(["match_pseudonym", "household_pseudonym", "criteria", "start_month", "days_registration_to_proposal"]),
        "approved columns in file order"
    );
    let b =
        app.ok(Some(&admin), REGISTER_PROJECT, json!({"input": project_input(&[&r1_id, &r2_id], starts, ends)})).await;
    let b_id = b["registerResearchProject"]["id"].as_str().unwrap().to_owned();
    assert_ne!(a["keyId"], b["registerResearchProject"]["keyId"]);
    // An analyst sees the projects naming them, no other.
    let seen = app.ok(Some(&r2), "{ researchProjects { id } }", json!({})).await;
    assert_eq!(seen["researchProjects"], json!([{"id": b_id}]));

    // Only consenting, not erased households, pseudonymised with the project's key.
    let got = get(&app, &r1, &format!("/research/{a_id}/households?format=jsonl")).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let rows = lines(&got.body);
    let households = entity::newcomer::Entity::find().all(&app.state.db).await.unwrap();
    let consenting: Vec<&entity::newcomer::Model> =
        households.iter().filter(|n| n.research_consent_at.is_some() && n.erased_at.is_none()).collect();
    assert!(consenting.len() > 100 && consenting.len() < households.len(), "the demo has both: {}", consenting.len());
    assert_eq!(rows.len(), consenting.len());
    let key_a = project_key(&a_id);
    let want: HashSet<String> = consenting.iter().map(|n| pseudonym(&key_a, "newcomer", &n.id)).collect();
    let have: HashSet<String> = rows.iter().map(|r| r["household_pseudonym"].as_str().unwrap().to_owned()).collect();
    assert_eq!(have, want, "exactly the consenting households");
    let download_id = got.download_id.clone().expect("X-Research-Download-Id");
    assert!(rows.iter().all(|r| r["project_id"] == a_id.as_str() && r["download_id"] == download_id.as_str()));
    // Full detail: the exact birth year and arrival month.
    let first =
        consenting.iter().find(|n| pseudonym(&key_a, "newcomer", &n.id) == rows[0]["household_pseudonym"]).unwrap();
    assert_eq!(rows[0]["birth_year"], first.birth_year);
    assert_eq!(rows[0]["arrival_month"], first.arrival_date.format("%Y-%m").to_string());

    // Only the approved columns, in file order after the marks.
    let got = get(&app, &r1, &format!("/research/{a_id}/matches?format=csv")).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(
        got.body.lines().next().unwrap(),
        "project_id,download_id,match_pseudonym,household_pseudonym,criteria,start_month,days_registration_to_proposal"
    );
    let jl = lines(&get(&app, &r1, &format!("/research/{a_id}/matches?format=jsonl")).await.body);
    assert!(
        jl.iter().any(|m| m["criteria"]
            .as_object()
            .is_some_and(|c| c.values().any(|v| v.as_f64().is_some_and(|p| p.fract() != 0.0 || p > 3.0)))),
        "exact points, not bands"
    );

    // Candidates: every pair of the round whose household consented, with its points, whether
    // it was proposed and the match it became.
    let candidates = lines(&get(&app, &r1, &format!("/research/{a_id}/candidates?format=jsonl")).await.body);
    let consenting_ids: HashSet<&str> = consenting.iter().map(|n| n.id.as_str()).collect();
    let of_consenting: Vec<&entity::round_candidate::Model> =
        stored.iter().filter(|c| consenting_ids.contains(c.newcomer_id.as_str())).collect();
    assert!(!of_consenting.is_empty() && of_consenting.len() < stored.len(), "both kinds of household were candidates");
    assert_eq!(candidates.len(), of_consenting.len());
    assert!(candidates.iter().all(|c| want.contains(c["household_pseudonym"].as_str().unwrap())));
    let proposed: Vec<&Value> = candidates.iter().filter(|c| c["proposed"] == true).collect();
    assert_eq!(proposed.len(), of_consenting.iter().filter(|c| c.proposed).count());
    assert!(proposed.iter().all(|c| c["match_status"] == "PROPOSED" && c["match_pseudonym"].is_string()));
    assert!(candidates.iter().filter(|c| c["proposed"] == false).all(|c| c["match_pseudonym"].is_null()));
    let one = of_consenting[0];
    let row = candidates
        .iter()
        .find(|c| {
            c["household_pseudonym"] == pseudonym(&key_a, "newcomer", &one.newcomer_id).as_str()
                && c["group_pseudonym"] == pseudonym(&key_a, "group", &one.group_id).as_str()
        })
        .expect("the pair is in the extract");
    assert_eq!(row["score"].as_f64(), Some(one.score as f64 / 100.0));
    // What the script read, as the round saw it.
    let household = households.iter().find(|n| n.id == one.newcomer_id).unwrap();
    assert_eq!(row["household_features"]["dutch_level"], services::script_values::cefr(household.dutch_level));
    assert!(row["group_features"]["size"].as_i64().is_some_and(|s| s > 0), "{}", row["group_features"]);

    // Pseudonyms differ from the anonymised files' and between projects.
    let version = app.adopt_export_policy(&admin, None).await;
    let anonymised = get(&app, &r1, "/exports/newcomers?format=jsonl").await.body;
    let anonymised: HashSet<String> =
        lines(&anonymised).iter().map(|r| r["newcomer_pseudonym"].as_str().unwrap().to_owned()).collect();
    assert!(!anonymised.is_empty() && have.is_disjoint(&anonymised), "policy {version}");
    let in_b: HashSet<String> = lines(&get(&app, &r1, &format!("/research/{b_id}/households?format=jsonl")).await.body)
        .iter()
        .map(|r| r["household_pseudonym"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(in_b.len(), have.len());
    assert!(in_b.is_disjoint(&have), "two projects' extracts cannot be joined");

    // Consent is withdrawn: the household is in no later extract. Giving it needs a version.
    let leaving = consenting[0].id.clone();
    let no_version = app
        .gql(
            Some(&admin),
            "mutation($n:ID!){ setResearchConsent(newcomerId:$n, consent:true){ id } }",
            json!({"n": leaving}),
        )
        .await;
    assert_eq!(field(&no_version).as_deref(), Some("version"), "{no_version}");
    let withdrawn = app
        .ok(
            Some(&admin),
            "mutation($n:ID!){ setResearchConsent(newcomerId:$n, consent:false){ researchConsent { version } } }",
            json!({"n": leaving}),
        )
        .await;
    assert_eq!(withdrawn["setResearchConsent"]["researchConsent"], Value::Null);
    let later = lines(&get(&app, &r1, &format!("/research/{a_id}/households?format=jsonl")).await.body);
    assert_eq!(later.len(), consenting.len() - 1);
    assert!(later.iter().all(|r| r["household_pseudonym"] != pseudonym(&key_a, "newcomer", &leaving).as_str()));
    let members = entity::group_member::Entity::find().all(&app.state.db).await.unwrap();
    let member = members.iter().find(|m| m.research_consent_at.is_none()).unwrap();
    let given = app
        .ok(Some(&admin), "mutation($m:ID!){ setMemberResearchConsent(memberId:$m, consent:true, version:\"research-2026-02\"){ researchConsent { version } } }", json!({"m": member.id}))
        .await;
    assert_eq!(given["setMemberResearchConsent"]["researchConsent"]["version"], "research-2026-02");
    let in_members: Vec<Value> = lines(&get(&app, &r1, &format!("/research/{a_id}/members?format=jsonl")).await.body);
    assert_eq!(in_members.len(), members.iter().filter(|m| m.research_consent_at.is_some()).count() + 1);
    assert!(in_members.iter().any(|r| r["member_pseudonym"] == pseudonym(&key_a, "member", &member.id).as_str()));

    // Refusals: not named, not an analyst, not approved, unknown.
    for (token, path, status, want) in [
        (&r2, format!("/research/{a_id}/households"), 403, "FORBIDDEN"),
        (&outsider, format!("/research/{a_id}/households"), 403, "FORBIDDEN"),
        (&admin, format!("/research/{a_id}/households"), 403, "FORBIDDEN"),
        (&city_admin, format!("/research/{a_id}/households"), 403, "FORBIDDEN"),
        (&r1, format!("/research/{a_id}/checkins"), 403, "FORBIDDEN"),
        (&r1, format!("/research/{a_id}/people"), 400, "BAD_USER_INPUT"),
        (&r1, format!("/research/{a_id}/households?format=xlsx"), 400, "BAD_USER_INPUT"),
        (&r1, "/research/no-such-project/households".to_owned(), 404, "NOT_FOUND"),
    ] {
        let got = get(&app, token, &path).await;
        assert_eq!(got.status, status, "{path}: {}", got.body);
        assert_eq!(error_code(&got.body), want, "{path}");
    }

    // After the end date: refused, and said why.
    let mut ended = project_input(&[&r1_id], today - chrono::Duration::days(60), today - chrono::Duration::days(1));
    ended["name"] = json!("A finished study");
    app.ok(
        Some(&admin),
        "mutation($id:ID!, $input: ResearchProjectInput!){ updateResearchProject(id:$id, input:$input){ id } }",
        json!({"id": a_id, "input": ended}),
    )
    .await;
    let got = get(&app, &r1, &format!("/research/{a_id}/households")).await;
    assert_eq!(got.status, 403, "{}", got.body);
    assert!(got.body.contains("ended on"), "{}", got.body);
    let early = project_input(&[&r1_id], today + chrono::Duration::days(1), today + chrono::Duration::days(9));
    app.ok(
        Some(&admin),
        "mutation($id:ID!, $input: ResearchProjectInput!){ updateResearchProject(id:$id, input:$input){ id } }",
        json!({"id": b_id, "input": early}),
    )
    .await;
    assert_eq!(get(&app, &r1, &format!("/research/{b_id}/households")).await.status, 403);

    // Every download is recorded with the project and audited with its id.
    let p = app.ok(Some(&admin), "{ researchProjects { id downloads { id dataset rows userId } } }", json!({})).await;
    let a_downloads =
        p["researchProjects"].as_array().unwrap().iter().find(|p| p["id"] == a_id.as_str()).unwrap()["downloads"]
            .clone();
    assert_eq!(a_downloads.as_array().unwrap().len(), 6, "{a_downloads}");
    assert!(
        a_downloads
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == download_id.as_str() && d["userId"] == r1_id.as_str())
    );
    let audit = app
        .ok(
            Some(&admin),
            "{ auditLog(filter:{action:\"research.download\"}, first: 20){ totalCount edges { node { details } } } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["auditLog"]["totalCount"], 7, "six from project A and one from B");
    assert!(
        audit["auditLog"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["details"].as_str().unwrap().contains(&download_id))
    );

    // Those facts are personal data: erasing the household takes them away (a candidate the
    // round did not propose has no live match that would refuse the erasure).
    let unproposed = of_consenting
        .iter()
        .find(|c| !c.proposed && !stored.iter().any(|o| o.proposed && o.newcomer_id == c.newcomer_id))
        .unwrap();
    app.ok(Some(&admin), "mutation($id:ID!){ eraseNewcomer(id:$id) }", json!({"id": unproposed.newcomer_id})).await;
    let left = entity::round_feature::Entity::find().all(&app.state.db).await.unwrap();
    assert!(!left.is_empty() && left.iter().all(|f| f.entity_id != unproposed.newcomer_id));
}
