//! Server-side sessions. The browser holds a random 256-bit token in the cookie
//! [`COOKIE_NAME`] (`HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` over HTTPS or when
//! configured); the store holds only its SHA-256. A session ends after [`IDLE_TIMEOUT`] without
//! activity, [`ABSOLUTE_TIMEOUT`] after login, at logout, and (all of a user's) at a password
//! change. Every login makes a new token.

use axum::http::{HeaderMap, HeaderValue, header};
use jiff::{SignedDuration, Timestamp};
use verzuim_service::auth as service_auth;
use verzuim_service::model::{Session, UserId, hash_token};

use crate::error::ApiResult;
use crate::security::request_is_https;
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "verzuim_sessie";
/// A session without a request for this long is over.
pub const IDLE_TIMEOUT: SignedDuration = SignedDuration::from_mins(30);
/// A session is over this long after login, active or not.
pub const ABSOLUTE_TIMEOUT: SignedDuration = SignedDuration::from_hours(12);
/// Activity is written back at most this often per session (fewer writes; the idle timeout
/// can end up to this much sooner, never later).
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(30);

/// When a session created at `created_at` and last seen at `seen` expires.
fn expiry(created_at: Timestamp, seen: Timestamp) -> Timestamp {
    let idle = seen.saturating_add(IDLE_TIMEOUT).unwrap_or(seen);
    let absolute = created_at
        .saturating_add(ABSOLUTE_TIMEOUT)
        .unwrap_or(created_at);
    idle.min(absolute)
}

/// Starts a session for a user, waiting for the second factor's code when `awaiting_code`
/// (see [`super::login`]); returns the token for the cookie.
pub async fn start(state: &AppState, user_id: UserId, awaiting_code: bool) -> ApiResult<String> {
    let token = super::random_hex_256();
    let now = state.now();
    let id = hash_token(&token);
    let session = Session {
        id,
        user_id,
        created_at: now,
        last_seen_at: now,
        expires_at: expiry(now, now),
    };
    service_auth::start_session(&state.store, &session, awaiting_code).await?;
    Ok(token)
}

/// The live session of a cookie token, with its activity recorded; `None` if it is unknown,
/// ended or expired.
pub async fn resume(state: &AppState, token: &str) -> ApiResult<Option<Session>> {
    if !well_formed(token) {
        return Ok(None);
    }
    let now = state.now();
    let id = hash_token(token);
    let Some(mut session) = service_auth::session(&state.store, &id, now).await? else {
        return Ok(None);
    };
    if now.duration_since(session.last_seen_at) >= TOUCH_INTERVAL {
        let expires_at = expiry(session.created_at, now);
        if !service_auth::touch_session(&state.store, &id, now, expires_at).await? {
            return Ok(None);
        }
        session.last_seen_at = now;
        session.expires_at = expires_at;
    }
    Ok(Some(session))
}

/// Ends the session of a cookie token (if any).
pub async fn end(state: &AppState, token: &str) -> ApiResult<bool> {
    if !well_formed(token) {
        return Ok(false);
    }
    Ok(service_auth::end_session(&state.store, &hash_token(token)).await?)
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The session token in the request's cookies.
pub fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// Whether the cookie gets `Secure`: configured so, an `https` public URL, or a request that
/// reached a trusted proxy over HTTPS.
pub fn cookie_is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies || request_is_https(state, headers)
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(state: &AppState, headers: &HeaderMap, token: &str) -> HeaderValue {
    let secure = if cookie_is_secure(state, headers) {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("verzuim_sessie=; Path=/; Max-Age=0"))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(state: &AppState, headers: &HeaderMap) -> HeaderValue {
    if cookie_is_secure(state, headers) {
        HeaderValue::from_static(
            "verzuim_sessie=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0",
        )
    } else {
        HeaderValue::from_static("verzuim_sessie=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_the_sooner_of_idle_and_absolute() {
        let t0: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
        assert_eq!(expiry(t0, t0), "2026-09-01T08:30:00Z".parse().unwrap());
        let late: Timestamp = "2026-09-01T19:50:00Z".parse().unwrap();
        assert_eq!(expiry(t0, late), "2026-09-01T20:00:00Z".parse().unwrap());
    }

    #[test]
    fn cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; verzuim_sessie=abc ; b=2"),
        );
        assert_eq!(cookie_token(&h), Some("abc"));
        h.insert(header::COOKIE, HeaderValue::from_static("verzuim_sessie="));
        assert_eq!(cookie_token(&h), None);
    }
}
