//! The school's pupil list, `GET /leerlingen`: searchable by name and group, with this school
//! year's unauthorised hours, open signals and open cases, sortable by each (issue 10.7).

use std::collections::HashMap;
use std::fmt::Write as _;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use verzuim_engine::calendar::school_year_start;
use verzuim_service::model::{MAX_PAGE_SIZE, OrgKind, Page, Role};
use verzuim_service::visibility;

use crate::audit::{Audit, action};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::nl::{self, date_nl};
use crate::state::AppState;
use crate::web::session::{PageMeta, WebUser};
use crate::web::{all_pages, kind_label, render, service_error, today, url_part};

#[derive(Template)]
#[template(path = "leerlingen.html")]
struct PupilsPage {
    meta: PageMeta,
    q: String,
    groups: Vec<(String, bool)>,
    pupils: Vec<PupilRow>,
    total: usize,
    year_label: String,
    /// The column headers: (key, label, link to sort by it, aria-sort value).
    columns: Vec<(&'static str, &'static str, String, &'static str)>,
    /// The coordinator sees the dossiers; the beheerder the pupils' data.
    coordinator: bool,
}

struct PupilRow {
    href: String,
    data_href: String,
    name: String,
    id: String,
    group: String,
    birth: String,
    /// This school year's unauthorised absence ("20 uur en 45 minuten").
    unauthorised: String,
    unauthorised_minutes: u64,
    open_signals: usize,
    /// The open cases: (link, "Dossier 23: relatief verzuim").
    open_cases: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PupilsQuery {
    q: Option<String>,
    groep: Option<String>,
    /// `naam`, `groep` (the default), `uren`, `signalen`, `dossier`; `-` in front: descending.
    sorteer: Option<String>,
}

const PUPIL_COLUMNS: [(&str, &str); 5] = [
    ("naam", "Naam"),
    ("groep", "Groep"),
    ("uren", "Ongeoorloofd dit schooljaar"),
    ("signalen", "Open signalen"),
    ("dossier", "Open dossier"),
];

/// `GET /leerlingen`: the school's pupils, searchable by name and group, with this school year's
/// unauthorised hours, open signals and open cases, sortable by each (issue 10.7). The
/// coordinator's rows open the dossier; the beheerder's the pupil's data.
pub async fn list(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(query): Query<PupilsQuery>,
) -> ApiResult<Response> {
    web.require(
        &[Role::Verzuimcoordinator, Role::Beheerder],
        Some(OrgKind::School),
    )?;
    let coordinator = web.role() == Role::Verzuimcoordinator;
    let caller = web.caller();
    let today = today(&state);
    let year_start = school_year_start(today);
    let all = all_pages(5000, |p| visibility::pupils(&state.store, &caller, p)).await?;
    let minutes = verzuim_service::overview::unauthorised_minutes(
        &state.store,
        &caller,
        web.org_id(),
        year_start,
        today,
    )
    .await
    .map_err(service_error)?;
    let mut open: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    let mut open_ids = std::collections::HashSet::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = visibility::cases(&state.store, &caller, None, true, page)
            .await
            .map_err(service_error)?;
        let done = batch.len() < page.limit() as usize;
        for c in &batch {
            open_ids.insert(c.id);
            let mut kinds: Vec<&str> = c.kinds.iter().map(|k| kind_label(*k)).collect();
            kinds.dedup();
            open.entry(c.pupil_id.clone())
                .or_default()
                .push((c.id, kinds.join(", ")));
        }
        if done {
            break;
        }
        page = page.next();
    }
    let mut signals: HashMap<String, usize> = HashMap::new();
    for s in all_pages(usize::MAX, |p| {
        visibility::school_signals(
            &state.store,
            &caller,
            Some(verzuim_service::model::SignalStatus::Active),
            p,
        )
    })
    .await?
    {
        if s.case_id.is_some_and(|c| open_ids.contains(&c)) {
            *signals.entry(s.pupil_id).or_default() += 1;
        }
    }
    let mut groups: Vec<String> = all.iter().map(|p| p.data.pupil.group.clone()).collect();
    groups.sort_by_key(|a| natural(a));
    groups.dedup();
    let q = query.q.unwrap_or_default().trim().to_owned();
    let groep = query.groep.unwrap_or_default().trim().to_owned();
    let sorteer = query.sorteer.unwrap_or_default();
    let (desc, key) = match sorteer.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, sorteer.as_str()),
    };
    let key = PUPIL_COLUMNS
        .iter()
        .map(|(k, _)| *k)
        .find(|k| *k == key)
        .unwrap_or("groep");
    let needle = q.to_lowercase();
    let total = all.len();
    let mut pupils: Vec<PupilRow> = all
        .into_iter()
        .filter(|p| p.school_id == web.org_id())
        .filter(|p| groep.is_empty() || p.data.pupil.group == groep)
        .filter(|p| {
            needle.is_empty()
                || p.data
                    .name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&needle))
                || p.data.pupil.id.to_lowercase() == needle
        })
        .map(|p| {
            let id = p.data.pupil.id.clone();
            let m = minutes.get(&id).copied().unwrap_or(0);
            PupilRow {
                href: format!("/leerlingen/{}/{}", url_part(&p.school_id), url_part(&id)),
                data_href: crate::web::gegevens::href(&p.school_id, &id),
                name: p.data.name.clone().unwrap_or_else(|| id.clone()),
                unauthorised: if m == 0 {
                    "–".to_owned()
                } else {
                    nl::hours_nl(u32::try_from(m).unwrap_or(u32::MAX))
                },
                unauthorised_minutes: m,
                open_signals: signals.get(&id).copied().unwrap_or(0),
                open_cases: open
                    .get(&id)
                    .map(|cs| {
                        cs.iter()
                            .map(|(cid, kinds)| {
                                (
                                    format!(
                                        "/leerlingen/{}/{}#zaak-{cid}",
                                        url_part(&p.school_id),
                                        url_part(&id)
                                    ),
                                    format!("Dossier {cid}: {kinds}"),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                id,
                group: p.data.pupil.group,
                birth: date_nl(p.data.pupil.birth_date),
            }
        })
        .collect();
    let by_name = |a: &PupilRow, b: &PupilRow| a.name.to_lowercase().cmp(&b.name.to_lowercase());
    pupils.sort_by(|a, b| {
        let primary = match key {
            "naam" => by_name(a, b),
            "uren" => a.unauthorised_minutes.cmp(&b.unauthorised_minutes),
            "signalen" => a.open_signals.cmp(&b.open_signals),
            "dossier" => a.open_cases.len().cmp(&b.open_cases.len()),
            _ => natural(&a.group).cmp(&natural(&b.group)),
        };
        let primary = if desc { primary.reverse() } else { primary };
        primary
            .then_with(|| natural(&a.group).cmp(&natural(&b.group)))
            .then_with(|| by_name(a, b))
    });
    let base = {
        let mut b = String::from("/leerlingen?");
        if !q.is_empty() {
            let _ = write!(b, "q={}&", url_part(&q));
        }
        if !groep.is_empty() {
            let _ = write!(b, "groep={}&", url_part(&groep));
        }
        b
    };
    let columns = PUPIL_COLUMNS
        .iter()
        .map(|(k, label)| {
            let current = *k == key;
            // Numbers sort most first on the first click; names and groups A to Z.
            let numeric = matches!(*k, "uren" | "signalen" | "dossier");
            let next_desc = if current { !desc } else { numeric };
            let link = format!("{base}sorteer={}{k}", if next_desc { "-" } else { "" });
            let aria = match (current, desc) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            };
            (*k, *label, link, aria)
        })
        .collect();
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object("leerlingen".to_owned())
        .write()
        .await?;
    Ok(render(&PupilsPage {
        meta: web.meta("Leerlingen", "/leerlingen"),
        groups: groups
            .into_iter()
            .map(|g| {
                let sel = g == groep;
                (g, sel)
            })
            .collect(),
        q,
        pupils,
        total,
        year_label: format!("{}-{}", year_start.year(), year_start.year() + 1),
        columns,
        coordinator,
    }))
}

/// Sorts "1-2" < "3" < "10" by their leading number.
fn natural(s: &str) -> (u32, String) {
    let n: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    (n.parse().unwrap_or(u32::MAX), s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_sort_by_their_number() {
        assert!(natural("3") < natural("10"));
        assert!(natural("1-2") < natural("3"));
        assert!(natural("10") < natural("kleuters"));
    }
}
