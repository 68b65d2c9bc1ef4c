//! Meldingen to the leerplichtambtenaar of the pupil's home municipality: the list (leerplicht:
//! its municipality's; a school: its own), one melding with its status history, DUO's status
//! transitions, leerplicht's afspraken (the school gets them as a feedback task) and the DUO
//! export (the documented JSON of rules.md §7's legal content).
//!
//! Roles: `leerplichtambtenaar` (statuses `in_behandeling`, `afgesloten` with a reason and
//! afspraken, `ter_kennisgeving_aangenomen`; afspraken) and `verzuimcoordinator` (reads the
//! school's meldingen, withdraws one: `ingetrokken` with a reason); tokens with `meldingen:read`
//! / `meldingen:write`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::meldingen::{self, ClosingReason, MeldingAction, MeldingView};
use verzuim_service::model::{Melding, MeldingStatus, Role};

use super::common::{
    Acting, OrgQuery, TEXT_MAX, audit_pupil_data, audited_write, bad_value, check_opt,
};
use super::signals::{PeriodOut, period_out};
use super::tasks::{HistoryOut, history_out};
use crate::audit::Audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, check_len};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_meldingen), &policy::MELDINGEN_READ)
        .routes_with(routes!(get_melding), &policy::MELDINGEN_READ)
        .routes_with(routes!(melding_status), &policy::MELDINGEN_WRITE)
        .routes_with(routes!(melding_afspraken), &policy::MELDING_AFSPRAKEN)
        .routes_with(routes!(duo_export), &policy::MELDINGEN_READ)
}

/// A melding: the legal content (rules.md §7) and DUO's status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeldingOut {
    pub id: i64,
    pub case_id: i64,
    pub school_id: String,
    pub pupil_id: String,
    /// The home municipality's CBS code.
    pub municipality: String,
    /// The kind of verzuim (a signal kind).
    pub verzuim_kind: String,
    pub period: PeriodOut,
    pub minutes: u32,
    pub hours: f64,
    pub suspected_reason: String,
    pub school_actions: String,
    /// `geregistreerd`, `in_behandeling`, `afgesloten`, `ingetrokken`,
    /// `ter_kennisgeving_aangenomen`.
    pub status: String,
    /// The closing reason's code, or why the school withdrew it.
    pub status_reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// "Gewijzigd na melding": how many changes after the melding touched what it reported or
    /// the period it reported (0: none). The melding itself stays as sent; `GET
    /// /api/meldingen/{id}` lists them (`changes`).
    pub changes_after: u32,
}

pub fn melding_out(m: Melding) -> MeldingOut {
    MeldingOut {
        id: m.id,
        case_id: m.case_id,
        school_id: m.school_id,
        pupil_id: m.pupil_id,
        municipality: m.municipality,
        verzuim_kind: m.verzuim_kind.as_str().to_owned(),
        period: period_out(m.period),
        hours: meldingen::hours(m.minutes),
        minutes: m.minutes,
        suspected_reason: m.suspected_reason,
        school_actions: m.school_actions,
        status: m.status.as_str().to_owned(),
        status_reason: m.status_reason,
        created_at: m.created_at,
        created_by: m.created_by,
        updated_at: m.updated_at,
        changes_after: m.changes_after,
    }
}

/// A melding with the persoonsgebonden nummer, leerplicht's afspraken and the status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeldingDetail {
    pub melding: MeldingOut,
    /// `bsn` or `onderwijsnummer`.
    pub number_kind: String,
    /// The persoonsgebonden nummer.
    pub number: String,
    pub signal_id: Option<i64>,
    pub afspraken: Option<String>,
    pub history: Vec<HistoryOut>,
    /// "Gewijzigd na melding": corrections after the melding that touched what it reported
    /// (the melding itself stays as sent). Oldest first; empty when nothing changed.
    pub changes: Vec<MeldingChangeOut>,
}

/// A correction after a melding that touched what it reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeldingChangeOut {
    pub at: Timestamp,
    pub actor: String,
    /// What changed, in Dutch.
    pub what: String,
    /// The reason the coordinator gave, where one was needed.
    pub reason: Option<String>,
}

fn detail(v: MeldingView) -> MeldingDetail {
    MeldingDetail {
        melding: melding_out(v.melding),
        number_kind: v.number_kind.as_str().to_owned(),
        number: v.number,
        signal_id: v.signal_id,
        afspraken: v.afspraken,
        history: v.history.into_iter().map(history_out).collect(),
        changes: v
            .changes
            .into_iter()
            .map(|c| MeldingChangeOut {
                at: c.at,
                actor: c.actor,
                what: c.what,
                reason: c.reason,
            })
            .collect(),
    }
}

