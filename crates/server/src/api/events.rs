//! Manual events (formats.md's events.csv, one at a time): `verwijdering`, `zorg_ziekte`,
//! `overig_verzuim`. Same shape as registrations:
//! `/api/schools/{school}/pupils/{pupil}/events` (list, add) and
//! `/api/schools/{school}/events/{id}` (correct, delete, history). Every change re-evaluates the
//! pupil; corrections and deletions are new versions.
//!
//! Roles: writing by a school's `leerkracht` (own groups) and `verzuimcoordinator`, or a token
//! with `registrations:write`; reading also by the `beheerder` (token: `registrations:read`).

use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_engine::model::{Event, EventKind};
use verzuim_service::history;
use verzuim_service::model::{Page, StoredEvent};
use verzuim_service::records;
use verzuim_service::visibility;

use super::common::{
    Acting, OrgQuery, TEXT_MAX, VersionChanged, Versioned, audit_pupil_data, bad_value,
    change_audit_row, check_opt, pupil_data_event,
};
use super::pupils::visible_pupil;
use super::registrations::{DeleteQuery, no_note_on_illness, recorded_pupil};
use crate::audit::Audit;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_events), &policy::RECORDS_READ)
        .routes_with(routes!(add_event), &policy::REGISTRATIONS_WRITE)
        .routes_with(routes!(correct_event), &policy::REGISTRATIONS_WRITE)
        .routes_with(routes!(delete_event), &policy::REGISTRATIONS_WRITE)
        .routes_with(routes!(event_history), &policy::RECORDS_READ)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EventIn {
    /// `verwijdering`, `zorg_ziekte` or `overig_verzuim`.
    #[schema(schema_with = super::schemas::event_kind)]
    pub event: String,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// `verwijdering`: the school that agreed to admit the pupil (required); `overig_verzuim`:
    /// the suspected underlying problem; refused on `zorg_ziekte`.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Why the event is corrected: required from the verzuimcoördinator for an event before
    /// the previous lesweek (a leerkracht corrects only the current and previous lesweek); kept
    /// with the new version.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// One version of an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub version: i64,
    pub event: String,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub note: Option<String>,
    pub deleted: bool,
    /// The reason given for this correction or deletion (events before the previous lesweek),
    /// if any (in the history).
    pub reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: String,
}

pub fn event_out(e: StoredEvent) -> EventOut {
    EventOut {
        id: e.id,
        version: e.version,
        event: e.event.kind.as_str().to_owned(),
        date: e.event.date,
        note: e.event.note,
        deleted: e.deleted,
        reason: None,
        created_at: e.created_at,
        created_by: e.created_by,
    }
}

fn parse_event(body: &EventIn) -> ApiResult<Event> {
    let kind = EventKind::parse(&body.event).ok_or_else(|| {
        bad_value(
            "event",
            &EventKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>(),
        )
    })?;
    check_opt("note", body.note.as_deref(), TEXT_MAX)?;
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if kind == EventKind::ZorgZiekte && note.is_some() {
        return Err(no_note_on_illness("zorg om ziekte (zorg_ziekte)"));
    }
    Ok(Event {
        kind,
        date: body.date,
        note,
    })
}

/// The pupil of an event of the school, checked as [`recorded_pupil`] does.
async fn pupil_of_event(
    state: &AppState,
    acting: &Acting,
    school: &str,
    id: i64,
) -> ApiResult<String> {
    let found = history::pupil_of_event(&state.store, &acting.caller, school, id).await?;
    recorded_pupil(state, acting, school, found).await
}

/// A pupil's current events, in the order they were recorded.
#[utoipa::path(
    get,
    path = "/api/schools/{school}/pupils/{pupil}/events",
    tag = "gebeurtenissen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        Pagination,
        OrgQuery,
    ),
    responses(
        (status = 200, description = "Een pagina gebeurtenissen", body = Paginated<EventOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol bij deze school", body = ErrorBody),
        (status = 404, description = "Onbekende leerling", body = ErrorBody),
    )
)]
async fn list_events(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<EventOut>>> {
    visible_pupil(&state, &acting, &school, &pupil).await?;
    let page: Page = pagination.page();
    let events = visibility::events(&state.store, &acting.caller, &school, &pupil, page).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Events(pupil.clone()),
        Some((&school, &pupil)),
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        events.into_iter().map(event_out).collect(),
        page,
    )))
}

