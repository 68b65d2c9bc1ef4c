//! Cases and their chains (issue 10.6, docs/workflow.md "Cases and their chains"): a signal of
//! another chain of the card opens its own case; a case with nothing open and no new signal for
//! 4 lesweken closes by itself (when the next signal of its chain arrives, and by the daily job);
//! closing by hand is refused while a melding runs, saying why; a closed case can be reopened.

use verzuim_engine::model::{Code, SignalKind};
use verzuim_service::meldingen::{self, MeldingAction};
use verzuim_service::tasks::{self, Completion, MeldingContent, ParentsInformed};
use verzuim_service::{ServiceError, cases, visibility};
use verzuim_store::{Case, InformedHow, Page, Scope, StoredSignal};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    a_signal_of_another_chain_opens_its_own_case,
    a_quiet_case_closes_by_itself,
    closing_is_refused_while_a_melding_runs_and_a_case_reopens
);

async fn signals(s: &verzuim_store::Store, pupil: &str) -> Vec<StoredSignal> {
    let mut tx = s.connection().await.unwrap();
    tx.active_signals(Scope::School(SCHOOL), SCHOOL, pupil)
        .await
        .unwrap()
}

async fn all_cases(s: &verzuim_store::Store, pupil: &str) -> Vec<Case> {
    let mut c = visibility::cases(
        s,
        &school_caller(),
        Some((SCHOOL, pupil)),
        false,
        Page::default(),
    )
    .await
    .unwrap();
    c.sort_by_key(|c| c.id);
    c
}

fn case_of(signals: &[StoredSignal], kind: SignalKind) -> i64 {
    signals
        .iter()
        .find(|s| s.kind == kind)
        .and_then(|s| s.case_id)
        .expect("signal with a case")
}

/// "Dossier 23: Ziekmelding", opened 07-09-2026, took in a relatief verzuim months later: now the
/// relatief verzuim opens a case of its own, and the ziekmelding's case stays as it was.
async fn a_signal_of_another_chain_opens_its_own_case(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1001", ENSCHEDE)).await;
    let sick = register(s, "1001", &days(Code::Ziek, "2026-09-07", "2026-09-07")).await;
    assert_eq!(sick.sync.cases_opened.len(), 1);
    // The ziekmelding's task stays open: the case is busy, yet another chain does not join it.
    let relatief = register(
        s,
        "1001",
        &days(Code::Ongeoorloofd, "2026-11-16", "2026-11-19"),
    )
    .await;
    assert_eq!(relatief.sync.cases_opened.len(), 1, "{relatief:?}");
    let sig = signals(s, "1001").await;
    let ziek_case = case_of(&sig, SignalKind::Ziekmelding);
    let rel_case = case_of(&sig, SignalKind::RelatiefVerzuim);
    assert_ne!(ziek_case, rel_case);
    let cases = all_cases(s, "1001").await;
    assert_eq!(cases.len(), 2);
    assert!(cases.iter().all(|c| c.closed_at.is_none()));
    assert_eq!(cases[0].kinds, vec![SignalKind::Ziekmelding]);
    assert_eq!(cases[1].kinds, vec![SignalKind::RelatiefVerzuim]);
    // A second ziekmelding while the first's task is open joins the ziekte case.
    let again = register(s, "1001", &days(Code::Ziek, "2026-09-14", "2026-09-14")).await;
    assert!(again.sync.cases_opened.is_empty());
    // The store keeps one open case per chain.
    let mut tx = s.begin().await.unwrap();
    assert!(
        tx.open_case(SCHOOL, "1001", &[SignalKind::ZorgZiekte], d("2026-11-20"))
            .await
            .is_err()
    );
}

