//! Referrals to GGD-JGZ: the statuses GGD-JGZ records (all a school sees of its work), the
//! follow-up of a no-show, and GGD-JGZ's own notes (visible to GGD-JGZ only).
//!
//! ```text
//! aangemeld --> in_behandeling --> afgerond
//!     |   \          |   ^
//!     |    +---------v---+--> niet_verschenen_zonder_tegenbericht --> afgerond
//!     +--(school)--> ingetrokken   (also from in_behandeling and niet_verschenen…)
//! ```
//! Recording `niet_verschenen_zonder_tegenbericht` (the card: "Bij niet verschijnen zonder
//! tegenbericht koppelt de GGD-JGZ terug aan de school") gives the school the task to judge
//! whether the pupil stayed away without good reason.

use serde::Serialize;
use verzuim_engine::model::{Party, Trigger};
use verzuim_store::{
    HistoryEntry, JgzNote, NewTask, Page, Referral, ReferralId, ReferralStatus, Scope, Store,
    TaskId, TaskStatus,
};
use verzuim_store::{NewTimelineEntry, TaskLink, TaskLinkKind};

use crate::caller::{Caller, JGZ_ROLES, SCHOOL_WORKFLOW_ROLES};
use crate::error::{Result, ServiceError};
use crate::text::{GGD_AFSPRAKEN_TEXT, JUDGE_NO_SHOW_TEXT, MAX_TEXT, reasons, required};
use crate::visibility::rules;
use verzuim_store::referral_forms::{ReferralAfspraak, ReferralForm};

/// A referral with its status history, the school's aanmeldingsformulier and GGD-JGZ's afspraken
/// for the school (what a school sees; never GGD-JGZ's notes). Leerplicht sees the status and
/// history only ([`rules::referral_form`], [`rules::referral_afspraken`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralView {
    pub referral: Referral,
    pub history: Vec<HistoryEntry>,
    /// The digitaal aanmeldingsformulier (absent for a referral made before it existed, and for
    /// leerplicht).
    pub form: Option<ReferralForm>,
    /// GGD-JGZ's afspraken fed back to the school, oldest first.
    pub afspraken: Vec<ReferralAfspraak>,
}

/// How GGD-JGZ reaches the parents and the pupil of a referral (kaart Twente PO, "** ZIEKTE":
/// "GGD-JGZ neemt contact op met ouders/leerling"): the pupil's data as the school keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralContact {
    pub pupil_name: Option<String>,
    pub birth_date: jiff::civil::Date,
    /// The pupil's age on the day asked for.
    pub age: u8,
    pub parent_name: Option<String>,
    pub parent_phone: Option<String>,
    pub parent_email: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

/// What a status change started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReferralOutcome {
    pub tasks_created: Vec<TaskId>,
    pub tasks_closed: Vec<TaskId>,
}

/// The statuses a referral may move to `to` from.
fn allowed_from(to: ReferralStatus) -> &'static [ReferralStatus] {
    use ReferralStatus::*;
    match to {
        Aangemeld => &[],
        InBehandeling => &[Aangemeld, NietVerschenenZonderTegenbericht],
        NietVerschenenZonderTegenbericht => &[Aangemeld, InBehandeling],
        Afgerond => &[Aangemeld, InBehandeling, NietVerschenenZonderTegenbericht],
        Ingetrokken => &[Aangemeld, InBehandeling, NietVerschenenZonderTegenbericht],
    }
}

fn status_label(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Aangemeld => "aangemeld",
        ReferralStatus::InBehandeling => "in behandeling",
        ReferralStatus::NietVerschenenZonderTegenbericht => "niet verschenen zonder tegenbericht",
        ReferralStatus::Afgerond => "afgerond",
        ReferralStatus::Ingetrokken => "ingetrokken",
    }
}

