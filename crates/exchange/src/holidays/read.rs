//! Walking the open-data answer: documents, school years, vacations, regions. Whatever cannot
//! be read becomes a problem with its JSON path; nothing is dropped without one.

use std::fmt::Display;

use jiff::civil::{Date, Weekday};
use serde_json::Value;

use super::{Holiday, HolidayFile, NATIONWIDE, REGIONS, parse_school_year, weekday_nl};
use crate::error::InputError;
use crate::values::parse_date;

/// Reads the documents of the answer (one object, or an array of them).
pub(super) fn read(name: &str, value: &Value) -> Result<HolidayFile, Vec<InputError>> {
    let documents: Vec<(String, &Value)> = match value {
        Value::Object(_) => vec![("$".to_owned(), value)],
        Value::Array(items) if items.is_empty() => {
            return Err(vec![InputError::file(
                name,
                "$: een lege lijst; verwacht het overzicht van de schoolvakanties (een object, of een lijst met een object per schooljaar)",
            )]);
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("$[{i}]"), item))
            .collect(),
        other => {
            return Err(vec![InputError::file(
                name,
                format!(
                    "$: verwacht het overzicht van de schoolvakanties (een object, of een lijst met een object per schooljaar), niet {}",
                    kind(other)
                ),
            )]);
        }
    };
    let mut reader = Reader {
        name,
        file: HolidayFile::default(),
        seen: Vec::new(),
    };
    for (path, document) in documents {
        reader.document(&path, document);
    }
    Ok(reader.file)
}

struct Reader<'a> {
    name: &'a str,
    file: HolidayFile,
    /// Each school year read, with the path of its overview: a second one is reported.
    seen: Vec<(String, String)>,
}

