//! `events.csv` (formats.md): events the school records by hand (verwijdering, zorg_ziekte,
//! overig_verzuim).

use verzuim_engine::model::{Event, EventKind};

use crate::csvfile;
use crate::error::InputError;
use crate::input::Source;
use crate::pupils::Pupils;
use crate::values::{When, date_nl, parse_date, parse_when};

const COLUMNS: &[&str] = &["pupil_id", "date", "event", "note"];
const REQUIRED: &[&str] = &["pupil_id", "date", "event"];
const PUPIL_ID: usize = 0;
const DATE: usize = 1;
const EVENT: usize = 2;
const NOTE: usize = 3;

/// A valid event row of a known pupil.
pub(crate) struct EventRow {
    pub pupil: usize,
    pub event: Event,
    pub line: u64,
}

pub(crate) fn parse(
    source: &Source<'_>,
    pupils: &Pupils,
    errors: &mut Vec<InputError>,
) -> Vec<EventRow> {
    let mut rows = Vec::new();
    csvfile::read(source, COLUMNS, REQUIRED, errors, |row, errors| {
        let before = errors.len();
        let pupil = row.required(PUPIL_ID, errors).and_then(|id| {
            pupils.find(id).unwrap_or_else(|message| {
                errors.push(row.error(PUPIL_ID, message));
                None
            })
        });
        let date = row.required(DATE, errors).and_then(|s| {
            let result = match parse_when(s) {
                Ok(When::DateTime(..)) => Err(format!(
                    "date \"{s}\" moet een datum zonder tijd zijn (JJJJ-MM-DD of DD-MM-JJJJ)"
                )),
                _ => parse_date(s),
            };
            result
                .map_err(|message| errors.push(row.error(DATE, message)))
                .ok()
        });
        let kind = row.required(EVENT, errors).and_then(|s| {
            let kind = EventKind::parse(s);
            if kind.is_none() {
                errors.push(row.error(
                    EVENT,
                    format!(
                        "onbekende gebeurtenis \"{s}\"; geldig zijn: {}",
                        EventKind::ALL.map(EventKind::as_str).join(", ")
                    ),
                ));
            }
            kind
        });
        let note = row.get(NOTE);
        // Without a note column, the missing note is pointed out at the event.
        let note_column = if row.col(NOTE).is_some() { NOTE } else { EVENT };
        match kind {
            Some(EventKind::Verwijdering) if !row.is_set(NOTE) => errors.push(row.error(
                note_column,
                "bij verwijdering is note verplicht: de school die heeft toegezegd de leerling toe te laten",
            )),
            Some(EventKind::ZorgZiekte) if row.is_set(NOTE) => errors.push(row.error(
                NOTE,
                "een notitie bij zorg_ziekte wordt geweigerd: de aard van een ziekte wordt nooit vastgelegd",
            )),
            _ => {}
        }
        let (Some(pupil), Some(date), Some(kind)) = (pupil, date, kind) else {
            return;
        };
        if errors.len() > before {
            return;
        }
        if let Some(p) = pupils.rows.get(pupil) {
            let p = &p.record.pupil;
            if date < p.enrolled_from || p.enrolled_until.is_some_and(|u| date > u) {
                let enrolment = match p.enrolled_until {
                    Some(u) => format!("{} t/m {}", date_nl(p.enrolled_from), date_nl(u)),
                    None => format!("vanaf {}", date_nl(p.enrolled_from)),
                };
                errors.push(row.error(
                    DATE,
                    format!(
                        "de datum {} ligt buiten de inschrijving van leerling \"{}\" ({enrolment})",
                        date_nl(date),
                        p.id
                    ),
                ));
                return;
            }
        }
        rows.push(EventRow {
            pupil,
            event: Event {
                kind,
                date,
                note: note.map(str::to_string),
            },
            line: row.line,
        });
    });
    rows
}
