//! Tasks: completing them (with when and how the parents were informed), marking them not needed,
//! and what completing them starts (docs/spec/rules.md §7, docs/workflow.md):
//!
//! - the school's **melding** task -> the melding to the leerplichtambtenaar of the pupil's home
//!   municipality (status `geregistreerd`) and leerplicht's actions of the signal as its tasks;
//! - the school's **referral** task -> the referral to the school's GGD-JGZ organisation (status
//!   `aangemeld`) and GGD-JGZ's actions of the signal as its tasks;
//! - the school's task to **judge a no-show** at GGD-JGZ, judged "zonder goede reden" -> the
//!   card's conditional melding action of the signal as a school task.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use verzuim_engine::model::{Party, Period, SignalAction, Trigger};
use verzuim_store::CasesOf;
use verzuim_store::case_life::CaseBusy;
use verzuim_store::melding_changes::MeldingEvidence;
use verzuim_store::referral_forms::ReferralForm;
pub use verzuim_store::school_reports::SchoolReportContent;
use verzuim_store::{
    Actor, CurrentRecord, InformedHow, MeldingId, NewMelding, NewParentInformation, NewTask,
    ReferralId, SchoolSettings, Scope, Store, StoredEvidence, StoredSignal, Task, TaskId,
    TaskStatus, Tx,
};
use verzuim_store::{
    MeldingLink, NewTimelineEntry, NumberKind, ReferralLink, TaskLink, TaskLinkKind,
};

use crate::caller::{Caller, JGZ_ROLES, LEERPLICHT_ROLES, SCHOOL_WORKFLOW_ROLES};
use crate::error::{Result, ServiceError};
use crate::text::{date_nl, kind_label, reasons, required};

/// When and how the parents were informed of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentsInformed {
    pub date: Date,
    pub how: InformedHow,
}

/// What the school enters for a melding (the rest of the legal content comes from the signal and
/// the pupil).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeldingContent {
    /// The suspected reason of the absence.
    pub suspected_reason: String,
    /// What the school already did.
    pub school_actions: String,
}

/// What the school fills in on GGD-JGZ's "digitaal aanmeldingsformulier" when it refers a pupil
/// (kaart Twente PO, "** ZIEKTE": "verwijst de (chronisch) zieke leerling naar de GGD-JGZ via het
/// digitaal aanmeldingsformulier"; issue 11). When and how the parents were informed comes from
/// the completion's `parents_informed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralFormInput {
    /// The school's question to GGD-JGZ.
    pub question: String,
    /// What the school already did.
    pub school_actions: String,
    /// Whether the parents consented to the referral.
    pub parents_consent: bool,
}

/// The school's judgement of a pupil's no-show at GGD-JGZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Without good reason: the card's conditional melding follows.
    ZonderGoedeReden,
    /// With good reason: nothing follows.
    MetGoedeReden,
}

/// What completing a task records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// Required when the task's text says the parents are informed ([`requires_parents_informed`]).
    pub parents_informed: Option<ParentsInformed>,
    /// Required for a melding task.
    pub melding: Option<MeldingContent>,
    /// Required for the task that judges a no-show at GGD-JGZ.
    pub judgement: Option<Judgement>,
    /// Required for a referral task: the digitaal aanmeldingsformulier.
    pub referral_form: Option<ReferralFormInput>,
    /// Required for "Meldt bij de Onderwijsinspectie" and "Meldt/gaat in overleg met het
    /// samenwerkingsverband" ([`report_kind`]).
    pub school_report: Option<SchoolReportContent>,
}

/// Which report a school task asks for when it is completed (issue 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReportKind {
    /// Kaart Twente PO, "Verwijdering": "Meldt bij de Onderwijsinspectie" (WPO art. 40: the
    /// decision, the accepting school and the reason are reported to the inspectie).
    Inspectie,
    /// Kaart Twente PO, "Langdurig relatief verzuim": "Meldt/gaat in overleg met het
    /// samenwerkingsverband" (with whom, when, the outcome).
    SwvOverleg,
}

