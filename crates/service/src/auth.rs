//! The data of logging in (security.md, Identity and Sessions): sessions, API tokens, the login
//! throttle's counters, users with their memberships and login state, and a user's own second
//! factor and password. These calls act for someone who is not yet a [`crate::Caller`] (the
//! person logging in, the bearer of a token): the server's `auth` decides the policy (timeouts,
//! TOTP windows, the throttle's waits, the password rules) and reads and writes through here
//! only. The beheerder's side of the second factor is [`crate::second_factor`].

use jiff::{SignedDuration, Timestamp};
use verzuim_store::{
    ApiToken, AuditEntry, LoginState, Membership, OrgKind, Organisation, SecondFactor, Session,
    Store, ThrottleKey, TokenId, User, UserId,
};

use crate::error::Result;

/// Starts a session (its id is the SHA-256 of the cookie's token), waiting for the second
/// factor's code when `awaiting_code`, in one transaction.
pub async fn start_session(store: &Store, session: &Session, awaiting_code: bool) -> Result<()> {
    let mut tx = store.begin().await?;
    tx.create_session(session).await?;
    if awaiting_code {
        tx.await_code(&session.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The live session with this id at `now`, if any.
pub async fn session(store: &Store, id: &str, now: Timestamp) -> Result<Option<Session>> {
    Ok(store.session(id, now).await?)
}

/// Records a session's activity and its new expiry; false when it ended meanwhile.
pub async fn touch_session(
    store: &Store,
    id: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<bool> {
    Ok(store.touch_session(id, now, expires_at).await?)
}

/// Ends a session (logout); false when there was none.
pub async fn end_session(store: &Store, id: &str) -> Result<bool> {
    Ok(store.delete_session(id).await?)
}

/// Removes the sessions expired at `now`; how many.
pub async fn end_expired_sessions(store: &Store, now: Timestamp) -> Result<u64> {
    Ok(store.delete_expired_sessions(now).await?)
}

/// The live token with this SHA-256 and the kind of its organisation (one round trip).
pub async fn api_token_with_kind(store: &Store, hash: &str) -> Result<Option<(ApiToken, OrgKind)>> {
    Ok(store.api_token_with_kind_by_hash(hash).await?)
}

/// Records a token's use at `now`.
pub async fn touch_api_token(store: &Store, id: TokenId, now: Timestamp) -> Result<()> {
    Ok(store.touch_api_token(id, now).await?)
}

/// Counts a login attempt for each key before it is checked, atomically; `Some(until)` (and
/// nothing counted) while one of them must still wait.
pub async fn count_login_attempt(
    store: &Store,
    keys: &[ThrottleKey<'_>],
    now: Timestamp,
    wait_after: fn(u32) -> SignedDuration,
) -> Result<Option<Timestamp>> {
    Ok(store.count_login_attempt(keys, now, wait_after).await?)
}

/// Forgets the counted attempts of a key (after a successful login).
pub async fn reset_login_failures(store: &Store, key: ThrottleKey<'_>) -> Result<()> {
    Ok(store.reset_login_failures(key).await?)
}

/// A user by id.
pub async fn user(store: &Store, id: UserId) -> Result<Option<User>> {
    Ok(store.user(id).await?)
}

/// A user by e-mail address.
pub async fn user_by_email(store: &Store, email: &str) -> Result<Option<User>> {
    Ok(store.user_by_email(email).await?)
}

/// A user's roles in organisations.
pub async fn memberships(store: &Store, user: UserId) -> Result<Vec<Membership>> {
    Ok(store.memberships_of_user(user).await?)
}

/// What the login of this session still needs (code, new password, second factor).
pub async fn login_state(store: &Store, user: UserId, session_id: &str) -> Result<LoginState> {
    Ok(store.login_state(user, session_id).await?)
}

/// An organisation (its kind decides what its members see), if it exists.
pub async fn organisation(store: &Store, id: &str) -> Result<Option<Organisation>> {
    Ok(store.organisation(id).await?)
}

/// The user's second factor (confirmed or being set up), if any.
pub async fn second_factor(store: &Store, user: UserId) -> Result<Option<SecondFactor>> {
    Ok(store.second_factor(user).await?)
}

/// How many unused recovery codes the user has.
pub async fn recovery_codes_left(store: &Store, user: UserId) -> Result<u64> {
    Ok(store.recovery_codes_left(user).await?)
}

/// A new, unconfirmed secret for the user. `Conflict` while the user has a confirmed one (a
/// beheerder resets it).
pub async fn start_second_factor(store: &Store, user: UserId, secret: &str) -> Result<()> {
    Ok(store.start_second_factor(user, secret).await?)
}

/// A code the server matched: the TOTP time step it is right for, or a recovery code's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    TotpStep(i64),
    RecoveryHash(String),
}

/// Whether a code was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    /// A TOTP code.
    Accepted,
    /// A recovery code, now used up; this many are left.
    RecoveryCodeUsed {
        left: u64,
    },
    Wrong,
}

/// Uses up a code of the user's confirmed second factor (a TOTP step once, later than the last
/// one; a recovery code once) and, when right, ends the session's wait for it: one transaction.
pub async fn accept_code(
    store: &Store,
    user: UserId,
    code: Option<Code>,
    session_id: Option<&str>,
) -> Result<CodeOutcome> {
    let mut tx = store.begin().await?;
    let outcome = match code {
        Some(Code::TotpStep(step)) => {
            if tx.accept_totp_step(user, step).await? {
                CodeOutcome::Accepted
            } else {
                CodeOutcome::Wrong
            }
        }
        Some(Code::RecoveryHash(hash)) => {
            if tx.use_recovery_code(user, &hash).await? {
                CodeOutcome::RecoveryCodeUsed {
                    left: tx.recovery_codes_left(user).await?,
                }
            } else {
                CodeOutcome::Wrong
            }
        }
        None => CodeOutcome::Wrong,
    };
    if outcome != CodeOutcome::Wrong
        && let Some(id) = session_id
    {
        tx.code_accepted(id).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Confirms the second factor being set up with the time step of its first right code and
/// gives the user these recovery codes (hashes), with the audit rows, in one transaction. False
/// (nothing written) when there was nothing to confirm or the step was used.
pub async fn confirm_second_factor(
    store: &Store,
    user: UserId,
    step: i64,
    recovery_hashes: &[String],
    audit: &[AuditEntry],
) -> Result<bool> {
    let mut tx = store.begin().await?;
    if !tx
        .confirm_second_factor(user, step, recovery_hashes)
        .await?
    {
        return Ok(false);
    }
    for row in audit {
        tx.audit(row).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The user's recovery codes become these (hashes), with the audit rows, in one transaction.
pub async fn replace_recovery_codes(
    store: &Store,
    user: UserId,
    hashes: &[String],
    audit: &[AuditEntry],
) -> Result<()> {
    let mut tx = store.begin().await?;
    tx.replace_recovery_codes(user, hashes).await?;
    for row in audit {
        tx.audit(row).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The user's own new password (its argon2id hash): a required change is then done and every
/// session of the user ends.
pub async fn set_password_hash(store: &Store, user: UserId, hash: &str) -> Result<()> {
    Ok(store.set_password_hash(user, hash).await?)
}

/// Whether the database answers (the health check).
pub async fn ping(store: &Store) -> Result<()> {
    Ok(store.ping().await?)
}
