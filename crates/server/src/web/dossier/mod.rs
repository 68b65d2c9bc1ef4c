//! The pupil dossier, `GET /leerlingen/{school_id}/{pupil_id}`, and the school's pupil list,
//! `GET /leerlingen` ([`list`]).
//!
//! The dossier shows the pupil, a year calendar as a picture (server-rendered SVG, coloured by
//! registration code, with the totals per code as its text alternative), each signal with its
//! evidence and the card's actions per party, and per case the timeline (tasks, meldingen,
//! referrals, letters, parent contacts) and the open tasks with their forms. Every party opens it
//! through the service's visibility (a school: its own pupils; leerplicht: pupils with a melding
//! to it; GGD-JGZ: pupils referred to it); only the organisation whose task it is gets a form.
//!
//! `POST /leerlingen/{school_id}/{pupil_id}` takes the forms (`actie`): complete a task (with the
//! parents' information, the melding's content or the judgement the task asks for), mark it not
//! needed, record that the parents were informed, withdraw a melding. Each is one service call
//! (one transaction); a refusal re-renders the page with the Dutch message at the form and stores
//! nothing.

//!
//! A page is the service's read model ([`verzuim_service::dossier_view`], one transaction) plus a
//! pure view: [`view`] (the page), [`case`] (one case) and [`signals`] build the template structs, [`calendar`]
//! draws the year, [`form`] reads the forms, [`labels`] holds the fixed texts. The handlers here
//! only load, call the service and render.

mod calendar;
mod case;
mod form;
mod labels;
mod list;
mod signals;
mod view;

use std::fmt::Write as _;

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_service::model::Role;
use verzuim_service::visibility;
use verzuim_service::{MeldingAction, dossier, dossier_view, meldingen, tasks};

pub use form::ActionForm;
pub use list::{PupilsQuery, list};

use self::form::{Failure, parents_of, parse_id, service_message};
use super::session::WebUser;
use super::{render, service_error, today, url_part};
use crate::audit::{Audit, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path as UrlPath, Query};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct DossierQuery {
    /// The school year by its first calendar year (`2026` = 2026-2027).
    jaar: Option<String>,
    /// A message after a successful action.
    gedaan: Option<String>,
}

/// `GET /leerlingen/{school_id}/{pupil_id}`.
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Query(q): Query<DossierQuery>,
) -> ApiResult<Response> {
    require_dossier_role(&web)?;
    let notice = q
        .gedaan
        .as_deref()
        .and_then(labels::done_message)
        .map(str::to_owned);
    show(
        &state,
        &web,
        &audit,
        (&school_id, &pupil_id),
        q.jaar.as_deref(),
        &Failure::None,
        notice,
    )
    .await
}

/// Reads the dossier (one service call), writes the audit row of the read, renders the page.
async fn show(
    state: &AppState,
    web: &WebUser,
    audit: &Audit,
    (school_id, pupil_id): (&str, &str),
    jaar: Option<&str>,
    failure: &Failure,
    notice: Option<String>,
) -> ApiResult<Response> {
    let today = today(state);
    let d = dossier_view::dossier(&state.store, &web.caller(), school_id, pupil_id, today)
        .await
        .map_err(service_error)?;
    let lh = &web.org.letterhead;
    let viewer = view::Viewer {
        org_kind: web.org.kind,
        org_id: web.org_id(),
        role: web.role(),
        place: [
            Some(web.org.name.clone()),
            lh.street.clone(),
            lh.city.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", "),
        today,
    };
    let meta = web.meta(format!("Dossier {}", view::pupil_name(&d)), "/leerlingen");
    let mut page = view::page(&d, &viewer, meta, jaar, failure, notice);
    if web.org.kind == verzuim_service::vocabulary::OrgKind::School {
        // Signals an import held for review, and what the school decided (issue 10.9).
        page.import_history = crate::web::import_review::rows(
            &verzuim_service::import_review::of_pupil(
                &state.store,
                &web.caller(),
                school_id,
                pupil_id,
            )
            .await
            .unwrap_or_default(),
        );
    }
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object(format!("dossier:{school_id}:{pupil_id}"))
        .pupil(school_id, pupil_id)
        .write()
        .await?;
    Ok(render(&page))
}

fn require_dossier_role(web: &WebUser) -> ApiResult<()> {
    web.require(
        &[
            Role::Verzuimcoordinator,
            Role::Leerplichtambtenaar,
            Role::Jgz,
        ],
        None,
    )
}