/// Record an event; the pupil is re-evaluated at once.
#[utoipa::path(
    post,
    path = "/api/schools/{school}/pupils/{pupil}/events",
    tag = "gebeurtenissen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        OrgQuery,
    ),
    request_body = EventIn,
    responses(
        (status = 201, description = "Vastgelegd", body = VersionChanged),
        (status = 400, description = "ongeldige_waarde, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerkracht of verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende leerling", body = ErrorBody),
        (status = 422, description = "geen_toelichting_bij_ziekte; ongeldig", body = ErrorBody),
    )
)]
async fn add_event(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Json(body): Json<EventIn>,
) -> ApiResult<(StatusCode, axum::Json<VersionChanged>)> {
    // A leerkracht: own groups only (the service itself refuses a pupil of another school).
    if acting.groups.is_some() {
        visible_pupil(&state, &acting, &school, &pupil).await?;
    }
    let event = parse_event(&body)?;
    // The audit row commits with the event (one transaction).
    let audited = pupil_data_event(&audit, &acting, true, "", Some((&school, &pupil)));
    let audit_row = change_audit_row(&audited, Versioned::Event, "add");
    let change = records::add_event(
        &state.store,
        &acting.caller,
        state.today(),
        &school,
        &pupil,
        &event,
        Some(&audit_row),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(change.into())))
}

/// Correct an event (a new version); the pupil is re-evaluated.
#[utoipa::path(
    put,
    path = "/api/schools/{school}/events/{id}",
    tag = "gebeurtenissen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("id" = i64, Path, description = "Nummer van de gebeurtenis"),
        OrgQuery,
    ),
    request_body = EventIn,
    responses(
        (status = 200, description = "Gecorrigeerd", body = VersionChanged),
        (status = 400, description = "ongeldige_waarde, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerkracht of verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende gebeurtenis", body = ErrorBody),
        (status = 422, description = "geen_toelichting_bij_ziekte; ongeldig (ook: een leerkracht buiten deze en de vorige lesweek, of geen reden)", body = ErrorBody),
    )
)]
async fn correct_event(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, id)): Path<(String, i64)>,
    Json(body): Json<EventIn>,
) -> ApiResult<axum::Json<VersionChanged>> {
    let pupil = pupil_of_event(&state, &acting, &school, id).await?;
    let event = parse_event(&body)?;
    // The audit row commits with the correction (one transaction).
    let audited = pupil_data_event(&audit, &acting, true, "", Some((&school, &pupil)));
    let audit_row = change_audit_row(&audited, Versioned::Event, "correct");
    check_opt("reason", body.reason.as_deref(), TEXT_MAX)?;
    let change = records::correct_event_because(
        &state.store,
        &acting.caller,
        state.today(),
        &school,
        id,
        &event,
        body.reason.as_deref(),
        Some(&audit_row),
    )
    .await?;
    Ok(axum::Json(change.into()))
}

/// Delete an event (a version marked deleted); the pupil is re-evaluated.
#[utoipa::path(
    delete,
    path = "/api/schools/{school}/events/{id}",
    tag = "gebeurtenissen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("id" = i64, Path, description = "Nummer van de gebeurtenis"),
        DeleteQuery,
    ),
    responses(
        (status = 200, description = "Verwijderd (als nieuwe versie)", body = VersionChanged),
        (status = 422, description = "ongeldig: een leerkracht buiten deze en de vorige lesweek, of geen reden", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerkracht of verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende gebeurtenis", body = ErrorBody),
    )
)]
async fn delete_event(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, id)): Path<(String, i64)>,
    Query(query): Query<DeleteQuery>,
) -> ApiResult<axum::Json<VersionChanged>> {
    let pupil = pupil_of_event(&state, &acting, &school, id).await?;
    check_opt("reason", query.reason.as_deref(), TEXT_MAX)?;
    let audited = pupil_data_event(&audit, &acting, true, "", Some((&school, &pupil)));
    let audit_row = change_audit_row(&audited, Versioned::Event, "delete");
    let change = records::delete_event_because(
        &state.store,
        &acting.caller,
        state.today(),
        &school,
        id,
        query.reason.as_deref(),
        Some(&audit_row),
    )
    .await?;
    Ok(axum::Json(change.into()))
}

/// Every version of an event, oldest first.
#[utoipa::path(
    get,
    path = "/api/schools/{school}/events/{id}/history",
    tag = "gebeurtenissen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("id" = i64, Path, description = "Nummer van de gebeurtenis"),
        OrgQuery,
    ),
    responses(
        (status = 200, description = "De versies", body = Vec<EventOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol bij deze school", body = ErrorBody),
        (status = 404, description = "Onbekende gebeurtenis", body = ErrorBody),
    )
)]
async fn event_history(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, id)): Path<(String, i64)>,
) -> ApiResult<axum::Json<Vec<EventOut>>> {
    let pupil = pupil_of_event(&state, &acting, &school, id).await?;
    let history::EventHistory { versions, reasons } =
        history::event_history(&state.store, &acting.caller, &school, id).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Event(id).detail("history"),
        Some((&school, &pupil)),
    )
    .await?;
    Ok(axum::Json(
        versions
            .into_iter()
            .map(|v| {
                let reason = reasons
                    .iter()
                    .find(|(version, _)| *version == v.version)
                    .map(|(_, r)| r.clone());
                EventOut {
                    reason,
                    ..event_out(v)
                }
            })
            .collect(),
    ))
}
