//! Scoped queries never return another organisation's rows; pages are capped.

use verzuim_engine::model::{Code, SignalKind};
use verzuim_store::CasesOf;
use verzuim_store::{Actor, MAX_PAGE_SIZE, NewTask, OrgKind, Page, Scope, StoreError};

use crate::Ctx;
use crate::fixtures::{d, days, org, pupil, pupil_data, relatief_signal};

crate::stories!(
    scoped_queries_never_cross_organisations,
    pagination_caps_at_max_page_size
);

async fn dossier(ctx: &Ctx, school: &str) -> (i64, i64, i64) {
    let s = &ctx.store;
    org(s, school, OrgKind::School).await;
    pupil(s, school, "1001").await;
    let reg = s
        .add_registration(
            school,
            "1001",
            &days(Code::Ongeoorloofd, "2026-09-21", "2026-10-08"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    let case_id = s
        .open_case(
            school,
            "1001",
            &[SignalKind::RelatiefVerzuim],
            d("2026-10-08"),
        )
        .await
        .unwrap();
    s.insert_signal(school, "1001", &relatief_signal(), &[], Some(case_id))
        .await
        .unwrap();
    let task = s
        .create_task(
            &NewTask {
                case_id,
                signal_id: None,
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
    (reg.id, case_id, task)
}

async fn scoped_queries_never_cross_organisations(ctx: Ctx) {
    let s = &ctx.store;
    // Two schools with a pupil of the same id.
    let (reg_a, case_a, task_a) = dossier(&ctx, "AAAA00").await;
    let (reg_b, case_b, _) = dossier(&ctx, "BBBB00").await;
    let a = Scope::School("AAAA00");
    let b = Scope::School("BBBB00");

    let pupils = s.list_pupils(a, Page::default()).await.unwrap();
    assert_eq!(pupils.len(), 1);
    assert_eq!(pupils[0].school_id, "AAAA00");
    // Asking school B's pupil in school A's scope finds nothing.
    assert!(s.pupil(a, "BBBB00", "1001").await.unwrap().is_none());
    assert!(
        s.list_registrations(a, "BBBB00", "1001", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.registration_history(a, reg_b).await.unwrap().is_empty());
    assert_eq!(s.registration_history(b, reg_b).await.unwrap().len(), 1);
    assert!(
        s.active_signals(a, "BBBB00", "1001")
            .await
            .unwrap()
            .is_empty()
    );
    let signals = s.list_signals(a, None, Page::default()).await.unwrap();
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].school_id, "AAAA00");
    assert!(s.case(a, case_b).await.unwrap().is_none());
    assert!(s.case(a, case_a).await.unwrap().is_some());
    assert_eq!(
        s.list_cases(a, false, Page::default()).await.unwrap().len(),
        1
    );
    assert!(
        s.case_tasks(a, CasesOf::One(case_b), Some(Page::default()))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.task("BBBB00", task_a).await.unwrap().is_none());
    assert_eq!(
        s.list_tasks("AAAA00", None, Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(s.task_history("BBBB00", task_a).await.unwrap().is_empty());

    // Writes through another school's id fail as not found, and change nothing.
    let reg = days(Code::Geoorloofd, "2026-09-21", "2026-09-21");
    assert!(matches!(
        s.correct_registration("AAAA00", reg_b, &reg, None, Actor::User(1))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.delete_registration("AAAA00", reg_b, Actor::User(1)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.add_registration("AAAA00", "9999", &reg, None, Actor::User(1))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.close_case("AAAA00", case_b, "x").await,
        Err(StoreError::NotFound)
    ));
    let sig_b = s.list_signals(b, None, Page::default()).await.unwrap()[0].id;
    assert!(matches!(
        s.withdraw_signal("AAAA00", sig_b, "x", Actor::User(1))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.create_referral("AAAA00", case_b, "GGD", Actor::User(1))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.registration_history(b, reg_b).await.unwrap().len(), 1);
    assert_eq!(s.registration_history(a, reg_a).await.unwrap().len(), 1);

    // Leerplicht and GGD-JGZ see nothing without a melding or referral.
    for scope in [Scope::Municipality("GM0153"), Scope::Ggd("GGDTW")] {
        assert!(
            s.list_pupils(scope, Page::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(s.pupil(scope, "AAAA00", "1001").await.unwrap().is_none());
        assert!(
            s.list_signals(scope, None, Page::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.list_cases(scope, false, Page::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.list_meldingen(scope, Page::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.list_referrals(scope, Page::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.current_record("AAAA00", "1001").await.unwrap().is_some(),
            "the school's own record is there"
        );
    }
}

async fn pagination_caps_at_max_page_size(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    let n = MAX_PAGE_SIZE + 50;
    let mut tx = s.begin().await.unwrap();
    for i in 0..n {
        tx.insert_pupil("99XX00", &pupil_data(&format!("{i:04}"), "GM0153"))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let scope = Scope::School("99XX00");
    let big = Page::new(10_000, 0);
    assert_eq!(big.limit(), MAX_PAGE_SIZE);
    let first = s.list_pupils(scope, big).await.unwrap();
    assert_eq!(first.len(), MAX_PAGE_SIZE as usize);
    assert_eq!(first[0].data.pupil.id, "0000");
    let second = s.list_pupils(scope, big.next()).await.unwrap();
    assert_eq!(second.len(), 50);
    assert_eq!(second[0].data.pupil.id, format!("{MAX_PAGE_SIZE:04}"));
    let third = s.list_pupils(scope, big.next().next()).await.unwrap();
    assert!(third.is_empty());
    assert_eq!(Page::new(0, 0).limit(), 1);
    let small = s.list_pupils(scope, Page::new(7, 3)).await.unwrap();
    assert_eq!(
        small
            .iter()
            .map(|p| p.data.pupil.id.as_str())
            .collect::<Vec<_>>(),
        vec!["0003", "0004", "0005", "0006", "0007", "0008", "0009"]
    );
}
