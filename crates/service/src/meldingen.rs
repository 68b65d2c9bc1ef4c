//! Meldingen to the leerplichtambtenaar: DUO's statuses and their transitions, leerplicht's
//! afspraken and the feedback they start, and the DUO export (docs/duo-export.md).
//!
//! ```text
//! geregistreerd --(leerplicht)--> in_behandeling --(leerplicht, reason + afspraken)--> afgesloten
//!       |                               |
//!       +--(leerplicht)-----------------+--> ter_kennisgeving_aangenomen
//!       +--(school, reason)-------------+--> ingetrokken
//! ```
//! `afgesloten`, `ter_kennisgeving_aangenomen` and `ingetrokken` are final. Every change writes a
//! history row; any other transition is refused.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use verzuim_engine::model::Party;
use verzuim_store::melding_changes::MeldingChange;
use verzuim_store::{
    Actor, HistoryEntry, Melding, MeldingId, MeldingStatus, NewTask, Page, Scope, SignalId, Store,
    TaskId, TaskStatus, Tx,
};
use verzuim_store::{NewTimelineEntry, NumberKind, TaskLink, TaskLinkKind};

use crate::caller::{Caller, LEERPLICHT_ROLES, SCHOOL_WORKFLOW_ROLES};
use crate::error::{Result, ServiceError};
use crate::text::{FEEDBACK_TEXT, GGD_FEEDBACK_TEXT, is_ziekte, kind_label, reasons, required};

/// Why leerplicht closed a melding: a fixed list (the export carries the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingReason {
    VerzuimBeeindigd,
    LeerlingVerhuisd,
    ProcesVerbaal,
    HaltVerwijzing,
    Zorgtraject,
    Overig,
}

impl ClosingReason {
    pub const ALL: [ClosingReason; 6] = [
        ClosingReason::VerzuimBeeindigd,
        ClosingReason::LeerlingVerhuisd,
        ClosingReason::ProcesVerbaal,
        ClosingReason::HaltVerwijzing,
        ClosingReason::Zorgtraject,
        ClosingReason::Overig,
    ];

    /// The stable code (stored as the melding's status reason, exported).
    pub fn as_str(self) -> &'static str {
        match self {
            ClosingReason::VerzuimBeeindigd => "verzuim_beeindigd",
            ClosingReason::LeerlingVerhuisd => "leerling_verhuisd",
            ClosingReason::ProcesVerbaal => "proces_verbaal",
            ClosingReason::HaltVerwijzing => "halt_verwijzing",
            ClosingReason::Zorgtraject => "zorgtraject",
            ClosingReason::Overig => "overig",
        }
    }

    /// Dutch, for people.
    pub fn label(self) -> &'static str {
        match self {
            ClosingReason::VerzuimBeeindigd => "verzuim beëindigd",
            ClosingReason::LeerlingVerhuisd => "leerling verhuisd",
            ClosingReason::ProcesVerbaal => "proces-verbaal",
            ClosingReason::HaltVerwijzing => "halt-verwijzing",
            ClosingReason::Zorgtraject => "zorgtraject",
            ClosingReason::Overig => "overig",
        }
    }

    pub fn parse(s: &str) -> Option<ClosingReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A status change of a melding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MeldingAction {
    /// Leerplicht takes the melding up (from `geregistreerd`).
    InBehandeling,
    /// Leerplicht closes it (from `in_behandeling`) with a reason and its afspraken; the school
    /// (and, for ziekte rows, GGD-JGZ) gets the afspraken as a task.
    Afgesloten {
        reason: ClosingReason,
        afspraken: String,
    },
    /// Leerplicht takes note without further action (from `geregistreerd` or `in_behandeling`).
    TerKennisgevingAangenomen { afspraken: Option<String> },
    /// The school withdraws it (from `geregistreerd` or `in_behandeling`) with a reason.
    Ingetrokken { reason: String },
}

impl MeldingAction {
    fn target(&self) -> MeldingStatus {
        match self {
            MeldingAction::InBehandeling => MeldingStatus::InBehandeling,
            MeldingAction::Afgesloten { .. } => MeldingStatus::Afgesloten,
            MeldingAction::TerKennisgevingAangenomen { .. } => {
                MeldingStatus::TerKennisgevingAangenomen
            }
            MeldingAction::Ingetrokken { .. } => MeldingStatus::Ingetrokken,
        }
    }

    /// The statuses this change may start from.
    fn from(&self) -> &'static [MeldingStatus] {
        match self {
            MeldingAction::InBehandeling => &[MeldingStatus::Geregistreerd],
            MeldingAction::Afgesloten { .. } => &[MeldingStatus::InBehandeling],
            MeldingAction::TerKennisgevingAangenomen { .. } | MeldingAction::Ingetrokken { .. } => {
                &[MeldingStatus::Geregistreerd, MeldingStatus::InBehandeling]
            }
        }
    }
}

