//! Retention (security.md: a pupil's data are removed 5 years after deregistration, with the
//! counts in the audit log) and the AVG inzage export (art. 15): everything the caller's own
//! organisation stores about one pupil, as one JSON document.

use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};
use verzuim_store::CasesOf;
use verzuim_store::ServiceRetentionCounts;
use verzuim_store::recipients::RecipientEvent;
use verzuim_store::{
    Actor, AuditEntry, MAX_PAGE_SIZE, Page, RetentionReport, Scope, Store, StoredEvent,
    StoredRegistration, Tx,
};

use crate::caller::{ADMIN_ROLES, Caller};
use crate::error::{Result, ServiceError};
use crate::meldingen::melding_view;
use crate::visibility::{TaskView, case_sight, pupil_sight, rules, task_view};

/// Years a pupil's data are kept after deregistration.
pub const RETENTION_YEARS: i16 = 5;

/// What retention removed: the store's tables (per school, each with its own audit row) and the
/// service's (one audit row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionOutcome {
    pub store: RetentionReport,
    pub service: ServiceRetentionCounts,
}

/// Removes all data of pupils whose enrolment ended more than [`RETENTION_YEARS`] before
/// `today`, in one transaction, and writes the counts (never the data) to the audit log. For a
/// run asked for now (the API's); the scheduled job runs [`scheduled_retention`].
pub async fn apply_retention(store: &Store, today: Date) -> Result<RetentionOutcome> {
    let mut tx = store.begin().await?;
    let outcome = retention_in(&mut tx, today).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// [`apply_retention`] asked for by a beheerder: the caller's audit row, its object followed by
/// `:{n} leerlingen verwijderd`, commits with the run.
pub async fn apply_retention_audited(
    store: &Store,
    caller: &Caller,
    today: Date,
) -> Result<RetentionOutcome> {
    caller.require_role(ADMIN_ROLES, "de bewaartermijn toepassen")?;
    let mut tx = store.begin().await?;
    let outcome = retention_in(&mut tx, today).await?;
    if let Some(row) = &caller.audit {
        tx.audit(&AuditEntry {
            object: format!(
                "{}:{} leerlingen verwijderd",
                row.object, outcome.store.total.pupils
            ),
            ..row.clone()
        })
        .await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The name under which the scheduled retention claims its daily run.
pub const RETENTION_JOB: &str = "bewaartermijn";

/// The scheduled retention of `today`, run by one process: every `verzuim serve` process on one
/// database schedules it, the first to claim `today` runs it (the claim is in the same
/// transaction, so a failed run leaves the day to the next attempt), the others get `None`.
pub async fn scheduled_retention(
    store: &Store,
    today: Date,
    process: &str,
) -> Result<Option<RetentionOutcome>> {
    let mut tx = store.begin().await?;
    if !tx
        .claim_job_run(RETENTION_JOB, &today.to_string(), process)
        .await?
    {
        tx.rollback().await?;
        return Ok(None);
    }
    let outcome = retention_in(&mut tx, today).await?;
    tx.commit().await?;
    Ok(Some(outcome))
}

/// The retention's work in `tx` (AVG art. 5(1)(e), the card's "bewaartermijn": 5 years after
/// deregistration).
async fn retention_in(tx: &mut Tx, today: Date) -> Result<RetentionOutcome> {
    let cutoff = today
        .checked_sub(jiff::Span::new().years(RETENTION_YEARS))
        .map_err(|e| ServiceError::invalid(format!("bewaartermijn: {e}")))?;
    let service = tx.service_retention(cutoff).await?;
    let report = tx.apply_retention(today, RETENTION_YEARS).await?;
    if service != ServiceRetentionCounts::default() {
        tx.audit(&AuditEntry {
            actor: Actor::System,
            organisation_id: None,
            action: "retention_service".into(),
            object: serde_json::to_string(&service).unwrap_or_default(),
            pupil: None,
            address: None,
            outcome: "ok".into(),
        })
        .await?;
    }
    Ok(RetentionOutcome {
        store: report,
        service,
    })
}

use crate::visibility::all_pages;

/// The inzage export (AVG art. 15) of one pupil: everything the caller's organisation stores
/// about them, as its beheerder may export it. A school's export holds its pupil's data,
/// registrations and events with every version, signals, cases with tasks (with the history of
/// its own tasks) and timeline, meldingen with history, referrals with their status history,
/// parents' information, its audit rows about the pupil, and the recipients: per other
/// organisation, when it received or read the pupil's data (AVG art. 15(1)(c)) — never GGD-JGZ's
/// notes. A
/// municipality's holds what its meldingen and their cases hold; a GGD-JGZ's what its referrals
/// and their cases hold, with its own notes.
pub async fn inzage(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<Value> {
    caller.require_role(ADMIN_ROLES, "een inzage-export maken")?;
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let pupil = tx
        .pupil(scope, school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (registrations, events, signals) = match scope {
        Scope::School(_) => school_records(&mut tx, school_id, pupil_id).await?,
        _ => {
            let sight = pupil_sight(&mut tx, scope, school_id, pupil_id).await?;
            let regs: Vec<StoredRegistration> = all_pages!(|page| tx
                .visible_registrations(scope, school_id, pupil_id, page)
                .await?)
            .into_iter()
            .filter(|r| rules::registration(&sight, r))
            .collect();
            (json!(regs), Value::Null, Value::Null)
        }
    };
    let cases = all_pages!(|page| tx
        .visible_cases(scope, Some((school_id, pupil_id)), false, page)
        .await?);
    let mut case_docs = Vec::new();
    for case in &cases {
        let (sight, all_signals) = case_sight(&mut tx, scope, case.id).await?;
        let case = rules::case(&sight, &all_signals, case.clone());
        let case_signals: Vec<_> = all_signals
            .iter()
            .filter(|s| rules::signal(&sight, s))
            .collect();
        let tasks = tx.case_tasks(scope, CasesOf::One(case.id), None).await?;
        let links = tx.case_task_links(scope, CasesOf::One(case.id)).await?;
        let mut task_docs = Vec::new();
        for task in tasks {
            let link = links.iter().find(|l| l.task_id == task.id).cloned();
            let Some(TaskView { task, link }) = task_view(&sight, &all_signals, task, link) else {
                continue;
            };
            let history = if task.organisation_id == caller.organisation {
                json!(tx.task_history(&caller.organisation, task.id).await?)
            } else {
                Value::Null
            };
            task_docs.push(json!({ "task": task, "link": link, "history": history }));
        }
        let timeline: Vec<_> = tx
            .case_timeline(scope, CasesOf::One(case.id), None)
            .await?
            .into_iter()
            .filter(|e| rules::timeline_entry(&sight, &all_signals, e))
            .collect();
        let mut case_doc = json!({
            "case": &case,
            "signals": case_signals,
            "tasks": task_docs,
            "timeline": timeline,
        });
        // Issue 11: the school's reports to the inspectie and the samenwerkingsverband.
        if rules::school_report(&sight, &case.school_id) {
            case_doc["school_meldingen"] =
                json!(tx.school_reports(&case.school_id, case.id).await?);
        }
        case_docs.push(case_doc);
    }
    let mut meldingen = Vec::new();
    let sight = pupil_sight(&mut tx, scope, school_id, pupil_id).await?;
    for m in tx
        .case_meldingen(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
        )
        .await?
    {
        if !rules::melding(&sight, &m) {
            continue;
        }
        let mut doc = json!(melding_view(&mut tx, scope, m.id).await?);
        if let Scope::Municipality(_) = scope {
            doc["leerplicht_acties"] = json!(tx.leerplicht_actions(scope, m.id).await?);
        }
        // What the school added for DUO's verzuimregister (a stay address, a phone number) and
        // its submission (docs/duo-export.md), when stored.
        if let Some(duo) = tx.duo_record(m.id).await? {
            doc["duo_verzuimregister"] = json!(duo);
            // DUO's statuses the school recorded (migration 0150).
            doc["duo_verzuimregister"]["statussen"] = json!(tx.duo_status_history(m.id).await?);
        }
        meldingen.push(doc);
    }
    let mut referrals = Vec::new();
    for r in tx.pupil_referrals(scope, school_id, pupil_id).await? {
        if !rules::referral(&sight, &r) {
            continue;
        }
        let history = tx.referral_history(scope, r.id).await?;
        let notes = match scope {
            Scope::Ggd(ggd) => {
                let notes: Vec<_> = all_pages!(|page| tx.jgz_notes(ggd, r.id, page).await?)
                    .into_iter()
                    .filter(|n| rules::note(&sight, &r, n))
                    .collect();
                json!(notes)
            }
            _ => Value::Null,
        };
        let mut doc = json!({ "referral": r, "history": history });
        if !notes.is_null() {
            doc["jgz_notes"] = notes;
        }
        if let Scope::Ggd(ggd) = scope {
            doc["uitnodigingen"] = json!(tx.invitations(ggd, r.id).await?);
        }
        // Issue 11: the school's aanmeldingsformulier and GGD-JGZ's afspraken for the school.
        if rules::referral_form(&sight, &r) {
            doc["aanmeldingsformulier"] = json!(tx.referral_form(scope, r.id).await?);
        }
        if rules::referral_afspraken(&sight, &r) {
            doc["afspraken"] = json!(tx.referral_afspraken(scope, r.id).await?);
        }
        referrals.push(doc);
    }
    let parents = tx
        .visible_parent_information(scope, school_id, pupil_id)
        .await?;
    let pupil_ref = verzuim_store::pupil_ref(school_id, pupil_id);
    let audit = all_pages!(|page| tx
        .audit_log_of_pupil(&caller.organisation, &pupil_ref, page)
        .await?);
    let mut doc = json!({
        "schema": "verzuim-inzage/1",
        "organisation": caller.organisation,
        "pupil": pupil,
        "registrations": registrations,
        "cases": case_docs,
        "meldingen": meldingen,
        "referrals": referrals,
        "parent_information": parents,
        "audit_log": audit,
    });
    if !events.is_null() {
        doc["events"] = events;
    }
    if !signals.is_null() {
        doc["signals"] = signals;
    }
    if let Scope::School(_) = scope {
        doc["recipients"] = recipients(tx.pupil_recipients(school_id, pupil_id).await?);
        // Signals an import held for review and the school's decisions (issue 10.9).
        doc["import_reviews"] = json!(tx.import_reviews(school_id, Some(pupil_id), None).await?);
    }
    Ok(doc)
}

/// The recipients of a school's pupil (AVG art. 15(1)(c)), per organisation: when it received
/// the pupil's data (a melding, a referral) and when it read or processed them (its audit rows),
/// by organisation and time, never the person. Organisations in order of their first event.
fn recipients(events: Vec<RecipientEvent>) -> Value {
    let mut out: Vec<(String, Value, Vec<Value>)> = Vec::new();
    for e in events {
        let entry = json!({ "at": e.at, "what": e.what, "description": describe(&e.what) });
        match out.iter_mut().find(|(id, _, _)| *id == e.organisation_id) {
            Some((_, _, list)) => list.push(entry),
            None => out.push((
                e.organisation_id.clone(),
                json!({
                    "id": e.organisation_id,
                    "name": e.organisation_name,
                    "kind": e.organisation_kind,
                }),
                vec![entry],
            )),
        }
    }
    Value::Array(
        out.into_iter()
            .map(|(_, org, events)| json!({ "organisation": org, "events": events }))
            .collect(),
    )
}

/// What a recipient event means, in Dutch.
fn describe(what: &str) -> &'static str {
    match what {
        "melding_ontvangen" => "ontving een melding over de leerling",
        "verwijzing_ontvangen" => "ontving een verwijzing van de leerling",
        "pupil_read" => "las gegevens van de leerling",
        "pupil_write" => "legde gegevens over de leerling vast",
        "letter" => "maakte een brief over de leerling",
        _ => "verwerkte gegevens van de leerling",
    }
}

/// A school's registrations and events with every version, and every signal of the pupil.
async fn school_records(
    tx: &mut Tx,
    school_id: &str,
    pupil_id: &str,
) -> Result<(Value, Value, Value)> {
    let scope = Scope::School(school_id);
    let heads: Vec<StoredRegistration> = all_pages!(|page| tx
        .list_registrations(scope, school_id, pupil_id, page)
        .await?);
    let mut registrations = Vec::new();
    for r in &heads {
        registrations.push(json!({
            "id": r.id,
            "versions": tx.registration_history(scope, r.id).await?,
        }));
    }
    let deleted = tx.deleted_registrations(school_id, pupil_id).await?;
    for id in deleted {
        registrations.push(json!({
            "id": id,
            "versions": tx.registration_history(scope, id).await?,
        }));
    }
    let event_heads: Vec<StoredEvent> =
        all_pages!(|page| tx.list_events(scope, school_id, pupil_id, page).await?);
    let mut events = Vec::new();
    for e in &event_heads {
        events.push(json!({ "id": e.id, "versions": tx.event_history(scope, e.id).await? }));
    }
    for id in tx.deleted_events(school_id, pupil_id).await? {
        events.push(json!({ "id": id, "versions": tx.event_history(scope, id).await? }));
    }
    let signals = tx.pupil_signals(school_id, pupil_id).await?;
    Ok((json!(registrations), json!(events), json!(signals)))
}
