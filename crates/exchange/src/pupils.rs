//! `pupils.csv` (formats.md): one row per pupil's enrolment at the school.

use std::collections::HashMap;
use std::sync::Arc;

use verzuim_engine::model::{Pupil, PupilRecord};

use crate::csvfile::{self, Row};
use crate::error::InputError;
use crate::input::{PupilDetails, PupilInput, Source};
use crate::values::{date_nl, is_valid_bsn, parse_date};

/// The columns of pupils.csv (formats.md), in the order `write::pupils_csv` writes them.
pub(crate) const COLUMNS: &[&str] = &[
    "pupil_id",
    "birth_date",
    "group",
    "municipality",
    "enrolled_from",
    "enrolled_until",
    "next_school",
    "name",
    "bsn",
    "onderwijsnummer",
    "parent_name",
    "parent_email",
    "parent_phone",
    "street",
    "postcode",
    "city",
];
const REQUIRED: &[&str] = &[
    "pupil_id",
    "birth_date",
    "group",
    "municipality",
    "enrolled_from",
];
const PUPIL_ID: usize = 0;
const BIRTH_DATE: usize = 1;
const GROUP: usize = 2;
const MUNICIPALITY: usize = 3;
const ENROLLED_FROM: usize = 4;
const ENROLLED_UNTIL: usize = 5;
const NEXT_SCHOOL: usize = 6;
const NAME: usize = 7;
const BSN: usize = 8;
const ONDERWIJSNUMMER: usize = 9;
const PARENT_NAME: usize = 10;
const PARENT_EMAIL: usize = 11;
const PARENT_PHONE: usize = 12;
const STREET: usize = 13;
const POSTCODE: usize = 14;
const CITY: usize = 15;

/// A valid pupil row.
pub(crate) struct PupilRow {
    pub pupil: Pupil,
    pub details: Arc<PupilDetails>,
}

/// What pupils.csv gave.
pub(crate) struct Pupils {
    /// Whether the file was read (so that an unknown pupil id elsewhere is an error).
    pub readable: bool,
    /// The valid rows, in file order, as the pupils of the input (their registrations and
    /// events still empty).
    pub rows: Vec<PupilInput>,
    /// Every pupil id in the file (valid row or not) -> the index in `rows` when valid, and
    /// the line of its first row.
    pub ids: HashMap<String, (Option<usize>, u64)>,
}

impl Pupils {
    pub fn unreadable() -> Self {
        Pupils {
            readable: false,
            rows: Vec::new(),
            ids: HashMap::new(),
        }
    }

    /// Looks up the pupil of a row in another file: `Ok(Some(index))` for a valid pupil,
    /// `Ok(None)` for a pupil whose own row is invalid (or when pupils.csv could not be read: no
    /// error then, to avoid a flood), `Err` for an unknown pupil.
    pub fn find(&self, id: &str) -> Result<Option<usize>, String> {
        match self.ids.get(id) {
            Some((index, _)) => Ok(*index),
            None if !self.readable => Ok(None),
            None => Err(format!(
                "onbekende leerling \"{id}\": staat niet in pupils.csv"
            )),
        }
    }
}

/// One row of pupils.csv, read on its own (in parallel with the others).
struct Parsed {
    id: Option<String>,
    line: u64,
    id_column: Option<u64>,
    row: Option<PupilRow>,
    /// The row's own errors: dropped when the row repeats an earlier pupil id.
    errors: Vec<InputError>,
}

