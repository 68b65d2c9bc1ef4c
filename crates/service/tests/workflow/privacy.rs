//! Retention removes a pupil's data 5 years after deregistration (the service's tables too) and
//! counts it in the audit log; the inzage export holds everything the organisation stores.

use verzuim_engine::model::{Code, Pupil};
use verzuim_service::privacy::{apply_retention, inzage};
use verzuim_service::{ServiceError, records};
use verzuim_store::{Page, PupilData, Scope};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(retention_removes_old_pupils, inzage_exports_the_school_view);

async fn retention_removes_old_pupils(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    // A pupil who left in 2019 with a case, signals, tasks and a timeline; one still enrolled.
    let mut old = PupilData::new(Pupil {
        id: "5001".into(),
        birth_date: d("2010-05-01"),
        group: "8".into(),
        municipality: ENSCHEDE.into(),
        enrolled_from: d("2014-08-18"),
        enrolled_until: None,
        next_school: None,
    });
    old.bsn = Some("400276872".into());
    enrol(s, SCHOOL, &old).await;
    for day in ["2018-09-17", "2018-09-18", "2018-09-19", "2018-09-20"] {
        register(s, "5001", &days(Code::Ongeoorloofd, day, day)).await;
    }
    records::deregister_pupil(
        s,
        &school_admin(),
        SCHOOL,
        "5001",
        d("2019-07-12"),
        Some("VO"),
    )
    .await
    .unwrap();
    enrol(s, SCHOOL, &pupil("5002", ENSCHEDE)).await;
    assert!(!open_tasks(s, &school_caller(), "5001").await.is_empty());

    // Not yet 5 years after deregistration.
    let early = apply_retention(s, d("2024-07-12")).await.unwrap();
    assert_eq!(early.store.total.pupils, 0);
    // Now: removed, with the service's rows, counted in the audit log.
    let outcome = apply_retention(s, d("2024-07-13")).await.unwrap();
    assert_eq!(outcome.store.total.pupils, 1);
    assert!(outcome.store.total.registrations >= 4);
    assert!(outcome.store.total.tasks >= 2);
    assert!(outcome.service.case_timeline >= 2);
    let mut tx = s.connection().await.unwrap();
    assert!(
        tx.pupil(Scope::School(SCHOOL), SCHOOL, "5001")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        tx.pupil(Scope::School(SCHOOL), SCHOOL, "5002")
            .await
            .unwrap()
            .is_some()
    );
    let audit = tx.audit_log(SCHOOL, Page::default()).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "retention"));
}

async fn inzage_exports_the_school_view(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("5003", ENSCHEDE)).await;
    let regs: Vec<i64> = {
        let mut ids = Vec::new();
        for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
            ids.push(
                register(s, "5003", &days(Code::Ongeoorloofd, day, day))
                    .await
                    .version
                    .id,
            );
        }
        ids
    };
    records::delete_registration_because(
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
    // Only a beheerder exports.
    assert!(matches!(
        inzage(s, &school_caller(), SCHOOL, "5003").await,
        Err(ServiceError::Forbidden(_))
    ));
    let doc = inzage(s, &school_admin(), SCHOOL, "5003").await.unwrap();
    assert_eq!(doc["schema"], "verzuim-inzage/1");
    assert_eq!(doc["pupil"]["data"]["pupil"]["id"], "5003");
    // Every registration, the deleted one with both versions.
    let regs = doc["registrations"].as_array().unwrap();
    assert_eq!(regs.len(), 4);
    assert!(
        regs.iter()
            .any(|r| r["versions"].as_array().unwrap().len() == 2)
    );
    // The withdrawn signal is there, with its case, tasks and timeline.
    let signals = doc["signals"].as_array().unwrap();
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0]["status"], "withdrawn");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["tasks"].as_array().unwrap().len(), 2);
    assert!(!cases[0]["timeline"].as_array().unwrap().is_empty());
    // Leerplicht has no melding for this pupil: nothing to export.
    let lp_admin = verzuim_service::Caller::user(11, ENSCHEDE, verzuim_store::Role::Beheerder);
    assert!(matches!(
        inzage(s, &lp_admin, SCHOOL, "5003").await,
        Err(ServiceError::NotFound)
    ));
}
