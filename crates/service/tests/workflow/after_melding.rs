//! Issue 10: records that stay true when facts change later.
//!
//! - 10.1: a melding reports the absence as known when the school makes it (the whole luxe run),
//!   stored with it as sent; the signal keeps the rule's date and minutes.
//! - 10.3: a leerkracht corrects the current and previous lesweek only; older registrations are
//!   the verzuimcoördinator's, with a reason; a correction that touches a melding's evidence keeps
//!   the melding as sent, marks it "gewijzigd na melding", and gives leerplicht and the school a
//!   task.
//! - 10.3 for events: a verwijdering, zorg_ziekte or overig_verzuim follows the same rule; and a
//!   registration or event added after a melding on a day of the period it reported marks the
//!   melding "gewijzigd na melding" too (the melding list shows it).
//! - 10.2 for cards: a school's change of card applies from a date on (the new card's
//!   `valid_from`, not before the day of the change); days before keep the card that applied.
//! - 10.4: a lateness on a day the pupil was absent the whole day is refused, in either order,
//!   and in the import with the file's line.

use verzuim_engine::model::{Code, Event, EventKind, Registration, SignalKind, Span};
use verzuim_exchange::Source;
use verzuim_service::Caller;
use verzuim_service::tasks::{self, Completion, MeldingContent};
use verzuim_service::text::{MELDING_CHANGED_TEXT, TELL_DUO_TEXT};
use verzuim_service::{ServiceError, Sources, history, import, leerplicht, meldingen, records};
use verzuim_store::{CasesOf, MeldingId, Scope, Store};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    a_melding_reports_the_whole_luxe_run,
    a_correction_after_a_melding_keeps_it_as_sent,
    a_teacher_corrects_the_current_and_previous_lesweek,
    an_event_correction_after_a_melding_keeps_it_as_sent,
    an_addition_in_a_meldings_period_marks_it,
    a_card_change_applies_from_its_date,
    a_lateness_on_a_day_absent_all_day_is_refused,
    the_import_refuses_a_lateness_on_a_day_absent_all_day,
);

