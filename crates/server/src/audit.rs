//! Writing the audit log: time, user, organisation, action, object, pupil, client address,
//! outcome. Every read and write of pupil data writes a row, and so do logins (success and
//! failure), logouts, password changes and token creation and revocation.
//!
//! Take [`Audit`] as an extractor (it knows the client address) and describe the event:
//!
//! ```ignore
//! async fn get_pupil(acting: Acting, audit: Audit, …) -> ApiResult<…> {
//!     let pupil = visibility::pupil(&state.store, &acting.caller, &school, &id).await?;
//!     audit.event(&acting.actor, action::PUPIL_READ)
//!         .organisation(acting.org())
//!         .object(AuditObject::Pupil(id.clone()))
//!         .pupil(&school, &id)
//!         .write()
//!         .await?;
//!     …
//! }
//! ```
//!
//! A write's row commits with the write: the service call takes it
//! (`acting.caller.audited(event.entry())`, or the `records` calls' row of the new id). Writing
//! a row that fails makes the request fail: no unaudited read of pupil data.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use verzuim_service::Store;
use verzuim_service::model::{self, AuditEntry, pupil_ref};

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
    /// A user (or parent) changed their choice of e-mail per kind.
    pub const MAIL_PREFERENCES: &str = "mail_preferences";
}

/// What an audit row is about, written the same way by the API and the pages: the kind, a
/// colon, the id (`referral:12`, `pupil:1001`, `case:3:brief:eerste_brief:5`). Details follow
/// with [`AuditObject::detail`] (`task:7:complete`). The pupil of a row goes into its own column
/// ([`AuditEvent::pupil`]), so `Pupil` names only the pupil number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditObject {
    /// A refused access (`toegang`).
    Access,
    /// A pupil (`pupil:{pupil}`).
    Pupil(String),
    /// A school's pupil list (`pupils:{school}`).
    Pupils(String),
    /// A registration (`registration:{id}`).
    Registration(i64),
    /// A pupil's registrations (`registrations:{pupil}`).
    Registrations(String),
    /// An event (`event:{id}`).
    Event(i64),
    /// A pupil's events (`events:{pupil}`).
    Events(String),
    /// A school's or a pupil's signals (`signals:{school or pupil}`).
    Signals(String),
    /// A case (`case:{id}`).
    Case(i64),
    /// An organisation's cases (`cases:{org}`).
    Cases(String),
    /// A task (`task:{id}`).
    Task(i64),
    /// An organisation's tasks (`tasks:{org}`).
    Tasks(String),
    /// A melding to leerplicht (`melding:{id}`).
    Melding(i64),
    /// An organisation's meldingen (`meldingen:{org}`).
    Meldingen(String),
    /// A referral to GGD-JGZ (`referral:{id}`).
    Referral(i64),
    /// An organisation's referrals (`referrals:{org}`).
    Referrals(String),
    /// A letter of a case (`case:{case}:brief:{kind}:{id}`).
    Letter { case: i64, kind: String, id: i64 },
    /// A user (`user:{id}`).
    User(i64),
    /// An API token (`token:{id}`).
    Token(i64),
    /// An organisation's audit log (`audit:{org}`).
    AuditLog(String),
    /// A school (`school:{id}`).
    School(String),
    /// An organisation (`organisation:{id}`).
    Organisation(String),
    /// A leave request (`verlof:{id}`).
    Leave(i64),
    /// A parent's sick report (`ziekmelding:{id}`).
    SickReport(i64),
    /// The prikactie of a year (`prikactie:{year}`).
    Prikactie(i16),
    /// Files imported into a school (`import:{school}`; the service adds what came in).
    Import(String),
    /// A retention run asked for (`retention`; the service adds how many pupils went).
    Retention,
}

impl AuditObject {
    /// The object with a detail after it (`task:7` → `task:7:complete`).
    pub fn detail(self, detail: impl std::fmt::Display) -> Object {
        Object::from(self).detail(detail)
    }
}

