//! Argon2id password hashes (PHC strings, with their own salt and parameters).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use domain::error::{AppError, AppResult};

/// The shortest password `user add` accepts.
pub const MIN_PASSWORD_LEN: usize = 12;

pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password failed: {e}")))
}

/// Whether `password` matches `phc`. A malformed stored hash counts as no match.
pub fn verify(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real verification, so a login for an unknown e-mail address
/// cannot be told apart from a wrong password by its response time.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash("not-a-real-password-at-all").ok()) {
        let _ = verify(phc, password);
    }
}
