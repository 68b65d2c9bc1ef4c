//! The leerplichtambtenaar's own work on a melding to its municipality: the meldingen in order of
//! urgency, and the actions of the card's leerplicht column — a conversation (with the parents,
//! the pupil, the school or someone else), a warning letter to the parents, a formal warning
//! (officiële waarschuwing), a HALT referral (only for a pupil of 12 or older on that day) and a
//! proces-verbaal.
//!
//! Recording an action also completes the municipality's card tasks of the melding that the
//! recorded actions together do ([`task_done_by`]; issue 11).
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
use crate::text::{date_nl, optional, reasons, required};
use verzuim_engine::model::Party;
use verzuim_store::TaskStatus;

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
    /// (gesprek) and a warning letter (brief); required for a formal warning, a HALT referral, a
    /// proces-verbaal and a verwijzing zorg.
    pub parents_informed: Option<InformedHow>,
    /// A verwijzing zorg: the organisation the pupil or family is referred to (required there;
    /// kaart Twente PO, "* TE LAAT KOMEN": "Geeft een verwijzing zorg").
    #[serde(default)]
    pub referred_to: Option<String>,
}

/// Dutch, for people.
pub fn kind_label(kind: LeerplichtActionKind) -> &'static str {
    match kind {
        LeerplichtActionKind::Gesprek => "gesprek",
        LeerplichtActionKind::Waarschuwingsbrief => "waarschuwingsbrief",
        LeerplichtActionKind::OfficieleWaarschuwing => "officiële waarschuwing",
        LeerplichtActionKind::Halt => "HALT-verwijzing",
        LeerplichtActionKind::ProcesVerbaal => "proces-verbaal",
        LeerplichtActionKind::VerwijzingZorg => "verwijzing zorg",
    }
}

