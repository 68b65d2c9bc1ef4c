//! Placing a new signal in few statements (`placing`, issue 13.1): what
//! `open_cases_for_signal` reads of each open case equals what `case_busy`, `case_last_signal`
//! and `kind_is_live` answer one by one, and the case and the signal are written with their
//! line on the timeline, or not at all.

use verzuim_engine::model::{Party, SignalKind};
use verzuim_store::placing::{Note, OpenCase};
use verzuim_store::{
    Actor, Case, CaseId, CasesOf, MeldingStatus, NewTask, OrgKind, Scope, SignalId, StoreError,
    TaskStatus, Tx,
};

use crate::Ctx;
use crate::fixtures::{d, org, pupil, relatief_melding, relatief_signal};

crate::stories!(
    open_cases_for_signal_read_as_one_by_one,
    noted_writes_are_whole_or_nothing,
);

const SCHOOL: &str = "99XX00";

async fn setup(ctx: &Ctx) {
    let s = &ctx.store;
    org(s, SCHOOL, OrgKind::School).await;
    org(s, "GM0153", OrgKind::Gemeente).await;
    pupil(s, SCHOOL, "1001").await;
    pupil(s, SCHOOL, "1002").await;
}

const GEOPEND: Note<'static> = Note {
    entry: "geopend",
    detail: "Dossier geopend",
};
const SIGNAAL: Note<'static> = Note {
    entry: "signaal",
    detail: "Signaal relatief verzuim",
};

/// A case of `kind` for the pupil, opened on 1 October 2026 by user 1, with `open` the pupil's
/// open cases.
async fn open_case(
    tx: &mut Tx,
    pupil_id: &str,
    open: &[Case],
    kind: SignalKind,
) -> Result<CaseId, StoreError> {
    tx.open_case_noted(
        SCHOOL,
        pupil_id,
        open,
        &[kind],
        d("2026-10-01"),
        GEOPEND,
        Actor::User(1),
    )
    .await
}

/// The relatief verzuim of 8 October 2026 for the pupil in `case`, by user 1.
async fn add_signal(tx: &mut Tx, pupil_id: &str, case: CaseId) -> Result<SignalId, StoreError> {
    tx.insert_signal_noted(
        SCHOOL,
        pupil_id,
        &relatief_signal(),
        &[],
        case,
        SIGNAAL,
        Actor::User(1),
    )
    .await
}

/// The pupil's open cases as a new relatief verzuim sees them, each checked against the
/// one-by-one queries.
async fn open_cases(tx: &mut Tx, kind: SignalKind) -> Vec<OpenCase> {
    let open = tx
        .open_cases_for_signal(SCHOOL, "1001", kind, None)
        .await
        .unwrap();
    for c in &open {
        assert_eq!(c.busy, tx.case_busy(c.case.id).await.unwrap().is_some());
        assert_eq!(c.last_signal, tx.case_last_signal(&c.case).await.unwrap());
        assert_eq!(
            c.kind_live,
            tx.kind_is_live(c.case.id, kind, None).await.unwrap()
        );
    }
    open
}

