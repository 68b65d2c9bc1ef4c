//! The pupil dossier as one read model: everything the dossier page shows of a pupil, as the
//! caller may see it, read in one read-only transaction ([`Store::snapshot`]) with one query per
//! kind of thing (the pupil's cases with all their signals, tasks, links, timeline entries,
//! meldingen, referrals, letters and reports at once; no query per case or per task).
//!
//! Visibility is the same as the single reads of [`crate::visibility`] apply: the scope in SQL,
//! then [`crate::visibility::rules`] per case ([`crate::visibility::case_view`]).

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use verzuim_engine::model::{Code, Period};
use verzuim_store::CasesOf;
use verzuim_store::letters::StoredLetter;
use verzuim_store::parents::LeaveRequest;
use verzuim_store::school_reports::SchoolReport;
use verzuim_store::{
    CaseId, MAX_PAGE_SIZE, Organisation, Page, ParentInformation, Role, SchoolSettings, Store,
    StoredEvent, StoredPupil, StoredRegistration, TaskId, TaskStatus,
};

use crate::caller::Caller;
use crate::error::{Result, ServiceError};
use crate::visibility::rules::{self, Sight};
use crate::visibility::{self, CaseRows, CaseView};

/// A pupil's dossier as the caller may see it.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub pupil: StoredPupil,
    /// The pupil's woongemeente found by name or CBS code (`None`: unknown, so no melding can be
    /// made yet).
    pub municipality: Option<Organisation>,
    /// The school's settings (its calendar; `None` before the school is set up).
    pub settings: Option<SchoolSettings>,
    /// The codes the school's card counts as unauthorised (`None`: no card).
    pub unauthorised_codes: Option<Vec<Code>>,
    /// The pupil's current registrations the caller may see.
    pub registrations: Vec<StoredRegistration>,
    /// The pupil's current events the caller may see, oldest first.
    pub events: Vec<StoredEvent>,
    /// When and how the parents were informed, as far as the caller may see it.
    pub parent_information: Vec<ParentInformation>,
    /// The pupil's leave requests, for the school's own staff that may see them (docs/parents.md;
    /// empty for others), newest first.
    pub leave_requests: Vec<LeaveRequest>,
    /// The pupil's cases the caller may see, newest first.
    pub cases: Vec<DossierCase>,
    /// The display names of the users among the actors shown, by user id.
    pub users: HashMap<i64, String>,
    /// The names of the organisations shown (tasks' parties, municipalities, GGD-JGZ), by id.
    pub organisations: HashMap<String, String>,
}

/// One case of the dossier.
#[derive(Debug, Clone)]
pub struct DossierCase {
    pub view: CaseView,
    /// The letters the caller's organisation made for the case, oldest first.
    pub letters: Vec<StoredLetter>,
    /// The school's reports of the case (for the school only).
    pub reports: Vec<SchoolReport>,
    /// What the melding of an open melding task would report if made today: by task.
    pub previews: HashMap<TaskId, (Period, u32)>,
    /// Who last changed the status of the caller's organisation's closed tasks: by task.
    pub closed_by: HashMap<TaskId, String>,
}

