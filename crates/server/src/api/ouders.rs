//! The parents' portal as JSON (docs/parents.md): a parent's children, a ziekmelding and
//! "beter melden", a verlofaanvraag and its status. Only a logged-in person (a session; an API
//! token is a system, 403); a child that is not theirs is 404, like one that does not exist.
//! Errors are Dutch and name the field.

use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::{AuditEntry, LeaveKind, SickReport};
use verzuim_service::parents::{self, LeaveInput, LeaveView};

use crate::audit::{Audit, AuditEvent, action};

use crate::authz::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, check_len, max_len};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(children), &policy::OWN)
        .routes_with(routes!(report_sick), &policy::OWN)
        .routes_with(routes!(report_better), &policy::OWN)
        .routes_with(routes!(request_leave), &policy::OWN)
        .routes_with(routes!(leave), &policy::OWN)
}

/// One of the parent's children.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildOut {
    pub school_id: String,
    pub school_name: String,
    pub pupil_id: String,
    pub name: String,
    pub group: String,
    /// The open ziekmelding, if the child is reported sick.
    pub sick: Option<SickReportOut>,
}

/// A ziekmelding of a parent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SickReportOut {
    pub id: i64,
    /// The first day (JJJJ-MM-DD).
    pub from: String,
    /// The day the child is back, once reported better.
    pub back_on: Option<String>,
    /// `open`, `beter` or `gecorrigeerd` (the school changed the registration).
    pub status: String,
}

fn sick_out(r: &SickReport) -> SickReportOut {
    SickReportOut {
        id: r.id,
        from: r.from.to_string(),
        back_on: r.recovered_on.map(|d| d.to_string()),
        status: r.closed_reason.map_or("open", |c| c.as_str()).to_owned(),
    }
}

fn parent_of(actor: &Actor) -> ApiResult<i64> {
    Ok(actor.require_user()?.user.id)
}

/// The audit row of a parent's write about their child; the service commits it with the write
/// (its object, made from the stored id, is set per write).
fn parent_write(audit: &Audit, actor: &Actor, school: &str, pupil: &str) -> AuditEvent {
    audit
        .event(actor, action::PUPIL_WRITE)
        .organisation(school)
        .pupil(school, pupil)
}

/// The parent's children, at any school (empty for a user who is no parent).
#[utoipa::path(
    get,
    path = "/api/ouders/kinderen",
    tag = "ouders",
    responses(
        (status = 200, description = "De kinderen van de ouder", body = [ChildOut]),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Een API-token is geen ouder", body = ErrorBody),
    )
)]
async fn children(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<axum::Json<Vec<ChildOut>>> {
    let parent = parent_of(&actor)?;
    let list = parents::children(&state.store, parent).await?;
    Ok(axum::Json(
        list.into_iter()
            .map(|c| ChildOut {
                sick: c.sick.as_ref().map(sick_out),
                school_id: c.school_id,
                school_name: c.school_name,
                pupil_id: c.pupil_id,
                name: c.name,
                group: c.group,
            })
            .collect(),
    ))
}

/// Which day: today or tomorrow.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dag {
    Vandaag,
    Morgen,
}

/// A ziekmelding or "beter melden".
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayIn {
    /// Ziek vanaf (or weer op school op) `vandaag` or `morgen`.
    pub dag: Dag,
}

fn day(state: &AppState, d: Dag) -> ApiResult<Date> {
    let t = state.today();
    match d {
        Dag::Vandaag => Ok(t),
        Dag::Morgen => t.tomorrow().map_err(ApiError::internal),
    }
}

