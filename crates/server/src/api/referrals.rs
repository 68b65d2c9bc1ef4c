//! Referrals to GGD-JGZ: the list (GGD-JGZ: those to it; a school: its own), one referral with
//! its status history, status updates, and GGD-JGZ's own notes.
//!
//! Roles: `jgz` records the statuses `in_behandeling`, `niet_verschenen_zonder_tegenbericht`
//! ("niet verschenen zonder tegenbericht": the school gets the task to judge whether that was
//! "zonder goede reden") and `afgerond`, and alone writes and reads its notes;
//! `verzuimcoordinator` sees the status (never the notes) and may withdraw the referral
//! (`ingetrokken`). No API token reaches referrals.

use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::{JgzNote, MAX_PAGE_SIZE, Page, Referral, ReferralStatus, Role};
use verzuim_service::referrals::{self, ReferralContact, ReferralView};
use verzuim_service::visibility;

use super::common::{Acting, OrgQuery, TEXT_MAX, audit_pupil_data, audited_write, bad_value};
use super::tasks::{HistoryOut, history_out};
use crate::audit::Audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, required};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_referrals), &policy::REFERRALS)
        .routes_with(routes!(get_referral), &policy::REFERRALS)
        .routes_with(routes!(referral_status), &policy::REFERRALS)
        .routes_with(routes!(list_notes), &policy::JGZ)
        .routes_with(routes!(add_note), &policy::JGZ)
        .routes_with(routes!(add_afspraken), &policy::JGZ)
}

/// A referral: all a school sees of GGD-JGZ's work is its status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: i64,
    pub case_id: i64,
    pub school_id: String,
    pub pupil_id: String,
    pub ggd_id: String,
    /// `aangemeld`, `in_behandeling`, `niet_verschenen_zonder_tegenbericht`, `afgerond`,
    /// `ingetrokken`.
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

