use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_user_logs_in_and_reads_who_they_are() {
    let app = spawn_app().await;
    let token = app.user("CITY_ADMIN", Some("den-haag"), None).await;
    let d = app.ok(Some(&token), "{ me { email role city { slug name } group { id } } }", json!({})).await;
    assert_eq!(d["me"]["role"], "CITY_ADMIN");
    assert_eq!(d["me"]["city"], json!({"slug": "den-haag", "name": "Den Haag"}));
    assert_eq!(d["me"]["group"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_answer_alike() {
    let app = spawn_app().await;
    let token = app.user("ADMIN", None, None).await;
    let me = app.ok(Some(&token), "{ me { email } }", json!({})).await;
    let email = me["me"]["email"].as_str().unwrap();
    let q = "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }";
    let wrong = app.gql(None, q, json!({"e": email, "p": "not the password"})).await;
    let unknown = app.gql(None, q, json!({"e": "nobody@example.org", "p": "not the password"})).await;
    assert_eq!(code(&wrong).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
    assert_eq!(code(&unknown).as_deref(), Some("UNAUTHENTICATED"));
}

/// The JWT attack table: each token is refused with UNAUTHENTICATED.
#[tokio::test]
async fn a_token_that_is_tampered_expired_or_foreign_is_refused() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let app = spawn_app().await;
    let token = app.admin().await;
    let payload: serde_json::Value =
        serde_json::from_slice(&B64.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let sub = payload["sub"].as_str().unwrap().to_owned();
    let now = chrono::Utc::now().timestamp();
    let claims = |sub: &str, iss: &str, aud: &str, exp: i64| json!({"sub": sub, "iss": iss, "aud": aud, "iat": now, "nbf": now, "exp": exp, "role": "ADMIN"});
    let key = EncodingKey::from_secret(TEST_SECRET.as_bytes()).unwrap();
    let sign = |c: serde_json::Value| encode(&Header::default(), &c, &key).unwrap();
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    // The payload of a real token with the role changed, the signature kept.
    let mut forged_payload = payload.clone();
    forged_payload["role"] = json!("ANALYST");
    forged_payload["exp"] = json!(now + 999_999);
    let parts: Vec<&str> = token.split('.').collect();
    let tampered_payload = format!("{}.{}.{}", parts[0], B64.encode(forged_payload.to_string()), parts[2]);
    let other_key = encode(
        &Header::default(),
        &claims(&sub, "samenhier", "samenhier-api", now + 600),
        &EncodingKey::from_secret(b"another-secret-of-at-least-32-bytes!!").unwrap(),
    )
    .unwrap();
    // Algorithm confusion: HS256 "signed" with a public key as the secret.
    let public_pem = b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\nq9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----\n";
    let with_public_key = encode(
        &Header::new(Algorithm::HS256),
        &claims(&sub, "samenhier", "samenhier-api", now + 600),
        &EncodingKey::from_secret(public_pem).unwrap(),
    )
    .unwrap();
    let mut future = claims(&sub, "samenhier", "samenhier-api", now + 7200);
    future["nbf"] = json!(now + 3600);
    let mut issued_later = claims(&sub, "samenhier", "samenhier-api", now + 7200);
    issued_later["iat"] = json!(now + 3600);
    issued_later["nbf"] = json!(now - 60);
    let mut no_exp = claims(&sub, "samenhier", "samenhier-api", 0);
    no_exp.as_object_mut().unwrap().remove("exp");
    let hs512 =
        encode(&Header::new(Algorithm::HS512), &claims(&sub, "samenhier", "samenhier-api", now + 600), &key).unwrap();
    let cases = [
        ("alg none", format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1])),
        ("alg none, no dot", format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}", parts[1])),
        ("HS256 signed with a public key", with_public_key),
        ("another HMAC algorithm", hs512),
        ("expired", sign(claims(&sub, "samenhier", "samenhier-api", now - 3600))),
        ("nbf in the future", sign(future)),
        ("iat in the future", sign(issued_later)),
        ("no exp", sign(no_exp)),
        ("wrong issuer", sign(claims(&sub, "evil", "samenhier-api", now + 600))),
        ("wrong audience", sign(claims(&sub, "samenhier", "other", now + 600))),
        ("tampered signature", tampered),
        ("tampered payload", tampered_payload),
        ("unknown user", sign(claims("no-such-user", "samenhier", "samenhier-api", now + 600))),
        ("other key", other_key),
        ("garbage", "not.a.token".to_owned()),
        ("empty", String::new()),
    ];
    for (what, t) in cases {
        let body = app.gql(Some(&t), "{ me { id } }", json!({})).await;
        assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"), "{what}: {body}");
    }
    // The same claims, rightly signed, pass: the table refuses the attack, not the claims.
    let fine =
        app.ok(Some(&sign(claims(&sub, "samenhier", "samenhier-api", now + 600))), "{ me { id } }", json!({})).await;
    assert_eq!(fine["me"]["id"], sub.as_str());
}

#[tokio::test]
async fn a_demoted_users_token_stops_working() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = spawn_app().await;
    let token = app.user("CITY_ADMIN", Some("almere"), None).await;
    let me = app.ok(Some(&token), "{ me { id } }", json!({})).await;
    let user =
        entity::user::Entity::find_by_id(me["me"]["id"].as_str().unwrap()).one(&app.state.db).await.unwrap().unwrap();
    let mut am: entity::user::ActiveModel = user.into();
    am.role = Set(entity::Role::Partner);
    am.update(&app.state.db).await.unwrap();
    let body = app.gql(Some(&token), "{ me { id } }", json!({})).await;
    assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_and_address_alike_for_unknown_accounts() {
    let app = spawn_app().await;
    let email = format!("limited-{}@example.org", uuid::Uuid::new_v4().simple());
    users_create(&app, &email).await;
    const LOGIN: &str = "mutation($e:String!,$p:String!){ login(email:$e, password:$p){ token } }";
    for _ in 0..5 {
        let body = app.gql(None, LOGIN, json!({"e": email, "p": "wrong password!"})).await;
        assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"));
        let body = app.gql(None, LOGIN, json!({"e": "nobody@example.org", "p": "wrong password!"})).await;
        assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"));
    }
    // Now even the right password is refused, and an unknown account answers the same way.
    let known = app.gql(None, LOGIN, json!({"e": email, "p": PASSWORD})).await;
    let unknown = app.gql(None, LOGIN, json!({"e": "nobody@example.org", "p": PASSWORD})).await;
    assert_eq!(code(&known).as_deref(), Some("RATE_LIMITED"), "{known}");
    assert_eq!(code(&unknown).as_deref(), Some("RATE_LIMITED"), "{unknown}");
    assert_eq!(known["errors"][0]["message"], unknown["errors"][0]["message"]);
    // Another account from the same address still signs in (10 failures of 50 used).
    let other = format!("other-{}@example.org", uuid::Uuid::new_v4().simple());
    users_create(&app, &other).await;
    let ok = app.gql(None, LOGIN, json!({"e": other, "p": PASSWORD})).await;
    assert!(ok["data"]["login"]["token"].is_string(), "{ok}");
}

async fn users_create(app: &TestApp, email: &str) {
    services::users::create(
        &app.state.db,
        services::users::NewUser {
            email: email.to_owned(),
            role: entity::Role::Analyst,
            city: None,
            group: None,
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("create user");
}

#[tokio::test]
async fn a_deleted_users_token_stops_working() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    let token = app.user("ANALYST", None, None).await;
    let me = app.ok(Some(&token), "{ me { id } }", json!({})).await;
    let id = me["me"]["id"].as_str().unwrap().to_owned();
    entity::user::Entity::delete_many().filter(entity::user::Column::Id.eq(id)).exec(&app.state.db).await.unwrap();
    let body = app.gql(Some(&token), "{ me { id } }", json!({})).await;
    assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"));
}

/// A test identity provider's key pair (P-256, generated for these tests only) and a stranger's.
const IDP_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxbQ4SndX2g1cdImb
EUXIW+cixijLHxcnEfCXH/vAT8mhRANCAASuiRhag71VQyQv+U3hjsF4YUs1ZZ27
LqotT/MRgM7gJfa7fX1puVJybVaMKwiySehZCLBOyJH/zH3/Zav8ecRF
-----END PRIVATE KEY-----
";
const IDP_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAErokYWoO9VUMkL/lN4Y7BeGFLNWWd
uy6qLU/zEYDO4CX2u319ablScm1WjCsIsknoWQiwTsiR/8x9/2Wr/HnERQ==
-----END PUBLIC KEY-----
";
const STRANGER_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUmJB2N4NwDvgf1Xg
uSCEVyo5+hJ/r6ea5cQ1zLl+UaGhRANCAASrISLAOi+Rj6EUrV5jIHj/UFp/J+IL
R9+gTfjpKyUnQ582l3d+8SfbETKfzO4anOQ7BBfwQrJ3gbYZujez+XjD
-----END PRIVATE KEY-----
";

#[tokio::test]
async fn tokens_of_an_external_identity_provider_are_verified_and_the_role_comes_from_here() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("idp.pem");
    std::fs::write(&key_file, IDP_PUBLIC).unwrap();
    let app = spawn_app_with(&[
        ("SAMENHIER_IDP_PUBLIC_KEY_FILE", key_file.to_str().unwrap()),
        ("SAMENHIER_IDP_ALGORITHM", "ES256"),
        ("SAMENHIER_IDP_ISSUER", "https://idp.example.org"),
        ("SAMENHIER_IDP_AUDIENCE", "samenhier"),
    ])
    .await;
    let email = format!("sso-{}@example.org", uuid::Uuid::new_v4().simple());
    users_create(&app, &email).await;
    let now = chrono::Utc::now().timestamp();
    let claims = |email: &str, iss: &str, aud: &str, exp: i64| json!({"sub": "idp-user-1", "email": email, "iss": iss, "aud": aud, "iat": now, "exp": exp, "role": "ADMIN"});
    let sign = |c: serde_json::Value, pem: &str| {
        encode(&Header::new(Algorithm::ES256), &c, &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()).unwrap()
    };
    let good = sign(claims(&email.to_uppercase(), "https://idp.example.org", "samenhier", now + 600), IDP_PRIVATE);
    let me = app.ok(Some(&good), "{ me { email role } }", json!({})).await;
    assert_eq!(me["me"]["role"], "ANALYST", "the role is this server's, not the token's");
    assert_eq!(me["me"]["email"], email.as_str());
    let cases = [
        ("another key", sign(claims(&email, "https://idp.example.org", "samenhier", now + 600), STRANGER_PRIVATE)),
        ("wrong issuer", sign(claims(&email, "https://evil.example.org", "samenhier", now + 600), IDP_PRIVATE)),
        ("wrong audience", sign(claims(&email, "https://idp.example.org", "other", now + 600), IDP_PRIVATE)),
        ("expired", sign(claims(&email, "https://idp.example.org", "samenhier", now - 3600), IDP_PRIVATE)),
        (
            "unknown user",
            sign(claims("nobody@example.org", "https://idp.example.org", "samenhier", now + 600), IDP_PRIVATE),
        ),
        (
            "no e-mail",
            sign(
                json!({"sub": "x", "iss": "https://idp.example.org", "aud": "samenhier", "exp": now + 600}),
                IDP_PRIVATE,
            ),
        ),
    ];
    for (what, t) in cases {
        let body = app.gql(Some(&t), "{ me { id } }", json!({})).await;
        assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"), "{what}: {body}");
    }
    // The server's own tokens still work beside the provider's.
    let own = app.admin().await;
    assert!(app.ok(Some(&own), "{ me { id } }", json!({})).await["me"]["id"].is_string());
}

#[tokio::test]
async fn the_answer_of_login_is_read_as_the_user_who_signed_in() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let group = app.ready_group(&admin, "haarlem").await;
    let email = format!("coord-{}@example.org", uuid::Uuid::new_v4().simple());
    services::users::create(
        &app.state.db,
        services::users::NewUser {
            email: email.clone(),
            role: entity::Role::Coordinator,
            city: None,
            group: Some(group.clone()),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    let q = "mutation($e:String!,$p:String!){ login(email:$e, password:$p){ token user { id role city { slug } group { id } } } }";
    let d = app.ok(None, q, json!({"e": email, "p": PASSWORD})).await;
    let user = &d["login"]["user"];
    assert_eq!(user["role"], "COORDINATOR");
    assert_eq!(user["city"]["slug"], "haarlem");
    assert_eq!(user["group"]["id"], group.as_str());
}