/// Completes the pupil's open melding task as the school on `on`: the melding it makes.
async fn meld_on(s: &Store, pupil_id: &str, on: &str) -> MeldingId {
    let tasks = open_tasks(s, &school_caller(), pupil_id).await;
    let task = tasks
        .iter()
        .find(|t| t.melding)
        .expect("an open melding task");
    tasks::complete_task(
        s,
        &school_caller(),
        d(on),
        task.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: "Vakantie".into(),
                school_actions: "Gesprek met de ouders".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap()
    .melding
    .unwrap()
}

fn late(date: &str, minutes: u32) -> Registration {
    Registration {
        code: Code::TeLaat,
        span: Span::Days {
            from: d(date),
            until: d(date),
        },
        minutes_late: Some(minutes),
    }
}

async fn add(
    s: &Store,
    pupil: &str,
    reg: &Registration,
) -> Result<verzuim_service::Change, ServiceError> {
    records::add_registration(s, &school_caller(), today(), SCHOOL, pupil, reg, None, None).await
}

/// Luxe verzuim Monday 28 t/m Tuesday 29 September 2026 (2 × 345 minutes): the signal is
/// Monday's with 345 minutes; the melding, made on Wednesday, reports both days, 690 minutes
/// (before issue 10.1: "28-09-2026 t/m 28-09-2026, 345 minutes").
async fn a_melding_reports_the_whole_luxe_run(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1101", ENSCHEDE)).await;
    register(s, "1101", &days(Code::Luxe, "2026-09-28", "2026-09-29")).await;
    let id = meld_on(s, "1101", "2026-09-30").await;
    let view = meldingen::melding(s, &school_caller(), id).await.unwrap();
    assert_eq!(view.melding.verzuim_kind, SignalKind::LuxeVerzuim);
    assert_eq!(view.melding.period.from, d("2026-09-28"));
    assert_eq!(view.melding.period.to, d("2026-09-29"));
    assert_eq!(view.melding.minutes, 690);
    let mut tx = s.connection().await.unwrap();
    let signals = tx
        .active_signals(Scope::School(SCHOOL), SCHOOL, "1101")
        .await
        .unwrap();
    let luxe = signals
        .iter()
        .find(|x| x.kind == SignalKind::LuxeVerzuim)
        .unwrap();
    assert_eq!(luxe.date, d("2026-09-28"));
    assert_eq!(luxe.minutes, Some(345));
    // The case the signal opened says so first on its timeline.
    let timeline = tx
        .case_timeline(
            Scope::School(SCHOOL),
            CasesOf::One(luxe.case_id.unwrap()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (timeline[0].entry.as_str(), timeline[0].detail.as_deref()),
        (
            "geopend",
            Some("Dossier geopend door het signaal luxe verzuim van 28-09-2026")
        )
    );
    // What the melding reported is stored with it: the registration with its 690 minutes.
    let evidence = tx
        .melding_evidence(Scope::School(SCHOOL), id)
        .await
        .unwrap();
    assert!(
        matches!(
            evidence.as_slice(),
            [
                verzuim_store::melding_changes::MeldingEvidence::Registration {
                    version: 1,
                    minutes: 690,
                    ..
                }
            ]
        ),
        "{evidence:?}"
    );
}

/// A relatief melding of 21 t/m 24 September (1,260 minutes); on 30 June 2027 Thursday 24
/// September turns out to have been authorized. The teacher may not correct it (not the current
/// or previous lesweek), the coordinator only with a reason. The correction withdraws the signal
/// but the melding stays as sent, marked "gewijzigd na melding" with what changed and why;
/// leerplicht gets a task to take note, the school one to tell DUO. A deletion does the same.
async fn a_correction_after_a_melding_keeps_it_as_sent(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1102", ENSCHEDE)).await;
    let mut ids = Vec::new();
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        ids.push(
            register(s, "1102", &days(Code::Ongeoorloofd, day, day))
                .await
                .version
                .id,
        );
    }
    let id = meld_on(s, "1102", "2026-09-25").await;
    let geoorloofd = days(Code::Geoorloofd, "2026-09-24", "2026-09-24");

    let by_teacher = records::correct_registration_because(
        s,
        &teacher(),
        today(),
        SCHOOL,
        ids[3],
        &geoorloofd,
        None,
        Some("Tandarts"),
        None,
    )
    .await;
    assert!(
        matches!(&by_teacher, Err(ServiceError::Invalid(m)) if m.contains("een leerkracht corrigeert alleen registraties van deze en de vorige lesweek (vanaf 21-06-2027)")),
        "{by_teacher:?}"
    );
    let without_reason = records::correct_registration(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        ids[3],
        &geoorloofd,
        None,
        None,
    )
    .await;
    assert!(
        matches!(&without_reason, Err(ServiceError::Invalid(m)) if m.contains("geef een reden")),
        "{without_reason:?}"
    );
    assert!(
        meldingen::melding(s, &school_caller(), id)
            .await
            .unwrap()
            .changes
            .is_empty(),
        "a refused correction changes nothing"
    );

    let change = records::correct_registration_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        ids[3],
        &geoorloofd,
        None,
        Some("Tandarts, achteraf gemeld"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        change.sync.withdrawn.len(),
        1,
        "the signal's ground is gone"
    );

    // The melding as sent, marked.
    for caller in [school_caller(), leerplicht(ENSCHEDE)] {
        let view = meldingen::melding(s, &caller, id).await.unwrap();
        assert_eq!(view.melding.minutes, 1260);
        assert_eq!(view.melding.period.from, d("2026-09-21"));
        assert_eq!(view.melding.period.to, d("2026-09-24"));
        assert_eq!(view.changes.len(), 1, "{:?}", view.changes);
        assert_eq!(
            view.changes[0].what,
            "Registratie ongeoorloofd afwezig 24-09-2026 gecorrigeerd naar geoorloofd afwezig 24-09-2026"
        );
        assert_eq!(
            view.changes[0].reason.as_deref(),
            Some("Tandarts, achteraf gemeld")
        );
    }
    let lpa = open_tasks(s, &leerplicht(ENSCHEDE), "1102").await;
    let note = task_starting(&lpa, MELDING_CHANGED_TEXT);
    assert_eq!(note.organisation_id, ENSCHEDE);
    let school = open_tasks(s, &school_caller(), "1102").await;
    task_starting(&school, TELL_DUO_TEXT);
    // The reason is kept with the registration's new version.
    let mut tx = s.connection().await.unwrap();
    assert_eq!(
        tx.correction_reasons(ids[3]).await.unwrap(),
        [(2, "Tandarts, achteraf gemeld".to_owned())]
    );
    drop(tx);

    // Deleting another registration of the melding: a second change, two more tasks.
    records::delete_registration_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        ids[0],
        Some("Dubbel ingevoerd"),
        None,
    )
    .await
    .unwrap();
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), id)
        .await
        .unwrap();
    assert_eq!(view.changes.len(), 2);
    assert_eq!(
        view.changes[1].what,
        "Registratie ongeoorloofd afwezig 21-09-2026 verwijderd"
    );
    assert_eq!(view.melding.minutes, 1260, "still as sent");
    assert_eq!(
        open_tasks(s, &leerplicht(ENSCHEDE), "1102")
            .await
            .iter()
            .filter(|t| t.text == MELDING_CHANGED_TEXT)
            .count(),
        2
    );
}

