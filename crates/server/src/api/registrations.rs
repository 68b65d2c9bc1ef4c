//! Registrations of absence and lateness (formats.md's registrations.csv, one at a time):
//! `/api/schools/{school}/pupils/{pupil}/registrations` (list, add) and
//! `/api/schools/{school}/registrations/{id}` (correct, delete, history). Every change re-evaluates
//! the pupil at once; corrections and deletions are new versions, the earlier ones stay.
//!
//! Roles: writing by a school's `leerkracht` (own groups) and `verzuimcoordinator`, or a token
//! with `registrations:write` (a school's administration package); reading also by the
//! `beheerder` (token: `registrations:read`) and by `leerplichtambtenaar` within its meldingen.

use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_engine::model::{Code, Registration, Span};
use verzuim_exchange::values::{When, parse_when, time_hm};
use verzuim_service::history;
use verzuim_service::model::StoredRegistration;
use verzuim_service::{records, visibility};

use super::common::{
    Acting, OrgQuery, TEXT_MAX, VersionChanged, Versioned, audit_pupil_data, bad_value,
    change_audit_row, check_opt, pupil_data_event,
};
use super::pupils::visible_pupil;
use crate::audit::Audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_registrations), &policy::REGISTRATIONS_READ)
        .routes_with(routes!(add_registration), &policy::REGISTRATIONS_WRITE)
        .routes_with(routes!(correct_registration), &policy::REGISTRATIONS_WRITE)
        .routes_with(routes!(delete_registration), &policy::REGISTRATIONS_WRITE)
        .routes_with(routes!(registration_history), &policy::RECORDS_READ)
}

/// A registration as registrations.csv writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RegistrationIn {
    /// `ongeoorloofd`, `luxe`, `ziek`, `te_laat`, `verlof`, `geoorloofd`, `schorsing`.
    #[schema(schema_with = super::schemas::code)]
    pub code: String,
    /// A date (whole lesson days) or a date with a time (`2026-09-21T10:15`).
    #[schema(example = "2026-09-21", max_length = 40)]
    pub start: String,
    /// Same form as `start`: a date is inclusive, a time exclusive; empty after a date = that
    /// day, after a time = until the end of that day's lesson time.
    #[schema(max_length = 40)]
    pub end: Option<String>,
    /// For `te_laat` only: minutes late.
    #[serde(default, deserialize_with = "crate::extract::opt_whole_u32")]
    pub minutes: Option<u32>,
    /// Free text; refused on `ziek` (the nature of an illness is never stored).
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Why the registration is corrected: required from the verzuimcoördinator for a
    /// registration before the previous lesweek (a leerkracht corrects only the current and
    /// previous lesweek); kept with the new version.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// `?org=` and `?reason=` of a deletion.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// De organisatie namens welke u handelt (alleen nodig met rollen in meerdere organisaties).
    #[param(max_length = 64)]
    pub org: Option<String>,
    /// De reden van de verwijdering: verplicht voor de verzuimcoördinator bij een registratie
    /// of gebeurtenis van vóór de vorige lesweek.
    #[param(max_length = 2000)]
    pub reason: Option<String>,
}

/// One version of a registration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: i64,
    pub version: i64,
    pub code: String,
    pub start: String,
    pub end: Option<String>,
    pub minutes: Option<u32>,
    pub note: Option<String>,
    /// This version deletes the registration.
    pub deleted: bool,
    /// The reason given for this correction or deletion (registrations before the previous
    /// lesweek), if any.
    pub reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// `user:ID`, `token:ID` or `system`.
    pub created_by: String,
}

/// `start` and `end` as registrations.csv writes them.
pub fn span_text(span: &Span) -> (String, Option<String>) {
    match *span {
        Span::Days { from, until } => (from.to_string(), Some(until.to_string())),
        Span::Times { date, from, until } => (
            format!("{date}T{}", time_hm(from)),
            until.map(|u| format!("{date}T{}", time_hm(u))),
        ),
    }
}

pub fn registration_out(r: StoredRegistration) -> RegistrationOut {
    let (start, end) = span_text(&r.registration.span);
    RegistrationOut {
        id: r.id,
        version: r.version,
        code: r.registration.code.as_str().to_owned(),
        start,
        end,
        minutes: r.registration.minutes_late,
        note: r.note,
        deleted: r.deleted,
        reason: None,
        created_at: r.created_at,
        created_by: r.created_by,
    }
}