/// `POST /leerlingen/{school_id}/{pupil_id}`: one of the dossier's forms.
pub async fn action(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Query(q): Query<DossierQuery>,
    Form(f): Form<ActionForm>,
) -> ApiResult<Response> {
    require_dossier_role(&web)?;
    let caller = web.caller();
    // The pupil must be visible at all (else 404, like the page).
    visibility::pupil(&state.store, &caller, &school_id, &pupil_id)
        .await
        .map_err(service_error)?;
    let today = today(&state);
    // The write's audit row, committed with the write by the service call.
    let event = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(web.org_id())
        .object(format!("dossier:{}", f.actie))
        .pupil(&school_id, &pupil_id);
    let audited = caller.audited(event.entry());
    let outcome: Result<&'static str, Failure> = match f.actie.as_str() {
        "taak_afronden" | "taak_niet_nodig" => {
            let Some(task_id) = parse_id(f.taak.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welke taak?"));
            };
            let view = visibility::task(&state.store, &caller, task_id)
                .await
                .map_err(service_error)?;
            if view.task.school_id != school_id || view.task.pupil_id != pupil_id {
                return Err(ApiError::not_found());
            }
            let fail = |m: String| Failure::Task(task_id, m, f.values());
            if f.actie == "taak_niet_nodig" {
                match tasks::task_not_needed(&state.store, &audited, task_id, &f.niet_nodig).await {
                    Ok(()) => Ok("niet_nodig"),
                    Err(e) => Err(fail(service_message(e)?)),
                }
            } else {
                let built = form::completion(&f, &view);
                match built {
                    Err(m) => Err(fail(m)),
                    Ok(c) => match tasks::complete_task(&state.store, &audited, today, task_id, &c)
                        .await
                    {
                        Ok(o) if o.melding.is_some() => Ok("melding"),
                        Ok(o) if o.referral.is_some() => Ok("verwijzing"),
                        Ok(_) => Ok("taak"),
                        Err(e) => Err(fail(service_message(e)?)),
                    },
                }
            }
        }
        "ouders" => {
            let Some(case_id) = parse_id(f.zaak.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welk dossier?"));
            };
            let fail = |m: String| Failure::Parents(case_id, m, f.values());
            match parents_of(&f, true) {
                Err(m) => Err(fail(m)),
                Ok(p) => {
                    let p = p.expect("required");
                    match dossier::record_parents_informed(
                        &state.store,
                        &audited,
                        today,
                        case_id,
                        p,
                        Some(f.toelichting.as_str()),
                    )
                    .await
                    {
                        Ok(_) => Ok("ouders"),
                        Err(e) => Err(fail(service_message(e)?)),
                    }
                }
            }
        }
        "melding_intrekken" => {
            let Some(melding_id) = parse_id(f.melding.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welke melding?"));
            };
            match meldingen::melding_action(
                &state.store,
                &audited,
                melding_id,
                &MeldingAction::Ingetrokken {
                    reason: f.reden.clone(),
                },
            )
            .await
            {
                Ok(_) => Ok("ingetrokken"),
                Err(e) => Err(Failure::Melding(
                    melding_id,
                    service_message(e)?,
                    f.reden.clone(),
                )),
            }
        }
        "dossier_sluiten" | "dossier_heropenen" => {
            let Some(case_id) = parse_id(f.zaak.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welk dossier?"));
            };
            let case = visibility::case(&state.store, &caller, case_id)
                .await
                .map_err(service_error)?;
            if case.case.school_id != school_id || case.case.pupil_id != pupil_id {
                return Err(ApiError::not_found());
            }
            let done = if f.actie == "dossier_sluiten" {
                tasks::close_case(&state.store, &audited, case_id, &f.reden)
                    .await
                    .map(|_| "gesloten")
            } else {
                verzuim_service::cases::reopen_case(&state.store, &audited, case_id, &f.reden)
                    .await
                    .map(|()| "heropend")
            };
            match done {
                Ok(d) => Ok(d),
                Err(e) => Err(Failure::Case(case_id, service_message(e)?, f.reden.clone())),
            }
        }
        _ => Err(Failure::Page("Onbekende actie.".into())),
    };
    match outcome {
        Ok(done) => {
            let mut to = format!(
                "/leerlingen/{}/{}?gedaan={done}",
                url_part(&school_id),
                url_part(&pupil_id)
            );
            if let Some(j) = q.jaar.as_deref().filter(|j| j.parse::<i16>().is_ok()) {
                let _ = write!(to, "&jaar={j}");
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(failure) => {
            show(
                &state,
                &web,
                &audit,
                (&school_id, &pupil_id),
                q.jaar.as_deref(),
                &failure,
                None,
            )
            .await
        }
    }
}
