//! Dutch formatting, the one way every page (and the letters' data) writes dates, times, hours,
//! counts and sentences: `dd-mm-jjjj`, "maandag 14 september 2026", `08:30`, "20 uur en 45
//! minuten", "1 dag" / "3 dagen", a capital first letter (issue 10.8: one way to write hours
//! everywhere). Times are shown as the clock in the Netherlands shows them.

use jiff::Timestamp;
use jiff::civil::Date;

/// The time zone in which dates and times are shown.
const ZONE: &str = "Europe/Amsterdam";

/// The days of the week, Monday first.
pub use verzuim_service::text::DAYS;

/// The months, January first.
pub const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// `dd-mm-jjjj`.
pub fn date_nl(d: Date) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), d.month(), d.year())
}

/// A date as people say it: "maandag 14 september 2026".
pub fn date_long_nl(d: Date) -> String {
    let day = DAYS[usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0) % 7];
    let month = MONTHS[usize::try_from(d.month() - 1).unwrap_or(0) % 12];
    format!("{day} {} {month} {}", d.day(), d.year())
}

/// The date in the Netherlands of a timestamp (the service's one conversion).
pub use verzuim_service::text::local_date;

/// The first moment of a day in the Netherlands.
pub fn day_start(d: Date) -> Option<Timestamp> {
    d.in_tz(ZONE).ok().map(|z| z.timestamp())
}

/// A timestamp as `dd-mm-jjjj HH:MM` in the Netherlands.
pub fn date_time_nl(t: Timestamp) -> String {
    match t.in_tz(ZONE) {
        Ok(z) => format!(
            "{} {:02}:{:02}",
            date_nl(z.date()),
            z.time().hour(),
            z.time().minute()
        ),
        Err(_) => t.to_string(),
    }
}

/// A timestamp as `dd-mm-jjjj HH:MM:SS` in the Netherlands (the audit log).
pub fn date_time_seconds_nl(t: Timestamp) -> String {
    t.in_tz(ZONE)
        .map(|z| z.strftime("%d-%m-%Y %H:%M:%S").to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// Minutes after midnight as `HH:MM`.
pub fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `HH:MM` as minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `jjjj-mm-dd` (a date input) or `dd-mm-jjjj` (also with `/` or `.`).
pub fn parse_date_nl(s: &str) -> Option<Date> {
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let mut it = s.split(['-', '/', '.']);
    let d: i8 = it.next()?.trim().parse().ok()?;
    let m: i8 = it.next()?.trim().parse().ok()?;
    let y: i16 = it.next()?.trim().parse().ok()?;
    Date::new(y, m, d).ok()
}

/// A count with its noun in the right number: "1 dag", "3 dagen", "0 taken" (issue 10.8).
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Minutes as people read hours on every page and in every letter: "21 uur", "45 minuten",
/// "20 uur en 45 minuten", "1 minuut" (issue 10.8: one way to write hours everywhere).
pub fn hours_nl(minutes: u32) -> String {
    let min = |m: u32| plural(i64::from(m), "minuut", "minuten");
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} uur"),
        (0, m) => min(m),
        (h, m) => format!("{h} uur en {}", min(m)),
    }
}

/// A text with a capital first letter ("relatief verzuim" → "Relatief verzuim"); the rest as
/// it is.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = Date::new(2026, 9, 14).unwrap();
        assert_eq!(date_nl(d), "14-09-2026");
        assert_eq!(date_long_nl(d), "maandag 14 september 2026");
        assert_eq!(parse_date_nl("2026-09-25"), Date::new(2026, 9, 25).ok());
        assert_eq!(parse_date_nl("25-09-2026"), Date::new(2026, 9, 25).ok());
        assert_eq!(parse_date_nl("31-02-2026"), None);
        // Winter time: UTC+1; summer time: UTC+2.
        let t: Timestamp = "2026-01-05T23:30:00Z".parse().unwrap();
        assert_eq!(local_date(t), Date::new(2026, 1, 6).unwrap());
        assert_eq!(date_time_nl(t), "06-01-2026 00:30");
        assert_eq!(date_time_seconds_nl(t), "06-01-2026 00:30:00");
        let summer: Timestamp = "2026-07-01T08:05:09Z".parse().unwrap();
        assert_eq!(date_time_nl(summer), "01-07-2026 10:05");
        assert_eq!(
            day_start(Date::new(2026, 7, 1).unwrap()),
            Some("2026-06-30T22:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn times() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(hhmm(510), "08:30");
    }

    #[test]
    fn hours_and_counts() {
        assert_eq!(hours_nl(1260), "21 uur");
        assert_eq!(hours_nl(1245), "20 uur en 45 minuten");
        assert_eq!(hours_nl(30), "30 minuten");
        assert_eq!(hours_nl(61), "1 uur en 1 minuut");
        assert_eq!(plural(1, "dag", "dagen"), "1 dag");
        assert_eq!(plural(0, "taak", "taken"), "0 taken");
    }

    #[test]
    fn capitals() {
        assert_eq!(capitalise("relatief verzuim"), "Relatief verzuim");
        assert_eq!(capitalise("ëen"), "Ëen");
        assert_eq!(capitalise(""), "");
    }
}