fn bad_when(field: &str, message: String) -> ApiError {
    ApiError::unprocessable("ongeldige_datum", format!("{}.", capitalise(&message)))
        .with_field(field)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The engine's registration and the note, from the request (formats.md's rules for `start`
/// and `end`).
fn parse_registration(body: &RegistrationIn) -> ApiResult<(Registration, Option<String>)> {
    let code = Code::parse(&body.code).ok_or_else(|| {
        bad_value(
            "code",
            &Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        )
    })?;
    crate::extract::check_len("start", &body.start, 40)?;
    check_opt("end", body.end.as_deref(), 40)?;
    check_opt("note", body.note.as_deref(), TEXT_MAX)?;
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if code == Code::Ziek && note.is_some() {
        return Err(no_note_on_illness("een ziekmelding"));
    }
    let start = parse_when(body.start.trim()).map_err(|m| bad_when("start", m))?;
    let end = match body.end.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(parse_when(e).map_err(|m| bad_when("end", m))?),
        None => None,
    };
    let span = match (start, end) {
        (When::Date(from), None) => Span::Days { from, until: from },
        (When::Date(from), Some(When::Date(until))) => Span::Days { from, until },
        (When::DateTime(date, from), None) => Span::Times {
            date,
            from,
            until: None,
        },
        (When::DateTime(date, from), Some(When::DateTime(d2, until))) => {
            if d2 != date {
                return Err(ApiError::unprocessable(
                    "ongeldige_datum",
                    "Een tijdvak ligt binnen één dag: begin en einde moeten dezelfde datum hebben.",
                )
                .with_field("end"));
            }
            Span::Times {
                date,
                from,
                until: Some(until),
            }
        }
        _ => {
            return Err(ApiError::unprocessable(
                "ongeldige_datum",
                "Begin en einde zijn allebei een datum, of allebei een datum met een tijd.",
            )
            .with_field("end"));
        }
    };
    Ok((
        Registration {
            code,
            span,
            minutes_late: body.minutes,
        },
        note,
    ))
}

/// 422 `geen_toelichting_bij_ziekte`: rules.md §8, the nature of an illness is never stored.
pub fn no_note_on_illness(what: &str) -> ApiError {
    ApiError::unprocessable(
        "geen_toelichting_bij_ziekte",
        format!(
            "Bij {what} wordt geen toelichting vastgelegd: de aard van een ziekte wordt nooit opgeslagen."
        ),
    )
    .with_field("note")
}

/// The pupil a registration or event of the school belongs to (`found`: the store's answer),
/// checked against a leerkracht's groups. 404 when there is none.
pub(super) async fn recorded_pupil(
    state: &AppState,
    acting: &Acting,
    school: &str,
    found: Option<String>,
) -> ApiResult<String> {
    let pupil = found.ok_or_else(ApiError::not_found)?;
    if acting.groups.is_some() {
        visible_pupil(state, acting, school, &pupil).await?;
    }
    Ok(pupil)
}

/// The pupil of a registration of the school, checked as [`recorded_pupil`] does.
async fn pupil_of_registration(
    state: &AppState,
    acting: &Acting,
    school: &str,
    id: i64,
) -> ApiResult<String> {
    let found = history::pupil_of_registration(&state.store, &acting.caller, school, id).await?;
    recorded_pupil(state, acting, school, found).await
}

/// A pupil's current registrations, in the order they were made (leerplicht: those within the
/// periods of its meldingen).
#[utoipa::path(
    get,
    path = "/api/schools/{school}/pupils/{pupil}/registrations",
    tag = "registraties",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        Pagination,
        OrgQuery,
    ),
    responses(
        (status = 200, description = "Een pagina registraties", body = Paginated<RegistrationOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol die registraties leest", body = ErrorBody),
        (status = 404, description = "Onbekende of niet zichtbare leerling", body = ErrorBody),
    )
)]
async fn list_registrations(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<RegistrationOut>>> {
    visible_pupil(&state, &acting, &school, &pupil).await?;
    let page = pagination.page();
    let regs =
        visibility::registrations(&state.store, &acting.caller, &school, &pupil, page).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Registrations(pupil.clone()),
        Some((&school, &pupil)),
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        regs.into_iter().map(registration_out).collect(),
        page,
    )))
}