/// The report a school task's text asks for, if any.
pub fn report_kind(text: &str) -> Option<ReportKind> {
    let t = text.to_lowercase();
    if t.contains("onderwijsinspectie") {
        Some(ReportKind::Inspectie)
    } else if t.contains("samenwerkingsverband") {
        Some(ReportKind::SwvOverleg)
    } else {
        None
    }
}

/// Checks a report against the task's kind and `today`; returns it with its texts trimmed.
fn checked_report(
    kind: ReportKind,
    report: Option<&SchoolReportContent>,
    today: Date,
) -> Result<SchoolReportContent> {
    let not_after = |d: Date, what: &str| {
        if d > today {
            Err(ServiceError::invalid(format!(
                "{what} ({}) ligt na vandaag",
                date_nl(d)
            )))
        } else {
            Ok(())
        }
    };
    match (kind, report) {
        (
            ReportKind::Inspectie,
            Some(SchoolReportContent::Inspectie {
                decision_date,
                accepting_school,
                reason,
                report_date,
            }),
        ) => {
            not_after(*decision_date, "De datum van het besluit")?;
            not_after(*report_date, "De datum van de melding aan de inspectie")?;
            if report_date < decision_date {
                return Err(ServiceError::invalid(format!(
                    "de melding aan de inspectie ({}) ligt voor het besluit tot verwijderen ({})",
                    date_nl(*report_date),
                    date_nl(*decision_date)
                )));
            }
            Ok(SchoolReportContent::Inspectie {
                decision_date: *decision_date,
                accepting_school: required(accepting_school, "De school die de leerling toelaat")?,
                reason: required(reason, "De reden van de verwijdering")?,
                report_date: *report_date,
            })
        }
        (
            ReportKind::SwvOverleg,
            Some(SchoolReportContent::SwvOverleg {
                with_whom,
                date,
                outcome,
            }),
        ) => {
            not_after(*date, "De datum van het overleg")?;
            Ok(SchoolReportContent::SwvOverleg {
                with_whom: required(with_whom, "Met wie het overleg was")?,
                date: *date,
                outcome: required(outcome, "De uitkomst van het overleg")?,
            })
        }
        (ReportKind::Inspectie, _) => Err(ServiceError::invalid(
            "de melding aan de Onderwijsinspectie vraagt de datum van het besluit, de school die \
             de leerling toelaat, de reden en de datum van de melding",
        )),
        (ReportKind::SwvOverleg, _) => Err(ServiceError::invalid(
            "het overleg met het samenwerkingsverband vraagt met wie, wanneer en de uitkomst",
        )),
    }
}

/// What completing a task started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompletionOutcome {
    pub task_id: TaskId,
    pub melding: Option<MeldingId>,
    pub referral: Option<ReferralId>,
    /// Tasks created for this or another party.
    pub tasks_created: Vec<TaskId>,
}

/// Phrases of the card by which an action informs the parents (lower case). "Neemt zo nodig
/// contact op met de ouders" is not among them: it is optional.
const PARENTS_PHRASES: &[&str] = &[
    "op de hoogte",
    "in gesprek met ouders",
    "in gesprek met de ouders",
    "waarschuwingsbrief aan",
    "roept ouders op",
    "roept de ouders",
];

/// Whether completing a task with this text must record when and how the parents were informed
/// ("Ouders dienen van alle acties op de hoogte te zijn"; "Gaat in gesprek met ouders en stelt hen
/// op de hoogte van de melding"; leerplicht's talks and warning letters).
pub fn requires_parents_informed(text: &str) -> bool {
    let t = text.to_lowercase();
    PARENTS_PHRASES.iter().any(|p| t.contains(p))
}

fn roles_for(party: Party) -> &'static [verzuim_store::Role] {
    match party {
        Party::School => SCHOOL_WORKFLOW_ROLES,
        Party::Leerplicht => LEERPLICHT_ROLES,
        Party::GgdJgz => JGZ_ROLES,
    }
}

