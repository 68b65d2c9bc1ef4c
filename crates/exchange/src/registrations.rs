//! `registrations.csv` (formats.md): absence and lateness, one row per registration.

use verzuim_engine::model::{Code, Minutes, Registration, Span};

use crate::csvfile;
use crate::error::InputError;
use crate::input::Source;
use crate::pupils::Pupils;
use crate::values::{When, date_nl, parse_when, time_hm};

const COLUMNS: &[&str] = &["pupil_id", "code", "start", "end", "minutes", "note"];
const REQUIRED: &[&str] = &["pupil_id", "code", "start"];
const PUPIL_ID: usize = 0;
const CODE: usize = 1;
const START: usize = 2;
const END: usize = 3;
const MINUTES: usize = 4;
const NOTE: usize = 5;

/// A valid registration row of a known pupil. A time span whose `end` was empty still has
/// `until: None`: the input resolves it from the school calendar.
pub(crate) struct RegRow {
    pub pupil: usize,
    pub registration: Registration,
    pub line: u64,
}

/// The valid rows of registrations.csv, in file order in chunks as they were read (not copied
/// into one list: a region has millions), and the column of `start` (for errors about a row's
/// time, such as overlaps).
#[derive(Default)]
pub(crate) struct RegRows {
    pub chunks: Vec<Vec<RegRow>>,
    pub start_column: Option<u64>,
}

fn show(when: When) -> String {
    match when {
        When::Date(d) => date_nl(d),
        When::DateTime(d, t) => format!("{} {}", date_nl(d), time_hm(t)),
    }
}

fn codes() -> String {
    Code::ALL.map(Code::as_str).join(", ")
}

