//! Starting mid-year (issue 10.9; docs/workflow.md "7a. Starting mid-year: signals to review
//! after an import").
//!
//! A school that starts with verzuim in January imports its registrations since 1 August. The
//! card's actions of the signals those registrations raise were due long before (rules.md §7:
//! the melding of relatief verzuim within 5 working days), and the school may well have taken
//! them outside verzuim. So a signal an import raises **dated before the import's cut-off**
//! (`review_before`, by default the day of the import) is stored without a case and without
//! tasks, and waits "te beoordelen na import" ([`hold_new_signals`]). The coordinator decides per
//! signal ([`decide`]):
//!
//! - **buiten verzuim afgehandeld**: the school already handled it outside verzuim, on a date
//!   (not before the signal, not after today) with an optional note (refused with a signal about
//!   illness: the nature of an illness is never stored, rules.md §8). The signal stays as history:
//!   no case, no task, ever; a later re-evaluation finds it stored and leaves it (it is only
//!   withdrawn when its registrations change so that the rule no longer applies);
//! - **actie nodig**: the signal is placed now as a new signal would be (docs/workflow.md §2:
//!   it joins the open case of its chain or opens one; when that case still acts on its kind it
//!   only extends it), and its school tasks get the card's due dates **counted from the decision
//!   day** (the 5 working days of a melding start that day), so nothing is overdue on arrival.
//!
//! Both are audited with the request's row in the decision's transaction. A signal raised after
//! the cut-off (or by a registration made in the pages) follows the normal flow.

use std::collections::HashSet;

use jiff::civil::Date;
use serde::Serialize;
use verzuim_engine::calendar::add_working_days;
use verzuim_engine::model::{Party, SignalAction, SignalKind};
use verzuim_store::NewTimelineEntry;
use verzuim_store::import_review::{ImportReview, ReviewDecision, ReviewStatus};
use verzuim_store::{Actor, CaseId, SchoolSettings, Scope, SignalId, Store, TaskId, Tx};

use crate::caller::{Caller, SCHOOL_WORKFLOW_ROLES, SIGNAL_READ_ROLES};
use crate::cases::CaseForSignal;
use crate::error::{Result, ServiceError};
use crate::text::{date_nl, kind_label};

pub use verzuim_store::import_review::{ImportReview as ReviewItem, ReviewStatus as Status};

/// The longest note with a decision.
pub const MAX_NOTE: usize = 2000;

/// The coordinator's decision on a signal that waits after an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Already handled outside verzuim, on `handled_on`, with an optional note.
    HandledOutside {
        handled_on: Date,
        note: Option<String>,
    },
    /// Still needs action: the signal gets its case and tasks now.
    NeedsAction,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionOutcome {
    /// The signal with its decision, as stored.
    pub review: ImportReview,
    /// `actie nodig`: the case the signal was placed in.
    pub case_id: Option<CaseId>,
    /// `actie nodig`: a case was opened for it.
    pub case_opened: bool,
    /// `actie nodig`: the open case already acts on this kind; the signal only extended it.
    pub extended: bool,
    /// `actie nodig`: the school's tasks created, with due dates from the decision day.
    pub tasks_created: Vec<TaskId>,
}

type Key = (SignalKind, Date, Option<String>);

/// Before an import's re-evaluation of a pupil: stores every signal the evaluation raises that is
/// not stored yet and is dated before `review_before` without a case, held for review. The
/// re-evaluation that follows ([`crate::sync`]) then finds them stored and leaves them alone; the
/// later signals it places as usual. A stored signal of the same kind, date and stage is left to
/// the re-evaluation (it updates or replaces it as for any change).
pub(crate) async fn hold_new_signals(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    pupil_id: &str,
    settings: &SchoolSettings,
    review_before: Date,
) -> Result<Vec<SignalId>> {
    tx.lock_pupil(school_id, pupil_id).await?;
    let Some(current) = tx.current_record(school_id, pupil_id).await? else {
        return Ok(Vec::new());
    };
    let cards = crate::cards::CardHistory::of_school(tx, school_id, &settings.card_id).await?;
    let signals = crate::sync::evaluate_by_date(&cards, &settings.school, &current.record);
    let known: HashSet<Key> = tx
        .active_signals(Scope::School(school_id), school_id, pupil_id)
        .await?
        .into_iter()
        .map(|s| (s.kind, s.date, s.stage))
        .collect();
    let mut held = Vec::new();
    for signal in signals {
        if signal.date >= review_before
            || known.contains(&(signal.kind, signal.date, signal.stage.clone()))
        {
            continue;
        }
        let evidence = current.stored_evidence(&signal.evidence);
        let id = tx
            .insert_signal(school_id, pupil_id, &signal, &evidence, None)
            .await?;
        tx.hold_for_review(school_id, id, review_before, by).await?;
        held.push(id);
    }
    Ok(held)
}