/// A status change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MeldingStatusIn {
    /// `in_behandeling`, `afgesloten`, `ter_kennisgeving_aangenomen` (leerplicht) or
    /// `ingetrokken` (the school).
    #[schema(schema_with = super::schemas::melding_status_change)]
    pub status: String,
    /// `afgesloten`: `verzuim_beeindigd`, `leerling_verhuisd`, `proces_verbaal`,
    /// `halt_verwijzing`, `zorgtraject` or `overig`; `ingetrokken`: why, in words.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Leerplicht's afspraken (required with `afgesloten`): the school gets them as a task.
    #[schema(max_length = 2000)]
    pub afspraken: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AfsprakenIn {
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub afspraken: String,
}

/// What a status change or afspraken started.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeldingChanged {
    pub melding: MeldingDetail,
    pub tasks_created: Vec<i64>,
    pub tasks_closed: Vec<i64>,
}

/// The statuses a request may set (`geregistreerd` is the status a melding starts with).
pub(super) const STATUSES: &[&str] = &[
    "in_behandeling",
    "afgesloten",
    "ter_kennisgeving_aangenomen",
    "ingetrokken",
];

fn action(body: &MeldingStatusIn) -> ApiResult<MeldingAction> {
    check_opt("reason", body.reason.as_deref(), TEXT_MAX)?;
    check_opt("afspraken", body.afspraken.as_deref(), TEXT_MAX)?;
    Ok(match body.status.trim() {
        "in_behandeling" => MeldingAction::InBehandeling,
        "afgesloten" => {
            let reasons: Vec<&str> = ClosingReason::ALL.iter().map(|r| r.as_str()).collect();
            let reason = body
                .reason
                .as_deref()
                .map(str::trim)
                .and_then(ClosingReason::parse)
                // The schema cannot state that `reason` is a code only with `afgesloten`.
                .ok_or_else(|| bad_value("reason", &reasons).as_unprocessable())?;
            MeldingAction::Afgesloten {
                reason,
                afspraken: body.afspraken.clone().unwrap_or_default(),
            }
        }
        "ter_kennisgeving_aangenomen" => MeldingAction::TerKennisgevingAangenomen {
            afspraken: body.afspraken.clone(),
        },
        "ingetrokken" => MeldingAction::Ingetrokken {
            reason: body.reason.clone().unwrap_or_default(),
        },
        _ => return Err(bad_value("status", STATUSES)),
    })
}

pub(super) async fn visible(state: &AppState, acting: &Acting, id: i64) -> ApiResult<MeldingView> {
    meldingen::melding(&state.store, &acting.caller, id)
        .await
        .map_err(ApiError::from)
}

/// `?status=`: only the meldingen with this DUO status.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Alleen meldingen met deze status: `geregistreerd`, `in_behandeling`, `afgesloten`,
    /// `ingetrokken` of `ter_kennisgeving_aangenomen`.
    #[param(schema_with = super::schemas::melding_status)]
    pub status: Option<String>,
}

/// The meldingen the caller's organisation may see (leerplicht its municipality's, a school its
/// own), most urgent first: not yet taken up (`geregistreerd`), then in behandeling with an
/// overdue open task of leerplicht, then the other ones in behandeling, then the closed ones;
/// within each group the newest first. Optionally of one status.
#[utoipa::path(
    get,
    path = "/api/meldingen",
    tag = "meldingen",
    params(Pagination, OrgQuery, StatusQuery),
    responses(
        (status = 200, description = "Een pagina meldingen", body = Paginated<MeldingOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar of verzuimcoordinator", body = ErrorBody),
    )
)]
async fn list_meldingen(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Query(pagination): Query<Pagination>,
    Query(filter): Query<StatusQuery>,
) -> ApiResult<axum::Json<Paginated<MeldingOut>>> {
    let status = match filter.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(MeldingStatus::parse(s).ok_or_else(|| {
            let all: Vec<&str> = MeldingStatus::ALL.iter().map(|s| s.as_str()).collect();
            bad_value("status", &all)
        })?),
    };
    let page = pagination.page();
    let list = verzuim_service::leerplicht::list_meldingen(
        &state.store,
        &acting.caller,
        state.today(),
        status,
        page,
    )
    .await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Meldingen(acting.org().to_owned()),
        None,
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        list.into_iter().map(melding_out).collect(),
        page,
    )))
}

