//! The authorization table: every operation of the schema × every role, in the caller's own
//! scope and across cities and groups. An operation in schema.graphql without a row here
//! fails `every_operation_has_a_row`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    Forbidden,
    NotFound,
}
use Expect::*;

const ROLES: [&str; 6] = ["ADMIN", "CITY_ADMIN", "COORDINATOR", "PARTNER", "ANALYST", "COMMUNITY_BUILDER"];

/// Everything the table acts on. "Own" things are in Almere (and the coordinator's group);
/// "other" things are in Rotterdam. Destructive operations get a fresh target per role.
struct Fixture {
    tokens: Vec<String>,
    /// The ANALYST account's id (a researcher to name in a project).
    analyst_id: String,
    own_group: String,
    other_group: String,
    own_newcomer: String,
    other_newcomer: String,
    own_members: Vec<String>,
    other_member: String,
    /// Members of the own and the other READY group to hand coordination to, per role.
    handover: Vec<String>,
    other_handover: String,
    own_forming: Vec<String>,
    other_forming: String,
    own_waiting: Vec<String>,
    other_waiting: String,
    /// A proposed match in Almere between a newcomer and a group that is not the coordinator's.
    own_match: String,
    other_match: String,
    own_run: String,
    other_run: String,
    /// Fresh proposed matches for accept and reject, and fresh pairs to propose, per role.
    accept: Vec<String>,
    other_accept: String,
    reject: Vec<String>,
    other_reject: String,
    propose: Vec<(String, String)>,
    other_propose: (String, String),
    /// A READY group of Almere that is not the coordinator's.
    own_ready: String,
    /// The coordinator's group's ACTIVE match (started 13 months ago) and one in Rotterdam.
    active: String,
    /// A match of the coordinator's group that staff rejected before the active one.
    own_past: String,
    other_active: String,
    /// An activity logged by each role that may log them (author-only corrections).
    activity: Vec<String>,
    other_activity: String,
    end: Vec<String>,
    other_end: String,
    complete: Vec<String>,
    other_complete: String,
    /// Households and members to erase, per role, and one of each in Rotterdam.
    erase: Vec<String>,
    other_erase: String,
    erase_member: Vec<String>,
    other_erase_member: String,
    /// PARTNER accounts of Almere to manage, per role, and one of Rotterdam.
    accounts: Vec<String>,
    other_account: String,
    /// Tokens of invitations, one per role to accept.
    invitations: Vec<String>,
    /// COMPLETED groups to start a new cycle, per role, and one in Rotterdam.
    cycle: Vec<String>,
    other_cycle: String,
    /// A webhook endpoint to change and then remove.
    webhook: String,
}

const INVITE: &str =
    "mutation($e:String!,$c:String!){ inviteUser(input:{email:$e, role: PARTNER, citySlug:$c}){ token user { id } } }";

/// A PARTNER account of `city`, invited by ADMIN; its id and the invitation's token.
async fn invited(app: &TestApp, admin: &str, city: &str) -> (String, String) {
    let e = format!("invited-{}@example.org", uuid::Uuid::new_v4().simple());
    let d = app.ok(Some(admin), INVITE, json!({"e": e, "c": city})).await;
    let link = &d["inviteUser"];
    (link["user"]["id"].as_str().unwrap().to_owned(), link["token"].as_str().unwrap().to_owned())
}

/// A READY group and a WAITING newcomer in `city`, proposed to each other by hand.
async fn proposed(app: &TestApp, admin: &str, city: &str) -> String {
    let (n, g) = pair(app, admin, city).await;
    let d = app
        .ok(
            Some(admin),
            "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id } }",
            json!({"n": n, "g": g}),
        )
        .await;
    d["proposeMatch"]["id"].as_str().unwrap().to_owned()
}

async fn pair(app: &TestApp, admin: &str, city: &str) -> (String, String) {
    (app.register(admin, city).await, app.ready_group(admin, city).await)
}