pub fn referral_out(r: Referral) -> ReferralOut {
    ReferralOut {
        id: r.id,
        case_id: r.case_id,
        school_id: r.school_id,
        pupil_id: r.pupil_id,
        ggd_id: r.ggd_id,
        status: r.status.as_str().to_owned(),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// The school's digitaal aanmeldingsformulier (kaart Twente PO, "** ZIEKTE").
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralFormOut {
    /// The school's question to GGD-JGZ.
    pub question: String,
    /// What the school already did.
    pub school_actions: String,
    /// Whether the parents consented to the referral.
    pub parents_consent: bool,
    /// When the parents were informed of the referral.
    #[schema(value_type = String, format = Date)]
    pub parents_informed_on: jiff::civil::Date,
    /// How: `gesprek`, `telefoon`, `brief`, `email` or `anders`.
    pub parents_informed_how: String,
}

/// Afspraken GGD-JGZ fed back to the school, exactly as typed.
#[derive(Debug, Serialize, ToSchema)]
pub struct AfspraakOut {
    pub id: i64,
    pub text: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: String,
}

/// How GGD-JGZ reaches the parents and the pupil (the pupil's data as the school keeps it).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub pupil_name: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub birth_date: jiff::civil::Date,
    /// The pupil's age today.
    pub age: u8,
    pub parent_name: Option<String>,
    pub parent_phone: Option<String>,
    pub parent_email: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

/// A referral with its status history, the school's aanmeldingsformulier, GGD-JGZ's afspraken
/// for the school and the parents' contact data (never GGD-JGZ's notes).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralDetail {
    pub referral: ReferralOut,
    pub history: Vec<HistoryOut>,
    /// Absent for a referral made before the form existed.
    pub form: Option<ReferralFormOut>,
    pub afspraken: Vec<AfspraakOut>,
    pub contact: ContactOut,
}

fn detail(v: ReferralView, c: ReferralContact) -> ReferralDetail {
    ReferralDetail {
        referral: referral_out(v.referral),
        history: v.history.into_iter().map(history_out).collect(),
        form: v.form.map(|f| ReferralFormOut {
            question: f.question,
            school_actions: f.school_actions,
            parents_consent: f.parents_consent,
            parents_informed_on: f.parents_informed_on,
            parents_informed_how: f.parents_informed_how.as_str().to_owned(),
        }),
        afspraken: v
            .afspraken
            .into_iter()
            .map(|a| AfspraakOut {
                id: a.id,
                text: a.text,
                created_at: a.created_at,
                created_by: a.created_by,
            })
            .collect(),
        contact: ContactOut {
            pupil_name: c.pupil_name,
            birth_date: c.birth_date,
            age: c.age,
            parent_name: c.parent_name,
            parent_phone: c.parent_phone,
            parent_email: c.parent_email,
            street: c.street,
            postcode: c.postcode,
            city: c.city,
        },
    }
}

async fn full_detail(state: &AppState, acting: &Acting, id: i64) -> ApiResult<ReferralDetail> {
    let view = visible(state, acting, id).await?;
    let contact =
        referrals::referral_contact(&state.store, &acting.caller, id, state.today()).await?;
    Ok(detail(view, contact))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AfspraakIn {
    /// The afspraken for the school, as the school will read them (no medical details).
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AfspraakRecorded {
    pub afspraak_id: i64,
    /// The school's task to take note of the afspraken.
    pub task_id: i64,
    pub referral: ReferralDetail,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReferralStatusIn {
    /// `in_behandeling`, `niet_verschenen_zonder_tegenbericht`, `afgerond` (GGD-JGZ) or
    /// `ingetrokken` (the school).
    #[schema(schema_with = super::schemas::referral_status_change)]
    pub status: String,
}

/// The statuses a request may set (`aangemeld` is the status a referral starts with).
pub(super) const STATUSES: &[&str] = &[
    "in_behandeling",
    "niet_verschenen_zonder_tegenbericht",
    "afgerond",
    "ingetrokken",
];

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralChanged {
    pub referral: ReferralDetail,
    pub tasks_created: Vec<i64>,
    pub tasks_closed: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NoteIn {
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub text: String,
}

/// GGD-JGZ's own note. Never shown to a school or leerplicht.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteOut {
    pub id: i64,
    pub referral_id: i64,
    pub text: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: String,
}

fn note_out(n: JgzNote) -> NoteOut {
    NoteOut {
        id: n.id,
        referral_id: n.referral_id,
        text: n.text,
        created_at: n.created_at,
        created_by: n.created_by,
    }
}

async fn visible(state: &AppState, acting: &Acting, id: i64) -> ApiResult<ReferralView> {
    referrals::referral(&state.store, &acting.caller, id)
        .await
        .map_err(ApiError::from)
}

/// The referrals the caller's organisation may see, newest first.
#[utoipa::path(
    get,
    path = "/api/referrals",
    tag = "verwijzingen",
    params(Pagination, OrgQuery),
    responses(
        (status = 200, description = "Een pagina verwijzingen", body = Paginated<ReferralOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen jgz of verzuimcoordinator", body = ErrorBody),
    )
)]
async fn list_referrals(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<ReferralOut>>> {
    let page = pagination.page();
    let list = visibility::referrals(&state.store, &acting.caller, page).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Referrals(acting.org().to_owned()),
        None,
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        list.into_iter().map(referral_out).collect(),
        page,
    )))
}

/// One referral with its status history (never GGD-JGZ's notes).
#[utoipa::path(
    get,
    path = "/api/referrals/{id}",
    tag = "verwijzingen",
    params(("id" = i64, Path, description = "Nummer van de verwijzing"), OrgQuery),
    responses(
        (status = 200, description = "De verwijzing", body = ReferralDetail),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen jgz of verzuimcoordinator", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
    )
)]
async fn get_referral(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ReferralDetail>> {
    let view = visible(&state, &acting, id).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Referral(id),
        Some((&view.referral.school_id, &view.referral.pupil_id)),
    )
    .await?;
    Ok(axum::Json(full_detail(&state, &acting, id).await?))
}

/// Record a referral's status: GGD-JGZ any but `ingetrokken` ("niet verschenen zonder
/// tegenbericht" gives the school the task to judge it); the school only `ingetrokken`.
#[utoipa::path(
    post,
    path = "/api/referrals/{id}/status",
    tag = "verwijzingen",
    params(("id" = i64, Path, description = "Nummer van de verwijzing"), OrgQuery),
    request_body = ReferralStatusIn,
    responses(
        (status = 200, description = "Gewijzigd", body = ReferralChanged),
        (status = 400, description = "ongeldige_waarde", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Deze status is niet aan uw rol", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw organisatie", body = ErrorBody),
        (status = 409, description = "Intussen gewijzigd", body = ErrorBody),
        (status = 422, description = "Overgang niet toegestaan", body = ErrorBody),
    )
)]
async fn referral_status(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<ReferralStatusIn>,
) -> ApiResult<axum::Json<ReferralChanged>> {
    let view = visible(&state, &acting, id).await?;
    let status = ReferralStatus::parse(&body.status)
        .filter(|s| *s != ReferralStatus::Aangemeld)
        .ok_or_else(|| bad_value("status", STATUSES))?;
    let role_ok = if status == ReferralStatus::Ingetrokken {
        acting.role() == Role::Verzuimcoordinator
    } else {
        acting.role() == Role::Jgz
    };
    if !role_ok {
        return Err(ApiError::forbidden());
    }
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Referral(id)
            .detail("status")
            .detail(status.as_str()),
        Some((&view.referral.school_id, &view.referral.pupil_id)),
    );
    let outcome = referrals::set_referral_status(&state.store, &caller, id, status).await?;
    Ok(axum::Json(ReferralChanged {
        referral: full_detail(&state, &acting, id).await?,
        tasks_created: outcome.tasks_created,
        tasks_closed: outcome.tasks_closed,
    }))
}

