//! Values in the exchange files: dates, times, date-times, time ranges and the BSN.
//!
//! Every parser returns a Dutch message that names the offending value; none of them panics.

use jiff::civil::Date;
use verzuim_engine::model::{TimeOfDay, TimeRange};

/// Dates outside these years are refused: they are typing errors in school data, and keeping
/// them out keeps the school calendar small.
pub const FIRST_YEAR: i16 = 1900;
pub const LAST_YEAR: i16 = 2100;

/// A moment as the files write it: a date, or a date with a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Date(Date),
    DateTime(Date, TimeOfDay),
}

impl When {
    pub fn date(self) -> Date {
        match self {
            When::Date(d) | When::DateTime(d, _) => d,
        }
    }
}

/// Splits `s` on `-` into three runs of ASCII digits.
fn three_numbers(s: &str) -> Option<[&str; 3]> {
    let mut parts = s.split('-');
    let a = parts.next()?;
    let b = parts.next()?;
    let c = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let digits = |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    (digits(a) && digits(b) && digits(c)).then_some([a, b, c])
}

/// A date: `YYYY-MM-DD` or `DD-MM-YYYY` (day and month may have one digit).
pub fn parse_date(s: &str) -> Result<Date, String> {
    let form = || format!("ongeldige datum \"{s}\": verwacht JJJJ-MM-DD of DD-MM-JJJJ");
    let [a, b, c] = three_numbers(s).ok_or_else(form)?;
    let (year, month, day) = if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        (a, b, c)
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        (c, b, a)
    } else {
        return Err(form());
    };
    // At most four digits each: these parse.
    let year: i16 = year.parse().map_err(|_| form())?;
    let month: i8 = month.parse().map_err(|_| form())?;
    let day: i8 = day.parse().map_err(|_| form())?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(format!(
            "ongeldige datum \"{s}\": het jaar moet tussen {FIRST_YEAR} en {LAST_YEAR} liggen"
        ));
    }
    Date::new(year, month, day)
        .map_err(|_| format!("ongeldige datum \"{s}\": die datum bestaat niet"))
}

/// A time of day: `HH:MM` (the hour may have one digit; `:00` seconds are allowed), from 00:00 up
/// to and including 24:00.
pub fn parse_time(s: &str) -> Result<TimeOfDay, String> {
    let err = || format!("ongeldige tijd \"{s}\": verwacht UU:MM, bijvoorbeeld 08:30");
    let mut parts = s.split(':');
    let h = parts.next().ok_or_else(err)?;
    let m = parts.next().ok_or_else(err)?;
    if let Some(sec) = parts.next()
        && sec != "00"
    {
        return Err(err());
    }
    if parts.next().is_some() {
        return Err(err());
    }
    let ok = |p: &str, max: usize| {
        !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !ok(h, 2) || !ok(m, 2) || m.len() != 2 {
        return Err(err());
    }
    let h: u16 = h.parse().map_err(|_| err())?;
    let m: u16 = m.parse().map_err(|_| err())?;
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(format!(
            "ongeldige tijd \"{s}\": die tijd bestaat niet (00:00 tot en met 24:00)"
        ));
    }
    Ok(h * 60 + m)
}

/// A date, or a date with a time: `YYYY-MM-DD`, `DD-MM-YYYY`, `YYYY-MM-DDTHH:MM`,
/// `DD-MM-YYYY HH:MM` (a space may stand for `T` in both forms).
pub fn parse_when(s: &str) -> Result<When, String> {
    let split = s
        .find(['T', 't'])
        .map(|i| (&s[..i], &s[i + 1..]))
        .or_else(|| s.split_once(char::is_whitespace));
    match split {
        None => parse_date(s).map(When::Date),
        Some((date, time)) => {
            let date = date.trim();
            let time = time.trim();
            let date = parse_date(date).map_err(|e| {
                if date.is_empty() {
                    format!("ongeldige datum en tijd \"{s}\": verwacht JJJJ-MM-DDTUU:MM of DD-MM-JJJJ UU:MM")
                } else {
                    e
                }
            })?;
            let time = parse_time(time)?;
            Ok(When::DateTime(date, time))
        }
    }
}

/// A lesson time range `HH:MM-HH:MM` with start before end.
pub fn parse_time_range(s: &str) -> Result<TimeRange, String> {
    let (a, b) = s.split_once('-').ok_or_else(|| {
        format!("ongeldige lestijd \"{s}\": verwacht UU:MM-UU:MM, bijvoorbeeld 08:30-12:00")
    })?;
    let start = parse_time(a.trim())?;
    let end = parse_time(b.trim())?;
    if start >= end {
        return Err(format!(
            "ongeldige lestijd \"{s}\": het begin moet vóór het einde liggen"
        ));
    }
    Ok(TimeRange::new(start, end))
}

