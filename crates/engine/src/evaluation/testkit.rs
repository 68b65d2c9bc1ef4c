//! What the rule modules' unit tests share: a school like the scenario school of
//! `tests/scenarios/school.toml` (Monday, Tuesday, Thursday, Friday 08:30-12:00 and 12:45-15:00
//! = 345 minutes, Wednesday 08:30-12:15 = 225 minutes; the 2026-2027 holidays of regio noord,
//! except the herfstvakantie, which is 17-25 October here and 10-18 October in the scenarios'
//! file), the built-in Twente card, and short ways to write pupils, registrations and the
//! signals of one kind.

use jiff::civil::Date;

use crate::card::{Card, builtin};
use crate::model::{
    ClosedKind, ClosedPeriod, Code, Event, EventKind, Pupil, PupilRecord, Registration, School,
    Signal, SignalKind, Span, TimeRange, WeekTimes,
};
use crate::progress::Progress;

use super::Evaluator;

/// `"2026-09-07"` as a date.
pub fn d(s: &str) -> Date {
    s.parse().expect("a date in the tests")
}

/// `"08:30"` as minutes after midnight.
fn t(s: &str) -> u16 {
    let (h, m) = s.split_once(':').expect("HH:MM");
    h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
}

pub fn school() -> School {
    let full = vec![
        TimeRange::new(t("08:30"), t("12:00")),
        TimeRange::new(t("12:45"), t("15:00")),
    ];
    let mut week = WeekTimes::default();
    for day in [0, 1, 3, 4] {
        week.0[day] = full.clone();
    }
    week.0[2] = vec![TimeRange::new(t("08:30"), t("12:15"))];
    let vakantie = |name: &str, from: &str, until: &str| ClosedPeriod {
        name: name.into(),
        kind: ClosedKind::Vakantie,
        from: d(from),
        until: d(until),
    };
    School {
        earlier_times: Vec::new(),
        id: "99XX00".into(),
        name: "OBS Testschool".into(),
        holiday_region: Some("noord".into()),
        lesson_times: week,
        groups: Default::default(),
        closed: vec![
            vakantie("Zomervakantie 2026", "2026-07-11", "2026-08-23"),
            vakantie("Herfstvakantie", "2026-10-17", "2026-10-25"),
            vakantie("Kerstvakantie", "2026-12-19", "2027-01-03"),
            vakantie("Voorjaarsvakantie", "2027-02-20", "2027-02-28"),
            vakantie("Meivakantie", "2027-04-24", "2027-05-02"),
            vakantie("Zomervakantie 2027", "2027-07-10", "2027-08-22"),
        ],
    }
}

pub fn twente() -> Card {
    builtin("twente-po").expect("the built-in card")
}

/// Pupil `1001` born on `birth`, in group 5, enrolled since 22 August 2022.
pub fn pupil(birth: &str) -> Pupil {
    Pupil {
        id: "1001".into(),
        birth_date: d(birth),
        group: "5".into(),
        municipality: "GM0153".into(),
        enrolled_from: d("2022-08-22"),
        enrolled_until: None,
        next_school: None,
    }
}

/// A pupil of 10 (born 10 March 2016) with these registrations.
pub fn record(registrations: Vec<Registration>) -> PupilRecord {
    PupilRecord {
        pupil: pupil("2016-03-10"),
        registrations,
        events: Vec::new(),
    }
}

/// Whole lesson days `from..=until`.
pub fn days(code: Code, from: &str, until: &str) -> Registration {
    Registration {
        code,
        span: Span::Days {
            from: d(from),
            until: d(until),
        },
        minutes_late: None,
    }
}

/// One whole lesson day.
pub fn day(code: Code, date: &str) -> Registration {
    days(code, date, date)
}

/// Part of one day, `from` up to (not including) `until`.
pub fn times(code: Code, date: &str, from: &str, until: &str) -> Registration {
    Registration {
        code,
        span: Span::Times {
            date: d(date),
            from: t(from),
            until: Some(t(until)),
        },
        minutes_late: None,
    }
}

/// A lateness on `date`.
pub fn late(date: &str, minutes: u32) -> Registration {
    Registration {
        code: Code::TeLaat,
        span: Span::Times {
            date: d(date),
            from: t("08:40"),
            until: None,
        },
        minutes_late: Some(minutes),
    }
}

pub fn event(kind: EventKind, date: &str) -> Event {
    Event {
        kind,
        date: d(date),
        note: None,
    }
}

/// Every signal of the record on the scenario school with `card`.
pub fn evaluate_with(card: &Card, record: &PupilRecord) -> Vec<Signal> {
    Evaluator::new(card, &school(), d("2026-08-01"), d("2027-07-31")).evaluate(record)
}

/// A studiedag on `date` (a closed day that is no vakantie).
pub fn studiedag(date: &str) -> ClosedPeriod {
    ClosedPeriod {
        name: "Studiedag".into(),
        kind: ClosedKind::Studiedag,
        from: d(date),
        until: d(date),
    }
}

/// `"08:30-12:00"` as a time range.
pub fn range(text: &str) -> TimeRange {
    let (from, until) = text.split_once('-').expect("HH:MM-HH:MM");
    TimeRange::new(t(from), t(until))
}

/// The signals of `kind` of the record on `school` with the Twente card.
pub fn signals_on(school: &School, kind: SignalKind, record: &PupilRecord) -> Vec<Signal> {
    Evaluator::new(&twente(), school, d("2026-08-01"), d("2027-07-31"))
        .evaluate(record)
        .into_iter()
        .filter(|s| s.kind == kind)
        .collect()
}

/// The signals of `kind` of the record on the scenario school with the Twente card.
pub fn signals(kind: SignalKind, record: &PupilRecord) -> Vec<Signal> {
    evaluate_with(&twente(), record)
        .into_iter()
        .filter(|s| s.kind == kind)
        .collect()
}

/// The dates of the signals of `kind`, as text.
pub fn dates(kind: SignalKind, record: &PupilRecord) -> Vec<String> {
    signals(kind, record)
        .iter()
        .map(|s| s.date.to_string())
        .collect()
}

/// The progress entry of `kind` as of `as_of`, with the Twente card.
pub fn progress(kind: SignalKind, record: &PupilRecord, as_of: &str) -> Option<Progress> {
    let card = twente();
    Evaluator::new(&card, &school(), d("2026-08-01"), d("2027-07-31"))
        .progress(record, d(as_of))
        .into_iter()
        .find(|p| p.kind == kind)
}

/// The minutes each evidence registration contributed, by registration index.
pub fn evidence(signal: &Signal) -> Vec<(usize, u32)> {
    signal
        .evidence
        .iter()
        .filter_map(|e| match *e {
            crate::model::Evidence::Registration { index, minutes } => Some((index, minutes)),
            _ => None,
        })
        .collect()
}
