//! The official school holidays (Rijksoverheid open data, `schoolholidays`, JSON output), as
//! closed periods of a school.
//!
//! The answer (shared/data/README.md) is one document (an object) for one school year, or an
//! array of documents (the list answer). Each has `content[]` of `{title, schoolyear,
//! vacations[]}`; each vacation has a `type` (its name), `compulsorydates` ("true"/"false" or a
//! boolean) and `regions[]` of `{region, startdate, enddate}`, the region being `noord`,
//! `midden`, `zuid` or `heel Nederland`. Texts carry spaces and newlines around them.
//!
//! **Dates**: the date part of `startdate` and `enddate` (their first 10 characters) is the first
//! and the last day of the holiday, both inclusive; the rest of the timestamp is checked but not
//! used. The timestamps are *not* converted to Europe/Amsterdam: real answers write
//! `2023-10-21T22:00:00.000Z` (older) or `2026-10-10T00:00:00.000Z` (newer) for a holiday that
//! starts on Saturday 21 October 2023 or 10 October 2026, and end times `T21:59Z` or `T22:59Z`
//! of the last day whatever the season; converted to Amsterdam time every start would move to
//! the Sunday and some ends to the Monday, a lesson day (docs/formats-notes.md).
//!
//! Nothing is skipped in silence: what cannot be read is a *problem* (the command line refuses
//! the file; the beheerder's page shows it as a warning next to what was read), and what was
//! read but looks wrong (a holiday that does not run from a Saturday to a Sunday) is a *note*.
//! Both name the file and the JSON path of the value (`$.content[0].vacations[1].regions[2]`);
//! JSON syntax errors name the line and column.

mod read;

use jiff::civil::{Date, Weekday};
use verzuim_engine::model::{ClosedKind, ClosedPeriod};

use crate::error::InputError;

/// The holiday regions of the Netherlands.
pub const REGIONS: [&str; 3] = ["noord", "midden", "zuid"];

/// The region of the open data that stands for all three.
pub const NATIONWIDE: &str = "heel Nederland";

/// One holiday for one region, as the open data gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The holiday's name with its white space tidied ("Herfstvakantie").
    pub name: String,
    /// `noord`, `midden`, `zuid` or [`NATIONWIDE`].
    pub region: String,
    /// The school year of its overview, `2026-2027`.
    pub school_year: String,
    /// Whether the dates are compulsory (the summer holiday) or advisory.
    pub compulsory: bool,
    pub from: Date,
    pub until: Date,
    /// The JSON path of its region entry, for messages about it.
    pub path: String,
}

impl Holiday {
    /// Whether this holiday applies to a school in `region` (`noord`, `midden` or `zuid`).
    pub fn applies_to(&self, region: &str) -> bool {
        self.region == region || self.region == NATIONWIDE
    }

    /// The name with the year of its first day, "Herfstvakantie 2026": a school's calendar
    /// holds the holidays of more than one year (the end of one summer, the start of the next).
    pub fn title(&self) -> String {
        format!("{} {}", self.name, self.from.year())
    }
}

/// What a holiday file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayFile {
    /// Every holiday of every region and school year, in the file's order.
    pub holidays: Vec<Holiday>,
    /// What could not be read and was left out (a vacation without regions, a region without
    /// a date, a second overview of a school year): the command line refuses the file, the
    /// page shows these as warnings.
    pub problems: Vec<InputError>,
    /// What was read as written but looks wrong: a holiday that does not start on a Saturday
    /// or does not end on a Sunday (real answers have held such mistakes).
    pub notes: Vec<InputError>,
}

impl HolidayFile {
    /// The school years in the file, sorted.
    pub fn school_years(&self) -> Vec<&str> {
        let mut years: Vec<&str> = self
            .holidays
            .iter()
            .map(|h| h.school_year.as_str())
            .collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// The holidays of one school year (all of them for `None`); a Dutch message when the file
    /// has none of that year.
    pub fn of_school_year(&self, school_year: Option<&str>) -> Result<Vec<&Holiday>, String> {
        let chosen: Vec<&Holiday> = self
            .holidays
            .iter()
            .filter(|h| school_year.is_none_or(|y| h.school_year == y))
            .collect();
        match school_year {
            Some(year) if chosen.is_empty() => Err(format!(
                "schooljaar {year} staat niet in het bestand; het bevat {}",
                match self.school_years().as_slice() {
                    [] => "geen enkel schooljaar".to_owned(),
                    years => format!("schooljaar {}", years.join(", ")),
                }
            )),
            _ => Ok(chosen),
        }
    }
}

/// Reads the open-data answer. `Err` when the file is no JSON (or no object or list of
/// documents): every error names the file, with the line and column for JSON syntax.
pub fn read_rijksoverheid(name: &str, bytes: &[u8]) -> Result<HolidayFile, Vec<InputError>> {
    let value = crate::json::parse(name, bytes).map_err(|e| vec![e])?;
    read::read(name, &value)
}

/// The holidays of one region as closed periods of kind `vakantie`, named with their year,
/// sorted by date; the same period twice (a region and heel Nederland) once.
pub fn closed_periods<'a>(
    holidays: impl IntoIterator<Item = &'a Holiday>,
    region: &str,
) -> Vec<ClosedPeriod> {
    let mut periods: Vec<ClosedPeriod> = holidays
        .into_iter()
        .filter(|h| h.applies_to(region))
        .map(|h| ClosedPeriod {
            name: h.title(),
            kind: ClosedKind::Vakantie,
            from: h.from,
            until: h.until,
        })
        .collect();
    periods.sort_by_key(|p| (p.from, p.until));
    periods.dedup();
    periods
}