/// The teacher's window: on Wednesday 30 June 2027 the current lesweek starts on Monday 28 June
/// and the previous one on 21 June; on Monday 19 October 2026, after the herfstvakantie (a week
/// without lessons), the previous lesweek is that of 5 October.
async fn a_teacher_corrects_the_current_and_previous_lesweek(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let school = demo_school();
    assert_eq!(
        records::teacher_window_start(&school, "5", today()),
        d("2027-06-21")
    );
    assert_eq!(
        records::teacher_window_start(&school, "5", d("2026-10-19")),
        d("2026-10-05")
    );
    enrol(s, SCHOOL, &pupil("1103", ENSCHEDE)).await;
    let recent = register(s, "1103", &days(Code::Ziek, "2027-06-21", "2027-06-21"))
        .await
        .version
        .id;
    let older = register(s, "1103", &days(Code::Ziek, "2027-06-18", "2027-06-18"))
        .await
        .version
        .id;
    // The previous lesweek: the teacher corrects it, without a reason.
    records::correct_registration(
        s,
        &teacher(),
        today(),
        SCHOOL,
        recent,
        &days(Code::Geoorloofd, "2027-06-21", "2027-06-21"),
        None,
        None,
    )
    .await
    .unwrap();
    // Moving it back before the window is a correction of an older day.
    let moved = records::correct_registration(
        s,
        &teacher(),
        today(),
        SCHOOL,
        recent,
        &days(Code::Geoorloofd, "2027-06-17", "2027-06-17"),
        None,
        None,
    )
    .await;
    assert!(matches!(moved, Err(ServiceError::Invalid(_))), "{moved:?}");
    let deleted =
        records::delete_registration_because(s, &teacher(), today(), SCHOOL, older, None, None)
            .await;
    assert!(
        matches!(&deleted, Err(ServiceError::Invalid(m)) if m.contains("een leerkracht corrigeert alleen")),
        "{deleted:?}"
    );
}