/// Dutch, for people.
pub fn with_label(with: ConversationWith) -> &'static str {
    match with {
        ConversationWith::Ouders => "ouders",
        ConversationWith::Leerling => "leerling",
        ConversationWith::OudersEnLeerling => "ouders en leerling",
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
        // The organisation stays with leerplicht: the school sees that a referral was given.
        LeerplichtActionKind::VerwijzingZorg => {
            format!("Leerplicht: verwijzing zorg gegeven op {on}")
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
    let referred_to = match input.kind {
        LeerplichtActionKind::VerwijzingZorg => Some(required(
            input.referred_to.as_deref().unwrap_or_default(),
            "De organisatie waarnaar is verwezen",
        )?),
        _ => None,
    };
    let parents_how = match (input.kind, with_whom) {
        (
            LeerplichtActionKind::Gesprek,
            Some(ConversationWith::Ouders | ConversationWith::OudersEnLeerling),
        ) => Some(InformedHow::Gesprek),
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
                referred_to,
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
    // The card's tasks of this melding that the recorded actions together now do.
    let age = {
        let pupil = tx
            .pupil(scope, &melding.school_id, &melding.pupil_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        age_on(pupil.data.pupil.birth_date, input.date)
    };
    let done = tx.leerplicht_actions(scope, melding_id).await?;
    for task in tx.open_tasks_of_melding(melding_id).await? {
        if task.party == Party::Leerplicht
            && task.organisation_id == caller.organisation
            && task_done_by(&task.text, &done, age)
        {
            tx.set_task_status_if(
                &task.organisation_id,
                task.id,
                TaskStatus::Open,
                TaskStatus::Done,
                Some(reasons::DONE_BY_ACTIONS),
                by,
            )
            .await?;
        }
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// One thing a card task asks of leerplicht.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// A conversation with the parents (alone or with the pupil).
    Ouders,
    /// A conversation with the pupil (alone or with the parents).
    Leerling,
    Kind(LeerplichtActionKind),
}

/// What a card task of leerplicht asks, as alternatives of things that together do it (kaart
/// Twente PO, the leerplicht column): "Gaat in gesprek met ouders (en leerling vanaf 12 jaar) of
/// verstuurt een waarschuwingsbrief aan ouders" (relatief verzuim, overig verzuim, 10 x te laat);
/// "Roept ouders op voor een gesprek/proces-verbaal" (luxe verzuim); "Roept de ouders (en leerling
/// vanaf 12 jaar) op voor een gesprek" (meer dan 10 x te laat, bij herhaling); "Geeft een
/// verwijzing zorg of een formele waarschuwing" (meer dan 10 x); "Geeft een verwijzing zorg, of
/// maakt eventueel een proces-verbaal op" (bij herhaling); "Eventueel verwijzing HALT"; "Indien
/// nodig oproepen voor een gesprek" (ziekte rows). The card's "(en leerling vanaf 12 jaar)"
/// counts from 12 on the day of the action: then both the parents and the pupil, in one
/// conversation or two. Other tasks (afspraken, in behandeling nemen, onderzoek) are not done by
/// an action here.
fn needs(text: &str, age: u8) -> Vec<Vec<Need>> {
    let t = text.to_lowercase();
    let with_pupil = age >= HALT_MIN_AGE
        && (t.contains("en leerling vanaf 12") || t.contains("ouders en leerling"));
    let talk = || {
        if with_pupil {
            vec![Need::Ouders, Need::Leerling]
        } else {
            vec![Need::Ouders]
        }
    };
    let mut alts = Vec::new();
    if t.contains("in gesprek met ouders")
        || t.contains("voor een gesprek")
        || t.contains("oproepen voor een gesprek")
    {
        alts.push(talk());
    }
    for (words, kind) in [
        (
            "waarschuwingsbrief",
            LeerplichtActionKind::Waarschuwingsbrief,
        ),
        ("verwijzing zorg", LeerplichtActionKind::VerwijzingZorg),
        (
            "formele waarschuwing",
            LeerplichtActionKind::OfficieleWaarschuwing,
        ),
        ("proces-verbaal", LeerplichtActionKind::ProcesVerbaal),
        ("verwijzing halt", LeerplichtActionKind::Halt),
    ] {
        if t.contains(words) {
            alts.push(vec![Need::Kind(kind)]);
        }
    }
    alts
}

/// Whether the recorded actions together do what the card task says ([`needs`]).
pub fn task_done_by(text: &str, actions: &[LeerplichtAction], age: u8) -> bool {
    let met = |n: Need| {
        actions.iter().any(|a| match n {
            Need::Ouders => {
                a.kind == LeerplichtActionKind::Gesprek
                    && matches!(
                        a.with_whom,
                        Some(ConversationWith::Ouders | ConversationWith::OudersEnLeerling)
                    )
            }
            Need::Leerling => {
                a.kind == LeerplichtActionKind::Gesprek
                    && matches!(
                        a.with_whom,
                        Some(ConversationWith::Leerling | ConversationWith::OudersEnLeerling)
                    )
            }
            Need::Kind(k) => a.kind == k,
        })
    };
    needs(text, age)
        .iter()
        .any(|alt| alt.iter().all(|n| met(*n)))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: LeerplichtActionKind, with: Option<ConversationWith>) -> LeerplichtAction {
        LeerplichtAction {
            id: 1,
            melding_id: 1,
            municipality: "GM0153".into(),
            kind,
            date: "2026-10-01".parse().unwrap(),
            with_whom: with,
            summary: None,
            parents_how: None,
            referred_to: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            created_by: "user:1".into(),
        }
    }

    /// Kaart Twente PO, leerplicht's column: which recorded actions together do a task.
    #[test]
    fn actions_together_do_the_cards_task() {
        use ConversationWith::*;
        use LeerplichtActionKind::*;
        let talk_or_letter = "Gaat in gesprek met ouders (en leerling vanaf 12 jaar) of \
                              verstuurt een waarschuwingsbrief aan ouders (kopie aan melder)";
        let ouders = action(Gesprek, Some(Ouders));
        let leerling = action(Gesprek, Some(Leerling));
        let samen = action(Gesprek, Some(OudersEnLeerling));
        let brief = action(Waarschuwingsbrief, None);
        let school = action(Gesprek, Some(School));
        // Under 12: the parents suffice; from 12 both, in one conversation or two.
        assert!(task_done_by(
            talk_or_letter,
            std::slice::from_ref(&ouders),
            11
        ));
        assert!(!task_done_by(
            talk_or_letter,
            std::slice::from_ref(&ouders),
            12
        ));
        assert!(!task_done_by(
            talk_or_letter,
            std::slice::from_ref(&leerling),
            12
        ));
        assert!(task_done_by(
            talk_or_letter,
            &[ouders.clone(), leerling.clone()],
            12
        ));
        assert!(task_done_by(
            talk_or_letter,
            std::slice::from_ref(&samen),
            14
        ));
        assert!(task_done_by(
            talk_or_letter,
            std::slice::from_ref(&brief),
            14
        ));
        assert!(!task_done_by(
            talk_or_letter,
            std::slice::from_ref(&school),
            9
        ));
        // The rendered text from 12 ("ouders en leerling") asks the same.
        let rendered = "Gaat in gesprek met ouders en leerling of verstuurt een \
                        waarschuwingsbrief aan ouders (kopie aan melder)";
        assert!(!task_done_by(rendered, std::slice::from_ref(&ouders), 13));
        assert!(task_done_by(rendered, std::slice::from_ref(&samen), 13));
        // Verwijzing zorg or a formal warning; or a proces-verbaal.
        let zorg = "Geeft een verwijzing zorg of een formele waarschuwing";
        assert!(task_done_by(zorg, &[action(VerwijzingZorg, None)], 10));
        assert!(task_done_by(
            zorg,
            &[action(OfficieleWaarschuwing, None)],
            10
        ));
        assert!(!task_done_by(zorg, std::slice::from_ref(&brief), 10));
        let pv = "Geeft een verwijzing zorg, of maakt eventueel een proces-verbaal op";
        assert!(task_done_by(pv, &[action(ProcesVerbaal, None)], 10));
        // Luxe verzuim: "Roept ouders op voor een gesprek/proces-verbaal."
        let luxe = "Roept ouders op voor een gesprek/proces-verbaal.";
        assert!(task_done_by(luxe, std::slice::from_ref(&ouders), 10));
        assert!(task_done_by(luxe, &[action(ProcesVerbaal, None)], 10));
        assert!(!task_done_by(luxe, std::slice::from_ref(&brief), 10));
        assert!(task_done_by(
            "Eventueel verwijzing HALT (vanaf 12 jaar)",
            &[action(Halt, None)],
            12
        ));
        // Tasks no action does.
        for text in [
            "Koppelt afspraken terug aan melder",
            "Neemt de melding in behandeling en stemt af met onderwijs en ouders welke acties \
             nodig zijn",
            "Doet onderzoek naar reden geen schoolinschrijving",
        ] {
            assert!(
                !task_done_by(text, &[ouders.clone(), brief.clone(), samen.clone()], 14),
                "{text}"
            );
        }
    }
}
