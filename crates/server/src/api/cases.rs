//! Cases (dossiers): `GET /api/cases` (those the caller's organisation may see: a school its
//! pupils', leerplicht those with a melding to its municipality, GGD-JGZ those with a referral to
//! it), `GET /api/cases/{id}` with its signals, every party's tasks, timeline, meldingen and
//! referrals, `POST /api/cases/{id}/close` and `POST /api/cases/{id}/reopen` (the school, with a
//! reason).
//!
//! Roles: `verzuimcoordinator`, `leerplichtambtenaar`, `jgz`; tokens with `cases:read` (and
//! `cases:write` to close).

use axum::extract::State;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::Case;
use verzuim_service::model::TimelineEntry;
use verzuim_service::visibility;

use super::common::{OrgQuery, TEXT_MAX, audit_pupil_data, audited_write};
use super::meldingen::{MeldingOut, melding_out};
use super::referrals::{ReferralOut, referral_out};
use super::signals::{SignalOut, signal_out};
use super::tasks::{TaskOut, task_view_out};
use crate::audit::Audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, check_len, max_len, required};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_cases), &policy::CASES_READ)
        .routes_with(routes!(get_case), &policy::CASES_READ)
        .routes_with(routes!(close_case), &policy::CASES_WRITE)
        .routes_with(routes!(reopen_case), &policy::CASES_WRITE)
}

/// A pupil's dossier: opened by a signal, extended by later ones, closed by the school.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseOut {
    pub id: i64,
    pub school_id: String,
    pub pupil_id: String,
    /// The signal kinds in the case.
    pub kinds: Vec<String>,
    #[schema(value_type = String, format = Date)]
    pub opened_on: Date,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    pub closed_reason: Option<String>,
}

pub fn case_out(c: Case) -> CaseOut {
    CaseOut {
        id: c.id,
        school_id: c.school_id,
        pupil_id: c.pupil_id,
        kinds: c.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        opened_on: c.opened_on,
        opened_at: c.opened_at,
        closed_at: c.closed_at,
        closed_reason: c.closed_reason,
    }
}

/// One line of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineOut {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub actor: String,
    /// What happened, e.g. `signal`, `melding`, `melding_in_behandeling`, `afspraken`.
    pub entry: String,
    pub signal_id: Option<i64>,
    pub detail: Option<String>,
}

fn timeline_out(t: TimelineEntry) -> TimelineOut {
    TimelineOut {
        at: t.at,
        actor: t.actor,
        entry: t.entry,
        signal_id: t.signal_id,
        detail: t.detail,
    }
}

/// A case with everything the caller's organisation may see of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseOut,
    pub signals: Vec<SignalOut>,
    /// Every party's tasks.
    pub tasks: Vec<TaskOut>,
    pub timeline: Vec<TimelineOut>,
    pub meldingen: Vec<MeldingOut>,
    /// The referrals' statuses (never GGD-JGZ's notes).
    pub referrals: Vec<ReferralOut>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only open cases.
    pub open: Option<bool>,
    /// With `pupil`: one pupil's cases (the school's BRIN).
    #[param(max_length = 64)]
    pub school: Option<String>,
    /// With `school`: the pupil's number.
    #[param(max_length = 64)]
    pub pupil: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CloseCaseIn {
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// The cases the caller's organisation may see, newest first.
#[utoipa::path(
    get,
    path = "/api/cases",
    tag = "dossiers",
    params(CaseQuery, Pagination, OrgQuery),
    responses(
        (status = 200, description = "Een pagina dossiers", body = Paginated<CaseOut>),
        (status = 400, description = "organisatie_kiezen, te_lang", body = ErrorBody),
        (status = 422, description = "ongeldige_parameter: 'school' en 'pupil' horen samen", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol met dossiers", body = ErrorBody),
    )
)]
async fn list_cases(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Query(q): Query<CaseQuery>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<CaseOut>>> {
    let pupil = match (&q.school, &q.pupil) {
        (Some(s), Some(p)) => {
            check_len("school", s, max_len::IDENTIFIER)?;
            check_len("pupil", p, max_len::IDENTIFIER)?;
            Some((s.as_str(), p.as_str()))
        }
        (None, None) => None,
        _ => {
            return Err(ApiError::unprocessable(
                "ongeldige_parameter",
                "Geef 'school' en 'pupil' samen, of geen van beide.",
            )
            .with_field(if q.school.is_some() {
                "pupil"
            } else {
                "school"
            }));
        }
    };
    let page = pagination.page();
    let cases = visibility::cases(
        &state.store,
        &acting.caller,
        pupil,
        q.open.unwrap_or(false),
        page,
    )
    .await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Cases(acting.org().to_owned()),
        pupil,
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        cases.into_iter().map(case_out).collect(),
        page,
    )))
}

