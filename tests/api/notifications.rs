//! Notifications through the real server: a real SMTP server and a real HTTP receiver on
//! loopback (both written here, small and strict: the receiver checks every signature), the
//! scheduler inside the server making passes every 0.2 s.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::*;

// ---------------------------------------------------------------------------------------------
// A real SMTP server on loopback: enough of RFC 5321 for a client that sends plain SMTP.

#[derive(Clone, Debug)]
pub struct Mail {
    pub to: Vec<String>,
    pub raw: String,
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> (Self, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = Self::default();
        let mails = Arc::clone(&sink.mails);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let mails = Arc::clone(&mails);
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read);
                    write.write_all(b"220 sink ESMTP\r\n").await.ok();
                    let mut to = Vec::new();
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let verb = line.trim_end().to_ascii_uppercase();
                        let reply: &[u8] = if verb.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if verb.starts_with("HELO")
                            || verb.starts_with("MAIL FROM")
                            || verb == "RSET"
                            || verb == "NOOP"
                        {
                            b"250 OK\r\n"
                        } else if verb.starts_with("RCPT TO") {
                            let addr =
                                line.trim_end()[8..].trim().trim_start_matches('<').trim_end_matches('>').to_owned();
                            to.push(addr);
                            b"250 OK\r\n"
                        } else if verb == "DATA" {
                            write.write_all(b"354 go on\r\n").await.ok();
                            let mut raw = String::new();
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                raw.push_str(
                                    line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line),
                                );
                            }
                            mails.lock().unwrap().push(Mail { to: std::mem::take(&mut to), raw });
                            b"250 queued\r\n"
                        } else if verb == "QUIT" {
                            write.write_all(b"221 bye\r\n").await.ok();
                            return;
                        } else {
                            b"502 not here\r\n"
                        };
                        write.write_all(reply).await.ok();
                    }
                });
            }
        });
        (sink, port)
    }

    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails.lock().unwrap().iter().filter(|m| m.to.iter().any(|t| t == address)).cloned().collect()
    }
}

