//! Loading the input files and the checks across files: registrations and events of known
//! pupils, within their enrolment, and absence registrations that do not overlap.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::day_number;
use verzuim_engine::model::{PupilRecord, Registration, School, Span};

use crate::error::InputError;
use crate::events::{self, EventRow};
use crate::pupils::{self, Pupils};
use crate::registrations::{self, RegRow, RegRows};
use crate::school::parse_school;
use crate::values::date_nl;

/// One input file's name (for errors) and contents.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// The paths of the input files (formats.md, `verzuim evaluate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFiles {
    pub school: PathBuf,
    pub pupils: PathBuf,
    pub registrations: PathBuf,
    pub events: Option<PathBuf>,
    /// Keep each pupil's [`PupilDetails`] (name, BSN, contact). They are checked either way;
    /// without this they are left empty, which keeps a region of a million pupils small when
    /// the output does not show them (the JSON of `verzuim evaluate`).
    pub details: bool,
}

/// What pupils.csv says about a pupil beyond what the rules need: for people reading the output,
/// letters and the melding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PupilDetails {
    pub name: Option<String>,
    pub bsn: Option<String>,
    pub onderwijsnummer: Option<String>,
    pub parent_name: Option<String>,
    pub parent_email: Option<String>,
    pub parent_phone: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

/// One pupil with everything the input files say about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilInput {
    pub record: PupilRecord,
    /// Shared by every pupil (one empty value) when [`InputFiles::details`] is off.
    pub details: Arc<PupilDetails>,
    /// The line in registrations.csv of each of `record.registrations`.
    pub registration_lines: Vec<u64>,
    /// The line in events.csv of each of `record.events`.
    pub event_lines: Vec<u64>,
}

/// Valid input: the school and its pupils (in the order of pupils.csv).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub school: School,
    pub pupils: Vec<PupilInput>,
    /// The first and last date in the input (enrolments, registrations, events; the school's
    /// closed periods when there are none): the range to pass to `Evaluator::new`.
    pub first_date: Date,
    pub last_date: Date,
}

/// Reads a file named on the command line; the error (named by the path as given) says in
/// Dutch why it cannot be read.
pub fn read_file(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "het bestand bestaat niet".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "geen toestemming om het bestand te lezen".to_string()
            }
            std::io::ErrorKind::IsADirectory => "dit is een map, geen bestand".to_string(),
            _ => format!("kan het bestand niet lezen: {e}"),
        };
        InputError::file(&path.display().to_string(), why)
    })
}

/// Reads and checks the input files. Errors name each file by its path as given.
pub fn load(files: &InputFiles) -> Result<Input, Vec<InputError>> {
    let mut errors = Vec::new();
    let read = |path: &PathBuf, errors: &mut Vec<InputError>| -> (String, Option<Vec<u8>>) {
        let name = path.display().to_string();
        match read_file(path) {
            Ok(bytes) => (name, Some(bytes)),
            Err(e) => {
                errors.push(e);
                (name, None)
            }
        }
    };
    // One file after the other, each dropped once it is read: a region's files are large.
    let mut file_errors: [Vec<InputError>; 4] = Default::default();
    let half = {
        let school = read(&files.school, &mut file_errors[0]);
        let pupils = read(&files.pupils, &mut file_errors[1]);
        first_half(source(&school), source(&pupils), file_errors, files.details)
    };
    let rows = {
        let mut half = half;
        let regs = read(&files.registrations, &mut half.errors[2]);
        let events = files.events.as_ref().map(|p| read(p, &mut half.errors[3]));
        second_half(half, source(&regs), events.as_ref().and_then(source))
    };
    // The files' bytes are gone before the pupils' records are built.
    let result = finish(rows);
    match result {
        Ok(input) => Ok(input),
        Err(e) => {
            errors.extend(e);
            Err(errors)
        }
    }
}

fn source((name, bytes): &(String, Option<Vec<u8>>)) -> Option<Source<'_>> {
    bytes.as_ref().map(|b| Source {
        name: name.as_str(),
        bytes: b.as_slice(),
    })
}

/// Parses and checks the input files' contents: every problem is reported, file by file, in
/// line order.
pub fn parse(
    school: Source<'_>,
    pupils: Source<'_>,
    registrations: Source<'_>,
    events: Option<Source<'_>>,
) -> Result<Input, Vec<InputError>> {
    let half = first_half(Some(school), Some(pupils), Default::default(), true);
    finish(second_half(half, Some(registrations), events))
}