impl Reader<'_> {
    fn problem(&mut self, path: &str, message: impl Display) {
        self.file
            .problems
            .push(InputError::file(self.name, format!("{path}: {message}")));
    }

    fn note(&mut self, path: &str, message: impl Display) {
        self.file
            .notes
            .push(InputError::file(self.name, format!("{path}: {message}")));
    }

    /// The list under `key` of `object` at `path`, or a problem saying what is wrong with it.
    fn list<'v>(&mut self, object: &'v Value, path: &str, key: &str, what: &str) -> &'v [Value] {
        let path = format!("{path}.{key}");
        match object.get(key) {
            Some(Value::Array(items)) if !items.is_empty() => return items,
            Some(Value::Array(_)) => self.problem(&path, format!("is een lege lijst: {what}")),
            None => self.problem(&path, format!("ontbreekt: {what}")),
            Some(other) => self.problem(&path, format!("verwacht een lijst, niet {}", kind(other))),
        }
        &[]
    }

    /// The tidied text under `key` of `object` at `path`; a problem when it is missing, no
    /// text, or empty.
    fn text(&mut self, object: &Value, path: &str, key: &str, what: &str) -> Option<String> {
        let path = format!("{path}.{key}");
        match object.get(key) {
            Some(Value::String(s)) if !tidy(s).is_empty() => return Some(tidy(s)),
            Some(Value::String(_)) => self.problem(&path, format!("is leeg; verwacht {what}")),
            None => self.problem(&path, format!("ontbreekt; verwacht {what}")),
            Some(other) => self.problem(
                &path,
                format!("verwacht {what} als tekst, niet {}", kind(other)),
            ),
        }
        None
    }

    fn document(&mut self, path: &str, document: &Value) {
        if !document.is_object() {
            self.problem(
                path,
                format!(
                    "verwacht een object met \"content\", niet {}",
                    kind(document)
                ),
            );
            return;
        }
        let content = self.list(
            document,
            path,
            "content",
            "hier hoort het overzicht van een schooljaar",
        );
        for (c, year) in content.iter().enumerate() {
            self.school_year(&format!("{path}.content[{c}]"), year);
        }
    }

    fn school_year(&mut self, path: &str, year: &Value) {
        if !year.is_object() {
            self.problem(
                path,
                format!(
                    "verwacht een object met \"schoolyear\" en \"vacations\", niet {}",
                    kind(year)
                ),
            );
            return;
        }
        let Some(text) = self.text(year, path, "schoolyear", "het schooljaar, zoals 2026-2027")
        else {
            return;
        };
        let school_year = match parse_school_year(&text) {
            Ok(y) => y,
            Err(m) => {
                self.problem(&format!("{path}.schoolyear"), m);
                return;
            }
        };
        if let Some((_, first)) = self.seen.iter().find(|(y, _)| *y == school_year) {
            let first = first.clone();
            self.problem(
                path,
                format!(
                    "schooljaar {school_year} staat ook in {first}; dit tweede overzicht is niet gelezen (laat één van beide weg)"
                ),
            );
            return;
        }
        self.seen.push((school_year.clone(), path.to_owned()));
        let vacations = self.list(
            year,
            path,
            "vacations",
            "hier horen de vakanties van het schooljaar",
        );
        for (v, vacation) in vacations.iter().enumerate() {
            self.vacation(&format!("{path}.vacations[{v}]"), &school_year, vacation);
        }
    }

    fn vacation(&mut self, path: &str, school_year: &str, vacation: &Value) {
        if !vacation.is_object() {
            self.problem(
                path,
                format!(
                    "verwacht een object met \"type\" en \"regions\", niet {}",
                    kind(vacation)
                ),
            );
            return;
        }
        let Some(name) = self.text(
            vacation,
            path,
            "type",
            "de naam van de vakantie, zoals Herfstvakantie",
        ) else {
            return;
        };
        let compulsory = match vacation.get("compulsorydates") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => false,
            Some(other) => {
                self.problem(
                    &format!("{path}.compulsorydates"),
                    format!(
                        "verwacht \"true\" of \"false\", niet {other}; de data zijn als adviesdata gelezen"
                    ),
                );
                false
            }
        };
        let regions = self.list(
            vacation,
            path,
            "regions",
            "hier horen de regio's met hun data",
        );
        if regions.is_empty() {
            return;
        }
        let mut named: Vec<&'static str> = Vec::new();
        for (r, entry) in regions.iter().enumerate() {
            let path = format!("{path}.regions[{r}]");
            let Some(region) = self.region(&path, entry) else {
                continue;
            };
            if named.contains(&region) {
                self.problem(
                    &format!("{path}.region"),
                    format!("regio {region} staat twee keer in deze vakantie; alleen de eerste is gelezen"),
                );
                continue;
            }
            named.push(region);
            if let Some((from, until)) = self.dates(&path, entry) {
                self.file.holidays.push(Holiday {
                    name: name.clone(),
                    region: region.to_owned(),
                    school_year: school_year.to_owned(),
                    compulsory,
                    from,
                    until,
                    path,
                });
            }
        }
        if !named.contains(&NATIONWIDE) {
            let missing: Vec<&str> = REGIONS.into_iter().filter(|r| !named.contains(r)).collect();
            if !missing.is_empty() {
                self.problem(
                    &format!("{path}.regions"),
                    format!(
                        "{name} {school_year} heeft geen data voor regio {}; scholen daar krijgen deze vakantie niet",
                        missing.join(" en ")
                    ),
                );
            }
        }
    }

    /// The region of a region entry (`noord`, `midden`, `zuid` or heel Nederland, in any case).
    fn region(&mut self, path: &str, entry: &Value) -> Option<&'static str> {
        if !entry.is_object() {
            self.problem(
                path,
                format!(
                    "verwacht een object met \"region\", \"startdate\" en \"enddate\", niet {}",
                    kind(entry)
                ),
            );
            return None;
        }
        let text = self.text(
            entry,
            path,
            "region",
            "de regio: noord, midden, zuid of heel Nederland",
        )?;
        let found = REGIONS
            .into_iter()
            .chain([NATIONWIDE])
            .find(|r| r.eq_ignore_ascii_case(&text));
        if found.is_none() {
            self.problem(
                &format!("{path}.region"),
                format!(
                    "onbekende regio \"{text}\"; geldig zijn: noord, midden, zuid, heel Nederland"
                ),
            );
        }
        found
    }

    /// The first and last day of a region entry, with notes when they are no Saturday and
    /// Sunday.
    fn dates(&mut self, path: &str, entry: &Value) -> Option<(Date, Date)> {
        let mut day = |key: &str| match entry.get(key) {
            Some(Value::String(s)) => day_of(s)
                .map_err(|m| self.problem(&format!("{path}.{key}"), m))
                .ok(),
            None => {
                self.problem(
                    &format!("{path}.{key}"),
                    "ontbreekt; verwacht een tijdstip zoals 2026-10-10T00:00:00.000Z",
                );
                None
            }
            Some(other) => {
                self.problem(
                    &format!("{path}.{key}"),
                    format!("verwacht een tijdstip als tekst, niet {}", kind(other)),
                );
                None
            }
        };
        let (from, until) = (day("startdate"), day("enddate"));
        let (from, until) = (from?, until?);
        if until < from {
            self.problem(
                path,
                format!("de einddatum {until} ligt vóór de begindatum {from}"),
            );
            return None;
        }
        for (key, date, expected) in [
            ("startdate", from, Weekday::Saturday),
            ("enddate", until, Weekday::Sunday),
        ] {
            if date.weekday() != expected {
                self.note(
                    &format!("{path}.{key}"),
                    format!(
                        "de vakantie {} op {} {date}; schoolvakanties lopen van zaterdag tot en met zondag: controleer deze datum",
                        if key == "startdate" { "begint" } else { "eindigt" },
                        weekday_nl(date.weekday()),
                    ),
                );
            }
        }
        Some((from, until))
    }
}

