//! Reads, each scoped in SQL to what the caller's organisation may see (security.md,
//! Authorization):
//!
//! - a **school** sees its own pupils, with everything about them, and the status of its
//!   referrals — never GGD-JGZ's notes;
//! - a **municipality** (leerplicht) sees a pupil only once a melding for that pupil went to it,
//!   and then only what the melding and its case hold: the pupil's data, its meldingen, the cases
//!   with a melding to it (their signals, tasks and timeline), and the registrations within the
//!   periods of its meldingen;
//! - **GGD-JGZ** sees only pupils referred to it: the pupil's data, its referrals with their
//!   history, the cases with a referral to it, and its own notes (see
//!   [`crate::referrals::jgz_notes`]).
//!
//! "Not visible" and "does not exist" give the same answer ([`ServiceError::NotFound`] or an empty
//! list). A leerkracht's restriction to own groups is the server's (the caller carries no groups).

use serde::Serialize;
use verzuim_store::service_queries::{TaskLink, TimelineEntry};
use verzuim_store::{
    Case, CaseId, Melding, Page, ParentInformation, Referral, Store, StoredEvent, StoredPupil,
    StoredRegistration, StoredSignal, Task, TaskStatus,
};

use crate::caller::Caller;
use crate::error::{Result, ServiceError};

/// A task with its link (the afspraken of a feedback task, the melding or referral it belongs
/// to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskView {
    pub task: Task,
    pub link: Option<TaskLink>,
}

/// A case with everything the caller may see of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseView {
    pub case: Case,
    pub signals: Vec<StoredSignal>,
    pub tasks: Vec<TaskView>,
    pub timeline: Vec<TimelineEntry>,
    pub meldingen: Vec<Melding>,
    pub referrals: Vec<Referral>,
}

/// The pupils the caller's organisation may see.
pub async fn pupils(store: &Store, caller: &Caller, page: Page) -> Result<Vec<StoredPupil>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.list_pupils(scope, page).await?)
}

/// One pupil, if the caller's organisation may see them.
pub async fn pupil(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<StoredPupil> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    tx.pupil(scope, school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A pupil's current registrations as the caller may see them (a municipality: those within the
/// periods of its meldingen; GGD-JGZ: none).
pub async fn registrations(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
    page: Page,
) -> Result<Vec<StoredRegistration>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx
        .visible_registrations(scope, school_id, pupil_id, page)
        .await?)
}

/// A pupil's current events (verwijdering, zorg_ziekte, overig_verzuim) as the caller may see
/// them (the pupil's scope), oldest first.
pub async fn events(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
    page: Page,
) -> Result<Vec<StoredEvent>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.list_events(scope, school_id, pupil_id, page).await?)
}

/// The cases the caller may see (case-level scope), newest first; optionally one pupil's.
pub async fn cases(
    store: &Store,
    caller: &Caller,
    pupil: Option<(&str, &str)>,
    open_only: bool,
    page: Page,
) -> Result<Vec<Case>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.visible_cases(scope, pupil, open_only, page).await?)
}

/// One case with its signals, tasks, timeline, and the meldingen and referrals the caller may see.
pub async fn case(store: &Store, caller: &Caller, case_id: CaseId) -> Result<CaseView> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let case = tx
        .visible_case(scope, case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let signals = tx.visible_case_signals(scope, case_id).await?;
    let mut tasks = Vec::new();
    let mut page = Page::first(verzuim_store::MAX_PAGE_SIZE);
    loop {
        let batch = tx.visible_case_tasks(scope, case_id, page).await?;
        let done = batch.len() < page.limit() as usize;
        tasks.extend(batch);
        if done {
            break;
        }
        page = page.next();
    }
    let links = tx.case_task_links(scope, case_id).await?;
    let tasks = tasks
        .into_iter()
        .map(|task| {
            let link = links.iter().find(|l| l.task_id == task.id).cloned();
            TaskView { task, link }
        })
        .collect();
    let mut timeline = Vec::new();
    let mut page = Page::first(verzuim_store::MAX_PAGE_SIZE);
    loop {
        let batch = tx.case_timeline(scope, case_id, page).await?;
        let done = batch.len() < page.limit() as usize;
        timeline.extend(batch);
        if done {
            break;
        }
        page = page.next();
    }
    let meldingen = tx.case_meldingen(scope, case_id).await?;
    let referrals = tx.case_referrals(scope, case_id).await?;
    Ok(CaseView {
        case,
        signals,
        tasks,
        timeline,
        meldingen,
        referrals,
    })
}

/// The caller's organisation's own tasks (its inbox), optionally of one status, earliest due
/// first.
pub async fn my_tasks(
    store: &Store,
    caller: &Caller,
    status: Option<TaskStatus>,
    page: Page,
) -> Result<Vec<Task>> {
    let mut tx = store.connection().await?;
    Ok(tx.list_tasks(&caller.organisation, status, page).await?)
}

/// Every task of the cases the caller may see (every party's), earliest due first.
pub async fn tasks(
    store: &Store,
    caller: &Caller,
    status: Option<TaskStatus>,
    page: Page,
) -> Result<Vec<Task>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.visible_tasks(scope, status, page).await?)
}

/// One task with its link, if its case is visible to the caller.
pub async fn task(store: &Store, caller: &Caller, task_id: i64) -> Result<TaskView> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let task = tx
        .visible_task(scope, task_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let link = tx.task_link(scope, task_id).await?;
    Ok(TaskView { task, link })
}

/// The history of one of the caller's organisation's own tasks (who, when, what).
pub async fn task_history(
    store: &Store,
    caller: &Caller,
    task_id: i64,
) -> Result<Vec<verzuim_store::HistoryEntry>> {
    let mut tx = store.connection().await?;
    Ok(tx.task_history(&caller.organisation, task_id).await?)
}

/// The meldingen the caller may see (the school that made them, the municipality they went to).
pub async fn meldingen(store: &Store, caller: &Caller, page: Page) -> Result<Vec<Melding>> {
    crate::meldingen::list_meldingen(store, caller, page).await
}

/// The referrals the caller may see (the school that made them, the GGD-JGZ they went to).
pub async fn referrals(store: &Store, caller: &Caller, page: Page) -> Result<Vec<Referral>> {
    crate::referrals::list_referrals(store, caller, page).await
}

/// When and how a pupil's parents were informed, as far as the caller may see it (a school: all
/// of its pupil's; others: what belongs to the cases they see).
pub async fn parent_information(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<Vec<ParentInformation>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx
        .visible_parent_information(scope, school_id, pupil_id)
        .await?)
}
