//! Login throttling, atomically: an attempt (a password or a second-factor code) is counted
//! *before* it is checked, in one transaction that holds the counters' rows, so that parallel
//! attempts — also from several `verzuim serve` processes on one PostgreSQL — are counted one
//! after another and no more of them reach the check than the policy allows.

use jiff::{SignedDuration, Timestamp};

use crate::db::args;
use crate::org::throttle_key;
use crate::{Result, Store, ThrottleKey, Tx};

impl Tx {
    /// Counts one attempt under every key (an account, an address), unless one of them must
    /// still wait: then nothing is counted and the moment the wait ends is returned.
    ///
    /// `wait_after(n)` is the policy: how long after the last counted attempt the next one must
    /// wait when `n` attempts are counted. The caller resets the counters after a success
    /// ([`Tx::reset_login_failures`]); until then every attempt counts as a failure.
    ///
    /// Each counter's row is created if missing and locked by a no-op upsert
    /// (`ON CONFLICT DO UPDATE` takes the row lock on PostgreSQL; SQLite has one writer), in a
    /// fixed order so that two attempts never wait for each other's rows.
    pub async fn count_login_attempt(
        &mut self,
        keys: &[ThrottleKey<'_>],
        now: Timestamp,
        wait_after: fn(u32) -> SignedDuration,
    ) -> Result<Option<Timestamp>> {
        let mut keys: Vec<(&'static str, String)> = keys.iter().map(|k| throttle_key(*k)).collect();
        keys.sort();
        keys.dedup();
        let mut until: Option<Timestamp> = None;
        for (kind, key) in &keys {
            let r = self
                .c()
                .fetch_one(
                    "INSERT INTO login_throttle (key_kind, key, failures, last_failure) \
                     VALUES (?, ?, 0, ?) ON CONFLICT (key_kind, key) DO UPDATE SET \
                     failures = login_throttle.failures RETURNING failures, last_failure",
                    args![*kind, key.as_str(), now],
                )
                .await?;
            let failures = r.u32("failures")?;
            let last = r.ts("last_failure")?;
            let free_at = last.saturating_add(wait_after(failures)).unwrap_or(last);
            if failures > 0 && free_at > now {
                until = Some(until.map_or(free_at, |u| u.max(free_at)));
            }
        }
        if until.is_some() {
            return Ok(until);
        }
        for (kind, key) in &keys {
            self.c()
                .execute(
                    "UPDATE login_throttle SET failures = failures + 1, last_failure = ? \
                     WHERE key_kind = ? AND key = ?",
                    args![now, *kind, key.as_str()],
                )
                .await?;
        }
        Ok(None)
    }
}

impl Store {
    /// [`Tx::count_login_attempt`] in its own transaction (rolled back when it must wait, so a
    /// refused attempt leaves nothing behind).
    pub async fn count_login_attempt(
        &self,
        keys: &[ThrottleKey<'_>],
        now: Timestamp,
        wait_after: fn(u32) -> SignedDuration,
    ) -> Result<Option<Timestamp>> {
        let mut tx = self.begin().await?;
        let until = tx.count_login_attempt(keys, now, wait_after).await?;
        if until.is_some() {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(until)
    }
}
