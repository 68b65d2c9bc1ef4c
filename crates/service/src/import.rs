//! Bulk import of formats.md files into one school, all or nothing: the files are checked by
//! the exchange crate (every problem with its file, line and column), then by the service's own
//! rules (nothing after today; no overlap with registrations already stored), and only when there
//! is no problem at all is anything stored — in one transaction, with every imported pupil
//! re-evaluated in it.
//!
//! Registrations and events identical to stored ones are skipped: a second import of the same
//! files stores nothing twice and raises nothing twice. With [`ImportOptions::review_before`]
//! (the pages and the API: the day of the import, or the cut-off the user sets) the signals the
//! import raises dated before that day wait for the coordinator's review without tasks
//! ([`crate::import_review`], issue 10.9). A registration or event the import adds on a day a
//! melding reported marks that melding "gewijzigd na melding" as the pages do (issue 10.3).

use std::collections::HashSet;

use jiff::civil::Date;
use serde::Serialize;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::model::PupilRecord;
use verzuim_exchange::{InputError, Source};
use verzuim_store::import_review::{ImportReview, ReviewStatus};
use verzuim_store::{Page, PupilData, SchoolSettings, Scope, Store, Tx};

use crate::caller::{Caller, PUPIL_ROLES};
use crate::error::{Result, ServiceError};
use crate::import_review::hold_new_signals;
use crate::records::{describe_event, note_addition, note_change_after_melding};
use crate::school::{resync_school, school_toml};
use crate::sync::{SyncReport, evaluation_range, settings, sync_pupil};
use crate::text::date_nl;

/// The files of one import. Without `school`, the school's stored settings are used to read the
/// other files; with it, its `id` must be the school's, and its lesson times and closed periods
/// replace the stored ones (the card stays; every pupil of the school is then re-evaluated).
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub school: Option<Source<'a>>,
    pub pupils: Source<'a>,
    pub registrations: Source<'a>,
    pub events: Option<Source<'a>>,
}

/// How an import treats the signals it raises (issue 10.9, starting mid-year).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Signals the import raises dated before this day are held for the coordinator's review
    /// ("te beoordelen na import") instead of opening cases and tasks; not after today. `None`:
    /// every new signal follows the normal flow (the demo seeder).
    pub review_before: Option<Date>,
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub pupils_created: usize,
    pub pupils_updated: usize,
    pub registrations: usize,
    pub events: usize,
    /// Registrations identical to stored ones (same code, days, times, minutes): not stored again.
    pub registrations_skipped: usize,
    /// Events identical to stored ones (same kind and date): not stored again.
    pub events_skipped: usize,
    pub settings_replaced: bool,
    /// The cut-off of this import's review, if any.
    pub review_before: Option<Date>,
    /// The signals this import raised that wait for review, by pupil and date.
    pub to_review: Vec<ImportReview>,
    pub sync: SyncReport,
}

/// The card of a school that gets its settings from an import and had none.
pub(crate) const DEFAULT_CARD: &str = "twente-po";

/// Imports formats.md files into the school `school_id`, all or nothing, every new signal in the
/// normal flow ([`import_with`] without a review). Invalid files give [`ServiceError::Input`]
/// with every problem (file, line, column, Dutch message) and store nothing.
pub async fn import(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    files: Sources<'_>,
) -> Result<ImportReport> {
    import_with(
        store,
        caller,
        today,
        school_id,
        files,
        ImportOptions::default(),
    )
    .await
}

