//! Issue 10.9, starting mid-year: the signals an import raises before its cut-off wait for the
//! coordinator's review without tasks; the coordinator marks each one handled outside verzuim
//! (history, with its date and note) or "actie nodig" (its tasks then, due from the decision
//! day). A second import of the same files holds nothing twice. And 10.3 for the import: a
//! registration the import adds on a day a melding reported marks the melding.

use jiff::civil::Date;
use verzuim_engine::model::{Code, SignalKind};
use verzuim_exchange::Source;
use verzuim_service::import_review::{self, Decision, Status};
use verzuim_service::text::{MELDING_CHANGED_TEXT, TELL_DUO_TEXT};
use verzuim_service::{ImportOptions, ServiceError, Sources, import, import_with, meldingen, sync};
use verzuim_store::{CasesOf, Role, Scope};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    a_mid_year_import_holds_old_signals_for_review,
    an_import_in_a_meldings_period_marks_it,
);

/// The day the school starts with verzuim: Monday 11 January 2027.
fn import_day() -> Date {
    d("2027-01-11")
}

const PUPILS: &str = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
3001;Anna;01-03-2016;5;Enschede;22-08-2022;400276872\n\
3002;Bram;02-04-2016;5;GM0173;22-08-2022;\n\
3003;Cor;03-05-2016;5;Enschede;22-08-2022;400276872\n";

/// Since 1 August: Anna's relatief verzuim in September , Bram's
/// sick report of three weeks in September (ziekmelding, ziek > 2 weken), and Cor's relatief
/// verzuim in the first week after the Christmas holiday (signal in that week).
const REGISTRATIONS: &str = "pupil_id,code,start,end\n\
3001,ongeoorloofd,2026-09-21,2026-09-24\n\
3002,ziek,2026-09-07,2026-09-25\n\
3003,ongeoorloofd,2027-01-04,2027-01-07\n";

fn files<'a>(pupils: &'a str, registrations: &'a str) -> Sources<'a> {
    Sources {
        school: None,
        pupils: Source {
            name: "pupils.csv",
            bytes: pupils.as_bytes(),
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: registrations.as_bytes(),
        },
        events: None,
    }
}

fn review_before(date: &str) -> ImportOptions {
    ImportOptions {
        review_before: Some(d(date)),
    }
}

