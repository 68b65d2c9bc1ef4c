//! The leerplichtambtenaar's own work on a melding to its municipality: the meldingen in order of
//! urgency, and the actions of the card's leerplicht column — a conversation (with the parents,
//! the pupil, the school or someone else), a warning letter to the parents, a formal warning
//! (officiële waarschuwing), a HALT referral (only for a pupil of 12 or older on that day) and a
//! proces-verbaal.
//!
//! Recording an action is one transaction: the action (its own table, only ever added to: the
//! history of the melding's handling), a line on the case timeline (`leerplicht_<kind>`, which the
//! school sees, without leerplicht's summary), and, when the action informed the parents, when
//! and how (parents' information, as every action of the card records it). Only while the
//! melding is `in_behandeling`.
//!
//! **Urgency** of the meldingen list (docs/workflow.md §3): first the meldingen not yet taken up
//! (`geregistreerd`), then those in behandeling with an overdue open task of the municipality,
//! then the other ones in behandeling, then the final ones; within each class the newest first.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use verzuim_engine::evaluation::age_on;
use verzuim_store::leerplicht_queries::{
    ConversationWith, LeerplichtAction, LeerplichtActionKind, NewLeerplichtAction,
};
use verzuim_store::service_queries::NewTimelineEntry;
use verzuim_store::{
    InformedHow, Melding, MeldingId, MeldingStatus, NewParentInformation, Page, Scope, Store,
};

use crate::caller::{Caller, LEERPLICHT_ROLES};
use crate::error::{Result, ServiceError};
use crate::text::{date_nl, optional, required};

/// The age from which a pupil can be referred to HALT.
pub const HALT_MIN_AGE: u8 = 12;

/// What the leerplichtambtenaar records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionInput {
    pub kind: LeerplichtActionKind,
    /// The day it happened (not after today).
    pub date: Date,
    /// A conversation's partner (required for `gesprek`).
    pub with_whom: Option<ConversationWith>,
    /// A conversation's summary (required for `gesprek`), a note for the other actions.
    pub summary: Option<String>,
    /// How the parents were informed, on `date`. Implied for a conversation with the parents
    /// (gesprek) and a warning letter (brief); required for a formal warning, a HALT referral and
    /// a proces-verbaal.
    pub parents_informed: Option<InformedHow>,
}

/// Dutch, for people.
pub fn kind_label(kind: LeerplichtActionKind) -> &'static str {
    match kind {
        LeerplichtActionKind::Gesprek => "gesprek",
        LeerplichtActionKind::Waarschuwingsbrief => "waarschuwingsbrief",
        LeerplichtActionKind::OfficieleWaarschuwing => "officiële waarschuwing",
        LeerplichtActionKind::Halt => "HALT-verwijzing",
        LeerplichtActionKind::ProcesVerbaal => "proces-verbaal",
    }
}

/// Dutch, for people.
pub fn with_label(with: ConversationWith) -> &'static str {
    match with {
        ConversationWith::Ouders => "ouders",
        ConversationWith::Leerling => "leerling",
        ConversationWith::School => "school",
        ConversationWith::Anders => "anderen",
    }
}

/// The timeline's line for an action (what the school sees: no summary).
fn timeline_detail(input: &ActionInput) -> String {
    let on = date_nl(input.date);
    match input.kind {
        LeerplichtActionKind::Gesprek => format!(
            "Leerplicht: gesprek met {} op {on}",
            input.with_whom.map_or("anderen", with_label)
        ),
        LeerplichtActionKind::Waarschuwingsbrief => {
            format!("Leerplicht: waarschuwingsbrief aan de ouders verstuurd op {on}")
        }
        LeerplichtActionKind::OfficieleWaarschuwing => {
            format!("Leerplicht: officiële waarschuwing gegeven op {on}")
        }
        LeerplichtActionKind::Halt => format!("Leerplicht: verwezen naar HALT op {on}"),
        LeerplichtActionKind::ProcesVerbaal => {
            format!("Leerplicht: proces-verbaal opgemaakt op {on}")
        }
    }
}