/// Completes an open task of the caller's organisation, with what the task asks for, and starts
/// what follows from it.
pub async fn complete_task(
    store: &Store,
    caller: &Caller,
    today: Date,
    task_id: TaskId,
    completion: &Completion,
) -> Result<CompletionOutcome> {
    let by = caller.actor();
    let mut tx = store.begin().await?;
    let task = tx
        .task(&caller.organisation, task_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    caller.require_role(roles_for(task.party), "deze taak afronden")?;
    if task.status != TaskStatus::Open {
        return Err(ServiceError::Conflict(format!(
            "de taak is al {}",
            status_label(task.status)
        )));
    }
    let link = tx
        .task_link(Scope::School(&task.school_id), task.id)
        .await?;
    if let Some(p) = completion.parents_informed {
        if p.date > today {
            return Err(ServiceError::invalid(
                "de datum waarop de ouders zijn geïnformeerd ligt na vandaag",
            ));
        }
    } else if requires_parents_informed(&task.text) {
        return Err(ServiceError::invalid(
            "deze actie vraagt vast te leggen wanneer en hoe de ouders zijn geïnformeerd",
        ));
    }
    let judge = link
        .as_ref()
        .filter(|l| l.kind == TaskLinkKind::JudgeNoShow);
    if judge.is_some() && completion.judgement.is_none() {
        return Err(ServiceError::invalid(
            "leg vast of de leerling met of zonder goede reden niet verscheen",
        ));
    }
    if task.melding && completion.melding.is_none() {
        return Err(ServiceError::invalid(
            "een melding vraagt de vermoedelijke reden van het verzuim en wat de school al deed",
        ));
    }
    let referral_form = if task.referral {
        let form = completion.referral_form.as_ref().ok_or_else(|| {
            ServiceError::invalid(
                "een verwijzing naar de GGD-JGZ vraagt het aanmeldingsformulier: de vraag aan de \
                 GGD-JGZ, wat de school al deed en of de ouders toestemming gaven",
            )
        })?;
        let informed = completion.parents_informed.ok_or_else(|| {
            ServiceError::invalid(
                "het aanmeldingsformulier vraagt wanneer en hoe de ouders zijn geïnformeerd",
            )
        })?;
        Some((
            required(&form.question, "De vraag aan de GGD-JGZ")?,
            required(&form.school_actions, "Wat de school al deed")?,
            form.parents_consent,
            informed,
        ))
    } else {
        None
    };
    let school_report = match report_kind(&task.text).filter(|_| task.party == Party::School) {
        Some(kind) => Some(checked_report(
            kind,
            completion.school_report.as_ref(),
            today,
        )?),
        None => None,
    };
    let reason = if task.melding {
        Some(reasons::MELDING_GEDAAN)
    } else if task.referral {
        Some(reasons::VERWEZEN)
    } else {
        match completion.judgement.filter(|_| judge.is_some()) {
            Some(Judgement::ZonderGoedeReden) => Some(reasons::ZONDER_GOEDE_REDEN),
            Some(Judgement::MetGoedeReden) => Some(reasons::MET_GOEDE_REDEN),
            None => None,
        }
    };
    // First the status, conditionally: of two concurrent completions only one gets here.
    if !tx
        .set_task_status_if(
            &caller.organisation,
            task.id,
            TaskStatus::Open,
            TaskStatus::Done,
            reason,
            by,
        )
        .await?
    {
        return Err(ServiceError::Conflict(
            "de taak is intussen gewijzigd".into(),
        ));
    }
    let mut outcome = CompletionOutcome {
        task_id: task.id,
        ..CompletionOutcome::default()
    };
    if let Some(p) = completion.parents_informed {
        tx.record_parent_information(
            &task.school_id,
            &task.pupil_id,
            &NewParentInformation {
                case_id: Some(task.case_id),
                task_id: Some(task.id),
                informed_on: p.date,
                how: p.how,
                note: None,
            },
            by,
        )
        .await?;
        crate::mail::to_parents(
            &mut tx,
            &task.school_id,
            &task.pupil_id,
            crate::mail::ParentNews::SchoolAction,
        )
        .await?;
    }
    if let Some(report) = &school_report {
        tx.put_school_report(&task.school_id, task.id, report)
            .await?;
        let detail = match report {
            SchoolReportContent::Inspectie { report_date, .. } => format!(
                "Verwijdering gemeld bij de Onderwijsinspectie op {}",
                date_nl(*report_date)
            ),
            SchoolReportContent::SwvOverleg { date, .. } => {
                format!("Overleg met het samenwerkingsverband op {}", date_nl(*date))
            }
        };
        tx.add_timeline(
            &NewTimelineEntry {
                case_id: task.case_id,
                entry: "school_melding".into(),
                signal_id: task.signal_id,
                detail: Some(detail),
            },
            by,
        )
        .await?;
    }
    if task.melding {
        let content = completion.melding.as_ref().expect("checked above");
        let (melding, tasks) = make_melding(&mut tx, by, today, &task, content).await?;
        outcome.melding = Some(melding);
        outcome.tasks_created.extend(tasks);
    }
    if task.referral {
        let (referral, tasks) = make_referral(&mut tx, by, &task).await?;
        let (question, school_actions, parents_consent, informed) =
            referral_form.expect("checked above");
        tx.put_referral_form(
            &task.school_id,
            &ReferralForm {
                referral_id: referral,
                question,
                school_actions,
                parents_consent,
                parents_informed_on: informed.date,
                parents_informed_how: informed.how,
            },
        )
        .await?;
        outcome.referral = Some(referral);
        outcome.tasks_created.extend(tasks);
    }
    if let (Some(link), Some(judgement)) = (judge, completion.judgement) {
        outcome
            .tasks_created
            .extend(judged(&mut tx, by, &task, link, judgement).await?);
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Marks an open task of the caller's organisation as not needed, with a reason.
pub async fn task_not_needed(
    store: &Store,
    caller: &Caller,
    task_id: TaskId,
    reason: &str,
) -> Result<()> {
    let reason = required(reason, "De reden")?;
    let mut tx = store.begin().await?;
    let task = tx
        .task(&caller.organisation, task_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    caller.require_role(roles_for(task.party), "deze taak afsluiten")?;
    if !tx
        .set_task_status_if(
            &caller.organisation,
            task.id,
            TaskStatus::Open,
            TaskStatus::NotNeeded,
            Some(&reason),
            caller.actor(),
        )
        .await?
    {
        return Err(ServiceError::Conflict(format!(
            "de taak is al {}",
            status_label(task.status)
        )));
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Open => "open",
        TaskStatus::Done => "afgerond",
        TaskStatus::NotNeeded => "niet nodig",
    }
}

async fn task_signal(tx: &mut Tx, task: &Task, signal_id: Option<i64>) -> Result<StoredSignal> {
    let id = signal_id.ok_or_else(|| ServiceError::invalid("de taak hoort bij geen signaal"))?;
    tx.signal_by_id(&task.school_id, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Creates one party's unconditional actions of a signal as tasks for `organisation_id`, linked
/// to a melding or referral.
#[allow(clippy::too_many_arguments)]
async fn party_tasks(
    tx: &mut Tx,
    by: Actor,
    case_id: i64,
    signal: &StoredSignal,
    party: Party,
    organisation_id: &str,
    melding_id: Option<MeldingId>,
    referral_id: Option<ReferralId>,
) -> Result<Vec<TaskId>> {
    let mut created = Vec::new();
    let actions: Vec<&SignalAction> = signal
        .actions
        .iter()
        .filter(|a| a.party == party && a.trigger.is_none())
        .collect();
    for a in actions {
        let id = tx
            .create_task(
                &NewTask {
                    case_id,
                    signal_id: None,
                    party,
                    organisation_id: organisation_id.to_owned(),
                    text: a.text.to_string(),
                    melding: false,
                    referral: false,
                    trigger: None,
                    due: a.due,
                },
                by,
            )
            .await?;
        tx.put_task_link(&TaskLink {
            task_id: id,
            kind: TaskLinkKind::Card,
            signal_id: Some(signal.id),
            melding_id,
            referral_id,
            detail: None,
        })
        .await?;
        created.push(id);
    }
    Ok(created)
}

/// The period and minutes a melding for `signal` (of the school's pupil) would report if the
/// school made it on `today`: what the melding form shows before it is sent (the same
/// computation as the melding itself, see [`melding_content`]).
pub async fn melding_preview(
    store: &Store,
    school_id: &str,
    pupil_id: &str,
    signal: &StoredSignal,
    today: Date,
) -> Result<(Period, u32)> {
    let mut tx = store.connection().await?;
    let content = melding_content(&mut tx, school_id, pupil_id, signal, today).await?;
    Ok((content.period, content.minutes))
}

/// [`melding_preview`] for several signals of one pupil in `tx`, reading the pupil's record and
/// the school's settings once: by signal id.
pub(crate) async fn melding_previews(
    tx: &mut Tx,
    school_id: &str,
    pupil_id: &str,
    signals: &[&StoredSignal],
    today: Date,
) -> Result<std::collections::HashMap<i64, (Period, u32)>> {
    let mut out = std::collections::HashMap::new();
    if signals.is_empty() {
        return Ok(out);
    }
    let settings = tx.school_settings(school_id).await?;
    let cards = school_cards(tx, school_id, settings.as_ref()).await?;
    let current = tx.current_record(school_id, pupil_id).await?;
    for s in signals {
        let content = content_of(
            settings.as_ref(),
            cards.as_ref(),
            current.as_ref(),
            s,
            today,
        )?;
        out.insert(s.id, (content.period, content.minutes));
    }
    Ok(out)
}

/// What a melding reports: its period, minutes and evidence as sent.
struct Content {
    period: Period,
    minutes: u32,
    evidence: Vec<MeldingEvidence>,
}

/// The content of a melding made on `today` (docs/spec/rules.md §7; issue 10.1): the absence as
/// known when the school makes the melding — the whole luxe run, the whole sick report, the
/// window of relatief verzuim, the run of langdurig relatief verzuim up to today
/// ([`verzuim_engine::Evaluator::melding_extent`]). The signal keeps its own date, period and
/// minutes. Kinds without absence time keep the signal's content (a lateness: from the first
/// lateness counted, [`counted_period`]).
async fn melding_content(
    tx: &mut Tx,
    school_id: &str,
    pupil_id: &str,
    signal: &StoredSignal,
    today: Date,
) -> Result<Content> {
    let settings = tx.school_settings(school_id).await?;
    let cards = school_cards(tx, school_id, settings.as_ref()).await?;
    let current = tx.current_record(school_id, pupil_id).await?;
    content_of(
        settings.as_ref(),
        cards.as_ref(),
        current.as_ref(),
        signal,
        today,
    )
}

/// The school's cards by date, when it has settings.
async fn school_cards(
    tx: &mut Tx,
    school_id: &str,
    settings: Option<&SchoolSettings>,
) -> Result<Option<crate::cards::CardHistory>> {
    match settings {
        Some(s) => Ok(Some(
            crate::cards::CardHistory::of_school(tx, school_id, &s.card_id).await?,
        )),
        None => Ok(None),
    }
}

/// [`melding_content`] from the school's settings and the pupil's current record; the extent
/// follows the card that applied on the signal's date (issue 10.2).
fn content_of(
    settings: Option<&SchoolSettings>,
    cards: Option<&crate::cards::CardHistory>,
    current: Option<&CurrentRecord>,
    signal: &StoredSignal,
    today: Date,
) -> Result<Content> {
    let signal_evidence = || {
        signal
            .evidence
            .iter()
            .filter_map(|e| match *e {
                StoredEvidence::Registration {
                    id,
                    version,
                    minutes,
                } => Some(MeldingEvidence::Registration {
                    id,
                    version,
                    minutes,
                }),
                StoredEvidence::Event { id, version } => {
                    Some(MeldingEvidence::Event { id, version })
                }
                StoredEvidence::Deregistration { .. } => None,
            })
            .collect::<Vec<_>>()
    };
    if let Some(settings) = settings
        && let Some(cards) = cards
        && let Some(current) = current
    {
        let card = cards.on(signal.date).clone();
        let (from, until) = crate::sync::evaluation_range(&current.record);
        let evaluator =
            verzuim_engine::Evaluator::new(&card, &settings.school, from, until.max(today));
        if let Some(extent) = evaluator.melding_extent(
            &current.record,
            signal.kind,
            signal.date,
            signal.period,
            today,
        ) {
            let evidence = current
                .stored_evidence(&extent.evidence)
                .into_iter()
                .filter_map(|e| match e {
                    StoredEvidence::Registration {
                        id,
                        version,
                        minutes,
                    } => Some(MeldingEvidence::Registration {
                        id,
                        version,
                        minutes,
                    }),
                    _ => None,
                })
                .collect();
            return Ok(Content {
                period: extent.period,
                minutes: extent.minutes,
                evidence,
            });
        }
    }
    let period = match signal.period {
        Some(p) => p,
        None => counted_period(current, signal),
    };
    Ok(Content {
        period,
        minutes: signal.minutes.unwrap_or(0),
        evidence: signal_evidence(),
    })
}

/// The start and end date of a melding for a signal without an absence period (te laat komen:
/// from the first lateness counted to the signal's date; otherwise the signal's date): the
/// legal content asks for both (docs/spec/rules.md §7).
fn counted_period(current: Option<&CurrentRecord>, signal: &StoredSignal) -> Period {
    let mut from = signal.date;
    if signal
        .evidence
        .iter()
        .any(|e| matches!(e, StoredEvidence::Registration { .. }))
        && let Some(current) = current
    {
        for e in &signal.evidence {
            let StoredEvidence::Registration { id, .. } = e else {
                continue;
            };
            let counted = current
                .registrations
                .iter()
                .zip(&current.record.registrations)
                .find(|(v, _)| v.id == *id);
            if let Some((_, reg)) = counted {
                from = from.min(reg.span.first_date());
            }
        }
    }
    Period {
        from,
        to: signal.date,
    }
}

/// The melding of a completed melding task: legal content from the signal, the pupil and what the
/// school entered; to the leerplichtambtenaar of the home municipality; leerplicht's tasks.
async fn make_melding(
    tx: &mut Tx,
    by: Actor,
    today: Date,
    task: &Task,
    content: &MeldingContent,
) -> Result<(MeldingId, Vec<TaskId>)> {
    let suspected_reason = required(&content.suspected_reason, "De vermoedelijke reden")?;
    let school_actions = required(&content.school_actions, "Wat de school al deed")?;
    let pupil = tx
        .pupil(
            Scope::School(&task.school_id),
            &task.school_id,
            &task.pupil_id,
        )
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (number_kind, number) = match (
        nonempty(pupil.data.bsn.as_deref()),
        nonempty(pupil.data.onderwijsnummer.as_deref()),
    ) {
        (Some(bsn), _) => (NumberKind::Bsn, bsn.to_owned()),
        (None, Some(on)) => (NumberKind::Onderwijsnummer, on.to_owned()),
        (None, None) => {
            return Err(ServiceError::invalid(
                "melden kan niet: de leerling heeft geen BSN of onderwijsnummer (persoonsgebonden nummer); vul dit eerst aan",
            ));
        }
    };
    let municipality = tx
        .find_municipality(&pupil.data.pupil.municipality)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid(format!(
                "melden kan niet: de woongemeente \"{}\" is onbekend; vul de CBS-code (zoals GM0153) of de naam van een bekende gemeente in",
                pupil.data.pupil.municipality
            ))
        })?;
    let signal = task_signal(tx, task, task.signal_id).await?;
    let reported = melding_content(tx, &task.school_id, &task.pupil_id, &signal, today).await?;
    let period = reported.period;
    let melding_id = tx
        .create_melding(
            &task.school_id,
            &NewMelding {
                case_id: task.case_id,
                municipality: municipality.id.clone(),
                verzuim_kind: signal.kind,
                period,
                minutes: reported.minutes,
                suspected_reason,
                school_actions,
            },
            by,
        )
        .await?;
    tx.put_melding_evidence(melding_id, &reported.evidence)
        .await?;
    crate::mail::new_melding(tx, &municipality.id, melding_id).await?;
    tx.put_melding_link(&MeldingLink {
        melding_id,
        signal_id: Some(signal.id),
        task_id: Some(task.id),
        number_kind,
        number,
        afspraken: None,
    })
    .await?;
    let tasks = party_tasks(
        tx,
        by,
        task.case_id,
        &signal,
        Party::Leerplicht,
        &municipality.id,
        Some(melding_id),
        None,
    )
    .await?;
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: task.case_id,
            entry: "melding".into(),
            signal_id: Some(signal.id),
            detail: Some(format!(
                "Melding {} ({} t/m {}) aan de leerplichtambtenaar van {}: geregistreerd",
                kind_label(signal.kind),
                date_nl(period.from),
                date_nl(period.to),
                municipality.name
            )),
        },
        by,
    )
    .await?;
    Ok((melding_id, tasks))
}

/// The referral of a completed referral task: to the school's GGD-JGZ organisation; GGD-JGZ's
/// tasks.
async fn make_referral(tx: &mut Tx, by: Actor, task: &Task) -> Result<(ReferralId, Vec<TaskId>)> {
    let ggd = tx.school_ggd(&task.school_id).await?.ok_or_else(|| {
        ServiceError::invalid(
            "verwijzen kan niet: de school heeft geen GGD-JGZ-organisatie ingesteld",
        )
    })?;
    let signal = task_signal(tx, task, task.signal_id).await?;
    let referral_id = tx
        .create_referral(&task.school_id, task.case_id, &ggd, by)
        .await?;
    crate::mail::new_referral(tx, &ggd, referral_id).await?;
    tx.put_referral_link(&ReferralLink {
        referral_id,
        signal_id: Some(signal.id),
        task_id: Some(task.id),
    })
    .await?;
    let tasks = party_tasks(
        tx,
        by,
        task.case_id,
        &signal,
        Party::GgdJgz,
        &ggd,
        None,
        Some(referral_id),
    )
    .await?;
    let ggd_name = tx.organisation(&ggd).await?.map_or(ggd.clone(), |o| o.name);
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: task.case_id,
            entry: "verwijzing".into(),
            signal_id: Some(signal.id),
            detail: Some(format!(
                "Verwezen naar {ggd_name} ({}): aangemeld",
                kind_label(signal.kind)
            )),
        },
        by,
    )
    .await?;
    Ok((referral_id, tasks))
}