/// Whether `s` is a burgerservicenummer: 9 digits, not all zeros, that pass the elfproef
/// (9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 mod 11).
pub fn is_valid_bsn(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) || bytes.iter().all(|&b| b == b'0')
    {
        return false;
    }
    let sum: i32 = bytes
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let d = i32::from(b - b'0');
            if i == 8 { -d } else { (9 - i as i32) * d }
        })
        .sum();
    sum.rem_euclid(11) == 0
}

/// A date as people in the Netherlands write it: `dd-mm-jjjj`.
pub fn date_nl(date: Date) -> String {
    format!("{:02}-{:02}-{:04}", date.day(), date.month(), date.year())
}

/// A date as ISO 8601: `YYYY-MM-DD`.
pub fn date_iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// A time of day as `HH:MM`.
pub fn time_hm(t: TimeOfDay) -> String {
    format!("{:02}:{:02}", t / 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn both_date_forms() {
        assert_eq!(parse_date("2026-10-05"), Ok(date(2026, 10, 5)));
        assert_eq!(parse_date("05-10-2026"), Ok(date(2026, 10, 5)));
        assert_eq!(parse_date("5-10-2026"), Ok(date(2026, 10, 5)));
        assert_eq!(parse_date("2028-02-29"), Ok(date(2028, 2, 29)));
    }

    #[test]
    fn bad_dates() {
        for s in [
            "",
            "2026",
            "2026-10",
            "2026/10/05",
            "26-10-05",
            "2026-10-05-1",
            "x-10-2026",
            "2026-+1-05",
            "१२३४-10-05",
        ] {
            let err = parse_date(s).unwrap_err();
            assert!(err.contains("JJJJ-MM-DD"), "{s}: {err}");
        }
        assert!(
            parse_date("2027-02-30")
                .unwrap_err()
                .contains("bestaat niet")
        );
        assert!(
            parse_date("30-02-2027")
                .unwrap_err()
                .contains("bestaat niet")
        );
        assert!(
            parse_date("2026-13-01")
                .unwrap_err()
                .contains("bestaat niet")
        );
        assert!(parse_date("0001-01-01").unwrap_err().contains("1900"));
    }

    #[test]
    fn date_times() {
        let d = date(2026, 10, 5);
        assert_eq!(parse_when("2026-10-05"), Ok(When::Date(d)));
        assert_eq!(parse_when("2026-10-05T08:30"), Ok(When::DateTime(d, 510)));
        assert_eq!(parse_when("2026-10-05 08:30"), Ok(When::DateTime(d, 510)));
        assert_eq!(parse_when("05-10-2026 08:30"), Ok(When::DateTime(d, 510)));
        assert_eq!(parse_when("05-10-2026T8:30"), Ok(When::DateTime(d, 510)));
        assert_eq!(
            parse_when("05-10-2026 08:30:00"),
            Ok(When::DateTime(d, 510))
        );
        assert!(parse_when("05-10-2026 08:60").is_err());
        assert!(parse_when("05-10-2026 25:00").is_err());
        assert!(parse_when("05-10-2026 8").is_err());
        assert!(parse_when("T08:00").is_err());
        assert!(parse_when("2026-10-05T").is_err());
        assert_eq!(parse_when("2026-10-05T24:00"), Ok(When::DateTime(d, 1440)));
    }

    #[test]
    fn time_ranges() {
        assert_eq!(
            parse_time_range("08:30-12:00"),
            Ok(TimeRange::new(510, 720))
        );
        assert!(parse_time_range("12:00-08:30").is_err());
        assert!(parse_time_range("12:00-12:00").is_err());
        assert!(parse_time_range("12:00").is_err());
    }

    #[test]
    fn elfproef() {
        assert!(is_valid_bsn("111222333"));
        assert!(is_valid_bsn("123456782"));
        assert!(!is_valid_bsn("123456789"));
        assert!(!is_valid_bsn("000000000"));
        assert!(!is_valid_bsn("12345678"));
        assert!(!is_valid_bsn("1234567820"));
        assert!(!is_valid_bsn("12345678a"));
    }

    #[test]
    fn formatting() {
        assert_eq!(date_nl(date(2026, 10, 5)), "05-10-2026");
        assert_eq!(date_iso(date(2026, 10, 5)), "2026-10-05");
        assert_eq!(time_hm(510), "08:30");
    }
}