/// GGD-JGZ feeds afspraken back to the school (kaart Twente PO, "** ZIEKTE": "koppelt afspraken
/// terug aan school"): the school sees exactly this text in the referral and gets a task to take
/// note of it. GGD-JGZ only; not on a withdrawn referral.
#[utoipa::path(
    post,
    path = "/api/referrals/{id}/afspraken",
    tag = "verwijzingen",
    params(("id" = i64, Path, description = "Nummer van de verwijzing"), OrgQuery),
    request_body = AfspraakIn,
    responses(
        (status = 201, description = "Teruggekoppeld aan de school", body = AfspraakRecorded),
        (status = 400, description = "verplicht, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Alleen de GGD-JGZ (jgz)", body = ErrorBody),
        (status = 404, description = "Geen verwijzing aan uw GGD-JGZ", body = ErrorBody),
        (status = 422, description = "De verwijzing is ingetrokken", body = ErrorBody),
    )
)]
async fn add_afspraken(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<AfspraakIn>,
) -> ApiResult<(StatusCode, axum::Json<AfspraakRecorded>)> {
    let view = visible(&state, &acting, id).await?;
    let text = required("text", &body.text, TEXT_MAX)?;
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Referral(id).detail("afspraken"),
        Some((&view.referral.school_id, &view.referral.pupil_id)),
    );
    let outcome = referrals::record_afspraken(&state.store, &caller, id, text).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AfspraakRecorded {
            afspraak_id: outcome.afspraak_id,
            task_id: outcome.task_id,
            referral: full_detail(&state, &acting, id).await?,
        }),
    ))
}

/// GGD-JGZ's own notes on a referral to it, oldest first (GGD-JGZ only).
#[utoipa::path(
    get,
    path = "/api/referrals/{id}/notes",
    tag = "verwijzingen",
    params(("id" = i64, Path, description = "Nummer van de verwijzing"), Pagination, OrgQuery),
    responses(
        (status = 200, description = "Een pagina notities", body = Paginated<NoteOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Alleen de GGD-JGZ (jgz)", body = ErrorBody),
        (status = 404, description = "Geen verwijzing aan uw GGD-JGZ", body = ErrorBody),
    )
)]
async fn list_notes(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<NoteOut>>> {
    let view = visible(&state, &acting, id).await?;
    let page = pagination.page();
    let notes = referrals::jgz_notes(&state.store, &acting.caller, id, page).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Referral(id).detail("notes"),
        Some((&view.referral.school_id, &view.referral.pupil_id)),
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        notes.into_iter().map(note_out).collect(),
        page,
    )))
}

/// GGD-JGZ writes its own note on a referral to it (GGD-JGZ only; no other organisation can ever
/// read it, and no inzage export of another organisation holds it).
#[utoipa::path(
    post,
    path = "/api/referrals/{id}/notes",
    tag = "verwijzingen",
    params(("id" = i64, Path, description = "Nummer van de verwijzing"), OrgQuery),
    request_body = NoteIn,
    responses(
        (status = 201, description = "Vastgelegd", body = NoteOut),
        (status = 400, description = "verplicht, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Alleen de GGD-JGZ (jgz)", body = ErrorBody),
        (status = 404, description = "Geen verwijzing aan uw GGD-JGZ", body = ErrorBody),
    )
)]
async fn add_note(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<NoteIn>,
) -> ApiResult<(StatusCode, axum::Json<NoteOut>)> {
    let view = visible(&state, &acting, id).await?;
    let text = required("text", &body.text, TEXT_MAX)?;
    // The audit row commits with the note.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Referral(id).detail("note"),
        Some((&view.referral.school_id, &view.referral.pupil_id)),
    );
    let note_id = referrals::add_jgz_note(&state.store, &caller, id, text).await?;
    // The note as stored (its time is the store's).
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = referrals::jgz_notes(&state.store, &acting.caller, id, page).await?;
        let done = batch.len() < page.limit() as usize;
        if let Some(n) = batch.into_iter().find(|n| n.id == note_id) {
            return Ok((StatusCode::CREATED, axum::Json(note_out(n))));
        }
        if done {
            return Err(ApiError::internal("a note just added is not found"));
        }
        page = page.next();
    }
}
