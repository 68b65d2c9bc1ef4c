//! The second factor (TOTP) and the login steps: a user's secret and recovery codes, the
//! sessions still waiting for a code, who must choose a new password, and which organisations
//! require a second factor (migration `0020_second_factor`).
//!
//! The store keeps what the server checks against; it never sees a code in the clear except
//! through [`Tx::accept_totp_step`] (a time step number) and recovery codes as SHA-256 hashes.

use jiff::Timestamp;
use serde::Serialize;

use crate::db::args;
use crate::{Result, Store, StoreError, Tx, UserId};

/// A user's TOTP secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    pub user_id: UserId,
    /// Base32 (RFC 4648, no padding).
    pub secret: String,
    pub created_at: Timestamp,
    /// `None` while the user is setting it up (no right code yet).
    pub confirmed_at: Option<Timestamp>,
    /// The time step of the last code accepted (a code is accepted once).
    pub last_step: i64,
}

/// What the login of a user in a session still needs, besides the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginState {
    /// The session's password was right but its code is still due.
    pub awaiting_code: bool,
    /// The user must choose a new password.
    pub must_change_password: bool,
    /// The user has a confirmed second factor.
    pub second_factor: bool,
    /// An organisation of the user requires a second factor.
    pub second_factor_required: bool,
}

/// A member of an organisation and whether they have a second factor (the beheerder's page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberSecondFactor {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    /// When the second factor was confirmed; `None`: the user has none.
    pub confirmed_at: Option<Timestamp>,
    /// Unused recovery codes.
    pub recovery_codes_left: u64,
}

fn second_factor_of(r: &crate::db::Row) -> Result<SecondFactor> {
    Ok(SecondFactor {
        user_id: r.i64("user_id")?,
        secret: r.text("secret")?,
        created_at: r.ts("created_at")?,
        confirmed_at: r.opt_ts("confirmed_at")?,
        last_step: r.i64("last_step")?,
    })
}