async fn a_mid_year_import_holds_old_signals_for_review(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let coordinator = school_caller();
    // A cut-off after today is refused, with nothing stored.
    let err = import_with(
        s,
        &coordinator,
        import_day(),
        SCHOOL,
        files(PUPILS, REGISTRATIONS),
        review_before("2027-01-12"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Invalid(m) if m.contains("grensdatum")),
        "{err:?}"
    );

    // The beheerder's cut-off: signals before Monday 4 January 2027 wait for review.
    let report = import_with(
        s,
        &school_admin(),
        import_day(),
        SCHOOL,
        files(PUPILS, REGISTRATIONS),
        review_before("2027-01-04"),
    )
    .await
    .unwrap();
    let found: Vec<(&str, SignalKind)> = report
        .to_review
        .iter()
        .map(|r| (r.pupil_id.as_str(), r.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("3001", SignalKind::RelatiefVerzuim),
            ("3002", SignalKind::Ziekmelding),
            ("3002", SignalKind::ZiekLangerDan2Weken),
        ],
        "{:#?}",
        report.to_review
    );
    assert!(report.to_review.iter().all(|r| r.date < d("2026-10-01")));
    assert!(
        report
            .to_review
            .iter()
            .all(|r| r.status == Status::TeBeoordelen)
    );
    // Held signals make no case and no task; Cor's, after the cut-off, the normal flow.
    assert!(open_tasks(s, &coordinator, "3001").await.is_empty());
    assert!(open_tasks(s, &coordinator, "3002").await.is_empty());
    let cor = open_tasks(s, &coordinator, "3003").await;
    assert!(cor.iter().any(|t| t.melding), "{cor:#?}");
    // Cor: relatief verzuim, and mogelijk luxe verzuim (absent right after the Christmas holiday).
    assert_eq!(report.sync.inserted.len(), 2, "{report:?}");
    assert_eq!(
        import_review::pending_count(s, &coordinator, SCHOOL)
            .await
            .unwrap(),
        3
    );

    // The same files again: nothing stored twice, nothing held twice.
    let again = import_with(
        s,
        &school_admin(),
        import_day(),
        SCHOOL,
        files(PUPILS, REGISTRATIONS),
        review_before("2027-01-11"),
    )
    .await
    .unwrap();
    assert_eq!(again.registrations, 0);
    assert_eq!(again.registrations_skipped, 3);
    assert!(again.to_review.is_empty(), "{again:?}");
    assert!(again.sync.inserted.is_empty(), "{again:?}");
    assert_eq!(
        import_review::list(s, &coordinator, SCHOOL, None)
            .await
            .unwrap()
            .len(),
        3
    );

    let id = |kind: SignalKind| {
        report
            .to_review
            .iter()
            .find(|r| r.kind == kind)
            .unwrap()
            .signal_id
    };
    let handled = Decision::HandledOutside {
        handled_on: d("2026-09-08"),
        note: Some("Moeder belde; besproken met de intern begeleider".into()),
    };
    // Only the coordinator decides; a date of handling before the signal or after today is
    // refused.
    for caller in [school_admin(), teacher()] {
        let r = import_review::decide(
            s,
            &caller,
            import_day(),
            SCHOOL,
            id(SignalKind::Ziekmelding),
            &handled,
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    }
    let r = import_review::decide(
        s,
        &other_school(),
        import_day(),
        SCHOOL,
        id(SignalKind::Ziekmelding),
        &handled,
    )
    .await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    for bad in ["2026-09-04", "2027-01-12"] {
        let r = import_review::decide(
            s,
            &coordinator,
            import_day(),
            SCHOOL,
            id(SignalKind::Ziekmelding),
            &Decision::HandledOutside {
                handled_on: d(bad),
                note: None,
            },
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Invalid(_))), "{bad}: {r:?}");
    }

    // A note with a signal about illness is refused (rules.md §8: the nature of an illness is
    // never stored), and nothing is decided.
    let r = import_review::decide(
        s,
        &coordinator,
        import_day(),
        SCHOOL,
        id(SignalKind::Ziekmelding),
        &handled,
    )
    .await;
    match r {
        Err(ServiceError::Invalid(m)) => assert!(m.contains("geen toelichting"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Bram's sick report was handled outside verzuim: history, no task.
    let out = import_review::decide(
        s,
        &coordinator,
        import_day(),
        SCHOOL,
        id(SignalKind::Ziekmelding),
        &Decision::HandledOutside {
            handled_on: d("2026-09-08"),
            note: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.review.status, Status::BuitenVerzuimAfgehandeld);
    assert_eq!(out.review.handled_on, Some(d("2026-09-08")));
    assert_eq!(out.review.decided_on, Some(import_day()));
    assert_eq!(out.review.note, None);
    assert!(out.tasks_created.is_empty());
    assert!(open_tasks(s, &coordinator, "3002").await.is_empty());
    // Decided once.
    let r = import_review::decide(
        s,
        &coordinator,
        import_day(),
        SCHOOL,
        id(SignalKind::Ziekmelding),
        &Decision::NeedsAction,
    )
    .await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");

    // Anna's relatief verzuim still needs action: a case and the card's tasks, the melding due
    // 5 working days after the decision (Monday 18 January), not overdue.
    let out = import_review::decide(
        s,
        &coordinator,
        import_day(),
        SCHOOL,
        id(SignalKind::RelatiefVerzuim),
        &Decision::NeedsAction,
    )
    .await
    .unwrap();
    assert_eq!(out.review.status, Status::ActieNodig);
    assert!(out.case_opened);
    assert_eq!(out.tasks_created.len(), 2, "{out:?}");
    // The case opened on the decision's day names the signal and the decision.
    let timeline = s
        .connection()
        .await
        .unwrap()
        .case_timeline(
            Scope::School(SCHOOL),
            CasesOf::One(out.case_id.unwrap()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(timeline[0].entry, "geopend");
    let opened = timeline[0].detail.as_deref().unwrap();
    assert!(
        opened.starts_with("Dossier geopend door het signaal relatief verzuim van ")
            && opened.ends_with(" (na de import beoordeeld op 11-01-2027: actie nodig)"),
        "{opened}"
    );
    let anna = open_tasks(s, &coordinator, "3001").await;
    let melding = anna.iter().find(|t| t.melding).expect("melding task");
    assert_eq!(melding.due, Some(d("2027-01-18")));
    assert_eq!(melding.case_id, out.case_id.unwrap());

    // A later re-evaluation raises nothing again: the handled signal stays history.
    sync::reevaluate(s, &coordinator, SCHOOL, "3002")
        .await
        .unwrap();
    sync::reevaluate(s, &coordinator, SCHOOL, "3001")
        .await
        .unwrap();
    assert!(open_tasks(s, &coordinator, "3002").await.is_empty());
    assert_eq!(open_tasks(s, &coordinator, "3001").await.len(), 2);
    let bram = import_review::of_pupil(s, &coordinator, SCHOOL, "3002")
        .await
        .unwrap();
    assert_eq!(bram.len(), 2);
    assert_eq!(
        bram.iter()
            .filter(|r| r.status == Status::BuitenVerzuimAfgehandeld)
            .count(),
        1
    );
    assert_eq!(
        import_review::pending_count(s, &coordinator, SCHOOL)
            .await
            .unwrap(),
        1
    );
    // Leerplicht reads nothing of it.
    let r = import_review::list(s, &leerplicht(ENSCHEDE), SCHOOL, None).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    let _ = Role::Verzuimcoordinator;
}

/// A melding of 4 days of relatief verzuim (21 t/m 25 September 2026); then an import adds a
/// sick day on the 23rd, inside the melding's period: the melding stays as sent and is marked
/// "gewijzigd na melding", with leerplicht's and the school's task, as the pages do.
async fn an_import_in_a_meldings_period_marks_it(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1106", ENSCHEDE)).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-24", "2026-09-25"] {
        register(s, "1106", &days(Code::Ongeoorloofd, day, day)).await;
    }
    let tasks = open_tasks(s, &school_caller(), "1106").await;
    let task = tasks.iter().find(|t| t.melding).expect("melding task");
    let melding = verzuim_service::tasks::complete_task(
        s,
        &school_caller(),
        d("2026-09-28"),
        task.id,
        &verzuim_service::Completion {
            melding: Some(verzuim_service::MeldingContent {
                suspected_reason: "Onbekend".into(),
                school_actions: "Gesprek met de ouders".into(),
            }),
            ..verzuim_service::Completion::default()
        },
    )
    .await
    .unwrap()
    .melding
    .unwrap();
    let sent = meldingen::melding(s, &school_caller(), melding)
        .await
        .unwrap()
        .melding;
    let pupils = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
1106;Leerling 1106;01-03-2016;5;GM0153;22-08-2022;400276872\n";
    // After the period: nothing for the melding.
    import(
        s,
        &school_admin(),
        today(),
        SCHOOL,
        files(
            pupils,
            "pupil_id,code,start,end\n1106,ziek,2026-10-05,2026-10-05\n",
        ),
    )
    .await
    .unwrap();
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), melding)
        .await
        .unwrap();
    assert!(view.changes.is_empty(), "{:?}", view.changes);
    // In the period: marked.
    import(
        s,
        &school_admin(),
        today(),
        SCHOOL,
        files(
            pupils,
            "pupil_id,code,start,end\n1106,ziek,2026-09-23,2026-09-23\n",
        ),
    )
    .await
    .unwrap();
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
    task_starting(
        &open_tasks(s, &leerplicht(ENSCHEDE), "1106").await,
        MELDING_CHANGED_TEXT,
    );
    task_starting(
        &open_tasks(s, &school_caller(), "1106").await,
        TELL_DUO_TEXT,
    );
    // The same file again: skipped, no second mark.
    let again = import(
        s,
        &school_admin(),
        today(),
        SCHOOL,
        files(
            pupils,
            "pupil_id,code,start,end\n1106,ziek,2026-09-23,2026-09-23\n",
        ),
    )
    .await
    .unwrap();
    assert_eq!(again.registrations_skipped, 1);
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), melding)
        .await
        .unwrap();
    assert_eq!(view.changes.len(), 1);
}