/// One holiday of one school year with its dates per region (in the order of [`REGIONS`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRow {
    pub school_year: String,
    pub name: String,
    pub compulsory: bool,
    /// `(first day, last day)` for noord, midden and zuid; `None` when the file has none.
    pub regions: [Option<(Date, Date)>; 3],
    /// Whether the file gives these dates as [`NATIONWIDE`].
    pub nationwide: bool,
}

/// What the file says per holiday and region, in the file's order: the overview a beheerder
/// checks before saving.
pub fn by_holiday<'a>(holidays: impl IntoIterator<Item = &'a Holiday>) -> Vec<HolidayRow> {
    let mut rows: Vec<HolidayRow> = Vec::new();
    for h in holidays {
        let at = match rows
            .iter()
            .position(|r| r.school_year == h.school_year && r.name == h.name)
        {
            Some(at) => at,
            None => {
                rows.push(HolidayRow {
                    school_year: h.school_year.clone(),
                    name: h.name.clone(),
                    compulsory: h.compulsory,
                    regions: [None; 3],
                    nationwide: false,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        row.nationwide |= h.region == NATIONWIDE;
        for (slot, region) in row.regions.iter_mut().zip(REGIONS) {
            if h.applies_to(region) && slot.is_none() {
                *slot = Some((h.from, h.until));
            }
        }
    }
    rows
}

/// A holiday region as people type it (`Noord`, ` zuid `): one of [`REGIONS`], or a Dutch
/// message.
pub fn parse_region(text: &str) -> Result<&'static str, String> {
    let wanted = text.trim();
    REGIONS
        .into_iter()
        .find(|r| r.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| format!("onbekende regio „{wanted}”; kies noord, midden of zuid"))
}

/// A school year as `2026-2027` (two consecutive years), or a Dutch message.
pub fn parse_school_year(text: &str) -> Result<String, String> {
    let wanted = text.trim();
    let years = wanted
        .split_once('-')
        .filter(|(a, b)| a.len() == 4 && b.len() == 4)
        .and_then(|(a, b)| Some((a.parse::<u16>().ok()?, b.parse::<u16>().ok()?)));
    match years {
        Some((a, b)) if u32::from(a) + 1 == u32::from(b) => Ok(format!("{a}-{b}")),
        _ => Err(format!(
            "„{wanted}” is geen schooljaar; schrijf het als 2026-2027 (twee opeenvolgende jaren)"
        )),
    }
}

/// The school year a date lies in (1 August up to and including 31 July, rules.md §1).
pub fn school_year_of(date: Date) -> String {
    let first = if date.month() >= 8 {
        date.year()
    } else {
        date.year() - 1
    };
    format!("{first}-{}", first + 1)
}

/// The Dutch name of a weekday.
fn weekday_nl(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "maandag",
        Weekday::Tuesday => "dinsdag",
        Weekday::Wednesday => "woensdag",
        Weekday::Thursday => "donderdag",
        Weekday::Friday => "vrijdag",
        Weekday::Saturday => "zaterdag",
        Weekday::Sunday => "zondag",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn regions_in_any_case() {
        assert_eq!(parse_region("Noord"), Ok("noord"));
        assert_eq!(parse_region(" ZUID "), Ok("zuid"));
        assert_eq!(
            parse_region("West"),
            Err("onbekende regio „West”; kies noord, midden of zuid".into())
        );
    }

    #[test]
    fn school_years() {
        assert_eq!(parse_school_year(" 2026-2027"), Ok("2026-2027".into()));
        for bad in ["2026-2028", "2026", "26-27", "2026/2027", "abcd-efgh", ""] {
            assert!(parse_school_year(bad).is_err(), "{bad}");
        }
        assert_eq!(school_year_of(date(2026, 7, 31)), "2025-2026");
        assert_eq!(school_year_of(date(2026, 8, 1)), "2026-2027");
    }
}
