//! Corrections: a correction that removes a signal's ground withdraws the signal and marks its
//! open tasks `not_needed` with the history kept; a running melding of a withdrawn signal gives
//! the school a review task. And the validation of registrations and events.

use verzuim_engine::model::{Code, Event, EventKind, Registration, SignalKind, Span};
use verzuim_service::meldingen::{self, MeldingAction};
use verzuim_service::records;
use verzuim_service::sync::WITHDRAWN_REASON;
use verzuim_service::tasks::{self, Completion, MeldingContent};
use verzuim_service::{ServiceError, visibility};
use verzuim_store::{MeldingStatus, Page, Scope, SignalStatus, TaskStatus};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    correction_withdraws_the_signal_and_its_open_tasks,
    withdrawn_signal_with_a_melding_gets_a_review_task,
    registrations_and_events_are_validated,
    pupil_event_and_case_changes,
);

async fn relatief_week(store: &verzuim_store::Store, pupil: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        ids.push(
            register(store, pupil, &days(Code::Ongeoorloofd, day, day))
                .await
                .version
                .id,
        );
    }
    ids
}

async fn correction_withdraws_the_signal_and_its_open_tasks(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1003", "GM0153")).await;
    let regs = relatief_week(s, "1003").await;
    let tasks = open_tasks(s, &school_caller(), "1003").await;
    assert_eq!(tasks.len(), 2);

    // Thursday was authorized after all: 915 minutes, no ground for the signal.
    let change = records::correct_registration_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        regs[3],
        &days(Code::Geoorloofd, "2026-09-24", "2026-09-24"),
        Some("Afspraak bij de tandarts, achteraf gemeld"),
        Some("Ouders meldden de tandarts achteraf"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(change.version.version, 2);
    assert_eq!(change.sync.withdrawn.len(), 1);
    assert_eq!(change.sync.tasks_not_needed.len(), 2);
    assert!(open_tasks(s, &school_caller(), "1003").await.is_empty());

    let mut tx = s.connection().await.unwrap();
    assert!(
        tx.active_signals(Scope::School(SCHOOL), SCHOOL, "1003")
            .await
            .unwrap()
            .is_empty()
    );
    let all = tx.pupil_signals(SCHOOL, "1003").await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, SignalStatus::Withdrawn);
    assert!(all[0].withdrawn_at.is_some());
    assert_eq!(all[0].withdrawn_reason.as_deref(), Some(WITHDRAWN_REASON));
    // Both versions of the registration are kept.
    let history = tx
        .registration_history(Scope::School(SCHOOL), regs[3])
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].registration.code, Code::Ongeoorloofd);
    assert_eq!(history[1].registration.code, Code::Geoorloofd);
    drop(tx);
    // The tasks are not_needed with the reason, and their history shows it.
    let not_needed = visibility::my_tasks(
        s,
        &school_caller(),
        Some(TaskStatus::NotNeeded),
        Page::default(),
    )
    .await
    .unwrap();
    assert_eq!(not_needed.len(), 2);
    for task in &not_needed {
        assert_eq!(task.status_reason.as_deref(), Some(WITHDRAWN_REASON));
        let history = visibility::task_history(s, &school_caller(), task.id)
            .await
            .unwrap();
        let statuses: Vec<&str> = history.iter().map(|h| h.status.as_str()).collect();
        assert_eq!(statuses, ["open", "not_needed"]);
        assert_eq!(history[1].reason.as_deref(), Some(WITHDRAWN_REASON));
    }
    // The case's timeline records the withdrawal.
    let cases = visibility::cases(
        s,
        &school_caller(),
        Some((SCHOOL, "1003")),
        false,
        Page::default(),
    )
    .await
    .unwrap();
    let case = visibility::case(s, &school_caller(), cases[0].id)
        .await
        .unwrap();
    assert!(
        case.timeline
            .iter()
            .any(|e| e.entry == "signaal_ingetrokken")
    );

    // Correcting it back: a new signal, and new tasks (the kind is no longer acted on).
    let change = records::correct_registration_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        regs[3],
        &days(Code::Ongeoorloofd, "2026-09-24", "2026-09-24"),
        None,
        Some("Toch geen tandarts"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(change.sync.inserted.len(), 1);
    assert_eq!(open_tasks(s, &school_caller(), "1003").await.len(), 2);
    // Deleting a day withdraws it again.
    let change = records::delete_registration_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        regs[0],
        Some("Dubbel ingevoerd"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(change.sync.withdrawn.len(), 1);
    assert!(open_tasks(s, &school_caller(), "1003").await.is_empty());
}

async fn withdrawn_signal_with_a_melding_gets_a_review_task(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1005", "GM0153")).await;
    let regs = relatief_week(s, "1005").await;
    let tasks = open_tasks(s, &school_caller(), "1005").await;
    let meld = tasks.iter().find(|t| t.melding).unwrap();
    let out = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        meld.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: "Onbekend".into(),
                school_actions: "Ouders gebeld".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let melding_id = out.melding.unwrap();
    let lp = leerplicht(ENSCHEDE);
    assert_eq!(open_tasks(s, &lp, "1005").await.len(), 1);

    let change = records::delete_registration_because(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        regs[3],
        Some("Dubbel ingevoerd"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(change.sync.withdrawn.len(), 1);
    // The talk task is not needed; the melding runs: a review task; leerplicht's task stays.
    // The deleted registration was in the melding: the school tells DUO, leerplicht takes note.
    let tasks = open_tasks(s, &school_caller(), "1005").await;
    let review = task_starting(
        &tasks,
        "Beoordeelt of de melding aan leerplicht wordt ingetrokken",
    );
    task_starting(&tasks, verzuim_service::text::TELL_DUO_TEXT);
    assert_eq!(tasks.len(), 2);
    assert_eq!(open_tasks(s, &lp, "1005").await.len(), 2);

    // The school withdraws the melding: the review is done, leerplicht's task not needed.
    let out = meldingen::melding_action(
        s,
        &school_caller(),
        melding_id,
        &MeldingAction::Ingetrokken {
            reason: "Registratie gecorrigeerd: geen 16 uur verzuim".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(out.status, Some(MeldingStatus::Ingetrokken));
    assert_eq!(out.tasks_closed.len(), 4);
    assert!(open_tasks(s, &school_caller(), "1005").await.is_empty());
    assert!(open_tasks(s, &lp, "1005").await.is_empty());
    let done = visibility::task(s, &school_caller(), review.id)
        .await
        .unwrap();
    assert_eq!(done.task.status, TaskStatus::Done);
}

async fn registrations_and_events_are_validated(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1006", "GM0153")).await;
    let c = school_caller();
    let add = |reg: Registration, note: Option<&'static str>| async move {
        records::add_registration(
            s,
            &school_caller(),
            today(),
            SCHOOL,
            "1006",
            &reg,
            note,
            None,
        )
        .await
    };
    let invalid = |r: Result<verzuim_service::Change, ServiceError>, needle: &str| match r {
        Err(ServiceError::Invalid(m)) => assert!(m.contains(needle), "{m:?} lacks {needle:?}"),
        other => panic!("expected Invalid({needle}), got {other:?}"),
    };
    // In the future (after the injected today).
    invalid(
        add(days(Code::Ongeoorloofd, "2027-07-01", "2027-07-01"), None).await,
        "na vandaag",
    );
    // A note on ziek: the nature of an illness is never stored.
    invalid(
        add(days(Code::Ziek, "2026-10-01", "2026-10-01"), Some("griep")).await,
        "ziekmelding krijgt geen toelichting",
    );
    // Before the enrolment.
    invalid(
        add(days(Code::Ongeoorloofd, "2022-08-01", "2022-08-01"), None).await,
        "buiten de inschrijving",
    );
    // End before start; minutes late on another code; a lateness over two days.
    invalid(
        add(days(Code::Ongeoorloofd, "2026-10-02", "2026-10-01"), None).await,
        "einde",
    );
    invalid(
        add(
            Registration {
                minutes_late: Some(5),
                ..days(Code::Ongeoorloofd, "2026-10-01", "2026-10-01")
            },
            None,
        )
        .await,
        "te_laat",
    );
    invalid(
        add(days(Code::TeLaat, "2026-10-01", "2026-10-02"), None).await,
        "één dag",
    );
    // Overlapping lesson time.
    add(days(Code::Verlof, "2026-10-05", "2026-10-06"), None)
        .await
        .unwrap();
    invalid(
        add(
            Registration {
                code: Code::Ongeoorloofd,
                span: Span::Times {
                    date: d("2026-10-06"),
                    from: 9 * 60,
                    until: Some(10 * 60),
                },
                minutes_late: None,
            },
            None,
        )
        .await,
        "overlapt",
    );
    // A lateness never overlaps an absence, but a pupil on leave the whole day did not arrive
    // late (issue 10.4).
    invalid(
        add(
            Registration {
                code: Code::TeLaat,
                span: Span::Times {
                    date: d("2026-10-06"),
                    from: 8 * 60 + 40,
                    until: None,
                },
                minutes_late: Some(10),
            },
            None,
        )
        .await,
        "de hele dag afwezig (verlof)",
    );
    // Events: no note on zorg_ziekte; a verwijdering names the school; not in the future.
    let event = |kind, date: &str, note: Option<&str>| Event {
        kind,
        date: d(date),
        note: note.map(str::to_owned),
    };
    let add_event = |e: Event| async move {
        records::add_event(s, &school_caller(), today(), SCHOOL, "1006", &e, None).await
    };
    invalid(
        add_event(event(EventKind::ZorgZiekte, "2026-10-07", Some("astma"))).await,
        "zorg_ziekte krijgt geen toelichting",
    );
    invalid(
        add_event(event(EventKind::Verwijdering, "2026-10-07", None)).await,
        "school die de leerling toelaat",
    );
    invalid(
        add_event(event(EventKind::OverigVerzuim, "2027-07-07", None)).await,
        "na vandaag",
    );
    let change = add_event(event(EventKind::ZorgZiekte, "2026-10-07", None))
        .await
        .unwrap();
    assert_eq!(change.sync.inserted.len(), 1);
    // The same event twice on one date would be the same signal twice: refused.
    invalid(
        add_event(event(EventKind::ZorgZiekte, "2026-10-07", None)).await,
        "er is al een gebeurtenis zorg_ziekte op",
    );
    add_event(event(EventKind::ZorgZiekte, "2026-10-08", None))
        .await
        .unwrap();
    // Another school may not register for this pupil; a leerkracht may.
    assert!(matches!(
        records::add_registration(
            s,
            &other_school(),
            today(),
            SCHOOL,
            "1006",
            &days(Code::Ongeoorloofd, "2026-10-08", "2026-10-08"),
            None,
            None
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    records::add_registration(
        s,
        &teacher(),
        today(),
        SCHOOL,
        "1006",
        &days(Code::Ongeoorloofd, "2026-10-08", "2026-10-08"),
        None,
        None,
    )
    .await
    .unwrap();
    // A pupil without BSN or onderwijsnummer: the melding is refused, in Dutch.
    let mut data = pupil("1007", "GM0153");
    data.bsn = None;
    enrol(s, SCHOOL, &data).await;
    relatief_week(s, "1007").await;
    let tasks = open_tasks(s, &c, "1007").await;
    let meld = tasks.iter().find(|t| t.melding).unwrap();
    let err = tasks::complete_task(
        s,
        &c,
        today(),
        meld.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: "x".into(),
                school_actions: "y".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(&err, ServiceError::Invalid(m) if m.contains("BSN of onderwijsnummer")));
    // Nothing changed: the task is still open.
    assert!(
        open_tasks(s, &c, "1007")
            .await
            .iter()
            .any(|t| t.id == meld.id)
    );
    // An invalid BSN is refused at enrolment.
    let mut bad = pupil("1008", "GM0153");
    bad.bsn = Some("123456789".into());
    assert!(matches!(
        records::enrol_pupil(s, &school_admin(), SCHOOL, &bad).await,
        Err(ServiceError::Invalid(_))
    ));
    // Absoluut verzuim: deregistered without a next school.
    let sync =
        records::deregister_pupil(s, &school_admin(), SCHOOL, "1008x", d("2026-10-09"), None).await;
    assert!(matches!(sync, Err(ServiceError::NotFound)));
    let sync = records::deregister_pupil(s, &school_admin(), SCHOOL, "1007", d("2026-10-09"), None)
        .await
        .unwrap();
    let mut tx = s.connection().await.unwrap();
    let kinds: Vec<SignalKind> = tx
        .active_signals(Scope::School(SCHOOL), SCHOOL, "1007")
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.kind)
        .collect();
    assert!(
        kinds.contains(&SignalKind::AbsoluutVerzuim),
        "{kinds:?} {sync:?}"
    );
}

async fn pupil_event_and_case_changes(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1010", "GM0153")).await;
    let c = school_caller();
    // An event raises overig verzuim; correcting its date moves the signal; deleting it
    // withdraws it.
    let ev = Event {
        kind: EventKind::OverigVerzuim,
        date: d("2026-10-07"),
        note: Some("Zorgen over de thuissituatie".into()),
    };
    let added = records::add_event(s, &c, today(), SCHOOL, "1010", &ev, None)
        .await
        .unwrap();
    assert_eq!(added.sync.inserted.len(), 1);
    // An event before the previous lesweek: the coordinator corrects it with a reason (issue
    // 10.3, as for registrations).
    let moved = records::correct_event_because(
        s,
        &c,
        today(),
        SCHOOL,
        added.version.id,
        &Event {
            date: d("2026-10-08"),
            ..ev.clone()
        },
        Some("Datum verkeerd overgenomen"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(moved.version.version, 2);
    assert_eq!(moved.sync.withdrawn.len(), 1);
    // The new signal joins the open case: its kind is no longer acted on, so it gets tasks.
    assert_eq!(moved.sync.inserted.len(), 1);
    assert_eq!(open_tasks(s, &c, "1010").await.len(), 2);
    let gone = records::delete_event_because(
        s,
        &c,
        today(),
        SCHOOL,
        added.version.id,
        Some("Dubbel vastgelegd"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(gone.sync.withdrawn.len(), 1);
    assert!(open_tasks(s, &c, "1010").await.is_empty());
    // Re-evaluating by hand changes nothing.
    let again = verzuim_service::sync::reevaluate(s, &c, SCHOOL, "1010")
        .await
        .unwrap();
    assert_eq!(again, verzuim_service::SyncReport::default());

    // Updating the pupil: a corrected birth date makes the pupil 12 on the signal's date, which
    // changes the card's text of leerplicht's action (refreshed in place, same signal).
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, "1010", &days(Code::Ongeoorloofd, day, day)).await;
    }
    let mut data = pupil("1010", "Enschede");
    data.pupil.birth_date = d("2014-01-10");
    let sync = records::update_pupil(s, &school_admin(), SCHOOL, &data)
        .await
        .unwrap();
    assert_eq!(sync.refreshed.len(), 1);
    assert!(sync.inserted.is_empty() && sync.withdrawn.is_empty());
    let stored = visibility::pupil(s, &c, SCHOOL, "1010").await.unwrap();
    assert_eq!(stored.data.pupil.municipality, ENSCHEDE);
    // A registration outside a shortened enrolment must go first.
    let mut late = data.clone();
    late.pupil.enrolled_from = d("2026-09-23");
    assert!(matches!(
        records::update_pupil(s, &school_admin(), SCHOOL, &late).await,
        Err(ServiceError::Invalid(_))
    ));

    // Not needed, with a reason; the case closes with the school's open tasks.
    let tasks = open_tasks(s, &c, "1010").await;
    assert_eq!(tasks.len(), 2);
    assert!(matches!(
        tasks::task_not_needed(s, &c, tasks[0].id, " ").await,
        Err(ServiceError::Invalid(_))
    ));
    tasks::task_not_needed(
        s,
        &c,
        tasks[0].id,
        "Ouders al gesproken bij het vorige signaal",
    )
    .await
    .unwrap();
    let case_id = tasks[1].case_id;
    assert!(matches!(
        tasks::close_case(s, &teacher(), case_id, "klaar").await,
        Err(ServiceError::Forbidden(_))
    ));
    let closed = tasks::close_case(s, &c, case_id, "Verzuim gestopt na gesprek")
        .await
        .unwrap();
    assert_eq!(closed, vec![tasks[1].id]);
    assert!(open_tasks(s, &c, "1010").await.is_empty());
    assert!(matches!(
        tasks::close_case(s, &c, case_id, "nog eens").await,
        Err(ServiceError::Conflict(_))
    ));
    // A new signal opens a new case.
    let change = register(s, "1010", &days(Code::Luxe, "2026-11-02", "2026-11-02")).await;
    assert_eq!(change.sync.cases_opened.len(), 1);
}
