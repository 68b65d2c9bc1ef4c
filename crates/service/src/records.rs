//! Pupils, registrations and events: every change is validated, stored as a new version (never a
//! silent overwrite), and followed, in the same transaction, by the pupil's re-evaluation
//! ([`crate::sync`]).
//!
//! Validation (Dutch messages): a registration or event lies within the pupil's enrolment and not
//! after `today` (the service evaluates the full record, so nothing may lie in the future); a span
//! ends after it starts; a lateness is one day; minutes late only on `te_laat`; no note on `ziek`
//! and no note on `zorg_ziekte` (docs/spec/rules.md §8: the nature of an illness is never stored); a
//! `verwijdering` names the admitting school; two absence registrations never cover the same
//! lesson time.
//!
//! Corrections after the fact (issue 10.3), for registrations and events alike: a leerkracht
//! corrects the current and previous lesweek only, older ones the verzuimcoördinator with a
//! reason ([`teacher_window_start`]); a correction or deletion that touches what a melding
//! reported, or a registration or event added on a day of a melding's period, keeps the melding
//! as sent and marks it "gewijzigd na melding", with tasks for leerplicht and the school.

use jiff::civil::Date;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::model::{Code, Event, EventKind, PupilRecord, Registration, Span};
use verzuim_store::{AuditEntry, EventId, PupilData, RegistrationId, Scope, Store, Tx, VersionRef};

use crate::caller::{Caller, PUPIL_ROLES, REGISTER_ROLES};
use crate::error::{Result, ServiceError};
use crate::school_state::{self, SchoolState};
use crate::sync::{SyncReport, evaluation_range, sync_pupil, sync_record, sync_with};
use crate::text::{date_nl, optional};

/// A stored change and what its re-evaluation did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// The registration's or event's id and its new version.
    pub version: VersionRef,
    pub sync: SyncReport,
}

/// The longest pupil id, group or municipality text accepted.
const MAX_ID: usize = 64;

/// An audit row written in the change's own transaction, made from the stored version (its id
/// is known only then): the change and its audit row commit together, or neither does.
pub type AuditRow<'a> = &'a (dyn Fn(&VersionRef) -> AuditEntry + Send + Sync);

/// Writes the change's audit row and commits the change with it.
async fn commit(
    mut tx: Tx,
    version: VersionRef,
    sync: SyncReport,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    if let Some(audit) = audit {
        tx.audit(&audit(&version)).await?;
    }
    tx.commit().await?;
    Ok(Change { version, sync })
}

/// Adds a registration (version 1) and re-evaluates the pupil; `audit`, the request's audit row,
/// commits with it.
///
/// The pupil's record is read once: it validates the registration, and, with the new
/// registration appended (it has the highest id, so it is last, as `current_record` orders
/// them), it is what the re-evaluation evaluates. See [`add_registration_in`] for the
/// statements it takes.
#[allow(clippy::too_many_arguments)]
pub async fn add_registration(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    registration: &Registration,
    note: Option<&str>,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    caller.require_school(school_id, REGISTER_ROLES, "registreren")?;
    let note = optional(note, "De toelichting")?;
    let mut tx = store.begin().await?;
    let (version, sync) = add_registration_with(
        &mut tx,
        caller.actor(),
        today,
        school_id,
        pupil_id,
        registration,
        note.as_deref(),
        audit,
    )
    .await?;
    tx.commit().await?;
    Ok(Change { version, sync })
}

