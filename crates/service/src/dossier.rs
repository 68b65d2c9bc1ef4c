//! What the pupil dossier records besides tasks: that the parents were informed of an action
//! (outside a task), and that a letter was generated for a case (the case's timeline, entry
//! `brief`). Each call checks the caller and runs in one transaction.

use jiff::civil::Date;
use verzuim_store::service_queries::NewTimelineEntry;
use verzuim_store::{CaseId, NewParentInformation, Scope, Store};

use crate::caller::{Caller, JGZ_ROLES, LEERPLICHT_ROLES, SCHOOL_WORKFLOW_ROLES};
use crate::error::{Result, ServiceError};
use crate::tasks::ParentsInformed;
use crate::text::optional;

/// The school records when and how the parents were informed of an action in one of its cases
/// (a talk, a letter, a call), with an optional note. Returns the record's id.
pub async fn record_parents_informed(
    store: &Store,
    caller: &Caller,
    today: Date,
    case_id: CaseId,
    informed: ParentsInformed,
    note: Option<&str>,
) -> Result<i64> {
    caller.require_role(
        SCHOOL_WORKFLOW_ROLES,
        "vastleggen dat de ouders zijn geïnformeerd",
    )?;
    if informed.date > today {
        return Err(ServiceError::invalid(
            "de datum waarop de ouders zijn geïnformeerd ligt na vandaag",
        ));
    }
    let note = optional(note, "De toelichting")?;
    let mut tx = store.begin().await?;
    let case = tx
        .case(Scope::School(&caller.organisation), case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let id = tx
        .record_parent_information(
            &case.school_id,
            &case.pupil_id,
            &NewParentInformation {
                case_id: Some(case.id),
                task_id: None,
                informed_on: informed.date,
                how: informed.how,
                note,
            },
            caller.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records on a case's timeline that the caller generated a letter (entry `brief`, the detail
/// names the kind of letter). The case must be visible to the caller and the caller must act in
/// a workflow role (coordinator, leerplichtambtenaar, GGD-JGZ).
pub async fn record_letter(
    store: &Store,
    caller: &Caller,
    case_id: CaseId,
    detail: &str,
) -> Result<i64> {
    let roles: Vec<_> = SCHOOL_WORKFLOW_ROLES
        .iter()
        .chain(LEERPLICHT_ROLES)
        .chain(JGZ_ROLES)
        .copied()
        .collect();
    caller.require_role(&roles, "brieven maken")?;
    let mut tx = store.begin().await?;
    let scope = caller.scope(&mut tx).await?;
    tx.visible_case(scope, case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let id = tx
        .add_timeline(
            &NewTimelineEntry {
                case_id,
                entry: "brief".into(),
                signal_id: None,
                detail: Some(detail.to_owned()),
            },
            caller.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}