async fn a_quiet_case_closes_by_itself(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    for p in ["1001", "1002", "1003"] {
        enrol(s, SCHOOL, &pupil(p, ENSCHEDE)).await;
    }
    let done = |t: i64| async move {
        tasks::complete_task(s, &school_caller(), today(), t, &Completion::default())
            .await
            .unwrap();
    };
    // Within 4 lesweken, with its task done, a new ziekmelding still joins the case.
    register(s, "1003", &days(Code::Ziek, "2026-09-07", "2026-09-07")).await;
    for t in open_tasks(s, &school_caller(), "1003").await {
        done(t.id).await;
    }
    let near = register(s, "1003", &days(Code::Ziek, "2026-09-28", "2026-09-28")).await;
    assert!(near.sync.cases_opened.is_empty(), "{near:?}");
    assert_eq!(all_cases(s, "1003").await.len(), 1);

    register(s, "1001", &days(Code::Ziek, "2026-09-07", "2026-09-07")).await;
    let first = all_cases(s, "1001").await[0].id;
    for t in open_tasks(s, &school_caller(), "1001").await {
        done(t.id).await;
    }
    // The lesweken of 14-09, 21-09, 28-09 and 05-10 pass (herfstvakantie 12-10 is no lesweek):
    // the ziekmelding of 09-11 finds the case quiet; it closes by itself and a new one opens.
    let late = register(s, "1001", &days(Code::Ziek, "2026-11-09", "2026-11-09")).await;
    assert_eq!(late.sync.cases_opened.len(), 1, "{late:?}");
    let cases = all_cases(s, "1001").await;
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].id, first);
    assert!(cases[0].closed_at.is_some());
    assert_eq!(
        cases[0].closed_reason.as_deref(),
        Some(cases::quiet_reason().as_str())
    );
    assert!(cases[1].closed_at.is_none());
    let view = visibility::case(s, &school_caller(), first).await.unwrap();
    assert!(view.timeline.iter().any(|e| {
        e.entry == "gesloten"
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("laatste signaal 07-09-2026"))
    }));

    // The daily job: a case whose task is open stays; a finished one closes once quiet.
    register(s, "1002", &days(Code::Ziek, "2026-09-07", "2026-09-07")).await;
    let c1002 = all_cases(s, "1002").await[0].id;
    assert!(
        cases::close_quiet_cases(s, d("2026-12-14"))
            .await
            .unwrap()
            .is_empty()
    );
    for pupil in ["1001", "1002"] {
        for t in open_tasks(s, &school_caller(), pupil).await {
            done(t.id).await;
        }
    }
    // 1002's (signal 07-09) is not quiet on 05-10 (the lesweken of 14-09 .. 28-09 passed), it is
    // on 12-10 (05-10 passed too); 1001's new case (signal 09-11) is not on 01-12, it is on 14-12.
    assert!(
        cases::close_quiet_cases(s, d("2026-10-05"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        cases::close_quiet_cases(s, d("2026-10-12")).await.unwrap(),
        vec![c1002]
    );
    assert!(
        cases::close_quiet_cases(s, d("2026-12-01"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        cases::close_quiet_cases(s, d("2026-12-14")).await.unwrap(),
        vec![cases[1].id]
    );
}

async fn closing_is_refused_while_a_melding_runs_and_a_case_reopens(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1001", ENSCHEDE)).await;
    register(
        s,
        "1001",
        &days(Code::Ongeoorloofd, "2026-09-21", "2026-09-24"),
    )
    .await;
    let case_id = all_cases(s, "1001").await[0].id;
    let tasks_open = open_tasks(s, &school_caller(), "1001").await;
    let meld = task_starting(&tasks_open, "Meldt bij de leerplichtambtenaar");
    let outcome = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        meld.id,
        &Completion {
            parents_informed: Some(ParentsInformed {
                date: d("2026-09-25"),
                how: InformedHow::Telefoon,
            }),
            melding: Some(MeldingContent {
                suspected_reason: "onbekend".into(),
                school_actions: "gebeld".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let melding = outcome.melding.expect("melding made");
    // Refused, saying why.
    match tasks::close_case(s, &school_caller(), case_id, "verzuim gestopt").await {
        Err(ServiceError::Invalid(m)) => {
            assert!(m.contains(&format!("melding {melding}")), "{m}");
            assert!(m.contains("loopt nog"), "{m}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    meldingen::melding_action(
        s,
        &school_caller(),
        melding,
        &MeldingAction::Ingetrokken {
            reason: "dubbel gemeld".into(),
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        tasks::close_case(s, &school_caller(), case_id, " ").await,
        Err(ServiceError::Invalid(_))
    ));
    tasks::close_case(s, &school_caller(), case_id, "verzuim gestopt")
        .await
        .unwrap();
    // Only the coordinator reopens, with a reason.
    assert!(matches!(
        cases::reopen_case(s, &teacher(), case_id, "toch nodig").await,
        Err(ServiceError::Forbidden(_))
    ));
    cases::reopen_case(s, &school_caller(), case_id, "ouders melden nieuw verzuim")
        .await
        .unwrap();
    let view = visibility::case(s, &school_caller(), case_id)
        .await
        .unwrap();
    assert!(view.case.closed_at.is_none());
    assert!(view.timeline.iter().any(|e| e.entry == "heropend"
        && e.detail.as_deref() == Some("Dossier heropend: ouders melden nieuw verzuim")));
    assert!(matches!(
        cases::reopen_case(s, &school_caller(), case_id, "nog eens").await,
        Err(ServiceError::Conflict(_))
    ));
}
