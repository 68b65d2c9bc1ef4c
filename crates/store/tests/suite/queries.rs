//! The workflow service's queries (`queries`): the school's GGD-JGZ, municipalities by
//! name or code, conditional status changes, links and their visibility, the case timeline,
//! case-level scope, and retention of the service's tables.

use verzuim_engine::model::{Code, Party, SignalKind};
use verzuim_store::CasesOf;
use verzuim_store::{
    Actor, MeldingStatus, NewTask, OrgKind, Page, ReferralStatus, Scope, StoreError, TaskStatus,
};
use verzuim_store::{
    MeldingLink, NewTimelineEntry, NumberKind, ReferralLink, ServiceRetentionCounts, TaskLink,
    TaskLinkKind,
};

use crate::Ctx;
use crate::fixtures::{d, days, org, pupil, relatief_melding, relatief_signal};

crate::stories!(
    school_ggd_and_municipalities,
    conditional_status_changes,
    links_timeline_and_case_scope,
    retention_removes_service_rows,
    inbox_reads_each_tasks_pupil_and_signal,
);

const SCHOOL: &str = "99XX00";

async fn setup(ctx: &Ctx) {
    let s = &ctx.store;
    org(s, SCHOOL, OrgKind::School).await;
    org(s, "GM0153", OrgKind::Gemeente).await;
    org(s, "GM0173", OrgKind::Gemeente).await;
    org(s, "GGDTW", OrgKind::GgdJgz).await;
    org(s, "GGDXX", OrgKind::GgdJgz).await;
    pupil(s, SCHOOL, "1001").await;
}