/// An overig_verzuim event of 7 October 2026, reported in a melding the next day; on 30 June
/// 2027 the date turns out to be wrong. The teacher may not correct it (not the current or
/// previous lesweek), the coordinator only with a reason; the correction keeps the melding as
/// sent, marks it "gewijzigd na melding" and gives leerplicht and the school a task; so does a
/// deletion. A recent event the teacher corrects without a reason.
async fn an_event_correction_after_a_melding_keeps_it_as_sent(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1105", ENSCHEDE)).await;
    let event = Event {
        kind: EventKind::OverigVerzuim,
        date: d("2026-10-07"),
        note: Some("Zorgen over de thuissituatie".into()),
    };
    let id = records::add_event(s, &school_caller(), today(), SCHOOL, "1105", &event, None)
        .await
        .unwrap()
        .version
        .id;
    let melding = meld_on(s, "1105", "2026-10-08").await;
    let moved = Event {
        date: d("2026-10-06"),
        ..event.clone()
    };
    let by_teacher = records::correct_event_because(
        s,
        &teacher(),
        today(),
        SCHOOL,
        id,
        &moved,
        Some("Verkeerde datum"),
        None,
    )
    .await;
    assert!(
        matches!(&by_teacher, Err(ServiceError::Invalid(m)) if m == "een leerkracht corrigeert alleen gebeurtenissen van deze en de vorige lesweek (vanaf 21-06-2027); een oudere gebeurtenis (06-10-2026) corrigeert de verzuimcoördinator, met een reden"),
        "{by_teacher:?}"
    );
    let without_reason =
        records::correct_event(s, &school_caller(), today(), SCHOOL, id, &moved, None).await;
    assert!(
        matches!(&without_reason, Err(ServiceError::Invalid(m)) if m == "geef een reden voor deze correctie: de gebeurtenis van 06-10-2026 ligt vóór de vorige lesweek (vóór 21-06-2027)"),
        "{without_reason:?}"
    );
    let deleted_by_teacher =
        records::delete_event_because(s, &teacher(), today(), SCHOOL, id, None, None).await;
    assert!(
        matches!(&deleted_by_teacher, Err(ServiceError::Invalid(m)) if m.starts_with("een leerkracht corrigeert alleen gebeurtenissen")),
        "{deleted_by_teacher:?}"
    );
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), melding)
        .await
        .unwrap();
    assert!(
        view.changes.is_empty(),
        "a refused correction changes nothing"
    );
    assert_eq!(view.melding.changes_after, 0);

    records::correct_event_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        id,
        &moved,
        Some("Verkeerde datum"),
        None,
    )
    .await
    .unwrap();
    for caller in [school_caller(), leerplicht(ENSCHEDE)] {
        let view = meldingen::melding(s, &caller, melding).await.unwrap();
        assert_eq!(view.melding.period.from, d("2026-10-07"), "as sent");
        assert_eq!(view.changes.len(), 1, "{:?}", view.changes);
        assert_eq!(
            view.changes[0].what,
            "Gebeurtenis \"Overig verzuim\" van 07-10-2026 gecorrigeerd naar \"Overig verzuim\" van 06-10-2026"
        );
        assert_eq!(view.changes[0].reason.as_deref(), Some("Verkeerde datum"));
        assert_eq!(view.melding.changes_after, 1);
    }
    let lpa = open_tasks(s, &leerplicht(ENSCHEDE), "1105").await;
    assert_eq!(
        task_starting(&lpa, MELDING_CHANGED_TEXT).organisation_id,
        ENSCHEDE
    );
    task_starting(
        &open_tasks(s, &school_caller(), "1105").await,
        TELL_DUO_TEXT,
    );
    let versions = history::event_history(s, &school_caller(), SCHOOL, id)
        .await
        .unwrap();
    assert_eq!(versions.versions.len(), 2);
    assert_eq!(versions.reasons, [(2, "Verkeerde datum".to_owned())]);

    records::delete_event_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        id,
        Some("Dubbel vastgelegd"),
        None,
    )
    .await
    .unwrap();
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), melding)
        .await
        .unwrap();
    assert_eq!(view.changes.len(), 2);
    assert_eq!(
        view.changes[1].what,
        "Gebeurtenis \"Overig verzuim\" van 06-10-2026 verwijderd"
    );
    assert_eq!(
        open_tasks(s, &leerplicht(ENSCHEDE), "1105")
            .await
            .iter()
            .filter(|t| t.text == MELDING_CHANGED_TEXT)
            .count(),
        2
    );
    let mut tx = s.connection().await.unwrap();
    assert_eq!(
        tx.event_correction_reasons(id).await.unwrap(),
        [
            (2, "Verkeerde datum".to_owned()),
            (3, "Dubbel vastgelegd".to_owned())
        ]
    );
    drop(tx);

    // The previous lesweek: the teacher corrects an event of it without a reason.
    let recent = Event {
        kind: EventKind::ZorgZiekte,
        date: d("2027-06-22"),
        note: None,
    };
    let recent_id = records::add_event(s, &teacher(), today(), SCHOOL, "1105", &recent, None)
        .await
        .unwrap()
        .version
        .id;
    records::correct_event(
        s,
        &teacher(),
        today(),
        SCHOOL,
        recent_id,
        &Event {
            date: d("2027-06-23"),
            ..recent
        },
        None,
    )
    .await
    .unwrap();
    records::delete_event_because(s, &teacher(), today(), SCHOOL, recent_id, None, None)
        .await
        .unwrap();
}