/// Reads the dossier of a pupil the caller may see ([`ServiceError::NotFound`] otherwise).
pub async fn dossier(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
    today: Date,
) -> Result<Dossier> {
    let mut tx = store.snapshot().await?;
    let scope = caller.scope(&mut tx).await?;
    let pupil = tx
        .pupil(scope, school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let sight = visibility::pupil_sight(&mut tx, scope, school_id, pupil_id).await?;
    let registrations =
        visibility::all_registrations(&mut tx, scope, &sight, school_id, pupil_id).await?;
    let events = visibility::all_events(&mut tx, scope, &sight, school_id, pupil_id).await?;
    let parent_information = tx
        .visible_parent_information(scope, school_id, pupil_id)
        .await?;
    let settings = tx.school_settings(school_id).await?;
    let unauthorised_codes = settings
        .as_ref()
        .and_then(|s| crate::cards::card(&s.card_id).ok())
        .map(|c| c.unauthorized_codes.to_vec());
    let municipality = tx.find_municipality(&pupil.data.pupil.municipality).await?;
    let leave_requests = if caller
        .require_school(
            school_id,
            &[Role::Verzuimcoordinator, Role::Directeur, Role::Beheerder],
            "verlofaanvragen zien",
        )
        .is_ok()
    {
        tx.pupil_leave_requests(school_id, pupil_id).await?
    } else {
        Vec::new()
    };

    // The cases, and everything of them in one query per kind.
    let mut cases = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = tx
            .visible_cases(scope, Some((school_id, pupil_id)), false, page)
            .await?;
        let done = batch.len() < page.limit() as usize;
        cases.extend(batch);
        if done {
            break;
        }
        page = page.next();
    }
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    let mut signals = tx
        .case_signals(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
        )
        .await?;
    let mut tasks = tx
        .case_tasks(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
            None,
        )
        .await?;
    let links = tx
        .case_task_links(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
        )
        .await?;
    let mut timeline = tx
        .case_timeline(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
            None,
        )
        .await?;
    let mut meldingen = tx
        .case_meldingen(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
        )
        .await?;
    let mut referrals = tx
        .case_referrals(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
        )
        .await?;
    let mut letters = tx.cases_letters(&caller.organisation, &ids).await?;
    let reports = if rules::school_report(&Sight::new(scope, &[]), school_id) {
        tx.cases_school_reports(school_id, &ids).await?
    } else {
        Vec::new()
    };
    let mut views = Vec::with_capacity(cases.len());
    for case in cases {
        let id = case.id;
        let case_tasks = take(&mut tasks, |t| t.case_id == id);
        let rows = CaseRows {
            case,
            signals: take(&mut signals, |s| s.case_id == Some(id)),
            links: links
                .iter()
                .filter(|l| case_tasks.iter().any(|t| t.id == l.task_id))
                .cloned()
                .collect(),
            tasks: case_tasks,
            timeline: take(&mut timeline, |e| e.case_id == id),
            meldingen: take(&mut meldingen, |m| m.case_id == id),
            referrals: take(&mut referrals, |r| r.case_id == id),
        };
        views.push(visibility::case_view(scope, rows));
    }

    // The previews of open melding tasks, and who closed the organisation's own tasks.
    let mut preview_signals = Vec::new();
    let mut own_closed = Vec::new();
    for v in &views {
        for t in v.tasks.iter().map(|t| &t.task) {
            if t.status == TaskStatus::Open
                && t.melding
                && let Some(s) = t
                    .signal_id
                    .and_then(|id| v.signals.iter().find(|s| s.id == id))
            {
                preview_signals.push((t.id, s));
            }
            if t.status != TaskStatus::Open && t.organisation_id == caller.organisation {
                own_closed.push(t.id);
            }
        }
    }
    let signal_refs: Vec<_> = preview_signals.iter().map(|(_, s)| *s).collect();
    let by_signal =
        crate::tasks::melding_previews(&mut tx, school_id, pupil_id, &signal_refs, today).await?;
    let previews: HashMap<TaskId, (Period, u32)> = preview_signals
        .iter()
        .filter_map(|(t, s)| by_signal.get(&s.id).map(|p| (*t, *p)))
        .collect();
    let mut closed_by: HashMap<TaskId, String> = HashMap::new();
    for (task, entry) in tx.tasks_history(&caller.organisation, &own_closed).await? {
        closed_by.insert(task, entry.actor);
    }

    // The names of the people and organisations shown.
    let mut actors: BTreeSet<&str> = BTreeSet::new();
    let mut orgs: BTreeSet<&str> = BTreeSet::new();
    orgs.insert(&pupil.data.pupil.municipality);
    for v in &views {
        actors.extend(v.timeline.iter().map(|e| e.actor.as_str()));
        orgs.extend(v.tasks.iter().map(|t| t.task.organisation_id.as_str()));
        orgs.extend(v.meldingen.iter().map(|m| m.municipality.as_str()));
        orgs.extend(v.referrals.iter().map(|r| r.ggd_id.as_str()));
    }
    actors.extend(parent_information.iter().map(|p| p.created_by.as_str()));
    actors.extend(closed_by.values().map(String::as_str));
    let user_ids: Vec<i64> = actors
        .iter()
        .filter_map(|a| a.strip_prefix("user:").and_then(|id| id.parse().ok()))
        .collect();
    let users: HashMap<i64, String> = tx.user_names(&user_ids).await?.into_iter().collect();
    let orgs: Vec<&str> = orgs.into_iter().collect();
    let organisations: HashMap<String, String> =
        tx.organisation_names(&orgs).await?.into_iter().collect();
    drop(tx);

    let cases = views
        .into_iter()
        .map(|view| {
            let id = view.case.id;
            let tasks: Vec<TaskId> = view.tasks.iter().map(|t| t.task.id).collect();
            DossierCase {
                letters: take(&mut letters, |l| l.case_id == id),
                reports: reports
                    .iter()
                    .filter(|r| r.case_id == id)
                    .cloned()
                    .collect(),
                previews: previews
                    .iter()
                    .filter(|(t, _)| tasks.contains(t))
                    .map(|(t, p)| (*t, *p))
                    .collect(),
                closed_by: closed_by
                    .iter()
                    .filter(|(t, _)| tasks.contains(t))
                    .map(|(t, a)| (*t, a.clone()))
                    .collect(),
                view,
            }
        })
        .collect();
    Ok(Dossier {
        pupil,
        municipality,
        settings,
        unauthorised_codes,
        registrations,
        events,
        parent_information,
        leave_requests,
        cases,
        users,
        organisations,
    })
}

/// Moves the items that match out of `all`, keeping their order.
fn take<T>(all: &mut Vec<T>, matches: impl Fn(&T) -> bool) -> Vec<T> {
    let (taken, rest): (Vec<T>, Vec<T>) = std::mem::take(all).into_iter().partition(matches);
    *all = rest;
    taken
}
