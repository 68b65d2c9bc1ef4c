//! The GGD-JGZ path: ziek > 2 weken -> the referral -> GGD-JGZ records "niet verschenen zonder
//! tegenbericht" -> the school judges "zonder goede reden" -> the school's melding task -> the
//! melding (with an onderwijsnummer, to the municipality named by name) -> leerplicht's afspraken
//! reach the school and GGD-JGZ.

use verzuim_engine::model::{Code, Party, SignalKind, Trigger};
use verzuim_service::meldingen::{self, MeldingAction};
use verzuim_service::referrals;
use verzuim_service::tasks::{
    self, Completion, Judgement, MeldingContent, ParentsInformed, requires_parents_informed,
};
use verzuim_service::{ServiceError, visibility};
use verzuim_store::service_queries::NumberKind;
use verzuim_store::{InformedHow, Page, ReferralStatus};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(ggd_path_no_show_leads_to_melding);

const REFER: &str = "Gaat in gesprek met ouders en verwijst de (chronisch) zieke leerling";
const INFORMED: &str = "Ouders dienen van alle acties op de hoogte te zijn";
const JUDGE: &str = "Beoordeelt of de leerling zonder goede reden niet verscheen bij de GGD-JGZ";
const TRIGGERED: &str = "Bij niet verschijnen bij de GGD-JGZ zonder goede reden, melden";

fn parents(date: &str) -> Option<ParentsInformed> {
    Some(ParentsInformed {
        date: d(date),
        how: InformedHow::Telefoon,
    })
}