/// Records a referral's status: GGD-JGZ (the organisation referred to) any status but
/// `ingetrokken`; the school that referred only `ingetrokken`.
pub async fn set_referral_status(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
    status: ReferralStatus,
) -> Result<ReferralOutcome> {
    let by = caller.actor();
    let scope = if status == ReferralStatus::Ingetrokken {
        caller.require_role(SCHOOL_WORKFLOW_ROLES, "een verwijzing intrekken")?;
        Scope::School(&caller.organisation)
    } else {
        caller.require_role(JGZ_ROLES, "de status van een verwijzing wijzigen")?;
        Scope::Ggd(&caller.organisation)
    };
    let mut tx = store.begin().await?;
    let referral = tx
        .referral(scope, referral_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let from = allowed_from(status);
    if !from.contains(&referral.status) {
        return Err(ServiceError::invalid(format!(
            "een verwijzing met status '{}' kan niet naar '{}'",
            status_label(referral.status),
            status_label(status)
        )));
    }
    if !tx
        .set_referral_status_if(scope, referral_id, from, status, by)
        .await?
    {
        return Err(ServiceError::Conflict(
            "de verwijzing is intussen gewijzigd".into(),
        ));
    }
    let mut outcome = ReferralOutcome::default();
    let link = tx.referral_link(scope, referral_id).await?;
    let signal_id = link.as_ref().and_then(|l| l.signal_id);
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: referral.case_id,
            entry: format!("verwijzing_{}", status.as_str()),
            signal_id,
            detail: Some(format!("Verwijzing GGD-JGZ: {}", status_label(status))),
        },
        by,
    )
    .await?;
    match status {
        ReferralStatus::NietVerschenenZonderTegenbericht => {
            let id = tx
                .create_task(
                    &NewTask {
                        case_id: referral.case_id,
                        signal_id: None,
                        party: Party::School,
                        organisation_id: referral.school_id.clone(),
                        text: JUDGE_NO_SHOW_TEXT.to_owned(),
                        melding: false,
                        referral: false,
                        trigger: Some(Trigger::NietVerschenenZonderTegenbericht),
                        due: None,
                    },
                    by,
                )
                .await?;
            tx.put_task_link(&TaskLink {
                task_id: id,
                kind: TaskLinkKind::JudgeNoShow,
                signal_id,
                melding_id: None,
                referral_id: Some(referral_id),
                detail: None,
            })
            .await?;
            outcome.tasks_created.push(id);
        }
        ReferralStatus::Ingetrokken => {
            for task in tx.open_tasks_of_referral(referral_id).await? {
                if tx
                    .set_task_status_if(
                        &task.organisation_id,
                        task.id,
                        TaskStatus::Open,
                        TaskStatus::NotNeeded,
                        Some(reasons::VERWIJZING_INGETROKKEN),
                        by,
                    )
                    .await?
                {
                    outcome.tasks_closed.push(task.id);
                }
            }
        }
        _ => {}
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A referral with its status history, as the school that made it or the GGD-JGZ it went to
/// sees it. Never GGD-JGZ's notes: see [`jgz_notes`].
pub async fn referral(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
) -> Result<ReferralView> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let referral = tx
        .referral(scope, referral_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let history = tx.referral_history(scope, referral_id).await?;
    let sight = rules::Sight::new(scope, &[]);
    let form = if rules::referral_form(&sight, &referral) {
        tx.referral_form(scope, referral_id).await?
    } else {
        None
    };
    let afspraken = if rules::referral_afspraken(&sight, &referral) {
        tx.referral_afspraken(scope, referral_id).await?
    } else {
        Vec::new()
    };
    Ok(ReferralView {
        referral,
        history,
        form,
        afspraken,
    })
}

/// The parents' name, phone, e-mail and address and the pupil's age on `today`, for the GGD-JGZ
/// a referral went to and the school that made it ([`rules::referral_contact`]).
pub async fn referral_contact(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
    today: jiff::civil::Date,
) -> Result<ReferralContact> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let referral = tx
        .referral(scope, referral_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !rules::referral_contact(&rules::Sight::new(scope, &[]), &referral) {
        return Err(ServiceError::NotFound);
    }
    let pupil = tx
        .pupil(scope, &referral.school_id, &referral.pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let d = pupil.data;
    Ok(ReferralContact {
        pupil_name: d.name,
        birth_date: d.pupil.birth_date,
        age: verzuim_engine::evaluation::age_on(d.pupil.birth_date, today),
        parent_name: d.parent_name,
        parent_phone: d.parent_phone,
        parent_email: d.parent_email,
        street: d.street,
        postcode: d.postcode,
        city: d.city,
    })
}

/// What recording afspraken started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AfspraakOutcome {
    pub afspraak_id: i64,
    /// The school's task to take note.
    pub task_id: TaskId,
}

/// GGD-JGZ feeds afspraken back to the school that referred (kaart Twente PO, "** ZIEKTE":
/// "GGD-JGZ neemt contact op met ouders/leerling en nodigt deze eventueel uit voor een gesprek
/// (koppelt afspraken terug aan school)"). The school sees exactly this text (never GGD-JGZ's
/// notes) and gets a task to take note of it; the timeline says that afspraken were fed back.
/// Not on a withdrawn referral.
pub async fn record_afspraken(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
    text: &str,
) -> Result<AfspraakOutcome> {
    caller.require_role(JGZ_ROLES, "afspraken terugkoppelen aan school")?;
    let text = required(text, "De afspraken")?;
    let scope = Scope::Ggd(&caller.organisation);
    let by = caller.actor();
    let mut tx = store.begin().await?;
    let referral = tx
        .referral(scope, referral_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if referral.status == ReferralStatus::Ingetrokken {
        return Err(ServiceError::invalid(
            "de school heeft de verwijzing ingetrokken: afspraken horen bij een verwijzing die \
             niet is ingetrokken",
        ));
    }
    let afspraak_id = tx
        .add_referral_afspraak(&caller.organisation, referral_id, &text, by)
        .await?;
    let signal_id = tx
        .referral_link(scope, referral_id)
        .await?
        .and_then(|l| l.signal_id);
    let task_id = tx
        .create_task(
            &NewTask {
                case_id: referral.case_id,
                signal_id: None,
                party: Party::School,
                organisation_id: referral.school_id.clone(),
                text: GGD_AFSPRAKEN_TEXT.to_owned(),
                melding: false,
                referral: false,
                trigger: None,
                due: None,
            },
            by,
        )
        .await?;
    tx.put_task_link(&TaskLink {
        task_id,
        kind: TaskLinkKind::GgdAfspraken,
        signal_id,
        melding_id: None,
        referral_id: Some(referral_id),
        detail: Some(text),
    })
    .await?;
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: referral.case_id,
            entry: "verwijzing_afspraken".into(),
            signal_id,
            detail: Some("GGD-JGZ heeft afspraken teruggekoppeld aan de school".into()),
        },
        by,
    )
    .await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(AfspraakOutcome {
        afspraak_id,
        task_id,
    })
}

/// The referrals the caller's organisation may see, newest first.
pub async fn list_referrals(store: &Store, caller: &Caller, page: Page) -> Result<Vec<Referral>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.list_referrals(scope, page).await?)
}

/// GGD-JGZ writes its own note on a referral to it. No other organisation can ever read it.
pub async fn add_jgz_note(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
    text: &str,
) -> Result<i64> {
    caller.require_role(JGZ_ROLES, "notities van de GGD-JGZ schrijven")?;
    let text = required(text, "De notitie")?;
    debug_assert!(text.chars().count() <= MAX_TEXT);
    let mut tx = store.begin().await?;
    let id = tx
        .add_jgz_note(&caller.organisation, referral_id, &text, caller.actor())
        .await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// GGD-JGZ's own notes on a referral to it (the query names the GGD-JGZ organisation: a school or
/// municipality gets nothing).
pub async fn jgz_notes(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
    page: Page,
) -> Result<Vec<JgzNote>> {
    caller.require_role(JGZ_ROLES, "notities van de GGD-JGZ lezen")?;
    let mut tx = store.connection().await?;
    Ok(tx
        .jgz_notes(&caller.organisation, referral_id, page)
        .await?)
}