fn status_label(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "geregistreerd",
        MeldingStatus::InBehandeling => "in behandeling",
        MeldingStatus::Afgesloten => "afgesloten",
        MeldingStatus::Ingetrokken => "ingetrokken",
        MeldingStatus::TerKennisgevingAangenomen => "ter kennisgeving aangenomen",
    }
}

/// A melding with what the service adds: the persoonsgebonden nummer it was made with, the
/// signal it came from, leerplicht's afspraken, and its status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeldingView {
    pub melding: Melding,
    pub number_kind: NumberKind,
    pub number: String,
    pub signal_id: Option<SignalId>,
    pub afspraken: Option<String>,
    pub history: Vec<HistoryEntry>,
    /// Corrections after the melding that touched what it reported: the melding stays as sent,
    /// these mark it "gewijzigd na melding" (issue 10.3). Oldest first.
    pub changes: Vec<MeldingChange>,
}

/// What a status change started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MeldingOutcome {
    pub status: Option<MeldingStatus>,
    pub tasks_created: Vec<TaskId>,
    pub tasks_closed: Vec<TaskId>,
}

/// Changes a melding's status as leerplicht (its municipality) or the school that made it.
pub async fn melding_action(
    store: &Store,
    caller: &Caller,
    melding_id: MeldingId,
    action: &MeldingAction,
) -> Result<MeldingOutcome> {
    let by = caller.actor();
    let mut tx = store.begin().await?;
    let scope = match action {
        MeldingAction::Ingetrokken { .. } => {
            caller.require_role(SCHOOL_WORKFLOW_ROLES, "een melding intrekken")?;
            Scope::School(&caller.organisation)
        }
        _ => {
            caller.require_role(LEERPLICHT_ROLES, "de status van een melding wijzigen")?;
            Scope::Municipality(&caller.organisation)
        }
    };
    let melding = tx
        .melding(scope, melding_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let target = action.target();
    if !action.from().contains(&melding.status) {
        return Err(ServiceError::invalid(format!(
            "een melding met status '{}' kan niet naar '{}'",
            status_label(melding.status),
            status_label(target)
        )));
    }
    let (reason, afspraken) = match action {
        MeldingAction::InBehandeling => (None, None),
        MeldingAction::Afgesloten { reason, afspraken } => (
            Some(reason.as_str().to_owned()),
            Some(required(afspraken, "De afspraken")?),
        ),
        MeldingAction::TerKennisgevingAangenomen { afspraken } => (
            None,
            crate::text::optional(afspraken.as_deref(), "De afspraken")?,
        ),
        MeldingAction::Ingetrokken { reason } => (Some(required(reason, "De reden")?), None),
    };
    if !tx
        .set_melding_status_if(
            scope,
            melding_id,
            action.from(),
            target,
            reason.as_deref(),
            by,
        )
        .await?
    {
        return Err(ServiceError::Conflict(
            "de melding is intussen gewijzigd".into(),
        ));
    }
    let mut outcome = MeldingOutcome {
        status: Some(target),
        ..MeldingOutcome::default()
    };
    let detail = match action {
        MeldingAction::Afgesloten { reason, .. } => format!(
            "Melding {}: afgesloten ({})",
            kind_label(melding.verzuim_kind),
            reason.label()
        ),
        MeldingAction::Ingetrokken { reason } => format!(
            "Melding {}: ingetrokken door de school ({})",
            kind_label(melding.verzuim_kind),
            reason.trim()
        ),
        _ => format!(
            "Melding {}: {}",
            kind_label(melding.verzuim_kind),
            status_label(target)
        ),
    };
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: melding.case_id,
            entry: format!("melding_{}", target.as_str()),
            signal_id: None,
            detail: Some(detail),
        },
        by,
    )
    .await?;
    if let Some(text) = &afspraken {
        let (created, closed) = afspraken_recorded(&mut tx, by, &melding, text).await?;
        outcome.tasks_created.extend(created);
        outcome.tasks_closed.extend(closed);
    }
    if target != MeldingStatus::InBehandeling {
        outcome
            .tasks_closed
            .extend(close_open_tasks(&mut tx, by, &melding, target).await?);
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Leerplicht records afspraken on a melding it is handling (without closing it): the school
/// (and, for ziekte rows, GGD-JGZ) gets them as a task.
pub async fn record_afspraken(
    store: &Store,
    caller: &Caller,
    melding_id: MeldingId,
    afspraken: &str,
) -> Result<MeldingOutcome> {
    caller.require_role(LEERPLICHT_ROLES, "afspraken vastleggen")?;
    let text = required(afspraken, "De afspraken")?;
    let by = caller.actor();
    let mut tx = store.begin().await?;
    let melding = tx
        .melding(Scope::Municipality(&caller.organisation), melding_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !matches!(
        melding.status,
        MeldingStatus::Geregistreerd | MeldingStatus::InBehandeling
    ) {
        return Err(ServiceError::invalid(format!(
            "de melding is {}: afspraken horen bij een lopende melding",
            status_label(melding.status)
        )));
    }
    let (created, closed) = afspraken_recorded(&mut tx, by, &melding, &text).await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(MeldingOutcome {
        status: None,
        tasks_created: created,
        tasks_closed: closed,
    })
}

/// Stores the afspraken, gives the school a feedback task (and GGD-JGZ one for ziekte rows), and
/// completes leerplicht's "Koppelt afspraken terug aan melder" tasks of the melding.
async fn afspraken_recorded(
    tx: &mut Tx,
    by: Actor,
    melding: &Melding,
    text: &str,
) -> Result<(Vec<TaskId>, Vec<TaskId>)> {
    tx.set_melding_afspraken(&melding.municipality, melding.id, text)
        .await?;
    let link = tx
        .melding_link(Scope::Municipality(&melding.municipality), melding.id)
        .await?;
    let signal_id = link.and_then(|l| l.signal_id);
    let mut created = Vec::new();
    let mut targets = vec![(
        Party::School,
        melding.school_id.clone(),
        FEEDBACK_TEXT,
        TaskLinkKind::Feedback,
    )];
    if is_ziekte(melding.verzuim_kind) {
        for ggd in tx.case_ggd_ids(melding.case_id).await? {
            targets.push((
                Party::GgdJgz,
                ggd,
                GGD_FEEDBACK_TEXT,
                TaskLinkKind::GgdFeedback,
            ));
        }
    }
    for (party, organisation_id, task_text, kind) in targets {
        crate::mail::feedback(tx, party, &organisation_id).await?;
        let id = tx
            .create_task(
                &NewTask {
                    case_id: melding.case_id,
                    signal_id: None,
                    party,
                    organisation_id,
                    text: task_text.to_owned(),
                    melding: false,
                    referral: false,
                    trigger: None,
                    due: None,
                },
                by,
            )
            .await?;
        tx.put_task_link(&TaskLink {
            task_id: id,
            kind,
            signal_id,
            melding_id: Some(melding.id),
            referral_id: None,
            detail: Some(text.to_owned()),
        })
        .await?;
        created.push(id);
    }
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: melding.case_id,
            entry: "afspraken".into(),
            signal_id,
            detail: Some("Leerplicht heeft afspraken teruggekoppeld aan de melder".into()),
        },
        by,
    )
    .await?;
    let mut closed = Vec::new();
    for task in tx.open_tasks_of_melding(melding.id).await? {
        if task.party == Party::Leerplicht
            && task
                .text
                .to_lowercase()
                .contains("koppelt afspraken terug aan melder")
            && tx
                .set_task_status_if(
                    &task.organisation_id,
                    task.id,
                    TaskStatus::Open,
                    TaskStatus::Done,
                    Some(reasons::AFSPRAKEN_TERUGGEKOPPELD),
                    by,
                )
                .await?
        {
            closed.push(task.id);
        }
    }
    Ok((created, closed))
}

