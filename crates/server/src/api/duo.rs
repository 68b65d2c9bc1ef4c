//! The melding as DUO's verzuimregister asks it, through the API (issue 11; docs/duo-export.md,
//! docs/api.md "DUO-verzuimregister"). The same service calls as the page `/meldingen/{id}/duo`
//! (`verzuim_service::duo`), each write audited in its own transaction:
//!
//! - `GET /api/meldingen/{id}/duo-verzuimregister`: the register's fields
//!   (`verzuim-duo-verzuimregister/1`), for the school that made the melding and the
//!   municipality it went to;
//! - `PUT /api/meldingen/{id}/duo-verzuimregister`: what the school adds (stay address, phone,
//!   "alle lessen gemist", "actie door gemeente gewenst", location, the einddatum of a langdurig
//!   relatief verzuim, DUO's closing reason);
//! - `POST …/duo-verzuimregister/indiening`: DUO's meldingsnummer and the day of submission;
//! - `POST …/duo-verzuimregister/wijziging`: the day the later update (the einddatum) went in;
//! - `POST …/duo-verzuimregister/status`: DUO's status as the school reads it in the register;
//!   the melding's own status follows (`verzuim_service::duo::follow`);
//! - `GET`/`PUT /api/schools/{school}/contactpersoon`: the school's contact person.
//!
//! Roles: writes on a melding the school's `verzuimcoordinator` (tokens with `meldingen:write`);
//! the contact person its `verzuimcoordinator` and `beheerder`. A value outside a fixed list, a
//! malformed date or a text too long is 400 (the schema says so); a broken rule of the register
//! is 422 with a Dutch message naming the field.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::{Audit, AuditObject, action};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path, check_len};
use crate::policy::{self, PolicyRoutes};
use crate::state::AppState;
use verzuim_service::duo::{
    self, DuoClosingReason, DuoDetails, DuoMelding, DuoStatus, PhoneOf, SchoolContact,
};

use super::common::{OrgQuery, TEXT_MAX, audit_pupil_data, audited_write, bad_value, check_opt};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(duo_register), &policy::MELDINGEN_READ)
        .routes_with(routes!(duo_details), &policy::DUO_WRITE)
        .routes_with(routes!(duo_submission), &policy::DUO_WRITE)
        .routes_with(routes!(duo_update), &policy::DUO_WRITE)
        .routes_with(routes!(duo_status), &policy::DUO_WRITE)
        .routes_with(routes!(get_contact), &policy::SCHOOL_CONTACT)
        .routes_with(routes!(put_contact), &policy::SCHOOL_CONTACT)
}

fn strings(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// `ouder`, `leerling`.
fn phone_of_schema() -> Object {
    strings(
        PhoneOf::ALL.iter().map(|p| p.as_str()),
        "Van wie het telefoonnummer is.",
    )
}

/// DUO's closing reasons.
fn duo_closing_reason_schema() -> Object {
    strings(
        DuoClosingReason::ALL.iter().map(|r| r.as_str()),
        "De reden van afsluiten zoals DUO die noemt.",
    )
}

/// DUO's statuses.
fn duo_status_schema() -> Object {
    strings(
        DuoStatus::ALL.iter().map(|s| s.as_str()),
        "De status van de melding in het verzuimregister van DUO.",
    )
}

fn parse_in<T: Copy>(
    field: &str,
    value: Option<&str>,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> ApiResult<Option<T>> {
    match value {
        None => Ok(None),
        Some(v) => all
            .iter()
            .copied()
            .find(|x| name(*x) == v.trim())
            .map(Some)
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|x| name(*x)).collect();
                bad_value(field, &names)
            }),
    }
}

/// The school and pupil of a melding the caller may see, for the audit row (404 otherwise).
async fn pupil_of(state: &AppState, acting: &Acting, id: i64) -> ApiResult<(String, String)> {
    let v = verzuim_service::meldingen::melding(&state.store, &acting.caller, id).await?;
    Ok((v.melding.school_id, v.melding.pupil_id))
}

