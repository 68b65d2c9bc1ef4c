//! What the pupil dossier records besides tasks: that the parents were informed of an action
//! (outside a task), and the letters made for a case (stored as made, and on the case's
//! timeline, entry `brief`). Each call checks the caller and runs in one transaction.

use jiff::civil::Date;
use verzuim_store::NewTimelineEntry;
use verzuim_store::letters::{NewLetter, StoredLetter};
use verzuim_store::{AuditEntry, CaseId, NewParentInformation, Scope, Store};

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
    crate::mail::to_parents(
        &mut tx,
        &case.school_id,
        &case.pupil_id,
        crate::mail::ParentNews::SchoolAction,
    )
    .await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// Stores a letter the caller made for a case (the PDF and text as made, see
/// [`verzuim_store::letters`]) and records it on the case's timeline (entry `brief`, the detail
/// names the kind of letter), in one transaction. The case must be visible to the caller and the
/// caller must act in a workflow role (coordinator, leerplichtambtenaar, GGD-JGZ). Returns the
/// letter's id.
pub async fn record_letter(
    store: &Store,
    caller: &Caller,
    letter: &NewLetter,
    detail: &str,
) -> Result<i64> {
    record_letter_audited(store, caller, letter, detail, None).await
}

/// The audit row of a write, made from the id of what it stored (known only then).
pub type AuditRowOf<'a> = &'a (dyn Fn(i64) -> AuditEntry + Send + Sync);

/// [`record_letter`], with the request's audit row (made from the letter's id) committed in the
/// same transaction as the letter (both commit, or neither does).
pub async fn record_letter_audited(
    store: &Store,
    caller: &Caller,
    letter: &NewLetter,
    detail: &str,
    audit: Option<AuditRowOf<'_>>,
) -> Result<i64> {
    require_letter_role(caller)?;
    if letter.organisation_id != caller.organisation {
        return Err(ServiceError::forbidden(
            "een brief hoort bij de organisatie die hem maakt",
        ));
    }
    let mut tx = store.begin().await?;
    let scope = caller.scope(&mut tx).await?;
    let case = tx
        .visible_case(scope, letter.case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let id = tx.add_letter(letter, caller.actor()).await?;
    crate::mail::to_parents(
        &mut tx,
        &case.school_id,
        &case.pupil_id,
        crate::mail::ParentNews::Letter,
    )
    .await?;
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: letter.case_id,
            entry: "brief".into(),
            signal_id: None,
            detail: Some(detail.to_owned()),
        },
        caller.actor(),
    )
    .await?;
    if let Some(a) = audit {
        tx.audit(&a(id)).await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn require_letter_role(caller: &Caller) -> Result<()> {
    let roles: Vec<_> = SCHOOL_WORKFLOW_ROLES
        .iter()
        .chain(LEERPLICHT_ROLES)
        .chain(JGZ_ROLES)
        .copied()
        .collect();
    caller.require_role(&roles, "brieven maken")
}

/// The letters the caller's organisation made for a case it can see, oldest first.
pub async fn letters(store: &Store, caller: &Caller, case_id: CaseId) -> Result<Vec<StoredLetter>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    tx.visible_case(scope, case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(tx.case_letters(&caller.organisation, case_id).await?)
}

/// One letter the caller's organisation made, with its PDF and text, while its case is visible
/// to the caller. Reads only.
pub async fn letter(
    store: &Store,
    caller: &Caller,
    case_id: CaseId,
    letter_id: i64,
) -> Result<(StoredLetter, Vec<u8>, String)> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    tx.visible_case(scope, case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.letter_file(&caller.organisation, letter_id)
        .await?
        .filter(|(l, _, _)| l.case_id == case_id)
        .ok_or(ServiceError::NotFound)
}

/// The school's reports of a case: its report of a removal to the Onderwijsinspectie and its
/// consultations with the samenwerkingsverband (issue 11), for the school only
/// ([`crate::visibility::rules::school_report`]); another organisation gets an empty list.
pub async fn school_reports(
    store: &Store,
    caller: &Caller,
    case_id: CaseId,
) -> Result<Vec<verzuim_store::school_reports::SchoolReport>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let Some(case) = tx.case(scope, case_id).await? else {
        return Err(ServiceError::NotFound);
    };
    let sight = crate::visibility::rules::Sight::new(scope, &[]);
    if !crate::visibility::rules::school_report(&sight, &case.school_id) {
        return Ok(Vec::new());
    }
    Ok(tx.school_reports(&case.school_id, case_id).await?)
}
