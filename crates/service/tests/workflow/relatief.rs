//! Relatief verzuim end to end: registrations -> 16-hour signal -> the school's tasks with the
//! due date -> the melding task completed with the parents informed -> the melding to the right
//! municipality with the legal content -> leerplicht takes it up -> closes it with a reason and
//! afspraken -> the school gets the feedback task. And: repeated signals extend the open case.

use verzuim_engine::model::{Code, Party, SignalKind};
use verzuim_service::meldingen::{self, ClosingReason, MeldingAction};
use verzuim_service::tasks::{self, Completion, MeldingContent, ParentsInformed};
use verzuim_service::{ServiceError, visibility};
use verzuim_store::CasesOf;
use verzuim_store::{InformedHow, MeldingStatus, Page, Scope, TaskStatus};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    relatief_verzuim_end_to_end,
    repeated_relatief_signals_extend_the_case
);

const TALK: &str = "Gaat in gesprek met ouders en stelt hen op de hoogte van de melding";
const MELD: &str = "Meldt bij de leerplichtambtenaar van de woongemeente leerling";

async fn relatief_verzuim_end_to_end(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    // The municipality by name, in any case: stored as its CBS code.
    enrol(s, SCHOOL, &pupil("1001", "enschede")).await;
    let stored = visibility::pupil(s, &school_caller(), SCHOOL, "1001")
        .await
        .unwrap();
    assert_eq!(stored.data.pupil.municipality, ENSCHEDE);

    // Mon–Wed of one week: 345 + 345 + 225 = 915 minutes, no signal yet.
    for day in ["2026-09-21", "2026-09-22", "2026-09-23"] {
        let change = register(s, "1001", &days(Code::Ongeoorloofd, day, day)).await;
        assert!(change.sync.inserted.is_empty(), "no signal before 960");
    }
    assert!(open_tasks(s, &school_caller(), "1001").await.is_empty());
    // Leerplicht sees nothing of the pupil before a melding.
    let lp = leerplicht(ENSCHEDE);
    assert!(
        visibility::pupils(s, &lp, Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        visibility::pupil(s, &lp, SCHOOL, "1001").await,
        Err(ServiceError::NotFound)
    ));

    // Thursday: 1260 minutes: the signal, a case and the school's two tasks.
    let change = register(
        s,
        "1001",
        &days(Code::Ongeoorloofd, "2026-09-24", "2026-09-24"),
    )
    .await;
    assert_eq!(change.sync.inserted.len(), 1);
    assert_eq!(change.sync.cases_opened.len(), 1);
    assert_eq!(change.sync.tasks_created.len(), 2);
    let mut tx = s.connection().await.unwrap();
    let signals = tx
        .active_signals(Scope::School(SCHOOL), SCHOOL, "1001")
        .await
        .unwrap();
    drop(tx);
    assert_eq!(signals.len(), 1);
    let signal = &signals[0];
    assert_eq!(signal.kind, SignalKind::RelatiefVerzuim);
    assert_eq!(signal.date, d("2026-09-24"));
    assert_eq!(signal.minutes, Some(1260));

    let tasks = open_tasks(s, &school_caller(), "1001").await;
    assert_eq!(tasks.len(), 2);
    let talk = task_starting(&tasks, TALK);
    let meld = task_starting(&tasks, MELD);
    assert!(tasks.iter().all(|t| t.party == Party::School));
    assert_eq!(talk.due, None);
    // 5 working days after Thursday 24 September, that day not counted.
    assert_eq!(meld.due, Some(d("2026-10-01")));
    assert!(meld.melding);
    assert!(tasks::requires_parents_informed(&talk.text));

    // The talk needs the parents' information.
    let err = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        talk.id,
        &Completion::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(m) if m.contains("ouders")));
    // A leerkracht may not act on the school's tasks.
    let parents = Some(ParentsInformed {
        date: d("2026-09-25"),
        how: InformedHow::Gesprek,
    });
    assert!(matches!(
        tasks::complete_task(
            s,
            &teacher(),
            today(),
            talk.id,
            &Completion {
                parents_informed: parents,
                ..Completion::default()
            }
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    tasks::complete_task(
        s,
        &school_caller(),
        today(),
        talk.id,
        &Completion {
            parents_informed: parents,
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    // Twice: a conflict, nothing changes.
    assert!(matches!(
        tasks::complete_task(
            s,
            &school_caller(),
            today(),
            talk.id,
            &Completion {
                parents_informed: parents,
                ..Completion::default()
            }
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));

    // The melding task needs the suspected reason and what the school did.
    assert!(matches!(
        tasks::complete_task(
            s,
            &school_caller(),
            today(),
            meld.id,
            &Completion::default()
        )
        .await,
        Err(ServiceError::Invalid(_))
    ));
    let outcome = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        meld.id,
        &Completion {
            parents_informed: Some(ParentsInformed {
                date: d("2026-09-28"),
                how: InformedHow::Brief,
            }),
            melding: Some(MeldingContent {
                suspected_reason: "Ouders melden de leerling niet af".into(),
                school_actions: "Gesprek met ouders op 25-09-2026, brief op 28-09-2026".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let melding_id = outcome.melding.expect("a melding");
    assert_eq!(outcome.tasks_created.len(), 1, "leerplicht's one action");

    // The melding: to Enschede, with the legal content.
    let view = meldingen::melding(s, &school_caller(), melding_id)
        .await
        .unwrap();
    let m = &view.melding;
    assert_eq!(m.municipality, ENSCHEDE);
    assert_eq!(m.status, MeldingStatus::Geregistreerd);
    assert_eq!(m.verzuim_kind, SignalKind::RelatiefVerzuim);
    assert_eq!(m.period.from, d("2026-09-21"));
    assert_eq!(m.period.to, d("2026-09-24"));
    assert_eq!(m.minutes, 1260);
    assert_eq!(view.number, "400276872");
    assert_eq!(meldingen::hours(m.minutes), 21.0);
    // The parents' information is recorded for both tasks.
    let info = visibility::parent_information(s, &school_caller(), SCHOOL, "1001")
        .await
        .unwrap();
    assert_eq!(info.len(), 2);
    assert_eq!(info[1].how, InformedHow::Brief);

    // Leerplicht now sees this pupil, the case and the melding, and has a task.
    let pupils = visibility::pupils(s, &lp, Page::default()).await.unwrap();
    assert_eq!(pupils.len(), 1);
    assert_eq!(pupils[0].data.pupil.id, "1001");
    let lp_tasks = open_tasks(s, &lp, "1001").await;
    assert_eq!(lp_tasks.len(), 1);
    assert_eq!(lp_tasks[0].party, Party::Leerplicht);
    assert!(
        lp_tasks[0]
            .text
            .starts_with("Gaat in gesprek met ouders of verstuurt")
    );
    // Another municipality sees nothing.
    let other = leerplicht(OLDENZAAL);
    assert!(matches!(
        meldingen::melding(s, &other, melding_id).await,
        Err(ServiceError::NotFound)
    ));

    // Leerplicht takes it up, does its action (the parents informed), closes it with afspraken.
    meldingen::melding_action(s, &lp, melding_id, &MeldingAction::InBehandeling)
        .await
        .unwrap();
    tasks::complete_task(
        s,
        &lp,
        today(),
        lp_tasks[0].id,
        &Completion {
            parents_informed: Some(ParentsInformed {
                date: d("2026-10-05"),
                how: InformedHow::Gesprek,
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let afspraken = "Ouders brengen de leerling elke dag zelf; evaluatie over 6 weken";
    let closed = meldingen::melding_action(
        s,
        &lp,
        melding_id,
        &MeldingAction::Afgesloten {
            reason: ClosingReason::VerzuimBeeindigd,
            afspraken: afspraken.into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(closed.status, Some(MeldingStatus::Afgesloten));
    assert_eq!(closed.tasks_created.len(), 1);

    // The school gets the feedback, with the afspraken.
    let tasks = open_tasks(s, &school_caller(), "1001").await;
    let feedback = task_starting(&tasks, "Kennisnemen van de afspraken van leerplicht");
    let view = visibility::task(s, &school_caller(), feedback.id)
        .await
        .unwrap();
    assert_eq!(view.link.and_then(|l| l.detail).as_deref(), Some(afspraken));
    // The melding's history: every status with who and when.
    let view = meldingen::melding(s, &lp, melding_id).await.unwrap();
    let statuses: Vec<&str> = view.history.iter().map(|h| h.status.as_str()).collect();
    assert_eq!(statuses, ["geregistreerd", "in_behandeling", "afgesloten"]);
    assert_eq!(
        view.melding.status_reason.as_deref(),
        Some("verzuim_beeindigd")
    );
    assert!(view.history.iter().all(|h| h.actor.starts_with("user:")));
    assert_eq!(view.afspraken.as_deref(), Some(afspraken));
    // The school's task history: open, done.
    let history = visibility::task_history(s, &school_caller(), meld.id)
        .await
        .unwrap();
    let statuses: Vec<&str> = history.iter().map(|h| h.status.as_str()).collect();
    assert_eq!(statuses, ["open", "done"]);
    // Task status check of the done tasks.
    let all = visibility::my_tasks(s, &school_caller(), Some(TaskStatus::Done), Page::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

async fn repeated_relatief_signals_extend_the_case(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("1004", "GM0153")).await;
    // Five weeks of complete unauthorized absence, registered week by week: relatief verzuim
    // arises every 960 minutes, langdurig relatief verzuim once.
    let weeks = [
        ("2026-09-07", "2026-09-11"),
        ("2026-09-14", "2026-09-18"),
        ("2026-09-21", "2026-09-25"),
        ("2026-09-28", "2026-10-02"),
        ("2026-10-05", "2026-10-09"),
    ];
    let mut extended = 0;
    for (from, until) in weeks {
        let change = register(s, "1004", &days(Code::Ongeoorloofd, from, until)).await;
        extended += change.sync.extended.len();
        let tasks = open_tasks(s, &school_caller(), "1004").await;
        let relatief_tasks = tasks
            .iter()
            .filter(|t| t.text.starts_with(TALK) || t.text.starts_with(MELD))
            .count();
        assert_eq!(relatief_tasks, 2, "the first signal's tasks only");
    }
    let mut tx = s.connection().await.unwrap();
    let signals = tx
        .active_signals(Scope::School(SCHOOL), SCHOOL, "1004")
        .await
        .unwrap();
    let relatief = signals
        .iter()
        .filter(|s| s.kind == SignalKind::RelatiefVerzuim)
        .count();
    assert!(
        relatief >= 4,
        "relatief verzuim arises repeatedly: {relatief}"
    );
    assert_eq!(extended, relatief - 1);
    assert!(
        signals
            .iter()
            .any(|s| s.kind == SignalKind::LangdurigRelatiefVerzuim)
    );
    // One case holds the relatief chain's signals (relatief and langdurig relatief verzuim); a
    // signal of another chain of the card (the absence next to the herfstvakantie: mogelijk luxe
    // verzuim) has its own case (issue 10.6). The timeline records each extension.
    let cases: Vec<_> = tx
        .visible_cases(
            Scope::School(SCHOOL),
            Some((SCHOOL, "1004")),
            false,
            Page::default(),
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.kinds.contains(&SignalKind::RelatiefVerzuim))
        .collect();
    assert_eq!(cases.len(), 1);
    let chain = verzuim_engine::chain::Chain::Relatief;
    assert!(
        signals
            .iter()
            .filter(|s| verzuim_engine::chain::Chain::of(s.kind) == chain)
            .all(|s| s.case_id == Some(cases[0].id))
    );
    assert!(
        signals
            .iter()
            .filter(|s| verzuim_engine::chain::Chain::of(s.kind) != chain)
            .all(|s| s.case_id != Some(cases[0].id))
    );
    let timeline = tx
        .case_timeline(
            Scope::School(SCHOOL),
            CasesOf::One(cases[0].id),
            Some(Page::default()),
        )
        .await
        .unwrap();
    assert_eq!(
        timeline.iter().filter(|e| e.entry == "uitgebreid").count(),
        relatief - 1
    );
    drop(tx);
    // Langdurig relatief verzuim is another kind: its own tasks (the samenwerkingsverband, the
    // melding).
    let tasks = open_tasks(s, &school_caller(), "1004").await;
    task_starting(&tasks, "Meldt/gaat in overleg met het samenwerkingsverband");
    task_starting(&tasks, "Meldt de leerling als relatief langdurig verzuimer");
}
