//! Writing the exchange formats (formats.md) from the engine's types: `school.toml`,
//! `pupils.csv`, `registrations.csv` and `events.csv`, in the forms the parsers read back to the
//! same values (`crates/exchange/src/tests.rs` checks the round trip). Used to export what a
//! service holds (and by the tests that compare the service with an evaluation of its export)
//! and by `verzuim generate`.

use std::fmt::Write as _;

use verzuim_engine::model::{
    Code, Event, GroupTimes, Pupil, Registration, School, Span, TimeRange, WeekTimes,
};

use crate::input::PupilDetails;
use crate::pupils::COLUMNS;
use crate::school::WEEKDAYS;
use crate::values::{date_iso, time_hm};

/// `school.toml`: the school's id, name, region, lesson times (the weekdays with lessons; each
/// group's own weekdays) and closed periods.
pub fn school_toml(school: &School) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "id = {}", toml_string(&school.id));
    let _ = writeln!(out, "name = {}", toml_string(&school.name));
    if let Some(region) = &school.holiday_region {
        let _ = writeln!(out, "holiday_region = {}", toml_string(region));
    }
    out.push_str("\n[lesson_times]\n");
    week(&mut out, &school.lesson_times);
    for (group, times) in &school.groups {
        let _ = writeln!(out, "\n[lesson_times.groups.{}]", toml_string(group));
        group_week(&mut out, times);
    }
    for closed in &school.closed {
        let _ = write!(
            out,
            "\n[[closed]]\nname = {}\nkind = \"{}\"\nfrom = {}\nuntil = {}\n",
            toml_string(&closed.name),
            closed.kind.as_str(),
            date_iso(closed.from),
            date_iso(closed.until)
        );
    }
    out
}

fn week(out: &mut String, week: &WeekTimes) {
    for (day, times) in WEEKDAYS.iter().zip(&week.0) {
        if !times.is_empty() {
            let _ = writeln!(out, "{day} = {}", ranges(times));
        }
    }
}

fn group_week(out: &mut String, week: &GroupTimes) {
    for (day, times) in WEEKDAYS.iter().zip(&week.0) {
        if let Some(times) = times {
            let _ = writeln!(out, "{day} = {}", ranges(times));
        }
    }
}

fn ranges(times: &[TimeRange]) -> String {
    let items: Vec<String> = times.iter().map(|t| format!("\"{t}\"")).collect();
    format!("[{}]", items.join(", "))
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `pupils.csv` with every column of formats.md.
pub fn pupils_csv<'a>(pupils: impl IntoIterator<Item = (&'a Pupil, &'a PupilDetails)>) -> String {
    let mut w = writer();
    w.write_record(COLUMNS).expect("writing CSV to memory");
    for (p, details) in pupils {
        let text = |s: &'a Option<String>| s.as_deref().unwrap_or("");
        record(
            &mut w,
            [
                p.id.as_str(),
                &date_iso(p.birth_date),
                &p.group,
                &p.municipality,
                &date_iso(p.enrolled_from),
                &p.enrolled_until.map(date_iso).unwrap_or_default(),
                text(&p.next_school),
                text(&details.name),
                text(&details.bsn),
                text(&details.onderwijsnummer),
                text(&details.parent_name),
                text(&details.parent_email),
                text(&details.parent_phone),
                text(&details.street),
                text(&details.postcode),
                text(&details.city),
            ],
        );
    }
    finish(w)
}

/// `registrations.csv`: each pupil's registrations in the given order (so that an index into
/// a record's registrations is the index of its row among that pupil's rows).
pub fn registrations_csv<'a>(
    registrations: impl IntoIterator<Item = (&'a str, &'a Registration)>,
) -> String {
    let mut w = writer();
    record(
        &mut w,
        ["pupil_id", "code", "start", "end", "minutes", "note"],
    );
    for (pupil_id, r) in registrations {
        let (start, end) = match r.span {
            Span::Days { from, until } if from == until => (date_iso(from), String::new()),
            Span::Days { from, until } => (date_iso(from), date_iso(until)),
            Span::Times { date, from, until } => {
                let at = |t| format!("{}T{}", date_iso(date), time_hm(t));
                (at(from), until.map(at).unwrap_or_default())
            }
        };
        let minutes = match (r.code, r.minutes_late) {
            (Code::TeLaat, Some(m)) => m.to_string(),
            _ => String::new(),
        };
        record(
            &mut w,
            [pupil_id, r.code.as_str(), &start, &end, &minutes, ""],
        );
    }
    finish(w)
}

/// `events.csv`.
pub fn events_csv<'a>(events: impl IntoIterator<Item = (&'a str, &'a Event)>) -> String {
    let mut w = writer();
    record(&mut w, ["pupil_id", "date", "event", "note"]);
    for (pupil_id, e) in events {
        let note = e.note.as_deref().unwrap_or("");
        record(&mut w, [pupil_id, &date_iso(e.date), e.kind.as_str(), note]);
    }
    finish(w)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn record<const N: usize>(w: &mut csv::Writer<Vec<u8>>, fields: [&str; N]) {
    w.write_record(fields).expect("writing CSV to memory");
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().expect("writing CSV to memory");
    String::from_utf8(bytes).expect("the fields are text")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Input, Source, parse};

    fn demo(name: &str) -> Vec<u8> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo/");
        std::fs::read(format!("{root}{name}")).expect("the demo school")
    }

    fn read(school: &[u8], pupils: &[u8], regs: &[u8], events: &[u8]) -> Input {
        parse(
            Source {
                name: "school.toml",
                bytes: school,
            },
            Source {
                name: "pupils.csv",
                bytes: pupils,
            },
            Source {
                name: "registrations.csv",
                bytes: regs,
            },
            Some(Source {
                name: "events.csv",
                bytes: events,
            }),
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// What is written reads back to the same school, pupils, registrations and events.
    #[test]
    fn the_demo_school_round_trips() {
        let mut school = read(
            &demo("school.toml"),
            &demo("pupils.csv"),
            &demo("registrations.csv"),
            &demo("events.csv"),
        );
        school.school.groups.insert("1-2".into(), {
            let mut g = GroupTimes::default();
            g.0[4] = Some(Vec::new());
            g.0[2] = Some(vec![TimeRange::new(510, 720)]);
            g
        });
        school.school.name = "OBS \"De Esch\", Enschede".into();
        let pupils = pupils_csv(school.pupils.iter().map(|p| (&p.record.pupil, &*p.details)));
        let regs = registrations_csv(school.pupils.iter().flat_map(|p| {
            let id = p.record.pupil.id.as_str();
            p.record.registrations.iter().map(move |r| (id, r))
        }));
        let events = events_csv(school.pupils.iter().flat_map(|p| {
            let id = p.record.pupil.id.as_str();
            p.record.events.iter().map(move |e| (id, e))
        }));
        let toml = school_toml(&school.school);
        let again = read(
            toml.as_bytes(),
            pupils.as_bytes(),
            regs.as_bytes(),
            events.as_bytes(),
        );
        assert_eq!(again.school, school.school, "{toml}");
        assert!(school.pupils.iter().any(|p| !p.record.events.is_empty()));
        for (a, b) in again.pupils.iter().zip(&school.pupils) {
            assert_eq!(a.record, b.record);
            assert_eq!(a.details, b.details);
        }
        assert_eq!(again.pupils.len(), school.pupils.len());
    }
}
