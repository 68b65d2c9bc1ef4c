//! Login throttling. Attempts are counted per account (the e-mail address tried) and per client
//! address, *before* the password (or second-factor code) is checked, atomically in the
//! database ([`verzuim_service::auth::count_login_attempt`]): 40 parallel attempts are counted one
//! after another, so at most [`FREE_FAILURES`] of them reach the check. After
//! [`FREE_FAILURES`] counted attempts, each further attempt must wait 2^(attempts − 5) seconds
//! after the last one, at most [`MAX_WAIT`]: slower and slower, never locked for good. An attempt
//! made too early is refused (429 with `Retry-After`) without checking and without counting. A
//! successful login resets both counters ([`reset`]).

use jiff::{SignedDuration, Timestamp};
use verzuim_service::auth as service_auth;
use verzuim_service::model::ThrottleKey;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Failures allowed before attempts must wait.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait between attempts.
pub const MAX_WAIT: SignedDuration = SignedDuration::from_mins(15);

/// How long after the last failure the next attempt must wait, after `failures` failures.
pub fn wait_after(failures: u32) -> SignedDuration {
    if failures < FREE_FAILURES {
        return SignedDuration::ZERO;
    }
    let exp = failures - FREE_FAILURES;
    if exp >= 10 {
        return MAX_WAIT;
    }
    SignedDuration::from_secs(1i64 << exp).min(MAX_WAIT)
}

/// Whole seconds from `now` until `until`, rounded up (at least 1).
fn seconds_until(until: Timestamp, now: Timestamp) -> u64 {
    let left = until.duration_since(now);
    let secs = left.as_secs() + i64::from(left.subsec_nanos() > 0);
    u64::try_from(secs.max(1)).unwrap_or(1)
}

/// Counts an attempt for the account and the address before it is checked; refuses it (429
/// `te_veel_pogingen`, `Retry-After`) without counting while either must wait. Until [`reset`],
/// a counted attempt is a failure.
pub async fn attempt(state: &AppState, account: &str, address: Option<&str>) -> ApiResult<()> {
    let now = state.now();
    let mut keys = vec![ThrottleKey::Account(account)];
    if let Some(a) = address {
        keys.push(ThrottleKey::Address(a));
    }
    match service_auth::count_login_attempt(&state.store, &keys, now, wait_after).await? {
        None => Ok(()),
        Some(until) => Err(ApiError::too_many_attempts(seconds_until(until, now))),
    }
}

/// Forgets the failures of the account and the address (after a successful login).
pub async fn reset(state: &AppState, account: &str, address: Option<&str>) -> ApiResult<()> {
    service_auth::reset_login_failures(&state.store, ThrottleKey::Account(account)).await?;
    if let Some(a) = address {
        service_auth::reset_login_failures(&state.store, ThrottleKey::Address(a)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_exponentially_and_are_capped() {
        assert_eq!(wait_after(0), SignedDuration::ZERO);
        assert_eq!(wait_after(4), SignedDuration::ZERO);
        assert_eq!(wait_after(5), SignedDuration::from_secs(1));
        assert_eq!(wait_after(6), SignedDuration::from_secs(2));
        assert_eq!(wait_after(9), SignedDuration::from_secs(16));
        assert_eq!(wait_after(14), SignedDuration::from_secs(512));
        assert_eq!(wait_after(15), MAX_WAIT);
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }

    #[test]
    fn seconds_until_rounds_up() {
        let t0: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
        let until = t0.saturating_add(SignedDuration::from_secs(4)).unwrap();
        assert_eq!(seconds_until(until, t0), 4);
        let later = t0.saturating_add(SignedDuration::from_millis(500)).unwrap();
        assert_eq!(seconds_until(until, later), 4);
        let almost = t0
            .saturating_add(SignedDuration::from_millis(3999))
            .unwrap();
        assert_eq!(seconds_until(until, almost), 1);
    }
}