/// A message as a person reads it: the raw text, quoted-printable decoded, every base64 block
/// decoded, and encoded words of headers decoded (so a search cannot miss an encoded value).
pub fn readable(raw: &str) -> String {
    let mut out = raw.to_owned();
    // Quoted-printable: soft breaks and =XX.
    let qp = |s: &str| -> String {
        let s = s.replace("=\r\n", "").replace("=\n", "");
        let bytes = s.as_bytes();
        let mut v = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or(""), 16)
            {
                v.push(b);
                i += 3;
                continue;
            }
            v.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&v).into_owned()
    };
    out.push('\n');
    out.push_str(&qp(raw));
    // Base64 bodies: runs of lines in the base64 alphabet.
    let mut block = String::new();
    for line in raw.lines().chain(std::iter::once("")) {
        let l = line.trim();
        if !l.is_empty() && l.len() >= 8 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
            block.push_str(l);
        } else if !block.is_empty() {
            if let Ok(bytes) = STANDARD.decode(&block) {
                out.push('\n');
                out.push_str(&String::from_utf8_lossy(&bytes));
            }
            block.clear();
        }
    }
    // Encoded words: =?utf-8?b?...?= and =?utf-8?q?...?=.
    for part in raw.split("=?").skip(1) {
        let Some((word, _)) = part.split_once("?=") else { continue };
        let mut pieces = word.splitn(3, '?');
        let (_, enc, text) = (pieces.next(), pieces.next().unwrap_or(""), pieces.next().unwrap_or(""));
        match enc.to_ascii_lowercase().as_str() {
            "b" => {
                if let Ok(bytes) = STANDARD.decode(text) {
                    out.push('\n');
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
            "q" => {
                out.push('\n');
                out.push_str(&qp(&text.replace('_', " ")));
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A real HTTP receiver that verifies every signature (Standard Webhooks).

#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub signature_ok: bool,
    pub body: Value,
    pub raw: String,
}

#[derive(Clone)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<Received>>>,
    /// While true, answers 503 (the receiver is down for maintenance).
    pub down: Arc<std::sync::atomic::AtomicBool>,
}

pub fn verify(secret: &str, id: &str, timestamp: &str, body: &str, header: &str) -> bool {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let fresh = timestamp.parse::<i64>().map(|t| (chrono::Utc::now().timestamp() - t).abs() < 300).unwrap_or(false);
    fresh && header.split(' ').any(|s| s == expected)
}

impl Receiver {
    /// Serves on `listener` with `secret` (set once the endpoint is registered).
    pub fn serve(listener: TcpListener, secret: Arc<Mutex<String>>) -> Self {
        let r = Self { got: Arc::default(), down: Arc::default() };
        let me = r.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let me = me.clone();
                let secret = Arc::clone(&secret);
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut reader = BufReader::new(read);
                    let mut headers = BTreeMap::new();
                    let mut line = String::new();
                    reader.read_line(&mut line).await.ok();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = line.trim_end().split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                        }
                    }
                    let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
                    let mut body = vec![0u8; len];
                    reader.read_exact(&mut body).await.ok();
                    let body = String::from_utf8_lossy(&body).into_owned();
                    if me.down.load(std::sync::atomic::Ordering::SeqCst) {
                        write
                            .write_all(
                                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                            )
                            .await
                            .ok();
                        return;
                    }
                    let get = |k: &str| headers.get(k).cloned().unwrap_or_default();
                    let secret = secret.lock().unwrap().clone();
                    let ok = verify(
                        &secret,
                        &get("webhook-id"),
                        &get("webhook-timestamp"),
                        &body,
                        &get("webhook-signature"),
                    );
                    me.got.lock().unwrap().push(Received {
                        id: get("webhook-id"),
                        timestamp: get("webhook-timestamp"),
                        signature: get("webhook-signature"),
                        signature_ok: ok,
                        body: serde_json::from_str(&body).unwrap_or(Value::Null),
                        raw: body,
                    });
                    let status: &[u8] =
                        if ok { b"HTTP/1.1 204 No Content\r\n" } else { b"HTTP/1.1 401 Unauthorized\r\n" };
                    write.write_all(status).await.ok();
                    write.write_all(b"content-length: 0\r\nconnection: close\r\n\r\n").await.ok();
                });
            }
        });
        r
    }

    pub fn all(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    pub fn of_kind(&self, kind: &str) -> Vec<Received> {
        self.all().into_iter().filter(|r| r.body["type"] == kind).collect()
    }
}

// ---------------------------------------------------------------------------------------------

const CREATE_ENDPOINT: &str = "mutation($input: WebhookEndpointInput!){ createWebhookEndpoint(input:$input){ secret endpoint { id url kinds active } } }";
const ALL_KINDS: [&str; 10] = [
    "MATCHES_PROPOSED",
    "MATCH_ACCEPTED",
    "MATCH_REJECTED",
    "MATCH_ENDED",
    "MATCH_COMPLETED",
    "CHECK_IN_DUE",
    "CHECK_IN_OVERDUE",
    "MATCH_DUE_FOR_COMPLETION",
    "RECONFIRMATION_DUE",
    "SCRIPT_PUBLISHED",
];

/// A server whose scheduler passes every 0.2 s and retries after 0.2 s, sending e-mail to `smtp`.
async fn notifying_app(smtp: u16) -> TestApp {
    spawn_app_with_owned(&notify_settings(&smtp.to_string())).await
}

fn notify_settings(port: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SAMENHIER_NOTIFY", "true".into()),
        ("SAMENHIER_NOTIFY_INTERVAL_SECS", "0.2".into()),
        ("SAMENHIER_NOTIFY_RETRY_BASE_SECS", "0.2".into()),
        ("SAMENHIER_NOTIFY_TIMEOUT_SECS", "5".into()),
        ("SAMENHIER_SMTP_HOST", "127.0.0.1".into()),
        ("SAMENHIER_SMTP_PORT", port.to_owned()),
        ("SAMENHIER_SMTP_TLS", "none".into()),
        ("SAMENHIER_SMTP_FROM", "Samenhier <noreply@samenhier.test>".into()),
        ("SAMENHIER_PUBLIC_URL", "https://console.samenhier.test".into()),
    ]
}

