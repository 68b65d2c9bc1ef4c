//! Writing the audit log: time, user, organisation, action, object, pupil, client address,
//! outcome. Every read and write of pupil data writes a row, and so do logins (success and
//! failure), logouts, password changes and token creation and revocation.
//!
//! Take [`Audit`] as an extractor (it knows the client address) and describe the event:
//!
//! ```ignore
//! async fn get_pupil(actor: Actor, audit: Audit, …) -> ApiResult<…> {
//!     actor.require(&school, &[Role::Verzuimcoordinator], Permission::PupilsRead)?;
//!     let pupil = state.store.pupil(Scope::School(&school), &school, &id).await?;
//!     audit.event(&actor, action::PUPIL_READ)
//!         .organisation(&school)
//!         .object(format!("pupil:{id}"))
//!         .pupil(&school, &id)
//!         .write()
//!         .await?;
//!     …
//! }
//! ```
//!
//! A write whose audit row must commit with it passes [`AuditEvent::entry`] to `tx.audit(…)`
//! inside the same store transaction. Writing a row that fails makes the request fail: no
//! unaudited read of pupil data.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use verzuim_store::{AuditEntry, Store, pupil_ref};

use crate::authz::Actor;
use crate::error::ApiResult;
use crate::security::client_address;
use crate::state::AppState;

/// The stable action names of the audit log. Add new ones here.
pub mod action {
    pub const LOGIN: &str = "login";
    pub const LOGOUT: &str = "logout";
    pub const PASSWORD_CHANGE: &str = "password_change";
    pub const TOKEN_CREATE: &str = "token_create";
    pub const TOKEN_REVOKE: &str = "token_revoke";
    pub const AUDIT_EXPORT: &str = "audit_export";
    pub const PUPIL_READ: &str = "pupil_read";
    pub const PUPIL_WRITE: &str = "pupil_write";
    pub const LETTER: &str = "letter";
    /// A second factor's code at login (outcome `failed` for a wrong one).
    pub const SECOND_FACTOR: &str = "second_factor";
    /// A second factor set up (confirmed with its first code).
    pub const SECOND_FACTOR_ENROL: &str = "second_factor_enrol";
    /// New recovery codes.
    pub const RECOVERY_CODES: &str = "recovery_codes";
    /// A beheerder removed a user's second factor.
    pub const SECOND_FACTOR_RESET: &str = "second_factor_reset";
    /// A beheerder required (or no longer required) a second factor of the organisation's users.
    pub const SECOND_FACTOR_POLICY: &str = "second_factor_policy";
    /// A beheerder gave a user a role in the organisation (a new user: with a first password).
    pub const MEMBERSHIP_ADD: &str = "membership_add";
    /// A beheerder removed a user's role in the organisation.
    pub const MEMBERSHIP_REMOVE: &str = "membership_remove";
    /// A school invited a parent to the parents' portal, or a parent accepted an invitation.
    pub const PARENT_INVITATION: &str = "parent_invitation";
    /// A leave request advised on or decided (Leerplichtwet 1969 art. 13a, art. 14).
    pub const LEAVE_DECISION: &str = "leave_decision";
}

/// How an audited event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Tried and failed (a wrong password).
    Failed,
    /// Refused for lack of rights.
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Denied => "denied",
        }
    }
}

/// The audit writer of one request.
#[derive(Clone)]
pub struct Audit {
    store: Store,
    address: Option<String>,
}

impl FromRequestParts<AppState> for Audit {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Audit, Self::Rejection> {
        Ok(Audit {
            store: state.store.clone(),
            address: client_address(state, parts),
        })
    }
}

impl Audit {
    /// The client address rows are written with.
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// An event by an actor of this request.
    pub fn event(&self, actor: &Actor, action: &str) -> AuditEvent {
        self.event_by(actor.store_actor(), action)
    }

    /// An event by a user or system named directly (e.g. a failed login, before there is an
    /// [`Actor`]).
    pub fn event_by(&self, actor: verzuim_store::Actor, action: &str) -> AuditEvent {
        AuditEvent {
            store: self.store.clone(),
            entry: AuditEntry {
                actor,
                organisation_id: None,
                action: action.to_owned(),
                object: String::new(),
                pupil: None,
                address: self.address.clone(),
                outcome: Outcome::Ok.as_str().to_owned(),
            },
        }
    }
}

/// One audit row being described. Outcome `ok` unless set.
#[must_use = "an audit event is written only by .write() or tx.audit(event.entry())"]
pub struct AuditEvent {
    store: Store,
    entry: AuditEntry,
}

impl AuditEvent {
    /// The organisation whose part of the log the row is in (its `beheerder` reads it).
    pub fn organisation(mut self, organisation_id: &str) -> AuditEvent {
        self.entry.organisation_id = Some(organisation_id.to_owned());
        self
    }

    /// What was read or written, e.g. `pupil:1001`, `token:3`, `case:12`.
    pub fn object(mut self, object: impl Into<String>) -> AuditEvent {
        self.entry.object = object.into();
        self
    }

    /// The pupil concerned.
    pub fn pupil(mut self, school_id: &str, pupil_id: &str) -> AuditEvent {
        self.entry.pupil = Some(pupil_ref(school_id, pupil_id));
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> AuditEvent {
        self.entry.outcome = outcome.as_str().to_owned();
        self
    }

    /// The row, for `tx.audit(event.entry())` inside a store transaction.
    pub fn entry(&self) -> &AuditEntry {
        &self.entry
    }

    /// Appends the row now.
    pub async fn write(self) -> ApiResult<()> {
        self.store.audit(&self.entry).await?;
        Ok(())
    }

    /// Appends one row per organisation (e.g. a login of a user with roles in two).
    pub async fn write_for_each(self, organisations: &[&str]) -> ApiResult<()> {
        if organisations.is_empty() {
            return self.write().await;
        }
        for org in organisations {
            let mut entry = self.entry.clone();
            entry.organisation_id = Some((*org).to_owned());
            self.store.audit(&entry).await?;
        }
        Ok(())
    }
}
