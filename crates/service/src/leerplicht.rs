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
use verzuim_store::NewTimelineEntry;
use verzuim_store::leerplicht_queries::{
    ConversationWith, LeerplichtAction, LeerplichtActionKind, NewLeerplichtAction,
};
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

/// What one recorded action of leerplicht can do for a card task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Does {
    /// A conversation with the parents; where the card adds "(en leerling vanaf 12 jaar)", from
    /// 12 on the day of the action also with the pupil (in one conversation or two).
    Gesprek,
    /// An action of this kind.
    Kind(LeerplichtActionKind),
}

/// One of leerplicht's card tasks: the card's words and the recorded actions that do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardTask {
    /// The card's words as the card file writes them (white space normalised).
    pub text: &'static str,
    /// The alternatives, each done by the actions it names ("… of …"). Empty: no recorded
    /// action does the task (leerplicht ticks it off, or another step closes it).
    pub done_by: &'static [Does],
}

/// Every task of the leerplicht column of the built-in cards (kaart Twente PO,
/// `cards/twente-po.toml`, and `cards/voorbeeld-mazl.toml`) and what recorded actions do it: the
/// one place that reads the card's prose. The test `every_leerplicht_card_task_is_mapped` fails
/// when a card's leerplicht text changes or is added without a row here. A task of another card
/// whose text is not here is never completed by recorded actions: leerplicht ticks it off.
pub const CARD_TASKS: &[CardTask] = &[
    // Relatief verzuim; overig verzuim ("aan de ouders"); te laat 6x (the card's order reversed).
    CardTask {
        text: "Gaat in gesprek met ouders (en leerling vanaf 12 jaar) of verstuurt een \
               waarschuwingsbrief aan ouders (kopie aan melder)",
        done_by: &[
            Does::Gesprek,
            Does::Kind(LeerplichtActionKind::Waarschuwingsbrief),
        ],
    },
    CardTask {
        text: "Gaat in gesprek met ouders (en leerling vanaf 12 jaar) of verstuurt een \
               waarschuwingsbrief aan de ouders (kopie aan melder)",
        done_by: &[
            Does::Gesprek,
            Does::Kind(LeerplichtActionKind::Waarschuwingsbrief),
        ],
    },
    CardTask {
        text: "Verstuurt een waarschuwingsbrief aan de ouders (kopie aan melder) of gaat in \
               gesprek met ouders (en leerling vanaf 12 jaar)",
        done_by: &[
            Does::Kind(LeerplichtActionKind::Waarschuwingsbrief),
            Does::Gesprek,
        ],
    },
    // Luxe verzuim: "Roept ouders op voor een gesprek/proces-verbaal."
    CardTask {
        text: "Roept ouders op voor een gesprek/proces-verbaal.",
        done_by: &[
            Does::Gesprek,
            Does::Kind(LeerplichtActionKind::ProcesVerbaal),
        ],
    },
    // Te laat, meer dan 10x and bij herhaling.
    CardTask {
        text: "Roept de ouders (en leerling vanaf 12 jaar) op voor een gesprek (kopie aan melder)",
        done_by: &[Does::Gesprek],
    },
    CardTask {
        text: "Geeft een verwijzing zorg of een formele waarschuwing",
        done_by: &[
            Does::Kind(LeerplichtActionKind::VerwijzingZorg),
            Does::Kind(LeerplichtActionKind::OfficieleWaarschuwing),
        ],
    },
    CardTask {
        text: "Geeft een verwijzing zorg, of maakt eventueel een proces-verbaal op",
        done_by: &[
            Does::Kind(LeerplichtActionKind::VerwijzingZorg),
            Does::Kind(LeerplichtActionKind::ProcesVerbaal),
        ],
    },
    CardTask {
        text: "Eventueel verwijzing HALT (vanaf 12 jaar)",
        done_by: &[Does::Kind(LeerplichtActionKind::Halt)],
    },
    // Ziekte > 2 weken, 3e ziekmelding, zorg om ziekte.
    CardTask {
        text: "Indien nodig oproepen voor een gesprek (koppelt afspraken terug aan school en \
               GGD-JGZ)",
        done_by: &[Does::Gesprek],
    },
    // Tasks no recorded action does: an investigation, taking the melding up (its status),
    // afspraken (recorded with the melding), the prikactie (its own page), the school's register.
    CardTask {
        text: "Doet onderzoek naar reden geen schoolinschrijving",
        done_by: &[],
    },
    CardTask {
        text: "Neemt de melding in behandeling en stemt af met onderwijs en ouders welke acties \
               nodig zijn",
        done_by: &[],
    },
    CardTask {
        text: "Luxe verzuimacties; prikacties rondom schoolvakanties ter controle luxeverzuim",
        done_by: &[],
    },
    CardTask {
        text: "Koppelt afspraken terug aan melder",
        done_by: &[],
    },
    CardTask {
        text: "Registreert verwijdering in het leerlingendossier",
        done_by: &[],
    },
];

