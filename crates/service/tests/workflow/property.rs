//! Property: for random registration histories (adds, corrections and deletions, on a generated
//! school), the signals the service stored after applying the changes one by one equal the
//! engine's evaluation of the final record in one go.

use std::sync::atomic::{AtomicU32, Ordering};

use jiff::civil::Date;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use verzuim_engine::Evaluator;
use verzuim_engine::model::{
    ClosedKind, ClosedPeriod, Code, Period, Pupil, Registration, School, SignalKind, Span,
    TimeRange, WeekTimes,
};
use verzuim_service::{Caller, ServiceError, records};
use verzuim_store::{
    Letterhead, OrgKind, Organisation, PupilData, Role, SchoolSettings, Scope, Store,
};

use crate::fixtures::d;

#[derive(Debug, Clone)]
enum Op {
    Add(Registration),
    /// Replaces a live registration by another.
    Correct(usize, Registration),
    /// Corrects a live registration a little: another code, or one day or quarter longer or
    /// shorter (signals often keep their date and change their minutes or period).
    Tweak(usize, Tweak),
    Delete(usize),
}

#[derive(Debug, Clone, Copy)]
enum Tweak {
    Code(Code),
    Longer,
    Shorter,
}

fn tweak(reg: &Registration, t: Tweak) -> Registration {
    let mut r = reg.clone();
    let code = r.code;
    match (t, &mut r.span) {
        (Tweak::Code(new), _) if code != Code::TeLaat && new != Code::TeLaat => r.code = new,
        (Tweak::Longer, Span::Days { until, .. }) => *until = until.tomorrow().unwrap(),
        (Tweak::Shorter, Span::Days { from, until }) if *until > *from => {
            *until = until.yesterday().unwrap()
        }
        (Tweak::Longer, Span::Times { until: Some(u), .. }) => *u += 15,
        (
            Tweak::Shorter,
            Span::Times {
                from,
                until: Some(u),
                ..
            },
        ) if *u > *from + 15 => *u -= 15,
        _ => {}
    }
    r
}

#[derive(Debug, Clone)]
struct Case {
    school: School,
    ops: Vec<Op>,
}

const FIRST: &str = "2026-09-07";

fn day(offset: u32) -> Date {
    d(FIRST)
        .checked_add(jiff::Span::new().days(i64::from(offset)))
        .unwrap()
}

fn registration() -> impl Strategy<Value = Registration> {
    let code = prop_oneof![
        6 => Just(Code::Ongeoorloofd),
        1 => Just(Code::Luxe),
        3 => Just(Code::Ziek),
        3 => Just(Code::TeLaat),
        1 => Just(Code::Geoorloofd),
    ];
    (
        code,
        0u32..42,
        0u32..3,
        any::<bool>(),
        0u16..20,
        2u16..16,
        5u32..30,
    )
        .prop_map(|(code, start, len, part, from_q, len_q, late)| {
            let date = day(start);
            if code == Code::TeLaat {
                return Registration {
                    code,
                    span: Span::Times {
                        date,
                        from: 8 * 60 + 35,
                        until: None,
                    },
                    minutes_late: Some(late),
                };
            }
            let span = if part {
                let from = 8 * 60 + 30 + from_q * 15;
                Span::Times {
                    date,
                    from,
                    until: Some(from + len_q * 15),
                }
            } else {
                Span::Days {
                    from: date,
                    until: day(start + len),
                }
            };
            Registration {
                code,
                span,
                minutes_late: None,
            }
        })
}

fn op() -> impl Strategy<Value = Op> {
    let t = prop_oneof![
        Just(Tweak::Code(Code::Ongeoorloofd)),
        Just(Tweak::Code(Code::Geoorloofd)),
        Just(Tweak::Code(Code::Ziek)),
        Just(Tweak::Longer),
        Just(Tweak::Shorter),
    ];
    prop_oneof![
        6 => registration().prop_map(Op::Add),
        1 => (any::<usize>(), registration()).prop_map(|(i, r)| Op::Correct(i, r)),
        3 => (any::<usize>(), t).prop_map(|(i, t)| Op::Tweak(i, t)),
        2 => any::<usize>().prop_map(Op::Delete),
    ]
}

fn school() -> impl Strategy<Value = School> {
    (any::<bool>(), any::<bool>(), any::<bool>(), 0u32..60).prop_map(
        |(short_wednesday, free_friday_afternoon, autumn, studiedag)| {
            let t = |a: u16, b: u16| TimeRange::new(a, b);
            let full = vec![t(8 * 60 + 30, 12 * 60), t(12 * 60 + 45, 15 * 60)];
            let mut week = WeekTimes::default();
            for d in 0..5 {
                week.0[d] = full.clone();
            }
            if short_wednesday {
                week.0[2] = vec![t(8 * 60 + 30, 12 * 60 + 15)];
            }
            if free_friday_afternoon {
                week.0[4] = vec![t(8 * 60 + 30, 12 * 60)];
            }
            let mut closed = vec![ClosedPeriod {
                name: "Zomervakantie".into(),
                kind: ClosedKind::Vakantie,
                from: d("2026-07-11"),
                until: d("2026-08-23"),
            }];
            if autumn {
                closed.push(ClosedPeriod {
                    name: "Herfstvakantie".into(),
                    kind: ClosedKind::Vakantie,
                    from: d("2026-10-17"),
                    until: d("2026-10-25"),
                });
            }
            closed.push(ClosedPeriod {
                name: "Studiedag".into(),
                kind: ClosedKind::Studiedag,
                from: day(studiedag),
                until: day(studiedag),
            });
            School {
                id: String::new(),
                name: String::new(),
                holiday_region: None,
                lesson_times: week,
                groups: Default::default(),
                closed,
            }
        },
    )
}

