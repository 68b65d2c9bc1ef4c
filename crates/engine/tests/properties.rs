//! Properties of evaluation (design.md, Tests): it does not depend on the order of the input rows,
//! no signal depends on registrations after its date, and the same input gives the same output.

use jiff::civil::{Date, date};
use proptest::prelude::*;
use verzuim_engine::calendar::{date_of, day_number};
use verzuim_engine::card::builtin;
use verzuim_engine::model::{
    ClosedKind, ClosedPeriod, Code, Event, EventKind, Evidence, GroupTimes, Pupil, PupilRecord,
    Registration, School, Signal, Span, TimeRange, WeekTimes,
};
use verzuim_engine::{Card, Evaluator};

fn school() -> School {
    let full = vec![TimeRange::new(510, 720), TimeRange::new(765, 900)];
    let mut week = WeekTimes::default();
    for d in [0, 1, 3, 4] {
        week.0[d] = full.clone();
    }
    week.0[2] = vec![TimeRange::new(510, 735)];
    let mut kleuters = GroupTimes::default();
    kleuters.0[4] = Some(Vec::new());
    kleuters.0[2] = Some(vec![TimeRange::new(510, 690)]);
    let closed = |name: &str, kind, from, until| ClosedPeriod {
        name: name.into(),
        kind,
        from,
        until,
    };
    School {
        earlier_times: Vec::new(),
        id: "99XX00".into(),
        name: "Proefschool".into(),
        holiday_region: Some("noord".into()),
        lesson_times: week,
        groups: [("1-2".to_string(), kleuters)].into_iter().collect(),
        closed: vec![
            closed(
                "Herfstvakantie",
                ClosedKind::Vakantie,
                date(2026, 10, 17),
                date(2026, 10, 25),
            ),
            closed(
                "Studiedag",
                ClosedKind::Studiedag,
                date(2026, 12, 18),
                date(2026, 12, 18),
            ),
            closed(
                "Kerstvakantie",
                ClosedKind::Vakantie,
                date(2026, 12, 19),
                date(2027, 1, 3),
            ),
            closed(
                "Voorjaarsvakantie",
                ClosedKind::Vakantie,
                date(2027, 2, 20),
                date(2027, 2, 28),
            ),
            closed(
                "Koningsdag",
                ClosedKind::VrijeDag,
                date(2027, 4, 27),
                date(2027, 4, 27),
            ),
            closed(
                "Meivakantie",
                ClosedKind::Vakantie,
                date(2027, 4, 24),
                date(2027, 5, 2),
            ),
            closed(
                "Zomervakantie",
                ClosedKind::Vakantie,
                date(2027, 7, 10),
                date(2027, 8, 22),
            ),
        ],
    }
}

const FIRST: Date = date(2026, 8, 24);

/// One generated registration: a day offset, a kind of span and a code.
#[derive(Debug, Clone)]
struct Gen {
    day: i32,
    len: i32,
    code: Code,
    part: Option<(u16, u16)>,
    minutes_late: u32,
}

fn gen_registration() -> impl Strategy<Value = Gen> {
    (
        0..320i32,
        prop_oneof![4 => Just(1i32), 1 => 1..15i32],
        prop::sample::select(Code::ALL.to_vec()),
        prop::option::weighted(0.25, (480u16..900, 10u16..240)),
        1u32..60,
    )
        .prop_map(|(day, len, code, part, minutes_late)| Gen {
            day,
            len,
            code,
            part: part.map(|(s, l)| (s, s + l)),
            minutes_late,
        })
}

/// Builds a valid record: absence registrations never share a day (so never overlap), a lateness
/// only on a day without absence.
fn record(birth: Date, group: &str, gens: &[Gen], events: &[(i32, usize)]) -> PupilRecord {
    let mut taken = std::collections::BTreeSet::new();
    let mut registrations = Vec::new();
    for g in gens {
        let from = day_number(FIRST) + g.day;
        if g.code == Code::TeLaat {
            if taken.insert(from) {
                registrations.push(Registration {
                    code: Code::TeLaat,
                    span: Span::Days {
                        from: date_of(from),
                        until: date_of(from),
                    },
                    minutes_late: Some(g.minutes_late),
                });
            }
            continue;
        }
        let span = match g.part {
            Some((s, e)) => {
                if !taken.insert(from) {
                    continue;
                }
                Span::Times {
                    date: date_of(from),
                    from: s,
                    until: Some(e),
                }
            }
            None => {
                let days: Vec<i32> = (from..from + g.len).collect();
                if days.iter().any(|d| taken.contains(d)) {
                    continue;
                }
                taken.extend(days);
                Span::Days {
                    from: date_of(from),
                    until: date_of(from + g.len - 1),
                }
            }
        };
        registrations.push(Registration {
            code: g.code,
            span,
            minutes_late: None,
        });
    }
    let events = events
        .iter()
        .map(|&(day, kind)| Event {
            kind: EventKind::ALL[kind % 3],
            date: date_of(day_number(FIRST) + day),
            note: (kind % 3 != 1).then(|| "Notitie".to_string()),
        })
        .collect();
    PupilRecord {
        pupil: Pupil {
            id: "1".into(),
            birth_date: birth,
            group: group.into(),
            municipality: "GM0153".into(),
            enrolled_from: FIRST,
            enrolled_until: None,
            next_school: None,
        },
        registrations,
        events,
    }
}