/// Ziekmelding: the child is sick from today or tomorrow until further notice; a `ziek`
/// registration as if the school made it (no reason: the nature of an illness is never stored).
#[utoipa::path(
    post,
    path = "/api/ouders/kinderen/{school}/{pupil}/ziekmelding",
    tag = "ouders",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
    ),
    request_body = DayIn,
    responses(
        (status = 201, description = "Ziek gemeld", body = SickReportOut),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Een API-token is geen ouder", body = ErrorBody),
        (status = 404, description = "Geen kind van deze ouder", body = ErrorBody),
        (status = 409, description = "Het kind is al ziek gemeld", body = ErrorBody),
        (status = 422, description = "De registratie kan niet (bijvoorbeeld: de school registreerde al afwezigheid)", body = ErrorBody),
    )
)]
async fn report_sick(
    State(state): State<AppState>,
    actor: Actor,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Json(body): Json<DayIn>,
) -> ApiResult<(StatusCode, axum::Json<SickReportOut>)> {
    let parent = parent_of(&actor)?;
    let from = day(&state, body.dag)?;
    let event = parent_write(&audit, &actor, &school, &pupil);
    let row = |id: i64| AuditEntry {
        object: AuditObject::SickReport(id).to_string(),
        ..event.entry().clone()
    };
    let r = parents::report_sick(
        &state.store,
        parent,
        state.today(),
        &school,
        &pupil,
        from,
        &row,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(sick_out(&r))))
}

/// "Beter melden": the child is back at school today or tomorrow.
#[utoipa::path(
    post,
    path = "/api/ouders/kinderen/{school}/{pupil}/betermelding",
    tag = "ouders",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
    ),
    request_body = DayIn,
    responses(
        (status = 200, description = "Beter gemeld", body = SickReportOut),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Een API-token is geen ouder", body = ErrorBody),
        (status = 404, description = "Geen kind van deze ouder", body = ErrorBody),
        (status = 409, description = "Het kind is niet ziek gemeld", body = ErrorBody),
        (status = 422, description = "De registratie kan niet worden aangepast", body = ErrorBody),
    )
)]
async fn report_better(
    State(state): State<AppState>,
    actor: Actor,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Json(body): Json<DayIn>,
) -> ApiResult<axum::Json<SickReportOut>> {
    let parent = parent_of(&actor)?;
    let back = day(&state, body.dag)?;
    let event = parent_write(&audit, &actor, &school, &pupil);
    let row = |id: i64| AuditEntry {
        object: AuditObject::SickReport(id).detail("beter").to_string(),
        ..event.entry().clone()
    };
    let r = parents::report_better(
        &state.store,
        parent,
        state.today(),
        &school,
        &pupil,
        back,
        &row,
    )
    .await?;
    Ok(axum::Json(sick_out(&r)))
}

/// A verlofaanvraag (Leerplichtwet 1969).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveIn {
    /// `vakantieverlof` (art. 13a) or `gewichtige_omstandigheden` (art. 11 sub g, art. 14).
    #[schema(schema_with = leave_kind_schema)]
    pub soort: String,
    /// The first day of the leave (JJJJ-MM-DD).
    #[schema(value_type = String, format = Date, example = "2027-09-06")]
    pub van: Date,
    /// The last day of the leave (JJJJ-MM-DD).
    #[schema(value_type = String, format = Date, example = "2027-09-07")]
    pub tot: Date,
    /// Gewichtige omstandigheden: `verhuizing`, `huwelijk`, `jubileum`, `ernstige_ziekte`,
    /// `overlijden` or `anders` (with a toelichting).
    #[schema(max_length = 64)]
    pub omstandigheid: Option<String>,
    #[schema(max_length = 4000)]
    pub toelichting: Option<String>,
    /// Vakantieverlof: the employer's statement (art. 13a lid 1).
    #[schema(max_length = 4000)]
    pub werkgeversverklaring: Option<String>,
}

fn leave_kind_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(LeaveKind::ALL.iter().map(|k| k.as_str())))
        .build()
}

/// One check of the law on a leave request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LawCheckOut {
    pub article: String,
    pub rule: String,
    pub passed: bool,
}

/// A leave request with the law's checks and its status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaveOut {
    pub id: i64,
    pub school_id: String,
    pub pupil_id: String,
    pub soort: String,
    pub van: String,
    pub tot: String,
    pub lesdagen: u32,
    /// `directeur` or `leerplichtambtenaar`.
    pub beslist_door: String,
    /// The article that routes it there.
    pub artikel: String,
    /// `ingediend`, `advies_gegeven`, `toegekend` or `afgewezen`.
    pub status: String,
    pub controles: Vec<LawCheckOut>,
    /// The ground of the decision, once decided.
    pub grond: Option<String>,
    /// The decision letter (PDF), once decided.
    pub brief: Option<String>,
}