fn case() -> impl Strategy<Value = Case> {
    (school(), prop::collection::vec(op(), 4..40)).prop_map(|(school, ops)| Case { school, ops })
}

type Key = (
    SignalKind,
    Date,
    Option<u32>,
    Option<String>,
    Option<u32>,
    Option<Period>,
);

static SCHOOLS: AtomicU32 = AtomicU32::new(0);

/// Applies the case's changes one by one through the service; returns (stored, batch).
async fn run(store: &Store, case: &Case) -> (Vec<Key>, Vec<Key>) {
    let school_id = format!("PROP{}", SCHOOLS.fetch_add(1, Ordering::Relaxed));
    store
        .put_organisation(&Organisation {
            id: school_id.clone(),
            kind: OrgKind::School,
            name: "Gegenereerde school".into(),
            letterhead: Letterhead::default(),
        })
        .await
        .unwrap();
    let admin = Caller::system(school_id.clone(), Role::Beheerder);
    let coordinator = Caller::system(school_id.clone(), Role::Verzuimcoordinator);
    verzuim_service::school::put_school_settings(
        store,
        &admin,
        &school_id,
        &SchoolSettings {
            card_id: "twente-po".into(),
            school: case.school.clone(),
        },
    )
    .await
    .unwrap();
    let mut data = PupilData::new(Pupil {
        id: "1".into(),
        birth_date: d("2015-06-15"),
        group: "6".into(),
        municipality: "GM0153".into(),
        enrolled_from: d("2021-08-23"),
        enrolled_until: None,
        next_school: None,
    });
    data.bsn = Some("400276872".into());
    records::enrol_pupil(store, &admin, &school_id, &data)
        .await
        .unwrap();
    let today = d("2027-06-30");
    let mut live: Vec<(i64, Registration)> = Vec::new();
    let mut refused = 0;
    for op in &case.ops {
        let outcome = match op {
            Op::Add(reg) => records::add_registration(
                store,
                &coordinator,
                today,
                &school_id,
                "1",
                reg,
                None,
                None,
            )
            .await
            .map(|c| live.push((c.version.id, reg.clone()))),
            Op::Correct(i, _) | Op::Tweak(i, _) if !live.is_empty() => {
                let at = i % live.len();
                let reg = match op {
                    Op::Tweak(_, t) => tweak(&live[at].1, *t),
                    Op::Correct(_, reg) => reg.clone(),
                    _ => unreachable!(),
                };
                records::correct_registration(
                    store,
                    &coordinator,
                    today,
                    &school_id,
                    live[at].0,
                    &reg,
                    None,
                    None,
                )
                .await
                .map(|_| live[at].1 = reg)
            }
            Op::Delete(i) if !live.is_empty() => {
                let (id, _) = live.remove(i % live.len());
                records::delete_registration(store, &coordinator, &school_id, id, None)
                    .await
                    .map(|_| ())
            }
            _ => Ok(()),
        };
        match outcome {
            // Refused changes (an overlap) leave the record as it was.
            Ok(()) => {}
            Err(ServiceError::Invalid(_)) => refused += 1,
            Err(e) => panic!("{op:?}: {e:?}"),
        }
    }
    let mut tx = store.connection().await.unwrap();
    let mut stored: Vec<Key> = tx
        .active_signals(Scope::School(&school_id), &school_id, "1")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.kind, s.date, s.count, s.stage, s.minutes, s.period))
        .collect();
    let record = tx.current_record(&school_id, "1").await.unwrap().unwrap();
    let settings = tx.school_settings(&school_id).await.unwrap().unwrap();
    drop(tx);
    let card = verzuim_engine::card::builtin("twente-po").unwrap();
    let (from, until) = verzuim_service::sync::evaluation_range(&record.record);
    let mut batch: Vec<Key> = Evaluator::new(&card, &settings.school, from, until)
        .evaluate(&record.record)
        .into_iter()
        .map(|s| (s.kind, s.date, s.count, s.stage, s.minutes, s.period))
        .collect();
    stored.sort();
    batch.sort();
    assert!(refused < case.ops.len(), "every change was refused");
    (stored, batch)
}

fn check(store: &Store, rt: &tokio::runtime::Runtime, cases: u32) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&case(), |case| {
            let (stored, batch) = rt.block_on(run(store, &case));
            prop_assert_eq!(stored, batch);
            Ok(())
        })
        .unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn incremental_signals_equal_batch_evaluation_sqlite() {
    let rt = runtime();
    let (store, dir) = rt.block_on(crate::sqlite_store());
    check(&store, &rt, 16);
    rt.block_on(store.close());
    drop(dir);
}

#[test]
fn incremental_signals_equal_batch_evaluation_postgres() {
    let rt = runtime();
    let Some(db) = rt.block_on(crate::PgDatabase::create()) else {
        eprintln!("skipped: DATABASE_URL is not set (PostgreSQL property does not run)");
        return;
    };
    let store = rt.block_on(async {
        let store = Store::connect(&db.url).await.expect("open postgres");
        store.migrate().await.expect("migrate postgres");
        store
    });
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&store, &rt, 16)));
    rt.block_on(store.close());
    rt.block_on(db.drop_database());
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}
