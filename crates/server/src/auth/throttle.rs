//! Login throttling. Failed logins are counted per account (the e-mail address tried) and per
//! client address. After [`FREE_FAILURES`] failures, each further attempt must wait
//! 2^(failures − 5) seconds after the last failure, at most [`MAX_WAIT`]: slower and slower,
//! never locked for good. An attempt made too early is refused (429 with `Retry-After`) without
//! checking the password and without counting. A successful login resets both counters.

use jiff::{SignedDuration, Timestamp};
use verzuim_store::{Throttle, ThrottleKey};

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

/// Seconds still to wait under one counter at `now` (0: go ahead).
fn remaining(t: Option<Throttle>, now: Timestamp) -> u64 {
    let Some(t) = t else { return 0 };
    let until = t
        .last_failure
        .saturating_add(wait_after(t.failures))
        .unwrap_or(t.last_failure);
    if until <= now {
        return 0;
    }
    let left = until.duration_since(now);
    let secs = left.as_secs() + i64::from(left.subsec_nanos() > 0);
    u64::try_from(secs.max(1)).unwrap_or(1)
}

/// Refuses (429 `te_veel_pogingen`, `Retry-After`) while the account or the address must wait.
pub async fn check(state: &AppState, account: &str, address: Option<&str>) -> ApiResult<()> {
    let now = state.now();
    let mut wait = remaining(
        state
            .store
            .login_throttle(ThrottleKey::Account(account))
            .await?,
        now,
    );
    if let Some(a) = address {
        wait = wait.max(remaining(
            state.store.login_throttle(ThrottleKey::Address(a)).await?,
            now,
        ));
    }
    if wait > 0 {
        return Err(ApiError::too_many_attempts(wait));
    }
    Ok(())
}

/// Counts a failed login for the account and the address.
pub async fn record_failure(
    state: &AppState,
    account: &str,
    address: Option<&str>,
) -> ApiResult<()> {
    let now = state.now();
    state
        .store
        .record_login_failure(ThrottleKey::Account(account), now)
        .await?;
    if let Some(a) = address {
        state
            .store
            .record_login_failure(ThrottleKey::Address(a), now)
            .await?;
    }
    Ok(())
}

/// Forgets the failures of the account and the address (after a successful login).
pub async fn reset(state: &AppState, account: &str, address: Option<&str>) -> ApiResult<()> {
    state
        .store
        .reset_login_failures(ThrottleKey::Account(account))
        .await?;
    if let Some(a) = address {
        state
            .store
            .reset_login_failures(ThrottleKey::Address(a))
            .await?;
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
    fn remaining_rounds_up() {
        let t0: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
        let t = Throttle {
            failures: 7,
            last_failure: t0,
        };
        assert_eq!(remaining(Some(t), t0), 4);
        let later = t0.saturating_add(SignedDuration::from_millis(500)).unwrap();
        assert_eq!(remaining(Some(t), later), 4);
        let done = t0.saturating_add(SignedDuration::from_secs(4)).unwrap();
        assert_eq!(remaining(Some(t), done), 0);
        assert_eq!(remaining(None, t0), 0);
    }
}