/// One case with its signals, every party's tasks, its timeline, its meldingen and the status of
/// its referrals, as far as the caller's organisation may see them.
#[utoipa::path(
    get,
    path = "/api/cases/{id}",
    tag = "dossiers",
    params(("id" = i64, Path, description = "Nummer van het dossier"), OrgQuery),
    responses(
        (status = 200, description = "Het dossier", body = CaseDetail),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol met dossiers", body = ErrorBody),
        (status = 404, description = "Onbekend of niet zichtbaar", body = ErrorBody),
    )
)]
async fn get_case(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<CaseDetail>> {
    let view = visibility::case(&state.store, &acting.caller, id).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Case(id),
        Some((&view.case.school_id, &view.case.pupil_id)),
    )
    .await?;
    let today = state.today();
    Ok(axum::Json(CaseDetail {
        case: case_out(view.case),
        signals: view.signals.into_iter().map(signal_out).collect(),
        tasks: view
            .tasks
            .into_iter()
            .map(|t| task_view_out(t, today))
            .collect(),
        timeline: view.timeline.into_iter().map(timeline_out).collect(),
        meldingen: view.meldingen.into_iter().map(melding_out).collect(),
        referrals: view.referrals.into_iter().map(referral_out).collect(),
    }))
}

/// Close a case as the school, with a reason: its open school tasks become not needed. Refused
/// while a melding or referral runs or another party has an open task in it.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/close",
    tag = "dossiers",
    params(("id" = i64, Path, description = "Nummer van het dossier"), OrgQuery),
    request_body = CloseCaseIn,
    responses(
        (status = 204, description = "Gesloten"),
        (status = 400, description = "verplicht, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator", body = ErrorBody),
        (status = 404, description = "Geen dossier van uw school", body = ErrorBody),
        (status = 409, description = "Al gesloten", body = ErrorBody),
        (status = 422, description = "Er loopt nog een melding, verwijzing of taak", body = ErrorBody),
    )
)]
async fn close_case(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<CloseCaseIn>,
) -> ApiResult<axum::http::StatusCode> {
    let view = visibility::case(&state.store, &acting.caller, id).await?;
    if view.case.school_id != acting.org() {
        return Err(ApiError::not_found());
    }
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Case(id).detail("close"),
        Some((&view.case.school_id, &view.case.pupil_id)),
    );
    let reason = required("reason", &body.reason, TEXT_MAX)?;
    verzuim_service::tasks::close_case(&state.store, &caller, id, reason).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Reopen a closed case as the school, with a reason (timeline `heropend`). Refused while
/// another case of the same chain of the card is open (one open case per chain).
#[utoipa::path(
    post,
    path = "/api/cases/{id}/reopen",
    tag = "dossiers",
    params(("id" = i64, Path, description = "Nummer van het dossier"), OrgQuery),
    request_body = CloseCaseIn,
    responses(
        (status = 204, description = "Heropend"),
        (status = 400, description = "verplicht, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator", body = ErrorBody),
        (status = 404, description = "Geen dossier van uw school", body = ErrorBody),
        (status = 409, description = "Al open, of een ander dossier van dezelfde soort is open", body = ErrorBody),
    )
)]
async fn reopen_case(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<CloseCaseIn>,
) -> ApiResult<axum::http::StatusCode> {
    let view = visibility::case(&state.store, &acting.caller, id).await?;
    if view.case.school_id != acting.org() {
        return Err(ApiError::not_found());
    }
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Case(id).detail("reopen"),
        Some((&view.case.school_id, &view.case.pupil_id)),
    );
    let reason = required("reason", &body.reason, TEXT_MAX)?;
    verzuim_service::cases::reopen_case(&state.store, &caller, id, reason).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
