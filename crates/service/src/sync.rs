//! Re-evaluation of one pupil and synchronisation of the stored signals, cases and the school's
//! tasks (docs/spec/rules.md §2, §7; docs/workflow.md).
//!
//! After every change to a pupil's data, in the same transaction: the pupil's current record is
//! evaluated in full (no as-of cut: registrations never lie after today) with the school's card and
//! a calendar covering the record's dates, and compared with the stored active signals by their
//! identity (kind, date, count, stage):
//!
//! - a signal the evaluation still produces stays; if its minutes, period, evidence or actions
//!   changed (a correction), it is updated in place;
//! - a stored active signal the evaluation no longer produces is withdrawn, and its open tasks
//!   become `not_needed` with [`WITHDRAWN_REASON`] (history kept); a melding made from it that is
//!   still running gives the school a task to review it;
//! - a new signal joins the pupil's open case of its chain of the card, or opens a new case when
//!   no case of its chain is open (a quiet case closes by itself first: [`crate::cases`]). When
//!   the open case is still acting
//!   on that kind (and stage) — an open task, a running melding or referral from a signal of that
//!   kind — the new signal only extends the case (a line on the timeline, no new tasks); otherwise
//!   the school's actions of the card become tasks, in the card's order, with the card's due dates.
//!   Conditional actions (`trigger`) and the other parties' actions are not created here.

use std::collections::HashMap;

use jiff::civil::Date;
use verzuim_engine::Evaluator;
use verzuim_engine::card::Card;
use verzuim_engine::model::{Party, PupilRecord, School, Signal, SignalKind};
use verzuim_store::placing::Note;
use verzuim_store::{
    Actor, CaseId, CurrentRecord, NewTask, SchoolSettings, Scope, SignalId, StoredEvidence,
    StoredSignal, TaskId, Tx,
};
use verzuim_store::{NewTimelineEntry, TaskLink, TaskLinkKind};

use crate::caller::{Caller, REGISTER_ROLES};
use crate::cards;
use crate::cases::CaseForSignal;
use crate::error::{Result, ServiceError};
use crate::school_state::{self, SchoolState};
pub use crate::text::WITHDRAWN_REASON;
use crate::text::{REVIEW_MELDING_TEXT, date_nl, kind_label};

/// What one synchronisation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// New signals that opened or joined a case with their own tasks.
    pub inserted: Vec<SignalId>,
    /// New signals that only extended an open case of the same kind (no new tasks).
    pub extended: Vec<SignalId>,
    /// Signals whose minutes, period, evidence or actions were updated.
    pub refreshed: Vec<SignalId>,
    /// Signals withdrawn because the evaluation no longer produces them.
    pub withdrawn: Vec<SignalId>,
    /// Cases opened.
    pub cases_opened: Vec<CaseId>,
    /// Tasks created (the school's, and review tasks for running meldingen).
    pub tasks_created: Vec<TaskId>,
    /// Open tasks marked `not_needed` with their withdrawn signal.
    pub tasks_not_needed: Vec<TaskId>,
}

impl SyncReport {
    pub(crate) fn absorb(&mut self, other: SyncReport) {
        self.inserted.extend(other.inserted);
        self.extended.extend(other.extended);
        self.refreshed.extend(other.refreshed);
        self.withdrawn.extend(other.withdrawn);
        self.cases_opened.extend(other.cases_opened);
        self.tasks_created.extend(other.tasks_created);
        self.tasks_not_needed.extend(other.tasks_not_needed);
    }
}

/// The dates the evaluation's calendar covers for a record (the engine widens them to whole
/// school years): the enrolment and every registration and event.
pub fn evaluation_range(record: &PupilRecord) -> (Date, Date) {
    let p = &record.pupil;
    let mut from = p.enrolled_from;
    let mut until = p.enrolled_until.unwrap_or(p.enrolled_from).max(from);
    for r in &record.registrations {
        from = from.min(r.span.first_date());
        until = until.max(r.span.last_date());
    }
    for e in &record.events {
        from = from.min(e.date);
        until = until.max(e.date);
    }
    (from, until)
}

/// The signals of a record, as the service evaluates them: in full, with a calendar over
/// [`evaluation_range`].
pub fn evaluate(card: &Card, school: &School, record: &PupilRecord) -> Vec<Signal> {
    let (from, until) = evaluation_range(record);
    Evaluator::new(card, school, from, until).evaluate(record)
}

