//! The official school holidays (Rijksoverheid open data, `schoolholidays`, JSON output), as
//! closed periods of a school.
//!
//! The answer's quirks (shared/data/README.md): an array of items, each with `content[]` of
//! `{schoolyear, vacations[]}`; `vacations[].type` may carry spaces and newlines;
//! `compulsorydates` is the string "true"/"false" or a boolean; `regions[].region` is `noord`,
//! `midden`, `zuid` or `heel Nederland`; `startdate`/`enddate` are UTC timestamps of local
//! midnight and local 23:59, converted here to Europe/Amsterdam dates, both ends inclusive.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;
use verzuim_engine::model::{ClosedKind, ClosedPeriod};

use crate::error::InputError;

/// The holiday regions of the Netherlands.
pub const REGIONS: [&str; 3] = ["noord", "midden", "zuid"];

/// One holiday for one region, as the open data gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The holiday's name with its white space tidied ("Herfstvakantie").
    pub name: String,
    /// `noord`, `midden`, `zuid` or `heel Nederland`.
    pub region: String,
    pub school_year: String,
    /// Whether the dates are compulsory (the summer holiday) or advisory.
    pub compulsory: bool,
    pub from: Date,
    pub until: Date,
}

impl Holiday {
    /// Whether this holiday applies to a school in `region` (`noord`, `midden` or `zuid`).
    pub fn applies_to(&self, region: &str) -> bool {
        self.region == region || self.region == "heel Nederland"
    }
}

