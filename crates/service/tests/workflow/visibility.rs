//! Visibility: leerplicht sees nothing before a melding and then only that pupil and what the
//! melding and its case hold; GGD-JGZ sees only referred pupils; a school sees only its own
//! pupils and never GGD-JGZ's notes.

use verzuim_engine::model::Code;
use verzuim_service::referrals;
use verzuim_service::tasks::{self, Completion, MeldingContent, ParentsInformed};
use verzuim_service::{ServiceError, visibility};
use verzuim_store::{InformedHow, Page, TaskStatus};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(each_organisation_sees_only_its_own);

const NOTE: &str = "Vertrouwelijk: gesprek met moeder over de thuissituatie";

async fn each_organisation_sees_only_its_own(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("4001", "GM0153")).await; // relatief, melding to Enschede
    enrol(s, SCHOOL, &pupil("4002", "GM0153")).await; // ziek, referral to GGD-JGZ
    enrol(s, SCHOOL, &pupil("4003", "GM0153")).await; // nothing
    enrol(s, OTHER_SCHOOL, &pupil("4001", "GM0153")).await; // same id, other school
    let lp = leerplicht(ENSCHEDE);
    let page = Page::default();

    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, "4001", &days(Code::Ongeoorloofd, day, day)).await;
    }
    register(
        s,
        "4001",
        &days(Code::Geoorloofd, "2026-11-02", "2026-11-02"),
    )
    .await;
    register(s, "4002", &days(Code::Ziek, "2026-09-07", "2026-09-25")).await;

    // Before any melding or referral: leerplicht and GGD-JGZ see nothing.
    for caller in [lp.clone(), jgz()] {
        assert!(
            visibility::pupils(s, &caller, page)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            visibility::cases(s, &caller, None, false, page)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            visibility::tasks(s, &caller, None, page)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            visibility::meldingen(s, &caller, page)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            visibility::pupil(s, &caller, SCHOOL, "4001").await,
            Err(ServiceError::NotFound)
        ));
    }
    // Schools see their own pupils only.
    let own = visibility::pupils(s, &school_caller(), page).await.unwrap();
    assert_eq!(own.len(), 3);
    assert!(own.iter().all(|p| p.school_id == SCHOOL));
    let other = visibility::pupils(s, &other_school(), page).await.unwrap();
    assert_eq!(other.len(), 1);
    assert!(matches!(
        visibility::pupil(s, &other_school(), SCHOOL, "4002").await,
        Err(ServiceError::NotFound)
    ));
    let school_cases = visibility::cases(s, &school_caller(), None, false, page)
        .await
        .unwrap();
    assert_eq!(school_cases.len(), 2);
    assert!(matches!(
        visibility::case(s, &other_school(), school_cases[0].id).await,
        Err(ServiceError::NotFound)
    ));

    // The melding for 4001 and the referral for 4002.
    let tasks_4001 = open_tasks(s, &school_caller(), "4001").await;
    let meld = tasks_4001.iter().find(|t| t.melding).unwrap();
    tasks::complete_task(
        s,
        &school_caller(),
        today(),
        meld.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: "Onbekend".into(),
                school_actions: "Gebeld".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let tasks_4002 = open_tasks(s, &school_caller(), "4002").await;
    let refer = tasks_4002.iter().find(|t| t.referral).unwrap();
    let referral_id = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        refer.id,
        &Completion {
            parents_informed: Some(ParentsInformed {
                date: d("2026-09-22"),
                how: InformedHow::Email,
            }),
            referral_form: referral_form(),
            ..Completion::default()
        },
    )
    .await
    .unwrap()
    .referral
    .unwrap();
    referrals::add_jgz_note(s, &jgz(), referral_id, NOTE)
        .await
        .unwrap();

    // Leerplicht: only 4001 of this school, its one case, the registrations of the melding's
    // period (not the geoorloofd day in November).
    let seen = visibility::pupils(s, &lp, page).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].school_id.as_str(), seen[0].data.pupil.id.as_str()),
        (SCHOOL, "4001")
    );
    assert!(matches!(
        visibility::pupil(s, &lp, OTHER_SCHOOL, "4001").await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        visibility::pupil(s, &lp, SCHOOL, "4002").await,
        Err(ServiceError::NotFound)
    ));
    let lp_cases = visibility::cases(s, &lp, None, false, page).await.unwrap();
    assert_eq!(lp_cases.len(), 1);
    assert_eq!(lp_cases[0].pupil_id, "4001");
    let regs = visibility::registrations(s, &lp, SCHOOL, "4001", page)
        .await
        .unwrap();
    assert_eq!(regs.len(), 4);
    assert!(
        regs.iter()
            .all(|r| r.registration.code == Code::Ongeoorloofd)
    );
    assert_eq!(
        visibility::registrations(s, &school_caller(), SCHOOL, "4001", page)
            .await
            .unwrap()
            .len(),
        5
    );
    let lp_tasks = visibility::tasks(s, &lp, None, page).await.unwrap();
    assert!(
        lp_tasks
            .iter()
            .all(|t| t.pupil_id == "4001" && t.school_id == SCHOOL)
    );
    assert!(
        visibility::referrals(s, &lp, page)
            .await
            .unwrap()
            .is_empty(),
        "no referral list for leerplicht"
    );

    // GGD-JGZ: only 4002; its case; no registrations; no meldingen; its notes.
    let seen = visibility::pupils(s, &jgz(), page).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].data.pupil.id, "4002");
    assert!(
        visibility::registrations(s, &jgz(), SCHOOL, "4002", page)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        visibility::meldingen(s, &jgz(), page)
            .await
            .unwrap()
            .is_empty()
    );
    let ggd_cases = visibility::cases(s, &jgz(), None, false, page)
        .await
        .unwrap();
    assert_eq!(ggd_cases.len(), 1);
    assert_eq!(ggd_cases[0].pupil_id, "4002");
    let ggd_tasks = visibility::tasks(s, &jgz(), Some(TaskStatus::Open), page)
        .await
        .unwrap();
    assert!(ggd_tasks.iter().all(|t| t.pupil_id == "4002"));

    // The school never sees GGD-JGZ's notes: not in the case, not in its inzage export.
    let case = visibility::case(s, &school_caller(), ggd_cases[0].id)
        .await
        .unwrap();
    assert_eq!(case.referrals.len(), 1);
    let as_text = serde_json::to_string(&case).unwrap();
    assert!(!as_text.contains("Vertrouwelijk"));
    let export = verzuim_service::privacy::inzage(s, &school_admin(), SCHOOL, "4002")
        .await
        .unwrap();
    assert!(!export.to_string().contains("Vertrouwelijk"));
    assert!(export["referrals"][0].get("jgz_notes").is_none());
    assert_eq!(export["referrals"][0]["referral"]["status"], "aangemeld");
    // GGD-JGZ's own inzage holds them.
    let export = verzuim_service::privacy::inzage(s, &ggd_admin(), SCHOOL, "4002")
        .await
        .unwrap();
    assert!(export.to_string().contains("Vertrouwelijk"));
    // The GGD-JGZ's beheerder may export, not read the notes through the JGZ call.
    assert!(matches!(
        referrals::jgz_notes(s, &ggd_admin(), referral_id, page).await,
        Err(ServiceError::Forbidden(_))
    ));
}
