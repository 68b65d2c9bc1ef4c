//! Issue 11 on both backends: leerplicht's verwijzing zorg and the card task its actions
//! together do; the school's report to the inspectie and its consultation with the
//! samenwerkingsverband; the lesson-day check of the school's invitation.

use verzuim_engine::model::{Code, Event, EventKind};
use verzuim_service::leerplicht::{self, ActionInput};
use verzuim_service::meldingen::{self, MeldingAction};
use verzuim_service::tasks::{self, Completion, MeldingContent, SchoolReportContent};
use verzuim_service::{ServiceError, dossier, records, visibility};
use verzuim_store::leerplicht_queries::{ConversationWith, LeerplichtActionKind};
use verzuim_store::{InformedHow, TaskStatus};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    leerplicht_actions_together_do_the_task,
    school_reports_with_their_tasks,
    the_invitation_is_on_a_lesson_day
);

async fn leerplicht_actions_together_do_the_task(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let mut data = pupil("2001", "GM0153");
    data.pupil.birth_date = d("2013-01-01");
    enrol(s, SCHOOL, &data).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, "2001", &days(Code::Ongeoorloofd, day, day)).await;
    }
    let tasks = open_tasks(s, &school_caller(), "2001").await;
    let meld = tasks.iter().find(|t| t.melding).unwrap();
    let melding = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        meld.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: "Spijbelen".into(),
                school_actions: "Gesprek".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap()
    .melding
    .unwrap();
    let lp = leerplicht(ENSCHEDE);
    meldingen::melding_action(s, &lp, melding, &MeldingAction::InBehandeling)
        .await
        .unwrap();
    let talk = |with: ConversationWith| ActionInput {
        kind: LeerplichtActionKind::Gesprek,
        date: d("2026-10-01"),
        with_whom: Some(with),
        summary: Some("Besproken".into()),
        parents_informed: None,
        referred_to: None,
    };
    let card_task = |tasks: &[verzuim_store::Task]| {
        tasks
            .iter()
            .find(|t| t.text.starts_with("Gaat in gesprek met ouders"))
            .cloned()
    };
    leerplicht::record_action(s, &lp, today(), melding, &talk(ConversationWith::Ouders))
        .await
        .unwrap();
    let task = card_task(&open_tasks(s, &lp, "2001").await).expect("14: the pupil too");
    leerplicht::record_action(s, &lp, today(), melding, &talk(ConversationWith::Leerling))
        .await
        .unwrap();
    assert!(card_task(&open_tasks(s, &lp, "2001").await).is_none());
    let done = visibility::task(s, &lp, task.id).await.unwrap().task;
    assert_eq!(done.status, TaskStatus::Done);
    assert_eq!(
        done.status_reason.as_deref(),
        Some("Gedaan met de vastgelegde acties van leerplicht")
    );
    // The school sees the fixed reason too.
    let seen = visibility::task(s, &school_caller(), task.id)
        .await
        .unwrap()
        .task;
    assert!(seen.status_reason.is_some());

    // Verwijzing zorg: the organisation is required and stored; the parents' information too.
    let zorg = |to: Option<&str>| ActionInput {
        kind: LeerplichtActionKind::VerwijzingZorg,
        date: d("2026-10-02"),
        with_whom: None,
        summary: None,
        parents_informed: Some(InformedHow::Telefoon),
        referred_to: to.map(str::to_owned),
    };
    match leerplicht::record_action(s, &lp, today(), melding, &zorg(Some("  "))).await {
        Err(ServiceError::Invalid(m)) => assert!(m.contains("De organisatie"), "{m}"),
        other => panic!("{other:?}"),
    }
    leerplicht::record_action(s, &lp, today(), melding, &zorg(Some("Wijkteam Noord")))
        .await
        .unwrap();
    let actions = leerplicht::actions(s, &lp, melding).await.unwrap();
    let last = actions.last().unwrap();
    assert_eq!(last.kind, LeerplichtActionKind::VerwijzingZorg);
    assert_eq!(last.referred_to.as_deref(), Some("Wijkteam Noord"));
    // The school's timeline: that it happened, not to whom.
    let case = visibility::case(s, &school_caller(), task.case_id)
        .await
        .unwrap();
    let json = serde_json::to_string(&case.timeline).unwrap();
    assert!(json.contains("verwijzing zorg gegeven"), "{json}");
    assert!(!json.contains("Wijkteam"), "{json}");
}