/// The card task a task's text was made from, and whether the text includes the pupil (the
/// card's "(en leerling vanaf 12 jaar)" as written, or rendered for a pupil of 12 or older).
/// Tasks carry the card's text rendered for the pupil's age ([`render_text`]), so each row is
/// compared as written and in both renderings.
pub fn card_task(text: &str) -> Option<(&'static CardTask, bool)> {
    use std::sync::LazyLock;
    use verzuim_engine::card::{builtin, render_text};
    static RENDERED: LazyLock<Vec<(String, &'static CardTask, bool)>> = LazyLock::new(|| {
        let card = builtin("twente-po").expect("the built-in Twente card");
        let from = card
            .pupil_phrase
            .as_ref()
            .map_or(HALT_MIN_AGE, |p| p.from_age);
        let phrase = card.pupil_phrase.as_ref().map(|p| p.text.clone());
        CARD_TASKS
            .iter()
            .flat_map(|t| {
                let text = t.text.split_whitespace().collect::<Vec<_>>().join(" ");
                let has = phrase.as_ref().is_some_and(|p| text.contains(p.as_str()));
                [
                    (render_text(&card, &text, from), t, has),
                    (render_text(&card, &text, 0), t, false),
                    (text, t, has),
                ]
            })
            .collect()
    });
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    RENDERED
        .iter()
        .find(|(t, _, _)| *t == text)
        .map(|(_, task, pupil)| (*task, *pupil))
}

/// Whether the recorded actions together do what the card task with this text says
/// ([`CARD_TASKS`]); `age` is the pupil's age on the day of the action.
pub fn task_done_by(text: &str, actions: &[LeerplichtAction], age: u8) -> bool {
    let Some((task, with_pupil)) = card_task(text) else {
        return false;
    };
    let talked = |with: &[ConversationWith]| {
        actions.iter().any(|a| {
            a.kind == LeerplichtActionKind::Gesprek
                && a.with_whom.is_some_and(|w| with.contains(&w))
        })
    };
    task.done_by.iter().any(|d| match d {
        Does::Gesprek => {
            talked(&[ConversationWith::Ouders, ConversationWith::OudersEnLeerling])
                && (!with_pupil
                    || age < HALT_MIN_AGE
                    || talked(&[
                        ConversationWith::Leerling,
                        ConversationWith::OudersEnLeerling,
                    ]))
        }
        Does::Kind(k) => actions.iter().any(|a| a.kind == *k),
    })
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

/// The number of meldingen in the whole list of [`list_meldingen`] and the page of it that
/// `page_of` chooses for that number (a page beyond the last can become the last; the web
/// page's pages, issue 13.3), read on one connection.
pub async fn list_meldingen_counted(
    store: &Store,
    caller: &Caller,
    today: Date,
    status: Option<MeldingStatus>,
    page_of: impl FnOnce(u64) -> Page,
) -> Result<(Vec<Melding>, u64)> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let total = tx.meldingen_count(scope, status).await?;
    let list = tx
        .meldingen_by_urgency(scope, today, status, page_of(total))
        .await?;
    Ok((list, total))
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

    /// Every leerplicht task of the built-in cards has its row in [`CARD_TASKS`], as written
    /// and as rendered for a pupil below and from 12; and no row is left over. Fails when a
    /// card's text changes without the mapping.
    #[test]
    fn every_leerplicht_card_task_is_mapped() {
        use verzuim_engine::card::{BUILTIN, builtin, render_text};
        let mut used = std::collections::BTreeSet::new();
        for (id, _) in BUILTIN {
            let card = builtin(id).unwrap();
            for row in card.rules.all_rows() {
                for a in row.actions.iter().filter(|a| a.party == Party::Leerplicht) {
                    for text in [
                        a.text.clone(),
                        render_text(&card, &a.text, 8),
                        render_text(&card, &a.text, 14),
                    ] {
                        let (task, _) = card_task(&text).unwrap_or_else(|| {
                            panic!("{id}, {}: \"{text}\" has no row in CARD_TASKS", row.title)
                        });
                        used.insert(task.text);
                    }
                }
            }
        }
        for t in CARD_TASKS {
            assert!(
                used.contains(t.text),
                "CARD_TASKS row no card has: {}",
                t.text
            );
        }
        // The pupil counts where the card names them, from 12.
        let talk =
            "Roept de ouders (en leerling vanaf 12 jaar) op voor een gesprek (kopie aan melder)";
        let card = builtin("twente-po").unwrap();
        assert!(card_task(&render_text(&card, talk, 14)).unwrap().1);
        assert!(!card_task(&render_text(&card, talk, 8)).unwrap().1);
        assert!(card_task("Gaat naar de maan").is_none());
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