async fn ggd_path_no_show_leads_to_melding(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let mut data = pupil("1002", "Oldenzaal");
    data.bsn = None;
    data.onderwijsnummer = Some("101234567".into());
    enrol(s, SCHOOL, &data).await;
    enrol(s, SCHOOL, &pupil("1009", "Enschede")).await;

    // Three weeks sick: a ziekmelding on the first day, ziek > 2 weken on 21 September.
    let change = register(s, "1002", &days(Code::Ziek, "2026-09-07", "2026-09-25")).await;
    assert_eq!(change.sync.inserted.len(), 2);
    let tasks = open_tasks(s, &school_caller(), "1002").await;
    let refer = task_starting(&tasks, REFER);
    // "Ouders dienen van alle acties op de hoogte te zijn" is a principle of the card, no task
    // (issue 10.7).
    assert!(tasks.iter().all(|t| t.text != INFORMED), "{tasks:#?}");
    task_starting(&tasks, "Neemt zo nodig contact op met de ouders");
    // The conditional melding is not created up front.
    assert!(tasks.iter().all(|t| !t.text.starts_with(TRIGGERED)));
    assert!(tasks.iter().all(|t| t.party == Party::School));
    assert!(refer.referral);
    assert!(requires_parents_informed(INFORMED));
    assert!(!requires_parents_informed(
        "Neemt zo nodig contact op met de ouders en laat zich informeren over de aard van de ziekmelding"
    ));

    // GGD-JGZ sees nobody before a referral.
    assert!(
        visibility::pupils(s, &jgz(), Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    // The referral, with the parents informed.
    let outcome = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        refer.id,
        &Completion {
            parents_informed: parents("2026-09-22"),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let referral_id = outcome.referral.expect("a referral");
    assert_eq!(
        outcome.tasks_created.len(),
        1,
        "GGD-JGZ's unconditional action"
    );
    let ggd_tasks = open_tasks(s, &jgz(), "1002").await;
    assert_eq!(ggd_tasks.len(), 1);
    assert_eq!(ggd_tasks[0].party, Party::GgdJgz);
    assert!(
        ggd_tasks[0]
            .text
            .starts_with("GGD-JGZ neemt contact op met ouders/leerling")
    );

    // GGD-JGZ sees the referred pupil only; writes its own note.
    let seen = visibility::pupils(s, &jgz(), Page::default())
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].data.pupil.id, "1002");
    referrals::set_referral_status(s, &jgz(), referral_id, ReferralStatus::InBehandeling)
        .await
        .unwrap();
    referrals::add_jgz_note(s, &jgz(), referral_id, "Afspraak gemaakt voor 6 oktober")
        .await
        .unwrap();
    // A school may not set GGD-JGZ's statuses, GGD-JGZ may not withdraw the school's referral.
    assert!(matches!(
        referrals::set_referral_status(s, &school_caller(), referral_id, ReferralStatus::Afgerond)
            .await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        referrals::set_referral_status(s, &jgz(), referral_id, ReferralStatus::Ingetrokken).await,
        Err(ServiceError::Forbidden(_))
    ));

    // No-show without word: the school judges.
    let out = referrals::set_referral_status(
        s,
        &jgz(),
        referral_id,
        ReferralStatus::NietVerschenenZonderTegenbericht,
    )
    .await
    .unwrap();
    assert_eq!(out.tasks_created.len(), 1);
    // The school sees the status (and its history), never the notes.
    let view = referrals::referral(s, &school_caller(), referral_id)
        .await
        .unwrap();
    assert_eq!(
        view.referral.status,
        ReferralStatus::NietVerschenenZonderTegenbericht
    );
    assert_eq!(view.history.len(), 3);
    assert!(matches!(
        referrals::jgz_notes(s, &school_caller(), referral_id, Page::default()).await,
        Err(ServiceError::Forbidden(_))
    ));

    let tasks = open_tasks(s, &school_caller(), "1002").await;
    let judge = task_starting(&tasks, JUDGE);
    assert_eq!(
        judge.trigger,
        Some(Trigger::NietVerschenenZonderTegenbericht)
    );
    assert!(matches!(
        tasks::complete_task(
            s,
            &school_caller(),
            today(),
            judge.id,
            &Completion::default()
        )
        .await,
        Err(ServiceError::Invalid(_))
    ));
    let out = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        judge.id,
        &Completion {
            judgement: Some(Judgement::ZonderGoedeReden),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(out.tasks_created.len(), 1);

    // The card's conditional melding action is now the school's task.
    let tasks = open_tasks(s, &school_caller(), "1002").await;
    let meld = task_starting(&tasks, TRIGGERED);
    assert!(meld.melding);
    assert_eq!(meld.trigger, Some(Trigger::NietVerschenenZonderGoedeReden));
    let out = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        meld.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: "Niet verschenen bij de GGD-JGZ zonder goede reden".into(),
                school_actions: "Verwezen naar de GGD-JGZ op 22-09-2026".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap();
    let melding_id = out.melding.expect("melding");
    let view = meldingen::melding(s, &school_caller(), melding_id)
        .await
        .unwrap();
    assert_eq!(view.melding.municipality, OLDENZAAL);
    assert_eq!(view.melding.verzuim_kind, SignalKind::ZiekLangerDan2Weken);
    assert_eq!(view.number_kind, NumberKind::Onderwijsnummer);
    assert_eq!(view.number, "101234567");
    let lp = leerplicht(OLDENZAAL);
    let lp_tasks = open_tasks(s, &lp, "1002").await;
    assert_eq!(lp_tasks.len(), 1);
    assert!(
        lp_tasks[0]
            .text
            .starts_with("Indien nodig oproepen voor een gesprek")
    );

    // Leerplicht's afspraken reach the school and, for a ziekte row, GGD-JGZ.
    meldingen::melding_action(s, &lp, melding_id, &MeldingAction::InBehandeling)
        .await
        .unwrap();
    let out = meldingen::record_afspraken(
        s,
        &lp,
        melding_id,
        "Ouders melden ziekte voortaan bij de jeugdarts",
    )
    .await
    .unwrap();
    assert_eq!(out.tasks_created.len(), 2);
    task_starting(
        &open_tasks(s, &school_caller(), "1002").await,
        "Kennisnemen van de afspraken van leerplicht",
    );
    task_starting(
        &open_tasks(s, &jgz(), "1002").await,
        "Kennisnemen van de afspraken van leerplicht",
    );

    // The municipality sees the referral's status in the case, never the notes; GGD-JGZ sees
    // no melding.
    let case = visibility::case(s, &lp, view.melding.case_id)
        .await
        .unwrap();
    assert_eq!(case.referrals.len(), 1);
    assert!(
        !serde_json::to_string(&case)
            .unwrap()
            .contains("Afspraak gemaakt")
    );
    let ggd_case = visibility::case(s, &jgz(), view.melding.case_id)
        .await
        .unwrap();
    assert!(ggd_case.meldingen.is_empty());
    // GGD-JGZ reads its notes.
    let notes = referrals::jgz_notes(s, &jgz(), referral_id, Page::default())
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
}