/// The school and the pupils, read and checked; the errors so far, per file (school, pupils,
/// registrations, events).
struct FirstHalf {
    school: Option<School>,
    pupils: Pupils,
    errors: [Vec<InputError>; 4],
}

/// Reads the school beside the pupils (they do not depend on each other). `None` for a file that
/// could not be read (its error is already in `errors`).
fn first_half(
    school: Option<Source<'_>>,
    pupils: Option<Source<'_>>,
    errors: [Vec<InputError>; 4],
    details: bool,
) -> FirstHalf {
    let [
        mut school_errors,
        mut pupil_errors,
        reg_errors,
        event_errors,
    ] = errors;
    let (school, pupils) = rayon::join(
        || {
            school.and_then(|s| match parse_school(s.name, s.bytes) {
                Ok(school) => Some(school),
                Err(e) => {
                    school_errors.extend(e);
                    None
                }
            })
        },
        || match pupils {
            Some(source) => pupils::parse(&source, details, &mut pupil_errors),
            None => Pupils::unreadable(),
        },
    );
    FirstHalf {
        school,
        pupils,
        errors: [school_errors, pupil_errors, reg_errors, event_errors],
    }
}

/// Everything read and checked row by row, for [`finish`].
struct AllRows {
    school: Option<School>,
    pupils: Pupils,
    regs: RegRows,
    events: Vec<EventRow>,
    reg_file: String,
    errors: [Vec<InputError>; 4],
}

/// Reads the registrations beside the events (both look pupils up).
fn second_half(
    half: FirstHalf,
    registrations: Option<Source<'_>>,
    events: Option<Source<'_>>,
) -> AllRows {
    let FirstHalf {
        school,
        pupils,
        errors,
    } = half;
    let [
        school_errors,
        pupil_errors,
        mut reg_errors,
        mut event_errors,
    ] = errors;
    let reg_file = registrations.map_or("", |s| s.name).to_string();
    let (regs, events) = rayon::join(
        || {
            registrations
                .map(|s| registrations::parse(&s, &pupils, &mut reg_errors))
                .unwrap_or_default()
        },
        || {
            events
                .map(|s| events::parse(&s, &pupils, &mut event_errors))
                .unwrap_or_default()
        },
    );
    let mut pupils = pupils;
    // The ids are looked up no more.
    pupils.ids = Default::default();
    AllRows {
        school,
        pupils,
        regs,
        events,
        reg_file,
        errors: [school_errors, pupil_errors, reg_errors, event_errors],
    }
}

/// Builds the input from the rows and reports every problem, file by file, in line order.
fn finish(rows: AllRows) -> Result<Input, Vec<InputError>> {
    let AllRows {
        school,
        pupils,
        regs,
        events,
        reg_file,
        errors,
    } = rows;
    let [school_errors, pupil_errors, mut reg_errors, event_errors] = errors;
    let (first_date, last_date) = date_range(&pupils, &regs.chunks, &events, school.as_ref());
    let mut input = school.map(|school| Input {
        school,
        pupils: Vec::new(),
        first_date,
        last_date,
    });
    if let Some(input) = &mut input {
        build(input, pupils, regs, events, &reg_file, &mut reg_errors);
    }
    let mut all = Vec::new();
    for mut file_errors in [school_errors, pupil_errors, reg_errors, event_errors] {
        file_errors.sort_by_key(|e| (e.line, e.column));
        all.extend(file_errors);
    }
    match input {
        Some(input) if all.is_empty() => Ok(input),
        _ => Err(all),
    }
}