/// Relatief verzuim on Monday 21, Tuesday 22, Thursday 24 and Friday 25 September 2026, reported
/// on Monday 28 September (period 21 t/m 25 September). A sick day registered afterwards on
/// Wednesday 23 September, and an event on that day, fall in the period the melding reported:
/// the melding stays as sent and is marked "gewijzigd na melding" each time, with tasks for
/// leerplicht and the school; leerplicht's list of meldingen shows it. A registration after the
/// period changes nothing.
async fn an_addition_in_a_meldings_period_marks_it(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1106", ENSCHEDE)).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-24", "2026-09-25"] {
        register(s, "1106", &days(Code::Ongeoorloofd, day, day)).await;
    }
    let melding = meld_on(s, "1106", "2026-09-28").await;
    let sent = meldingen::melding(s, &school_caller(), melding)
        .await
        .unwrap()
        .melding;
    assert_eq!(
        (sent.period.from, sent.period.to),
        (d("2026-09-21"), d("2026-09-25"))
    );
    let listed = |caller: Caller| async move {
        leerplicht::list_meldingen(s, &caller, today(), None, verzuim_store::Page::first(50))
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.id == melding)
            .expect("listed")
            .changes_after
    };
    assert_eq!(listed(leerplicht(ENSCHEDE)).await, 0);

    // After the period: nothing changes for the melding.
    register(s, "1106", &days(Code::Ziek, "2026-10-05", "2026-10-05")).await;
    assert_eq!(listed(leerplicht(ENSCHEDE)).await, 0);
    assert!(
        open_tasks(s, &leerplicht(ENSCHEDE), "1106")
            .await
            .iter()
            .all(|t| t.text != MELDING_CHANGED_TEXT)
    );

    // In the period: the melding is marked, as sent.
    register(s, "1106", &days(Code::Ziek, "2026-09-23", "2026-09-23")).await;
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), melding)
        .await
        .unwrap();
    assert_eq!(view.melding.minutes, sent.minutes, "as sent");
    assert_eq!(view.melding.period, sent.period, "as sent");
    assert_eq!(view.changes.len(), 1, "{:?}", view.changes);
    assert_eq!(
        view.changes[0].what,
        "Registratie ziek 23-09-2026 toegevoegd na de melding"
    );
    assert_eq!(view.changes[0].reason, None);
    task_starting(
        &open_tasks(s, &leerplicht(ENSCHEDE), "1106").await,
        MELDING_CHANGED_TEXT,
    );
    task_starting(
        &open_tasks(s, &school_caller(), "1106").await,
        TELL_DUO_TEXT,
    );
    assert_eq!(listed(leerplicht(ENSCHEDE)).await, 1);
    assert_eq!(listed(school_caller()).await, 1);

    // An event on a day of the period: a second mark.
    records::add_event(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        "1106",
        &Event {
            kind: EventKind::ZorgZiekte,
            date: d("2026-09-23"),
            note: None,
        },
        None,
    )
    .await
    .unwrap();
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), melding)
        .await
        .unwrap();
    assert_eq!(view.changes.len(), 2);
    assert_eq!(
        view.changes[1].what,
        "Gebeurtenis \"Ziekte die reden tot zorg geeft\" van 23-09-2026 toegevoegd na de melding"
    );
    assert_eq!(listed(leerplicht(ENSCHEDE)).await, 2);
    // A withdrawn melding is left alone.
    meldingen::melding_action(
        s,
        &school_caller(),
        melding,
        &meldingen::MeldingAction::Ingetrokken {
            reason: "Ten onrechte gemeld".into(),
        },
    )
    .await
    .unwrap();
    records::add_event(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        "1106",
        &Event {
            kind: EventKind::OverigVerzuim,
            date: d("2026-09-24"),
            note: None,
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(listed(leerplicht(ENSCHEDE)).await, 2);
    assert_eq!(
        meldingen::melding(s, &school_caller(), melding)
            .await
            .unwrap()
            .changes
            .len(),
        2
    );
}

/// A school on the Twente card (a lateness signal at 5) switches on 2 November 2026 to the M@ZL
/// example card (at 3, 6, 9, 12; valid from 1 August 2026). Three latenesses in October stay
/// without a signal: the Twente card applied then. Three more in November make the M@ZL card's
/// "6x" signal, dated in November.
async fn a_card_change_applies_from_its_date(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1107", ENSCHEDE)).await;
    for day in ["2026-10-05", "2026-10-06", "2026-10-07"] {
        register(s, "1107", &late(day, 10)).await;
    }
    let lateness = |s: &Store| {
        let s = s.clone();
        async move {
            let mut tx = s.connection().await.unwrap();
            tx.active_signals(Scope::School(SCHOOL), SCHOOL, "1107")
                .await
                .unwrap()
                .into_iter()
                .filter(|x| x.kind == SignalKind::TeLaat)
                .map(|x| (x.date, x.stage.unwrap_or_default()))
                .collect::<Vec<_>>()
        }
    };
    assert!(lateness(s).await.is_empty());
    let on_2_november = verzuim_store::ManualClock::new("2026-11-02T10:00:00Z".parse().unwrap());
    let later = s.with_clock(on_2_november.clock());
    let mut school = demo_school();
    school.id = SCHOOL.into();
    verzuim_service::school::put_school_settings(
        &later,
        &school_admin(),
        SCHOOL,
        &verzuim_store::SchoolSettings {
            card_id: "voorbeeld-mazl".into(),
            school,
        },
        None,
    )
    .await
    .unwrap();
    let mut tx = s.connection().await.unwrap();
    assert_eq!(
        tx.earlier_cards(SCHOOL).await.unwrap(),
        [verzuim_store::card_history::EarlierCard {
            until: d("2026-11-02"),
            card_id: "twente-po".into(),
        }]
    );
    drop(tx);
    assert!(
        lateness(s).await.is_empty(),
        "October keeps the Twente card: no M@ZL 3x signal"
    );
    for day in ["2026-11-03", "2026-11-04", "2026-11-05"] {
        register(s, "1107", &late(day, 10)).await;
    }
    assert_eq!(
        lateness(s).await,
        [(d("2026-11-05"), "6x".to_owned())],
        "the M@ZL card from 2 November"
    );
}

/// A lateness on a day absent the whole day, in either order, is refused; a lateness on a day
/// with absence for part of the day is not.
async fn a_lateness_on_a_day_absent_all_day_is_refused(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1104", ENSCHEDE)).await;
    register(s, "1104", &days(Code::Ziek, "2026-09-21", "2026-09-21")).await;
    let r = add(s, "1104", &late("2026-09-21", 5)).await;
    assert!(
        matches!(&r, Err(ServiceError::Invalid(m)) if m == "te laat komen kan niet op 21-09-2026: de leerling is die dag de hele dag afwezig (ziek); een leerling die de hele dag afwezig is, komt niet te laat"),
        "{r:?}"
    );
    // The other order: a lateness, then a whole day's absence.
    register(s, "1104", &late("2026-09-22", 5)).await;
    let r = add(
        s,
        "1104",
        &days(Code::Ongeoorloofd, "2026-09-22", "2026-09-22"),
    )
    .await;
    assert!(
        matches!(&r, Err(ServiceError::Invalid(m)) if m.contains("is op 22-09-2026 als te laat geregistreerd")),
        "{r:?}"
    );
    // A range of days that includes the lateness's day.
    let r = add(s, "1104", &days(Code::Luxe, "2026-09-22", "2026-09-25")).await;
    assert!(matches!(r, Err(ServiceError::Invalid(_))), "{r:?}");
    // Part of the day: accepted (late in the morning, sent home in the afternoon).
    register(s, "1104", &late("2026-09-23", 10)).await;
    let afternoon = Registration {
        code: Code::Ziek,
        span: Span::Times {
            date: d("2026-09-23"),
            from: 11 * 60,
            until: Some(12 * 60 + 15),
        },
        minutes_late: None,
    };
    add(s, "1104", &afternoon).await.unwrap();
    // And the rest of that day too: now the whole day is covered, refused.
    let morning = Registration {
        code: Code::Geoorloofd,
        span: Span::Times {
            date: d("2026-09-23"),
            from: 8 * 60 + 30,
            until: Some(11 * 60),
        },
        minutes_late: None,
    };
    let r = add(s, "1104", &morning).await;
    assert!(matches!(r, Err(ServiceError::Invalid(_))), "{r:?}");
}

/// The import refuses the combination with the file's line: within the files, and against a
/// stored registration.
async fn the_import_refuses_a_lateness_on_a_day_absent_all_day(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let admin = school_admin();
    let pupils = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
3001;Anna;01-03-2016;5;Enschede;22-08-2022;400276872\n";
    let source = |name: &'static str, text: &'static str| Source {
        name,
        bytes: text.as_bytes(),
    };
    let regs = "pupil_id,code,start,end,minutes\n\
3001,ziek,2026-09-21,2026-09-22,\n\
3001,te_laat,2026-09-22,,5\n\
3001,te_laat,2026-09-23,,5\n";
    let err = import(
        s,
        &admin,
        today(),
        SCHOOL,
        Sources {
            school: None,
            pupils: source("pupils.csv", pupils),
            registrations: source("registrations.csv", regs),
            events: None,
        },
    )
    .await
    .unwrap_err();
    let ServiceError::Input(errors) = err else {
        panic!("expected input errors, got {err:?}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "registrations.csv:3: te laat komen kan niet: leerling \"3001\" is op 22-09-2026 de hele dag afwezig (ziek); een leerling die de hele dag afwezig is, komt niet te laat"
    );
    // Stored first, then a file that adds the whole day's absence: the absence's line.
    let ok = "pupil_id,code,start,end,minutes\n3001,te_laat,2026-09-23,,5\n";
    import(
        s,
        &admin,
        today(),
        SCHOOL,
        Sources {
            school: None,
            pupils: source("pupils.csv", pupils),
            registrations: source("registrations.csv", ok),
            events: None,
        },
    )
    .await
    .unwrap();
    let absent =
        "pupil_id,code,start,end\n3001,geoorloofd,2026-09-21,\n3001,ongeoorloofd,2026-09-23,\n";
    let err = import(
        s,
        &admin,
        today(),
        SCHOOL,
        Sources {
            school: None,
            pupils: source("pupils.csv", pupils),
            registrations: source("registrations.csv", absent),
            events: None,
        },
    )
    .await
    .unwrap_err();
    let ServiceError::Input(errors) = err else {
        panic!("expected input errors, got {err:?}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, Some(3));
    assert!(
        errors[0]
            .message
            .contains("is op 23-09-2026 al als te laat geregistreerd"),
        "{errors:?}"
    );
}
