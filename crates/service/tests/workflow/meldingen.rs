//! DUO statuses: invalid transitions are refused; the DUO export holds only what docs/spec/rules.md §7
//! lists.

use std::collections::BTreeSet;

use verzuim_engine::model::Code;
use verzuim_service::meldingen::{self, ClosingReason, MeldingAction};
use verzuim_service::tasks::{self, Completion, MeldingContent};
use verzuim_service::{ServiceError, duo_export};
use verzuim_store::{MeldingId, MeldingStatus, Store};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    invalid_melding_transitions_are_refused,
    duo_export_holds_only_the_legal_content,
    a_lateness_melding_spans_the_latenesses_counted
);

/// A relatief melding for a new pupil, made by the school.
async fn melding(s: &Store, pupil_id: &str) -> MeldingId {
    let mut data = pupil(pupil_id, "GM0153");
    data.parent_name = Some("Ouder Geheim".into());
    data.street = Some("Geheimstraat 1".into());
    enrol(s, SCHOOL, &data).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, pupil_id, &days(Code::Ongeoorloofd, day, day)).await;
    }
    meld(
        s,
        pupil_id,
        "Spijbelen met vrienden",
        "Twee gesprekken met ouders",
    )
    .await
}

/// Completes the pupil's open melding task as the school: the melding it makes.
async fn meld(s: &Store, pupil_id: &str, reason: &str, actions: &str) -> MeldingId {
    let tasks = open_tasks(s, &school_caller(), pupil_id).await;
    let task = tasks
        .iter()
        .find(|t| t.melding)
        .expect("an open melding task");
    tasks::complete_task(
        s,
        &school_caller(),
        today(),
        task.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: reason.into(),
                school_actions: actions.into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap()
    .melding
    .unwrap()
}

fn refused(r: Result<meldingen::MeldingOutcome, ServiceError>) {
    assert!(
        matches!(&r, Err(ServiceError::Invalid(m)) if m.contains("kan niet naar")),
        "{r:?}"
    );
}

async fn invalid_melding_transitions_are_refused(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let id = melding(s, "2001").await;
    let lp = leerplicht(ENSCHEDE);
    let close = MeldingAction::Afgesloten {
        reason: ClosingReason::ProcesVerbaal,
        afspraken: "Proces-verbaal opgemaakt".into(),
    };
    // geregistreerd -> afgesloten skips in_behandeling.
    refused(meldingen::melding_action(s, &lp, id, &close).await);
    // Afspraken are required to close; the reason comes from the fixed list.
    assert_eq!(
        ClosingReason::parse("halt_verwijzing"),
        Some(ClosingReason::HaltVerwijzing)
    );
    assert_eq!(ClosingReason::VerzuimBeeindigd.label(), "verzuim beëindigd");
    // Another municipality does not find it; a school cannot take it up; leerplicht cannot
    // withdraw it.
    assert!(matches!(
        meldingen::melding_action(s, &leerplicht(OLDENZAAL), id, &MeldingAction::InBehandeling)
            .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        meldingen::melding_action(s, &school_caller(), id, &MeldingAction::InBehandeling).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        meldingen::melding_action(
            s,
            &lp,
            id,
            &MeldingAction::Ingetrokken { reason: "x".into() }
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    meldingen::melding_action(s, &lp, id, &MeldingAction::InBehandeling)
        .await
        .unwrap();
    // Twice in behandeling.
    refused(meldingen::melding_action(s, &lp, id, &MeldingAction::InBehandeling).await);
    // Closing without afspraken is refused.
    assert!(matches!(
        meldingen::melding_action(
            s,
            &lp,
            id,
            &MeldingAction::Afgesloten {
                reason: ClosingReason::Overig,
                afspraken: "  ".into()
            }
        )
        .await,
        Err(ServiceError::Invalid(_))
    ));
    meldingen::melding_action(s, &lp, id, &close).await.unwrap();
    // Final: nothing moves it on.
    refused(meldingen::melding_action(s, &lp, id, &MeldingAction::InBehandeling).await);
    refused(
        meldingen::melding_action(
            s,
            &lp,
            id,
            &MeldingAction::TerKennisgevingAangenomen { afspraken: None },
        )
        .await,
    );
    refused(
        meldingen::melding_action(
            s,
            &school_caller(),
            id,
            &MeldingAction::Ingetrokken {
                reason: "te laat".into(),
            },
        )
        .await,
    );
    let view = meldingen::melding(s, &lp, id).await.unwrap();
    assert_eq!(view.melding.status, MeldingStatus::Afgesloten);
    assert_eq!(view.history.len(), 3);

    // Ter kennisgeving aangenomen straight from geregistreerd; then final.
    let id2 = melding(s, "2002").await;
    meldingen::melding_action(
        s,
        &lp,
        id2,
        &MeldingAction::TerKennisgevingAangenomen { afspraken: None },
    )
    .await
    .unwrap();
    refused(meldingen::melding_action(s, &lp, id2, &close).await);
    // Withdrawn by the school from geregistreerd; then final.
    let id3 = melding(s, "2003").await;
    meldingen::melding_action(
        s,
        &school_caller(),
        id3,
        &MeldingAction::Ingetrokken {
            reason: "Ten onrechte gemeld".into(),
        },
    )
    .await
    .unwrap();
    refused(meldingen::melding_action(s, &lp, id3, &MeldingAction::InBehandeling).await);
}

fn keys(v: &serde_json::Value) -> BTreeSet<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

async fn duo_export_holds_only_the_legal_content(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let id = melding(s, "2004").await;
    let lp = leerplicht(ENSCHEDE);
    meldingen::melding_action(s, &lp, id, &MeldingAction::InBehandeling)
        .await
        .unwrap();
    meldingen::melding_action(
        s,
        &lp,
        id,
        &MeldingAction::Afgesloten {
            reason: ClosingReason::HaltVerwijzing,
            afspraken: "Geheime afspraak met de ouders".into(),
        },
    )
    .await
    .unwrap();
    let view = meldingen::melding(s, &lp, id).await.unwrap();
    let doc = duo_export(&view);
    // The same through the service for both parties that may see it.
    assert_eq!(
        meldingen::export(s, &school_caller(), id).await.unwrap(),
        doc
    );
    assert_eq!(meldingen::export(s, &lp, id).await.unwrap(), doc);
    assert!(matches!(
        meldingen::export(s, &jgz(), id).await,
        Err(ServiceError::NotFound)
    ));

    assert_eq!(
        keys(&doc),
        BTreeSet::from([
            "schema",
            "melding_id",
            "datum_melding",
            "school",
            "woongemeente",
            "leerling",
            "verzuim",
            "vermoedelijke_reden",
            "ondernomen_acties_school",
            "status",
        ])
    );
    assert_eq!(
        keys(&doc["leerling"]),
        BTreeSet::from(["persoonsgebonden_nummer", "soort_nummer"])
    );
    assert_eq!(
        keys(&doc["verzuim"]),
        BTreeSet::from(["soort", "begindatum", "einddatum", "uren"])
    );
    assert_eq!(
        keys(&doc["status"]),
        BTreeSet::from(["code", "reden", "sinds"])
    );
    assert_eq!(doc["school"], SCHOOL);
    assert_eq!(doc["woongemeente"], ENSCHEDE);
    assert_eq!(doc["leerling"]["persoonsgebonden_nummer"], "400276872");
    assert_eq!(doc["leerling"]["soort_nummer"], "bsn");
    assert_eq!(doc["verzuim"]["soort"], "relatief_verzuim");
    assert_eq!(doc["verzuim"]["begindatum"], "2026-09-21");
    assert_eq!(doc["verzuim"]["einddatum"], "2026-09-24");
    assert_eq!(doc["verzuim"]["uren"], 21.0);
    assert_eq!(doc["vermoedelijke_reden"], "Spijbelen met vrienden");
    assert_eq!(
        doc["ondernomen_acties_school"],
        "Twee gesprekken met ouders"
    );
    assert_eq!(doc["status"]["code"], "afgesloten");
    assert_eq!(doc["status"]["reden"], "halt_verwijzing");
    // Nothing else: no name, address, parents, afspraken or notes.
    let text = doc.to_string();
    for secret in ["Leerling 2004", "Geheim", "Ouder", "afspraak"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(meldingen::hours(1000), 16.67);
}

/// Te laat komen has no absence period of its own; its melding's start and end date (the legal
/// content, docs/spec/rules.md §7) are the first lateness counted and the signal's date.
async fn a_lateness_melding_spans_the_latenesses_counted(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    enrol(s, SCHOOL, &pupil("2003", "GM0153")).await;
    // Ten lesson days, Monday 21 September to Friday 2 October 2026: the tenth is the signal.
    let mut day = d("2026-09-21");
    let mut counted = 0;
    while counted < 10 {
        if day.weekday().to_monday_one_offset() <= 5 {
            let mut late = days(Code::TeLaat, &day.to_string(), &day.to_string());
            late.minutes_late = Some(10);
            register(s, "2003", &late).await;
            counted += 1;
        }
        day = day.tomorrow().unwrap();
    }
    let id = meld(s, "2003", "Verslapen", "Gesprek met ouders na 5x te laat").await;
    let view = meldingen::melding(s, &leerplicht(ENSCHEDE), id)
        .await
        .unwrap();
    assert_eq!(view.melding.period.from, d("2026-09-21"));
    assert_eq!(view.melding.period.to, d("2026-10-02"));
    assert_eq!(
        view.melding.minutes, 0,
        "te laat komen has no hours of absence"
    );
}