/// [`import`] with options: with `review_before`, the signals the import raises dated before it
/// wait for the coordinator's review ([`crate::import_review`]).
pub async fn import_with(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    files: Sources<'_>,
    options: ImportOptions,
) -> Result<ImportReport> {
    caller.require_school(school_id, PUPIL_ROLES, "bestanden importeren")?;
    if let Some(before) = options.review_before
        && before > today
    {
        return Err(ServiceError::invalid(format!(
            "de grensdatum voor beoordeling ({}) ligt na vandaag ({}): signalen van vóór die datum worden beoordeeld, dus kies vandaag of eerder",
            date_nl(before),
            date_nl(today)
        )));
    }
    let (stored, input) = read_files(store, today, school_id, files).await?;
    let reg_file = files.registrations.name;
    let mut errors = Vec::new();
    let by = caller.actor();
    let mut tx = store.begin().await?;
    let mut report = ImportReport::default();
    if files.school.is_some() {
        let card_id = stored
            .as_ref()
            .map_or(DEFAULT_CARD.to_owned(), |s| s.card_id.clone());
        tx.put_school_settings(
            school_id,
            &SchoolSettings {
                card_id,
                school: input.school.clone(),
            },
        )
        .await?;
        report.settings_replaced = true;
    }
    let mut imported = Vec::new();
    for p in &input.pupils {
        let data = pupil_data(p);
        let data = match crate::records::normalise_pupil(&mut tx, &data).await {
            Ok(data) => data,
            Err(ServiceError::Invalid(message)) => {
                errors.push(pupil_refused(
                    files.pupils.name,
                    &p.record.pupil.id,
                    &message,
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        let existing = tx.current_record(school_id, &data.pupil.id).await?;
        // The stored registrations (if any) and the imported ones, together.
        let mut combined = existing.as_ref().map_or_else(
            || PupilRecord {
                pupil: data.pupil.clone(),
                registrations: Vec::new(),
                events: Vec::new(),
            },
            |c| c.record.clone(),
        );
        combined.pupil = data.pupil.clone();
        let stored_count = combined.registrations.len();
        // Identical to a stored registration: already there (a second import of the same file).
        let mut fresh = Vec::new();
        let mut lines = Vec::new();
        for (reg, line) in p.record.registrations.iter().zip(&p.registration_lines) {
            if combined.registrations[..stored_count].contains(reg) {
                report.registrations_skipped += 1;
            } else {
                fresh.push(reg.clone());
                lines.push(*line);
            }
        }
        let mut new_events = Vec::new();
        for event in &p.record.events {
            if combined
                .events
                .iter()
                .any(|e| e.kind == event.kind && e.date == event.date)
            {
                report.events_skipped += 1;
            } else {
                new_events.push(event.clone());
            }
        }
        combined.registrations.extend(fresh.iter().cloned());
        let (from, until) = evaluation_range(&combined);
        let calendar = SchoolCalendar::new(&input.school, from, until);
        lateness_errors(
            &calendar,
            &combined,
            stored_count,
            &lines,
            reg_file,
            &mut errors,
        );
        if existing.is_some() {
            // Registrations already stored and imported ones must not share lesson time.
            for (a, b) in calendar.absence_overlaps(&combined) {
                if a < stored_count && b >= stored_count {
                    let line = lines[b - stored_count];
                    errors.push(InputError::at(
                        reg_file,
                        line,
                        None,
                        format!(
                            "overlapt met een registratie van leerling \"{}\" die al is opgeslagen (op {})",
                            data.pupil.id,
                            date_nl(combined.registrations[a].span.first_date())
                        ),
                    ));
                }
            }
            tx.update_pupil(school_id, &data).await?;
            report.pupils_updated += 1;
        } else {
            tx.insert_pupil(school_id, &data).await?;
            report.pupils_created += 1;
        }
        for reg in &fresh {
            tx.add_registration(school_id, &data.pupil.id, reg, None, by)
                .await?;
            report.registrations += 1;
        }
        for event in &new_events {
            tx.add_event(school_id, &data.pupil.id, event, by).await?;
            report.events += 1;
        }
        imported.push((data.pupil.id.clone(), fresh, new_events));
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        return Err(ServiceError::Input(sorted(errors)));
    }
    report.review_before = options.review_before;
    let mut held = HashSet::new();
    if let Some(before) = options.review_before {
        let settings = settings(&mut tx, school_id).await?;
        let pupils: Vec<String> = if report.settings_replaced {
            school_pupils(&mut tx, school_id).await?
        } else {
            imported.iter().map(|(id, _, _)| id.clone()).collect()
        };
        for id in &pupils {
            held.extend(hold_new_signals(&mut tx, by, school_id, id, &settings, before).await?);
        }
    }
    if report.settings_replaced {
        report.sync = resync_school(&mut tx, by, school_id).await?;
    } else {
        for (id, _, _) in &imported {
            report
                .sync
                .absorb(sync_pupil(&mut tx, by, school_id, id).await?);
        }
    }
    // What the import added on days a melding already reported marks it (issue 10.3).
    for (id, regs, events) in &imported {
        for reg in regs {
            note_addition(&mut tx, by, school_id, id, reg, &mut report.sync).await?;
        }
        for event in events {
            let what = format!(
                "Gebeurtenis {} toegevoegd na de melding",
                describe_event(event)
            );
            note_change_after_melding(
                &mut tx,
                by,
                school_id,
                id,
                None,
                Some((event.date, event.date)),
                &what,
                None,
                &mut report.sync,
            )
            .await?;
        }
    }
    if !held.is_empty() {
        report.to_review = tx
            .import_reviews(school_id, None, Some(ReviewStatus::TeBeoordelen))
            .await?
            .into_iter()
            .filter(|r| held.contains(&r.signal_id))
            .collect();
    }
    if let Some(row) = &caller.audit {
        // The request's row names what came in: `{object}:{n} leerlingen, {r} registraties, {e}
        // gebeurtenissen`, committed with the import.
        let mut row = row.clone();
        row.object = format!(
            "{}:{} leerlingen, {} registraties, {} gebeurtenissen",
            row.object,
            report.pupils_created + report.pupils_updated,
            report.registrations,
            report.events
        );
        tx.audit(&row).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// Reads and checks an import's files against the school (its stored settings when the files
/// bring no school.toml): formats.md's checks, the school's id, nothing after `today`. Returns
/// the stored settings (if any) and the input.
pub(crate) async fn read_files(
    store: &Store,
    today: Date,
    school_id: &str,
    files: Sources<'_>,
) -> Result<(Option<SchoolSettings>, verzuim_exchange::Input)> {
    let stored = {
        let mut tx = store.connection().await?;
        tx.school_settings(school_id).await?
    };
    let rendered;
    let school_source = match (files.school, &stored) {
        (Some(source), _) => source,
        (None, Some(settings)) => {
            rendered = school_toml(&settings.school);
            Source {
                name: "school.toml (opgeslagen instellingen)",
                bytes: rendered.as_bytes(),
            }
        }
        (None, None) => {
            return Err(ServiceError::Input(vec![InputError::file(
                "school.toml",
                format!("school {school_id} heeft nog geen instellingen: lever school.toml mee"),
            )]));
        }
    };
    let input = verzuim_exchange::parse(
        school_source,
        files.pupils,
        files.registrations,
        files.events,
    )
    .map_err(ServiceError::Input)?;
    let mut errors = Vec::new();
    if files.school.is_some() && input.school.id != school_id {
        errors.push(InputError::file(
            school_source.name,
            format!(
                "id \"{}\" is niet de school waarin geïmporteerd wordt ({school_id})",
                input.school.id
            ),
        ));
    }
    let reg_file = files.registrations.name;
    let event_file = files.events.map_or("events.csv", |s| s.name);
    for p in &input.pupils {
        for (reg, line) in p.record.registrations.iter().zip(&p.registration_lines) {
            if reg.span.last_date() > today {
                errors.push(InputError::at(
                    reg_file,
                    *line,
                    None,
                    format!(
                        "de registratie ligt na vandaag ({}): registraties in de toekomst worden niet opgeslagen",
                        date_nl(today)
                    ),
                ));
            }
        }
        for (event, line) in p.record.events.iter().zip(&p.event_lines) {
            if event.date > today {
                errors.push(InputError::at(
                    event_file,
                    *line,
                    None,
                    format!(
                        "de gebeurtenis ligt na vandaag ({}): gebeurtenissen in de toekomst worden niet opgeslagen",
                        date_nl(today)
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Input(sorted(errors)));
    }
    Ok((stored, input))
}

/// What pupils.csv says about one pupil, as the store keeps it.
pub(crate) fn pupil_data(p: &verzuim_exchange::PupilInput) -> PupilData {
    let details = &p.details;
    PupilData {
        pupil: p.record.pupil.clone(),
        name: details.name.clone(),
        bsn: details.bsn.clone(),
        onderwijsnummer: details.onderwijsnummer.clone(),
        parent_name: details.parent_name.clone(),
        parent_email: details.parent_email.clone(),
        parent_phone: details.parent_phone.clone(),
        street: details.street.clone(),
        postcode: details.postcode.clone(),
        city: details.city.clone(),
    }
}

/// Every pupil of the school (an import that replaced the school's settings re-evaluates them
/// all).
async fn school_pupils(tx: &mut Tx, school_id: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut page = Page::first(verzuim_store::MAX_PAGE_SIZE);
    loop {
        let batch = tx.list_pupils(Scope::School(school_id), page).await?;
        let done = batch.len() < page.limit() as usize;
        ids.extend(batch.into_iter().map(|p| p.data.pupil.id));
        if done {
            break;
        }
        page = page.next();
    }
    Ok(ids)
}

/// A lateness on a day the pupil was absent the whole day is refused (see
/// [`crate::records::lateness_conflict`]; card row "Te laat komen", docs/spec/rules.md §5), within
/// the files and against what is stored: the error names the imported line — the lateness's, or,
/// when the lateness is stored, the imported absence's on that day. `stored`: how many of
/// `record`'s registrations were stored before the import; `lines`: the imported ones' lines.
pub(crate) fn lateness_errors(
    calendar: &SchoolCalendar,
    record: &PupilRecord,
    stored: usize,
    lines: &[u64],
    file: &str,
    errors: &mut Vec<InputError>,
) {
    for (late, absence) in calendar.latenesses_on_absent_days(record) {
        let date = record.registrations[late].span.first_date();
        let pupil = &record.pupil.id;
        if late >= stored {
            errors.push(InputError::at(
                file,
                lines[late - stored],
                None,
                format!(
                    "te laat komen kan niet: leerling \"{pupil}\" is op {} de hele dag afwezig ({}); een leerling die de hele dag afwezig is, komt niet te laat",
                    date_nl(date),
                    record.registrations[absence].code.label()
                ),
            ));
            continue;
        }
        let imported = (stored..record.registrations.len()).find(|&i| {
            let r = &record.registrations[i];
            !r.code.is_lateness() && r.span.first_date() <= date && date <= r.span.last_date()
        });
        if let Some(i) = imported {
            errors.push(InputError::at(
                file,
                lines[i - stored],
                None,
                format!(
                    "leerling \"{pupil}\" is op {} al als te laat geregistreerd: een afwezigheid die die hele dag beslaat kan niet; verwijder eerst de registratie van te laat komen",
                    date_nl(date)
                ),
            ));
        }
    }
}

pub(crate) fn sorted(mut errors: Vec<InputError>) -> Vec<InputError> {
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    errors
}

/// A pupil of pupils.csv the service refused (`normalise_pupil`), as an input error of that file
/// (the import and `load` alike).
pub(crate) fn pupil_refused(file: &str, pupil_id: &str, message: &str) -> InputError {
    InputError::file(file, format!("leerling \"{pupil_id}\": {message}"))
}
