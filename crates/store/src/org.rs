//! Organisations, school settings, users, memberships, sessions, login throttling, API tokens.

use jiff::Timestamp;
use verzuim_engine::model::School;

use crate::db::{Row, args, json_text};
use crate::{
    Actor, ApiToken, Letterhead, Membership, NewApiToken, NewUser, OrgKind, Organisation, Page,
    Result, Role, SchoolSettings, Session, StoreError, Throttle, ThrottleKey, TokenId, Tx, User,
    UserId,
};

fn organisation_of(r: &Row) -> Result<Organisation> {
    Ok(Organisation {
        id: r.text("id")?,
        kind: r.parsed("kind", OrgKind::parse)?,
        name: r.text("name")?,
        letterhead: Letterhead {
            street: r.opt_text("street")?,
            postcode: r.opt_text("postcode")?,
            city: r.opt_text("city")?,
            phone: r.opt_text("phone")?,
            email: r.opt_text("email")?,
        },
    })
}

const USER_COLUMNS: &str =
    "u.id, u.email, u.display_name, u.password_hash, u.created_at, u.password_changed_at";

fn user_of(r: &Row) -> Result<User> {
    Ok(User {
        id: r.i64("id")?,
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        created_at: r.ts("created_at")?,
        password_changed_at: r.ts("password_changed_at")?,
    })
}

fn membership_of(r: &Row) -> Result<Membership> {
    Ok(Membership {
        user_id: r.i64("user_id")?,
        organisation_id: r.text("organisation_id")?,
        role: r.parsed("role", Role::parse)?,
        groups: r.json("groups_json")?,
    })
}

fn session_of(r: &Row) -> Result<Session> {
    Ok(Session {
        id: r.text("id")?,
        user_id: r.i64("user_id")?,
        created_at: r.ts("created_at")?,
        last_seen_at: r.ts("last_seen_at")?,
        expires_at: r.ts("expires_at")?,
    })
}

const TOKEN_COLUMNS: &str = "id, organisation_id, name, permissions_json, created_at, created_by, \
     last_used_at, revoked_at";

fn token_of(r: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.i64("id")?,
        organisation_id: r.text("organisation_id")?,
        name: r.text("name")?,
        permissions: r.json("permissions_json")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
        last_used_at: r.opt_ts("last_used_at")?,
        revoked_at: r.opt_ts("revoked_at")?,
    })
}

