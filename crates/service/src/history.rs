//! A school's records as the school reads them through the API: the versions of a registration
//! or event (with the reasons of corrections), which pupil a registration or event belongs to,
//! and the signals of the school or of one pupil. Each read is the caller's own school's (the
//! caller's organisation must be the school: [`ServiceError::NotFound`] otherwise, as for what
//! does not exist).

use verzuim_store::{
    EventId, Page, RegistrationId, SignalStatus, Store, StoredEvent, StoredRegistration,
    StoredSignal,
};

use crate::caller::Caller;
use crate::error::{Result, ServiceError};

/// The versions of a registration, oldest first, with the reasons given for corrections
/// (version, reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationHistory {
    pub versions: Vec<StoredRegistration>,
    pub reasons: Vec<(i64, String)>,
}

fn own_school(caller: &Caller, school_id: &str) -> Result<()> {
    if caller.organisation == school_id {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The pupil (pupil number) a registration of the caller's school belongs to.
pub async fn pupil_of_registration(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    id: RegistrationId,
) -> Result<Option<String>> {
    own_school(caller, school_id)?;
    let mut tx = store.connection().await?;
    Ok(tx.pupil_of_registration(school_id, id).await?)
}

/// The pupil (pupil number) an event of the caller's school belongs to.
pub async fn pupil_of_event(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    id: EventId,
) -> Result<Option<String>> {
    own_school(caller, school_id)?;
    let mut tx = store.connection().await?;
    Ok(tx.pupil_of_event(school_id, id).await?)
}

/// The versions of a registration of the caller's school, with the reasons of corrections.
pub async fn registration_history(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    id: RegistrationId,
) -> Result<RegistrationHistory> {
    own_school(caller, school_id)?;
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let versions = tx.registration_history(scope, id).await?;
    let reasons = if versions.is_empty() {
        Vec::new()
    } else {
        tx.correction_reasons(id).await?
    };
    Ok(RegistrationHistory { versions, reasons })
}

/// The versions of an event, oldest first, with the reasons given for corrections
/// (version, reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHistory {
    pub versions: Vec<StoredEvent>,
    pub reasons: Vec<(i64, String)>,
}

/// The versions of an event of the caller's school, with the reasons of corrections.
pub async fn event_history(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    id: EventId,
) -> Result<EventHistory> {
    own_school(caller, school_id)?;
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let versions = tx.event_history(scope, id).await?;
    let reasons = if versions.is_empty() {
        Vec::new()
    } else {
        tx.event_correction_reasons(id).await?
    };
    Ok(EventHistory { versions, reasons })
}

/// The signals of the caller's organisation, newest first (optionally of one status).
pub async fn signals(
    store: &Store,
    caller: &Caller,
    status: Option<SignalStatus>,
    page: Page,
) -> Result<Vec<StoredSignal>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.list_signals(scope, status, page).await?)
}

/// Every signal of a pupil of the caller's school (active and withdrawn), oldest first.
pub async fn pupil_signals(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<Vec<StoredSignal>> {
    own_school(caller, school_id)?;
    let mut tx = store.connection().await?;
    Ok(tx.pupil_signals(school_id, pupil_id).await?)
}
