//! Signals, cases, tasks, meldingen, referrals, notes, parents' information, transactions.

use verzuim_engine::model::{Code, Party, SignalKind, Trigger};
use verzuim_store::CasesOf;
use verzuim_store::{
    Actor, InformedHow, MeldingStatus, NewParentInformation, NewTask, OrgKind, Page,
    ReferralStatus, Scope, SignalStatus, StoreError, StoredEvidence, TaskStatus,
};

use crate::Ctx;
use crate::fixtures::{d, days, org, pupil, relatief_melding, relatief_signal};

crate::stories!(
    signals_stored_and_withdrawn,
    cases_tasks_and_meldingen_keep_status_history,
    referrals_and_jgz_notes,
    parents_information_is_recorded,
    transaction_is_all_or_nothing,
);

const SCHOOL: Scope<'static> = Scope::School("99XX00");

async fn setup(ctx: &Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    org(s, "GM0153", OrgKind::Gemeente).await;
    org(s, "GM0164", OrgKind::Gemeente).await;
    org(s, "GGDTW", OrgKind::GgdJgz).await;
    org(s, "GGDXX", OrgKind::GgdJgz).await;
    pupil(s, "99XX00", "1001").await;
}

fn school_task(case_id: i64, signal_id: Option<i64>, text: &str) -> NewTask {
    NewTask {
        case_id,
        signal_id,
        party: Party::School,
        organisation_id: "99XX00".into(),
        text: text.into(),
        melding: true,
        referral: false,
        trigger: None,
        due: Some(d("2026-10-15")),
    }
}