/// [`add_registration`] in `tx`, for whoever the caller checked may do it; the audit row is
/// written with the registration.
///
/// Issue 13.1, the statements of a registration that makes no new signal: one locks the pupil
/// and reads it with the version of the school's settings (the settings themselves, parsed, come
/// from the store's cache: [`crate::school_state`]); one reads the record, the active signals
/// and the meldingen (and, on PostgreSQL, reserves the registration's id); one writes the
/// registration, its version and its audit row (PostgreSQL; SQLite: three). A new signal, case
/// or task adds its own.
#[allow(clippy::too_many_arguments)]
async fn add_registration_with(
    tx: &mut Tx,
    by: verzuim_store::Actor,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    registration: &Registration,
    note: Option<&str>,
    audit: Option<AuditRow<'_>>,
) -> Result<(VersionRef, SyncReport)> {
    let locked = tx
        .lock_pupil_for_change(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let school = school_state::at_version(tx, school_id, locked.settings_version).await?;
    let state = tx.pupil_state(&locked, true).await?;
    // A registration added on days a melding already reported (issue 10.3): the melding stays
    // as sent and is marked "gewijzigd na melding" (below).
    let covering = state.meldingen_covering(
        registration.span.first_date(),
        registration.span.last_date(),
    );
    check_registration(
        &school,
        today,
        state.current.record.clone(),
        None,
        registration,
        note,
    )?;
    let version = tx
        .add_registration_for(
            &locked,
            state.next_registration_id,
            registration,
            note,
            by,
            audit,
        )
        .await?;
    let mut current = state.current;
    current.registrations.push(version);
    current.record.registrations.push(registration.clone());
    let mut sync = sync_record(
        tx,
        by,
        school_id,
        pupil_id,
        &school,
        &current,
        Some(state.active_signals),
    )
    .await?;
    if !covering.is_empty() {
        let what = format!(
            "Registratie {} toegevoegd na de melding",
            describe(registration)
        );
        note_meldingen(tx, by, school_id, covering, &what, None, &mut sync).await?;
    }
    Ok((version, sync))
}

/// A registration added on days a melding already reported (issue 10.3), outside the page's
/// and API's own path (the import): the melding stays as sent and is marked "gewijzigd na
/// melding" ([`note_change_after_melding`]).
pub(crate) async fn note_addition(
    tx: &mut Tx,
    by: verzuim_store::Actor,
    school_id: &str,
    pupil_id: &str,
    registration: &Registration,
    report: &mut SyncReport,
) -> Result<()> {
    let what = format!(
        "Registratie {} toegevoegd na de melding",
        describe(registration)
    );
    note_change_after_melding(
        tx,
        by,
        school_id,
        pupil_id,
        None,
        Some((
            registration.span.first_date(),
            registration.span.last_date(),
        )),
        &what,
        None,
        report,
    )
    .await
}

/// Corrects a registration (a new version; earlier versions stay in its history) and
/// re-evaluates the pupil; `audit` commits with it. See [`correct_registration_because`].
#[allow(clippy::too_many_arguments)]
pub async fn correct_registration(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    id: RegistrationId,
    registration: &Registration,
    note: Option<&str>,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    correct_registration_because(
        store,
        caller,
        today,
        school_id,
        id,
        registration,
        note,
        None,
        audit,
    )
    .await
}

/// Corrects a registration with the reason for the correction (issue 10.3):
///
/// - a leerkracht corrects registrations of the current and previous lesweek only
///   ([`teacher_window_start`]); older ones are the verzuimcoördinator's, who gives a `reason`
///   (stored with the new version);
/// - a correction of a registration a melding reported keeps the melding as sent and marks it
///   "gewijzigd na melding" ([`note_change_after_melding`]).
#[allow(clippy::too_many_arguments)]
pub async fn correct_registration_because(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    id: RegistrationId,
    registration: &Registration,
    note: Option<&str>,
    reason: Option<&str>,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    caller.require_school(school_id, REGISTER_ROLES, "registraties corrigeren")?;
    let note = optional(note, "De toelichting")?;
    let reason = optional(reason, "De reden van de correctie")?;
    let mut tx = store.begin().await?;
    let pupil_id = tx
        .pupil_of_registration(school_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.lock_pupil(school_id, &pupil_id).await?;
    let current = tx
        .current_record(school_id, &pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let index = current
        .registrations
        .iter()
        .position(|v| v.id == id)
        .ok_or(ServiceError::NotFound)?;
    let school = school_state::current(&mut tx, school_id).await?;
    check_registration(
        &school,
        today,
        current.record.clone(),
        Some(index),
        registration,
        note.as_deref(),
    )?;
    let old = current.record.registrations[index].clone();
    let first = old.span.first_date().min(registration.span.first_date());
    check_window(
        caller,
        &school.settings.school,
        &current.record.pupil.group,
        today,
        first,
        reason.as_deref(),
        Record::Registration,
    )?;
    let version = tx
        .correct_registration(school_id, id, registration, note.as_deref(), caller.actor())
        .await?;
    if let Some(reason) = &reason {
        tx.put_correction_reason(id, version.version, reason)
            .await?;
    }
    let what = format!(
        "Registratie {} gecorrigeerd naar {}",
        describe(&old),
        describe(registration)
    );
    let sync = resync_and_note(
        &mut tx,
        caller.actor(),
        school_id,
        &pupil_id,
        &school,
        Some(Touched::Registration(id)),
        now_covers(&old, registration),
        &what,
        reason.as_deref(),
    )
    .await?;
    commit(tx, version, sync, audit).await
}

/// Deletes a registration (a version marked deleted) and re-evaluates the pupil; `audit` commits
/// with it. See [`delete_registration_because`].
pub async fn delete_registration(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    id: RegistrationId,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    let today = store
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    delete_registration_because(store, caller, today, school_id, id, None, audit).await
}

/// Deletes a registration with the reason for it; the same rules as
/// [`correct_registration_because`].
pub async fn delete_registration_because(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    id: RegistrationId,
    reason: Option<&str>,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    caller.require_school(school_id, REGISTER_ROLES, "registraties verwijderen")?;
    let reason = optional(reason, "De reden van de correctie")?;
    let mut tx = store.begin().await?;
    let pupil_id = tx
        .pupil_of_registration(school_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.lock_pupil(school_id, &pupil_id).await?;
    let current = tx
        .current_record(school_id, &pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let old = current
        .registrations
        .iter()
        .position(|v| v.id == id)
        .map(|i| current.record.registrations[i].clone())
        .ok_or(ServiceError::NotFound)?;
    let school = school_state::current(&mut tx, school_id).await?;
    check_window(
        caller,
        &school.settings.school,
        &current.record.pupil.group,
        today,
        old.span.first_date(),
        reason.as_deref(),
        Record::Registration,
    )?;
    let version = tx
        .delete_registration(school_id, id, caller.actor())
        .await?;
    if let Some(reason) = &reason {
        tx.put_correction_reason(id, version.version, reason)
            .await?;
    }
    let what = format!("Registratie {} verwijderd", describe(&old));
    let sync = resync_and_note(
        &mut tx,
        caller.actor(),
        school_id,
        &pupil_id,
        &school,
        Some(Touched::Registration(id)),
        None,
        &what,
        reason.as_deref(),
    )
    .await?;
    commit(tx, version, sync, audit).await
}

/// The first date a leerkracht may register or correct: the Monday of the previous lesweek
/// (the last week with lesson days before the week of `today`, docs/spec/rules.md §1), so a
/// teacher corrects the current and the previous lesweek; older registrations are corrected by
/// the verzuimcoördinator with a reason (issue 10.3: what leerplicht may already have seen
/// changes only with a trace).
pub fn teacher_window_start(
    school: &verzuim_engine::model::School,
    group: &str,
    today: Date,
) -> Date {
    use verzuim_engine::calendar::{date_of, day_number, monday_of};
    let from = today
        .checked_sub(jiff::Span::new().days(70))
        .unwrap_or(today);
    let calendar = SchoolCalendar::new(school, from, today);
    let this_monday = monday_of(day_number(today));
    let previous = calendar
        .group(group)
        .last_lesson_day_on_or_before(this_monday - 1)
        .map_or(this_monday - 7, monday_of);
    date_of(previous)
}

/// What a correction is of: a registration or an event (the words of [`check_window`]'s
/// refusals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    Registration,
    Event,
}

impl Record {
    /// (plural, singular) in Dutch.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Record::Registration => ("registraties", "registratie"),
            Record::Event => ("gebeurtenissen", "gebeurtenis"),
        }
    }
}

/// Who may correct or delete a registration or event whose earliest date (old or new) is
/// `first`: within the teacher's window anyone of [`REGISTER_ROLES`]; before it only a
/// verzuimcoördinator, with a reason (issue 10.3). (Adding one is not a correction: a teacher
/// may still register a day that was forgotten.)
fn check_window(
    caller: &Caller,
    school: &verzuim_engine::model::School,
    group: &str,
    today: Date,
    first: Date,
    reason: Option<&str>,
    record: Record,
) -> Result<()> {
    let start = teacher_window_start(school, group, today);
    if first >= start {
        return Ok(());
    }
    let (plural, singular) = record.words();
    if caller.role == verzuim_store::Role::Leerkracht {
        return Err(ServiceError::invalid(format!(
            "een leerkracht corrigeert alleen {plural} van deze en de vorige lesweek (vanaf {}); \
             een oudere {singular} ({}) corrigeert de verzuimcoördinator, met een reden",
            date_nl(start),
            date_nl(first)
        )));
    }
    if reason.is_none() {
        return Err(ServiceError::invalid(format!(
            "geef een reden voor deze correctie: de {singular} van {} ligt vóór de vorige lesweek (vóór {})",
            date_nl(first),
            date_nl(start)
        )));
    }
    Ok(())
}

/// A registration in words: "ongeoorloofd afwezig 02-10-2026", "ziek 05-10-2026 t/m
/// 07-10-2026", "te laat 06-10-2026 vanaf 08:40 (10 minuten)".
pub fn describe(r: &Registration) -> String {
    let hhmm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let span = match r.span {
        Span::Days { from, until } if from == until => date_nl(from),
        Span::Days { from, until } => format!("{} t/m {}", date_nl(from), date_nl(until)),
        Span::Times {
            date,
            from,
            until: Some(until),
        } => format!("{} {}-{}", date_nl(date), hhmm(from), hhmm(until)),
        Span::Times {
            date,
            from,
            until: None,
        } => format!("{} vanaf {}", date_nl(date), hhmm(from)),
    };
    match r.minutes_late {
        Some(m) => format!("{} {span} ({m} minuten)", r.code.label()),
        None => format!("{} {span}", r.code.label()),
    }
}

/// The days a corrected registration covers, when the correction changed what it says (its
/// code, days, times or minutes; not only its note): a melding whose period they overlap learns
/// of it ([`note_change_after_melding`]).
fn now_covers(old: &Registration, new: &Registration) -> Option<(Date, Date)> {
    (old != new).then(|| (new.span.first_date(), new.span.last_date()))
}

/// An event in words: "\"Overig verzuim\" van 07-10-2026".
pub fn describe_event(e: &Event) -> String {
    format!("\"{}\" van {}", e.kind.label(), date_nl(e.date))
}

/// What a change touches of the meldingen already made: a registration or an event (by id),
/// and, for a new one or one moved to other days, the days it covers now.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Touched {
    Registration(RegistrationId),
    Event(EventId),
}

/// The meldingen a change after the fact concerns (issue 10.3): those whose evidence holds the
/// changed registration or event, and, when `now_covers` gives the days it covers after the
/// change (an addition, or a correction of its code, days or kind), those whose reported period
/// overlaps those days. Withdrawn meldingen are left alone.
async fn meldingen_concerned(
    tx: &mut Tx,
    school_id: &str,
    pupil_id: &str,
    touched: Option<Touched>,
    now_covers: Option<(Date, Date)>,
) -> Result<Vec<verzuim_store::MeldingId>> {
    let mut ids = std::collections::BTreeSet::new();
    match touched {
        Some(Touched::Registration(id)) => {
            ids.extend(tx.meldingen_with_evidence(school_id, id, false).await?);
        }
        Some(Touched::Event(id)) => {
            ids.extend(tx.meldingen_with_evidence(school_id, id, true).await?);
        }
        None => {}
    }
    if let Some((first, last)) = now_covers {
        ids.extend(
            tx.meldingen_covering(school_id, pupil_id, first, last)
                .await?,
        );
    }
    Ok(ids.into_iter().collect())
}

/// Re-evaluates the pupil after a correction or deletion, and marks the meldingen whose
/// evidence it touched "gewijzigd na melding" (issue 10.3): the shared tail of every correction.
#[allow(clippy::too_many_arguments)]
async fn resync_and_note(
    tx: &mut Tx,
    by: verzuim_store::Actor,
    school_id: &str,
    pupil_id: &str,
    school: &SchoolState,
    touched: Option<Touched>,
    now_covers: Option<(Date, Date)>,
    what: &str,
    reason: Option<&str>,
) -> Result<SyncReport> {
    let mut sync = sync_with(tx, by, school_id, pupil_id, school).await?;
    note_change_after_melding(
        tx, by, school_id, pupil_id, touched, now_covers, what, reason, &mut sync,
    )
    .await?;
    Ok(sync)
}

/// A change after a melding (issue 10.3; docs/spec/rules.md §7: the melding's content is what
/// the school reported): a correction or deletion of a registration or event a melding reported,
/// or a registration or event added (or moved) into the period a melding reported. Each melding
/// [`meldingen_concerned`] finds stays as sent and is marked "gewijzigd na melding" with `what`
/// and the `reason`; leerplicht (the melding's municipality) gets a task to take note, the
/// school a task to pass the change on to DUO; the case's timeline says so.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn note_change_after_melding(
    tx: &mut Tx,
    by: verzuim_store::Actor,
    school_id: &str,
    pupil_id: &str,
    touched: Option<Touched>,
    now_covers: Option<(Date, Date)>,
    what: &str,
    reason: Option<&str>,
    report: &mut crate::sync::SyncReport,
) -> Result<()> {
    let ids = meldingen_concerned(tx, school_id, pupil_id, touched, now_covers).await?;
    note_meldingen(tx, by, school_id, ids, what, reason, report).await
}

