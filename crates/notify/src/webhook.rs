//! Webhooks as the Standard Webhooks convention signs them: headers `webhook-id` (the event id,
//! the same on every attempt, for de-duplication), `webhook-timestamp` (Unix seconds) and
//! `webhook-signature` (`v1,` and the base64 of HMAC-SHA-256 over `id.timestamp.body`, keyed with
//! the bytes of the secret after `whsec_`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The `webhook-signature` header of one attempt.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| "the endpoint's secret is not base64".to_owned())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| "the endpoint's secret is empty".to_owned())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The outcome of one POST: the HTTP status if there was an answer, and an error unless it
/// was a 2xx.
pub struct Outcome {
    pub status: Option<i32>,
    pub error: Option<String>,
}

/// POSTs a signed body; redirects are not followed (a receiver must answer itself).
pub async fn post(client: &reqwest::Client, url: &str, secret: &str, id: &str, body: &str) -> Outcome {
    let timestamp = chrono::Utc::now().timestamp();
    let signed = match signature(secret, id, timestamp, body) {
        Ok(s) => s,
        Err(e) => return Outcome { status: None, error: Some(e) },
    };
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Outcome { status: Some(i32::from(r.status().as_u16())), error: None },
        Ok(r) => Outcome {
            status: Some(i32::from(r.status().as_u16())),
            error: Some(format!("the receiver answered {}", r.status())),
        },
        Err(e) if e.is_timeout() => Outcome { status: None, error: Some("the receiver did not answer in time".into()) },
        Err(e) if e.is_connect() => Outcome { status: None, error: Some("the receiver could not be reached".into()) },
        Err(e) => Outcome { status: None, error: Some(format!("the request failed: {e}")) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification, so receivers' libraries agree.
    #[test]
    fn signs_as_the_standard_webhooks_example_does() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(signature(secret, id, 1614265330, body).unwrap(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