/// The school's signals held after imports, waiting and decided (`status` narrows), by pupil and
/// date. The school's coordinator and beheerder.
pub async fn list(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    status: Option<ReviewStatus>,
) -> Result<Vec<ImportReview>> {
    caller.require_school(
        school_id,
        SIGNAL_READ_ROLES,
        "de signalen uit een import inzien",
    )?;
    let mut tx = store.connection().await?;
    Ok(tx.import_reviews(school_id, None, status).await?)
}

/// One pupil's held signals (the dossier shows what was decided). The school's roles that read
/// signals.
pub async fn of_pupil(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<Vec<ImportReview>> {
    caller.require_school(
        school_id,
        SIGNAL_READ_ROLES,
        "de signalen uit een import inzien",
    )?;
    let mut tx = store.connection().await?;
    Ok(tx.import_reviews(school_id, Some(pupil_id), None).await?)
}

/// How many held signals still wait (for the coordinator's inbox).
pub async fn pending_count(store: &Store, caller: &Caller, school_id: &str) -> Result<u64> {
    caller.require_school(
        school_id,
        SIGNAL_READ_ROLES,
        "de signalen uit een import inzien",
    )?;
    let mut tx = store.connection().await?;
    Ok(tx.pending_import_reviews(school_id).await?)
}

/// The coordinator decides on a held signal (see the module's text). Refused: another role
/// (`forbidden`); an unknown signal or another school's (`not_found`); a signal decided before
/// (`conflict`: a decision is made once); a withdrawn signal (`invalid`); a date of handling
/// before the signal or after today, or a note over [`MAX_NOTE`] characters (`invalid`).
pub async fn decide(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    signal_id: SignalId,
    decision: &Decision,
) -> Result<DecisionOutcome> {
    caller.require_school(
        school_id,
        SCHOOL_WORKFLOW_ROLES,
        "over signalen uit een import beslissen",
    )?;
    let mut tx = store.begin().await?;
    let review = tx
        .import_review(school_id, signal_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if review.status != ReviewStatus::TeBeoordelen {
        return Err(ServiceError::Conflict(format!(
            "over het signaal {} van {} is al beslist ({})",
            kind_label(review.kind),
            date_nl(review.date),
            review.status.label()
        )));
    }
    if !review.signal_active {
        return Err(ServiceError::invalid(format!(
            "het signaal {} van {} is ingetrokken: de registraties die het veroorzaakten zijn gewijzigd; er valt niets meer te beslissen",
            kind_label(review.kind),
            date_nl(review.date)
        )));
    }
    tx.lock_pupil(school_id, &review.pupil_id).await?;
    let by = caller.actor();
    let mut outcome = DecisionOutcome {
        review: review.clone(),
        case_id: None,
        case_opened: false,
        extended: false,
        tasks_created: Vec::new(),
    };
    let stored = match decision {
        Decision::HandledOutside { handled_on, note } => {
            let note = note.as_deref().map(str::trim).filter(|n| !n.is_empty());
            check_handled(&review, today, *handled_on, note)?;
            tx.decide_import_review(
                school_id,
                signal_id,
                &ReviewDecision {
                    status: ReviewStatus::BuitenVerzuimAfgehandeld,
                    decided_on: today,
                    handled_on: Some(*handled_on),
                    note,
                },
                by,
            )
            .await?
        }
        Decision::NeedsAction => {
            let stored = tx
                .decide_import_review(
                    school_id,
                    signal_id,
                    &ReviewDecision {
                        status: ReviewStatus::ActieNodig,
                        decided_on: today,
                        handled_on: None,
                        note: None,
                    },
                    by,
                )
                .await?;
            if stored {
                place_now(&mut tx, by, today, school_id, &review, &mut outcome).await?;
            }
            stored
        }
    };
    if !stored {
        return Err(ServiceError::Conflict(
            "over dit signaal is intussen al beslist".into(),
        ));
    }
    caller.write_audit(&mut tx).await?;
    outcome.review = tx
        .import_review(school_id, signal_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(outcome)
}

fn check_handled(
    review: &ImportReview,
    today: Date,
    handled_on: Date,
    note: Option<&str>,
) -> Result<()> {
    if handled_on > today {
        return Err(ServiceError::invalid(format!(
            "de datum van afhandeling ({}) ligt na vandaag ({})",
            date_nl(handled_on),
            date_nl(today)
        )));
    }
    if handled_on < review.date {
        return Err(ServiceError::invalid(format!(
            "de datum van afhandeling ({}) ligt vóór het signaal ({} van {}): een signaal wordt afgehandeld op of na de dag waarop het ontstond",
            date_nl(handled_on),
            kind_label(review.kind),
            date_nl(review.date)
        )));
    }
    if note.is_some() && review.kind.concerns_illness() {
        return Err(crate::records::no_note_on_illness(&format!(
            "de beslissing over het signaal {} van {}",
            kind_label(review.kind),
            date_nl(review.date)
        )));
    }
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(ServiceError::invalid(format!(
            "de toelichting is langer dan {MAX_NOTE} tekens"
        )));
    }
    Ok(())
}

/// A due date of the card counted again from `today`: the same number of working days after the
/// decision as the card gives after the signal's date (rules.md §7: "binnen 5 werkdagen").
pub fn due_from(signal_date: Date, due: Date, today: Date) -> Date {
    let mut n = 0;
    let mut d = signal_date;
    while d < due && n < 1000 {
        d = add_working_days(d, 1);
        n += 1;
    }
    add_working_days(today, n)
}

/// Places a held signal now, as [`crate::sync`] places a new one, with due dates from `today`.
async fn place_now(
    tx: &mut Tx,
    by: Actor,
    today: Date,
    school_id: &str,
    review: &ImportReview,
    outcome: &mut DecisionOutcome,
) -> Result<()> {
    let settings = crate::sync::settings(tx, school_id).await?;
    let signal = tx
        .active_signals(Scope::School(school_id), school_id, &review.pupil_id)
        .await?
        .into_iter()
        .find(|s| s.id == review.signal_id)
        .ok_or(ServiceError::NotFound)?;
    let placed = crate::cases::case_for_signal(
        tx,
        by,
        &settings,
        school_id,
        &review.pupil_id,
        &review.group,
        signal.kind,
        signal.stage.as_deref(),
        today,
    )
    .await?;
    let decided = format!("na de import beoordeeld op {}: actie nodig", date_nl(today));
    let case_id = match placed {
        CaseForSignal::Extends(case) => {
            tx.attach_signal_to_case(school_id, signal.id, case.id)
                .await?;
            tx.add_timeline(
                &NewTimelineEntry {
                    case_id: case.id,
                    entry: "uitgebreid".into(),
                    signal_id: Some(signal.id),
                    detail: Some(format!(
                        "Signaal {} van {} ({decided}): toegevoegd aan het open dossier; de open taken blijven staan",
                        kind_label(signal.kind),
                        date_nl(signal.date)
                    )),
                },
                by,
            )
            .await?;
            outcome.case_id = Some(case.id);
            outcome.extended = true;
            return Ok(());
        }
        CaseForSignal::Joins(case) => {
            tx.attach_signal_to_case(school_id, signal.id, case.id)
                .await?;
            tx.add_case_kind(school_id, &case, signal.kind).await?;
            case.id
        }
        CaseForSignal::Opens { open } => {
            let case_id = crate::cases::open_for_signal(
                tx,
                by,
                school_id,
                &review.pupil_id,
                &open,
                signal.kind,
                signal.date,
                today,
                Some(&decided),
            )
            .await?;
            tx.attach_signal_to_case(school_id, signal.id, case_id)
                .await?;
            outcome.case_opened = true;
            case_id
        }
    };
    tx.add_timeline(
        &NewTimelineEntry {
            case_id,
            entry: "signaal".into(),
            signal_id: Some(signal.id),
            detail: Some(format!(
                "Signaal {} van {} ({decided})",
                kind_label(signal.kind),
                date_nl(signal.date)
            )),
        },
        by,
    )
    .await?;
    let actions: Vec<SignalAction> = signal
        .actions
        .iter()
        .map(|a| SignalAction {
            due: match a.due {
                Some(due) if a.party == Party::School => {
                    Some(due_from(signal.date, due, today).max(today))
                }
                other => other,
            },
            ..a.clone()
        })
        .collect();
    outcome.tasks_created =
        crate::sync::school_tasks(tx, by, school_id, case_id, signal.id, &actions).await?;
    outcome.case_id = Some(case_id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_due_date_counts_again_from_the_decision_day() {
        // Signal Thursday 17-09-2026, due 5 working days later (Thursday 24-09-2026); decided
        // Monday 11-01-2027: due Monday 18-01-2027.
        assert_eq!(
            due_from(d("2026-09-17"), d("2026-09-24"), d("2027-01-11")),
            d("2027-01-18")
        );
        // Decided on a Friday: the weekend does not count.
        assert_eq!(
            due_from(d("2026-09-17"), d("2026-09-24"), d("2027-01-15")),
            d("2027-01-22")
        );
    }
}