/// A melding reached a final status: leerplicht's open tasks for it are no longer needed, and the
/// school's review task for it is done once it is withdrawn (and the tasks about a correction
/// after it, issue 10.3, are then not needed).
pub(crate) async fn close_open_tasks(
    tx: &mut Tx,
    by: Actor,
    melding: &Melding,
    status: MeldingStatus,
) -> Result<Vec<TaskId>> {
    let reason = match status {
        MeldingStatus::Afgesloten => reasons::MELDING_AFGESLOTEN,
        MeldingStatus::TerKennisgevingAangenomen => reasons::MELDING_TER_KENNISGEVING,
        MeldingStatus::Ingetrokken => reasons::MELDING_INGETROKKEN,
        _ => return Ok(Vec::new()),
    };
    let mut closed = Vec::new();
    for task in tx.open_tasks_of_melding(melding.id).await? {
        let link = tx
            .task_link(Scope::School(&melding.school_id), task.id)
            .await?;
        let kind = link.map(|l| l.kind);
        let new_status = match (task.party, kind) {
            (Party::Leerplicht, Some(TaskLinkKind::Card)) => TaskStatus::NotNeeded,
            (Party::School, Some(TaskLinkKind::ReviewMelding))
                if status == MeldingStatus::Ingetrokken =>
            {
                TaskStatus::Done
            }
            (Party::School, Some(TaskLinkKind::ReviewMelding)) => TaskStatus::NotNeeded,
            // A withdrawn melding: a correction after it needs no separate note or DUO update.
            (_, Some(TaskLinkKind::MeldingChanged | TaskLinkKind::TellDuo))
                if status == MeldingStatus::Ingetrokken =>
            {
                TaskStatus::NotNeeded
            }
            _ => continue,
        };
        if tx
            .set_task_status_if(
                &task.organisation_id,
                task.id,
                TaskStatus::Open,
                new_status,
                Some(reason),
                by,
            )
            .await?
        {
            closed.push(task.id);
        }
    }
    Ok(closed)
}

