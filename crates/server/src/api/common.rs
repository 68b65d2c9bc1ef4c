//! What the workflow routes share: the `?org=` parameter, audit rows for pupil data, text
//! checks, and the answers of a change. Who acts for which organisation is
//! [`crate::acting::Acting`], from the route's [`crate::policy::Policy`].

use serde::Deserialize;
use utoipa::IntoParams;
use verzuim_service::model::{AuditEntry, VersionRef};

pub use crate::acting::Acting;
use crate::audit::{Audit, AuditEvent, Object, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::check_len;

/// `?org=`: the organisation to act for, for a user with roles in several.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// De organisatie namens welke u handelt (alleen nodig met rollen in meerdere organisaties).
    #[param(max_length = 64)]
    pub org: Option<String>,
}

/// Writes the audit row of a read or write of pupil data by the acting organisation.
pub async fn audit_pupil_data(
    audit: &Audit,
    acting: &Acting,
    write: bool,
    object: impl Into<Object>,
    pupil: Option<(&str, &str)>,
) -> ApiResult<()> {
    pupil_data_event(audit, acting, write, object, pupil)
        .write()
        .await
}

/// The audit row of a write of pupil data that adds, corrects or deletes a registration or event
/// (`object` of the id with `verb`, e.g. `registration:12:correct`; an added one's id is known
/// only once stored), for the `records` calls that commit it with the change. `object`:
/// [`Versioned`] (or, until the pages move to it, the kind's name).
pub fn change_audit_row<'a>(
    event: &'a AuditEvent,
    object: impl ObjectOfId + 'a,
    verb: &'a str,
) -> impl Fn(&VersionRef) -> AuditEntry + Send + Sync + 'a {
    move |v: &VersionRef| AuditEntry {
        object: object.of(v.id).detail(verb).to_string(),
        ..event.entry().clone()
    }
}

/// What names a stored object by its id in an audit row.
pub trait ObjectOfId: Send + Sync {
    fn of(&self, id: i64) -> Object;
}

/// A registration or an event, the records that have versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioned {
    Registration,
    Event,
}

impl ObjectOfId for Versioned {
    fn of(&self, id: i64) -> Object {
        match self {
            Versioned::Registration => crate::audit::AuditObject::Registration(id),
            Versioned::Event => crate::audit::AuditObject::Event(id),
        }
        .into()
    }
}

impl ObjectOfId for &str {
    fn of(&self, id: i64) -> Object {
        format!("{self}:{id}").into()
    }
}

/// The acting caller with the audit row of a write of pupil data, for a service call that
/// commits the row with its change ([`verzuim_service::Caller::audited`]).
pub fn audited_write(
    audit: &Audit,
    acting: &Acting,
    object: impl Into<Object>,
    pupil: Option<(&str, &str)>,
) -> verzuim_service::Caller {
    acting
        .caller
        .audited(pupil_data_event(audit, acting, true, object, pupil).entry())
}

/// The audit row [`audit_pupil_data`] writes, to write in a store transaction instead (with
/// `tx.audit(event.entry())`, or a service call that takes an audit row).
pub fn pupil_data_event(
    audit: &Audit,
    acting: &Acting,
    write: bool,
    object: impl Into<Object>,
    pupil: Option<(&str, &str)>,
) -> AuditEvent {
    let mut event = audit
        .event(
            &acting.actor,
            if write {
                action::PUPIL_WRITE
            } else {
                action::PUPIL_READ
            },
        )
        .organisation(acting.org())
        .object(object);
    if let Some((school, pupil)) = pupil {
        event = event.pupil(school, pupil);
    }
    event
}

/// 400 naming the field, for a value outside a fixed list.
pub fn bad_value(field: &str, allowed: &[&str]) -> ApiError {
    ApiError::bad_request(
        "ongeldige_waarde",
        format!(
            "Ongeldige waarde voor '{field}'. Mogelijk: {}.",
            allowed.join(", ")
        ),
    )
    .with_field(field)
}

/// Checks an optional text's length.
pub fn check_opt(field: &str, value: Option<&str>, max: usize) -> ApiResult<()> {
    if let Some(v) = value {
        check_len(field, v, max)?;
    }
    Ok(())
}

/// What a change's re-evaluation did (ids of signals, cases and tasks).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct SyncOut {
    /// New signals, each with its own tasks.
    pub signals_new: Vec<i64>,
    /// New signals that only extended an open case of the same kind.
    pub signals_extended: Vec<i64>,
    /// Signals updated by a correction (minutes, period, evidence).
    pub signals_refreshed: Vec<i64>,
    /// Signals withdrawn: a correction removed their ground.
    pub signals_withdrawn: Vec<i64>,
    pub cases_opened: Vec<i64>,
    pub tasks_created: Vec<i64>,
    /// Open tasks marked `not_needed` with their withdrawn signal.
    pub tasks_not_needed: Vec<i64>,
}

impl From<verzuim_service::SyncReport> for SyncOut {
    fn from(r: verzuim_service::SyncReport) -> SyncOut {
        SyncOut {
            signals_new: r.inserted,
            signals_extended: r.extended,
            signals_refreshed: r.refreshed,
            signals_withdrawn: r.withdrawn,
            cases_opened: r.cases_opened,
            tasks_created: r.tasks_created,
            tasks_not_needed: r.tasks_not_needed,
        }
    }
}

/// The longest free text the workflow stores (a note, a reason, afspraken), as the service.
pub const TEXT_MAX: usize = 2000;

/// A change to a registration or event: its id, new version, and what the re-evaluation did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct VersionChanged {
    pub id: i64,
    pub version: i64,
    pub sync: SyncOut,
}

impl From<verzuim_service::Change> for VersionChanged {
    fn from(c: verzuim_service::Change) -> VersionChanged {
        VersionChanged {
            id: c.version.id,
            version: c.version.version,
            sync: c.sync.into(),
        }
    }
}
