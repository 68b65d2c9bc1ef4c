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
    let today = today(&state);
    let filter = InboxFilter {
        soort: q.soort.unwrap_or_default(),
        groep: q.groep.unwrap_or_default(),
        termijn: q.termijn.unwrap_or_default(),
    };
    let mut inbox = Inbox::sort(&tasks, &filter, today);
    let (pager, rows) = Pager::counted(
        "/taken",
        &[
            ("soort", &filter.soort),
            ("groep", &filter.groep),
            ("termijn", &filter.termijn),
        ],
        q.pagina.unwrap_or(1),
        TASKS_PAGE,
        inbox.pupils.len(),
        ("leerling", "leerlingen"),
    );
    // Only the page's pupils become rows: a school of 900 pupils has 1,000+ open tasks.
    let pupils: Vec<PupilTasks> = inbox
        .pupils
        .drain(rows)
        .map(|p| p.rows(tasks.as_slice(), today))
        .collect();
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
        required: inbox.required,
        overdue: inbox.overdue,
        as_needed: inbox.as_needed,
        pager,
        total: tasks.len(),
        filtered: filter.any(),
        kinds: inbox
            .kinds
            .into_iter()
            .map(|k| {
                let sel = k.as_str() == filter.soort;
                (k.as_str().to_owned(), kind_label(k), sel)
            })
            .collect(),
        groups: inbox
            .groups
            .into_iter()
            .map(|g| {
                let sel = g == filter.groep;
                (g.to_owned(), sel)
            })
            .collect(),
        dues: DUES
            .iter()
            .map(|(v, l)| (*v, *l, *v == filter.termijn))
            .collect(),
        pupils,
    }))
}

/// The inbox's filters (`?soort=&groep=&termijn=`; empty: not filtered).
struct InboxFilter {
    soort: String,
    groep: String,
    termijn: String,
}

impl InboxFilter {
    fn any(&self) -> bool {
        !self.soort.is_empty() || !self.groep.is_empty() || !self.termijn.is_empty()
    }

    /// Whether a task with this signal, pupil group and (shown) due date passes the filters.
    fn keeps(
        &self,
        signal: Option<(SignalKind, jiff::civil::Date)>,
        group: &str,
        due: Option<jiff::civil::Date>,
        overdue: bool,
        today: jiff::civil::Date,
    ) -> bool {
        if !self.soort.is_empty() && signal.is_none_or(|(k, _)| k.as_str() != self.soort) {
            return false;
        }
        if !self.groep.is_empty() && group != self.groep {
            return false;
        }
        match self.termijn.as_str() {
            "verlopen" => overdue,
            "week" => due.is_some_and(|d| (d - today).get_days() <= 7),
            "geen" => due.is_none(),
            _ => true,
        }
    }
}

/// How the inbox shows a task's due date: the card's "zo nodig" tasks have none and are never
/// overdue (`verzuim_service::principles`).
struct Shown {
    as_needed: bool,
    overdue: bool,
    due: Option<jiff::civil::Date>,
}

impl Shown {
    fn of(t: &InboxTask, today: jiff::civil::Date) -> Self {
        let as_needed = principles::is_as_needed(&t.text);
        Shown {
            as_needed,
            overdue: principles::is_overdue(&t.text, t.due, today),
            due: if as_needed { None } else { t.due },
        }
    }
}

/// One pupil of the inbox before it is shown: indices into the query's tasks.
struct InboxPupil<'a> {
    first: &'a InboxTask,
    /// Tasks that are not "zo nodig", and the card's "zo nodig" ones (in due order).
    required: Vec<usize>,
    as_needed: Vec<usize>,
    overdue: usize,
    /// The nearest due date of the required tasks.
    nearest: Option<jiff::civil::Date>,
}

/// The open tasks grouped per pupil, filtered and in the inbox's order, with the counts over
/// all pupils and the filter choices (signal kinds, groups) of every open task.
struct Inbox<'a> {
    pupils: Vec<InboxPupil<'a>>,
    required: usize,
    overdue: usize,
    as_needed: usize,
    kinds: Vec<SignalKind>,
    groups: Vec<&'a str>,
}

