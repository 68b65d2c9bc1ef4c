//! API tokens for systems (a school's administration package pushing registrations).
//!
//! A token is [`PREFIX`] + 64 hex characters (256 random bits), shown once at creation. The
//! store keeps its SHA-256 ([`verzuim_service::model::hash_token`]), not argon2: a token is not a
//! password, and a system calls many times a second. A token belongs to one organisation and
//! carries named permissions ([`crate::authz::Permission`]); it is revocable; its last use is
//! recorded (at most once a minute).

use jiff::SignedDuration;
use verzuim_service::auth as service_auth;
use verzuim_service::model::{ApiToken, OrgKind, hash_token};

use crate::error::ApiResult;
use crate::state::AppState;

/// Every token starts with this (so a leaked one is recognisable in logs and by scanners).
pub const PREFIX: &str = "vzm_";
/// `last_used_at` is written back at most this often per token.
const LAST_USED_GRANULARITY: SignedDuration = SignedDuration::from_secs(60);

/// A new random token (plaintext: give it to the caller once, store only its hash).
pub fn generate() -> String {
    format!("{PREFIX}{}", super::random_hex_256())
}

/// The live (unrevoked) token for a bearer string, with its use recorded, and the kind of its
/// organisation (read in the same statement: the route's policy needs it).
pub async fn authenticate(state: &AppState, raw: &str) -> ApiResult<Option<(ApiToken, OrgKind)>> {
    let well_formed = raw.len() == PREFIX.len() + 64
        && raw.starts_with(PREFIX)
        && raw[PREFIX.len()..].bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Ok(None);
    }
    let Some((mut token, kind)) =
        service_auth::api_token_with_kind(&state.store, &hash_token(raw)).await?
    else {
        return Ok(None);
    };
    let now = state.now();
    let stale = token
        .last_used_at
        .is_none_or(|t| now.duration_since(t) >= LAST_USED_GRANULARITY);
    if stale {
        service_auth::touch_api_token(&state.store, token.id, now).await?;
        token.last_used_at = Some(now);
    }
    Ok(Some((token, kind)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_prefixed_and_long() {
        let t = super::generate();
        assert!(t.starts_with("vzm_"));
        assert_eq!(t.len(), 68);
    }
}