/// Records an action of the caller's municipality on a melding to it (see the module's
/// documentation). Returns the action's id.
pub async fn record_action(
    store: &Store,
    caller: &Caller,
    today: Date,
    melding_id: MeldingId,
    input: &ActionInput,
) -> Result<i64> {
    caller.require_role(LEERPLICHT_ROLES, "acties van leerplicht vastleggen")?;
    if input.date > today {
        return Err(ServiceError::invalid(format!(
            "de datum ({}) ligt na vandaag",
            date_nl(input.date)
        )));
    }
    let summary = match input.kind {
        LeerplichtActionKind::Gesprek => {
            if input.with_whom.is_none() {
                return Err(ServiceError::invalid(
                    "kies met wie het gesprek was (ouders, leerling, school of anders)",
                ));
            }
            Some(required(
                input.summary.as_deref().unwrap_or_default(),
                "De samenvatting van het gesprek",
            )?)
        }
        _ => optional(input.summary.as_deref(), "De toelichting")?,
    };
    let with_whom = match input.kind {
        LeerplichtActionKind::Gesprek => input.with_whom,
        _ => None,
    };
    let parents_how = match (input.kind, with_whom) {
        (LeerplichtActionKind::Gesprek, Some(ConversationWith::Ouders)) => {
            Some(InformedHow::Gesprek)
        }
        (LeerplichtActionKind::Gesprek, _) => input.parents_informed,
        (LeerplichtActionKind::Waarschuwingsbrief, _) => Some(InformedHow::Brief),
        (kind, _) => Some(input.parents_informed.ok_or_else(|| {
            ServiceError::invalid(format!(
                "leg vast hoe de ouders over de {} zijn geïnformeerd",
                kind_label(kind)
            ))
        })?),
    };
    let scope = Scope::Municipality(&caller.organisation);
    let by = caller.actor();
    let mut tx = store.begin().await?;
    let melding = tx
        .melding(scope, melding_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if melding.status != MeldingStatus::InBehandeling {
        return Err(ServiceError::invalid(match melding.status {
            MeldingStatus::Geregistreerd => {
                "neem de melding eerst in behandeling: acties horen bij een melding in behandeling"
            }
            _ => "de melding is niet meer in behandeling: er kunnen geen acties meer bij",
        }));
    }
    if input.kind == LeerplichtActionKind::Halt {
        let pupil = tx
            .pupil(scope, &melding.school_id, &melding.pupil_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let age = age_on(pupil.data.pupil.birth_date, input.date);
        if age < HALT_MIN_AGE {
            return Err(ServiceError::invalid(format!(
                "verwijzen naar HALT kan pas vanaf {HALT_MIN_AGE} jaar: de leerling is op {} \
                 {age} jaar",
                date_nl(input.date)
            )));
        }
    }
    let id = tx
        .add_leerplicht_action(
            &caller.organisation,
            &NewLeerplichtAction {
                melding_id,
                kind: input.kind,
                date: input.date,
                with_whom,
                summary,
                parents_how,
            },
            by,
        )
        .await?;
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: melding.case_id,
            entry: format!("leerplicht_{}", input.kind.as_str()),
            signal_id: None,
            detail: Some(timeline_detail(input)),
        },
        by,
    )
    .await?;
    if let Some(how) = parents_how {
        tx.record_parent_information(
            &melding.school_id,
            &melding.pupil_id,
            &NewParentInformation {
                case_id: Some(melding.case_id),
                task_id: None,
                informed_on: input.date,
                how,
                note: Some(format!("Leerplicht: {}", kind_label(input.kind))),
            },
            by,
        )
        .await?;
        crate::mail::to_parents(
            &mut tx,
            &melding.school_id,
            &melding.pupil_id,
            crate::mail::ParentNews::LeerplichtAction,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The actions on a melding to the caller's municipality, in the order they happened (with
/// leerplicht's summaries: the municipality's own; a school sees the timeline lines).
pub async fn actions(
    store: &Store,
    caller: &Caller,
    melding_id: MeldingId,
) -> Result<Vec<LeerplichtAction>> {
    caller.require_role(LEERPLICHT_ROLES, "de acties van leerplicht lezen")?;
    let scope = Scope::Municipality(&caller.organisation);
    let mut tx = store.connection().await?;
    tx.melding(scope, melding_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(tx.leerplicht_actions(scope, melding_id).await?)
}

/// The meldingen the caller's organisation may see (leerplicht: those to its municipality; a
/// school: its own), optionally of one status, most urgent first (see the module's
/// documentation; `today` decides what is overdue).
pub async fn list_meldingen(
    store: &Store,
    caller: &Caller,
    today: Date,
    status: Option<MeldingStatus>,
    page: Page,
) -> Result<Vec<Melding>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.meldingen_by_urgency(scope, today, status, page).await?)
}