async fn spawn_app_with_owned(extra: &[(&'static str, String)]) -> TestApp {
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(&pairs).await
}

async fn spawn_app_with_on(url: String, extra: &[(&'static str, String)]) -> TestApp {
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_on(url, None, &pairs).await
}

/// An account with a known address; its token.
async fn account(app: &TestApp, email: &str, role: &str, city: Option<&str>, group: Option<&str>) -> String {
    services::users::create(
        &app.state.db,
        services::users::NewUser {
            email: email.into(),
            role: services::users::parse_role(role).unwrap(),
            city: city.map(str::to_owned),
            group: group.map(str::to_owned),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    app.login(email, PASSWORD).await
}

/// Registers a receiver for `kinds` at a new loopback port; the receiver and the endpoint id.
async fn receiver(app: &TestApp, admin: &str, kinds: &[&str]) -> (Receiver, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/hooks/samenhier", listener.local_addr().unwrap().port());
    let secret = Arc::new(Mutex::new(String::new()));
    let r = Receiver::serve(listener, Arc::clone(&secret));
    let d = app.ok(Some(admin), CREATE_ENDPOINT, json!({"input": {"url": url, "kinds": kinds}})).await;
    *secret.lock().unwrap() = d["createWebhookEndpoint"]["secret"].as_str().unwrap().to_owned();
    (r, d["createWebhookEndpoint"]["endpoint"]["id"].as_str().unwrap().to_owned())
}

/// Waits (up to 60 s) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

fn kinds_seen(r: &Receiver) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for x in r.all() {
        *m.entry(x.body["type"].as_str().unwrap_or("?").to_owned()).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn a_programmes_events_arrive_once_each_by_email_and_signed_webhook_and_carry_no_personal_data() {
    let (smtp, port) = SmtpSink::start().await;
    let app = notifying_app(port).await;
    let admin = account(&app, "admin@programme.test", "ADMIN", None, None).await;
    let staff = account(&app, "staff@almere.test", "CITY_ADMIN", Some("almere"), None).await;
    let (hooks, _) = receiver(&app, &admin, &ALL_KINDS).await;

    // SCRIPT_PUBLISHED.
    let source = std::fs::read_to_string("scoring-scripts/almere.rhai").unwrap();
    app.ok(
        Some(&staff),
        "mutation($c:String!,$s:String!){ publishScoringScript(citySlug:$c, source:$s){ version } }",
        json!({"c": "almere", "s": source}),
    )
    .await;

    // m1: accepted five months ago (month 3 overdue in both views), with a coordinator and a
    // community builder; an activity with notes.
    let g1 = app.ready_group(&staff, "almere").await;
    let _coordinator = account(&app, "coordinator@group.test", "COORDINATOR", Some("almere"), Some(&g1)).await;
    let builder = account(&app, "builder@almere.test", "COMMUNITY_BUILDER", Some("almere"), None).await;
    let builder_id = app.ok(Some(&builder), "{ me { id } }", json!({})).await["me"]["id"].as_str().unwrap().to_owned();
    let (m1, _, _) = app.proposed_match(&staff, "almere", Some(&g1)).await;
    app.ok(Some(&staff), "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m1})).await;
    app.ok(
        Some(&staff),
        "mutation($m:ID!,$u:ID){ assignCommunityBuilder(matchId:$m, userId:$u){ id } }",
        json!({"m": m1, "u": builder_id}),
    )
    .await;
    app.backdate(&m1, 5).await;
    app.ok(Some(&staff), LOG_ACTIVITY, json!({"m": m1, "input": activity_input("2026-11-01")})).await;

    // m2: accepted three months ago today: month 3 due, not overdue.
    let (m2, _, _) = app.active_match(&staff, "almere", None, 3).await;
    // m3: thirteen months ago: due for completion; completed once announced.
    let (m3, _, _) = app.active_match(&staff, "almere", None, 13).await;
    // m4: ended early (then its exit check-in falls due).
    let (m4, _, _) = app.active_match(&staff, "almere", None, 0).await;
    app.ok(
        Some(&staff),
        "mutation($id:ID!){ endMatch(id:$id, reason:\"moved away to Groningen\", reasonCode: NEWCOMER_MOVED){ status } }",
        json!({"id": m4}),
    )
    .await;
    // m5: declined.
    let (m5, _, _) = app.proposed_match(&staff, "almere", None).await;
    app.ok(
        Some(&staff),
        "mutation($id:ID!){ rejectMatch(id:$id, reason:\"no click between them\"){ id } }",
        json!({"id": m5}),
    )
    .await;
    // A household that has waited 400 days.
    let n6 = app.register(&staff, "almere").await;
    registered_days_ago(&app, &n6, 400).await;

    until("the completion is announced", || !hooks.of_kind("MATCH_DUE_FOR_COMPLETION").is_empty()).await;
    app.ok(Some(&staff), "mutation($id:ID!){ completeMatch(id:$id){ status } }", json!({"id": m3})).await;
    until("every kind arrived", || ALL_KINDS.iter().all(|k| !hooks.of_kind(k).is_empty())).await;
    until("the completion arrived", || !hooks.of_kind("MATCH_COMPLETED").is_empty()).await;
    // More passes find the same due dates again; none may be announced twice.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let got = hooks.all();
    assert!(got.iter().all(|r| r.signature_ok), "every delivery is signed with the endpoint's secret");
    let ids: BTreeSet<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), got.len(), "an event arrived twice: {:?}", kinds_seen(&hooks));
    let seen = kinds_seen(&hooks);
    // Exactly the changes made: five proposals by hand (m1 to m5), four accepts, ...
    assert_eq!(seen["MATCHES_PROPOSED"], 5, "{seen:?}");
    assert_eq!(seen["MATCH_ACCEPTED"], 4, "{seen:?}");
    assert_eq!(seen["MATCH_REJECTED"], 1, "{seen:?}");
    assert_eq!(seen["MATCH_ENDED"], 1, "{seen:?}");
    assert_eq!(seen["MATCH_COMPLETED"], 1, "{seen:?}");
    assert_eq!(seen["MATCH_DUE_FOR_COMPLETION"], 1, "{seen:?}");
    assert_eq!(seen["RECONFIRMATION_DUE"], 1, "{seen:?}");
    assert_eq!(seen["SCRIPT_PUBLISHED"], 1, "{seen:?}");
    // Due: m2's month 3 in both views, m4's exit check-in in both views.
    let due: BTreeSet<(String, i64, String)> = hooks
        .of_kind("CHECK_IN_DUE")
        .iter()
        .map(|r| {
            let d = &r.body["data"];
            (
                d["matchId"].as_str().unwrap().to_owned(),
                d["month"].as_i64().unwrap(),
                d["view"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for view in ["GROUP", "HOUSEHOLD"] {
        assert!(due.contains(&(m2.clone(), 3, view.into())), "{due:?}");
        assert!(due.contains(&(m4.clone(), 0, view.into())), "{due:?}");
    }
    let overdue = hooks.of_kind("CHECK_IN_OVERDUE");
    assert!(overdue.iter().any(|r| r.body["data"]["matchId"] == m1.as_str() && r.body["data"]["month"] == 3));
    // A payload holds ids and codes.
    let accepted = hooks.of_kind("MATCH_ACCEPTED");
    let first = accepted.iter().find(|r| r.body["data"]["matchId"] == m1.as_str()).unwrap();
    assert_eq!(first.body["data"]["groupId"], g1.as_str());
    assert_eq!(first.body["city"], "almere");

    // E-mails: each person got what their role and relation say, once.
    let to_coordinator = smtp.to("coordinator@group.test");
    let subjects: Vec<String> = to_coordinator.iter().map(|m| readable(&m.raw)).collect();
    let accepted_mails = subjects.iter().filter(|s| s.contains("Match aanvaard")).count();
    assert_eq!(accepted_mails, 1, "the coordinator hears once of their group's match");
    assert!(subjects.iter().any(|s| s.contains("Check-in te laat") && s.contains(&format!("/#/match/{m1}"))));
    assert!(subjects.iter().all(|s| !s.contains("het huishouden")), "the household's view is not the group's business");
    let to_builder: Vec<String> = smtp.to("builder@almere.test").iter().map(|m| readable(&m.raw)).collect();
    assert!(to_builder.iter().any(|s| s.contains("Check-in te laat") && s.contains("het huishouden")));
    let to_staff = smtp.to("staff@almere.test");
    assert_eq!(to_staff.iter().filter(|m| readable(&m.raw).contains("Voorstellen wachten op een besluit")).count(), 5);
    assert_eq!(smtp.to("admin@programme.test").len(), 1, "ADMIN hears of published scripts only");
    let one = readable(&to_coordinator[0].raw);
    assert!(one.contains("Buren van de Haven"), "the reader decodes the message: {one}");
    assert!(one.contains("text/html") && one.contains("text/plain"));
    assert!(one.contains("https://console.samenhier.test/#/settings"));

    // No personal data in any e-mail or webhook body.
    let mut haystack: Vec<String> = smtp.mails.lock().unwrap().iter().map(|m| readable(&m.raw)).collect();
    haystack.extend(got.iter().map(|r| r.raw.clone()));
    for needle in [
        "Rama",
        "Haddad",
        "rama@example.org",
        "87654321",
        "Marieke",
        "Visser",
        "12345678",
        "@example.org",
        "cooked together",
        "Groningen",
        "no click",
    ] {
        assert!(haystack.iter().all(|h| !h.contains(needle)), "{needle:?} reached a notification");
    }

    // The deliveries' log shows them sent, and the metrics count them.
    let d = app.ok(Some(&admin), "{ webhookDeliveries(status: SENT, first: 100){ totalCount } }", json!({})).await;
    assert_eq!(d["webhookDeliveries"]["totalCount"].as_u64().unwrap() as usize, got.len());
    let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(
        "samenhier_notification_deliveries_total{channel=\"webhook\",kind=\"MATCH_ACCEPTED\",outcome=\"sent\"} 4"
    ));
    assert!(metrics.contains("samenhier_outbox_depth 0"), "{metrics}");
}

#[tokio::test]
async fn a_change_that_rolled_back_sends_nothing() {
    use sea_orm::TransactionTrait;
    let (smtp, port) = SmtpSink::start().await;
    let app = notifying_app(port).await;
    let admin = account(&app, "admin@programme.test", "ADMIN", None, None).await;
    let staff = account(&app, "staff@almere.test", "CITY_ADMIN", Some("almere"), None).await;
    let (hooks, _) = receiver(&app, &admin, &["MATCH_ACCEPTED", "MATCHES_PROPOSED"]).await;
    let (m, _, _) = app.proposed_match(&staff, "almere", None).await;
    let principal = domain::policy::Principal {
        user_id: "someone".into(),
        role: domain::enums::Role::Admin,
        city: None,
        group: None,
        supported: None,
    };
    // The accept's audit entry (and with it its event) written in a transaction that rolls
    // back, as a failed change's would.
    let entry = || services::audit::Entry {
        action: "match.accept",
        entity_type: "match",
        entity_id: &m,
        city: Some("almere"),
        details: json!({}),
    };
    let txn = app.state.db.begin().await.unwrap();
    services::audit::record(&txn, Some(&principal), entry()).await.unwrap();
    txn.rollback().await.unwrap();
    // A real accept commits.
    app.ok(Some(&staff), "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m})).await;
    until("the accept arrived", || !hooks.of_kind("MATCH_ACCEPTED").is_empty()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(hooks.of_kind("MATCH_ACCEPTED").len(), 1);
    assert_eq!(hooks.of_kind("MATCHES_PROPOSED").len(), 1);
    assert_eq!(smtp.to("staff@almere.test").len(), 2, "the proposal and the accept, nothing of the rollback");
}

#[tokio::test]
async fn a_receiver_that_is_down_for_a_while_gets_every_event_when_it_is_back() {
    let (_smtp, port) = SmtpSink::start().await;
    let app = notifying_app(port).await;
    let admin = account(&app, "admin@programme.test", "ADMIN", None, None).await;
    let staff = account(&app, "staff@almere.test", "CITY_ADMIN", Some("almere"), None).await;
    // Nothing listens at the endpoint's address at first.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/in");
    let d = app.ok(Some(&admin), CREATE_ENDPOINT, json!({"input": {"url": url, "kinds": ["MATCHES_PROPOSED"]}})).await;
    let secret = d["createWebhookEndpoint"]["secret"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        app.proposed_match(&staff, "almere", None).await;
    }
    // Each delivery fails and is retried.
    let q = "{ webhookDeliveries(first: 10){ totalCount edges { node { status attempts lastError } } } }";
    for _ in 0..300 {
        let d = app.ok(Some(&admin), q, json!({})).await;
        let edges = d["webhookDeliveries"]["edges"].as_array().unwrap().clone();
        if edges.len() == 3 && edges.iter().all(|e| e["node"]["attempts"].as_i64().unwrap() >= 2) {
            assert!(edges.iter().all(|e| e["node"]["status"] == "PENDING"));
            assert_eq!(edges[0]["node"]["lastError"], "the receiver could not be reached");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Back up, at first answering 503, then well.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let r = Receiver::serve(listener, Arc::new(Mutex::new(secret)));
    r.down.store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let d =
        app.ok(Some(&admin), "{ webhookDeliveries(first: 1){ edges { node { lastStatusCode } } } }", json!({})).await;
    assert_eq!(d["webhookDeliveries"]["edges"][0]["node"]["lastStatusCode"], 503);
    r.down.store(false, std::sync::atomic::Ordering::SeqCst);
    until("all three arrived", || r.all().len() >= 3).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = r.all();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|x| x.signature_ok));
    assert_eq!(got.iter().map(|x| x.id.clone()).collect::<BTreeSet<_>>().len(), 3);

    // Sent again by hand: the same event id and body.
    let d = app
        .ok(Some(&admin), "{ webhookDeliveries(first: 1){ edges { node { id eventId payload } } } }", json!({}))
        .await;
    let node = d["webhookDeliveries"]["edges"][0]["node"].clone();
    app.ok(Some(&admin), "mutation($id:ID!){ redeliverWebhook(id:$id){ status } }", json!({"id": node["id"]})).await;
    until("the redelivery arrived", || r.all().len() == 4).await;
    let again = r.all().pop().unwrap();
    assert_eq!(again.id, node["eventId"].as_str().unwrap());
    assert_eq!(again.raw, node["payload"].as_str().unwrap());
}

#[tokio::test]
async fn a_digest_collects_a_days_items_into_one_message() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (smtp, port) = SmtpSink::start().await;
    let app = notifying_app(port).await;
    let staff = account(&app, "staff@almere.test", "CITY_ADMIN", Some("almere"), None).await;
    let set = "mutation($input: NotificationSettingsInput!){ updateMyNotificationSettings(input:$input){ language preferences { kind delivery } } }";
    let d = app
        .ok(
            Some(&staff),
            set,
            json!({"input": {"language": "en", "preferences": [
                {"kind": "MATCHES_PROPOSED", "delivery": "DIGEST"},
                {"kind": "MATCH_ACCEPTED", "delivery": "DIGEST"},
                {"kind": "MATCH_REJECTED", "delivery": "OFF"}]}}),
        )
        .await;
    assert_eq!(d["updateMyNotificationSettings"]["language"], "en");
    let (m, _, _) = app.proposed_match(&staff, "almere", None).await;
    app.ok(Some(&staff), "mutation($id:ID!){ acceptMatch(id:$id){ id } }", json!({"id": m})).await;
    let (m2, _, _) = app.proposed_match(&staff, "almere", None).await;
    app.ok(Some(&staff), "mutation($id:ID!){ rejectMatch(id:$id, reason:\"not now\"){ id } }", json!({"id": m2})).await;
    // The items wait for the digest hour.
    let kept = || async {
        entity::notification_delivery::Entity::find()
            .filter(entity::notification_delivery::Column::Digest.eq(true))
            .all(&app.state.db)
            .await
            .unwrap()
    };
    for _ in 0..100 {
        if kept().await.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let items = kept().await;
    assert_eq!(items.len(), 3, "two proposals and an accept");
    assert!(items.iter().all(|d| d.next_attempt_at > chrono::Utc::now()), "they wait for the digest hour");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(smtp.to("staff@almere.test").is_empty(), "nothing sent before the digest hour");
    // The digest hour comes.
    {
        use sea_orm::sea_query::Expr;
        entity::notification_delivery::Entity::update_many()
            .col_expr(entity::notification_delivery::Column::NextAttemptAt, Expr::value(chrono::Utc::now()))
            .filter(entity::notification_delivery::Column::Digest.eq(true))
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    until("the digest arrived", || !smtp.to("staff@almere.test").is_empty()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mails = smtp.to("staff@almere.test");
    assert_eq!(mails.len(), 1, "one message for the day");
    let text = readable(&mails[0].raw);
    assert!(text.contains("your digest of today (3)"), "{text}");
    assert!(text.contains("There is 1 new proposal"), "{text}");
    assert!(text.contains("was accepted"));
    assert!(!text.contains("declined"), "a kind turned off is not sent");
}

#[tokio::test]
async fn two_replicas_send_each_event_once() {
    let (smtp, port) = SmtpSink::start().await;
    let settings = notify_settings(&port.to_string());
    let one = spawn_app_with_owned(&settings).await;
    let two = spawn_app_with_on(one.database_url.clone(), &settings).await;
    let admin = account(&one, "admin@programme.test", "ADMIN", None, None).await;
    let staff = account(&one, "staff@almere.test", "CITY_ADMIN", Some("almere"), None).await;
    let (hooks, _) = receiver(&one, &admin, &["MATCHES_PROPOSED"]).await;
    let mut proposals = Vec::new();
    for i in 0..12 {
        let app = if i % 2 == 0 { &one } else { &two };
        proposals.push(app.proposed_match(&staff, "almere", None).await.0);
    }
    until("twelve events arrived", || hooks.all().len() >= 12).await;
    until("twelve e-mails arrived", || smtp.to("staff@almere.test").len() >= 12).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = hooks.all();
    assert_eq!(got.len(), 12, "each event once, though two schedulers ran");
    let ids: BTreeSet<String> = got.iter().map(|r| r.body["data"]["matchId"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, proposals.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(smtp.to("staff@almere.test").len(), 12);
}

#[tokio::test]
async fn bad_settings_and_endpoints_get_clear_errors_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let coordinator_group = app.ready_group(&admin, "almere").await;
    let coordinator = app.user("COORDINATOR", Some("almere"), Some(&coordinator_group)).await;
    let set = "mutation($input: NotificationSettingsInput!){ updateMyNotificationSettings(input:$input){ language } }";
    let body = app.gql(Some(&coordinator), set, json!({"input": {"language": "de"}})).await;
    assert_eq!((code(&body).as_deref(), field(&body).as_deref()), (Some("BAD_USER_INPUT"), Some("language")));
    let body = app
        .gql(Some(&coordinator), set, json!({"input": {"preferences": [{"kind": "MATCH_ACCEPTED", "delivery": "OFF"}, {"kind": "SCRIPT_PUBLISHED", "delivery": "OFF"}]}}))
        .await;
    assert_eq!(
        (code(&body).as_deref(), field(&body).as_deref()),
        (Some("BAD_USER_INPUT"), Some("preferences[1].kind"))
    );
    let d = app
        .ok(Some(&coordinator), "{ myNotificationSettings { language preferences { kind delivery } } }", json!({}))
        .await;
    assert_eq!(d["myNotificationSettings"]["language"], "nl", "nothing changed");
    assert!(
        d["myNotificationSettings"]["preferences"].as_array().unwrap().iter().all(|p| p["delivery"] == "IMMEDIATE")
    );
    let kinds: Vec<&str> = d["myNotificationSettings"]["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["MATCH_ACCEPTED", "MATCH_ENDED", "MATCH_COMPLETED", "CHECK_IN_DUE", "CHECK_IN_OVERDUE"]);

    for (input, field_name) in [
        (json!({"url": "ftp://example.org/x", "kinds": ["MATCH_ACCEPTED"]}), "url"),
        (json!({"url": "not a url", "kinds": ["MATCH_ACCEPTED"]}), "url"),
        (json!({"url": "https://user:pw@example.org/x", "kinds": ["MATCH_ACCEPTED"]}), "url"),
        (json!({"url": "https://example.org/x", "kinds": []}), "kinds"),
        (json!({"url": "https://example.org/x", "kinds": ["MATCH_ACCEPTED"], "citySlug": "atlantis"}), "city"),
    ] {
        let body = app.gql(Some(&admin), CREATE_ENDPOINT, json!({"input": input})).await;
        assert_eq!(
            (code(&body).as_deref(), field(&body).as_deref()),
            (Some("BAD_USER_INPUT"), Some(field_name)),
            "{body}"
        );
    }
    let d = app.ok(Some(&admin), "{ webhookEndpoints { id } }", json!({})).await;
    assert_eq!(d["webhookEndpoints"], json!([]), "nothing was registered");
    let d = app
        .ok(
            Some(&admin),
            CREATE_ENDPOINT,
            json!({"input": {"url": "https://partner.example/hooks", "kinds": ["MATCH_ACCEPTED"]}}),
        )
        .await;
    let id = d["createWebhookEndpoint"]["endpoint"]["id"].as_str().unwrap().to_owned();
    assert!(d["createWebhookEndpoint"]["secret"].as_str().unwrap().starts_with("whsec_"));
    let d = app
        .ok(
            Some(&admin),
            "mutation($id:ID!){ updateWebhookEndpoint(id:$id, input:{active:false, citySlug:\"almere\"}){ active citySlug } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(d["updateWebhookEndpoint"], json!({"active": false, "citySlug": "almere"}));
    let d = app.ok(Some(&admin), "mutation($id:ID!){ deleteWebhookEndpoint(id:$id) }", json!({"id": id})).await;
    assert_eq!(d["deleteWebhookEndpoint"], true);
    let body = app.gql(Some(&admin), "mutation($id:ID!){ deleteWebhookEndpoint(id:$id) }", json!({"id": id})).await;
    assert_eq!(code(&body).as_deref(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn notify_run_does_one_pass_from_the_command_line() {
    let (smtp, port) = SmtpSink::start().await;
    // The server's own scheduler is off, as with cron.
    let app = spawn_app().await;
    let staff = account(&app, "staff@almere.test", "CITY_ADMIN", Some("almere"), None).await;
    app.proposed_match(&staff, "almere", None).await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_samenhier"))
        .args(["notify", "run"])
        .env("DATABASE_URL", &app.database_url)
        .env("SAMENHIER_DATA_KEY", TEST_DATA_KEY)
        .env("SAMENHIER_SMTP_HOST", "127.0.0.1")
        .env("SAMENHIER_SMTP_PORT", port.to_string())
        .env("SAMENHIER_SMTP_TLS", "none")
        .env("SAMENHIER_SMTP_FROM", "noreply@samenhier.test")
        .env("SAMENHIER_LOG_FORMAT", "json")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(out.stdout.trim_ascii()).unwrap();
    assert_eq!(report["fannedOut"], 1);
    assert_eq!(report["sent"], 1);
    assert_eq!(smtp.to("staff@almere.test").len(), 1);
}

/// The README's Python example verifies a real delivery, and refuses it when the body changed.
#[tokio::test]
async fn the_readmes_python_example_verifies_a_delivery() {
    let (_smtp, port) = SmtpSink::start().await;
    let app = notifying_app(port).await;
    let admin = account(&app, "admin@programme.test", "ADMIN", None, None).await;
    let staff = account(&app, "staff@almere.test", "CITY_ADMIN", Some("almere"), None).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/in", listener.local_addr().unwrap().port());
    let d = app.ok(Some(&admin), CREATE_ENDPOINT, json!({"input": {"url": url, "kinds": ["MATCHES_PROPOSED"]}})).await;
    let secret = d["createWebhookEndpoint"]["secret"].as_str().unwrap().to_owned();
    let r = Receiver::serve(listener, Arc::new(Mutex::new(secret.clone())));
    app.proposed_match(&staff, "almere", None).await;
    until("the delivery arrived", || !r.all().is_empty()).await;
    let got = r.all().remove(0);

    let readme = std::fs::read_to_string("README.md").unwrap();
    let verify_at = readme.find("def verify(secret").expect("README has the Python verification");
    let start = readme[..verify_at].rfind("```python\n").unwrap() + "```python\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let script = format!(
        "{example}\nimport json, sys\nh = json.loads(sys.argv[1])\nprint(verify(sys.argv[2], h, sys.argv[3].encode()), verify(sys.argv[2], h, sys.argv[3].encode() + b' '))\n"
    );
    let headers = json!({"webhook-id": got.id, "webhook-timestamp": got.timestamp, "webhook-signature": got.signature});
    let out = tokio::process::Command::new("python3")
        .args(["-c", &script, &headers.to_string(), &secret, &got.raw])
        .output()
        .await
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "True False");
}