/// The caller of one of the four writes on a melding's register: the melding must be visible
/// (404 otherwise), and the write's audit row (`melding:{id}:{detail}`, with its pupil) commits
/// with the write in the service's transaction.
async fn melding_write(
    state: &AppState,
    acting: &Acting,
    audit: &Audit,
    id: i64,
    detail: &str,
) -> ApiResult<verzuim_service::Caller> {
    let (school, pupil) = pupil_of(state, acting, id).await?;
    let object = AuditObject::Melding(id).detail(detail);
    Ok(audited_write(
        audit,
        acting,
        object,
        Some((&school, &pupil)),
    ))
}

/// The register's document of a melding, with a download name.
fn document(id: i64, m: &DuoMelding) -> Response {
    let disposition = HeaderValue::from_str(&format!(
        "inline; filename=\"duo-verzuimregister-{id}.json\""
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    (
        [(header::CONTENT_DISPOSITION, disposition)],
        axum::Json(duo::json(m)),
    )
        .into_response()
}

/// The melding's fields as DUO's verzuimregister asks them (`verzuim-duo-verzuimregister/1`,
/// docs/duo-export.md), with DUO's meldingsnummer once the school recorded its submission and
/// DUO's status as the school recorded it.
#[utoipa::path(
    get,
    path = "/api/meldingen/{id}/duo-verzuimregister",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    responses(
        (status = 200, description = "Het document (verzuim-duo-verzuimregister/1)", body = Object, content_type = "application/json"),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar of verzuimcoordinator", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
    )
)]
async fn duo_register(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let m = duo::register_view(&state.store, &acting.caller, id).await?;
    let (school, pupil) = pupil_of(&state, &acting, id).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Melding(id).detail("duo_verzuimregister"),
        Some((&school, &pupil)),
    )
    .await?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"duo-verzuimregister-{id}.json\""
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [(header::CONTENT_DISPOSITION, disposition)],
        axum::Json(duo::json(&m)),
    )
        .into_response())
}

/// A stay address: only where it differs from the address in the BRP (all three parts).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StayAddressIn {
    #[schema(max_length = 200)]
    pub straat_huisnummer: String,
    /// `1234 AB`.
    #[schema(max_length = 20)]
    pub postcode: String,
    #[schema(max_length = 100)]
    pub plaats: String,
}

/// What the school adds to the melding for the register. The whole set is replaced; DUO's
/// meldingsnummer and status stay.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DuoDetailsIn {
    /// Only where it differs from the BRP address; `null` otherwise.
    pub verblijfadres: Option<StayAddressIn>,
    /// A phone number of a parent or the pupil (10 to 15 digits).
    #[schema(max_length = 40)]
    pub telefoonnummer: Option<String>,
    /// Whose number it is (required with a number).
    #[schema(schema_with = phone_of_schema)]
    pub telefoonnummer_van: Option<String>,
    /// "Alle lessen gemist".
    pub alle_lessen_gemist: bool,
    /// "Actie door gemeente gewenst"; with `false` a reason is required.
    pub actie_door_gemeente_gewenst: bool,
    #[schema(max_length = 2000)]
    pub reden_geen_actie: Option<String>,
    #[schema(max_length = 200)]
    pub locatie: Option<String>,
    /// Only for langdurig relatief verzuim: the day the pupil was back or deregistered (not
    /// before the begindatum, not after today); empty while the absence lasts.
    #[schema(value_type = Option<String>, format = Date)]
    pub einddatum: Option<Date>,
    /// DUO's closing reason, where the school knows it.
    #[schema(schema_with = duo_closing_reason_schema)]
    pub reden_afsluiten_duo: Option<String>,
}