async fn open_cases_for_signal_read_as_one_by_one(ctx: Ctx) {
    setup(&ctx).await;
    let mut tx = ctx.store.begin().await.unwrap();
    assert!(
        open_cases(&mut tx, SignalKind::RelatiefVerzuim)
            .await
            .is_empty()
    );
    let case = open_case(&mut tx, "1001", &[], SignalKind::RelatiefVerzuim)
        .await
        .unwrap();
    // Open, nothing in it: not busy, its last signal the day it opened, no kind live.
    let open = open_cases(&mut tx, SignalKind::RelatiefVerzuim).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].case.id, case);
    assert_eq!(open[0].case.kinds, vec![SignalKind::RelatiefVerzuim]);
    assert!(!open[0].busy && !open[0].kind_live);
    assert_eq!(open[0].last_signal, d("2026-10-01"));

    let signal = add_signal(&mut tx, "1001", case).await.unwrap();
    let open = open_cases(&mut tx, SignalKind::RelatiefVerzuim).await;
    assert_eq!(open[0].last_signal, d("2026-10-08"));
    assert!(!open[0].busy && !open[0].kind_live);

    // An open task of the signal: busy, and live for its kind only.
    let task = tx
        .create_task(
            &NewTask {
                case_id: case,
                signal_id: Some(signal),
                party: Party::School,
                organisation_id: SCHOOL.into(),
                text: "Meldt bij de leerplichtambtenaar".into(),
                melding: true,
                referral: false,
                trigger: None,
                due: None,
            },
            Actor::System,
        )
        .await
        .unwrap();
    let open = open_cases(&mut tx, SignalKind::RelatiefVerzuim).await;
    assert!(open[0].busy && open[0].kind_live);
    let open = open_cases(&mut tx, SignalKind::TeLaat).await;
    assert!(open[0].busy && !open[0].kind_live);

    // The task done, a melding running: still busy, the kind no longer live (the melding is not
    // linked to the signal).
    tx.set_task_status(SCHOOL, task, TaskStatus::Done, None, Actor::User(1))
        .await
        .unwrap();
    let melding = tx
        .create_melding(SCHOOL, &relatief_melding(case), Actor::User(1))
        .await
        .unwrap();
    let open = open_cases(&mut tx, SignalKind::RelatiefVerzuim).await;
    assert!(open[0].busy && !open[0].kind_live);
    tx.set_melding_status(
        Scope::Municipality("GM0153"),
        melding,
        MeldingStatus::Afgesloten,
        Some("klaar"),
        Actor::User(2),
    )
    .await
    .unwrap();
    let open = open_cases(&mut tx, SignalKind::RelatiefVerzuim).await;
    assert!(!open[0].busy && !open[0].kind_live);

    // A closed case is not open; another pupil's cases are not this pupil's.
    tx.close_case(SCHOOL, case, "klaar").await.unwrap();
    assert!(
        open_cases(&mut tx, SignalKind::RelatiefVerzuim)
            .await
            .is_empty()
    );
    tx.commit().await.unwrap();
}

async fn noted_writes_are_whole_or_nothing(ctx: Ctx) {
    setup(&ctx).await;
    let mut tx = ctx.store.begin().await.unwrap();
    let case = open_case(&mut tx, "1001", &[], SignalKind::RelatiefVerzuim)
        .await
        .unwrap();
    let other = open_case(&mut tx, "1002", &[], SignalKind::RelatiefVerzuim)
        .await
        .unwrap();
    let signal = add_signal(&mut tx, "1001", case).await.unwrap();
    let timeline = tx
        .case_timeline(Scope::School(SCHOOL), CasesOf::One(case), None)
        .await
        .unwrap();
    let lines: Vec<_> = timeline
        .iter()
        .map(|e| {
            (
                e.entry.as_str(),
                e.signal_id,
                e.detail.as_deref(),
                e.actor.as_str(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("geopend", None, Some("Dossier geopend"), "user:1"),
            (
                "signaal",
                Some(signal),
                Some("Signaal relatief verzuim"),
                "user:1"
            ),
        ]
    );
    let stored = tx
        .active_signals(Scope::School(SCHOOL), SCHOOL, "1001")
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].case_id, Some(case));

    // A second case of the chain while one is open: a conflict, checked on the cases given.
    let open: Vec<_> = tx
        .open_cases_for_signal(SCHOOL, "1001", SignalKind::RelatiefVerzuim, None)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.case)
        .collect();
    let err = open_case(&mut tx, "1001", &open, SignalKind::LangdurigRelatiefVerzuim)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // A signal for a case of another pupil, or for an unknown pupil, a case for an unknown
    // pupil: nothing written.
    for (pupil_id, case_id) in [("1001", other), ("9999", case)] {
        let err = add_signal(&mut tx, pupil_id, case_id).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
    let err = open_case(&mut tx, "9999", &[], SignalKind::RelatiefVerzuim)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    for c in [case, other] {
        let n = tx
            .case_timeline(Scope::School(SCHOOL), CasesOf::One(c), None)
            .await
            .unwrap()
            .len();
        assert_eq!(n, if c == case { 2 } else { 1 });
    }
    tx.commit().await.unwrap();
}