/// A throttle counter's identity as stored: `(key_kind, key)`.
pub(crate) fn throttle_key(key: ThrottleKey<'_>) -> (&'static str, String) {
    match key {
        ThrottleKey::Account(a) => ("account", a.trim().to_lowercase()),
        ThrottleKey::Address(a) => ("address", a.to_owned()),
    }
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A school's settings from a row of `school_settings s JOIN organisations o` (the columns of
/// [`Tx::school_settings`]).
pub(crate) fn settings_of(r: &crate::db::Row) -> Result<SchoolSettings> {
    Ok(SchoolSettings {
        card_id: r.text("card_id")?,
        school: School {
            earlier_times: r.json("earlier_times_json")?,
            id: r.text("id")?,
            name: r.text("name")?,
            holiday_region: r.opt_text("holiday_region")?,
            lesson_times: r.json("lesson_times")?,
            groups: r.json("groups_json")?,
            closed: r.json("closed_json")?,
        },
    })
}

impl Tx {
    /// Creates or updates an organisation (by id).
    pub async fn put_organisation(&mut self, org: &Organisation) -> Result<()> {
        let t = self.now();
        let l = &org.letterhead;
        self.c()
            .execute(
                "INSERT INTO organisations (id, kind, name, street, postcode, city, phone, email, \
                 created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
                 street = excluded.street, postcode = excluded.postcode, city = excluded.city, \
                 phone = excluded.phone, email = excluded.email, updated_at = excluded.updated_at",
                args![
                    &org.id,
                    org.kind.as_str(),
                    &org.name,
                    &l.street,
                    &l.postcode,
                    &l.city,
                    &l.phone,
                    &l.email,
                    t,
                    t
                ],
            )
            .await?;
        Ok(())
    }

    pub async fn organisation(&mut self, id: &str) -> Result<Option<Organisation>> {
        self.c()
            .fetch_optional("SELECT * FROM organisations WHERE id = ?", args![id])
            .await?
            .as_ref()
            .map(organisation_of)
            .transpose()
    }

    /// The names of the organisations among `ids` (unknown ids are left out), by id.
    pub async fn organisation_names(&mut self, ids: &[&str]) -> Result<Vec<(String, String)>> {
        let marks = crate::queries::marks(ids.len());
        let mut a: Vec<crate::db::Arg> = ids.iter().map(|i| crate::db::Arg::from(*i)).collect();
        if a.is_empty() {
            a.push(crate::db::Arg::from(None::<&str>));
        }
        self.c()
            .fetch_map(
                &format!("SELECT id, name FROM organisations WHERE id IN ({marks})"),
                a,
                |r| Ok((r.text("id")?, r.text("name")?)),
            )
            .await
    }

    pub async fn list_organisations(
        &mut self,
        kind: Option<OrgKind>,
        page: Page,
    ) -> Result<Vec<Organisation>> {
        self.c()
            .fetch_map(
                "SELECT * FROM organisations WHERE (? IS NULL OR kind = ?) ORDER BY id \
                 LIMIT ? OFFSET ?",
                args![
                    kind.map(|k| k.as_str()),
                    kind.map(|k| k.as_str()),
                    page.limit(),
                    page.offset()
                ],
                organisation_of,
            )
            .await
    }

    /// Stores a school's lesson times, closed periods and card. `settings.school.id` and
    /// `name` are ignored: the organisation's are used.
    pub async fn put_school_settings(
        &mut self,
        school_id: &str,
        settings: &SchoolSettings,
    ) -> Result<()> {
        let now = self.now();
        let s = &settings.school;
        let n = self
            .c()
            .execute(
                "INSERT INTO school_settings (organisation_id, card_id, holiday_region, \
                 lesson_times, groups_json, closed_json, earlier_times_json, updated_at) \
                 SELECT o.id, ?, ?, ?, ?, ?, ?, ? FROM organisations o \
                 WHERE o.id = ? AND o.kind = 'school' \
                 ON CONFLICT (organisation_id) DO UPDATE SET card_id = excluded.card_id, \
                 holiday_region = excluded.holiday_region, lesson_times = excluded.lesson_times, \
                 groups_json = excluded.groups_json, closed_json = excluded.closed_json, \
                 earlier_times_json = excluded.earlier_times_json, \
                 updated_at = excluded.updated_at",
                args![
                    &settings.card_id,
                    &s.holiday_region,
                    json_text(&s.lesson_times)?,
                    json_text(&s.groups)?,
                    json_text(&s.closed)?,
                    json_text(&s.earlier_times)?,
                    now,
                    school_id
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn school_settings(&mut self, school_id: &str) -> Result<Option<SchoolSettings>> {
        let Some(r) = self
            .c()
            .fetch_optional(
                "SELECT o.id, o.name, s.card_id, s.holiday_region, s.lesson_times, \
                 s.groups_json, s.closed_json, s.earlier_times_json FROM school_settings s \
                 JOIN organisations o ON o.id = s.organisation_id WHERE s.organisation_id = ?",
                args![school_id],
            )
            .await?
        else {
            return Ok(None);
        };
        settings_of(&r).map(Some)
    }

    /// Creates a user; the e-mail address (lower-cased) must be unused.
    pub async fn create_user(&mut self, user: &NewUser) -> Result<UserId> {
        let t = self.now();
        let email = normalise_email(&user.email);
        if email.is_empty() {
            return Err(StoreError::Invalid("e-mailadres ontbreekt".into()));
        }
        let r = self
            .c()
            .fetch_one(
                "INSERT INTO users (email, display_name, password_hash, created_at, \
                 password_changed_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                args![email, &user.display_name, &user.password_hash, t, t],
            )
            .await?;
        r.i64("id")
    }

    pub async fn user(&mut self, id: UserId) -> Result<Option<User>> {
        self.c()
            .fetch_optional(
                &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?"),
                args![id],
            )
            .await?
            .as_ref()
            .map(user_of)
            .transpose()
    }

    /// The display names of the users among `ids` (unknown ids are left out), by id.
    pub async fn user_names(&mut self, ids: &[UserId]) -> Result<Vec<(UserId, String)>> {
        self.c()
            .fetch_map(
                &format!(
                    "SELECT u.id, u.display_name FROM users u WHERE u.id IN ({})",
                    crate::queries::marks(ids.len())
                ),
                crate::queries::id_args(ids),
                |r| Ok((r.i64("id")?, r.text("display_name")?)),
            )
            .await
    }

    pub async fn user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        self.c()
            .fetch_optional(
                &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = ?"),
                args![normalise_email(email)],
            )
            .await?
            .as_ref()
            .map(user_of)
            .transpose()
    }

    pub async fn count_users(&mut self) -> Result<u64> {
        self.c()
            .fetch_one("SELECT COUNT(*) AS n FROM users", args![])
            .await?
            .u64("n")
    }

    /// Sets a new password hash, chosen by the user (so a required change is done), and ends
    /// every session of the user (security.md: sessions are gone at a password change).
    pub async fn set_password_hash(&mut self, id: UserId, password_hash: &str) -> Result<()> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE users SET password_hash = ?, password_changed_at = ?, \
                 must_change_password = FALSE WHERE id = ?",
                args![password_hash, now, id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.delete_sessions_of_user(id).await?;
        Ok(())
    }

    /// Gives a user a role in an organisation (again: updates the groups).
    pub async fn add_membership(&mut self, m: &Membership) -> Result<()> {
        let now = self.now();
        self.c()
            .execute(
                "INSERT INTO memberships (user_id, organisation_id, role, groups_json, \
                 created_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (user_id, organisation_id, role) \
                 DO UPDATE SET groups_json = excluded.groups_json",
                args![
                    m.user_id,
                    &m.organisation_id,
                    m.role.as_str(),
                    json_text(&m.groups)?,
                    now
                ],
            )
            .await?;
        Ok(())
    }

    pub async fn remove_membership(
        &mut self,
        user_id: UserId,
        organisation_id: &str,
        role: Role,
    ) -> Result<bool> {
        let n = self
            .c()
            .execute(
                "DELETE FROM memberships WHERE user_id = ? AND organisation_id = ? AND role = ?",
                args![user_id, organisation_id, role.as_str()],
            )
            .await?;
        Ok(n > 0)
    }

    /// All roles of a user (bounded: a user has few).
    pub async fn memberships_of_user(&mut self, user_id: UserId) -> Result<Vec<Membership>> {
        self.c()
            .fetch_map(
                "SELECT * FROM memberships WHERE user_id = ? ORDER BY organisation_id, role",
                args![user_id],
                membership_of,
            )
            .await
    }

    pub async fn members_of_organisation(
        &mut self,
        organisation_id: &str,
        page: Page,
    ) -> Result<Vec<(User, Membership)>> {
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {USER_COLUMNS}, m.user_id, m.organisation_id, m.role, m.groups_json \
                     FROM memberships m JOIN users u ON u.id = m.user_id \
                     WHERE m.organisation_id = ? ORDER BY u.email, m.role LIMIT ? OFFSET ?"
                ),
                args![organisation_id, page.limit(), page.offset()],
                |r| Ok((user_of(r)?, membership_of(r)?)),
            )
            .await
    }

    pub async fn create_session(&mut self, s: &Session) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) \
                 VALUES (?, ?, ?, ?, ?)",
                args![&s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at],
            )
            .await?;
        Ok(())
    }

    /// The session with this id (token hash) if it has not expired at `now`.
    pub async fn session(&mut self, id: &str, now: Timestamp) -> Result<Option<Session>> {
        self.c()
            .fetch_optional(
                "SELECT * FROM sessions WHERE id = ? AND expires_at > ?",
                args![id, now],
            )
            .await?
            .as_ref()
            .map(session_of)
            .transpose()
    }

    /// Records activity: `last_seen_at = now`, new expiry (the caller applies idle and absolute
    /// limits). False if the session is gone or expired.
    pub async fn touch_session(
        &mut self,
        id: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<bool> {
        let n = self
            .c()
            .execute(
                "UPDATE sessions SET last_seen_at = ?, expires_at = ? \
                 WHERE id = ? AND expires_at > ?",
                args![now, expires_at, id, now],
            )
            .await?;
        Ok(n > 0)
    }

    pub async fn delete_session(&mut self, id: &str) -> Result<bool> {
        let n = self
            .c()
            .execute("DELETE FROM sessions WHERE id = ?", args![id])
            .await?;
        Ok(n > 0)
    }

    pub async fn delete_sessions_of_user(&mut self, user_id: UserId) -> Result<u64> {
        self.c()
            .execute("DELETE FROM sessions WHERE user_id = ?", args![user_id])
            .await
    }

    pub async fn delete_expired_sessions(&mut self, now: Timestamp) -> Result<u64> {
        self.c()
            .execute("DELETE FROM sessions WHERE expires_at <= ?", args![now])
            .await
    }

    /// An account's or an address's count of attempts (see [`Tx::count_login_attempt`]).
    pub async fn login_throttle(&mut self, key: ThrottleKey<'_>) -> Result<Option<Throttle>> {
        let (kind, key) = throttle_key(key);
        let Some(r) = self
            .c()
            .fetch_optional(
                "SELECT failures, last_failure FROM login_throttle WHERE key_kind = ? AND key = ?",
                args![kind, key],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(Throttle {
            failures: r.u32("failures")?,
            last_failure: r.ts("last_failure")?,
        }))
    }

    pub async fn reset_login_failures(&mut self, key: ThrottleKey<'_>) -> Result<()> {
        let (kind, key) = throttle_key(key);
        self.c()
            .execute(
                "DELETE FROM login_throttle WHERE key_kind = ? AND key = ?",
                args![kind, key],
            )
            .await?;
        Ok(())
    }

    pub async fn create_api_token(&mut self, t: &NewApiToken, by: Actor) -> Result<TokenId> {
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO api_tokens (organisation_id, name, token_hash, permissions_json, \
                 created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                args![
                    &t.organisation_id,
                    &t.name,
                    &t.token_hash,
                    json_text(&t.permissions)?,
                    now,
                    by.to_string()
                ],
            )
            .await?
            .i64("id")
    }

    /// The unrevoked token with this hash.
    pub async fn api_token_by_hash(&mut self, token_hash: &str) -> Result<Option<ApiToken>> {
        self.c()
            .fetch_optional(
                &format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens \
                     WHERE token_hash = ? AND revoked_at IS NULL"
                ),
                args![token_hash],
            )
            .await?
            .as_ref()
            .map(token_of)
            .transpose()
    }

    /// The live token with this hash and the kind of its organisation, in one statement (one
    /// round trip for an API request's credentials and its organisation; issue 13.1). A token
    /// whose organisation no longer exists is not found.
    pub async fn api_token_with_kind_by_hash(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, OrgKind)>> {
        self.c()
            .fetch_optional(
                &format!(
                    "SELECT {TOKEN_COLUMNS}, \
                     (SELECT o.kind FROM organisations o WHERE o.id = api_tokens.organisation_id) \
                     AS organisation_kind \
                     FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL \
                     AND organisation_id IN (SELECT id FROM organisations)"
                ),
                args![token_hash],
            )
            .await?
            .as_ref()
            .map(|r| Ok((token_of(r)?, r.parsed("organisation_kind", OrgKind::parse)?)))
            .transpose()
    }

    pub async fn touch_api_token(&mut self, id: TokenId, now: Timestamp) -> Result<()> {
        self.c()
            .execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                args![now, id],
            )
            .await?;
        Ok(())
    }

    pub async fn revoke_api_token(&mut self, organisation_id: &str, id: TokenId) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE api_tokens SET revoked_at = ? \
                 WHERE id = ? AND organisation_id = ? AND revoked_at IS NULL",
                args![now, id, organisation_id],
            )
            .await?;
        Ok(n > 0)
    }

    pub async fn list_api_tokens(
        &mut self,
        organisation_id: &str,
        page: Page,
    ) -> Result<Vec<ApiToken>> {
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE organisation_id = ? \
                     ORDER BY id LIMIT ? OFFSET ?"
                ),
                args![organisation_id, page.limit(), page.offset()],
                token_of,
            )
            .await
    }
}