pub(crate) fn parse(source: &Source<'_>, pupils: &Pupils, errors: &mut Vec<InputError>) -> RegRows {
    /// What one chunk of the file gave.
    #[derive(Default)]
    struct Chunk {
        rows: Vec<RegRow>,
        start_column: Option<u64>,
        /// Exports list a pupil's rows together: the last valid pupil found.
        last: Option<(String, usize)>,
    }
    let chunks = csvfile::read_parallel(
        source,
        COLUMNS,
        REQUIRED,
        errors,
        |row, chunk: &mut Chunk, errors| {
            let before = errors.len();
            chunk.start_column = row.col(START);
            let pupil = row.required(PUPIL_ID, errors).and_then(|id| {
                if let Some((last_id, index)) = &chunk.last
                    && last_id == id
                {
                    return Some(*index);
                }
                let found = pupils.find(id).unwrap_or_else(|message| {
                    errors.push(row.error(PUPIL_ID, message));
                    None
                });
                if let Some(index) = found {
                    chunk.last = Some((id.to_string(), index));
                }
                found
            });
            let code = row.required(CODE, errors).and_then(|s| {
                let code = Code::parse(s);
                if code.is_none() {
                    errors.push(row.error(
                        CODE,
                        format!("onbekende code \"{s}\"; geldig zijn: {}", codes()),
                    ));
                }
                code
            });
            let start = row
                .required(START, errors)
                .and_then(|s| match parse_when(s) {
                    Ok(w) => Some(w),
                    Err(message) => {
                        errors.push(row.error(START, message));
                        None
                    }
                });
            let end = match row.get(END) {
                None => Ok(None),
                Some(s) => parse_when(s).map(Some).map_err(|message| {
                    errors.push(row.error(END, message));
                }),
            };
            let minutes = row.get(MINUTES).and_then(|s| {
                if code.is_some_and(|c| c != Code::TeLaat) {
                    errors.push(row.error(
                        MINUTES,
                        format!("minutes (\"{s}\") hoort alleen bij code te_laat"),
                    ));
                    return None;
                }
                match s.parse::<Minutes>() {
                    Ok(m) if s.bytes().all(|b| b.is_ascii_digit()) => Some(m),
                    _ => {
                        errors.push(row.error(
                            MINUTES,
                            format!("minutes \"{s}\" moet een heel getal van 0 of meer zijn"),
                        ));
                        None
                    }
                }
            });
            if code == Some(Code::Ziek) && row.is_set(NOTE) {
                errors.push(row.error(
                NOTE,
                "een notitie bij ziek wordt geweigerd: de aard van een ziekte wordt nooit vastgelegd",
            ));
            }
            let (Some(code), Some(start), Ok(end)) = (code, start, end) else {
                return;
            };
            let late = code == Code::TeLaat;
            let end_error = |message: String| row.error(END, message);
            let span = match (start, end) {
                (When::Date(s), None) => Span::Days { from: s, until: s },
                (When::Date(s), Some(When::Date(e))) => {
                    if e < s {
                        errors.push(end_error(format!(
                            "end ({}) ligt vóór start ({})",
                            date_nl(e),
                            date_nl(s)
                        )));
                        return;
                    }
                    if late && e != s {
                        errors.push(end_error(format!(
                        "te_laat is één keer te laat op de datum van start ({}); end ({}) is een andere datum",
                        date_nl(s),
                        date_nl(e)
                    )));
                        return;
                    }
                    Span::Days { from: s, until: e }
                }
                (When::DateTime(d, t), None) => Span::Times {
                    date: d,
                    from: t,
                    // A lateness's time is when the pupil arrived.
                    until: late.then_some(t),
                },
                (When::DateTime(d, t), Some(When::DateTime(e, u))) => {
                    if e < d || (e == d && u < t) {
                        errors.push(end_error(format!(
                            "end ({}) ligt vóór start ({})",
                            show(When::DateTime(e, u)),
                            show(When::DateTime(d, t))
                        )));
                        return;
                    }
                    if e != d {
                        errors.push(end_error(if late {
                        format!(
                            "te_laat is één keer te laat op de datum van start ({}); end ({}) is een andere datum",
                            date_nl(d),
                            show(When::DateTime(e, u))
                        )
                    } else {
                        format!(
                            "een registratie met tijden ligt op één dag: start ({}) en end ({}) liggen op verschillende dagen; gebruik datums zonder tijd voor hele dagen",
                            show(When::DateTime(d, t)),
                            show(When::DateTime(e, u))
                        )
                    }));
                        return;
                    }
                    Span::Times {
                        date: d,
                        from: t,
                        until: Some(u),
                    }
                }
                (s, Some(e)) => {
                    errors.push(end_error(format!(
                    "start (\"{}\") en end (\"{}\") moeten allebei een datum zijn of allebei een datum met tijd",
                    show(s),
                    show(e)
                )));
                    return;
                }
            };
            let Some(pupil) = pupil else {
                return;
            };
            if errors.len() > before {
                return;
            }
            if let Some(p) = pupils.rows.get(pupil) {
                let p = &p.record.pupil;
                let (first, last) = (span.first_date(), span.last_date());
                let outside = first < p.enrolled_from || p.enrolled_until.is_some_and(|u| last > u);
                if outside {
                    let enrolment = match p.enrolled_until {
                        Some(u) => format!("{} t/m {}", date_nl(p.enrolled_from), date_nl(u)),
                        None => format!("vanaf {}", date_nl(p.enrolled_from)),
                    };
                    let when = if first == last {
                        date_nl(first)
                    } else {
                        format!("{} t/m {}", date_nl(first), date_nl(last))
                    };
                    errors.push(row.error(
                    START,
                    format!(
                        "de registratie ({when}) ligt (deels) buiten de inschrijving van leerling \"{}\" ({enrolment})",
                        p.id
                    ),
                ));
                    return;
                }
            }
            chunk.rows.push(RegRow {
                pupil,
                registration: Registration {
                    code,
                    span,
                    minutes_late: minutes,
                },
                line: row.line,
            });
        },
    );
    let chunks = chunks.unwrap_or_default();
    let start_column = chunks.iter().find_map(|c| c.start_column);
    let chunks = chunks.into_iter().map(|c| c.rows).collect();
    RegRows {
        chunks,
        start_column,
    }
}