async fn signals_stored_and_withdrawn(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let reg = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Ongeoorloofd, "2026-09-21", "2026-10-08"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    let rec = s.current_record("99XX00", "1001").await.unwrap().unwrap();
    let signal = relatief_signal();
    let evidence = rec.stored_evidence(&signal.evidence);
    assert_eq!(
        evidence,
        vec![StoredEvidence::Registration {
            id: reg.id,
            version: 1,
            minutes: 975
        }]
    );
    let case_id = s
        .open_case("99XX00", "1001", &[signal.kind], signal.date)
        .await
        .unwrap();
    let id = s
        .insert_signal("99XX00", "1001", &signal, &evidence, Some(case_id))
        .await
        .unwrap();
    // The same active signal twice is a conflict.
    assert!(matches!(
        s.insert_signal("99XX00", "1001", &signal, &evidence, Some(case_id))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let active = s.active_signals(SCHOOL, "99XX00", "1001").await.unwrap();
    assert_eq!(active.len(), 1);
    let a = &active[0];
    assert_eq!(a.id, id);
    assert_eq!(a.kind, SignalKind::RelatiefVerzuim);
    assert_eq!(a.date, d("2026-10-08"));
    assert_eq!(a.minutes, Some(975));
    assert_eq!(a.period, signal.period);
    assert_eq!(a.actions[..], signal.actions[..]);
    assert_eq!(a.evidence, evidence);
    assert_eq!(a.case_id, Some(case_id));
    assert_eq!(a.status, SignalStatus::Active);

    let t1 = s
        .create_task(
            &school_task(case_id, Some(id), "Meldt bij de leerplichtambtenaar"),
            Actor::System,
        )
        .await
        .unwrap();
    let t2 = s
        .create_task(
            &school_task(case_id, Some(id), "Gesprek met ouders"),
            Actor::System,
        )
        .await
        .unwrap();
    s.set_task_status("99XX00", t2, TaskStatus::Done, None, Actor::User(1))
        .await
        .unwrap();

    // The correction removes the signal's ground: withdraw it; its open tasks become not needed.
    let withdrawn = s
        .withdraw_signal("99XX00", id, "registratie gecorrigeerd", Actor::User(1))
        .await
        .unwrap();
    assert_eq!(withdrawn, vec![t1]);
    assert!(
        s.active_signals(SCHOOL, "99XX00", "1001")
            .await
            .unwrap()
            .is_empty()
    );
    let all = s.list_signals(SCHOOL, None, Page::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, SignalStatus::Withdrawn);
    assert!(all[0].withdrawn_at.is_some());
    assert_eq!(
        all[0].withdrawn_reason.as_deref(),
        Some("registratie gecorrigeerd")
    );
    assert!(
        s.list_signals(SCHOOL, Some(SignalStatus::Active), Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    let task = s.task("99XX00", t1).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::NotNeeded);
    assert_eq!(
        task.status_reason.as_deref(),
        Some("registratie gecorrigeerd")
    );
    let h = s.task_history("99XX00", t1).await.unwrap();
    assert_eq!(
        h.iter().map(|e| e.status.as_str()).collect::<Vec<_>>(),
        vec!["open", "not_needed"]
    );
    assert_eq!(
        s.task("99XX00", t2).await.unwrap().unwrap().status,
        TaskStatus::Done
    );
    // Withdrawn once; a second withdrawal finds nothing.
    assert!(matches!(
        s.withdraw_signal("99XX00", id, "x", Actor::User(1)).await,
        Err(StoreError::NotFound)
    ));
    // After withdrawal the same signal may be stored again (a new evaluation).
    s.insert_signal("99XX00", "1001", &signal, &evidence, Some(case_id))
        .await
        .unwrap();
}

async fn cases_tasks_and_meldingen_keep_status_history(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let signal = relatief_signal();
    let case_id = s
        .open_case(
            "99XX00",
            "1001",
            &[SignalKind::RelatiefVerzuim],
            d("2026-10-08"),
        )
        .await
        .unwrap();
    // One open case per chain of the card (docs/workflow.md, "Cases and their chains"): the
    // next signal of the chain extends it.
    assert!(matches!(
        s.open_case(
            "99XX00",
            "1001",
            &[SignalKind::RelatiefVerzuim],
            d("2026-10-09")
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    // A kind is added to the case as read; a kind it has changes nothing.
    let opened = s.case(SCHOOL, case_id).await.unwrap().unwrap();
    s.add_case_kind("99XX00", &opened, SignalKind::TeLaat)
        .await
        .unwrap();
    let case = s
        .open_case_of_pupil(SCHOOL, "99XX00", "1001")
        .await
        .unwrap()
        .unwrap();
    s.add_case_kind("99XX00", &case, SignalKind::TeLaat)
        .await
        .unwrap();
    assert_eq!(case.id, case_id);
    assert_eq!(
        case.kinds,
        vec![SignalKind::RelatiefVerzuim, SignalKind::TeLaat]
    );
    assert_eq!(
        s.case(SCHOOL, case_id).await.unwrap().unwrap().kinds,
        case.kinds
    );
    // Not through another school (here one that does not exist): nothing changes.
    assert!(matches!(
        s.add_case_kind("11YY11", &case, SignalKind::Ziekmelding)
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        s.case(SCHOOL, case_id).await.unwrap().unwrap().kinds,
        case.kinds
    );
    let sid = s
        .insert_signal("99XX00", "1001", &signal, &[], Some(case_id))
        .await
        .unwrap();

    let task = s
        .create_task(
            &school_task(case_id, Some(sid), "Meldt bij de leerplichtambtenaar"),
            Actor::System,
        )
        .await
        .unwrap();
    let open = s
        .list_tasks("99XX00", Some(TaskStatus::Open), Page::default())
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].due, Some(d("2026-10-15")));
    assert_eq!(open[0].pupil_id, "1001");
    // not_needed needs a reason; only the assignee changes a task.
    assert!(matches!(
        s.set_task_status("99XX00", task, TaskStatus::NotNeeded, None, Actor::User(1))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.set_task_status("GM0153", task, TaskStatus::Done, None, Actor::User(9))
            .await,
        Err(StoreError::NotFound)
    ));

    let melding = s
        .create_melding("99XX00", &relatief_melding(case_id), Actor::User(1))
        .await
        .unwrap();
    s.set_task_status("99XX00", task, TaskStatus::Done, None, Actor::User(1))
        .await
        .unwrap();
    // The leerplicht task starts when the melding reaches it.
    let lp_task = s
        .create_task(
            &NewTask {
                party: Party::Leerplicht,
                organisation_id: "GM0153".into(),
                text: "Neemt de melding in behandeling".into(),
                melding: false,
                due: None,
                ..school_task(case_id, Some(sid), "")
            },
            Actor::System,
        )
        .await
        .unwrap();
    assert_eq!(
        s.list_tasks("GM0153", None, Page::default()).await.unwrap()[0].id,
        lp_task
    );

    let gm = Scope::Municipality("GM0153");
    s.set_melding_status(
        gm,
        melding,
        MeldingStatus::InBehandeling,
        None,
        Actor::User(5),
    )
    .await
    .unwrap();
    assert!(matches!(
        s.set_melding_status(gm, melding, MeldingStatus::Afgesloten, None, Actor::User(5))
            .await,
        Err(StoreError::Invalid(_))
    ));
    // Another municipality cannot touch it.
    assert!(matches!(
        s.set_melding_status(
            Scope::Municipality("GM0164"),
            melding,
            MeldingStatus::Ingetrokken,
            None,
            Actor::User(6)
        )
        .await,
        Err(StoreError::NotFound)
    ));
    s.set_melding_status(
        gm,
        melding,
        MeldingStatus::Afgesloten,
        Some("afspraken gemaakt met ouders"),
        Actor::User(5),
    )
    .await
    .unwrap();
    let m = s.melding(SCHOOL, melding).await.unwrap().unwrap();
    assert_eq!(m.status, MeldingStatus::Afgesloten);
    assert_eq!(
        m.status_reason.as_deref(),
        Some("afspraken gemaakt met ouders")
    );
    assert_eq!(m.pupil_id, "1001");
    assert_eq!(m.minutes, 975);
    assert_eq!(m.created_by, "user:1");
    assert_eq!(s.melding(gm, melding).await.unwrap(), Some(m.clone()));
    let h = s.melding_history(gm, melding).await.unwrap();
    assert_eq!(
        h.iter().map(|e| e.status.as_str()).collect::<Vec<_>>(),
        vec!["geregistreerd", "in_behandeling", "afgesloten"]
    );
    assert_eq!(h[2].actor, "user:5");
    assert_eq!(h[2].reason.as_deref(), Some("afspraken gemaakt met ouders"));
    assert!(
        s.melding_history(Scope::Municipality("GM0164"), melding)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.list_meldingen(gm, Page::default()).await.unwrap().len(),
        1
    );
    // With the melding, leerplicht sees the pupil and the case.
    assert!(s.pupil(gm, "99XX00", "1001").await.unwrap().is_some());
    assert_eq!(
        s.list_cases(gm, true, Page::default()).await.unwrap().len(),
        1
    );
    assert_eq!(
        s.case_tasks(gm, CasesOf::One(case_id), Some(Page::default()))
            .await
            .unwrap()
            .len(),
        2
    );

    let th = s.task_history("99XX00", task).await.unwrap();
    assert_eq!(
        th.iter().map(|e| e.status.as_str()).collect::<Vec<_>>(),
        vec!["open", "done"]
    );
    s.close_case("99XX00", case_id, "verzuim gestopt")
        .await
        .unwrap();
    assert!(
        s.open_case_of_pupil(SCHOOL, "99XX00", "1001")
            .await
            .unwrap()
            .is_none()
    );
    let closed = s.case(SCHOOL, case_id).await.unwrap().unwrap();
    assert_eq!(closed.closed_reason.as_deref(), Some("verzuim gestopt"));
    assert!(
        s.list_cases(SCHOOL, true, Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.list_cases(SCHOOL, false, Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
    // Closed: refused, whether read before or after it closed.
    for read in [&case, &closed] {
        assert!(matches!(
            s.add_case_kind("99XX00", read, SignalKind::Ziekmelding)
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
    assert_eq!(
        s.case(SCHOOL, case_id).await.unwrap().unwrap().kinds,
        case.kinds
    );
    // A new case may open after the old one closed.
    s.open_case("99XX00", "1001", &[SignalKind::TeLaat], d("2027-01-10"))
        .await
        .unwrap();
}

async fn referrals_and_jgz_notes(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let case_id = s
        .open_case(
            "99XX00",
            "1001",
            &[SignalKind::Ziek3eMeldingIn3Maanden],
            d("2026-11-20"),
        )
        .await
        .unwrap();
    // Only to a GGD-JGZ organisation.
    assert!(matches!(
        s.create_referral("99XX00", case_id, "GM0153", Actor::User(1))
            .await,
        Err(StoreError::NotFound)
    ));
    let r = s
        .create_referral("99XX00", case_id, "GGDTW", Actor::User(1))
        .await
        .unwrap();
    let ggd = Scope::Ggd("GGDTW");
    s.set_referral_status(ggd, r, ReferralStatus::InBehandeling, Actor::User(8))
        .await
        .unwrap();
    s.add_jgz_note("GGDTW", r, "eerste consult gepland", Actor::User(8))
        .await
        .unwrap();
    s.set_referral_status(
        ggd,
        r,
        ReferralStatus::NietVerschenenZonderTegenbericht,
        Actor::User(8),
    )
    .await
    .unwrap();
    // The follow-up task for the school, triggered by that status.
    let t = s
        .create_task(
            &NewTask {
                party: Party::School,
                organisation_id: "99XX00".into(),
                text: "Beoordeelt of dit zonder goede reden was".into(),
                melding: false,
                referral: false,
                trigger: Some(Trigger::NietVerschenenZonderTegenbericht),
                due: None,
                case_id,
                signal_id: None,
            },
            Actor::System,
        )
        .await
        .unwrap();
    assert_eq!(
        s.task("99XX00", t).await.unwrap().unwrap().trigger,
        Some(Trigger::NietVerschenenZonderTegenbericht)
    );

    // The school sees the status, never the notes.
    let seen = s.referral(SCHOOL, r).await.unwrap().unwrap();
    assert_eq!(
        seen.status,
        ReferralStatus::NietVerschenenZonderTegenbericht
    );
    assert_eq!(seen.ggd_id, "GGDTW");
    assert_eq!(
        s.referral_history(SCHOOL, r)
            .await
            .unwrap()
            .iter()
            .map(|h| h.status.as_str())
            .collect::<Vec<_>>(),
        vec![
            "aangemeld",
            "in_behandeling",
            "niet_verschenen_zonder_tegenbericht"
        ]
    );
    let notes = s.jgz_notes("GGDTW", r, Page::default()).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].text, "eerste consult gepland");
    assert!(
        s.jgz_notes("99XX00", r, Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.jgz_notes("GGDXX", r, Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        s.add_jgz_note("GGDXX", r, "x", Actor::User(9)).await,
        Err(StoreError::NotFound)
    ));
    // Another GGD and leerplicht see nothing of it.
    assert!(s.referral(Scope::Ggd("GGDXX"), r).await.unwrap().is_none());
    assert!(
        s.referral(Scope::Municipality("GM0153"), r)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.pupil(Scope::Ggd("GGDXX"), "99XX00", "1001")
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.pupil(ggd, "99XX00", "1001").await.unwrap().is_some());
    assert_eq!(
        s.list_referrals(ggd, Page::default()).await.unwrap().len(),
        1
    );
    assert!(
        s.list_referrals(Scope::Ggd("GGDXX"), Page::default())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn parents_information_is_recorded(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let case_id = s
        .open_case("99XX00", "1001", &[SignalKind::TeLaat], d("2026-10-01"))
        .await
        .unwrap();
    let task = s
        .create_task(
            &school_task(case_id, None, "Brief aan ouders"),
            Actor::System,
        )
        .await
        .unwrap();
    s.record_parent_information(
        "99XX00",
        "1001",
        &NewParentInformation {
            case_id: Some(case_id),
            task_id: Some(task),
            informed_on: d("2026-10-02"),
            how: InformedHow::Brief,
            note: None,
        },
        Actor::User(1),
    )
    .await
    .unwrap();
    s.record_parent_information(
        "99XX00",
        "1001",
        &NewParentInformation {
            case_id: Some(case_id),
            task_id: None,
            informed_on: d("2026-10-01"),
            how: InformedHow::Telefoon,
            note: Some("moeder gebeld".into()),
        },
        Actor::User(1),
    )
    .await
    .unwrap();
    let info = s
        .parent_information(SCHOOL, "99XX00", "1001", Page::default())
        .await
        .unwrap();
    assert_eq!(
        info.iter().map(|i| i.how).collect::<Vec<_>>(),
        vec![InformedHow::Telefoon, InformedHow::Brief]
    );
    assert_eq!(info[1].task_id, Some(task));
    // A case of another pupil is refused.
    pupil(s, "99XX00", "1002").await;
    assert!(
        s.record_parent_information(
            "99XX00",
            "1002",
            &NewParentInformation {
                case_id: Some(case_id),
                task_id: None,
                informed_on: d("2026-10-01"),
                how: InformedHow::Gesprek,
                note: None,
            },
            Actor::User(1),
        )
        .await
        .is_err()
    );
}

async fn transaction_is_all_or_nothing(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    // Committed together.
    let reg = days(Code::Ongeoorloofd, "2026-09-21", "2026-10-08");
    let signal = relatief_signal();
    let (v, sid) = s
        .transaction(|tx| {
            let (reg, signal) = (reg.clone(), signal.clone());
            Box::pin(async move {
                let v = tx
                    .add_registration("99XX00", "1001", &reg, None, Actor::User(1))
                    .await?;
                let rec = tx.current_record("99XX00", "1001").await?.expect("pupil");
                let ev = rec.stored_evidence(&signal.evidence);
                let sid = tx
                    .insert_signal("99XX00", "1001", &signal, &ev, None)
                    .await?;
                Ok::<_, StoreError>((v, sid))
            })
        })
        .await
        .unwrap();
    assert_eq!(
        s.active_signals(SCHOOL, "99XX00", "1001").await.unwrap()[0].id,
        sid
    );
    assert_eq!(s.registration_history(SCHOOL, v.id).await.unwrap().len(), 1);

    // Failing halfway: nothing of it stays.
    let failed = s
        .transaction(|tx| {
            let reg = days(Code::Luxe, "2026-10-16", "2026-10-16");
            let signal = signal.clone();
            Box::pin(async move {
                tx.add_registration("99XX00", "1001", &reg, None, Actor::User(1))
                    .await?;
                // The same active signal again: a conflict.
                tx.insert_signal("99XX00", "1001", &signal, &[], None)
                    .await?;
                Ok::<_, StoreError>(())
            })
        })
        .await;
    assert!(matches!(failed, Err(StoreError::Conflict(_))));
    assert_eq!(
        s.list_registrations(SCHOOL, "99XX00", "1001", Page::default())
            .await
            .unwrap()
            .len(),
        1
    );

    // An explicit transaction dropped without commit rolls back.
    {
        let mut tx = s.begin().await.unwrap();
        tx.add_registration(
            "99XX00",
            "1001",
            &days(Code::Luxe, "2026-10-19", "2026-10-19"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    }
    let mut tx = s.begin().await.unwrap();
    assert_eq!(
        tx.list_registrations(SCHOOL, "99XX00", "1001", Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
    tx.rollback().await.unwrap();
}