/// Store what the school adds for DUO's register (the coordinator of the school that made the
/// melding). Answers the register's document.
#[utoipa::path(
    put,
    path = "/api/meldingen/{id}/duo-verzuimregister",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    request_body = DuoDetailsIn,
    responses(
        (status = 200, description = "Opgeslagen: het document (verzuim-duo-verzuimregister/1)", body = Object, content_type = "application/json"),
        (status = 400, description = "ongeldige_waarde, te_lang, ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator van de school die meldde", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
        (status = 422, description = "ongeldig: verblijfadres onvolledig of postcode ongeldig, telefoonnummer ongeldig of zonder van wie, geen reden bij geen actie gewenst, einddatum niet bij langdurig relatief verzuim of buiten de periode", body = ErrorBody),
    )
)]
async fn duo_details(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<DuoDetailsIn>,
) -> ApiResult<Response> {
    if let Some(a) = &body.verblijfadres {
        check_len("verblijfadres.straat_huisnummer", &a.straat_huisnummer, 200)?;
        check_len("verblijfadres.postcode", &a.postcode, 20)?;
        check_len("verblijfadres.plaats", &a.plaats, 100)?;
    }
    check_opt("telefoonnummer", body.telefoonnummer.as_deref(), 40)?;
    check_opt(
        "reden_geen_actie",
        body.reden_geen_actie.as_deref(),
        TEXT_MAX,
    )?;
    check_opt("locatie", body.locatie.as_deref(), 200)?;
    let phone_of = parse_in(
        "telefoonnummer_van",
        body.telefoonnummer_van.as_deref(),
        PhoneOf::ALL,
        PhoneOf::as_str,
    )?;
    let reason = parse_in(
        "reden_afsluiten_duo",
        body.reden_afsluiten_duo.as_deref(),
        DuoClosingReason::ALL,
        DuoClosingReason::as_str,
    )?;
    let address = body.verblijfadres.clone();
    let details = DuoDetails {
        stay_street: address.as_ref().map(|a| a.straat_huisnummer.clone()),
        stay_postcode: address.as_ref().map(|a| a.postcode.clone()),
        stay_city: address.map(|a| a.plaats),
        phone: body.telefoonnummer.clone(),
        phone_of,
        all_lessons_missed: body.alle_lessen_gemist,
        action_wanted: body.actie_door_gemeente_gewenst,
        no_action_reason: body.reden_geen_actie.clone(),
        location: body.locatie.clone(),
        end_date: body.einddatum,
        duo_closing_reason: reason,
    };
    let caller = melding_write(&state, &acting, &audit, id, "duo_gegevens").await?;
    let m = duo::save_details(&state.store, &caller, state.today(), id, &details).await?;
    Ok(document(id, &m))
}

/// DUO's meldingsnummer and the day the school submitted the melding in the register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SubmissionIn {
    /// As DUO gave it: letters, digits and dashes.
    #[schema(max_length = 40)]
    pub meldingsnummer: String,
    /// Not before the day of the melding, not after today.
    #[schema(value_type = String, format = Date)]
    pub ingediend_op: Date,
}

/// Record that the school submitted the melding to DUO's register: DUO's meldingsnummer and the
/// day. DUO's status is then `geregistreerd`; the parent letter says "gemeld via het
/// verzuimregister van DUO". Refused while something the register asks is missing.
#[utoipa::path(
    post,
    path = "/api/meldingen/{id}/duo-verzuimregister/indiening",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    request_body = SubmissionIn,
    responses(
        (status = 200, description = "Vastgelegd: het document (verzuim-duo-verzuimregister/1)", body = Object, content_type = "application/json"),
        (status = 400, description = "te_lang, ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator van de school die meldde", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
        (status = 409, description = "conflict: al ingediend bij DUO", body = ErrorBody),
        (status = 422, description = "ongeldig: nog niet compleet voor DUO, geen meldingsnummer van DUO, datum buiten de periode", body = ErrorBody),
    )
)]
async fn duo_submission(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<SubmissionIn>,
) -> ApiResult<Response> {
    check_len("meldingsnummer", &body.meldingsnummer, 40)?;
    let caller = melding_write(&state, &acting, &audit, id, "duo_ingediend").await?;
    let m = duo::record_submission(
        &state.store,
        &caller,
        state.today(),
        id,
        &body.meldingsnummer,
        body.ingediend_op,
    )
    .await?;
    Ok(document(id, &m))
}