/// The day of a `startdate` or `enddate`: its date part (the first 10 characters, `YYYY-MM-DD`)
/// as written, without converting the time to any time zone; the rest must be a time of that
/// timestamp (`T00:00:00.000Z`, `T22:00:00.000Z`, ...) or absent.
fn day_of(text: &str) -> Result<Date, String> {
    let bad = || format!("\"{text}\" is geen tijdstip zoals 2026-10-10T00:00:00.000Z");
    let t = text.trim();
    let shape = |b: &[u8]| {
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    let part = t
        .get(..10)
        .filter(|p| shape(p.as_bytes()))
        .ok_or_else(bad)?;
    let date = parse_date(part).map_err(|m| format!("\"{text}\": {m}"))?;
    let rest = &t[10..];
    let timestamp = rest.is_empty()
        || t.parse::<jiff::Timestamp>().is_ok()
        || t.parse::<jiff::civil::DateTime>().is_ok();
    if timestamp { Ok(date) } else { Err(bad()) }
}

/// Collapses runs of white space to one space and trims.
fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What kind of JSON value this is, in Dutch.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "een getal",
        Value::String(_) => "een tekst",
        Value::Array(_) => "een lijst",
        Value::Object(_) => "een object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_date_part_is_the_day_whatever_the_time() {
        for (text, day) in [
            ("2023-10-21T22:00:00.000Z", date(2023, 10, 21)),
            ("2023-10-29T21:59:00.000Z", date(2023, 10, 29)),
            ("2026-10-10T00:00:00.000Z", date(2026, 10, 10)),
            ("2024-01-07T22:59:00.000Z", date(2024, 1, 7)),
            (" 2026-10-18T21:59:00Z ", date(2026, 10, 18)),
            ("2026-10-18", date(2026, 10, 18)),
            ("2026-10-18T21:59:00", date(2026, 10, 18)),
        ] {
            assert_eq!(day_of(text), Ok(day), "{text}");
        }
        for bad in [
            "gisteren",
            "18-10-2026",
            "2026-10-18Tlater",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "",
            "2026-1é-18",
        ] {
            assert!(day_of(bad).is_err(), "{bad}");
        }
    }
}