/// The signals of a record under a school's cards by date (issue 10.2: a card change applies
/// from its date on): each card evaluates the whole record, and a signal is kept from the card
/// that applied on the signal's date ([`cards::CardHistory`]). Days before a change of card so
/// keep the signals of the card that applied then; a signal after it follows the new card's
/// rules, over a window that may reach back before the change (the rule in force on the day a
/// signal arises decides it, as the lesson times in force then decide its minutes).
pub fn evaluate_by_date(
    cards: &cards::CardHistory,
    school: &School,
    record: &PupilRecord,
) -> Vec<Signal> {
    if cards.earlier.is_empty() {
        return evaluate(&cards.current, school, record);
    }
    let mut signals = Vec::new();
    for (card, from, until) in cards.periods() {
        signals.extend(
            evaluate(card, school, record)
                .into_iter()
                .filter(|s| from.is_none_or(|f| s.date >= f) && until.is_none_or(|u| s.date < u)),
        );
    }
    signals
}

/// A school's settings, or a Dutch error when it has none.
pub(crate) async fn settings(tx: &mut Tx, school_id: &str) -> Result<SchoolSettings> {
    tx.school_settings(school_id).await?.ok_or_else(|| {
        ServiceError::invalid(format!(
            "school {school_id} heeft nog geen instellingen (lestijden en verzuimkaart)"
        ))
    })
}

