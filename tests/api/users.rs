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

#[tokio::test]
async fn a_token_that_is_tampered_expired_or_foreign_is_refused() {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let app = spawn_app().await;
    let token = app.admin().await;
    let now = chrono::Utc::now().timestamp();
    let claims = |iss: &str, aud: &str, exp: i64| {
        json!({"sub": "x", "iss": iss, "aud": aud, "iat": now, "nbf": now, "exp": exp, "role": "ADMIN"})
    };
    let key = EncodingKey::from_secret(TEST_SECRET.as_bytes()).unwrap();
    let sign = |c: serde_json::Value| encode(&Header::default(), &c, &key).unwrap();
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    let other_key = encode(&Header::default(), &claims("samenhier", "samenhier-api", now + 600), &EncodingKey::from_secret(b"another-secret-of-at-least-32-bytes!!").unwrap()).unwrap();
    let cases = [
        ("tampered signature", tampered),
        ("expired", sign(claims("samenhier", "samenhier-api", now - 3600))),
        ("wrong issuer", sign(claims("evil", "samenhier-api", now + 600))),
        ("wrong audience", sign(claims("samenhier", "other", now + 600))),
        ("unknown user", sign(claims("samenhier", "samenhier-api", now + 600))),
        ("other key", other_key),
        ("alg none", format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", token.split('.').nth(1).unwrap())),
    ];
    for (what, t) in cases {
        let body = app.gql(Some(&t), "{ me { id } }", json!({})).await;
        assert_eq!(code(&body).as_deref(), Some("UNAUTHENTICATED"), "{what}: {body}");
    }
    let fine = app.ok(Some(&token), "{ me { id } }", json!({})).await;
    assert!(fine["me"]["id"].is_string());
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