/// The day the school submitted the later update (the einddatum) to DUO's register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UpdateIn {
    /// Not before the submission, not after today.
    #[schema(value_type = String, format = Date)]
    pub ingediend_op: Date,
}

/// Record that the school submitted the update of a langdurig relatief verzuim (its einddatum)
/// to DUO's register.
#[utoipa::path(
    post,
    path = "/api/meldingen/{id}/duo-verzuimregister/wijziging",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    request_body = UpdateIn,
    responses(
        (status = 200, description = "Vastgelegd: het document (verzuim-duo-verzuimregister/1)", body = Object, content_type = "application/json"),
        (status = 400, description = "ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator van de school die meldde", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
        (status = 422, description = "ongeldig: geen wijziging voor DUO (alleen een ingediende melding van langdurig relatief verzuim met een einddatum), datum buiten de periode", body = ErrorBody),
    )
)]
async fn duo_update(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<UpdateIn>,
) -> ApiResult<Response> {
    let caller = melding_write(&state, &acting, &audit, id, "duo_wijziging").await?;
    let m = duo::record_update(&state.store, &caller, state.today(), id, body.ingediend_op).await?;
    Ok(document(id, &m))
}

/// DUO's status of the melding as the school reads it in the register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DuoStatusIn {
    /// `in_behandeling`, `afgesloten`, `ter_kennisgeving_aangenomen`, `ingetrokken`
    /// (`geregistreerd` is recorded with the submission). Only forward.
    #[schema(schema_with = duo_status_schema)]
    pub status: String,
    /// The day DUO gave the status (not before the previous one, not after today).
    #[schema(value_type = String, format = Date)]
    pub sinds: Date,
    /// With `afgesloten` (required there, refused otherwise): DUO's closing reason.
    #[schema(schema_with = duo_closing_reason_schema)]
    pub reden_duo: Option<String>,
}

/// What recording DUO's status did.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuoStatusChanged {
    /// The register's document (`verzuim-duo-verzuimregister/1`) after the change.
    #[schema(value_type = Object)]
    pub document: Value,
    /// The melding's own new status where it followed DUO's (docs/duo-export.md, "DUO's
    /// status"): `in_behandeling`, `afgesloten`, `ter_kennisgeving_aangenomen` or
    /// `ingetrokken`; `null` where it stayed.
    pub melding_status: Option<String>,
    /// Tasks closed because the melding became final.
    pub tasks_closed: Vec<i64>,
}

