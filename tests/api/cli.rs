//! The command line, run as a user would.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::*;

pub fn samenhier(db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_samenhier"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("SAMENHIER_JWT_SECRET", TEST_SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run samenhier");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_the_user_can_log_in() {
    let app = spawn_app().await;
    let db = app.database_url.clone();
    let (ok, out, err) = samenhier(
        &db,
        &["user", "add", "--email", "Staff@Example.org", "--role", "city_admin", "--city", "haarlem"],
        "a long enough password\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("staff@example.org"));
    let token = app.login("staff@example.org", "a long enough password").await;
    let me = app.ok(Some(&token), "{ me { role city { slug } } }", serde_json::json!({})).await;
    assert_eq!(me["me"]["role"], "CITY_ADMIN");

    let (ok, _, err) =
        samenhier(&db, &["user", "add", "--email", "staff@example.org", "--role", "ADMIN"], "another long password\n");
    assert!(!ok);
    assert!(err.contains("exists already"), "{err}");
    let (ok, _, err) =
        samenhier(&db, &["user", "add", "--email", "x@example.org", "--role", "KING"], "another long password\n");
    assert!(!ok && err.contains("unknown role"), "{err}");
    let (ok, _, err) =
        samenhier(&db, &["user", "add", "--email", "y@example.org", "--role", "PARTNER"], "another long password\n");
    assert!(!ok && err.contains("--city"), "{err}");
    let (ok, _, err) = samenhier(&db, &["user", "add", "--email", "z@example.org", "--role", "ADMIN"], "short\n");
    assert!(!ok && err.contains("at least 12"), "{err}");
}

#[tokio::test]
async fn a_coordinators_city_follows_from_the_group() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let g = app.ready_group(&admin, "rotterdam").await;
    let (ok, out, err) = samenhier(
        &app.database_url,
        &["user", "add", "--email", "coord@example.org", "--role", "COORDINATOR", "--group", &g],
        "coordinator password\n",
    );
    assert!(ok, "{out}{err}");
    let token = app.login("coord@example.org", "coordinator password").await;
    let me = app.ok(Some(&token), "{ me { city { slug } group { id } } }", serde_json::json!({})).await;
    assert_eq!(me["me"]["city"]["slug"], "rotterdam");
    assert_eq!(me["me"]["group"]["id"], g.as_str());
}

#[test]
fn schema_prints_the_sdl() {
    let (ok, out, _) = samenhier("sqlite::memory:", &["schema"], "");
    assert!(ok);
    assert_eq!(out, samenhier::graphql::sdl());
}