/// Marks each of the meldingen `ids` "gewijzigd na melding" with `what` and the `reason`, with
/// the tasks for leerplicht and the school and the case's timeline line
/// ([`note_change_after_melding`]).
async fn note_meldingen(
    tx: &mut Tx,
    by: verzuim_store::Actor,
    school_id: &str,
    ids: Vec<verzuim_store::MeldingId>,
    what: &str,
    reason: Option<&str>,
    report: &mut crate::sync::SyncReport,
) -> Result<()> {
    use verzuim_engine::model::Party;
    use verzuim_store::NewTask;
    use verzuim_store::{NewTimelineEntry, TaskLink, TaskLinkKind};
    for melding_id in ids {
        let Some(melding) = tx.melding(Scope::School(school_id), melding_id).await? else {
            continue;
        };
        tx.add_melding_change(melding_id, what, reason, by).await?;
        let detail = match reason {
            Some(r) => format!("Melding {melding_id}: {what}. Reden: {r}"),
            None => format!("Melding {melding_id}: {what}"),
        };
        for (party, organisation, text, kind) in [
            (
                Party::Leerplicht,
                melding.municipality.as_str(),
                crate::text::MELDING_CHANGED_TEXT,
                TaskLinkKind::MeldingChanged,
            ),
            (
                Party::School,
                school_id,
                crate::text::TELL_DUO_TEXT,
                TaskLinkKind::TellDuo,
            ),
        ] {
            let task = tx
                .create_task(
                    &NewTask {
                        case_id: melding.case_id,
                        signal_id: None,
                        party,
                        organisation_id: organisation.to_owned(),
                        text: text.to_owned(),
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
                kind,
                signal_id: None,
                melding_id: Some(melding_id),
                referral_id: None,
                detail: Some(detail.clone()),
            })
            .await?;
            report.tasks_created.push(task);
        }
        tx.add_timeline(
            &NewTimelineEntry {
                case_id: melding.case_id,
                entry: "gewijzigd_na_melding".into(),
                signal_id: None,
                detail: Some(format!("Gewijzigd na melding: {detail}")),
            },
            by,
        )
        .await?;
    }
    Ok(())
}

