//! Leerplicht's regional figures and the melding as DUO's verzuimregister asks it (issue 11):
//!
//! - `GET /api/gemeente/prikactie`: per school, the pupils living in the municipality absent
//!   around a holiday (counts; below 5 as "fewer than 5") and, per pupil, only those with a
//!   melding to the municipality (`verzuim_service::region::prikactie`).
//! - `GET /api/gemeente/jaarcijfers`: the municipality's year in figures
//!   (`verzuim_service::region::year_figures`).
//!
//! Roles: `leerplichtambtenaar` (users; no API token). The melding for DUO's verzuimregister is
//! in [`super::duo`].

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::region;

use super::common::audit_pupil_data;
use crate::audit::Audit;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Query;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(prikactie), &policy::LEERPLICHT)
        .routes_with(routes!(jaarcijfers), &policy::LEERPLICHT)
}

/// `?jaar=&vakantie=&org=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrikactieQuery {
    /// Het eerste kalenderjaar van het schooljaar (2026: 2026-2027); standaard het huidige.
    #[param(minimum = 2000, maximum = 2100)]
    pub jaar: Option<i16>,
    /// De naam van de vakantie zoals in de schoolkalenders ("Herfstvakantie"); standaard de
    /// laatste vakantie die al begonnen is.
    #[param(max_length = 200)]
    pub vakantie: Option<String>,
    /// De organisatie namens welke u handelt (alleen nodig met rollen in meerdere organisaties).
    pub org: Option<String>,
}

/// `?jaar=&org=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Het eerste kalenderjaar van het schooljaar (2026: 2026-2027); standaard het huidige.
    #[param(minimum = 2000, maximum = 2100)]
    pub jaar: Option<i16>,
    /// De organisatie namens welke u handelt (alleen nodig met rollen in meerdere organisaties).
    pub org: Option<String>,
}

fn year(state: &AppState, jaar: Option<i16>) -> ApiResult<i16> {
    match jaar {
        None => Ok(region::year_of(state.today())),
        Some(y) if (2000..=2100).contains(&y) => Ok(y),
        Some(_) => Err(super::common::bad_value("jaar", &["2000 tot en met 2100"])),
    }
}

/// The prikactie around a holiday: per school the pupils living in the municipality absent
/// `ongeoorloofd` or `luxe` on the last lesson day before and the first after the holiday, and
/// the possible-luxe signals on those days. Counts from 1 to 4 come as `value: null,
/// fewer_than: 5`. Pupils are listed only where the municipality has a melding for them.
#[utoipa::path(
    get,
    path = "/api/gemeente/prikactie",
    tag = "gemeente",
    params(PrikactieQuery),
    responses(
        (status = 200, description = "De prikactie (verzuim_service::region::Prikactie)", body = Object, content_type = "application/json"),
        (status = 400, description = "ongeldige_waarde", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar van een gemeente", body = ErrorBody),
        (status = 422, description = "Geen vakantie van dat schooljaar", body = ErrorBody),
    )
)]
async fn prikactie(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Query(q): Query<PrikactieQuery>,
) -> ApiResult<Response> {
    let y = year(&state, q.jaar)?;
    let p = region::prikactie(
        &state.store,
        &acting.caller,
        y,
        q.vakantie.as_deref(),
        state.today(),
    )
    .await?;
    audit_pupil_data(&audit, &acting, false, AuditObject::Prikactie(y), None).await?;
    Ok(axum::Json(p).into_response())
}

/// The municipality's year in figures (1 August – 31 July): meldingen per kind, their
/// outcomes, leerplicht's actions, thuiszitters at the start and end; per school and in total.
#[utoipa::path(
    get,
    path = "/api/gemeente/jaarcijfers",
    tag = "gemeente",
    params(YearQuery),
    responses(
        (status = 200, description = "De jaarcijfers (verzuim_service::region::YearFigures)", body = Object, content_type = "application/json"),
        (status = 400, description = "ongeldige_waarde", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar van een gemeente", body = ErrorBody),
    )
)]
async fn jaarcijfers(
    State(state): State<AppState>,
    acting: Acting,
    Query(q): Query<YearQuery>,
) -> ApiResult<Response> {
    let y = year(&state, q.jaar)?;
    let f = region::year_figures(&state.store, &acting.caller, y).await?;
    Ok(axum::Json(f).into_response())
}
