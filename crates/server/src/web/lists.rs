//! The landing pages of the coordinator (open tasks) and the beheerder (overview); leerplicht's
//! and GGD-JGZ's are in [`super::leerplicht`] and [`super::ggd`]. Each reads through the
//! service's scoped functions and writes one audit row for the list it showed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use verzuim_engine::model::SignalKind;
use verzuim_service::model::{InboxTask, OrgKind};
use verzuim_service::{principles, visibility};

use super::leerplicht::audit_page;
use super::pager::Pager;
use super::session::{PageMeta, WebUser, role_label};
use super::{kind_label, render, service_error, today};
use crate::audit::Audit;
use crate::error::ApiResult;
use crate::extract::Query;
use crate::nl::{date_nl, plural};
use crate::state::AppState;

async fn audit_list(audit: &Audit, web: &WebUser, what: &str) -> ApiResult<()> {
    audit_page(audit, web, false, what.to_owned(), None).await
}

#[derive(Template)]
#[template(path = "taken.html")]
struct TasksPage {
    meta: PageMeta,
    pupils: Vec<PupilTasks>,
    /// Open tasks that are not "zo nodig", after the filters; of which overdue.
    required: usize,
    overdue: usize,
    /// Open "zo nodig" tasks after the filters.
    as_needed: usize,
    /// Every open task, before the filters.
    total: usize,
    kinds: Vec<(String, &'static str, bool)>,
    groups: Vec<(String, bool)>,
    dues: Vec<(&'static str, &'static str, bool)>,
    filtered: bool,
    /// Signals from an import waiting for review (issue 10.9), in words; empty when none.
    to_review: String,
    pager: Pager,
}

/// One pupil's open tasks in the inbox.
struct PupilTasks {
    name: String,
    group: String,
    /// The pupil's dossier.
    href: String,
    tasks: Vec<TaskRow>,
    /// The card's "zo nodig" tasks, folded.
    as_needed: Vec<TaskRow>,
    overdue: usize,
}

struct TaskRow {
    id: i64,
    text: String,
    /// The signal the task comes from, with its date ("Relatief verzuim van 24-09-2026").
    signal: String,
    due: String,
    overdue: bool,
    /// Days past the due date ("3 dagen te laat").
    late: String,
    melding: bool,
    referral: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct TasksQuery {
    /// A signal kind (`relatief_verzuim`).
    soort: Option<String>,
    groep: Option<String>,
    /// `verlopen`, `week` (due within 7 days, overdue included), `geen` (no due date).
    termijn: Option<String>,
    /// The page, from 1 ([`TASKS_PAGE`] pupils each).
    pagina: Option<u32>,
}

/// Pupils (each with all their open tasks) on one page of the inbox.
pub(crate) const TASKS_PAGE: usize = 50;

const DUES: [(&str, &str); 3] = [
    ("verlopen", "verlopen"),
    ("week", "uiterlijk binnen 7 dagen"),
    ("geen", "zonder termijn"),
];

/// `GET /taken`: the school's open tasks per pupil (pupils with overdue tasks first, then by the
/// nearest due date), each naming its signal and date; the card's "zo nodig" tasks folded per
/// pupil and never overdue (`verzuim_service::principles`); filters by signal kind, group and
/// due date; [`TASKS_PAGE`] pupils a page (`?pagina=`, the filters kept), the counts over all.
pub async fn taken(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<TasksQuery>,
) -> ApiResult<Response> {
    let caller = web.caller();
    // Every open task of the school with its signal and pupil, in one query: the order of the
    // pupils and the counts need them all.
    let tasks = visibility::inbox(&state.store, &caller)
        .await
        .map_err(service_error)?;
    let total = tasks.len();
    let today = today(&state);
    let soort = q.soort.unwrap_or_default();
    let groep = q.groep.unwrap_or_default();
    let termijn = q.termijn.unwrap_or_default();
    let mut kinds_seen: Vec<SignalKind> = Vec::new();
    let mut groups_seen: Vec<String> = Vec::new();
    let mut by_pupil: Vec<((String, String), PupilTasks, Option<jiff::civil::Date>)> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for InboxTask {
        task: t,
        signal,
        pupil_name,
        group,
    } in tasks
    {
        let key = (t.school_id.clone(), t.pupil_id.clone());
        let pupil = pupil_name.unwrap_or_else(|| t.pupil_id.clone());
        if let Some((k, _)) = signal
            && !kinds_seen.contains(&k)
        {
            kinds_seen.push(k);
        }
        if !group.is_empty() && !groups_seen.contains(&group) {
            groups_seen.push(group.clone());
        }
        let as_needed = principles::is_as_needed(&t.text);
        let overdue = principles::is_overdue(&t.text, t.due, today);
        // The filters.
        if !soort.is_empty() && signal.is_none_or(|(k, _)| k.as_str() != soort) {
            continue;
        }
        if !groep.is_empty() && group != groep {
            continue;
        }
        let due = if as_needed { None } else { t.due };
        let keep = match termijn.as_str() {
            "verlopen" => overdue,
            "week" => due.is_some_and(|d| (d - today).get_days() <= 7),
            "geen" => due.is_none(),
            _ => true,
        };
        if !keep {
            continue;
        }
        let row = TaskRow {
            id: t.id,
            signal: signal.map_or_else(
                || "—".to_owned(),
                |(k, d)| format!("{} van {}", kind_label(k), date_nl(d)),
            ),
            due: match due {
                Some(d) => date_nl(d),
                None if as_needed => "zo nodig".to_owned(),
                None => "geen termijn".to_owned(),
            },
            overdue,
            late: due
                .filter(|_| overdue)
                .and_then(|d| (today - d).get_days().checked_abs())
                .map(|n| plural(i64::from(n), "dag", "dagen") + " te laat")
                .unwrap_or_default(),
            melding: t.melding,
            referral: t.referral,
            text: t.text,
        };
        let at = *index.entry(key.clone()).or_insert_with(|| {
            by_pupil.push((
                key.clone(),
                PupilTasks {
                    name: pupil.clone(),
                    group: group.clone(),
                    href: format!(
                        "/leerlingen/{}/{}",
                        super::url_part(&key.0),
                        super::url_part(&key.1)
                    ),
                    tasks: Vec::new(),
                    as_needed: Vec::new(),
                    overdue: 0,
                },
                None,
            ));
            by_pupil.len() - 1
        });
        let entry = &mut by_pupil[at];
        if as_needed {
            entry.1.as_needed.push(row);
        } else {
            if row.overdue {
                entry.1.overdue += 1;
            }
            if let Some(d) = due {
                entry.2 = Some(entry.2.map_or(d, |e| e.min(d)));
            }
            entry.1.tasks.push(row);
        }
    }
    for (_, p, _) in &mut by_pupil {
        p.tasks
            .sort_by_key(|t| (!t.overdue, t.due == "geen termijn", t.id));
    }
    by_pupil.sort_by(|a, b| {
        (
            a.1.overdue == 0,
            a.1.tasks.is_empty(),
            a.2.is_none(),
            a.2,
            a.1.name.to_lowercase(),
        )
            .cmp(&(
                b.1.overdue == 0,
                b.1.tasks.is_empty(),
                b.2.is_none(),
                b.2,
                b.1.name.to_lowercase(),
            ))
    });
    let pupils: Vec<PupilTasks> = by_pupil.into_iter().map(|(_, p, _)| p).collect();
    let required = pupils.iter().map(|p| p.tasks.len()).sum();
    let overdue = pupils.iter().map(|p| p.overdue).sum();
    let as_needed = pupils.iter().map(|p| p.as_needed.len()).sum();
    let (pager, rows) = Pager::counted(
        "/taken",
        &[("soort", &soort), ("groep", &groep), ("termijn", &termijn)],
        q.pagina.unwrap_or(1),
        TASKS_PAGE,
        pupils.len(),
        ("leerling", "leerlingen"),
    );
    let pupils: Vec<PupilTasks> = pupils
        .into_iter()
        .skip(rows.start)
        .take(rows.len())
        .collect();
    kinds_seen.sort_by_key(|k| kind_label(*k));
    groups_seen.sort_by_key(|g| {
        let n: String = g.chars().take_while(char::is_ascii_digit).collect();
        (n.parse::<u32>().unwrap_or(u32::MAX), g.clone())
    });
    audit_list(&audit, &web, "taken").await?;
    let waiting =
        verzuim_service::import_review::pending_count(&state.store, &caller, web.org_id())
            .await
            .unwrap_or(0);
    Ok(render(&TasksPage {
        to_review: if waiting == 0 {
            String::new()
        } else {
            plural(
                i64::try_from(waiting).unwrap_or(i64::MAX),
                "signaal uit de import wacht",
                "signalen uit de import wachten",
            )
        },
        meta: web.meta("Taken", "/taken"),
        required,
        overdue,
        as_needed,
        pager,
        total,
        filtered: !soort.is_empty() || !groep.is_empty() || !termijn.is_empty(),
        kinds: kinds_seen
            .into_iter()
            .map(|k| (k.as_str().to_owned(), kind_label(k), k.as_str() == soort))
            .collect(),
        groups: groups_seen
            .into_iter()
            .map(|g| {
                let sel = g == groep;
                (g, sel)
            })
            .collect(),
        dues: DUES.iter().map(|(v, l)| (*v, *l, *v == termijn)).collect(),
        pupils,
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
    let members = verzuim_service::users::members(&state.store, &web.caller(), web.org_id())
        .await
        .map_err(service_error)?;
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
