//! Retention removes only old deregistered pupils' data, and counts it in the audit log.

use verzuim_engine::model::{Code, Event, EventKind, Period, SignalKind};
use verzuim_store::{
    Actor, InformedHow, NewMelding, NewParentInformation, OrgKind, Page, RetentionCounts, Scope,
};

use crate::Ctx;
use crate::fixtures::{d, days, org, pupil_data, relatief_signal};

crate::stories!(retention_removes_only_old_deregistered_pupils);

async fn full_dossier(ctx: &Ctx, school: &str, pupil_id: &str) {
    let s = &ctx.store;
    let mut data = pupil_data(pupil_id, "GM0153");
    data.pupil.enrolled_from = d("2017-08-21");
    s.insert_pupil(school, &data).await.unwrap();
    let v = s
        .add_registration(
            school,
            pupil_id,
            &days(Code::Ongeoorloofd, "2018-09-21", "2018-10-08"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    s.correct_registration(
        school,
        v.id,
        &days(Code::Ongeoorloofd, "2018-09-21", "2018-10-09"),
        None,
        Actor::User(1),
    )
    .await
    .unwrap();
    s.add_event(
        school,
        pupil_id,
        &Event {
            kind: EventKind::OverigVerzuim,
            date: d("2018-10-01"),
            note: None,
        },
        Actor::User(1),
    )
    .await
    .unwrap();
    let case_id = s
        .open_case(
            school,
            pupil_id,
            &[SignalKind::RelatiefVerzuim],
            d("2018-10-08"),
        )
        .await
        .unwrap();
    let sid = s
        .insert_signal(school, pupil_id, &relatief_signal(), &[], Some(case_id))
        .await
        .unwrap();
    let task = s
        .create_task(
            &verzuim_store::NewTask {
                case_id,
                signal_id: Some(sid),
                party: verzuim_engine::model::Party::School,
                organisation_id: school.into(),
                text: "Meldt".into(),
                melding: true,
                referral: false,
                trigger: None,
                due: None,
            },
            Actor::System,
        )
        .await
        .unwrap();
    s.set_task_status(
        school,
        task,
        verzuim_store::TaskStatus::Done,
        None,
        Actor::User(1),
    )
    .await
    .unwrap();
    s.create_melding(
        school,
        &NewMelding {
            case_id,
            municipality: "GM0153".into(),
            verzuim_kind: SignalKind::RelatiefVerzuim,
            period: Period {
                from: d("2018-09-21"),
                to: d("2018-10-08"),
            },
            minutes: 975,
            suspected_reason: "onbekend".into(),
            school_actions: "gesprek".into(),
        },
        Actor::User(1),
    )
    .await
    .unwrap();
    let r = s
        .create_referral(school, case_id, "GGDTW", Actor::User(1))
        .await
        .unwrap();
    s.add_jgz_note("GGDTW", r, "notitie", Actor::User(8))
        .await
        .unwrap();
    s.record_parent_information(
        school,
        pupil_id,
        &NewParentInformation {
            case_id: Some(case_id),
            task_id: Some(task),
            informed_on: d("2018-10-09"),
            how: InformedHow::Gesprek,
            note: None,
        },
        Actor::User(1),
    )
    .await
    .unwrap();
}

async fn retention_removes_only_old_deregistered_pupils(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    org(s, "88YY00", OrgKind::School).await;
    org(s, "GM0153", OrgKind::Gemeente).await;
    org(s, "GGDTW", OrgKind::GgdJgz).await;
    // old: left 2019-07-12, more than 5 years before 2026-09-01.
    // recent: left 2022-07-08; enrolled: never left; border: left exactly on the cutoff day.
    for (school, p) in [
        ("99XX00", "old"),
        ("99XX00", "recent"),
        ("99XX00", "enrolled"),
        ("99XX00", "border"),
        ("88YY00", "old2"),
    ] {
        full_dossier(&ctx, school, p).await;
    }
    s.deregister_pupil("99XX00", "old", d("2019-07-12"), None)
        .await
        .unwrap();
    s.deregister_pupil("88YY00", "old2", d("2020-01-31"), Some("99XX00"))
        .await
        .unwrap();
    s.deregister_pupil("99XX00", "recent", d("2022-07-08"), None)
        .await
        .unwrap();
    s.deregister_pupil("99XX00", "border", d("2021-09-01"), None)
        .await
        .unwrap();

    let report = s.apply_retention(d("2026-09-01"), 5).await.unwrap();
    assert_eq!(report.cutoff, d("2021-09-01"));
    let per_pupil = RetentionCounts {
        pupils: 1,
        registrations: 1,
        registration_versions: 2,
        events: 1,
        event_versions: 1,
        signals: 1,
        cases: 1,
        tasks: 1,
        task_history: 2,
        meldingen: 1,
        melding_history: 1,
        referrals: 1,
        referral_history: 1,
        jgz_notes: 1,
        parent_information: 1,
    };
    assert_eq!(
        report.schools,
        vec![
            ("88YY00".to_owned(), per_pupil.clone()),
            ("99XX00".to_owned(), per_pupil.clone())
        ]
    );
    assert_eq!(report.total.pupils, 2);
    assert_eq!(report.total.registration_versions, 4);

    let school = Scope::School("99XX00");
    let left: Vec<String> = s
        .list_pupils(school, Page::default())
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.data.pupil.id)
        .collect();
    assert_eq!(left, vec!["border", "enrolled", "recent"]);
    assert!(
        s.list_pupils(Scope::School("88YY00"), Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    for p in ["recent", "enrolled", "border"] {
        let rec = s.current_record("99XX00", p).await.unwrap().unwrap();
        assert_eq!(rec.record.registrations.len(), 1);
        assert_eq!(rec.record.events.len(), 1);
        assert_eq!(
            s.active_signals(school, "99XX00", p).await.unwrap().len(),
            1
        );
    }
    assert_eq!(
        s.list_meldingen(school, Page::default())
            .await
            .unwrap()
            .len(),
        3
    );

    // The audit row carries the counts, not the data.
    let audit = s.audit_log("99XX00", Page::default()).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "retention");
    assert_eq!(audit[0].actor, "system");
    let counts: RetentionCounts = serde_json::from_str(&audit[0].object).unwrap();
    assert_eq!(counts, per_pupil);
    assert_eq!(
        s.audit_log("88YY00", Page::default()).await.unwrap().len(),
        1
    );

    // Running again removes nothing and writes no audit rows.
    let again = s.apply_retention(d("2026-09-01"), 5).await.unwrap();
    assert!(again.schools.is_empty());
    assert_eq!(again.total, RetentionCounts::default());
    assert_eq!(
        s.audit_log("99XX00", Page::default()).await.unwrap().len(),
        1
    );
}
