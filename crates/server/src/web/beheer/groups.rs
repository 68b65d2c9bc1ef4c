//! The school's groups, `/beheer/groepen`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use verzuim_engine::model::GroupTimes;
use verzuim_service::model::SchoolSettings;

use crate::error::ApiResult;
use crate::nl::DAYS;
use crate::state::AppState;
use crate::web::session::{PageMeta, WebUser};
use crate::web::{render, service_error, today};

use super::*;

#[derive(Template)]
#[template(path = "beheer_groepen.html")]
pub(super) struct GroupsPage {
    meta: PageMeta,
    days: Vec<&'static str>,
    groups: Vec<GroupRow>,
    errors: Vec<String>,
    saved: Option<String>,
    name: String,
}

pub(super) struct GroupRow {
    name: String,
    pupils: u64,
    own: bool,
    times: Vec<String>,
}

pub(super) async fn groups_page(
    state: &AppState,
    web: &WebUser,
    errors: Vec<String>,
    saved: Option<String>,
    name: String,
) -> ApiResult<Response> {
    let settings = settings_of(state, web).await?;
    let counts = verzuim_service::overview::pupils_per_group(
        &state.store,
        &web.caller(),
        web.org_id(),
        today(state),
    )
    .await
    .map_err(service_error)?;
    let mut names: Vec<String> = settings.school.groups.keys().cloned().collect();
    names.extend(counts.keys().cloned());
    names.sort_by_key(|a| natural(a));
    names.dedup();
    let groups = names
        .into_iter()
        .map(|g| {
            let week = settings.school.week_times(&g);
            GroupRow {
                pupils: counts.get(&g).copied().unwrap_or(0),
                own: settings.school.groups.contains_key(&g),
                times: (0..SCHOOL_DAYS)
                    .map(|d| {
                        let t = times_text(&week.0[d]);
                        if t.is_empty() {
                            "geen lessen".into()
                        } else {
                            t
                        }
                    })
                    .collect(),
                name: g,
            }
        })
        .collect();
    Ok(render(&GroupsPage {
        meta: web.meta("Groepen", "/beheer/groepen"),
        days: DAYS[..SCHOOL_DAYS].to_vec(),
        groups,
        errors,
        saved,
        name,
    }))
}

/// `GET /beheer/groepen`: the groups with their pupils and lesson times.
pub async fn groups(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    groups_page(&state, &web, Vec::new(), None, String::new()).await
}

#[derive(Debug, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    naam: String,
}

/// `POST /beheer/groepen`: adds a group with its own row in the lesson times (at first the
/// school's times).
pub async fn groups_add(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<GroupForm>,
) -> ApiResult<Response> {
    let name = form.naam.trim().to_owned();
    let mut settings = settings_of(&state, &web).await?;
    let mut errors = Vec::new();
    if name.is_empty()
        || name.chars().count() > 20
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '/')
    {
        errors.push(
            "Naam van de groep: 1 tot 20 letters, cijfers, spaties, - of / (bijvoorbeeld 5 of 1/2a)."
                .to_owned(),
        );
    } else if settings.school.groups.contains_key(&name) {
        errors.push(format!(
            "Groep {name} heeft al een eigen rij in de lestijden."
        ));
    }
    if !errors.is_empty() {
        return groups_page(&state, &web, errors, None, form.naam).await;
    }
    settings
        .school
        .groups
        .insert(name.clone(), GroupTimes::default());
    save_groups(
        &state,
        &web,
        &settings,
        |_| format!("Groep {name} toegevoegd; geef de eigen lestijden op bij Lestijden."),
        form.naam,
    )
    .await
}

/// Stores the settings after a change of the groups and shows the groups page: `saved`'s
/// message, or the error with the form's name kept.
pub(super) async fn save_groups(
    state: &AppState,
    web: &WebUser,
    settings: &SchoolSettings,
    saved: impl FnOnce(String) -> String,
    name: String,
) -> ApiResult<Response> {
    // A group's own times change from today on (issue 10.2); the days before keep theirs.
    match store_settings(state, web, settings, Some(today(state))).await {
        Ok(report) => groups_page(state, web, Vec::new(), Some(saved(report)), String::new()).await,
        Err(m) => groups_page(state, web, vec![m], None, name).await,
    }
}

/// `POST /beheer/groepen/opheffen`: removes a group's own row from the lesson times; the group
/// then follows the school's times (every pupil re-evaluated). A group without pupils is then
/// gone from the list.
pub async fn groups_remove(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<GroupForm>,
) -> ApiResult<Response> {
    let name = form.naam.trim().to_owned();
    let mut settings = settings_of(&state, &web).await?;
    if settings.school.groups.remove(&name).is_none() {
        return groups_page(
            &state,
            &web,
            vec![format!(
                "Groep {name} heeft geen eigen lestijden (meer): er is niets op te heffen."
            )],
            None,
            String::new(),
        )
        .await;
    }
    save_groups(
        &state,
        &web,
        &settings,
        |report| {
            format!(
                "De eigen lestijden van groep {name} zijn opgeheven: de groep volgt de lestijden van de school. {report}"
            )
        },
        String::new(),
    )
    .await
}