/// Reads the open-data answer. Errors name the file and, for JSON syntax, the line and column;
/// for content, the path of the bad value.
pub fn parse_rijksoverheid(name: &str, bytes: &[u8]) -> Result<Vec<Holiday>, Vec<InputError>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![InputError::at(
            name,
            e.line() as u64,
            Some(e.column() as u64),
            format!("geen geldige JSON: {e}"),
        )]
    })?;
    let tz = TimeZone::get("Europe/Amsterdam").map_err(|e| {
        vec![InputError::file(
            name,
            format!("tijdzone Europe/Amsterdam niet beschikbaar: {e}"),
        )]
    })?;
    let items: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&value],
        _ => {
            return Err(vec![InputError::file(
                name,
                "verwacht een lijst van schoolvakantie-items (JSON-array)",
            )]);
        }
    };
    let mut errors = Vec::new();
    let mut holidays = Vec::new();
    let err = |path: &str, message: String| InputError::file(name, format!("{path}: {message}"));
    for (i, item) in items.iter().enumerate() {
        let Some(content) = item.get("content").and_then(Value::as_array) else {
            errors.push(err(
                &format!("[{i}]"),
                "\"content\" (een lijst) ontbreekt".into(),
            ));
            continue;
        };
        for (c, year) in content.iter().enumerate() {
            let path = format!("[{i}].content[{c}]");
            let school_year = year
                .get("schoolyear")
                .and_then(Value::as_str)
                .map(tidy)
                .unwrap_or_default();
            let Some(vacations) = year.get("vacations").and_then(Value::as_array) else {
                errors.push(err(&path, "\"vacations\" (een lijst) ontbreekt".into()));
                continue;
            };
            for (v, vacation) in vacations.iter().enumerate() {
                let path = format!("{path}.vacations[{v}]");
                let Some(kind) = vacation.get("type").and_then(Value::as_str).map(tidy) else {
                    errors.push(err(&path, "\"type\" (de naam) ontbreekt".into()));
                    continue;
                };
                let compulsory = match vacation.get("compulsorydates") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
                    Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => false,
                    Some(other) => {
                        errors.push(err(
                            &format!("{path}.compulsorydates"),
                            format!("verwacht true of false, niet {other}"),
                        ));
                        false
                    }
                };
                let regions = vacation
                    .get("regions")
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                for (r, region) in regions.iter().enumerate() {
                    let path = format!("{path}.regions[{r}]");
                    let region_name = region
                        .get("region")
                        .and_then(Value::as_str)
                        .map(tidy)
                        .unwrap_or_default();
                    if !REGIONS.contains(&region_name.as_str()) && region_name != "heel Nederland" {
                        errors.push(err(
                            &format!("{path}.region"),
                            format!(
                                "onbekende regio \"{region_name}\"; geldig zijn: noord, midden, zuid, heel Nederland"
                            ),
                        ));
                        continue;
                    }
                    let date = |key: &str| -> Result<Date, InputError> {
                        let text = region.get(key).and_then(Value::as_str).unwrap_or("");
                        text.trim()
                            .parse::<Timestamp>()
                            .map(|t| t.to_zoned(tz.clone()).date())
                            .map_err(|_| {
                                err(
                                    &format!("{path}.{key}"),
                                    format!(
                                        "\"{text}\" is geen tijdstip zoals 2026-10-16T22:00:00.000Z"
                                    ),
                                )
                            })
                    };
                    match (date("startdate"), date("enddate")) {
                        (Ok(from), Ok(until)) if until >= from => holidays.push(Holiday {
                            name: kind.clone(),
                            region: region_name,
                            school_year: school_year.clone(),
                            compulsory,
                            from,
                            until,
                        }),
                        (Ok(_), Ok(_)) => {
                            errors.push(err(&path, "de einddatum ligt vóór de begindatum".into()))
                        }
                        (a, b) => errors.extend(a.err().into_iter().chain(b.err())),
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(holidays)
    } else {
        Err(errors)
    }
}

/// The holidays of one region as closed periods of kind `vakantie`, sorted by date.
pub fn closed_periods(holidays: &[Holiday], region: &str) -> Vec<ClosedPeriod> {
    let mut periods: Vec<ClosedPeriod> = holidays
        .iter()
        .filter(|h| h.applies_to(region))
        .map(|h| ClosedPeriod {
            name: h.name.clone(),
            kind: ClosedKind::Vakantie,
            from: h.from,
            until: h.until,
        })
        .collect();
    periods.sort_by_key(|p| (p.from, p.until));
    periods.dedup();
    periods
}

/// Collapses runs of white space to one space and trims.
fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const SAMPLE: &str = include_str!("../../../examples/schoolvakanties-2026-2027.sample.json");

    #[test]
    fn the_sample_for_regio_noord() {
        let holidays = parse_rijksoverheid("vakanties.json", SAMPLE.as_bytes()).unwrap();
        let noord = closed_periods(&holidays, "noord");
        let names: Vec<&str> = noord.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Herfstvakantie",
                "Kerstvakantie",
                "Voorjaarsvakantie",
                "Meivakantie",
                "Zomervakantie"
            ]
        );
        // 22:00Z in summer time is local midnight; 22:59Z in winter time is local 23:59.
        assert_eq!(
            (noord[0].from, noord[0].until),
            (date(2026, 10, 17), date(2026, 10, 25))
        );
        assert_eq!(
            (noord[1].from, noord[1].until),
            (date(2026, 12, 19), date(2027, 1, 3))
        );
        assert_eq!(
            (noord[4].from, noord[4].until),
            (date(2027, 7, 10), date(2027, 8, 22))
        );
        let zuid = closed_periods(&holidays, "zuid");
        assert_eq!(
            (zuid[0].from, zuid[0].until),
            (date(2026, 10, 10), date(2026, 10, 18))
        );
        assert!(
            holidays
                .iter()
                .any(|h| h.compulsory && h.name == "Zomervakantie")
        );
        assert!(holidays.iter().all(|h| h.school_year == "2026-2027"));
    }

    #[test]
    fn compulsorydates_as_boolean_and_one_object() {
        let json = r#"{"content": [{"schoolyear": "2027-2028", "vacations": [{"type": "Kerstvakantie",
            "compulsorydates": true, "regions": [{"region": "heel Nederland",
            "startdate": "2027-12-24T23:00:00.000Z", "enddate": "2028-01-09T22:59:00.000Z"}]}]}]}"#;
        let holidays = parse_rijksoverheid("v.json", json.as_bytes()).unwrap();
        assert_eq!(holidays.len(), 1);
        assert!(holidays[0].compulsory);
        assert_eq!(holidays[0].from, date(2027, 12, 25));
        assert_eq!(holidays[0].until, date(2028, 1, 9));
    }

    #[test]
    fn problems_are_named_with_their_path() {
        let json = r#"[{"content": [{"schoolyear": "2026-2027", "vacations": [{"type": "X",
            "compulsorydates": "misschien", "regions": [{"region": "oost",
            "startdate": "2026-10-16T22:00:00.000Z", "enddate": "2026-10-25T22:59:00.000Z"},
            {"region": "noord", "startdate": "gisteren", "enddate": "2026-10-25T22:59:00.000Z"}]}]}]}]"#;
        let errors = parse_rijksoverheid("v.json", json.as_bytes()).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{text:?}");
        assert!(text[0].contains("compulsorydates"), "{text:?}");
        assert!(text[1].contains("onbekende regio \"oost\""), "{text:?}");
        assert!(text[2].contains("regions[1].startdate"), "{text:?}");
        let syntax = parse_rijksoverheid("v.json", b"[{\n  \"content\": ]").unwrap_err();
        assert_eq!(syntax[0].line, Some(2));
    }
}