/// Register absence or lateness; the pupil is re-evaluated at once (a new signal opens or
/// extends the pupil's case and makes the school's tasks).
#[utoipa::path(
    post,
    path = "/api/schools/{school}/pupils/{pupil}/registrations",
    tag = "registraties",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        OrgQuery,
    ),
    request_body = RegistrationIn,
    responses(
        (status = 201, description = "Vastgelegd", body = VersionChanged),
        (status = 400, description = "ongeldige_waarde, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerkracht of verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende leerling (of niet van uw groepen)", body = ErrorBody),
        (status = 422, description = "ongeldige_datum; geen_toelichting_bij_ziekte; ongeldig: na vandaag, buiten de inschrijving, overlap", body = ErrorBody),
    )
)]
async fn add_registration(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Json(body): Json<RegistrationIn>,
) -> ApiResult<(StatusCode, axum::Json<VersionChanged>)> {
    // A leerkracht: own groups only (the service itself refuses a pupil of another school).
    if acting.groups.is_some() {
        visible_pupil(&state, &acting, &school, &pupil).await?;
    }
    let (registration, note) = parse_registration(&body)?;
    // The audit row commits with the registration (one transaction, one commit).
    let event = pupil_data_event(&audit, &acting, true, "", Some((&school, &pupil)));
    let audit_row = change_audit_row(&event, Versioned::Registration, "add");
    let change = records::add_registration(
        &state.store,
        &acting.caller,
        state.today(),
        &school,
        &pupil,
        &registration,
        note.as_deref(),
        Some(&audit_row),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(change.into())))
}

/// Correct a registration: a new version (the earlier ones stay in its history); the pupil is
/// re-evaluated, and a signal whose ground is gone is withdrawn.
#[utoipa::path(
    put,
    path = "/api/schools/{school}/registrations/{id}",
    tag = "registraties",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("id" = i64, Path, description = "Nummer van de registratie"),
        OrgQuery,
    ),
    request_body = RegistrationIn,
    responses(
        (status = 200, description = "Gecorrigeerd", body = VersionChanged),
        (status = 400, description = "ongeldige_waarde, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerkracht of verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende registratie", body = ErrorBody),
        (status = 422, description = "ongeldige_datum; geen_toelichting_bij_ziekte; ongeldig", body = ErrorBody),
    )
)]
async fn correct_registration(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, id)): Path<(String, i64)>,
    Json(body): Json<RegistrationIn>,
) -> ApiResult<axum::Json<VersionChanged>> {
    let pupil = pupil_of_registration(&state, &acting, &school, id).await?;
    let (registration, note) = parse_registration(&body)?;
    // The audit row commits with the correction (one transaction).
    let audited = pupil_data_event(&audit, &acting, true, "", Some((&school, &pupil)));
    let audit_row = change_audit_row(&audited, Versioned::Registration, "correct");
    check_opt("reason", body.reason.as_deref(), TEXT_MAX)?;
    let change = records::correct_registration_because(
        &state.store,
        &acting.caller,
        state.today(),
        &school,
        id,
        &registration,
        note.as_deref(),
        body.reason.as_deref(),
        Some(&audit_row),
    )
    .await?;
    Ok(axum::Json(change.into()))
}

/// Delete a registration: a version that marks it deleted (kept in its history); the pupil is
/// re-evaluated.
#[utoipa::path(
    delete,
    path = "/api/schools/{school}/registrations/{id}",
    tag = "registraties",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("id" = i64, Path, description = "Nummer van de registratie"),
        DeleteQuery,
    ),
    responses(
        (status = 200, description = "Verwijderd (als nieuwe versie)", body = VersionChanged),
        (status = 422, description = "ongeldig: een leerkracht buiten deze en de vorige lesweek, of geen reden", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerkracht of verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende (of al verwijderde) registratie", body = ErrorBody),
    )
)]
async fn delete_registration(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, id)): Path<(String, i64)>,
    Query(query): Query<DeleteQuery>,
) -> ApiResult<axum::Json<VersionChanged>> {
    let pupil = pupil_of_registration(&state, &acting, &school, id).await?;
    check_opt("reason", query.reason.as_deref(), TEXT_MAX)?;
    let audited = pupil_data_event(&audit, &acting, true, "", Some((&school, &pupil)));
    let audit_row = change_audit_row(&audited, Versioned::Registration, "delete");
    let change = records::delete_registration_because(
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

/// Every version of a registration, oldest first (corrections and the deletion included).
#[utoipa::path(
    get,
    path = "/api/schools/{school}/registrations/{id}/history",
    tag = "registraties",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("id" = i64, Path, description = "Nummer van de registratie"),
        OrgQuery,
    ),
    responses(
        (status = 200, description = "De versies", body = Vec<RegistrationOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol bij deze school", body = ErrorBody),
        (status = 404, description = "Onbekende registratie", body = ErrorBody),
    )
)]
async fn registration_history(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, id)): Path<(String, i64)>,
) -> ApiResult<axum::Json<Vec<RegistrationOut>>> {
    let pupil = pupil_of_registration(&state, &acting, &school, id).await?;
    let history::RegistrationHistory { versions, reasons } =
        history::registration_history(&state.store, &acting.caller, &school, id).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Registration(id).detail("history"),
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
                RegistrationOut {
                    reason,
                    ..registration_out(v)
                }
            })
            .collect(),
    ))
}
