//! The landing pages of the coordinator (open tasks) and the beheerder (overview); leerplicht's
//! and GGD-JGZ's are in [`super::leerplicht`] and [`super::ggd`]. Each reads through the
//! service's scoped functions and writes one audit row for the list it showed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use verzuim_service::visibility;
use verzuim_store::{MAX_PAGE_SIZE, OrgKind, Page, Role, TaskStatus};

use super::leerplicht::audit_page;
use super::session::{PageMeta, WebUser, role_label};
use super::{LIST_LIMIT, all_pages, date_nl, render, today};
use crate::audit::Audit;
use crate::error::ApiResult;
use crate::state::AppState;

async fn audit_list(audit: &Audit, web: &WebUser, what: &str) -> ApiResult<()> {
    audit_page(audit, web, false, what.to_owned(), None).await
}

#[derive(Template)]
#[template(path = "taken.html")]
struct TasksPage {
    meta: PageMeta,
    tasks: Vec<TaskRow>,
    overdue: usize,
}

struct TaskRow {
    id: i64,
    text: String,
    pupil: String,
    group: String,
    /// The pupil's dossier.
    href: String,
    due: String,
    overdue: bool,
    /// Days past the due date ("3 dagen te laat").
    late: String,
    melding: bool,
    referral: bool,
}

/// `GET /taken`: the school's open tasks, overdue first, then by due date.
pub async fn taken(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
) -> ApiResult<Response> {
    web.require(&[Role::Verzuimcoordinator], None)?;
    let caller = web.caller();
    let mut tasks = all_pages(LIST_LIMIT, |p| {
        visibility::my_tasks(&state.store, &caller, Some(TaskStatus::Open), p)
    })
    .await?;
    let today = today(&state);
    tasks.sort_by_key(|t| {
        (
            t.due.is_none_or(|d| d >= today),
            t.due.is_none(),
            t.due,
            t.id,
        )
    });
    // Names and groups of the caller's pupils, read once (a few pages) rather than per task.
    let pupils: HashMap<(String, String), (String, String)> =
        all_pages(usize::MAX, |p| visibility::pupils(&state.store, &caller, p))
            .await?
            .into_iter()
            .map(|p| {
                let name = p.data.name.unwrap_or_else(|| p.data.pupil.id.clone());
                ((p.school_id, p.data.pupil.id), (name, p.data.pupil.group))
            })
            .collect();
    let mut rows = Vec::with_capacity(tasks.len());
    for t in tasks {
        let key = (t.school_id.clone(), t.pupil_id.clone());
        let (pupil, group) = pupils
            .get(&key)
            .cloned()
            .unwrap_or_else(|| (t.pupil_id.clone(), String::new()));
        rows.push(TaskRow {
            id: t.id,
            href: format!(
                "/leerlingen/{}/{}",
                super::dossier::url_part(&t.school_id),
                super::dossier::url_part(&t.pupil_id)
            ),
            pupil,
            group,
            due: t.due.map_or_else(|| "geen termijn".to_owned(), date_nl),
            overdue: t.due.is_some_and(|d| d < today),
            late: t
                .due
                .filter(|d| *d < today)
                .and_then(|d| (today - d).get_days().checked_abs())
                .map(|n| {
                    if n == 1 {
                        "1 dag te laat".to_owned()
                    } else {
                        format!("{n} dagen te laat")
                    }
                })
                .unwrap_or_default(),
            melding: t.melding,
            referral: t.referral,
            text: t.text,
        });
    }
    audit_list(&audit, &web, "taken").await?;
    Ok(render(&TasksPage {
        meta: web.meta("Taken", "/taken"),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        tasks: rows,
    }))
}

#[derive(Template)]
#[template(path = "beheer.html")]
struct AdminPage {
    meta: PageMeta,
    org_id: String,
    org_name: String,
    org_kind: &'static str,
    members: Vec<MemberRow>,
}

struct MemberRow {
    name: String,
    email: String,
    role: &'static str,
    groups: String,
}

/// `GET /beheer`: the organisation, and its users with their roles.
pub async fn beheer(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    web.require(&[Role::Beheerder], None)?;
    let mut members = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = state
            .store
            .members_of_organisation(web.org_id(), page)
            .await?;
        let done = batch.len() < page.limit() as usize;
        members.extend(batch);
        if done || members.len() >= LIST_LIMIT {
            break;
        }
        page = page.next();
    }
    Ok(render(&AdminPage {
        meta: web.meta("Beheer", "/beheer"),
        org_id: web.org.id.clone(),
        org_name: web.org.name.clone(),
        org_kind: match web.org.kind {
            OrgKind::School => "School",
            OrgKind::Gemeente => "Gemeente (leerplicht)",
            OrgKind::GgdJgz => "GGD-JGZ",
        },
        members: members
            .into_iter()
            .map(|(u, m)| MemberRow {
                name: u.display_name,
                email: u.email,
                role: role_label(m.role),
                groups: m.groups.join(", "),
            })
            .collect(),
    }))
}