impl<'a> Inbox<'a> {
    fn sort(tasks: &'a [InboxTask], filter: &InboxFilter, today: jiff::civil::Date) -> Self {
        let mut kinds: Vec<SignalKind> = Vec::new();
        let mut groups: Vec<&str> = Vec::new();
        let mut pupils: Vec<InboxPupil> = Vec::new();
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        let (mut required, mut overdue_all, mut as_needed_all) = (0, 0, 0);
        // Each pupil's tasks in the order of their due dates (none last), then ids.
        let mut order: Vec<usize> = (0..tasks.len()).collect();
        order.sort_by_key(|&i| (tasks[i].due.is_none(), tasks[i].due, tasks[i].id));
        for i in order {
            let t = &tasks[i];
            if let Some((k, _)) = t.signal
                && !kinds.contains(&k)
            {
                kinds.push(k);
            }
            if !t.group.is_empty() && !groups.contains(&t.group.as_str()) {
                groups.push(&t.group);
            }
            let Shown {
                as_needed,
                overdue,
                due,
            } = Shown::of(t, today);
            if !filter.keeps(t.signal, &t.group, due, overdue, today) {
                continue;
            }
            let at = *index
                .entry((t.school_id.as_str(), t.pupil_id.as_str()))
                .or_insert_with(|| {
                    pupils.push(InboxPupil {
                        first: t,
                        required: Vec::new(),
                        as_needed: Vec::new(),
                        overdue: 0,
                        nearest: None,
                    });
                    pupils.len() - 1
                });
            let pupil = &mut pupils[at];
            if as_needed {
                pupil.as_needed.push(i);
                as_needed_all += 1;
            } else {
                required += 1;
                if overdue {
                    pupil.overdue += 1;
                    overdue_all += 1;
                }
                if let Some(d) = due {
                    pupil.nearest = Some(pupil.nearest.map_or(d, |e| e.min(d)));
                }
                pupil.required.push(i);
            }
        }
        pupils.sort_by_cached_key(|p| {
            (
                p.overdue == 0,
                p.required.is_empty(),
                p.nearest.is_none(),
                p.nearest,
                p.name().to_lowercase(),
            )
        });
        kinds.sort_by_key(|k| kind_label(*k));
        groups.sort_by_key(|g| {
            let n: String = g.chars().take_while(char::is_ascii_digit).collect();
            (n.parse::<u32>().unwrap_or(u32::MAX), *g)
        });
        Inbox {
            pupils,
            required,
            overdue: overdue_all,
            as_needed: as_needed_all,
            kinds,
            groups,
        }
    }
}

impl InboxPupil<'_> {
    fn name(&self) -> &str {
        self.first
            .pupil_name
            .as_deref()
            .unwrap_or(&self.first.pupil_id)
    }

    /// The pupil as the page shows it: overdue tasks first, then those with a due date, by id;
    /// the "zo nodig" ones apart, by due date.
    fn rows(self, tasks: &[InboxTask], today: jiff::civil::Date) -> PupilTasks {
        let row = |i: usize| {
            let t = &tasks[i];
            let Shown {
                as_needed,
                overdue,
                due,
            } = Shown::of(t, today);
            TaskRow {
                id: t.id,
                signal: t.signal.map_or_else(
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
                text: t.text.clone(),
            }
        };
        let name = self.name().to_owned();
        let mut required: Vec<TaskRow> = self.required.into_iter().map(row).collect();
        required.sort_by_key(|t| (!t.overdue, t.due == "geen termijn", t.id));
        PupilTasks {
            name,
            group: self.first.group.clone(),
            href: format!(
                "/leerlingen/{}/{}",
                super::url_part(&self.first.school_id),
                super::url_part(&self.first.pupil_id)
            ),
            tasks: required,
            as_needed: self.as_needed.into_iter().map(row).collect(),
            overdue: self.overdue,
        }
    }
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