/// A melding as the caller's organisation sees it (the school that made it, the municipality it
/// went to), with its history.
pub async fn melding(store: &Store, caller: &Caller, melding_id: MeldingId) -> Result<MeldingView> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    melding_view(&mut tx, scope, melding_id).await
}

pub(crate) async fn melding_view(
    tx: &mut Tx,
    scope: Scope<'_>,
    melding_id: MeldingId,
) -> Result<MeldingView> {
    let melding = tx
        .melding(scope, melding_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let link = tx.melding_link(scope, melding_id).await?;
    let history = tx.melding_history(scope, melding_id).await?;
    let changes = tx.melding_changes(scope, melding_id).await?;
    let Some(link) = link else {
        // A melding made without the service (a seeder writing the store directly): the
        // persoonsgebonden nummer is the pupil's current one.
        let pupil = tx
            .pupil(scope, &melding.school_id, &melding.pupil_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (number_kind, number) = match (pupil.data.bsn, pupil.data.onderwijsnummer) {
            (Some(bsn), _) => (NumberKind::Bsn, bsn),
            (None, Some(on)) => (NumberKind::Onderwijsnummer, on),
            (None, None) => (NumberKind::Bsn, String::new()),
        };
        return Ok(MeldingView {
            melding,
            number_kind,
            number,
            signal_id: None,
            afspraken: None,
            history,
            changes,
        });
    };
    Ok(MeldingView {
        melding,
        number_kind: link.number_kind,
        number: link.number,
        signal_id: link.signal_id,
        afspraken: link.afspraken,
        history,
        changes,
    })
}

/// The meldingen the caller's organisation may see, newest first.
pub async fn list_meldingen(store: &Store, caller: &Caller, page: Page) -> Result<Vec<Melding>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.list_meldingen(scope, page).await?)
}

/// The DUO export of a melding as the caller's organisation sees it.
pub async fn export(store: &Store, caller: &Caller, melding_id: MeldingId) -> Result<Value> {
    let view = melding(store, caller, melding_id).await?;
    Ok(duo_export(&view))
}

/// Hours from minutes, with 2 decimals.
pub fn hours(minutes: u32) -> f64 {
    (f64::from(minutes) / 60.0 * 100.0).round() / 100.0
}

/// The DUO export of a melding (docs/duo-export.md): exactly the legal content of docs/spec/rules.md §7 —
/// persoonsgebonden nummer, kind of verzuim, start and end date, hours, suspected reason, what the
/// school already did — with the school, the municipality, the date and the DUO status. No
/// health data, no notes, no afspraken, no name or address.
pub fn duo_export(m: &MeldingView) -> Value {
    let melding = &m.melding;
    let status_since = m
        .history
        .iter()
        .rev()
        .find(|h| h.status == melding.status.as_str())
        .map_or(melding.updated_at, |h| h.at);
    json!({
        "schema": "verzuim-duo-melding/1",
        "melding_id": melding.id,
        "datum_melding": crate::text::local_date(melding.created_at).to_string(),
        "school": melding.school_id,
        "woongemeente": melding.municipality,
        "leerling": {
            "persoonsgebonden_nummer": m.number,
            "soort_nummer": m.number_kind.as_str(),
        },
        "verzuim": {
            "soort": melding.verzuim_kind.as_str(),
            "begindatum": melding.period.from.to_string(),
            "einddatum": melding.period.to.to_string(),
            "uren": hours(melding.minutes),
        },
        "vermoedelijke_reden": melding.suspected_reason,
        "ondernomen_acties_school": melding.school_actions,
        "status": {
            "code": melding.status.as_str(),
            "reden": match melding.status {
                MeldingStatus::Afgesloten | MeldingStatus::Ingetrokken => {
                    melding.status_reason.clone()
                }
                _ => None,
            },
            "sinds": crate::text::local_date(status_since).to_string(),
        },
    })
}
