//! The command line, run as a user would.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::*;

pub fn samenhier(db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_samenhier"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("SAMENHIER_JWT_SECRET", TEST_SECRET)
        .env("SAMENHIER_DATA_KEY", TEST_DATA_KEY)
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
    assert_eq!(out, api::sdl());
}

#[tokio::test]
async fn backup_writes_a_consistent_private_copy_of_a_live_sqlite_database() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.register(&admin, "almere").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let (ok, out, err) = samenhier(&app.database_url, &["backup", copy.to_str().unwrap()], "");
    if !app.database_url.starts_with("sqlite") {
        assert!(!ok && err.contains("pg_dump"), "{out}{err}");
        return;
    }
    assert!(ok, "{out}{err}");
    assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    // The copy is a whole database, readable on its own (the live one kept serving meanwhile).
    let copied = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", copy.display())).await.unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::newcomer::Entity::find().count(&copied).await.unwrap(), 1);
    let again = samenhier(&app.database_url, &["backup", copy.to_str().unwrap()], "");
    assert!(!again.0 && again.2.contains("exists already"), "{again:?}");
}
