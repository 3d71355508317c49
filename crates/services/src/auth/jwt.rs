//! Issuing and verifying the server's own tokens: HS256 pinned, `exp`, `iat`, `iss`, `aud`
//! and `sub` required.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use domain::error::{AppError, AppResult};
use domain::secret::Secret;

/// What a token says. `role`, `city` and `group` are a snapshot for clients; the server
/// trusts only `sub` and re-reads the user's role and scope on every request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group: Option<String>,
}

/// Signing and verification keys with the validation rules.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    lifetime: Duration,
}

impl JwtKeys {
    pub fn new(secret: &Secret, issuer: &str, audience: &str, lifetime: Duration) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret.expose())?,
            decoding: DecodingKey::from_secret(secret.expose())?,
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            lifetime,
        })
    }

    /// Issues a token for a user; returns it with its expiry.
    pub fn issue(
        &self,
        user_id: &str,
        role: &str,
        city: Option<String>,
        group: Option<String>,
    ) -> AppResult<(String, DateTime<Utc>)> {
        let now = Utc::now();
        let lifetime = chrono::Duration::from_std(self.lifetime).map_err(AppError::internal)?;
        let exp = now + lifetime;
        let claims = Claims {
            sub: user_id.to_owned(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: exp.timestamp(),
            role: role.to_owned(),
            city,
            group,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(AppError::internal)?;
        Ok((token, exp))
    }

    /// Verifies signature, algorithm, expiry, not-before, issuer and audience.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| AppError::Unauthenticated)?;
        // jsonwebtoken does not look at `iat`: a token "issued" in the future was not issued
        // by this server's clock, whatever its signature says.
        if issued_in_the_future(Some(claims.iat), self.validation.leeway) {
            return Err(AppError::Unauthenticated);
        }
        Ok(claims)
    }
}

/// Whether `iat` lies in the future beyond `leeway` seconds (any issuer's tokens).
pub fn issued_in_the_future(iat: Option<i64>, leeway: u64) -> bool {
    iat.is_some_and(|iat| iat > chrono::Utc::now().timestamp() + leeway as i64)
}