/// Record DUO's status of a submitted melding (the school reads it in its administration
/// package or DUO's portal). The melding's own status and history follow by one mapping: it
/// moves to DUO's status when that lies ahead, never back and never from a final status another
/// party set (docs/duo-export.md, "DUO's status"). Leerplicht sees it in the melding's history
/// and on the register's document.
#[utoipa::path(
    post,
    path = "/api/meldingen/{id}/duo-verzuimregister/status",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    request_body = DuoStatusIn,
    responses(
        (status = 200, description = "Vastgelegd", body = DuoStatusChanged),
        (status = 400, description = "ongeldige_waarde, ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator van de school die meldde", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
        (status = 409, description = "conflict: de melding is intussen gewijzigd", body = ErrorBody),
        (status = 422, description = "ongeldig: nog niet ingediend, status niet vooruit of al definitief, reden van afsluiten ontbreekt of hoort er niet bij, datum buiten de periode", body = ErrorBody),
    )
)]
async fn duo_status(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<DuoStatusIn>,
) -> ApiResult<axum::Json<DuoStatusChanged>> {
    let status = parse_in(
        "status",
        Some(body.status.as_str()),
        DuoStatus::ALL,
        DuoStatus::as_str,
    )?
    .expect("a value was given");
    let reason = parse_in(
        "reden_duo",
        body.reden_duo.as_deref(),
        DuoClosingReason::ALL,
        DuoClosingReason::as_str,
    )?;
    let detail = format!("duo_status:{}", status.as_str());
    let caller = melding_write(&state, &acting, &audit, id, &detail).await?;
    let out = duo::record_duo_status(
        &state.store,
        &caller,
        state.today(),
        id,
        status,
        body.sinds,
        reason,
    )
    .await?;
    Ok(axum::Json(DuoStatusChanged {
        document: duo::json(&out.melding),
        melding_status: out.status_followed.map(|s| s.as_str().to_owned()),
        tasks_closed: out.tasks_closed,
    }))
}

/// The school's contact person for leerplicht in DUO's verzuimregister.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactBody {
    #[schema(max_length = 200)]
    pub naam: String,
    #[schema(max_length = 200)]
    pub functie: String,
    #[schema(max_length = 200)]
    pub telefoon: String,
    #[schema(max_length = 200)]
    pub email: String,
}

fn contact_body(c: SchoolContact) -> ContactBody {
    ContactBody {
        naam: c.name,
        functie: c.function,
        telefoon: c.phone,
        email: c.email,
    }
}

/// The school's contact person in DUO's verzuimregister (its verzuimcoordinator and beheerder).
#[utoipa::path(
    get,
    path = "/api/schools/{school}/contactpersoon",
    tag = "scholen",
    params(("school" = String, Path, description = "School (BRIN)"), OrgQuery),
    responses(
        (status = 200, description = "De contactpersoon", body = ContactBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 404, description = "Nog geen contactpersoon vastgelegd", body = ErrorBody),
    )
)]
async fn get_contact(
    State(state): State<AppState>,
    acting: Acting,
    Path(school): Path<String>,
) -> ApiResult<axum::Json<ContactBody>> {
    duo::school_contact(&state.store, &acting.caller, &school)
        .await?
        .map(|c| axum::Json(contact_body(c)))
        .ok_or_else(crate::error::ApiError::not_found)
}

/// Store the school's contact person in DUO's verzuimregister: name, function, phone and e-mail,
/// all required.
#[utoipa::path(
    put,
    path = "/api/schools/{school}/contactpersoon",
    tag = "scholen",
    params(("school" = String, Path, description = "School (BRIN)"), OrgQuery),
    request_body = ContactBody,
    responses(
        (status = 200, description = "Opgeslagen", body = ContactBody),
        (status = 400, description = "te_lang, ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 422, description = "ongeldig: een veld leeg, geen telefoonnummer, geen e-mailadres", body = ErrorBody),
    )
)]
async fn put_contact(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(school): Path<String>,
    Json(body): Json<ContactBody>,
) -> ApiResult<axum::Json<ContactBody>> {
    for (field, v) in [
        ("naam", &body.naam),
        ("functie", &body.functie),
        ("telefoon", &body.telefoon),
        ("email", &body.email),
    ] {
        check_len(field, v, 200)?;
    }
    // The audit row commits with the change.
    let event = audit
        .event(&acting.actor, action::PUPIL_WRITE)
        .organisation(acting.org())
        .object(AuditObject::School(school.clone()).detail("contactpersoon"));
    let caller = acting.caller.audited(event.entry());
    let c = SchoolContact {
        name: body.naam,
        function: body.functie,
        phone: body.telefoon,
        email: body.email,
    };
    let stored = duo::set_school_contact(&state.store, &caller, &school, &c).await?;
    Ok(axum::Json(contact_body(stored)))
}
