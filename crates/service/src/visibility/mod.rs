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
//! Within those cases, [`rules`] decides per kind of object what reaches the caller (another
//! party's typed reasons, leerplicht's view of signals and tasks outside its meldingen' periods);
//! every read here applies it.
//!
//! "Not visible" and "does not exist" give the same answer ([`ServiceError::NotFound`] or an empty
//! list). A leerkracht's restriction to own groups is the server's (the caller carries no groups).

pub mod rules;

use serde::Serialize;
use verzuim_store::CasesOf;
use verzuim_store::{
    Case, CaseId, MAX_PAGE_SIZE, Melding, Page, ParentInformation, Referral, Scope, Store,
    StoredEvent, StoredPupil, StoredRegistration, StoredSignal, Task, TaskStatus, Tx,
};
use verzuim_store::{TaskLink, TimelineEntry};

use crate::caller::Caller;
use crate::error::{Result, ServiceError};
use rules::{Sight, Viewer};

/// Every page of a paged store read, as one list: `all_pages!(|page| tx.list_x(…, page).await?)`
/// (with `Page` and `MAX_PAGE_SIZE` of `verzuim_store` in scope).
macro_rules! all_pages {
    (|$page:ident| $fetch:expr) => {{
        let mut out = Vec::new();
        let mut $page = Page::first(MAX_PAGE_SIZE);
        loop {
            let batch = $fetch;
            let done = batch.len() < $page.limit() as usize;
            out.extend(batch);
            if done {
                break;
            }
            $page = $page.next();
        }
        out
    }};
}
pub(crate) use all_pages;

/// One page of a list filtered in memory.
fn page_of<T>(all: Vec<T>, page: Page) -> Vec<T> {
    all.into_iter()
        .skip(page.offset() as usize)
        .take(page.limit() as usize)
        .collect()
}

/// The caller's sight on one case, with every signal of the case (the rules need them to judge
/// tasks and timeline entries).
pub(crate) async fn case_sight(
    tx: &mut Tx,
    scope: Scope<'_>,
    case_id: CaseId,
) -> Result<(Sight, Vec<StoredSignal>)> {
    let meldingen = tx.case_meldingen(scope, CasesOf::One(case_id)).await?;
    let signals = tx.case_signals(scope, CasesOf::One(case_id)).await?;
    Ok((Sight::new(scope, &meldingen), signals))
}

/// The caller's sight on one pupil (leerplicht: every melding of the pupil to its municipality).
pub(crate) async fn pupil_sight(
    tx: &mut Tx,
    scope: Scope<'_>,
    school_id: &str,
    pupil_id: &str,
) -> Result<Sight> {
    let meldingen = match Viewer::of(scope) {
        Viewer::Leerplicht => {
            tx.case_meldingen(
                scope,
                CasesOf::Pupil {
                    school_id,
                    pupil_id,
                },
            )
            .await?
        }
        _ => Vec::new(),
    };
    Ok(Sight::new(scope, &meldingen))
}

/// A task and its link as the rules let the caller see them, or `None`.
pub(crate) fn task_view(
    sight: &Sight,
    signals: &[StoredSignal],
    task: Task,
    link: Option<TaskLink>,
) -> Option<TaskView> {
    let task = rules::task(sight, signals, task)?;
    let link = link.map(|l| rules::feedback(sight, &task, l));
    Some(TaskView { task, link })
}

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

/// The names of the pupils `keys` (school, pupil id) the caller may see, by key; a pupil
/// without a recorded name, or not visible, is missing. One query (per 400) instead of one
/// [`pupil`] each.
pub async fn pupil_names(
    store: &Store,
    caller: &Caller,
    keys: &[(String, String)],
) -> Result<std::collections::HashMap<(String, String), String>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx
        .pupil_names(scope, keys)
        .await?
        .into_iter()
        .filter_map(|(key, name)| name.map(|n| (key, n)))
        .collect())
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
    let sight = pupil_sight(&mut tx, scope, school_id, pupil_id).await?;
    if sight.viewer == Viewer::School {
        return Ok(tx
            .visible_registrations(scope, school_id, pupil_id, page)
            .await?);
    }
    let seen = all_registrations(&mut tx, scope, &sight, school_id, pupil_id).await?;
    Ok(page_of(seen, page))
}

/// Every current registration of a pupil that `sight` sees.
pub(crate) async fn all_registrations(
    tx: &mut Tx,
    scope: Scope<'_>,
    sight: &Sight,
    school_id: &str,
    pupil_id: &str,
) -> Result<Vec<StoredRegistration>> {
    let all = all_pages!(|p| tx
        .visible_registrations(scope, school_id, pupil_id, p)
        .await?);
    Ok(all
        .into_iter()
        .filter(|r| rules::registration(sight, r))
        .collect())
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
    let sight = pupil_sight(&mut tx, scope, school_id, pupil_id).await?;
    if sight.viewer == Viewer::School {
        return Ok(tx.list_events(scope, school_id, pupil_id, page).await?);
    }
    let seen = all_events(&mut tx, scope, &sight, school_id, pupil_id).await?;
    Ok(page_of(seen, page))
}