/// Re-evaluates one pupil by hand (after a change the service did not make, such as a card
/// update) and synchronises the stored signals.
pub async fn reevaluate(
    store: &verzuim_store::Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<SyncReport> {
    caller.require_school(school_id, REGISTER_ROLES, "een leerling opnieuw beoordelen")?;
    let mut tx = store.begin().await?;
    let report = sync_pupil(&mut tx, caller.actor(), school_id, pupil_id).await?;
    tx.commit().await?;
    Ok(report)
}

/// Evaluates the pupil's current record and synchronises the stored signals, cases and the
/// school's tasks, in `tx`. Reads the pupil (locked), the version of the school's settings, and
/// the record with the active signals, in two statements ([`verzuim_store::pupil_state`]); the
/// school's settings come from the store's cache when their version is unchanged
/// ([`crate::school_state`]).
pub(crate) async fn sync_pupil(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    pupil_id: &str,
) -> Result<SyncReport> {
    let locked = tx
        .lock_pupil_for_change(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let school = school_state::at_version(tx, school_id, locked.settings_version).await?;
    let state = tx.pupil_state(&locked, false).await?;
    sync_record(
        tx,
        by,
        school_id,
        pupil_id,
        &school,
        &state.current,
        Some(state.active_signals),
    )
    .await
}

/// [`sync_pupil`] with the school's state already at hand.
pub(crate) async fn sync_with(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    pupil_id: &str,
    school: &SchoolState,
) -> Result<SyncReport> {
    let locked = tx
        .lock_pupil_for_change(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let state = tx.pupil_state(&locked, false).await?;
    sync_record(
        tx,
        by,
        school_id,
        pupil_id,
        school,
        &state.current,
        Some(state.active_signals),
    )
    .await
}

/// [`sync_with`] with the pupil locked and its current record (as it is in `tx` now) already
/// loaded: a change that loaded the record to validate itself passes it on, so a registration
/// reads the pupil's record once. `stored`: the pupil's active signals, when they were read with
/// the record (otherwise they are read here).
pub(crate) async fn sync_record(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    pupil_id: &str,
    school: &SchoolState,
    current: &CurrentRecord,
    stored: Option<Vec<StoredSignal>>,
) -> Result<SyncReport> {
    let (from, until) = evaluation_range(&current.record);
    let signals = school.evaluators(from, until).evaluate(&current.record);
    apply(
        tx,
        by,
        school_id,
        pupil_id,
        &school.settings,
        current,
        signals,
        stored,
    )
    .await
}

type Key = (SignalKind, Date, Option<u32>, Option<String>);

fn key(kind: SignalKind, date: Date, count: Option<u32>, stage: Option<&str>) -> Key {
    (kind, date, count, stage.map(str::to_owned))
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    pupil_id: &str,
    settings: &SchoolSettings,
    current: &CurrentRecord,
    signals: Vec<Signal>,
    stored: Option<Vec<StoredSignal>>,
) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let stored = match stored {
        Some(stored) => stored,
        None => {
            tx.active_signals(Scope::School(school_id), school_id, pupil_id)
                .await?
        }
    };
    let mut by_key: HashMap<Key, StoredSignal> = stored
        .into_iter()
        .map(|s| (key(s.kind, s.date, s.count, s.stage.as_deref()), s))
        .collect();
    let mut fresh = Vec::new();
    for signal in signals {
        let evidence = current.stored_evidence(&signal.evidence);
        let k = key(
            signal.kind,
            signal.date,
            signal.count,
            signal.stage.as_deref(),
        );
        match by_key.remove(&k) {
            Some(old) => refresh(tx, by, school_id, &old, &signal, &evidence, &mut report).await?,
            None => fresh.push((signal, evidence)),
        }
    }
    let mut gone: Vec<StoredSignal> = by_key.into_values().collect();
    gone.sort_by_key(|s| s.id);
    for old in &gone {
        withdraw(tx, by, school_id, old, &mut report).await?;
    }
    let group = &current.record.pupil.group;
    for (signal, evidence) in &fresh {
        let at = Placing {
            settings,
            school_id,
            pupil_id,
            group,
        };
        place(tx, by, &at, signal, evidence, &mut report).await?;
    }
    if !gone.is_empty() {
        promote(tx, by, school_id, pupil_id, &mut report).await?;
    }
    Ok(report)
}

async fn refresh(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    old: &StoredSignal,
    signal: &Signal,
    evidence: &[StoredEvidence],
    report: &mut SyncReport,
) -> Result<()> {
    let content_changed = old.minutes != signal.minutes || old.period != signal.period;
    if !content_changed
        && old.evidence == evidence
        && old.actions[..] == signal.actions[..]
        && old.pupil_participates == signal.pupil_participates
    {
        return Ok(());
    }
    tx.refresh_signal(school_id, old.id, signal, evidence)
        .await?;
    report.refreshed.push(old.id);
    if content_changed && let Some(case_id) = old.case_id {
        let detail = match (signal.minutes, signal.period) {
            (Some(m), Some(p)) => format!(
                "Signaal {} van {} bijgewerkt na een correctie: {} minuten, {} t/m {}",
                kind_label(signal.kind),
                date_nl(signal.date),
                m,
                date_nl(p.from),
                date_nl(p.to)
            ),
            _ => format!(
                "Signaal {} van {} bijgewerkt na een correctie",
                kind_label(signal.kind),
                date_nl(signal.date)
            ),
        };
        tx.add_timeline(
            &NewTimelineEntry {
                case_id,
                entry: "signaal_bijgewerkt".into(),
                signal_id: Some(old.id),
                detail: Some(detail),
            },
            by,
        )
        .await?;
    }
    Ok(())
}

async fn withdraw(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    old: &StoredSignal,
    report: &mut SyncReport,
) -> Result<()> {
    let tasks = tx
        .withdraw_signal(school_id, old.id, WITHDRAWN_REASON, by)
        .await?;
    report.withdrawn.push(old.id);
    report.tasks_not_needed.extend(tasks);
    let Some(case_id) = old.case_id else {
        return Ok(());
    };
    tx.add_timeline(
        &NewTimelineEntry {
            case_id,
            entry: "signaal_ingetrokken".into(),
            signal_id: Some(old.id),
            detail: Some(format!(
                "Signaal {} van {} ingetrokken: de registraties die het veroorzaakten zijn gewijzigd",
                kind_label(old.kind),
                date_nl(old.date)
            )),
        },
        by,
    )
    .await?;
    // A melding made from this signal still runs: the school decides whether to withdraw it.
    for melding_id in tx.open_meldingen_of_signal(old.id).await? {
        let task = tx
            .create_task(
                &NewTask {
                    case_id,
                    signal_id: None,
                    party: Party::School,
                    organisation_id: school_id.to_owned(),
                    text: REVIEW_MELDING_TEXT.to_owned(),
                    melding: false,
                    referral: false,
                    trigger: None,
                    due: None,
                },
                by,
            )
            .await?;
        tx.put_task_link(&TaskLink {
            task_id: task,
            kind: TaskLinkKind::ReviewMelding,
            signal_id: Some(old.id),
            melding_id: Some(melding_id),
            referral_id: None,
            detail: None,
        })
        .await?;
        report.tasks_created.push(task);
    }
    Ok(())
}

/// Where a new signal is placed: the school, its settings, and the pupil with their group.
struct Placing<'a> {
    settings: &'a SchoolSettings,
    school_id: &'a str,
    pupil_id: &'a str,
    group: &'a str,
}

/// Places a new signal in the open case of its chain, or opens a new case when no case of its
/// chain is open (docs/workflow.md "Cases and their chains", [`crate::cases`]).
async fn place(
    tx: &mut Tx,
    by: Actor,
    at: &Placing<'_>,
    signal: &Signal,
    evidence: &[StoredEvidence],
    report: &mut SyncReport,
) -> Result<()> {
    let (school_id, pupil_id) = (at.school_id, at.pupil_id);
    let placed = crate::cases::case_for_signal(
        tx,
        by,
        at.settings,
        school_id,
        pupil_id,
        at.group,
        signal.kind,
        signal.stage.as_deref(),
        signal.date,
    )
    .await?;
    // The case the signal goes to, and its line on the case's timeline.
    let (case_id, extends, entry, detail) = match placed {
        CaseForSignal::Extends(case) => {
            let minutes = signal
                .minutes
                .map(|m| format!(" ({m} minuten)"))
                .unwrap_or_default();
            let detail = format!(
                "Opnieuw {} op {}{minutes}: toegevoegd aan het open dossier; de open taken blijven staan",
                kind_label(signal.kind),
                date_nl(signal.date),
            );
            (case.id, true, "uitgebreid", detail)
        }
        CaseForSignal::Joins(case) => {
            tx.add_case_kind(school_id, &case, signal.kind).await?;
            (case.id, false, "signaal", signal_line(signal))
        }
        CaseForSignal::Opens { open } => {
            let case_id = crate::cases::open_for_signal(
                tx,
                by,
                school_id,
                pupil_id,
                &open,
                signal.kind,
                signal.date,
                signal.date,
                None,
            )
            .await?;
            report.cases_opened.push(case_id);
            (case_id, false, "signaal", signal_line(signal))
        }
    };
    let note = Note {
        entry,
        detail: &detail,
    };
    let id = tx
        .insert_signal_noted(school_id, pupil_id, signal, evidence, case_id, note, by)
        .await?;
    if extends {
        report.extended.push(id);
        return Ok(());
    }
    report.inserted.push(id);
    let tasks = school_tasks(tx, by, school_id, case_id, id, &signal.actions).await?;
    report.tasks_created.extend(tasks);
    Ok(())
}

/// A new signal's line on its case's timeline.
fn signal_line(signal: &Signal) -> String {
    format!(
        "Signaal {} van {}",
        kind_label(signal.kind),
        date_nl(signal.date)
    )
}

/// The school's unconditional actions of a signal as open tasks, in the card's order.
pub(crate) async fn school_tasks(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    case_id: CaseId,
    signal_id: SignalId,
    actions: &[verzuim_engine::model::SignalAction],
) -> Result<Vec<TaskId>> {
    // A principle of the card ("Ouders dienen van alle acties op de hoogte te zijn") is no task
    // (crate::principles). All of them in one go (`Tx::create_signal_tasks`).
    let tasks: Vec<NewTask> = actions
        .iter()
        .filter(|a| {
            a.party == Party::School
                && a.trigger.is_none()
                && !crate::principles::is_principle(&a.text)
        })
        .map(|a| NewTask {
            case_id,
            signal_id: Some(signal_id),
            party: Party::School,
            organisation_id: school_id.to_owned(),
            text: a.text.to_string(),
            melding: a.melding,
            referral: a.referral,
            trigger: None,
            due: a.due,
        })
        .collect();
    Ok(tx
        .create_signal_tasks(case_id, signal_id, &tasks, by)
        .await?)
}

/// After withdrawals: a signal that only extended the case, whose kind the case no longer acts
/// on (the signal with the tasks was withdrawn), gets the school's tasks after all.
async fn promote(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    pupil_id: &str,
    report: &mut SyncReport,
) -> Result<()> {
    for case in tx.open_cases_of_pupil(school_id, pupil_id).await? {
        promote_in(tx, by, school_id, &case, report).await?;
    }
    Ok(())
}

async fn promote_in(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    case: &verzuim_store::Case,
    report: &mut SyncReport,
) -> Result<()> {
    for signal in tx.extension_signals(case.id).await? {
        let has_school_action = signal
            .actions
            .iter()
            .any(|a| a.party == Party::School && a.trigger.is_none());
        if !has_school_action
            || tx
                .kind_is_live(case.id, signal.kind, signal.stage.as_deref())
                .await?
        {
            continue;
        }
        let tasks = school_tasks(tx, by, school_id, case.id, signal.id, &signal.actions).await?;
        tx.add_timeline(
            &NewTimelineEntry {
                case_id: case.id,
                entry: "signaal".into(),
                signal_id: Some(signal.id),
                detail: Some(format!(
                    "Signaal {} van {} krijgt eigen taken: het eerdere signaal is ingetrokken",
                    kind_label(signal.kind),
                    date_nl(signal.date)
                )),
            },
            by,
        )
        .await?;
        report.tasks_created.extend(tasks);
    }
    Ok(())
}
