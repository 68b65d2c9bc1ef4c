//! Leerplicht's regional pages and the DUO register (issue 11):
//!
//! - the year in figures against a generated school year: a seeded generator enrols pupils at
//!   two schools in two municipalities, registers absence, makes the meldingen on chosen days
//!   (the store's clock), lets leerplicht act and close them on chosen days; the test keeps its
//!   own log of what it did and counts the figures from that log, never through the service's
//!   query;
//! - the prikactie: counts per school around the herfstvakantie, small numbers suppressed,
//!   pupils only with a melding;
//! - the DUO register: what a melding needs before it can be recorded as submitted, the
//!   einddatum of a langdurig relatief verzuim as a later update.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use verzuim_engine::model::{Code, Pupil};
use verzuim_service::meldingen::{self, ClosingReason, MeldingAction};
use verzuim_service::region::{self, SmallCount, Thuiszitters};
use verzuim_service::tasks::{self, Completion, MeldingContent, ParentsInformed};
use verzuim_service::{Caller, ServiceError, duo, leerplicht};
use verzuim_store::leerplicht_queries::{ConversationWith, LeerplichtActionKind};
use verzuim_store::region_queries::{DuoDetails, PhoneOf, SchoolContact};
use verzuim_store::{InformedHow, ManualClock, MeldingId, PupilData, Role, Store};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    year_figures_of_a_generated_school_year,
    prikactie_counts_per_school_and_hides_small_numbers,
    duo_register_melding_is_prepared_and_recorded
);

/// A small deterministic generator (the stories must give the same school year every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn at(day: &str) -> Timestamp {
    format!("{day}T10:00:00Z").parse().expect("timestamp")
}

fn coordinator(school: &str) -> Caller {
    Caller::user(
        if school == SCHOOL { 1 } else { 4 },
        school,
        Role::Verzuimcoordinator,
    )
}

fn pupil_at(id: &str, municipality: &str, birth: &str) -> PupilData {
    let mut data = PupilData::new(Pupil {
        id: id.into(),
        birth_date: d(birth),
        group: "5".into(),
        municipality: municipality.into(),
        enrolled_from: d("2022-08-22"),
        enrolled_until: None,
        next_school: None,
    });
    data.name = Some(format!("Leerling {id}"));
    data.bsn = Some("400276872".into());
    data.parent_phone = Some("053-1234567".into());
    data
}

async fn register_at(s: &Store, school: &str, pupil: &str, code: Code, from: &str, until: &str) {
    verzuim_service::records::add_registration(
        s,
        &coordinator(school),
        today(),
        school,
        pupil,
        &days(code, from, until),
        None,
        None,
    )
    .await
    .expect("register");
}

/// Completes every open melding task of the pupil (parents informed where the card says so):
/// the meldingen made.
async fn meld_all(s: &Store, school: &str, pupil: &str, on: Date) -> Vec<MeldingId> {
    let caller = coordinator(school);
    let mut made = Vec::new();
    loop {
        let tasks = open_tasks(s, &caller, pupil).await;
        let Some(task) = tasks.iter().find(|t| t.melding) else {
            break;
        };
        let outcome = tasks::complete_task(
            s,
            &caller,
            today(),
            task.id,
            &Completion {
                parents_informed: tasks::requires_parents_informed(&task.text).then_some(
                    ParentsInformed {
                        date: on,
                        how: InformedHow::Gesprek,
                    },
                ),
                melding: Some(MeldingContent {
                    suspected_reason: "Spijbelen".into(),
                    school_actions: "Gesprek met de ouders".into(),
                }),
                ..Completion::default()
            },
        )
        .await
        .expect("complete the melding task");
        made.extend(outcome.melding);
    }
    made
}

/// One melding as the test logged it.
#[derive(Debug, Clone)]
struct Logged {
    school: &'static str,
    pupil: String,
    kind: String,
    made: Date,
    /// (day, outcome key) once final.
    end: Option<(Date, String)>,
}