/// A text that is there: trimmed and not empty.
fn nonempty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// The school judged a no-show at GGD-JGZ: without good reason, the card's conditional melding
/// action of the signal becomes a school task.
async fn judged(
    tx: &mut Tx,
    by: Actor,
    task: &Task,
    link: &TaskLink,
    judgement: Judgement,
) -> Result<Vec<TaskId>> {
    let text = match judgement {
        Judgement::ZonderGoedeReden => {
            "De school oordeelt: zonder goede reden niet verschenen bij de GGD-JGZ"
        }
        Judgement::MetGoedeReden => {
            "De school oordeelt: met goede reden niet verschenen bij de GGD-JGZ"
        }
    };
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: task.case_id,
            entry: "oordeel_niet_verschenen".into(),
            signal_id: link.signal_id,
            detail: Some(text.into()),
        },
        by,
    )
    .await?;
    if judgement != Judgement::ZonderGoedeReden {
        return Ok(Vec::new());
    }
    let signal = task_signal(tx, task, link.signal_id).await?;
    let mut created = Vec::new();
    let actions: Vec<SignalAction> = signal
        .actions
        .iter()
        .filter(|a| {
            a.party == Party::School && a.trigger == Some(Trigger::NietVerschenenZonderGoedeReden)
        })
        .cloned()
        .collect();
    for a in actions {
        let id = tx
            .create_task(
                &NewTask {
                    case_id: task.case_id,
                    signal_id: Some(signal.id),
                    party: Party::School,
                    organisation_id: task.school_id.clone(),
                    text: a.text.to_string(),
                    melding: a.melding,
                    referral: a.referral,
                    trigger: a.trigger,
                    due: a.due,
                },
                by,
            )
            .await?;
        created.push(id);
    }
    Ok(created)
}