/// Reads pupils.csv; `details`: keep each pupil's [`PupilDetails`] (they are checked either way).
/// The rows are read in parallel; then, in file order, each pupil id is taken once (a repeated
/// id is an error naming both lines).
pub(crate) fn parse(source: &Source<'_>, details: bool, errors: &mut Vec<InputError>) -> Pupils {
    let mut pupils = Pupils::unreadable();
    // Without details every pupil shares one empty value.
    let empty = Arc::new(PupilDetails::default());
    let shared = (!details).then_some(&empty);
    let chunks = csvfile::read_parallel(
        source,
        COLUMNS,
        REQUIRED,
        errors,
        |row, parsed: &mut Vec<Parsed>, _| {
            let mut row_errors = Vec::new();
            let id = row.required(PUPIL_ID, &mut row_errors).map(str::to_string);
            // Without an id the rest of the row is still checked.
            let pupil_row = read_row(row, shared, &mut row_errors);
            parsed.push(Parsed {
                id,
                line: row.line,
                id_column: row.col(PUPIL_ID),
                row: pupil_row,
                errors: row_errors,
            });
        },
    );
    let Some(chunks) = chunks else {
        return pupils;
    };
    pupils.readable = true;
    let total = chunks.iter().map(Vec::len).sum();
    let mut ids: HashMap<String, (Option<usize>, u64)> = HashMap::with_capacity(total);
    pupils.rows.reserve_exact(total);
    for chunk in chunks {
        for p in chunk {
            let Some(id) = p.id else {
                errors.extend(p.errors);
                continue;
            };
            if let Some((_, first)) = ids.get(&id) {
                errors.push(InputError::at(
                    source.name,
                    p.line,
                    p.id_column,
                    format!(
                        "leerling \"{id}\" staat twee keer in pupils.csv: op regel {first} en op regel {}",
                        p.line
                    ),
                ));
                continue;
            }
            errors.extend(p.errors);
            let index = p.row.map(|mut pupil_row| {
                pupil_row.pupil.id = id.clone();
                pupils.rows.push(PupilInput {
                    record: PupilRecord {
                        pupil: pupil_row.pupil,
                        registrations: Vec::new(),
                        events: Vec::new(),
                    },
                    details: pupil_row.details,
                    registration_lines: Vec::new(),
                    event_lines: Vec::new(),
                });
                pupils.rows.len() - 1
            });
            ids.insert(id, (index, p.line));
        }
    }
    pupils.ids = ids;
    pupils
}

fn date_field(
    row: &Row<'_>,
    i: usize,
    required: bool,
    errors: &mut Vec<InputError>,
) -> Result<Option<jiff::civil::Date>, ()> {
    let value = if required {
        row.required(i, errors).ok_or(())?
    } else {
        match row.get(i) {
            Some(v) => v,
            None => return if row.is_set(i) { Err(()) } else { Ok(None) },
        }
    };
    match parse_date(value) {
        Ok(date) => Ok(Some(date)),
        Err(message) => {
            errors.push(row.error(i, message));
            Err(())
        }
    }
}

/// Reads and checks a row; `none`: the shared empty details to give every pupil instead of its
/// own (which are checked all the same).
fn read_row(
    row: &Row<'_>,
    none: Option<&Arc<PupilDetails>>,
    errors: &mut Vec<InputError>,
) -> Option<PupilRow> {
    let before = errors.len();
    let birth_date = date_field(row, BIRTH_DATE, true, errors);
    let group = row.required(GROUP, errors);
    let municipality = row.required(MUNICIPALITY, errors);
    let enrolled_from = date_field(row, ENROLLED_FROM, true, errors);
    let enrolled_until = date_field(row, ENROLLED_UNTIL, false, errors);
    if let (Ok(Some(from)), Ok(Some(until))) = (enrolled_from, enrolled_until)
        && until < from
    {
        errors.push(row.error(
            ENROLLED_UNTIL,
            format!(
                "enrolled_until ({}) ligt vóór enrolled_from ({})",
                date_nl(until),
                date_nl(from)
            ),
        ));
    }
    let bsn = row.get(BSN);
    if let Some(bsn) = bsn
        && !is_valid_bsn(bsn)
    {
        let why = if bsn.len() == 9 && bsn.bytes().all(|b| b.is_ascii_digit()) {
            "voldoet niet aan de elfproef"
        } else {
            "moet uit 9 cijfers bestaan"
        };
        errors.push(row.error(BSN, format!("ongeldig bsn \"{bsn}\": {why}")));
    }
    if errors.len() > before {
        return None;
    }
    let text = |i: usize| row.get(i).map(str::to_string);
    let enrolled_until = enrolled_until.ok().flatten();
    Some(PupilRow {
        pupil: Pupil {
            id: String::new(),
            birth_date: birth_date.ok().flatten()?,
            group: group?.to_string(),
            municipality: municipality?.to_string(),
            enrolled_from: enrolled_from.ok().flatten()?,
            enrolled_until,
            // Without enrolled_until the pupil is still enrolled: a next school means nothing.
            next_school: enrolled_until.and(text(NEXT_SCHOOL)),
        },
        details: match none {
            Some(none) => none.clone(),
            None => Arc::new(PupilDetails {
                name: text(NAME),
                bsn: text(BSN),
                onderwijsnummer: text(ONDERWIJSNUMMER),
                parent_name: text(PARENT_NAME),
                parent_email: text(PARENT_EMAIL),
                parent_phone: text(PARENT_PHONE),
                street: text(STREET),
                postcode: text(POSTCODE),
                city: text(CITY),
            }),
        },
    })
}