impl std::fmt::Display for AuditObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use AuditObject as O;
        match self {
            O::Access => f.write_str("toegang"),
            O::Pupil(p) => write!(f, "pupil:{p}"),
            O::Pupils(school) => write!(f, "pupils:{school}"),
            O::Registration(id) => write!(f, "registration:{id}"),
            O::Registrations(p) => write!(f, "registrations:{p}"),
            O::Event(id) => write!(f, "event:{id}"),
            O::Events(p) => write!(f, "events:{p}"),
            O::Signals(of) => write!(f, "signals:{of}"),
            O::Case(id) => write!(f, "case:{id}"),
            O::Cases(org) => write!(f, "cases:{org}"),
            O::Task(id) => write!(f, "task:{id}"),
            O::Tasks(org) => write!(f, "tasks:{org}"),
            O::Melding(id) => write!(f, "melding:{id}"),
            O::Meldingen(org) => write!(f, "meldingen:{org}"),
            O::Referral(id) => write!(f, "referral:{id}"),
            O::Referrals(org) => write!(f, "referrals:{org}"),
            O::Letter { case, kind, id } => write!(f, "case:{case}:brief:{kind}:{id}"),
            O::User(id) => write!(f, "user:{id}"),
            O::Token(id) => write!(f, "token:{id}"),
            O::AuditLog(org) => write!(f, "audit:{org}"),
            O::School(id) => write!(f, "school:{id}"),
            O::Organisation(id) => write!(f, "organisation:{id}"),
            O::Leave(id) => write!(f, "verlof:{id}"),
            O::SickReport(id) => write!(f, "ziekmelding:{id}"),
            O::Prikactie(year) => write!(f, "prikactie:{year}"),
            O::Import(school) => write!(f, "import:{school}"),
            O::Retention => f.write_str("retention"),
        }
    }
}

/// The text of an audit row's object: an [`AuditObject`] with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object(String);

impl Object {
    /// One more detail after a colon.
    pub fn detail(mut self, detail: impl std::fmt::Display) -> Object {
        use std::fmt::Write;
        let _ = write!(self.0, ":{detail}");
        self
    }
}

impl std::fmt::Display for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<AuditObject> for Object {
    fn from(o: AuditObject) -> Object {
        Object(o.to_string())
    }
}

impl From<String> for Object {
    fn from(s: String) -> Object {
        Object(s)
    }
}

impl From<&str> for Object {
    fn from(s: &str) -> Object {
        Object(s.to_owned())
    }
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
    pub fn event_by(&self, actor: model::Actor, action: &str) -> AuditEvent {
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

    /// What was read or written: an [`AuditObject`] (perhaps with details, e.g.
    /// `AuditObject::Case(12).detail("close")`), written as `case:12:close`. (A plain string
    /// still works while pages move to the typed objects.)
    pub fn object(mut self, object: impl Into<Object>) -> AuditEvent {
        self.entry.object = object.into().0;
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

    /// The row with this object, for a service write that learns the object's id in its own
    /// transaction (e.g. `|id| event.row_of(AuditObject::User(id))`).
    pub fn row_of(&self, object: impl Into<Object>) -> AuditEntry {
        AuditEntry {
            object: object.into().0,
            ..self.entry.clone()
        }
    }

    /// The row, for `tx.audit(event.entry())` inside a store transaction.
    pub fn entry(&self) -> &AuditEntry {
        &self.entry
    }

    /// Appends the row now (a read, a login step: a write's row commits with the write).
    pub async fn write(self) -> ApiResult<()> {
        verzuim_service::audit::append(&self.store, std::slice::from_ref(&self.entry)).await?;
        Ok(())
    }

    /// One row per organisation (e.g. a login of a user with roles in two), for a service
    /// write that commits them with its change; the row as it is without organisations.
    pub fn entries_for_each(self, organisations: &[&str]) -> Vec<AuditEntry> {
        if organisations.is_empty() {
            return vec![self.entry];
        }
        organisations
            .iter()
            .map(|org| AuditEntry {
                organisation_id: Some((*org).to_owned()),
                ..self.entry.clone()
            })
            .collect()
    }

    /// Appends one row per organisation now (e.g. a login of a user with roles in two).
    pub async fn write_for_each(self, organisations: &[&str]) -> ApiResult<()> {
        let store = self.store.clone();
        let rows = self.entries_for_each(organisations);
        verzuim_service::audit::append(&store, &rows).await?;
        Ok(())
    }
}