/// One melding with its persoonsgebonden nummer, afspraken and history.
#[utoipa::path(
    get,
    path = "/api/meldingen/{id}",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    responses(
        (status = 200, description = "De melding", body = MeldingDetail),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar of verzuimcoordinator", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
    )
)]
async fn get_melding(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<MeldingDetail>> {
    let view = visible(&state, &acting, id).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Melding(id),
        Some((&view.melding.school_id, &view.melding.pupil_id)),
    )
    .await?;
    Ok(axum::Json(detail(view)))
}

/// Change a melding's DUO status: leerplicht takes it in behandeling, closes it (afgesloten, with
/// a reason and afspraken: the school gets a feedback task) or takes note of it; the school
/// withdraws it (ingetrokken, with a reason).
#[utoipa::path(
    post,
    path = "/api/meldingen/{id}/status",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    request_body = MeldingStatusIn,
    responses(
        (status = 200, description = "Gewijzigd", body = MeldingChanged),
        (status = 400, description = "ongeldige_waarde, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Deze status is niet aan uw rol", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
        (status = 409, description = "Intussen gewijzigd", body = ErrorBody),
        (status = 422, description = "Overgang niet toegestaan; afspraken of reden ontbreken", body = ErrorBody),
    )
)]
async fn melding_status(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<MeldingStatusIn>,
) -> ApiResult<axum::Json<MeldingChanged>> {
    let view = visible(&state, &acting, id).await?;
    let action = action(&body)?;
    let school_action = matches!(action, MeldingAction::Ingetrokken { .. });
    let role_ok = if school_action {
        acting.role() == Role::Verzuimcoordinator
    } else {
        acting.role() == Role::Leerplichtambtenaar
    };
    if !role_ok {
        return Err(ApiError::forbidden());
    }
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Melding(id)
            .detail("status")
            .detail(body.status.trim()),
        Some((&view.melding.school_id, &view.melding.pupil_id)),
    );
    let outcome = meldingen::melding_action(&state.store, &caller, id, &action).await?;
    let view = visible(&state, &acting, id).await?;
    Ok(axum::Json(MeldingChanged {
        melding: detail(view),
        tasks_created: outcome.tasks_created,
        tasks_closed: outcome.tasks_closed,
    }))
}

/// Leerplicht records afspraken on a running melding without closing it ("koppelt afspraken
/// terug aan melder"): the school gets them as a task.
#[utoipa::path(
    post,
    path = "/api/meldingen/{id}/afspraken",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    request_body = AfsprakenIn,
    responses(
        (status = 200, description = "Vastgelegd", body = MeldingChanged),
        (status = 400, description = "verplicht, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw gemeente", body = ErrorBody),
        (status = 422, description = "De melding loopt niet meer", body = ErrorBody),
    )
)]
async fn melding_afspraken(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<AfsprakenIn>,
) -> ApiResult<axum::Json<MeldingChanged>> {
    let view = visible(&state, &acting, id).await?;
    check_len("afspraken", &body.afspraken, TEXT_MAX)?;
    if body.afspraken.trim().is_empty() {
        return Err(ApiError::required("afspraken"));
    }
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Melding(id).detail("afspraken"),
        Some((&view.melding.school_id, &view.melding.pupil_id)),
    );
    let outcome = meldingen::record_afspraken(&state.store, &caller, id, &body.afspraken).await?;
    let view = visible(&state, &acting, id).await?;
    Ok(axum::Json(MeldingChanged {
        melding: detail(view),
        tasks_created: outcome.tasks_created,
        tasks_closed: outcome.tasks_closed,
    }))
}

/// The melding as the documented JSON document for DUO's register (`verzuim-duo-melding/1`,
/// docs/duo-export.md): exactly the legal content of rules.md §7, the school, the municipality and
/// DUO's status. No name, address, notes or health data.
#[utoipa::path(
    get,
    path = "/api/meldingen/{id}/duo-export",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    responses(
        (status = 200, description = "Het exportdocument (verzuim-duo-melding/1)", body = Object, content_type = "application/json"),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar of verzuimcoordinator", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
    )
)]
async fn duo_export(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let view = visible(&state, &acting, id).await?;
    let doc = meldingen::duo_export(&view);
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Melding(id).detail("duo_export"),
        Some((&view.melding.school_id, &view.melding.pupil_id)),
    )
    .await?;
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"duo-melding-{id}.json\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [(header::CONTENT_DISPOSITION, disposition)],
        axum::Json(doc),
    )
        .into_response())
}