impl Tx {
    /// What the login of `user_id` in session `session_id` still needs.
    pub async fn login_state(&mut self, user_id: UserId, session_id: &str) -> Result<LoginState> {
        let r = self
            .c()
            .fetch_optional(
                "SELECT u.must_change_password, \
                 EXISTS (SELECT 1 FROM sessions_awaiting_code a WHERE a.session_id = ?) \
                   AS awaiting_code, \
                 EXISTS (SELECT 1 FROM second_factors f \
                   WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS second_factor, \
                 EXISTS (SELECT 1 FROM memberships m JOIN organisations o \
                   ON o.id = m.organisation_id \
                   WHERE m.user_id = u.id AND o.second_factor_required) \
                 OR EXISTS (SELECT 1 FROM parent_links l JOIN pupils p ON p.id = l.pupil \
                   JOIN organisations o ON o.id = p.school_id \
                   WHERE l.user_id = u.id AND o.second_factor_required) AS required \
                 FROM users u WHERE u.id = ?",
                args![session_id, user_id],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(LoginState {
            awaiting_code: r.bool("awaiting_code")?,
            must_change_password: r.bool("must_change_password")?,
            second_factor: r.bool("second_factor")?,
            second_factor_required: r.bool("required")?,
        })
    }

    /// Marks a session as waiting for its second factor's code.
    pub async fn await_code(&mut self, session_id: &str) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO sessions_awaiting_code (session_id) VALUES (?) \
                 ON CONFLICT (session_id) DO NOTHING",
                args![session_id],
            )
            .await?;
        Ok(())
    }

    /// The session's code was right. False if it was not waiting (a parallel request was first).
    pub async fn code_accepted(&mut self, session_id: &str) -> Result<bool> {
        let n = self
            .c()
            .execute(
                "DELETE FROM sessions_awaiting_code WHERE session_id = ?",
                args![session_id],
            )
            .await?;
        Ok(n > 0)
    }

    /// The user's second factor, confirmed or not.
    pub async fn second_factor(&mut self, user_id: UserId) -> Result<Option<SecondFactor>> {
        self.c()
            .fetch_optional(
                "SELECT * FROM second_factors WHERE user_id = ?",
                args![user_id],
            )
            .await?
            .as_ref()
            .map(second_factor_of)
            .transpose()
    }

    /// Starts setting up a second factor with a new secret (replacing an unconfirmed one).
    /// A confirmed second factor is kept: [`StoreError::Conflict`].
    pub async fn start_second_factor(&mut self, user_id: UserId, secret: &str) -> Result<()> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "INSERT INTO second_factors (user_id, secret, created_at, confirmed_at, last_step) \
                 VALUES (?, ?, ?, NULL, 0) ON CONFLICT (user_id) DO UPDATE SET \
                 secret = excluded.secret, created_at = excluded.created_at, last_step = 0 \
                 WHERE second_factors.confirmed_at IS NULL",
                args![user_id, secret, now],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "de gebruiker heeft al een tweede factor".into(),
            ));
        }
        Ok(())
    }

    /// Confirms the user's second factor with the time step of its first right code, and gives
    /// the user these recovery codes (SHA-256 hashes) instead of any earlier ones. False if
    /// there was no unconfirmed second factor, or the step was not later than the last one.
    pub async fn confirm_second_factor(
        &mut self,
        user_id: UserId,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE second_factors SET confirmed_at = ?, last_step = ? \
                 WHERE user_id = ? AND confirmed_at IS NULL AND last_step < ?",
                args![now, step, user_id, step],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        self.replace_recovery_codes(user_id, recovery_hashes)
            .await?;
        Ok(true)
    }

    /// Accepts a TOTP code of time step `step` for a confirmed second factor, once: false when
    /// a code of this or a later step was already accepted (a replay).
    pub async fn accept_totp_step(&mut self, user_id: UserId, step: i64) -> Result<bool> {
        let n = self
            .c()
            .execute(
                "UPDATE second_factors SET last_step = ? \
                 WHERE user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?",
                args![step, user_id, step],
            )
            .await?;
        Ok(n > 0)
    }

    /// The user's recovery codes become these (SHA-256 hashes); earlier ones no longer work.
    pub async fn replace_recovery_codes(
        &mut self,
        user_id: UserId,
        hashes: &[String],
    ) -> Result<()> {
        let now = self.now();
        self.c()
            .execute(
                "DELETE FROM recovery_codes WHERE user_id = ?",
                args![user_id],
            )
            .await?;
        for h in hashes {
            self.c()
                .execute(
                    "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                    args![user_id, h.as_str(), now],
                )
                .await?;
        }
        Ok(())
    }

    /// Uses up a recovery code (by its hash). False if it is unknown or already used.
    pub async fn use_recovery_code(&mut self, user_id: UserId, hash: &str) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE recovery_codes SET used_at = ? \
                 WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                args![now, user_id, hash],
            )
            .await?;
        Ok(n > 0)
    }

    /// How many of the user's recovery codes are still unused.
    pub async fn recovery_codes_left(&mut self, user_id: UserId) -> Result<u64> {
        self.c()
            .fetch_one(
                "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                args![user_id],
            )
            .await?
            .u64("n")
    }

    /// Removes the user's second factor and recovery codes and ends every session of the user
    /// (a beheerder's reset: the user sets a new one up at the next login). False if the user
    /// had none.
    pub async fn reset_second_factor(&mut self, user_id: UserId) -> Result<bool> {
        self.c()
            .execute(
                "DELETE FROM recovery_codes WHERE user_id = ?",
                args![user_id],
            )
            .await?;
        let n = self
            .c()
            .execute(
                "DELETE FROM second_factors WHERE user_id = ?",
                args![user_id],
            )
            .await?;
        self.delete_sessions_of_user(user_id).await?;
        Ok(n > 0)
    }

    /// Whether the organisation requires a second factor of its users (`None`: no such
    /// organisation).
    pub async fn second_factor_required(&mut self, organisation_id: &str) -> Result<Option<bool>> {
        self.c()
            .fetch_optional(
                "SELECT second_factor_required FROM organisations WHERE id = ?",
                args![organisation_id],
            )
            .await?
            .map(|r| r.bool("second_factor_required"))
            .transpose()
    }

    /// Requires (or no longer requires) a second factor of the organisation's users.
    pub async fn set_second_factor_required(
        &mut self,
        organisation_id: &str,
        required: bool,
    ) -> Result<()> {
        let n = self
            .c()
            .execute(
                "UPDATE organisations SET second_factor_required = ? WHERE id = ?",
                args![required, organisation_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The user must choose a new password at the next login (or no longer must).
    pub async fn set_must_change_password(&mut self, user_id: UserId, must: bool) -> Result<()> {
        let n = self
            .c()
            .execute(
                "UPDATE users SET must_change_password = ? WHERE id = ?",
                args![must, user_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The organisation's members (each once) with their second factor, by e-mail address.
    pub async fn members_second_factor(
        &mut self,
        organisation_id: &str,
    ) -> Result<Vec<MemberSecondFactor>> {
        self.c()
            .fetch_map(
                "SELECT u.id, u.email, u.display_name, f.confirmed_at, \
                 (SELECT COUNT(*) FROM recovery_codes c \
                   WHERE c.user_id = u.id AND c.used_at IS NULL) AS codes_left \
                 FROM users u LEFT JOIN second_factors f ON f.user_id = u.id \
                 WHERE u.id IN (SELECT m.user_id FROM memberships m WHERE m.organisation_id = ?) \
                 ORDER BY u.email",
                args![organisation_id],
                |r| {
                    Ok(MemberSecondFactor {
                        user_id: r.i64("id")?,
                        email: r.text("email")?,
                        display_name: r.text("display_name")?,
                        confirmed_at: r.opt_ts("confirmed_at")?,
                        recovery_codes_left: r.u64("codes_left")?,
                    })
                },
            )
            .await
    }
}

impl Store {
    /// [`Tx::login_state`] on a pooled connection.
    pub async fn login_state(&self, user_id: UserId, session_id: &str) -> Result<LoginState> {
        self.reader().await?.login_state(user_id, session_id).await
    }

    /// [`Tx::second_factor`] on a pooled connection.
    pub async fn second_factor(&self, user_id: UserId) -> Result<Option<SecondFactor>> {
        self.reader().await?.second_factor(user_id).await
    }

    /// [`Tx::set_second_factor_required`] in its own transaction.
    pub async fn set_second_factor_required(
        &self,
        organisation_id: &str,
        required: bool,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_second_factor_required(organisation_id, required)
            .await?;
        tx.commit().await
    }

    /// [`Tx::start_second_factor`] in its own transaction.
    pub async fn start_second_factor(&self, user_id: UserId, secret: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.start_second_factor(user_id, secret).await?;
        tx.commit().await
    }

    /// [`Tx::recovery_codes_left`] on a pooled connection.
    pub async fn recovery_codes_left(&self, user_id: UserId) -> Result<u64> {
        self.reader().await?.recovery_codes_left(user_id).await
    }
}