fn leave_out(v: &LeaveView) -> LeaveOut {
    let r = &v.request;
    LeaveOut {
        id: r.id,
        school_id: r.school_id.clone(),
        pupil_id: r.pupil_id.clone(),
        soort: r.kind.as_str().to_owned(),
        van: r.from.to_string(),
        tot: r.until.to_string(),
        lesdagen: r.lesson_days,
        beslist_door: r.decider.as_str().to_owned(),
        artikel: v.decider_article.to_owned(),
        status: r.status.as_str().to_owned(),
        controles: v
            .checks
            .iter()
            .map(|c| LawCheckOut {
                article: c.article.to_owned(),
                rule: c.rule.to_owned(),
                passed: c.passed,
            })
            .collect(),
        grond: r.decision_ground.clone(),
        brief: r
            .has_letter
            .then(|| format!("/ouders/verlof/{}/besluit.pdf", r.id)),
    }
}

/// A verlofaanvraag: checked against the Leerplichtwet (each check with its article) and
/// routed to the director or to the leerplichtambtenaar of the home municipality.
#[utoipa::path(
    post,
    path = "/api/ouders/kinderen/{school}/{pupil}/verlof",
    tag = "ouders",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
    ),
    request_body = LeaveIn,
    responses(
        (status = 201, description = "Aangevraagd", body = LeaveOut),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Een API-token is geen ouder", body = ErrorBody),
        (status = 404, description = "Geen kind van deze ouder", body = ErrorBody),
        (status = 422, description = "Geen geldige aanvraag (in het verleden, over twee schooljaren, geen lesdagen, onbekende omstandigheid)", body = ErrorBody),
    )
)]
async fn request_leave(
    State(state): State<AppState>,
    actor: Actor,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Json(body): Json<LeaveIn>,
) -> ApiResult<(StatusCode, axum::Json<LeaveOut>)> {
    let parent = parent_of(&actor)?;
    let kind = LeaveKind::parse(&body.soort).ok_or_else(|| {
        ApiError::bad_request(
            "ongeldige_json",
            "Het veld 'soort' is ongeldig: kies vakantieverlof of gewichtige_omstandigheden.",
        )
        .with_field("soort")
    })?;
    for (field, v, max) in [
        ("omstandigheid", &body.omstandigheid, max_len::IDENTIFIER),
        ("toelichting", &body.toelichting, max_len::LONG_TEXT),
        (
            "werkgeversverklaring",
            &body.werkgeversverklaring,
            max_len::LONG_TEXT,
        ),
    ] {
        check_len(field, v.as_deref().unwrap_or(""), max)?;
    }
    let input = LeaveInput {
        kind,
        from: body.van,
        until: body.tot,
        circumstance: body.omstandigheid.clone().unwrap_or_default(),
        explanation: body.toelichting.clone(),
        employer_statement: body.werkgeversverklaring.clone(),
        employer_document: None,
    };
    let event = parent_write(&audit, &actor, &school, &pupil);
    let row = |id: i64| AuditEntry {
        object: AuditObject::Leave(id).to_string(),
        ..event.entry().clone()
    };
    let v = parents::request_leave(
        &state.store,
        parent,
        state.today(),
        &school,
        &pupil,
        &input,
        &row,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(leave_out(&v))))
}

/// One of the parent's leave requests.
#[utoipa::path(
    get,
    path = "/api/ouders/verlof/{id}",
    tag = "ouders",
    params(("id" = i64, Path, description = "Verlofaanvraag")),
    responses(
        (status = 200, description = "De verlofaanvraag", body = LeaveOut),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Een API-token is geen ouder", body = ErrorBody),
        (status = 404, description = "Geen verlofaanvraag van deze ouder", body = ErrorBody),
    )
)]
async fn leave(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<LeaveOut>> {
    let parent = parent_of(&actor)?;
    let v = parents::leave_for_parent(&state.store, parent, id).await?;
    Ok(axum::Json(leave_out(&v)))
}