/// A signal with its evidence resolved to the registrations and events themselves, so that
/// records in another row order compare equal.
fn canonical(record: &PupilRecord, signals: &[Signal]) -> Vec<String> {
    signals
        .iter()
        .map(|s| {
            let evidence: Vec<String> = s
                .evidence
                .iter()
                .map(|e| match e {
                    Evidence::Registration { index, minutes } => {
                        // Code and first day identify a generated registration; the span's
                        // end may be cut back by `truncate`.
                        let r = &record.registrations[*index];
                        format!("{}@{}={minutes}", r.code, r.span.first_date())
                    }
                    Evidence::Event { index } => format!("{:?}", record.events[*index]),
                    other => format!("{other:?}"),
                })
                .collect();
            let mut bare = s.clone();
            bare.evidence.clear();
            format!("{bare:?} {evidence:?}")
        })
        .collect()
}

fn evaluator(card: &Card) -> Evaluator<'_> {
    Evaluator::new(
        card,
        Box::leak(Box::new(school())),
        FIRST,
        date(2027, 7, 31),
    )
}

fn inputs() -> impl Strategy<Value = (Date, bool, Vec<Gen>, Vec<(i32, usize)>)> {
    (
        (0i32..3000).prop_map(|d| date_of(day_number(date(2014, 1, 1)) + d)),
        any::<bool>(),
        prop::collection::vec(gen_registration(), 0..60),
        prop::collection::vec((0..320i32, 0usize..3), 0..3),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn order_of_rows_does_not_matter((birth, kleuter, gens, events) in inputs(), seed in any::<u64>()) {
        let card = builtin("twente-po").unwrap();
        let ev = evaluator(&card);
        let group = if kleuter { "1-2" } else { "5-6" };
        let rec = record(birth, group, &gens, &events);
        let mut shuffled = rec.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.registrations.len();
        let mut state = seed | 1;
        for i in (1..n).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.registrations.swap(i, (state % (i as u64 + 1)) as usize);
        }
        shuffled.events.reverse();
        let a = canonical(&rec, &ev.evaluate(&rec));
        let b = canonical(&shuffled, &ev.evaluate(&shuffled));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn no_signal_depends_on_later_registrations((birth, kleuter, gens, events) in inputs()) {
        let card = builtin("twente-po").unwrap();
        let ev = evaluator(&card);
        let group = if kleuter { "1-2" } else { "5-6" };
        let rec = record(birth, group, &gens, &events);
        let full = ev.evaluate(&rec);
        for signal in &full {
            let cut = truncate(&rec, signal.date);
            let again = ev.evaluate(&cut);
            let before: Vec<&Signal> = full.iter().filter(|s| s.date <= signal.date).collect();
            let after: Vec<&Signal> = again.iter().filter(|s| s.date <= signal.date).collect();
            let before: Vec<Signal> = before.into_iter().cloned().collect();
            let after: Vec<Signal> = after.into_iter().cloned().collect();
            prop_assert_eq!(canonical(&rec, &before), canonical(&cut, &after));
        }
    }

    #[test]
    fn same_input_same_output((birth, kleuter, gens, events) in inputs()) {
        let card = builtin("voorbeeld-mazl").unwrap();
        let ev = evaluator(&card);
        let group = if kleuter { "1-2" } else { "7-8" };
        let rec = record(birth, group, &gens, &events);
        prop_assert_eq!(ev.evaluate(&rec), ev.evaluate(&rec));
    }
}

/// The record with everything after `cutoff` removed (spans cut back to `cutoff`).
fn truncate(rec: &PupilRecord, cutoff: Date) -> PupilRecord {
    let mut cut = rec.clone();
    cut.registrations = rec
        .registrations
        .iter()
        .filter(|r| r.span.first_date() <= cutoff)
        .map(|r| {
            let mut r = r.clone();
            if let Span::Days { from, until } = r.span
                && until > cutoff
            {
                r.span = Span::Days {
                    from,
                    until: cutoff,
                };
            }
            r
        })
        .collect();
    cut.events.retain(|e| e.date <= cutoff);
    cut
}

#[test]
fn three_months_back_clamps_to_month_end() {
    use jiff::ToSpan;
    assert_eq!(
        date(2027, 5, 31).checked_sub(3.months()).unwrap(),
        date(2027, 2, 28)
    );
    assert_eq!(
        date(2026, 8, 31).checked_sub(3.months()).unwrap(),
        date(2026, 5, 31)
    );
}

/// The properties above only mean something when the generated inputs raise signals: check
/// that they raise most kinds.
#[test]
fn generated_inputs_raise_most_signal_kinds() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let card = builtin("twente-po").unwrap();
    let ev = evaluator(&card);
    let mut runner = TestRunner::deterministic();
    let mut kinds = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let (birth, kleuter, gens, events) = inputs().new_tree(&mut runner).unwrap().current();
        let rec = record(birth, if kleuter { "1-2" } else { "5-6" }, &gens, &events);
        kinds.extend(ev.evaluate(&rec).into_iter().map(|s| s.kind));
    }
    assert!(kinds.len() >= 9, "only {kinds:?}");
}