fn date_range(
    pupils: &Pupils,
    regs: &[Vec<RegRow>],
    events: &[EventRow],
    school: Option<&School>,
) -> (Date, Date) {
    let dates = pupils
        .rows
        .iter()
        .flat_map(|p| {
            let p = &p.record.pupil;
            [Some(p.enrolled_from), p.enrolled_until]
        })
        .flatten()
        .chain(regs.iter().flatten().flat_map(|r| {
            [
                r.registration.span.first_date(),
                r.registration.span.last_date(),
            ]
        }))
        .chain(events.iter().map(|e| e.event.date));
    let mut range: Option<(Date, Date)> = None;
    for d in dates {
        range = Some(range.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
    }
    if range.is_none() {
        for p in school.map_or(&[][..], |s| &s.closed[..]) {
            range = Some(range.map_or((p.from, p.until), |(a, b)| (a.min(p.from), b.max(p.until))));
        }
    }
    // Without any date: a fixed day; the caller widens the range with its own date anyway.
    let fallback = Date::constant(2000, 1, 1);
    range.unwrap_or((fallback, fallback))
}

/// Puts the rows into the pupils' records, resolves open-ended time spans from the school
/// calendar and reports overlapping absence registrations.
fn build(
    input: &mut Input,
    pupils: Pupils,
    regs: RegRows,
    events: Vec<EventRow>,
    reg_file: &str,
    reg_errors: &mut Vec<InputError>,
) {
    input.pupils = pupils.rows;
    // Each pupil's lists at their exact size: a region has a million pupils.
    let mut counts = vec![(0u32, 0u32); input.pupils.len()];
    for row in regs.chunks.iter().flatten() {
        if let Some(c) = counts.get_mut(row.pupil) {
            c.0 += 1;
        }
    }
    for row in &events {
        if let Some(c) = counts.get_mut(row.pupil) {
            c.1 += 1;
        }
    }
    for (pupil, &(r, e)) in input.pupils.iter_mut().zip(&counts) {
        pupil.record.registrations.reserve_exact(r as usize);
        pupil.registration_lines.reserve_exact(r as usize);
        pupil.record.events.reserve_exact(e as usize);
        pupil.event_lines.reserve_exact(e as usize);
    }
    drop(counts);
    let calendar = SchoolCalendar::new(&input.school, input.first_date, input.last_date);
    let start_column = regs.start_column;
    // Chunk by chunk, each dropped once its rows are in place.
    for mut row in regs.chunks.into_iter().flatten() {
        let Some(pupil) = input.pupils.get_mut(row.pupil) else {
            continue;
        };
        if let Span::Times {
            date,
            from,
            until: until @ None,
        } = &mut row.registration.span
        {
            // An empty end after a time: until the end of that day's lesson time.
            let end = calendar
                .group(&pupil.record.pupil.group)
                .lesson_times(day_number(*date))
                .iter()
                .map(|t| t.end)
                .max();
            *until = Some(end.unwrap_or(*from).max(*from));
        }
        pupil.record.registrations.push(row.registration);
        pupil.registration_lines.push(row.line);
    }
    for row in events {
        if let Some(pupil) = input.pupils.get_mut(row.pupil) {
            pupil.record.events.push(row.event);
            pupil.event_lines.push(row.line);
        }
    }
    let overlaps: Vec<InputError> = input
        .pupils
        .par_iter()
        .filter(|pupil| pupil.record.registrations.len() >= 2)
        .flat_map_iter(|pupil| {
            let calendar = &calendar;
            calendar
                .absence_overlaps(&pupil.record)
                .into_iter()
                .filter_map(move |(a, b)| {
                    let (Some(&line_a), Some(&line_b)) = (
                        pupil.registration_lines.get(a),
                        pupil.registration_lines.get(b),
                    ) else {
                        return None;
                    };
                    // Report on the later line, naming the earlier one.
                    let (early, late) = if line_a <= line_b { (a, b) } else { (b, a) };
                    let (early_line, late_line) = (line_a.min(line_b), line_a.max(line_b));
                    let day = shared_lesson_day(
                        calendar,
                        &pupil.record.pupil.group,
                        &pupil.record.registrations[early],
                        &pupil.record.registrations[late],
                    );
                    let on = day.map_or(String::new(), |d| format!(" op {}", date_nl(d)));
                    Some(InputError::at(
                        reg_file,
                        late_line,
                        start_column,
                        format!(
                            "overlapt met regel {early_line} (zelfde lestijd{on}); twee registraties van leerling \"{}\" mogen niet dezelfde lestijd beslaan",
                            pupil.record.pupil.id
                        ),
                    ))
                })
        })
        .collect();
    reg_errors.extend(overlaps);
}

/// The first lesson day that two registrations share.
fn shared_lesson_day(
    calendar: &SchoolCalendar,
    group: &str,
    a: &Registration,
    b: &Registration,
) -> Option<Date> {
    let from = a.span.first_date().max(b.span.first_date());
    let until = a.span.last_date().min(b.span.last_date());
    let cal = calendar.group(group);
    (day_number(from)..=day_number(until))
        .find(|&d| cal.is_lesson_day(d))
        .map(verzuim_engine::calendar::date_of)
}