/// Closes a pupil's case (dossier) as the school, with a reason: the school's open tasks of the
/// case become `not_needed` with that reason. Refused while a melding or referral of the case
/// still runs or another party still has an open task in it, saying which
/// ([`crate::cases::busy_reason`]). A later signal of its chain opens a new case
/// ([`crate::cases`]); [`crate::cases::reopen_case`] reopens it.
pub async fn close_case(
    store: &Store,
    caller: &Caller,
    case_id: verzuim_store::CaseId,
    reason: &str,
) -> Result<Vec<TaskId>> {
    caller.require_role(SCHOOL_WORKFLOW_ROLES, "een dossier sluiten")?;
    let reason = required(reason, "De reden")?;
    let by = caller.actor();
    let scope = Scope::School(&caller.organisation);
    let mut tx = store.begin().await?;
    let case = tx
        .case(scope, case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.lock_pupil(&case.school_id, &case.pupil_id).await?;
    if case.closed_at.is_some() {
        return Err(ServiceError::Conflict("het dossier is al gesloten".into()));
    }
    if let Some(busy @ (CaseBusy::Melding(..) | CaseBusy::Referral(..))) =
        tx.case_busy(case_id).await?
    {
        return Err(ServiceError::invalid(crate::cases::busy_reason(&busy)));
    }
    let mut open = Vec::new();
    let mut page = verzuim_store::Page::first(verzuim_store::MAX_PAGE_SIZE);
    loop {
        let batch = tx
            .case_tasks(scope, CasesOf::One(case_id), Some(page))
            .await?;
        let done = batch.len() < page.limit() as usize;
        open.extend(batch.into_iter().filter(|t| t.status == TaskStatus::Open));
        if done {
            break;
        }
        page = page.next();
    }
    if let Some(t) = open.iter().find(|t| t.party != Party::School) {
        let party = match t.party {
            Party::Leerplicht => "leerplicht",
            _ => "ggd_jgz",
        };
        return Err(ServiceError::invalid(crate::cases::busy_reason(
            &CaseBusy::Task(party.into(), t.text.clone()),
        )));
    }
    let why = format!("Dossier gesloten: {reason}");
    let mut closed = Vec::new();
    for task in open {
        if tx
            .set_task_status_if(
                &task.organisation_id,
                task.id,
                TaskStatus::Open,
                TaskStatus::NotNeeded,
                Some(&why),
                by,
            )
            .await?
        {
            closed.push(task.id);
        }
    }
    tx.add_timeline(
        &NewTimelineEntry {
            case_id,
            entry: "gesloten".into(),
            signal_id: None,
            detail: Some(why),
        },
        by,
    )
    .await?;
    tx.close_case(&case.school_id, case_id, &reason).await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(closed)
}

/// A task of the caller's own organisation, as stored ([`ServiceError::NotFound`] for another
/// organisation's or none).
pub async fn own_task(store: &Store, caller: &Caller, id: i64) -> Result<Task> {
    let mut tx = store.connection().await?;
    tx.task(&caller.organisation, id)
        .await?
        .ok_or(ServiceError::NotFound)
}