/// Every current event of a pupil that `sight` sees, oldest first.
pub(crate) async fn all_events(
    tx: &mut Tx,
    scope: Scope<'_>,
    sight: &Sight,
    school_id: &str,
    pupil_id: &str,
) -> Result<Vec<StoredEvent>> {
    let all = all_pages!(|p| tx.list_events(scope, school_id, pupil_id, p).await?);
    Ok(all
        .into_iter()
        .filter(|e| rules::event(sight, &e.event))
        .collect())
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
    let cases = tx.visible_cases(scope, pupil, open_only, page).await?;
    if Viewer::of(scope) != Viewer::Leerplicht {
        return Ok(cases);
    }
    let mut seen = Vec::with_capacity(cases.len());
    for c in cases {
        let (sight, signals) = case_sight(&mut tx, scope, c.id).await?;
        seen.push(rules::case(&sight, &signals, c));
    }
    Ok(seen)
}

/// One case with its signals, tasks, timeline, and the meldingen and referrals the caller may see.
pub async fn case(store: &Store, caller: &Caller, case_id: CaseId) -> Result<CaseView> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let case = tx
        .visible_case(scope, case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let meldingen = tx.case_meldingen(scope, CasesOf::One(case_id)).await?;
    let signals = tx.case_signals(scope, CasesOf::One(case_id)).await?;
    let tasks = tx.case_tasks(scope, CasesOf::One(case_id), None).await?;
    let links = tx.case_task_links(scope, CasesOf::One(case_id)).await?;
    let timeline = tx.case_timeline(scope, CasesOf::One(case_id), None).await?;
    let referrals = tx.case_referrals(scope, CasesOf::One(case_id)).await?;
    Ok(case_view(
        scope,
        CaseRows {
            case,
            signals,
            tasks,
            links,
            timeline,
            meldingen,
            referrals,
        },
    ))
}

/// Everything the store's SQL let through of one case in a scope: every signal (the rules need
/// them all to judge tasks and timeline entries), task, task link, timeline entry, melding and
/// referral of the case.
pub(crate) struct CaseRows {
    pub case: Case,
    pub signals: Vec<StoredSignal>,
    pub tasks: Vec<Task>,
    pub links: Vec<TaskLink>,
    pub timeline: Vec<TimelineEntry>,
    pub meldingen: Vec<Melding>,
    pub referrals: Vec<Referral>,
}

/// A case as [`rules`] let the caller see it.
pub(crate) fn case_view(scope: Scope<'_>, rows: CaseRows) -> CaseView {
    let sight = Sight::new(scope, &rows.meldingen);
    let all_signals = rows.signals;
    let case = rules::case(&sight, &all_signals, rows.case);
    let links = rows.links;
    let tasks = rows
        .tasks
        .into_iter()
        .filter_map(|task| {
            let link = links.iter().find(|l| l.task_id == task.id).cloned();
            task_view(&sight, &all_signals, task, link)
        })
        .collect();
    let timeline = rows
        .timeline
        .into_iter()
        .filter(|e| rules::timeline_entry(&sight, &all_signals, e))
        .collect();
    let meldingen = rows
        .meldingen
        .into_iter()
        .filter(|m| rules::melding(&sight, m))
        .collect();
    let referrals = rows
        .referrals
        .into_iter()
        .filter(|r| rules::referral(&sight, r))
        .collect();
    let signals = all_signals
        .iter()
        .filter(|s| rules::signal(&sight, s))
        .cloned()
        .collect();
    CaseView {
        case,
        signals,
        tasks,
        timeline,
        meldingen,
        referrals,
    }
}

/// The signals of a school's own pupils (optionally of one status), for the school itself (a
/// school sees everything about its own pupils); other organisations are refused (their sight on
/// a signal depends on its case: [`case`]).
pub async fn school_signals(
    store: &Store,
    caller: &Caller,
    status: Option<verzuim_store::SignalStatus>,
    page: Page,
) -> Result<Vec<StoredSignal>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    if Viewer::of(scope) != Viewer::School {
        return Err(ServiceError::forbidden(
            "alleen een school ziet alle signalen van haar leerlingen",
        ));
    }
    Ok(tx.list_signals(scope, status, page).await?)
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

/// The open tasks of the caller's organisation with their signals' kinds and dates and their
/// pupils' names and groups, earliest due first: the inbox, in one query.
pub async fn inbox(store: &Store, caller: &Caller) -> Result<Vec<verzuim_store::InboxTask>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    Ok(tx.inbox_tasks(scope, &caller.organisation).await?)
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
    let batch = if Viewer::of(scope) == Viewer::Leerplicht {
        // The rules may drop tasks: filter all, then page.
        all_pages!(|p| tx.visible_tasks(scope, status, p).await?)
    } else {
        tx.visible_tasks(scope, status, page).await?
    };
    let mut sights: Vec<(CaseId, Sight, Vec<StoredSignal>)> = Vec::new();
    let mut seen = Vec::new();
    for task in batch {
        if !sights.iter().any(|(id, _, _)| *id == task.case_id) {
            let (sight, signals) = case_sight(&mut tx, scope, task.case_id).await?;
            sights.push((task.case_id, sight, signals));
        }
        let (_, sight, signals) = sights
            .iter()
            .find(|(id, _, _)| *id == task.case_id)
            .expect("just added");
        seen.extend(rules::task(sight, signals, task));
    }
    Ok(if Viewer::of(scope) == Viewer::Leerplicht {
        page_of(seen, page)
    } else {
        seen
    })
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
    let (sight, signals) = case_sight(&mut tx, scope, task.case_id).await?;
    task_view(&sight, &signals, task, link).ok_or(ServiceError::NotFound)
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
