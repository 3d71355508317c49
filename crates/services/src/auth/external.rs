//! Tokens from an external identity provider (optional): RS256 or ES256, verified with the
//! provider's public key from configuration, issuer and audience checked, `exp` required. The
//! token names the user by its `email` claim; the user must exist here, and the role and scope
//! come from this server's users table, never from the token.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::Deserialize;

use domain::error::{AppError, AppResult};

/// A configured provider.
pub struct ExternalIdp {
    algorithm: Algorithm,
    key: DecodingKey,
    validation: Validation,
}

/// The claims an external token must carry.
#[derive(Deserialize)]
struct ExternalClaims {
    email: Option<String>,
    /// Optional for the provider's tokens; refused when it lies in the future.
    iat: Option<i64>,
}

impl ExternalIdp {
    /// `algorithm` is `RS256` or `ES256`; `pem` the provider's public key.
    pub fn new(algorithm: &str, pem: &str, issuer: &str, audience: &str) -> anyhow::Result<Self> {
        let (algorithm, key) = match algorithm.trim().to_ascii_uppercase().as_str() {
            "RS256" => (Algorithm::RS256, DecodingKey::from_rsa_pem(pem.as_bytes())?),
            "ES256" => (Algorithm::ES256, DecodingKey::from_ec_pem(pem.as_bytes())?),
            other => anyhow::bail!("SAMENHIER_IDP_ALGORITHM must be RS256 or ES256, got {other:?}"),
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(Self { algorithm, key, validation })
    }

    /// Whether a token's header names this provider's algorithm.
    pub fn handles(&self, algorithm: Algorithm) -> bool {
        algorithm == self.algorithm
    }

    /// The verified e-mail address the token names.
    pub fn verify(&self, token: &str) -> AppResult<String> {
        let data =
            decode::<ExternalClaims>(token, &self.key, &self.validation).map_err(|_| AppError::Unauthenticated)?;
        if super::jwt::issued_in_the_future(data.claims.iat, self.validation.leeway) {
            return Err(AppError::Unauthenticated);
        }
        data.claims.email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).ok_or(AppError::Unauthenticated)
    }
}