async fn school_reports_with_their_tasks(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("2002", "GM0153")).await;
    records::add_event(
        s,
        &school_caller(),
        today(),
        SCHOOL,
        "2002",
        &Event {
            kind: EventKind::Verwijdering,
            date: d("2027-06-01"),
            note: Some("CBS De Wilg".into()),
        },
        None,
    )
    .await
    .unwrap();
    let tasks = open_tasks(s, &school_caller(), "2002").await;
    let inspectie = task_starting(&tasks, "Meldt bij de Onderwijsinspectie");
    let complete = |report: Option<SchoolReportContent>| {
        let id = inspectie.id;
        async move {
            tasks::complete_task(
                s,
                &school_caller(),
                today(),
                id,
                &Completion {
                    school_report: report,
                    ..Completion::default()
                },
            )
            .await
        }
    };
    assert!(matches!(
        complete(None).await,
        Err(ServiceError::Invalid(_))
    ));
    let report = |reason: &str, reported: &str| SchoolReportContent::Inspectie {
        decision_date: d("2027-06-01"),
        accepting_school: "CBS De Wilg".into(),
        reason: reason.into(),
        report_date: d(reported),
    };
    assert!(matches!(
        complete(Some(report("", "2027-06-02"))).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        complete(Some(report("Gedrag", "2027-05-31"))).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        complete(Some(report("Gedrag", "2027-07-31"))).await,
        Err(ServiceError::Invalid(_)),
    ));
    complete(Some(report("Gedrag", "2027-06-02")))
        .await
        .unwrap();
    let reports = dossier::school_reports(s, &school_caller(), inspectie.case_id)
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].content, report("Gedrag", "2027-06-02"));
    // Leerplicht and GGD-JGZ never read it (here: no case of theirs at all).
    assert!(
        dossier::school_reports(s, &leerplicht(ENSCHEDE), inspectie.case_id)
            .await
            .map_or(true, |r| r.is_empty())
    );

    // Langdurig relatief verzuim: the consultation with the samenwerkingsverband.
    enrol(s, SCHOOL, &pupil("2003", "GM0153")).await;
    register(
        s,
        "2003",
        &days(Code::Ongeoorloofd, "2026-09-07", "2026-10-09"),
    )
    .await;
    let tasks = open_tasks(s, &school_caller(), "2003").await;
    let swv = task_starting(&tasks, "Meldt/gaat in overleg met het samenwerkingsverband");
    let overleg = SchoolReportContent::SwvOverleg {
        with_whom: "Consulent SWV 2301".into(),
        date: d("2026-10-12"),
        outcome: "Arrangement op school".into(),
    };
    tasks::complete_task(
        s,
        &school_caller(),
        today(),
        swv.id,
        &Completion {
            school_report: Some(overleg.clone()),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let reports = dossier::school_reports(s, &school_caller(), swv.case_id)
        .await
        .unwrap();
    assert_eq!(reports[0].content, overleg);
    let case = visibility::case(s, &school_caller(), swv.case_id)
        .await
        .unwrap();
    assert!(
        case.timeline
            .iter()
            .any(|e| e.detail.as_deref()
                == Some("Overleg met het samenwerkingsverband op 12-10-2026"))
    );
}

async fn the_invitation_is_on_a_lesson_day(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let check = |date: &str| {
        let date = d(date);
        async move {
            verzuim_service::school::check_lesson_day(
                s,
                SCHOOL,
                "5",
                date,
                "De datum van het gesprek",
            )
            .await
        }
    };
    check("2027-07-05").await.unwrap();
    match check("2027-07-16").await {
        Err(ServiceError::Invalid(m)) => {
            assert!(
                m.contains("16-07-2027") && m.contains("Zomervakantie"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    match check("2027-07-03").await {
        Err(ServiceError::Invalid(m)) => assert!(m.contains("zaterdag"), "{m}"),
        other => panic!("{other:?}"),
    }
    // A school without settings has no calendar: refused, saying so.
    match verzuim_service::school::check_lesson_day(s, "NOPE00", "5", d("2027-07-05"), "De datum")
        .await
    {
        Err(ServiceError::Invalid(m)) => assert!(m.contains("lestijden"), "{m}"),
        other => panic!("{other:?}"),
    }
}