/// Records a manual event (`verwijdering`, `zorg_ziekte`, `overig_verzuim`) and re-evaluates;
/// `audit` commits with it. An event on a day a melding already reported marks that melding
/// "gewijzigd na melding" (issue 10.3).
pub async fn add_event(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    event: &Event,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    caller.require_school(school_id, REGISTER_ROLES, "gebeurtenissen vastleggen")?;
    let event = normalise_event(event)?;
    let mut tx = store.begin().await?;
    tx.lock_pupil(school_id, pupil_id).await?;
    let current = tx
        .current_record(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check_event(&current.record, today, &event)?;
    check_not_recorded(&current.record, &current.events, &event, None)?;
    let version = tx
        .add_event(school_id, pupil_id, &event, caller.actor())
        .await?;
    let mut sync = sync_pupil(&mut tx, caller.actor(), school_id, pupil_id).await?;
    let what = format!(
        "Gebeurtenis {} toegevoegd na de melding",
        describe_event(&event)
    );
    note_change_after_melding(
        &mut tx,
        caller.actor(),
        school_id,
        pupil_id,
        None,
        Some((event.date, event.date)),
        &what,
        None,
        &mut sync,
    )
    .await?;
    commit(tx, version, sync, audit).await
}

/// Corrects an event (a new version) and re-evaluates; `audit` commits with it. See
/// [`correct_event_because`].
pub async fn correct_event(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    id: EventId,
    event: &Event,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    correct_event_because(store, caller, today, school_id, id, event, None, audit).await
}

/// Corrects an event with the reason for the correction: the rule of
/// [`correct_registration_because`] (issue 10.3). A leerkracht corrects events of the current
/// and previous lesweek only (the earlier or later of the old and the new date counts); older
/// ones are the verzuimcoördinator's, with a `reason` (stored with the new version, table
/// `event_correction_reasons`); a melding that reported the event, or whose period holds its new
/// date, stays as sent and is marked "gewijzigd na melding", with tasks for leerplicht and the
/// school.
#[allow(clippy::too_many_arguments)]
pub async fn correct_event_because(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    id: EventId,
    event: &Event,
    reason: Option<&str>,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    caller.require_school(school_id, REGISTER_ROLES, "gebeurtenissen corrigeren")?;
    let event = normalise_event(event)?;
    let reason = optional(reason, "De reden van de correctie")?;
    let mut tx = store.begin().await?;
    let pupil_id = tx
        .pupil_of_event(school_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.lock_pupil(school_id, &pupil_id).await?;
    let current = tx
        .current_record(school_id, &pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let old = current
        .events
        .iter()
        .position(|v| v.id == id)
        .map(|i| current.record.events[i].clone())
        .ok_or(ServiceError::NotFound)?;
    check_event(&current.record, today, &event)?;
    check_not_recorded(&current.record, &current.events, &event, Some(id))?;
    let school = school_state::current(&mut tx, school_id).await?;
    check_window(
        caller,
        &school.settings.school,
        &current.record.pupil.group,
        today,
        old.date.min(event.date),
        reason.as_deref(),
        Record::Event,
    )?;
    let version = tx
        .correct_event(school_id, id, &event, caller.actor())
        .await?;
    if let Some(reason) = &reason {
        tx.put_event_correction_reason(id, version.version, reason)
            .await?;
    }
    let what = if (old.kind, old.date) == (event.kind, event.date) {
        format!(
            "Toelichting van gebeurtenis {} gewijzigd",
            describe_event(&old)
        )
    } else {
        format!(
            "Gebeurtenis {} gecorrigeerd naar {}",
            describe_event(&old),
            describe_event(&event)
        )
    };
    let moved =
        ((old.kind, old.date) != (event.kind, event.date)).then_some((event.date, event.date));
    let sync = resync_and_note(
        &mut tx,
        caller.actor(),
        school_id,
        &pupil_id,
        &school,
        Some(Touched::Event(id)),
        moved,
        &what,
        reason.as_deref(),
    )
    .await?;
    commit(tx, version, sync, audit).await
}

/// Deletes an event (a version marked deleted) and re-evaluates; `audit` commits with it. See
/// [`delete_event_because`].
pub async fn delete_event(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    id: EventId,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    let today = store
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    delete_event_because(store, caller, today, school_id, id, None, audit).await
}

/// Deletes an event with the reason for it; the same rules as [`correct_event_because`].
pub async fn delete_event_because(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    id: EventId,
    reason: Option<&str>,
    audit: Option<AuditRow<'_>>,
) -> Result<Change> {
    caller.require_school(school_id, REGISTER_ROLES, "gebeurtenissen verwijderen")?;
    let reason = optional(reason, "De reden van de correctie")?;
    let mut tx = store.begin().await?;
    let pupil_id = tx
        .pupil_of_event(school_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.lock_pupil(school_id, &pupil_id).await?;
    let current = tx
        .current_record(school_id, &pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let old = current
        .events
        .iter()
        .position(|v| v.id == id)
        .map(|i| current.record.events[i].clone())
        .ok_or(ServiceError::NotFound)?;
    let school = school_state::current(&mut tx, school_id).await?;
    check_window(
        caller,
        &school.settings.school,
        &current.record.pupil.group,
        today,
        old.date,
        reason.as_deref(),
        Record::Event,
    )?;
    let version = tx.delete_event(school_id, id, caller.actor()).await?;
    if let Some(reason) = &reason {
        tx.put_event_correction_reason(id, version.version, reason)
            .await?;
    }
    let what = format!("Gebeurtenis {} verwijderd", describe_event(&old));
    let sync = resync_and_note(
        &mut tx,
        caller.actor(),
        school_id,
        &pupil_id,
        &school,
        Some(Touched::Event(id)),
        None,
        &what,
        reason.as_deref(),
    )
    .await?;
    commit(tx, version, sync, audit).await
}

/// Enrols a pupil at the school (formats.md `pupils.csv` fields) and evaluates them (a pupil
/// enrolled with an end date and no next school can raise absoluut verzuim at once). The
/// municipality is stored as its CBS code when the name or code is known.
pub async fn enrol_pupil(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    data: &PupilData,
) -> Result<SyncReport> {
    caller.require_school(school_id, PUPIL_ROLES, "leerlingen inschrijven")?;
    let mut tx = store.begin().await?;
    let data = normalise_pupil(&mut tx, data).await?;
    if tx
        .pupil(Scope::School(school_id), school_id, &data.pupil.id)
        .await?
        .is_some()
    {
        return Err(ServiceError::Conflict(format!(
            "leerling {} staat al ingeschreven op deze school",
            data.pupil.id
        )));
    }
    tx.insert_pupil(school_id, &data).await?;
    let sync = sync_pupil(&mut tx, caller.actor(), school_id, &data.pupil.id).await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(sync)
}

/// Changes a pupil's data (a corrected birth date, another group, a move) and re-evaluates.
pub async fn update_pupil(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    data: &PupilData,
) -> Result<SyncReport> {
    caller.require_school(school_id, PUPIL_ROLES, "leerlinggegevens wijzigen")?;
    let mut tx = store.begin().await?;
    let data = normalise_pupil(&mut tx, data).await?;
    tx.lock_pupil(school_id, &data.pupil.id).await?;
    let current = tx
        .current_record(school_id, &data.pupil.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check_within_enrolment(&current.record, &data)?;
    tx.update_pupil(school_id, &data).await?;
    let sync = sync_pupil(&mut tx, caller.actor(), school_id, &data.pupil.id).await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(sync)
}

/// Deregisters a pupil: the last day enrolled, and the next school if one is known (without one
/// the pupil may raise absoluut verzuim). Registrations or events after that day must be removed
/// first.
pub async fn deregister_pupil(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
    enrolled_until: Date,
    next_school: Option<&str>,
) -> Result<SyncReport> {
    caller.require_school(school_id, PUPIL_ROLES, "leerlingen uitschrijven")?;
    let next_school = optional(next_school, "De nieuwe school")?;
    let mut tx = store.begin().await?;
    tx.lock_pupil(school_id, pupil_id).await?;
    let current = tx
        .current_record(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if enrolled_until < current.record.pupil.enrolled_from {
        return Err(ServiceError::invalid(
            "de uitschrijfdatum ligt vóór de inschrijfdatum",
        ));
    }
    let mut changed = PupilData::new(current.record.pupil.clone());
    changed.pupil.enrolled_until = Some(enrolled_until);
    check_within_enrolment(&current.record, &changed)?;
    tx.deregister_pupil(school_id, pupil_id, enrolled_until, next_school.as_deref())
        .await?;
    let sync = sync_pupil(&mut tx, caller.actor(), school_id, pupil_id).await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(sync)
}

/// Checks and normalises a pupil's data: ids and texts within limits, dates in order, a valid
/// BSN, and the municipality as its CBS code when known.
pub(crate) async fn normalise_pupil(tx: &mut Tx, data: &PupilData) -> Result<PupilData> {
    let mut d = normalise_fields(data)?;
    if let Some(org) = tx.find_municipality(&d.pupil.municipality).await? {
        d.pupil.municipality = org.id;
    }
    Ok(d)
}

/// [`normalise_pupil`] without the municipality's lookup: trimmed and checked fields.
pub(crate) fn normalise_fields(data: &PupilData) -> Result<PupilData> {
    let mut d = data.clone();
    let p = &mut d.pupil;
    p.id = p.id.trim().to_owned();
    p.group = p.group.trim().to_owned();
    p.municipality = p.municipality.trim().to_owned();
    for (value, what) in [
        (&p.id, "het leerlingnummer"),
        (&p.group, "de groep"),
        (&p.municipality, "de woongemeente"),
    ] {
        if value.is_empty() {
            return Err(ServiceError::invalid(format!("{what} ontbreekt")));
        }
        if value.chars().count() > MAX_ID {
            return Err(ServiceError::invalid(format!(
                "{what} is te lang (hoogstens {MAX_ID} tekens)"
            )));
        }
    }
    if p.birth_date >= p.enrolled_from {
        return Err(ServiceError::invalid(
            "de geboortedatum ligt niet vóór de inschrijfdatum",
        ));
    }
    if let Some(until) = p.enrolled_until
        && until < p.enrolled_from
    {
        return Err(ServiceError::invalid(
            "de uitschrijfdatum ligt vóór de inschrijfdatum",
        ));
    }
    if p.enrolled_until.is_none() && p.next_school.is_some() {
        return Err(ServiceError::invalid(
            "een nieuwe school hoort bij een uitschrijving: vul ook de uitschrijfdatum in",
        ));
    }
    p.next_school = optional(p.next_school.as_deref(), "De nieuwe school")?;
    d.bsn = optional(d.bsn.as_deref(), "Het BSN")?;
    if let Some(bsn) = &d.bsn
        && !verzuim_exchange::values::is_valid_bsn(bsn)
    {
        return Err(ServiceError::invalid(format!(
            "\"{bsn}\" is geen geldig BSN (9 cijfers die de elfproef doorstaan)"
        )));
    }
    d.onderwijsnummer = optional(d.onderwijsnummer.as_deref(), "Het onderwijsnummer")?;
    for field in [
        &mut d.name,
        &mut d.parent_name,
        &mut d.parent_email,
        &mut d.parent_phone,
        &mut d.street,
        &mut d.postcode,
        &mut d.city,
    ] {
        *field = optional(field.as_deref(), "Een leerlinggegeven")?;
    }
    Ok(d)
}

/// The pupil's registrations and events must stay within a changed enrolment.
fn check_within_enrolment(record: &PupilRecord, data: &PupilData) -> Result<()> {
    let from = data.pupil.enrolled_from;
    let until = data.pupil.enrolled_until;
    let outside = |first: Date, last: Date| first < from || until.is_some_and(|u| last > u);
    if let Some(r) = record
        .registrations
        .iter()
        .find(|r| outside(r.span.first_date(), r.span.last_date()))
    {
        return Err(ServiceError::invalid(format!(
            "er staat een registratie op {} buiten de nieuwe inschrijving; verwijder of corrigeer die eerst",
            date_nl(r.span.first_date())
        )));
    }
    if let Some(e) = record.events.iter().find(|e| outside(e.date, e.date)) {
        return Err(ServiceError::invalid(format!(
            "er staat een gebeurtenis op {} buiten de nieuwe inschrijving; verwijder of corrigeer die eerst",
            date_nl(e.date)
        )));
    }
    Ok(())
}

/// Checks a new or corrected registration against the rules and the pupil's other
/// registrations. `replace`: the index of the registration it corrects.
fn check_registration(
    school: &SchoolState,
    today: Date,
    mut record: PupilRecord,
    replace: Option<usize>,
    reg: &Registration,
    note: Option<&str>,
) -> Result<()> {
    check_registration_alone(&record, today, reg, note)?;
    let index = match replace {
        Some(i) => {
            record.registrations[i] = reg.clone();
            i
        }
        None => {
            record.registrations.push(reg.clone());
            record.registrations.len() - 1
        }
    };
    let (from, until) = evaluation_range(&record);
    // The kept calendar over the record's school years (the one the re-evaluation uses).
    let evaluators = school.evaluators(from, until);
    let calendar = evaluators.calendar();
    if let Some(message) = lateness_conflict(calendar, &record, index) {
        return Err(ServiceError::invalid(message));
    }
    if reg.code.is_lateness() {
        return Ok(());
    }
    if let Some(&(a, b)) = calendar
        .absence_overlaps(&record)
        .iter()
        .find(|&&(a, b)| a == index || b == index)
    {
        let other = if a == index { b } else { a };
        let when = record.registrations[other].span.first_date();
        return Err(ServiceError::invalid(format!(
            "deze registratie overlapt met de registratie van {} (zelfde lestijd); twee registraties mogen niet dezelfde lestijd beslaan",
            date_nl(when)
        )));
    }
    Ok(())
}

/// A lateness on a day the pupil was absent the whole day is refused, in either order
/// ([`SchoolCalendar::latenesses_on_absent_days`]: the day's lesson time is all covered by
/// absence registrations of any code). Card row "Te laat komen" counts a pupil arriving late
/// (docs/spec/rules.md §5); a pupil absent all day did not arrive. `index`: the registration
/// being added or corrected; the message names the other one's date. Used by the pages, the API
/// and the import (there with the file's line).
pub(crate) fn lateness_conflict(
    calendar: &SchoolCalendar,
    record: &PupilRecord,
    index: usize,
) -> Option<String> {
    let (late, absence) = calendar
        .latenesses_on_absent_days(record)
        .into_iter()
        .find(|&(late, absence)| {
            late == index
                || absence == index
                || (!record.registrations[index].code.is_lateness()
                    && record.registrations[late].span.first_date()
                        >= record.registrations[index].span.first_date()
                    && record.registrations[late].span.first_date()
                        <= record.registrations[index].span.last_date())
        })?;
    let date = date_nl(record.registrations[late].span.first_date());
    let absence_code = record.registrations[absence].code;
    Some(if index == late {
        format!(
            "te laat komen kan niet op {date}: de leerling is die dag de hele dag afwezig ({}); \
             een leerling die de hele dag afwezig is, komt niet te laat",
            absence_code.label()
        )
    } else {
        format!(
            "de leerling is op {date} als te laat geregistreerd: een afwezigheid die die hele dag \
             beslaat ({}) kan niet; verwijder eerst de registratie van te laat komen",
            record.registrations[index].code.label()
        )
    })
}

/// The refusal of free text with a record about illness (`what`: "een ziekmelding"): the nature
/// of an illness is never stored (docs/spec/rules.md §8). One rule for a `ziek` registration, a
/// `zorg_ziekte` event and the school's decision on a sickness signal from an import.
pub(crate) fn no_note_on_illness(what: &str) -> ServiceError {
    ServiceError::invalid(format!(
        "{what} krijgt geen toelichting: de aard van een ziekte wordt nooit vastgelegd"
    ))
}

/// The checks of one registration that need no other registrations.
pub(crate) fn check_registration_alone(
    record: &PupilRecord,
    today: Date,
    reg: &Registration,
    note: Option<&str>,
) -> Result<()> {
    if reg.code == Code::Ziek && note.is_some() {
        return Err(no_note_on_illness("een ziekmelding"));
    }
    if reg.minutes_late.is_some() && reg.code != Code::TeLaat {
        return Err(ServiceError::invalid(
            "minuten te laat horen alleen bij de code te_laat",
        ));
    }
    match reg.span {
        Span::Days { from, until } => {
            if until < from {
                return Err(ServiceError::invalid("het einde ligt vóór het begin"));
            }
            if reg.code == Code::TeLaat && until != from {
                return Err(ServiceError::invalid(
                    "te laat komen geldt voor één dag: begin en einde moeten dezelfde dag zijn",
                ));
            }
        }
        Span::Times { from, until, .. } => {
            if from > 24 * 60 || until.is_some_and(|u| u > 24 * 60) {
                return Err(ServiceError::invalid("een tijd ligt buiten de dag"));
            }
            if until.is_some_and(|u| u <= from) {
                return Err(ServiceError::invalid(
                    "het einde ligt niet na het begin (een tijdvak ligt binnen één dag)",
                ));
            }
        }
    }
    let (first, last) = (reg.span.first_date(), reg.span.last_date());
    if last > today {
        return Err(ServiceError::invalid(format!(
            "een registratie mag niet na vandaag ({}) liggen",
            date_nl(today)
        )));
    }
    let p = &record.pupil;
    if first < p.enrolled_from || p.enrolled_until.is_some_and(|u| last > u) {
        return Err(ServiceError::invalid(format!(
            "de registratie ligt (deels) buiten de inschrijving van de leerling ({} t/m {})",
            date_nl(p.enrolled_from),
            p.enrolled_until.map_or("heden".to_owned(), date_nl)
        )));
    }
    Ok(())
}

/// Trims an event's note and checks it alone (docs/spec/rules.md §8 and the card's verwijdering).
fn normalise_event(event: &Event) -> Result<Event> {
    let note = optional(event.note.as_deref(), "De toelichting")?;
    if event.kind == EventKind::ZorgZiekte && note.is_some() {
        return Err(no_note_on_illness("zorg_ziekte"));
    }
    if event.kind == EventKind::Verwijdering && note.is_none() {
        return Err(ServiceError::invalid(
            "een verwijdering noemt de school die de leerling toelaat",
        ));
    }
    Ok(Event {
        kind: event.kind,
        date: event.date,
        note,
    })
}

/// One event of a kind per pupil per date: each raises the card's signal of that date
/// (docs/spec/rules.md §2), and a pupil has one active signal of a kind on a date. `except`: the
/// event being corrected.
fn check_not_recorded(
    record: &PupilRecord,
    refs: &[VersionRef],
    event: &Event,
    except: Option<EventId>,
) -> Result<()> {
    let recorded = record.events.iter().zip(refs).any(|(e, r)| {
        e.kind == event.kind && e.date == event.date && except.is_none_or(|id| id != r.id)
    });
    if recorded {
        return Err(ServiceError::invalid(format!(
            "er is al een gebeurtenis {} op {} vastgelegd voor deze leerling",
            event.kind.as_str(),
            date_nl(event.date)
        )));
    }
    Ok(())
}

pub(crate) fn check_event(record: &PupilRecord, today: Date, event: &Event) -> Result<()> {
    if event.date > today {
        return Err(ServiceError::invalid(format!(
            "een gebeurtenis mag niet na vandaag ({}) liggen",
            date_nl(today)
        )));
    }
    let p = &record.pupil;
    if event.date < p.enrolled_from || p.enrolled_until.is_some_and(|u| event.date > u) {
        return Err(ServiceError::invalid(
            "de gebeurtenis ligt buiten de inschrijving van de leerling",
        ));
    }
    Ok(())
}

/// Adds a registration in `tx` for someone who is not the school's staff: a parent's sick
/// report or granted leave ([`crate::parents`]). The same checks and the same re-evaluation as
/// [`add_registration`]; the caller has checked who may do it. Returns the new version.
pub(crate) async fn add_registration_in(
    tx: &mut Tx,
    by: verzuim_store::Actor,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    registration: &Registration,
) -> Result<VersionRef> {
    let (version, _) =
        add_registration_with(tx, by, today, school_id, pupil_id, registration, None, None).await?;
    Ok(version)
}

/// Changes (or, with `None`, deletes) registration `id` in `tx` for a parent's sick report or
/// granted leave ([`crate::parents`]), with the same checks and re-evaluation as the school's
/// correction; a melding that reported it is marked "gewijzigd na melding".
pub(crate) async fn change_registration_in(
    tx: &mut Tx,
    by: verzuim_store::Actor,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    id: RegistrationId,
    registration: Option<&Registration>,
) -> Result<()> {
    tx.lock_pupil(school_id, pupil_id).await?;
    let current = tx
        .current_record(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let index = current
        .registrations
        .iter()
        .position(|v| v.id == id)
        .ok_or(ServiceError::NotFound)?;
    let school = school_state::current(tx, school_id).await?;
    let old = current.record.registrations[index].clone();
    let what = match registration {
        Some(r) => {
            check_registration(&school, today, current.record.clone(), Some(index), r, None)?;
            tx.correct_registration(school_id, id, r, None, by).await?;
            format!(
                "Registratie {} gecorrigeerd naar {}",
                describe(&old),
                describe(r)
            )
        }
        None => {
            tx.delete_registration(school_id, id, by).await?;
            format!("Registratie {} verwijderd", describe(&old))
        }
    };
    resync_and_note(
        tx,
        by,
        school_id,
        pupil_id,
        &school,
        Some(Touched::Registration(id)),
        registration.and_then(|r| now_covers(&old, r)),
        &what,
        None,
    )
    .await?;
    Ok(())
}
