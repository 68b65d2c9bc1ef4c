//! Passwords: argon2id hashes (PHC strings), and the policy for new passwords: at least
//! [`MIN_LENGTH`] characters, not on the bundled list of common passwords.
//!
//! Passwords are never logged: no function here formats one, and [`PolicyError`] names only
//! the rule that was broken.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::StatusCode;

use crate::error::ApiError;

/// The shortest password accepted (characters, not bytes).
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted (a bound on hashing work, not a rule for people).
pub const MAX_LENGTH: usize = 1024;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Which rule a new password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("Het wachtwoord moet minstens {MIN_LENGTH} tekens lang zijn.")]
    TooShort,
    #[error("Het wachtwoord mag hoogstens {MAX_LENGTH} tekens lang zijn.")]
    TooLong,
    #[error("Dit wachtwoord is te bekend en daardoor makkelijk te raden. Kies een ander.")]
    Common,
}

impl PolicyError {
    pub fn code(self) -> &'static str {
        match self {
            PolicyError::TooShort => "wachtwoord_te_kort",
            PolicyError::TooLong => "wachtwoord_te_lang",
            PolicyError::Common => "wachtwoord_te_bekend",
        }
    }
}

impl From<PolicyError> for ApiError {
    fn from(e: PolicyError) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, e.code(), e.to_string())
    }
}

/// Checks a new password against the policy.
pub fn check_policy(password: &str) -> Result<(), PolicyError> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(PolicyError::TooShort);
    }
    if chars > MAX_LENGTH {
        return Err(PolicyError::TooLong);
    }
    if is_common(password) {
        return Err(PolicyError::Common);
    }
    Ok(())
}

/// Whether the password is on the bundled list (case-insensitively, surrounding spaces
/// ignored).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.trim().to_lowercase().as_str())
}

/// How many passwords the bundled list holds.
pub fn common_list_len() -> usize {
    COMMON.len()
}

/// Hashing failed (only on a broken parameter set; not the caller's fault).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl From<HashError> for ApiError {
    fn from(e: HashError) -> ApiError {
        ApiError::internal(e)
    }
}

fn argon2() -> Argon2<'static> {
    // argon2id, version 0x13, the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's minimum).
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// The argon2id PHC string (`$argon2id$v=19$m=…`) of a password, with a fresh random salt.
/// CPU-heavy: call [`hash_blocking`] from async code.
pub fn hash(password: &str) -> Result<String, HashError> {
    use rand::RngCore;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches the PHC string. False for a malformed hash.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// [`hash`] on the blocking pool.
pub async fn hash_blocking(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| HashError(e.to_string()))?
}

/// [`verify`] on the blocking pool. `phc: None` (an unknown user) verifies against a dummy
/// hash, so that an unknown address costs as much time as a wrong password.
pub async fn verify_blocking(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify(&password, &phc),
        None => {
            let _ = verify(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// The hash of a random password nobody knows, made once.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash(&crate::auth::random_hex_256()).unwrap_or_default());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check_policy("kort-11-tkn"), Err(PolicyError::TooShort));
        assert_eq!(check_policy("Password1234"), Err(PolicyError::Common));
        assert_eq!(check_policy("WACHTWOORD1234"), Err(PolicyError::Common));
        assert_eq!(check_policy("qwertyuiop123"), Err(PolicyError::Common));
        assert_eq!(
            check_policy(&"x".repeat(MAX_LENGTH + 1)),
            Err(PolicyError::TooLong)
        );
        assert_eq!(check_policy("paard-batterij-nietje"), Ok(()));
        // Characters, not bytes: 12 accented letters are 12 characters.
        assert_eq!(check_policy("éénéénéénéén"), Ok(()));
    }

    #[test]
    fn the_list_is_bundled_and_lower_case() {
        assert!(common_list_len() > 5000, "{}", common_list_len());
        let src = include_str!("common-passwords.txt");
        for line in src.lines().filter(|l| !l.starts_with('#')) {
            assert_eq!(line, line.to_lowercase(), "not lower-case: line {line:?}");
            assert_eq!(line, line.trim());
        }
        let long = src
            .lines()
            .filter(|l| !l.starts_with('#') && l.chars().count() >= MIN_LENGTH)
            .count();
        assert!(long > 500, "only {long} entries reach the minimum length");
    }

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let h = hash("paard-batterij-nietje").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(verify("paard-batterij-nietje", &h));
        assert!(!verify("paard-batterij-nietjes", &h));
        assert!(!verify("paard-batterij-nietje", "not a hash"));
        assert_ne!(h, hash("paard-batterij-nietje").unwrap(), "salted");
    }
}