async fn dry_run(app: &TestApp, admin: &str, city: &str) -> String {
    let d = app
        .ok(
            Some(admin),
            "mutation($c:String!){ runMatching(input:{citySlug:$c, dryRun:true}){ id } }",
            json!({"c": city}),
        )
        .await;
    d["runMatching"]["id"].as_str().unwrap().to_owned()
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin().await;
    let own_group = app.ready_group(&admin, "almere").await;
    let other_group = app.ready_group(&admin, "rotterdam").await;
    let mut own_members = Vec::new();
    let mut handover = Vec::new();
    let mut own_forming = Vec::new();
    let mut own_waiting = Vec::new();
    for _ in ROLES {
        own_members.push(app.add_member(&admin, &own_group, false).await);
        handover.push(app.add_member(&admin, &own_group, false).await);
        own_forming.push(app.create_group(&admin, "almere").await);
        own_waiting.push(app.register(&admin, "almere").await);
    }
    // ADMIN hands coordination over; CITY_ADMIN hands it back to the person whose COORDINATOR
    // account the table uses (an account follows its person), and the coordinator "hands it"
    // to themselves, which changes nothing: the coordinator keeps its reach for later rows.
    let d = app
        .ok(Some(&admin), "query($g:ID!){ welcomeGroup(id:$g){ coordinator { id } } }", json!({"g": own_group}))
        .await;
    let coordinator = d["welcomeGroup"]["coordinator"]["id"].as_str().unwrap().to_owned();
    handover[1] = coordinator.clone();
    handover[2] = coordinator;
    let tokens = vec![
        admin.clone(),
        app.user("CITY_ADMIN", Some("almere"), None).await,
        app.user("COORDINATOR", None, Some(&own_group)).await,
        app.user("PARTNER", Some("almere"), None).await,
        app.user("ANALYST", None, None).await,
        // Assigned to no match of the fixture: it reaches nothing by id (lifecycle.rs shows
        // what an assigned one reaches).
        app.user("COMMUNITY_BUILDER", Some("almere"), None).await,
    ];
    let own_match = proposed(app, &admin, "almere").await;
    let other_match = proposed(app, &admin, "rotterdam").await;
    let (a0, a1) = (proposed(app, &admin, "almere").await, proposed(app, &admin, "almere").await);
    let (r0, r1) = (proposed(app, &admin, "almere").await, proposed(app, &admin, "almere").await);
    let (p0, p1) = (pair(app, &admin, "almere").await, pair(app, &admin, "almere").await);
    // Roles that are refused never consume a target, so they share role 0's.
    let per_role = |a: &String, b: &String| vec![a.clone(), b.clone(), a.clone(), a.clone(), a.clone(), a.clone()];
    let (own_past, _, _) = app.proposed_match(&admin, "almere", Some(&own_group)).await;
    app.ok(
        Some(&admin),
        "mutation($id:ID!){ rejectMatch(id:$id, reason:\"asked not to tell the group\"){ id } }",
        json!({"id": own_past}),
    )
    .await;
    let (active, _, _) = app.active_match(&admin, "almere", Some(&own_group), 13).await;
    let (other_active, _, _) = app.active_match(&admin, "rotterdam", None, 13).await;
    let mut activity = Vec::new();
    for token in tokens.iter().take(3) {
        let d = app
            .ok(Some(token), LOG_ACTIVITY, json!({"m": active, "input": activity_input(&today_minus_days(3))}))
            .await;
        activity.push(d["logActivity"]["id"].as_str().unwrap().to_owned());
    }
    activity.push(activity[0].clone());
    activity.push(activity[0].clone());
    activity.push(activity[0].clone());
    let other_activity = app
        .ok(Some(&admin), LOG_ACTIVITY, json!({"m": other_active, "input": activity_input(&today_minus_days(3))}))
        .await["logActivity"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (e0, e1) =
        (app.active_match(&admin, "almere", None, 2).await.0, app.active_match(&admin, "almere", None, 2).await.0);
    let (c0, c1) =
        (app.active_match(&admin, "almere", None, 13).await.0, app.active_match(&admin, "almere", None, 13).await.0);
    let mut erase = Vec::new();
    let mut erase_member = Vec::new();
    let (mut accounts, mut invitations) = (Vec::new(), Vec::new());
    for _ in ROLES {
        erase.push(app.register(&admin, "almere").await);
        erase_member.push(app.add_member(&admin, &own_group, false).await);
        accounts.push(invited(app, &admin, "almere").await.0);
        invitations.push(invited(app, &admin, "almere").await.1);
    }
    let (g0, g1) = (app.completed_group(&admin, "almere").await.2, app.completed_group(&admin, "almere").await.2);
    let hook = app
        .ok(
            Some(&admin),
            "mutation{ createWebhookEndpoint(input:{url:\"https://partner.example/in\", kinds:[MATCH_ACCEPTED]}){ endpoint { id } } }",
            json!({}),
        )
        .await;
    let analyst_id =
        app.ok(Some(&tokens[4]), "{ me { id } }", json!({})).await["me"]["id"].as_str().unwrap().to_owned();
    Fixture {
        analyst_id,
        webhook: hook["createWebhookEndpoint"]["endpoint"]["id"].as_str().unwrap().to_owned(),
        cycle: per_role(&g0, &g1),
        other_cycle: app.completed_group(&admin, "rotterdam").await.2,
        accounts,
        other_account: invited(app, &admin, "rotterdam").await.0,
        invitations,
        erase,
        other_erase: app.register(&admin, "rotterdam").await,
        erase_member,
        other_erase_member: app.add_member(&admin, &other_group, false).await,
        own_ready: app.ready_group(&admin, "almere").await,
        active,
        own_past,
        other_active,
        activity,
        other_activity,
        end: per_role(&e0, &e1),
        other_end: app.active_match(&admin, "rotterdam", None, 2).await.0,
        complete: per_role(&c0, &c1),
        other_complete: app.active_match(&admin, "rotterdam", None, 13).await.0,
        own_run: dry_run(app, &admin, "almere").await,
        other_run: dry_run(app, &admin, "rotterdam").await,
        accept: per_role(&a0, &a1),
        other_accept: proposed(app, &admin, "rotterdam").await,
        reject: per_role(&r0, &r1),
        other_reject: proposed(app, &admin, "rotterdam").await,
        propose: vec![p0.clone(), p1, p0.clone(), p0.clone(), p0.clone(), p0],
        other_propose: pair(app, &admin, "rotterdam").await,
        own_match,
        other_match,
        tokens,
        own_newcomer: app.register(&admin, "almere").await,
        other_newcomer: app.register(&admin, "rotterdam").await,
        other_member: app.add_member(&admin, &other_group, false).await,
        other_handover: app.add_member(&admin, &other_group, false).await,
        handover,
        other_forming: app.create_group(&admin, "rotterdam").await,
        other_waiting: app.register(&admin, "rotterdam").await,
        own_group,
        other_group,
        own_members,
        own_forming,
        own_waiting,
    }
}

const SCRIPT: &str = "fn eligible(n, g) { true }\nfn score(n, g) { #{ base: 1 } }";
const VALIDATE: &str = "mutation($c:String!,$s:String!){ validateScoringScript(citySlug:$c, source:$s){ ok } }";
const PREVIEW: &str =
    "mutation($c:String!,$s:String!){ previewScoringScript(citySlug:$c, source:$s){ candidateMatches } }";
const PUBLISH: &str = "mutation($c:String!,$s:String!){ publishScoringScript(citySlug:$c, source:$s){ version } }";
const ACTIVATE: &str = "mutation($c:String!){ activateScoringScript(citySlug:$c, version:1){ version } }";
const RESET: &str = "mutation($id:ID!){ sendPasswordReset(userId:$id){ expiresAt } }";
const CHANGE_ROLE: &str =
    "mutation($id:ID!,$c:String!){ changeUserRole(id:$id, role: CITY_ADMIN, citySlug:$c){ role } }";
const CITY_SETTINGS: &str = "mutation($c:String!){ updateCitySettings(citySlug:$c, input:{declinePauseDays: 90}){ settings { declinePauseDays } } }";
const UPDATE_MEMBER: &str = "mutation($id:ID!){ updateGroupMember(id:$id, input:{phone:\"+31 6 12345678\"}){ id } }";
const HAND_OVER: &str = "mutation($g:ID!,$m:ID!){ handOverCoordination(groupId:$g, memberId:$m){ id } }";
const RUN: &str = "mutation($c:String!){ runMatching(input:{citySlug:$c, dryRun:true}){ id } }";
const PROPOSE: &str = "mutation($n:ID!,$g:ID!){ proposeMatch(newcomerId:$n, groupId:$g){ id } }";

const UPDATE_ACTIVITY: &str = "mutation($id:ID!,$input:ActivityInput!){ updateActivity(id:$id, input:$input){ id } }";
const END: &str = "mutation($id:ID!){ endMatch(id:$id, reason:\"test\", reasonCode: NO_CONNECTION){ status } }";
const COMPLETE: &str = "mutation($id:ID!){ completeMatch(id:$id){ status } }";
const HOUSEHOLD_CHECK_IN: &str =
    "mutation($m:ID!,$input:HouseholdCheckInInput!){ recordHouseholdCheckIn(matchId:$m, input:$input){ id } }";
const BASELINE: &str = "mutation($n:ID!){ recordBaseline(newcomerId:$n, input:{networkSize:3, workStatus: SEARCHING, dutchLevel: A2, wellbeing:3}){ id } }";
const ASSIGN_BUILDER: &str = "mutation($m:ID!){ assignCommunityBuilder(matchId:$m, userId:null){ id } }";
const START_CYCLE: &str = "mutation($g:ID!){ startNewCycle(groupId:$g){ status cycle } }";
const CONFIRM: &str = "mutation($n:ID!){ confirmStillWaiting(newcomerId:$n){ id } }";

fn today_minus_days(days: i64) -> String {
    (chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive() - chrono::Duration::days(days))
        .to_string()
}

type Doc = Box<dyn Fn(&Fixture, usize) -> (String, Value)>;

/// One row: an operation, how to call it on the caller's own records and on another city's,
/// and the outcome per role (ADMIN, CITY_ADMIN, COORDINATOR, PARTNER, ANALYST, COMMUNITY_BUILDER).
struct Row {
    op: &'static str,
    own: Doc,
    own_expect: [Expect; 6],
    other: Option<(Doc, [Expect; 6])>,
}

fn doc(q: &'static str, vars: impl Fn(&Fixture, usize) -> Value + 'static) -> Doc {
    Box::new(move |f, r| (q.to_owned(), vars(f, r)))
}

macro_rules! project_input {
    () => {
        "{name:\"Outcomes\", agreementReference:\"DSA-1\", purpose:\"Which criteria go with good outcomes\", datasets:[{dataset:\"households\"}], startsOn:\"2026-01-01\", endsOn:\"2030-12-31\", researcherIds:[$r]}"
    };
}
const REGISTER_PROJECT: &str =
    concat!("mutation($r:ID!){ registerResearchProject(input:", project_input!(), "){ id } }");
const UPDATE_PROJECT: &str =
    concat!("mutation($r:ID!){ updateResearchProject(id:\"no-such-project\", input:", project_input!(), "){ id } }");
const RESEARCH_CONSENT: &str =
    "mutation($id:ID!){ setResearchConsent(newcomerId:$id, consent:true, version:\"r-1\"){ id } }";
const MEMBER_RESEARCH_CONSENT: &str =
    "mutation($id:ID!){ setMemberResearchConsent(memberId:$id, consent:true, version:\"r-1\"){ id } }";

fn rows() -> Vec<Row> {
    vec![
        Row { op: "me", own: doc("{ me { id role } }", |_, _| json!({})), own_expect: [Ok; 6], other: None },
        Row { op: "cities", own: doc("{ cities { slug name } }", |_, _| json!({})), own_expect: [Ok; 6], other: None },
        Row {
            op: "city",
            own: doc("{ city(slug:\"almere\") { slug } }", |_, _| json!({})),
            own_expect: [Ok; 6],
            other: None,
        },
        Row {
            op: "welcomeGroups",
            own: doc("{ welcomeGroups { totalCount edges { node { id } } } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Ok, Ok, Forbidden, Ok],
            other: None,
        },
        Row {
            op: "welcomeGroup",
            own: doc(
                "query($id:ID!){ welcomeGroup(id:$id){ id members { id name } } }",
                |f, _| json!({"id": f.own_group}),
            ),
            own_expect: [Ok, Ok, Ok, Ok, Forbidden, NotFound],
            other: Some((
                doc("query($id:ID!){ welcomeGroup(id:$id){ id } }", |f, _| json!({"id": f.other_group})),
                [Ok, NotFound, NotFound, NotFound, Forbidden, NotFound],
            )),
        },
        Row {
            op: "newcomers",
            own: doc("{ newcomers { totalCount edges { node { id status } } } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Ok, Ok, Forbidden, Ok],
            other: None,
        },
        Row {
            op: "newcomer",
            own: doc("query($id:ID!){ newcomer(id:$id){ id status } }", |f, _| json!({"id": f.own_newcomer})),
            // A coordinator sees only the newcomer of their own match; this one is not.
            own_expect: [Ok, Ok, NotFound, Ok, Forbidden, NotFound],
            other: Some((
                doc("query($id:ID!){ newcomer(id:$id){ id } }", |f, _| json!({"id": f.other_newcomer})),
                [Ok, NotFound, NotFound, NotFound, Forbidden, NotFound],
            )),
        },
        Row {
            op: "login",
            // One unknown account per role, so the failed-login limit (5 per account) stays out.
            own: doc(
                "mutation($e:String!){ login(email:$e, password:\"wrong password\"){ token } }",
                |_, r| json!({"e": format!("nobody{r}@example.org")}),
            ),
            // Anyone may try to log in; a wrong password is UNAUTHENTICATED for everyone
            // (checked in users.rs); here it only must not be FORBIDDEN or NOT_FOUND.
            own_expect: [Ok; 6],
            other: None,
        },
        Row {
            op: "createWelcomeGroup",
            own: doc(CREATE_GROUP, |_, _| json!({"input": group_input("almere")})),
            own_expect: [Ok, Ok, Forbidden, Ok, Forbidden, Forbidden],
            other: Some((
                doc(CREATE_GROUP, |_, _| json!({"input": group_input("rotterdam")})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "updateWelcomeGroup",
            own: doc(
                "mutation($id:ID!){ updateWelcomeGroup(id:$id, input:{capacity:5}){ id } }",
                |f, _| json!({"id": f.own_group}),
            ),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(
                    "mutation($id:ID!){ updateWelcomeGroup(id:$id, input:{capacity:5}){ id } }",
                    |f, _| json!({"id": f.other_group}),
                ),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "addGroupMember",
            own: doc(ADD_MEMBER, |f, _| json!({"g": f.own_group, "input": member_input(false)})),
            // A partner adds members only to groups its own account created (staff made this
            // one); security.rs holds the partner's own case.
            own_expect: [Ok, Ok, Ok, NotFound, Forbidden, Forbidden],
            other: Some((
                doc(ADD_MEMBER, |f, _| json!({"g": f.other_group, "input": member_input(false)})),
                [Ok, NotFound, NotFound, NotFound, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "updateGroupMember",
            own: doc(UPDATE_MEMBER, |f, r| json!({"id": f.own_members[r]})),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(UPDATE_MEMBER, |f, _| json!({"id": f.other_member})),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, Forbidden],
            )),
        },
        // Before removeGroupMember takes the members away.
        Row {
            op: "setMemberResearchConsent",
            own: doc(MEMBER_RESEARCH_CONSENT, |f, r| json!({"id": f.own_members[r]})),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(MEMBER_RESEARCH_CONSENT, |f, _| json!({"id": f.other_member})),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "handOverCoordination",
            own: doc(HAND_OVER, |f, r| json!({"g": f.own_group, "m": f.handover[r]})),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(HAND_OVER, |f, _| json!({"g": f.other_group, "m": f.other_handover})),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "removeGroupMember",
            own: doc("mutation($id:ID!){ removeGroupMember(id:$id) }", |f, r| json!({"id": f.own_members[r]})),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("mutation($id:ID!){ removeGroupMember(id:$id) }", |f, _| json!({"id": f.other_member})),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "markGroupReady",
            own: doc("mutation($id:ID!){ markGroupReady(id:$id){ status } }", |f, _| json!({"id": f.own_ready})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("mutation($id:ID!){ markGroupReady(id:$id){ status } }", |f, _| json!({"id": f.other_group})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "withdrawWelcomeGroup",
            own: doc(
                "mutation($id:ID!){ withdrawWelcomeGroup(id:$id, reason:\"test\"){ status } }",
                |f, r| json!({"id": f.own_forming[r]}),
            ),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(
                    "mutation($id:ID!){ withdrawWelcomeGroup(id:$id, reason:\"test\"){ status } }",
                    |f, _| json!({"id": f.other_forming}),
                ),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "registerNewcomer",
            own: doc(REGISTER, |_, _| json!({"input": newcomer_input("almere")})),
            own_expect: [Ok, Ok, Forbidden, Ok, Forbidden, Forbidden],
            other: Some((
                doc(REGISTER, |_, _| json!({"input": newcomer_input("rotterdam")})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "updateNewcomer",
            own: doc(
                "mutation($id:ID!){ updateNewcomer(id:$id, input:{dutchLevel:B1}){ id } }",
                |f, _| json!({"id": f.own_newcomer}),
            ),
            // A partner changes only households its own account registered (staff registered
            // this one); security.rs holds the partner's own case.
            own_expect: [Ok, Ok, Forbidden, NotFound, Forbidden, NotFound],
            other: Some((
                doc(
                    "mutation($id:ID!){ updateNewcomer(id:$id, input:{dutchLevel:B1}){ id } }",
                    |f, _| json!({"id": f.other_newcomer}),
                ),
                [Ok, NotFound, Forbidden, NotFound, Forbidden, NotFound],
            )),
        },
        Row {
            op: "withdrawNewcomer",
            own: doc(
                "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved\"){ status } }",
                |f, r| json!({"id": f.own_waiting[r]}),
            ),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(
                    "mutation($id:ID!){ withdrawNewcomer(id:$id, reason:\"moved\"){ status } }",
                    |f, _| json!({"id": f.other_waiting}),
                ),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "scoringScripts",
            own: doc("{ scoringScripts(citySlug:\"almere\"){ version } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("{ scoringScripts(citySlug:\"rotterdam\"){ version } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "validateScoringScript",
            own: doc(VALIDATE, |_, _| json!({"c": "almere", "s": SCRIPT})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(VALIDATE, |_, _| json!({"c": "rotterdam", "s": SCRIPT})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "previewScoringScript",
            own: doc(PREVIEW, |_, _| json!({"c": "almere", "s": SCRIPT})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(PREVIEW, |_, _| json!({"c": "rotterdam", "s": SCRIPT})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "publishScoringScript",
            own: doc(PUBLISH, |_, _| json!({"c": "almere", "s": SCRIPT})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(PUBLISH, |_, _| json!({"c": "rotterdam", "s": SCRIPT})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "activateScoringScript",
            own: doc(ACTIVATE, |_, _| json!({"c": "almere"})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(ACTIVATE, |_, _| json!({"c": "rotterdam"})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "runMatching",
            own: doc(RUN, |_, _| json!({"c": "almere"})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(RUN, |_, _| json!({"c": "rotterdam"})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "matches",
            own: doc("{ matches { totalCount edges { node { id score } } } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, Ok],
            other: None,
        },
        Row {
            op: "match",
            own: doc("query($id:ID!){ match(id:$id){ id score } }", |f, _| json!({"id": f.own_match})),
            // The coordinator's group is not in this match.
            own_expect: [Ok, Ok, NotFound, Forbidden, Forbidden, NotFound],
            other: Some((
                doc("query($id:ID!){ match(id:$id){ id } }", |f, _| json!({"id": f.other_match})),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, NotFound],
            )),
        },
        Row {
            op: "match",
            // The household of the coordinator's own group's ACTIVE match.
            own: doc(
                "query($id:ID!){ match(id:$id){ id newcomer { preferredName languages { code } } } }",
                |f, _| json!({"id": f.active}),
            ),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, NotFound],
            other: None,
        },
        Row {
            op: "match",
            // The coordinator's own group's past (rejected) match: its facts, nothing of the
            // household, nothing of staff's reason.
            own: doc(
                "query($id:ID!){ match(id:$id){ id status newcomer { preferredName } } }",
                |f, _| json!({"id": f.own_past}),
            ),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, NotFound],
            other: None,
        },
        Row {
            op: "match",
            own: doc("query($id:ID!){ match(id:$id){ id status endReason } }", |f, _| json!({"id": f.own_past})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, NotFound],
            other: None,
        },
        Row {
            op: "matchingRun",
            own: doc("query($id:ID!){ matchingRun(id:$id){ id totalScore } }", |f, _| json!({"id": f.own_run})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("query($id:ID!){ matchingRun(id:$id){ id } }", |f, _| json!({"id": f.other_run})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "recommendations",
            own: doc("query($n:ID!){ recommendations(newcomerId:$n){ score } }", |f, _| json!({"n": f.own_newcomer})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("query($n:ID!){ recommendations(newcomerId:$n){ score } }", |f, _| json!({"n": f.other_newcomer})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "acceptMatch",
            own: doc("mutation($id:ID!){ acceptMatch(id:$id){ status } }", |f, r| json!({"id": f.accept[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("mutation($id:ID!){ acceptMatch(id:$id){ status } }", |f, _| json!({"id": f.other_accept})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "rejectMatch",
            own: doc(
                "mutation($id:ID!){ rejectMatch(id:$id, reason:\"no\"){ status } }",
                |f, r| json!({"id": f.reject[r]}),
            ),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(
                    "mutation($id:ID!){ rejectMatch(id:$id, reason:\"no\"){ status } }",
                    |f, _| json!({"id": f.other_reject}),
                ),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "proposeMatch",
            own: doc(PROPOSE, |f, r| json!({"n": f.propose[r].0, "g": f.propose[r].1})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(PROPOSE, |f, _| json!({"n": f.other_propose.0, "g": f.other_propose.1})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "logActivity",
            own: doc(LOG_ACTIVITY, |f, _| json!({"m": f.active, "input": activity_input(&today_minus_days(1))})),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, NotFound],
            other: Some((
                doc(LOG_ACTIVITY, |f, _| json!({"m": f.other_active, "input": activity_input(&today_minus_days(1))})),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, NotFound],
            )),
        },
        Row {
            op: "updateActivity",
            own: doc(
                UPDATE_ACTIVITY,
                |f, r| json!({"id": f.activity[r], "input": activity_input(&today_minus_days(2))}),
            ),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, NotFound],
            other: Some((
                doc(
                    UPDATE_ACTIVITY,
                    |f, _| json!({"id": f.other_activity, "input": activity_input(&today_minus_days(2))}),
                ),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, NotFound],
            )),
        },
        Row {
            op: "recordCheckIn",
            own: doc(CHECK_IN, |f, r| json!({"m": f.active, "input": check_in_input([3, 6, 12, 3, 3, 3][r])})),
            own_expect: [Ok, Ok, Ok, Forbidden, Forbidden, NotFound],
            other: Some((
                doc(CHECK_IN, |f, _| json!({"m": f.other_active, "input": check_in_input(3)})),
                [Ok, NotFound, NotFound, Forbidden, Forbidden, NotFound],
            )),
        },
        Row {
            op: "endMatch",
            own: doc(END, |f, r| json!({"id": f.end[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(END, |f, _| json!({"id": f.other_end})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "completeMatch",
            own: doc(COMPLETE, |f, r| json!({"id": f.complete[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(COMPLETE, |f, _| json!({"id": f.other_complete})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "startNewCycle",
            own: doc(START_CYCLE, |f, r| json!({"g": f.cycle[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(START_CYCLE, |f, _| json!({"g": f.other_cycle})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "confirmStillWaiting",
            own: doc(CONFIRM, |f, _| json!({"n": f.own_newcomer})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(CONFIRM, |f, _| json!({"n": f.other_newcomer})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "reconfirmationsDue",
            own: doc("{ reconfirmationsDue(citySlug:\"almere\"){ id } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("{ reconfirmationsDue(citySlug:\"rotterdam\"){ id } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "checkInsDue",
            own: doc("{ checkInsDue(citySlug:\"almere\"){ month } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("{ checkInsDue(citySlug:\"rotterdam\"){ month } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "recordHouseholdCheckIn",
            own: doc(
                HOUSEHOLD_CHECK_IN,
                |f, r| json!({"m": f.active, "input": household_input([3, 6, 3, 3, 3, 3][r])}),
            ),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, NotFound],
            other: Some((
                doc(HOUSEHOLD_CHECK_IN, |f, _| json!({"m": f.other_active, "input": household_input(3)})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, NotFound],
            )),
        },
        Row {
            op: "recordBaseline",
            own: doc(BASELINE, |f, _| json!({"n": f.own_newcomer})),
            own_expect: [Ok, Ok, Forbidden, NotFound, Forbidden, NotFound],
            other: Some((
                doc(BASELINE, |f, _| json!({"n": f.other_newcomer})),
                [Ok, NotFound, Forbidden, NotFound, Forbidden, NotFound],
            )),
        },
        Row {
            op: "assignCommunityBuilder",
            own: doc(ASSIGN_BUILDER, |f, _| json!({"m": f.own_match})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(ASSIGN_BUILDER, |f, _| json!({"m": f.other_match})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "groupsBelowMinimum",
            own: doc("{ groupsBelowMinimum(citySlug:\"almere\"){ id } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("{ groupsBelowMinimum(citySlug:\"rotterdam\"){ id } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "matchesDueForCompletion",
            own: doc("{ matchesDueForCompletion(citySlug:\"almere\"){ id } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("{ matchesDueForCompletion(citySlug:\"rotterdam\"){ id } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "cityStatistics",
            own: doc("{ cityStatistics(citySlug:\"almere\"){ activeMatches { display } } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Ok, Forbidden],
            other: Some((
                doc("{ cityStatistics(citySlug:\"rotterdam\"){ activeMatches { display } } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Ok, Forbidden],
            )),
        },
        Row {
            op: "criterionOutcomes",
            own: doc("{ criterionOutcomes(citySlug:\"almere\"){ criterion } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Ok, Forbidden],
            other: Some((
                doc("{ criterionOutcomes(citySlug:\"rotterdam\"){ criterion } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Ok, Forbidden],
            )),
        },
        Row {
            op: "exportCatalog",
            own: doc("{ exportCatalog { keyId k datasets { name columns { name kind } } } }", |_, _| json!({})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Ok, Forbidden],
            other: None,
        },
        Row {
            op: "exportPolicies",
            own: doc("{ exportPolicies { version state } }", |_, _| json!({})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Ok, Forbidden],
            other: None,
        },
        Row {
            op: "proposeExportPolicy",
            own: doc("mutation{ proposeExportPolicy(k: 2){ version } }", |_, _| json!({})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            // No policy 999: ADMIN reaches the lookup, everyone else is refused before it.
            op: "adoptExportPolicy",
            own: doc("mutation{ adoptExportPolicy(version: 999){ version } }", |_, _| json!({})),
            own_expect: [NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "researchProjects",
            own: doc("{ researchProjects { id } }", |_, _| json!({})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Ok, Forbidden],
            other: None,
        },
        Row {
            op: "researchDatasets",
            own: doc("{ researchDatasets { name } }", |_, _| json!({})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Ok, Forbidden],
            other: None,
        },
        Row {
            op: "registerResearchProject",
            own: doc(REGISTER_PROJECT, |f, _| json!({"r": f.analyst_id})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            // No such project: ADMIN reaches the lookup, everyone else is refused before it.
            op: "updateResearchProject",
            own: doc(UPDATE_PROJECT, |f, _| json!({"r": f.analyst_id})),
            own_expect: [NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "setResearchConsent",
            own: doc(RESEARCH_CONSENT, |f, _| json!({"id": f.own_newcomer})),
            own_expect: [Ok, Ok, Forbidden, NotFound, Forbidden, NotFound],
            other: Some((
                doc(RESEARCH_CONSENT, |f, _| json!({"id": f.other_newcomer})),
                [Ok, NotFound, Forbidden, NotFound, Forbidden, NotFound],
            )),
        },
        Row {
            op: "personalDataReport",
            own: doc("query($id:ID!){ personalDataReport(newcomerId:$id) }", |f, _| json!({"id": f.own_newcomer})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("query($id:ID!){ personalDataReport(newcomerId:$id) }", |f, _| json!({"id": f.other_newcomer})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "eraseNewcomer",
            own: doc("mutation($id:ID!){ eraseNewcomer(id:$id) }", |f, r| json!({"id": f.erase[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("mutation($id:ID!){ eraseNewcomer(id:$id) }", |f, _| json!({"id": f.other_erase})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "eraseGroupMember",
            own: doc("mutation($id:ID!){ eraseGroupMember(id:$id) }", |f, r| json!({"id": f.erase_member[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("mutation($id:ID!){ eraseGroupMember(id:$id) }", |f, _| json!({"id": f.other_erase_member})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "contactReads",
            own: doc("{ contactReads(first: 5){ totalCount edges { node { entityId fields reads } } } }", |_, _| {
                json!({})
            }),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "updateCitySettings",
            own: doc(CITY_SETTINGS, |_, _| json!({"c": "almere"})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(CITY_SETTINGS, |_, _| json!({"c": "rotterdam"})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "users",
            own: doc("{ users(first: 5){ totalCount edges { node { id role lastSignInAt } } } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("{ users(citySlug: \"rotterdam\", first: 5){ totalCount } }", |_, _| json!({})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "inviteUser",
            own: doc(INVITE, |_, r| json!({"e": format!("own-invite-{r}@example.org"), "c": "almere"})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(INVITE, |_, r| json!({"e": format!("other-invite-{r}@example.org"), "c": "rotterdam"})),
                [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "sendPasswordReset",
            own: doc(RESET, |f, r| json!({"id": f.accounts[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(RESET, |f, _| json!({"id": f.other_account})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "acceptInvitation",
            // Anyone holding a link may use it; the caller's own token plays no part.
            own: doc(
                "mutation($t:String!){ acceptInvitation(token:$t, password:\"a long enough password\"){ token } }",
                |f, r| json!({"t": f.invitations[r]}),
            ),
            own_expect: [Ok; 6],
            other: None,
        },
        Row {
            op: "changeUserRole",
            own: doc(CHANGE_ROLE, |f, r| json!({"id": f.accounts[r], "c": "almere"})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc(CHANGE_ROLE, |f, _| json!({"id": f.other_account, "c": "rotterdam"})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "disableUser",
            own: doc("mutation($id:ID!){ disableUser(id:$id){ disabledAt } }", |f, r| json!({"id": f.accounts[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("mutation($id:ID!){ disableUser(id:$id){ disabledAt } }", |f, _| json!({"id": f.other_account})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "enableUser",
            own: doc("mutation($id:ID!){ enableUser(id:$id){ disabledAt } }", |f, r| json!({"id": f.accounts[r]})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: Some((
                doc("mutation($id:ID!){ enableUser(id:$id){ disabledAt } }", |f, _| json!({"id": f.other_account})),
                [Ok, NotFound, Forbidden, Forbidden, Forbidden, Forbidden],
            )),
        },
        Row {
            op: "createCity",
            own: doc(
                "mutation($s:String!){ createCity(slug:$s, name:\"Nieuwstad\"){ slug } }",
                |_, r| json!({"s": format!("nieuwstad-{r}")}),
            ),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "programmeReport",
            own: doc(
                "{ programmeReport(from:\"2026-01-01\", to:\"2026-12-31\"){ total { proposed { display } } } }",
                |_, _| json!({}),
            ),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Ok, Forbidden],
            other: Some((
                doc(
                    "{ programmeReport(from:\"2026-01-01\", to:\"2026-12-31\", citySlugs:[\"rotterdam\"]){ total { proposed { display } } } }",
                    |_, _| json!({}),
                ),
                [Ok, Forbidden, Forbidden, Forbidden, Ok, Forbidden],
            )),
        },
        Row {
            op: "auditLog",
            own: doc("{ auditLog(first: 5){ totalCount edges { node { action citySlug } } } }", |_, _| json!({})),
            own_expect: [Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "myNotificationSettings",
            own: doc("{ myNotificationSettings { language preferences { kind delivery } } }", |_, _| json!({})),
            own_expect: [Ok; 6],
            other: None,
        },
        Row {
            op: "updateMyNotificationSettings",
            own: doc("mutation{ updateMyNotificationSettings(input:{language:\"en\"}){ language } }", |_, _| json!({})),
            own_expect: [Ok; 6],
            other: None,
        },
        Row {
            op: "webhookEndpoints",
            own: doc("{ webhookEndpoints { id url kinds active } }", |_, _| json!({})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "webhookDeliveries",
            own: doc("{ webhookDeliveries(first: 5){ totalCount } }", |_, _| json!({})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "createWebhookEndpoint",
            own: doc(
                "mutation{ createWebhookEndpoint(input:{url:\"https://partner.example/new\", kinds:[MATCH_ENDED]}){ secret } }",
                |_, _| json!({}),
            ),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "updateWebhookEndpoint",
            own: doc(
                "mutation($id:ID!){ updateWebhookEndpoint(id:$id, input:{active:false}){ active } }",
                |f, _| json!({"id": f.webhook}),
            ),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            op: "deleteWebhookEndpoint",
            own: doc("mutation($id:ID!){ deleteWebhookEndpoint(id:$id) }", |f, _| json!({"id": f.webhook})),
            own_expect: [Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
        Row {
            // No delivery exists while the fixture's scheduler is off: ADMIN reaches the lookup.
            op: "redeliverWebhook",
            own: doc("mutation{ redeliverWebhook(id:\"no-such-delivery\"){ id } }", |_, _| json!({})),
            own_expect: [NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden],
            other: None,
        },
    ]
}

fn outcome(body: &Value) -> Result<Expect, String> {
    match code(body).as_deref() {
        None => Result::Ok(Ok),
        Some("FORBIDDEN") => Result::Ok(Forbidden),
        Some("NOT_FOUND") => Result::Ok(NotFound),
        // The login row: a refused login is not an authorization outcome.
        Some("UNAUTHENTICATED") if body["errors"][0]["path"][0] == "login" => Result::Ok(Ok),
        Some(other) => Err(format!("unexpected code {other}: {body}")),
    }
}

#[tokio::test]
async fn every_operation_answers_as_the_table_says_for_every_role() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let mut failures = Vec::new();
    for row in rows() {
        // Without a token, everything but signing in (login, or with an invitation's link)
        // is UNAUTHENTICATED.
        if !matches!(row.op, "login" | "acceptInvitation") {
            let (q, v) = (row.own)(&f, 0);
            let anon = app.gql(None, &q, v).await;
            if code(&anon).as_deref() != Some("UNAUTHENTICATED") {
                failures.push(format!("{} without a token: {anon}", row.op));
            }
        }
        let mut variants = vec![("own", &row.own, row.own_expect)];
        if let Some((other, expect)) = &row.other {
            variants.push(("other", other, *expect));
        }
        for (label, make, expect) in variants {
            for (r, role) in ROLES.iter().enumerate() {
                let (q, v) = make(&f, r);
                let body = app.gql(Some(&f.tokens[r]), &q, v).await;
                match outcome(&body) {
                    Result::Ok(got) if got == expect[r] => {}
                    Result::Ok(got) => failures
                        .push(format!("{} ({label}) as {role}: expected {:?}, got {got:?}: {body}", row.op, expect[r])),
                    Err(e) => failures.push(format!("{} ({label}) as {role}: {e}", row.op)),
                }
            }
        }
    }
    assert!(failures.is_empty(), "authorization table mismatches:\n{}", failures.join("\n"));
}

#[test]
fn every_operation_has_a_row() {
    let sdl = api::sdl();
    let doc = async_graphql::parser::parse_schema(&sdl).expect("SDL parses");
    let mut ops = BTreeSet::new();
    for def in doc.definitions {
        if let async_graphql::parser::types::TypeSystemDefinition::Type(t) = def {
            let name = t.node.name.node.as_str();
            if (name == "Query" || name == "Mutation")
                && let async_graphql::parser::types::TypeKind::Object(obj) = &t.node.kind
            {
                for field in &obj.fields {
                    ops.insert(field.node.name.node.to_string());
                }
            }
        }
    }
    let covered: BTreeSet<String> = rows().iter().map(|r| r.op.to_owned()).collect();
    let missing: Vec<_> = ops.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&ops).collect();
    assert!(missing.is_empty(), "operations without a row in the authorization table: {missing:?}");
    assert!(stale.is_empty(), "rows for operations the schema no longer has: {stale:?}");
}

#[tokio::test]
async fn lists_contain_only_the_callers_city() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.create_group(&admin, "almere").await;
    app.create_group(&admin, "rotterdam").await;
    app.register(&admin, "almere").await;
    app.register(&admin, "rotterdam").await;
    let city_admin = app.user("CITY_ADMIN", Some("almere"), None).await;
    let d = app
        .ok(
            Some(&city_admin),
            "{ welcomeGroups { totalCount edges { node { city { slug } } } } newcomers { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(d["welcomeGroups"]["totalCount"], 1);
    assert_eq!(d["welcomeGroups"]["edges"][0]["node"]["city"]["slug"], "almere");
    assert_eq!(d["newcomers"]["totalCount"], 1);
    // Asking for another city's records is refused, not answered with nothing (clients.rs).
    let other =
        app.gql(Some(&city_admin), "{ other: welcomeGroups(citySlug:\"rotterdam\"){ totalCount } }", json!({})).await;
    assert_eq!(code(&other).as_deref(), Some("FORBIDDEN"));
    // `welcomeGroups` may not be null, so its failure nulls `data` (the specification's rule).
    assert!(other["data"].is_null(), "{other}");
    let all = app.ok(Some(&admin), "{ welcomeGroups { totalCount } newcomers { totalCount } }", json!({})).await;
    assert_eq!(all["welcomeGroups"]["totalCount"], 2);
    assert_eq!(all["newcomers"]["totalCount"], 2);
}

#[tokio::test]
async fn a_coordinator_sees_only_their_own_group() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mine = app.ready_group(&admin, "almere").await;
    app.ready_group(&admin, "almere").await;
    let coordinator = app.user("COORDINATOR", None, Some(&mine)).await;
    let d = app
        .ok(
            Some(&coordinator),
            "{ welcomeGroups { totalCount edges { node { id } } } me { city { slug } group { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["welcomeGroups"]["totalCount"], 1);
    assert_eq!(d["welcomeGroups"]["edges"][0]["node"]["id"], mine.as_str());
    assert_eq!(d["me"]["city"]["slug"], "almere");
    assert_eq!(d["me"]["group"]["id"], mine.as_str());
}

#[tokio::test]
async fn a_partner_does_not_see_members_contact_details() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let g = app.ready_group(&admin, "almere").await;
    let partner = app.user("PARTNER", Some("almere"), None).await;
    let names =
        app.ok(Some(&partner), "query($id:ID!){ welcomeGroup(id:$id){ members { name } } }", json!({"id": g})).await;
    assert_eq!(names["welcomeGroup"]["members"].as_array().unwrap().len(), 5);
    let contact = app
        .gql(Some(&partner), "query($id:ID!){ welcomeGroup(id:$id){ members { email phone } } }", json!({"id": g}))
        .await;
    assert_eq!(code(&contact).as_deref(), Some("FORBIDDEN"));
    assert!(!contact.to_string().contains("@example.org"));
}