/// A case with the relatief signal, a school melding task, a melding to GM0153 and a referral to
/// GGDTW; returns (case, signal, task, melding, referral).
async fn dossier(ctx: &Ctx) -> (i64, i64, i64, i64, i64) {
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    tx.add_registration(
        SCHOOL,
        "1001",
        &days(Code::Ongeoorloofd, "2026-09-21", "2026-10-08"),
        None,
        Actor::User(1),
    )
    .await
    .unwrap();
    let case = tx
        .open_case(
            SCHOOL,
            "1001",
            &[SignalKind::RelatiefVerzuim],
            d("2026-10-08"),
        )
        .await
        .unwrap();
    let signal = tx
        .insert_signal(SCHOOL, "1001", &relatief_signal(), &[], Some(case))
        .await
        .unwrap();
    let task = tx
        .create_task(
            &NewTask {
                case_id: case,
                signal_id: Some(signal),
                party: Party::School,
                organisation_id: SCHOOL.into(),
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
    let melding = tx
        .create_melding(SCHOOL, &relatief_melding(case), Actor::User(1))
        .await
        .unwrap();
    tx.put_melding_link(&MeldingLink {
        melding_id: melding,
        signal_id: Some(signal),
        task_id: Some(task),
        number_kind: NumberKind::Bsn,
        number: "400276872".into(),
        afspraken: None,
    })
    .await
    .unwrap();
    let referral = tx
        .create_referral(SCHOOL, case, "GGDTW", Actor::User(1))
        .await
        .unwrap();
    tx.put_referral_link(&ReferralLink {
        referral_id: referral,
        signal_id: Some(signal),
        task_id: Some(task),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (case, signal, task, melding, referral)
}

async fn school_ggd_and_municipalities(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx.school_ggd(SCHOOL).await.unwrap(), None);
    tx.set_school_ggd(SCHOOL, "GGDTW").await.unwrap();
    tx.set_school_ggd(SCHOOL, "GGDXX").await.unwrap();
    assert_eq!(
        tx.school_ggd(SCHOOL).await.unwrap().as_deref(),
        Some("GGDXX")
    );
    // Only a school to a GGD-JGZ organisation.
    assert!(matches!(
        tx.set_school_ggd(SCHOOL, "GM0153").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        tx.set_school_ggd("GM0153", "GGDTW").await,
        Err(StoreError::NotFound)
    ));
    // By code or by name, any case; only municipalities.
    for key in [
        "GM0153",
        "gm0153",
        " Organisatie GM0153 ",
        "organisatie gm0153",
    ] {
        let found = tx.find_municipality(key).await.unwrap();
        assert_eq!(found.map(|o| o.id).as_deref(), Some("GM0153"), "{key:?}");
    }
    assert!(tx.find_municipality("GGDTW").await.unwrap().is_none());
    assert!(tx.find_municipality("").await.unwrap().is_none());
    assert_eq!(
        tx.organisation_kind("GGDTW").await.unwrap(),
        Some(OrgKind::GgdJgz)
    );
    tx.commit().await.unwrap();
}

async fn conditional_status_changes(ctx: Ctx) {
    setup(&ctx).await;
    let (_, _, task, melding, referral) = dossier(&ctx).await;
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    // A task: only from the expected status, only by its organisation.
    assert!(
        !tx.set_task_status_if(
            "GM0153",
            task,
            TaskStatus::Open,
            TaskStatus::Done,
            None,
            Actor::System
        )
        .await
        .unwrap()
    );
    assert!(
        tx.set_task_status_if(
            SCHOOL,
            task,
            TaskStatus::Open,
            TaskStatus::Done,
            None,
            Actor::User(1)
        )
        .await
        .unwrap()
    );
    assert!(
        !tx.set_task_status_if(
            SCHOOL,
            task,
            TaskStatus::Open,
            TaskStatus::Done,
            None,
            Actor::User(1)
        )
        .await
        .unwrap()
    );
    assert_eq!(tx.task_history(SCHOOL, task).await.unwrap().len(), 2);
    // A melding: only from the expected statuses, only in scope.
    let m = Scope::Municipality("GM0153");
    assert!(
        !tx.set_melding_status_if(
            Scope::Municipality("GM0173"),
            melding,
            &[MeldingStatus::Geregistreerd],
            MeldingStatus::InBehandeling,
            None,
            Actor::System
        )
        .await
        .unwrap()
    );
    assert!(
        !tx.set_melding_status_if(
            m,
            melding,
            &[MeldingStatus::InBehandeling],
            MeldingStatus::Afgesloten,
            Some("overig"),
            Actor::System
        )
        .await
        .unwrap()
    );
    assert!(
        tx.set_melding_status_if(
            m,
            melding,
            &[MeldingStatus::Geregistreerd],
            MeldingStatus::InBehandeling,
            None,
            Actor::User(9)
        )
        .await
        .unwrap()
    );
    let history = tx.melding_history(m, melding).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].actor, "user:9");
    // A referral: GGD-JGZ's own only.
    assert!(
        !tx.set_referral_status_if(
            Scope::Ggd("GGDXX"),
            referral,
            &[ReferralStatus::Aangemeld],
            ReferralStatus::Afgerond,
            Actor::System
        )
        .await
        .unwrap()
    );
    assert!(
        tx.set_referral_status_if(
            Scope::Ggd("GGDTW"),
            referral,
            &[ReferralStatus::Aangemeld],
            ReferralStatus::NietVerschenenZonderTegenbericht,
            Actor::System
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();
}

async fn links_timeline_and_case_scope(ctx: Ctx) {
    setup(&ctx).await;
    let (case, signal, task, melding, referral) = dossier(&ctx).await;
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    // The kind is live: an open task of its signal.
    assert!(
        tx.kind_is_live(case, SignalKind::RelatiefVerzuim, None)
            .await
            .unwrap()
    );
    assert!(
        !tx.kind_is_live(case, SignalKind::TeLaat, None)
            .await
            .unwrap()
    );
    // A feedback task with afspraken, for the school.
    let feedback = tx
        .create_task(
            &NewTask {
                case_id: case,
                signal_id: None,
                party: Party::School,
                organisation_id: SCHOOL.into(),
                text: "Kennisnemen".into(),
                melding: false,
                referral: false,
                trigger: None,
                due: None,
            },
            Actor::System,
        )
        .await
        .unwrap();
    tx.put_task_link(&TaskLink {
        task_id: feedback,
        kind: TaskLinkKind::Feedback,
        signal_id: Some(signal),
        melding_id: Some(melding),
        referral_id: None,
        detail: Some("Afspraken".into()),
    })
    .await
    .unwrap();
    tx.set_melding_afspraken("GM0153", melding, "Afspraken")
        .await
        .unwrap();
    assert!(matches!(
        tx.set_melding_afspraken("GM0173", melding, "x").await,
        Err(StoreError::NotFound)
    ));
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: case,
            entry: "geopend".into(),
            signal_id: Some(signal),
            detail: Some("Dossier geopend".into()),
        },
        Actor::System,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.connection().await.unwrap();
    // The school, the municipality of the melding and the GGD-JGZ of the referral see the case;
    // others do not.
    for scope in [
        Scope::School(SCHOOL),
        Scope::Municipality("GM0153"),
        Scope::Ggd("GGDTW"),
    ] {
        assert!(
            tx.visible_case(scope, case).await.unwrap().is_some(),
            "{scope:?}"
        );
        assert_eq!(
            tx.case_timeline(scope, CasesOf::One(case), Some(Page::default()))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            tx.case_tasks(scope, CasesOf::One(case), Some(Page::default()))
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            tx.case_signals(scope, CasesOf::One(case))
                .await
                .unwrap()
                .len(),
            1
        );
    }
    for scope in [
        Scope::School("88YY00"),
        Scope::Municipality("GM0173"),
        Scope::Ggd("GGDXX"),
    ] {
        assert!(
            tx.visible_case(scope, case).await.unwrap().is_none(),
            "{scope:?}"
        );
        assert!(
            tx.case_timeline(scope, CasesOf::One(case), Some(Page::default()))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            tx.visible_tasks(scope, None, Page::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            tx.visible_cases(scope, None, false, Page::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(tx.task_link(scope, feedback).await.unwrap().is_none());
    }
    // The afspraken on the school's feedback task: the school and the municipality, not GGD-JGZ.
    let detail = async |tx: &mut verzuim_store::Tx, scope| {
        tx.task_link(scope, feedback).await.unwrap().unwrap().detail
    };
    assert_eq!(
        detail(&mut tx, Scope::School(SCHOOL)).await.as_deref(),
        Some("Afspraken")
    );
    assert_eq!(
        detail(&mut tx, Scope::Municipality("GM0153"))
            .await
            .as_deref(),
        Some("Afspraken")
    );
    assert_eq!(detail(&mut tx, Scope::Ggd("GGDTW")).await, None);
    // Links of meldingen and referrals, in their own scopes.
    let link = tx
        .melding_link(Scope::Municipality("GM0153"), melding)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link.afspraken.as_deref(), Some("Afspraken"));
    assert!(
        tx.melding_link(Scope::Ggd("GGDTW"), melding)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        tx.referral_link(Scope::Ggd("GGDTW"), referral)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        tx.referral_link(Scope::Municipality("GM0153"), referral)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        tx.open_meldingen_of_signal(signal).await.unwrap(),
        vec![melding]
    );
    assert_eq!(
        tx.case_ggd_ids(case).await.unwrap(),
        vec!["GGDTW".to_owned()]
    );
    // Registrations: the municipality those within its melding's period; GGD-JGZ none.
    assert_eq!(
        tx.visible_registrations(
            Scope::Municipality("GM0153"),
            SCHOOL,
            "1001",
            Page::default()
        )
        .await
        .unwrap()
        .len(),
        1
    );
    assert!(
        tx.visible_registrations(Scope::Ggd("GGDTW"), SCHOOL, "1001", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tx.case_meldingen(
            Scope::Municipality("GM0153"),
            CasesOf::Pupil {
                school_id: SCHOOL,
                pupil_id: "1001"
            }
        )
        .await
        .unwrap()
        .len(),
        1
    );
    assert!(
        tx.pupil_referrals(Scope::Municipality("GM0153"), SCHOOL, "1001")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tx.case_referrals(Scope::Municipality("GM0153"), CasesOf::One(case))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        tx.case_meldingen(Scope::Ggd("GGDTW"), CasesOf::One(case))
            .await
            .unwrap()
            .is_empty()
    );
    let _ = task;
}

async fn retention_removes_service_rows(ctx: Ctx) {
    setup(&ctx).await;
    let (case, signal, task, _, _) = dossier(&ctx).await;
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    tx.put_task_link(&TaskLink {
        task_id: task,
        kind: TaskLinkKind::Card,
        signal_id: Some(signal),
        melding_id: None,
        referral_id: None,
        detail: None,
    })
    .await
    .unwrap();
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: case,
            entry: "signaal".into(),
            signal_id: Some(signal),
            detail: None,
        },
        Actor::System,
    )
    .await
    .unwrap();
    tx.add_letter(
        &verzuim_store::letters::NewLetter {
            case_id: case,
            organisation_id: SCHOOL.into(),
            kind: "uitnodiging_gesprek".into(),
            reference: format!("Zaak {case}"),
            file_name: "uitnodiging.pdf".into(),
            pdf: b"%PDF-1.7 ...".to_vec(),
            text: "Uitnodiging".into(),
        },
        Actor::System,
    )
    .await
    .unwrap();
    tx.deregister_pupil(SCHOOL, "1001", d("2026-10-09"), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.begin().await.unwrap();
    let cutoff = d("2031-10-10");
    let counts = tx.service_retention(cutoff).await.unwrap();
    assert_eq!(
        counts,
        ServiceRetentionCounts {
            task_links: 1,
            melding_links: 1,
            referral_links: 1,
            case_timeline: 1,
            case_letters: 1,
            melding_records: 0,
        }
    );
    let report = tx.apply_retention(d("2036-10-10"), 5).await.unwrap();
    assert_eq!(report.total.pupils, 1);
    tx.commit().await.unwrap();
    // Without the service's deletion first, the cascade removes the rows as well.
    setup(&ctx).await;
    let (_, _, _, _, _) = dossier(&ctx).await;
    let mut tx = s.begin().await.unwrap();
    tx.deregister_pupil(SCHOOL, "1001", d("2026-10-09"), None)
        .await
        .unwrap();
    let report = tx.apply_retention(d("2036-10-10"), 5).await.unwrap();
    assert_eq!(report.total.pupils, 1);
    tx.commit().await.unwrap();
}

/// The inbox's tasks carry their pupil and their signal's kind and date (migration 0190: filled
/// by a trigger from `cases` and `signals`, whatever writes the task): a task with a signal, one
/// without, and another pupil's; another organisation's task is not in the school's inbox.
async fn inbox_reads_each_tasks_pupil_and_signal(ctx: Ctx) {
    setup(&ctx).await;
    pupil(&ctx.store, SCHOOL, "1002").await;
    let (case, signal, task, _, _) = dossier(&ctx).await;
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    let new = |case_id, signal_id, organisation_id: &str, text: &str| NewTask {
        case_id,
        signal_id,
        party: Party::School,
        organisation_id: organisation_id.into(),
        text: text.into(),
        melding: false,
        referral: false,
        trigger: None,
        due: Some(d("2026-10-15")),
    };
    let plain = tx
        .create_task(&new(case, None, SCHOOL, "Zonder signaal"), Actor::System)
        .await
        .unwrap();
    let other_case = tx
        .open_case(
            SCHOOL,
            "1002",
            &[SignalKind::LangdurigRelatiefVerzuim],
            d("2026-10-09"),
        )
        .await
        .unwrap();
    let other = tx
        .create_task(
            &new(other_case, None, SCHOOL, "Andere leerling"),
            Actor::System,
        )
        .await
        .unwrap();
    tx.create_task(
        &new(case, Some(signal), "GM0153", "Van leerplicht"),
        Actor::System,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.connection().await.unwrap();
    let mut inbox = tx.inbox_tasks(Scope::School(SCHOOL), SCHOOL).await.unwrap();
    inbox.sort_by_key(|t| t.id);
    let seen: Vec<_> = inbox
        .iter()
        .map(|t| (t.id, t.pupil_id.as_str(), t.signal, t.due, t.text.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                task,
                "1001",
                Some((SignalKind::RelatiefVerzuim, d("2026-10-08"))),
                None,
                "Meldt"
            ),
            (plain, "1001", None, Some(d("2026-10-15")), "Zonder signaal"),
            (
                other,
                "1002",
                None,
                Some(d("2026-10-15")),
                "Andere leerling"
            ),
        ]
    );
    assert!(
        inbox
            .iter()
            .all(|t| t.school_id == SCHOOL && t.group == "5")
    );
    assert!(inbox[0].melding && !inbox[1].melding);
}
