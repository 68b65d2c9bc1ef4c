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
use verzuim_store::NumberKind;
use verzuim_store::{InformedHow, Page, ReferralStatus};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    ggd_path_no_show_leads_to_melding,
    referral_form_contact_and_afspraken
);

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

    // A referral needs the digitaal aanmeldingsformulier (issue 11): refused without, nothing
    // stored.
    let refused = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        refer.id,
        &Completion {
            parents_informed: parents("2026-09-22"),
            ..Completion::default()
        },
    )
    .await;
    match refused {
        Err(ServiceError::Invalid(m)) => assert!(m.contains("aanmeldingsformulier"), "{m}"),
        other => panic!("{other:?}"),
    }
    let mut empty = referral_form();
    empty.as_mut().unwrap().question = "  ".into();
    match tasks::complete_task(
        s,
        &school_caller(),
        today(),
        refer.id,
        &Completion {
            parents_informed: parents("2026-09-22"),
            referral_form: empty,
            ..Completion::default()
        },
    )
    .await
    {
        Err(ServiceError::Invalid(m)) => assert!(m.contains("De vraag aan de GGD-JGZ"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(
        referrals::list_referrals(s, &school_caller(), Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    // The referral, with the parents informed and the form.
    let outcome = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        refer.id,
        &Completion {
            parents_informed: parents("2026-09-22"),
            referral_form: referral_form(),
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

/// Issue 11: the referral carries the school's form; GGD-JGZ sees the parents' contact data and
/// the pupil's age; GGD-JGZ's afspraken reach the school exactly (with a task to take note),
/// never its notes, and never leerplicht.
async fn referral_form_contact_and_afspraken(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let mut data = pupil("1003", "Enschede");
    data.parent_name = Some("J. Jansen".into());
    data.parent_phone = Some("06 12345678".into());
    data.parent_email = Some("j.jansen@example.nl".into());
    data.street = Some("Lindelaan 8".into());
    data.postcode = Some("7541 XK".into());
    data.city = Some("Enschede".into());
    enrol(s, SCHOOL, &data).await;
    register(s, "1003", &days(Code::Ziek, "2026-09-07", "2026-09-25")).await;
    let tasks = open_tasks(s, &school_caller(), "1003").await;
    let refer = task_starting(&tasks, REFER);
    let referral_id = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        refer.id,
        &Completion {
            parents_informed: Some(ParentsInformed {
                date: d("2026-09-22"),
                how: InformedHow::Gesprek,
            }),
            referral_form: Some(verzuim_service::ReferralFormInput {
                question: "Kan de GGD-JGZ meekijken naar de lange ziekte?".into(),
                school_actions: "Twee gesprekken met de ouders".into(),
                parents_consent: false,
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap()
    .referral
    .unwrap();

    // The form, as the school and GGD-JGZ see it.
    for caller in [school_caller(), jgz()] {
        let view = referrals::referral(s, &caller, referral_id).await.unwrap();
        let form = view.form.expect("the form");
        assert_eq!(
            form.question,
            "Kan de GGD-JGZ meekijken naar de lange ziekte?"
        );
        assert_eq!(form.school_actions, "Twee gesprekken met de ouders");
        assert!(!form.parents_consent);
        assert_eq!(form.parents_informed_on, d("2026-09-22"));
        assert_eq!(form.parents_informed_how, InformedHow::Gesprek);
    }
    // The parents' contact data and the pupil's age (born 1 March 2016: 10 on 1 October 2026).
    let c = referrals::referral_contact(s, &jgz(), referral_id, d("2026-10-01"))
        .await
        .unwrap();
    assert_eq!(c.parent_name.as_deref(), Some("J. Jansen"));
    assert_eq!(c.parent_phone.as_deref(), Some("06 12345678"));
    assert_eq!(c.parent_email.as_deref(), Some("j.jansen@example.nl"));
    assert_eq!(c.street.as_deref(), Some("Lindelaan 8"));
    assert_eq!(c.postcode.as_deref(), Some("7541 XK"));
    assert_eq!(c.city.as_deref(), Some("Enschede"));
    assert_eq!(c.age, 10);
    assert!(matches!(
        referrals::referral_contact(s, &other_jgz(), referral_id, today()).await,
        Err(ServiceError::NotFound)
    ));

    // Only GGD-JGZ feeds back; an empty text is refused.
    assert!(matches!(
        referrals::record_afspraken(s, &school_caller(), referral_id, "x").await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        referrals::record_afspraken(s, &jgz(), referral_id, "  ").await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        referrals::record_afspraken(s, &other_jgz(), referral_id, "x").await,
        Err(ServiceError::NotFound)
    ));
    referrals::add_jgz_note(s, &jgz(), referral_id, "Eigen notitie: slaapt slecht")
        .await
        .unwrap();
    const AFSPRAKEN: &str = "Leerling komt de ochtenden; gym voorlopig niet";
    let out = referrals::record_afspraken(s, &jgz(), referral_id, AFSPRAKEN)
        .await
        .unwrap();

    // The school: exactly the text, a task to take note with the text, never the note.
    let view = referrals::referral(s, &school_caller(), referral_id)
        .await
        .unwrap();
    assert_eq!(view.afspraken.len(), 1);
    assert_eq!(view.afspraken[0].text, AFSPRAKEN);
    let task = visibility::task(s, &school_caller(), out.task_id)
        .await
        .unwrap();
    assert_eq!(task.task.party, Party::School);
    assert!(
        task.task
            .text
            .starts_with("Kennisnemen van de afspraken van de GGD-JGZ")
    );
    assert_eq!(task.link.unwrap().detail.as_deref(), Some(AFSPRAKEN));
    let case = visibility::case(s, &school_caller(), view.referral.case_id)
        .await
        .unwrap();
    let json = serde_json::to_string(&case).unwrap() + &serde_json::to_string(&view).unwrap();
    assert!(
        !json.contains("slaapt slecht"),
        "GGD-JGZ's note never reaches the school"
    );
    assert!(
        case.timeline
            .iter()
            .any(|e| e.entry == "verwijzing_afspraken")
    );
    // Completing the task needs nothing more.
    tasks::complete_task(
        s,
        &school_caller(),
        today(),
        out.task_id,
        &Completion::default(),
    )
    .await
    .unwrap();
    // GGD-JGZ sees its afspraken; a withdrawn referral takes none.
    let view = referrals::referral(s, &jgz(), referral_id).await.unwrap();
    assert_eq!(view.afspraken[0].text, AFSPRAKEN);
    referrals::set_referral_status(
        s,
        &school_caller(),
        referral_id,
        ReferralStatus::Ingetrokken,
    )
    .await
    .unwrap();
    assert!(matches!(
        referrals::record_afspraken(s, &jgz(), referral_id, "Nog iets").await,
        Err(ServiceError::Invalid(_))
    ));
}