/// The figures the test expects, counted from its own log.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    meldingen: BTreeMap<String, u64>,
    outcomes: BTreeMap<String, u64>,
    actions: BTreeMap<String, u64>,
    start: Thuiszitters,
    end: Thuiszitters,
}

fn expected(
    log: &[Logged],
    actions: &[(&'static str, String, Date)],
    school: Option<&str>,
    from: Date,
    until: Date,
) -> Expected {
    let mut e = Expected::default();
    let mine = |s: &str| school.is_none_or(|x| x == s);
    for m in log.iter().filter(|m| mine(m.school)) {
        if from <= m.made && m.made <= until {
            *e.meldingen.entry(m.kind.clone()).or_default() += 1;
        }
        if let Some((day, key)) = &m.end
            && from <= *day
            && *day <= until
        {
            *e.outcomes.entry(key.clone()).or_default() += 1;
        }
    }
    for (s, kind, day) in actions {
        if mine(s) && from <= *day && *day <= until {
            *e.actions.entry(kind.clone()).or_default() += 1;
        }
    }
    for (day, t) in [(from, &mut e.start), (until, &mut e.end)] {
        let open: BTreeSet<(&str, &str)> = log
            .iter()
            .filter(|m| mine(m.school))
            .filter(|m| m.made <= day && m.end.as_ref().is_none_or(|(e, _)| *e > day))
            .filter(|m| m.kind == "langdurig_relatief_verzuim" || m.kind == "absoluut_verzuim")
            .map(|m| (m.pupil.as_str(), m.kind.as_str()))
            .collect();
        for (_, kind) in open {
            if kind == "absoluut_verzuim" {
                t.absoluut_verzuim += 1;
            } else {
                t.langdurig_relatief_verzuim += 1;
            }
        }
    }
    e
}

fn got(f: &region::Figures) -> Expected {
    Expected {
        meldingen: f.meldingen.clone(),
        outcomes: f.outcomes.clone(),
        actions: f.actions.clone(),
        start: f.thuiszitters_start,
        end: f.thuiszitters_end,
    }
}

/// Absence patterns of the generated year: (first day, last day, code) — a week of four days
/// (relatief verzuim: 16 hours in 4 weeks), five weeks (langdurig relatief verzuim), one luxe day.
const WEEKS: [&str; 6] = [
    "2026-09-07",
    "2026-09-28",
    "2026-11-09",
    "2027-01-18",
    "2027-03-08",
    "2027-05-31",
];

fn plus_days(day: Date, n: i64) -> Date {
    day.checked_add(jiff::Span::new().days(n)).expect("date")
}

async fn year_figures_of_a_generated_school_year(ctx: Ctx) {
    let clock = ManualClock::new(at("2026-08-20"));
    let s = &ctx.store.with_clock(clock.clock());
    region(s).await;
    let mut rng = Rng(20262027);
    let mut log: Vec<Logged> = Vec::new();
    let mut actions: Vec<(&'static str, String, Date)> = Vec::new();
    let lp = leerplicht(ENSCHEDE);
    for i in 0..14u32 {
        let school = if i % 2 == 0 { SCHOOL } else { OTHER_SCHOOL };
        // Most pupils live in Enschede; every fifth in Oldenzaal (not in Enschede's figures).
        let municipality = if i % 5 == 4 { OLDENZAAL } else { ENSCHEDE };
        let id = format!("{}", 5000 + i);
        // Pupils from 2014 are 12 by the spring of 2027 (HALT from 12).
        let birth = if rng.below(2) == 0 {
            "2014-01-10"
        } else {
            "2016-03-01"
        };
        enrol(s, school, &pupil_at(&id, municipality, birth)).await;
        let week = d(WEEKS[rng.below(WEEKS.len() as u64) as usize]);
        let pattern = rng.below(3);
        let (from, until, code) = match pattern {
            0 => (week, plus_days(week, 3), Code::Ongeoorloofd),
            1 => (week, plus_days(week, 32), Code::Ongeoorloofd),
            _ => (week, week, Code::Luxe),
        };
        register_at(s, school, &id, code, &from.to_string(), &until.to_string()).await;
        // The melding is made a few days after the absence (after the last day of it for
        // langdurig relatief verzuim, so that both meldingen exist).
        let made = plus_days(until, 1 + rng.below(4) as i64);
        clock.set(at(&made.to_string()));
        let ids = meld_all(s, school, &id, made).await;
        assert!(!ids.is_empty(), "pupil {id} got no melding task");
        for mid in ids {
            let view = meldingen::melding(s, &coordinator(school), mid)
                .await
                .unwrap();
            let kind = view.melding.verzuim_kind.as_str().to_owned();
            let mut entry = Logged {
                school,
                pupil: id.clone(),
                kind,
                made,
                end: None,
            };
            if municipality != ENSCHEDE {
                log.push(entry);
                continue;
            }
            // Leerplicht's handling: left waiting, taken up with actions, closed, taken note of,
            // or withdrawn by the school; some closings fall after the school year.
            let fate = rng.below(5);
            let day1 = plus_days(made, 2);
            if fate == 0 {
                log.push(entry);
                continue;
            }
            if fate == 4 {
                clock.set(at(&day1.to_string()));
                meldingen::melding_action(
                    s,
                    &coordinator(school),
                    mid,
                    &MeldingAction::Ingetrokken {
                        reason: "Verkeerde leerling".into(),
                    },
                )
                .await
                .unwrap();
                entry.end = Some((day1, "ingetrokken".into()));
                log.push(entry);
                continue;
            }
            if fate == 3 {
                clock.set(at(&day1.to_string()));
                meldingen::melding_action(
                    s,
                    &lp,
                    mid,
                    &MeldingAction::TerKennisgevingAangenomen { afspraken: None },
                )
                .await
                .unwrap();
                entry.end = Some((day1, "ter_kennisgeving_aangenomen".into()));
                log.push(entry);
                continue;
            }
            clock.set(at(&day1.to_string()));
            meldingen::melding_action(s, &lp, mid, &MeldingAction::InBehandeling)
                .await
                .unwrap();
            let mut kinds = vec![LeerplichtActionKind::Waarschuwingsbrief];
            if rng.below(2) == 0 {
                kinds.push(LeerplichtActionKind::Gesprek);
            }
            if birth == "2014-01-10" && rng.below(2) == 0 {
                kinds.push(LeerplichtActionKind::Halt);
            }
            if rng.below(3) == 0 {
                kinds.push(LeerplichtActionKind::ProcesVerbaal);
            }
            for (n, kind) in kinds.into_iter().enumerate() {
                let day = plus_days(day1, n as i64 + 1);
                // HALT only from 12: the 2014 pupils are 12 from 10 January 2026 on.
                leerplicht::record_action(
                    s,
                    &lp,
                    d("2027-12-31"),
                    mid,
                    &leerplicht::ActionInput {
                        kind,
                        date: day,
                        with_whom: (kind == LeerplichtActionKind::Gesprek)
                            .then_some(ConversationWith::Ouders),
                        summary: (kind == LeerplichtActionKind::Gesprek)
                            .then(|| "Afspraken gemaakt".to_owned()),
                        parents_informed: Some(InformedHow::Brief),
                        referred_to: None,
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("{kind:?} on {day}: {e}"));
                actions.push((school, kind.as_str().to_owned(), day));
            }
            if fate == 2 {
                let reason = ClosingReason::ALL[rng.below(6) as usize];
                // Every other closing lands after 31 July 2027: the next school year.
                let closed = if rng.below(2) == 0 {
                    plus_days(day1, 10)
                } else {
                    d("2027-08-03")
                };
                clock.set(at(&closed.to_string()));
                meldingen::melding_action(
                    s,
                    &lp,
                    mid,
                    &MeldingAction::Afgesloten {
                        reason,
                        afspraken: "Leerling gaat weer naar school".into(),
                    },
                )
                .await
                .unwrap();
                entry.end = Some((closed, format!("afgesloten:{}", reason.as_str())));
            }
            log.push(entry);
        }
    }
    let enschede: Vec<Logged> = log
        .iter()
        .filter(|m| m.pupil.parse::<u32>().unwrap() % 5 != 4)
        .cloned()
        .collect();
    assert!(
        enschede
            .iter()
            .any(|m| m.kind == "langdurig_relatief_verzuim"),
        "the generated year has thuiszitters: {log:#?}"
    );
    assert!(enschede.iter().any(|m| m.end.is_some()));
    for year in [2026i16, 2027] {
        let (from, until) = region::school_year(year).unwrap();
        let f = region::year_figures(s, &lp, year).await.unwrap();
        assert_eq!(
            got(&f.total),
            expected(&enschede, &actions, None, from, until),
            "{year}"
        );
        for school in [SCHOOL, OTHER_SCHOOL] {
            let want = expected(&enschede, &actions, Some(school), from, until);
            let have = f.per_school.get(school).map(got).unwrap_or_default();
            assert_eq!(have, want, "{year} {school}");
        }
        assert_eq!(
            f.total.meldingen_total,
            f.total.meldingen.values().sum::<u64>()
        );
    }
    // Oldenzaal sees only its own: none of Enschede's meldingen.
    let old = region::year_figures(s, &leerplicht(OLDENZAAL), 2026)
        .await
        .unwrap();
    let oldenzaal: Vec<Logged> = log
        .iter()
        .filter(|m| m.pupil.parse::<u32>().unwrap() % 5 == 4)
        .cloned()
        .collect();
    let (from, until) = region::school_year(2026).unwrap();
    assert_eq!(
        got(&old.total),
        expected(&oldenzaal, &[], None, from, until)
    );
    // A school cannot read a municipality's figures.
    assert!(matches!(
        region::year_figures(s, &school_caller(), 2026).await,
        Err(ServiceError::Forbidden(_))
    ));
}

async fn prikactie_counts_per_school_and_hides_small_numbers(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    // Herfstvakantie 10–18 October 2026; studiedag 9 October: the last lesson day before is
    // Thursday 8 October, the first after Monday 19 October.
    // De Esch: six Enschede pupils absent on 8 October (one luxe), one on 19 October; an
    // Oldenzaal pupil absent on both days does not count for Enschede.
    for i in 0..6 {
        let id = format!("61{i:02}");
        enrol(s, SCHOOL, &pupil_at(&id, ENSCHEDE, "2016-03-01")).await;
        let code = if i == 0 {
            Code::Luxe
        } else {
            Code::Ongeoorloofd
        };
        register_at(s, SCHOOL, &id, code, "2026-10-08", "2026-10-08").await;
    }
    enrol(s, SCHOOL, &pupil_at("6110", ENSCHEDE, "2016-03-01")).await;
    register_at(
        s,
        SCHOOL,
        "6110",
        Code::Ongeoorloofd,
        "2026-10-19",
        "2026-10-19",
    )
    .await;
    // Present, or absent with a valid reason: not counted.
    enrol(s, SCHOOL, &pupil_at("6111", ENSCHEDE, "2016-03-01")).await;
    register_at(s, SCHOOL, "6111", Code::Ziek, "2026-10-19", "2026-10-19").await;
    enrol(s, SCHOOL, &pupil_at("6199", OLDENZAAL, "2016-03-01")).await;
    register_at(
        s,
        SCHOOL,
        "6199",
        Code::Ongeoorloofd,
        "2026-10-08",
        "2026-10-08",
    )
    .await;
    register_at(
        s,
        SCHOOL,
        "6199",
        Code::Ongeoorloofd,
        "2026-10-19",
        "2026-10-19",
    )
    .await;
    // De Wilg: one Enschede pupil (the municipality written as its name), absent on 8 October
    // and with a melding for a week of September.
    enrol(s, OTHER_SCHOOL, &pupil_at("7001", "Enschede", "2016-03-01")).await;
    register_at(
        s,
        OTHER_SCHOOL,
        "7001",
        Code::Ongeoorloofd,
        "2026-09-21",
        "2026-09-24",
    )
    .await;
    let made = meld_all(s, OTHER_SCHOOL, "7001", d("2026-09-28")).await;
    assert_eq!(made.len(), 1);
    register_at(
        s,
        OTHER_SCHOOL,
        "7001",
        Code::Ongeoorloofd,
        "2026-10-08",
        "2026-10-08",
    )
    .await;

    let lp = leerplicht(ENSCHEDE);
    let p = region::prikactie(s, &lp, 2026, Some("Herfstvakantie"), d("2026-11-01"))
        .await
        .unwrap();
    assert!(p.holidays.iter().any(|h| h.name == "Kerstvakantie"));
    assert_eq!(p.holiday.as_ref().unwrap().name, "Herfstvakantie");
    let esch = p.schools.iter().find(|r| r.school_id == SCHOOL).unwrap();
    assert_eq!(esch.pupils, 8, "the Enschede pupils of De Esch");
    assert_eq!(esch.last_day_before, Some(d("2026-10-08")));
    assert_eq!(esch.first_day_after, Some(d("2026-10-19")));
    assert_eq!(esch.absent_before, SmallCount::of(6));
    assert_eq!(esch.absent_before.value, Some(6));
    // One pupil: "fewer than 5", not 1.
    assert_eq!(esch.absent_after.value, None);
    assert_eq!(esch.absent_after.fewer_than, Some(region::SMALL_NUMBER));
    assert_eq!(esch.absent_after.label(), "minder dan 5");
    // The engine's possible-luxe signals on those days: the five ongeoorloofd pupils of 8
    // October and the one of 19 October (the luxe day is luxe verzuim, not a suspicion).
    assert_eq!(esch.possible_luxe, SmallCount::of(6));
    let wilg = p
        .schools
        .iter()
        .find(|r| r.school_id == OTHER_SCHOOL)
        .unwrap();
    assert_eq!(wilg.pupils, 1);
    assert_eq!(wilg.absent_before.value, None, "1 is shown as fewer than 5");
    assert_eq!(wilg.absent_after, SmallCount::of(0));
    assert_eq!(p.total_before, SmallCount::of(7));
    // Per pupil: only the pupil with a melding to Enschede.
    assert_eq!(p.pupils.len(), 1, "{:#?}", p.pupils);
    assert_eq!(p.pupils[0].pupil_id, "7001");
    assert_eq!(p.pupils[0].before, Some(Code::Ongeoorloofd));
    assert_eq!(p.pupils[0].after, None);
    // Oldenzaal: its one pupil, counted as fewer than 5, never named (no melding).
    let o = region::prikactie(
        s,
        &leerplicht(OLDENZAAL),
        2026,
        Some("Herfstvakantie"),
        d("2026-11-01"),
    )
    .await
    .unwrap();
    assert!(o.pupils.is_empty());
    assert_eq!(o.schools.len(), 1);
    assert_eq!(o.schools[0].absent_before.label(), "minder dan 5");
    // Unknown holiday: a Dutch error naming it; a school has no such page.
    assert!(matches!(
        region::prikactie(s, &lp, 2026, Some("Paasvakantie"), d("2026-11-01")).await,
        Err(ServiceError::Invalid(m)) if m.contains("Paasvakantie")
    ));
    assert!(matches!(
        region::prikactie(s, &school_caller(), 2026, None, d("2026-11-01")).await,
        Err(ServiceError::Forbidden(_))
    ));
    // Default: the last holiday that began by today.
    let p = region::prikactie(s, &lp, 2026, None, d("2026-11-01"))
        .await
        .unwrap();
    assert_eq!(p.holiday.unwrap().name, "Herfstvakantie");
}

async fn duo_register_melding_is_prepared_and_recorded(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil_at("8001", ENSCHEDE, "2016-03-01")).await;
    // Five weeks ongeoorloofd from 7 September: relatief and langdurig relatief verzuim.
    register_at(
        s,
        SCHOOL,
        "8001",
        Code::Ongeoorloofd,
        "2026-09-07",
        "2026-10-08",
    )
    .await;
    let ids = meld_all(s, SCHOOL, "8001", d("2026-10-09")).await;
    let mut langdurig = None;
    let mut relatief = None;
    for id in ids {
        let m = duo::register_view(s, &school_caller(), id).await.unwrap();
        match m.kind {
            Some(duo::DuoKind::LangdurigRelatiefVerzuim) => langdurig = Some((id, m)),
            Some(duo::DuoKind::ZestienUurIn4Weken) => relatief = Some((id, m)),
            other => panic!("unexpected DUO kind {other:?}"),
        }
    }
    let (lid, l) = langdurig.expect("a langdurig melding");
    let (rid, r) = relatief.expect("a relatief melding");
    // Langdurig: no einddatum while the absence lasts; relatief: the period's end.
    assert_eq!(l.einddatum, None);
    assert_eq!(r.einddatum, Some(r.begindatum.max(r.einddatum.unwrap())));
    assert!(!r.days.is_empty() && r.days.iter().all(|d| d.whole_day));
    assert!(r.all_lessons_missed);
    assert_eq!(r.phone.as_deref(), Some("053-1234567"));
    assert_eq!(r.phone_of, Some(PhoneOf::Ouder));
    // Not complete: no contact person, details not saved.
    assert!(r.missing.iter().any(|m| m.contains("contactpersoon")));
    let refused =
        duo::record_submission(s, &school_caller(), today(), rid, "VR123", d("2026-10-12")).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(m)) if m.contains("niet compleet")),
        "{refused:?}"
    );
    // The contact person: every field, a real e-mail address.
    let bad = SchoolContact {
        name: "Anna de Vries".into(),
        function: "Intern begeleider".into(),
        phone: "053-7654321".into(),
        email: "anna".into(),
    };
    assert!(matches!(
        duo::set_school_contact(s, &school_admin(), SCHOOL, &bad).await,
        Err(ServiceError::Invalid(m)) if m.contains("e-mailadres")
    ));
    let contact = SchoolContact {
        email: "a.devries@esch.example".into(),
        ..bad
    };
    duo::set_school_contact(s, &school_admin(), SCHOOL, &contact)
        .await
        .unwrap();
    assert!(matches!(
        duo::set_school_contact(s, &other_school(), SCHOOL, &contact).await,
        Err(ServiceError::Forbidden(_))
    ));
    // "Nee" needs a reason; a half stay address is refused; an einddatum only for langdurig.
    let mut details = DuoDetails {
        phone: Some("06 12345678".into()),
        phone_of: Some(PhoneOf::Ouder),
        all_lessons_missed: true,
        action_wanted: false,
        location: Some("OBS De Esch".into()),
        ..DuoDetails::default()
    };
    assert!(matches!(
        duo::save_details(s, &school_caller(), today(), rid, &details).await,
        Err(ServiceError::Invalid(m)) if m.contains("reden")
    ));
    details.no_action_reason = Some("Ouders werken al mee met de zorg".into());
    details.stay_street = Some("Logeerstraat 3".into());
    assert!(matches!(
        duo::save_details(s, &school_caller(), today(), rid, &details).await,
        Err(ServiceError::Invalid(m)) if m.contains("verblijfadres")
    ));
    details.stay_postcode = Some("7511 ab".into());
    details.stay_city = Some("Enschede".into());
    details.end_date = Some(d("2026-10-20"));
    assert!(matches!(
        duo::save_details(s, &school_caller(), today(), rid, &details).await,
        Err(ServiceError::Invalid(m)) if m.contains("einddatum")
    ));
    details.end_date = None;
    let saved = duo::save_details(s, &school_caller(), today(), rid, &details)
        .await
        .unwrap();
    assert_eq!(saved.stay_address.as_ref().unwrap().postcode, "7511 AB");
    assert!(!saved.action_wanted);
    assert!(saved.missing.is_empty(), "{:?}", saved.missing);
    // Leerplicht reads it, cannot change it; GGD-JGZ does not find it.
    let seen = duo::register_view(s, &leerplicht(ENSCHEDE), rid)
        .await
        .unwrap();
    assert_eq!(seen.contact.as_ref().unwrap().name, "Anna de Vries");
    assert!(matches!(
        duo::save_details(s, &leerplicht(ENSCHEDE), today(), rid, &details).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        duo::register_view(s, &jgz(), rid).await,
        Err(ServiceError::NotFound)
    ));
    // Submitted: a meldingsnummer, a day between the melding and today; once only.
    assert!(matches!(
        duo::record_submission(s, &school_caller(), today(), rid, "VR 1", d("2026-10-12")).await,
        Err(ServiceError::Invalid(m)) if m.contains("meldingsnummer")
    ));
    let done = duo::record_submission(
        s,
        &school_caller(),
        today(),
        rid,
        "VR-2026-0042",
        d("2026-10-12"),
    )
    .await;
    // The melding was made by the store's clock (today's real date); the day must not be
    // before it.
    let made = meldingen::melding(s, &school_caller(), rid)
        .await
        .unwrap()
        .melding
        .created_at;
    // The day in the Netherlands, as the service names it (in UTC it is the day before
    // between midnight and 01:00).
    let made_day = verzuim_service::text::local_date(made);
    if d("2026-10-12") < made_day {
        assert!(matches!(done, Err(ServiceError::Invalid(_))), "{done:?}");
        duo::record_submission(s, &school_caller(), today(), rid, "VR-2026-0042", made_day)
            .await
            .unwrap();
    } else {
        done.unwrap();
    }
    let m = duo::register_view(s, &school_caller(), rid).await.unwrap();
    assert_eq!(
        m.submission.as_ref().unwrap().meldingsnummer,
        "VR-2026-0042"
    );
    assert!(matches!(
        duo::record_submission(s, &school_caller(), today(), rid, "VR-2", made_day).await,
        Err(ServiceError::Conflict(_))
    ));
    let json = duo::json(&m);
    assert_eq!(json["verzuim"]["soort"], "16_uur_in_4_weken");
    assert_eq!(json["indiening"]["meldingsnummer"], "VR-2026-0042");
    assert_eq!(json["leerling"]["verblijfadres"]["postcode"], "7511 AB");
    assert_eq!(json["actie_door_gemeente_gewenst"], false);
    let rows = duo::rows(&m);
    assert!(
        rows.iter()
            .any(|(k, v)| *k == "Contactpersoon" && v == "Anna de Vries")
    );

    // Langdurig: the einddatum is a later update of the submitted melding.
    let mut ld = DuoDetails {
        phone: Some("053-1234567".into()),
        phone_of: Some(PhoneOf::Ouder),
        action_wanted: true,
        ..DuoDetails::default()
    };
    duo::save_details(s, &school_caller(), today(), lid, &ld)
        .await
        .unwrap();
    duo::record_submission(s, &school_caller(), today(), lid, "VR-2026-0043", made_day)
        .await
        .unwrap();
    assert!(matches!(
        duo::record_update(s, &school_caller(), today(), lid, made_day).await,
        Err(ServiceError::Invalid(_))
    ));
    ld.end_date = Some(d("2026-11-02"));
    let l = duo::save_details(s, &school_caller(), today(), lid, &ld)
        .await
        .unwrap();
    assert_eq!(l.einddatum, Some(d("2026-11-02")));
    assert!(l.update_due());
    let l = duo::record_update(s, &school_caller(), today(), lid, today())
        .await
        .unwrap();
    assert_eq!(l.submission.unwrap().update_submitted_on, Some(today()));
}
