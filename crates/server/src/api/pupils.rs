//! `/api/schools/{school}/pupils`: enrolment, the pupil's data, changes, deregistration.
//!
//! Roles: a school's `verzuimcoordinator` and `beheerder` (or a token with `pupils:read` /
//! `pupils:write`) read and write; a `leerkracht` reads the pupils of their own groups;
//! `leerplichtambtenaar` and `jgz` read one pupil through their own scope (a melding to their
//! municipality, a referral to their GGD-JGZ), else 404.

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
use verzuim_engine::model::Pupil;
use verzuim_service::model::{MAX_PAGE_SIZE, Page, PupilData, StoredPupil};
use verzuim_service::{records, visibility};

use super::common::{Acting, OrgQuery, SyncOut, audit_pupil_data, audited_write, check_opt};
use crate::audit::Audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, check_len, max_len};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_pupils), &policy::PUPILS_READ)
        .routes_with(routes!(create_pupil), &policy::PUPILS_WRITE)
        .routes_with(routes!(get_pupil), &policy::PUPIL_READ)
        .routes_with(routes!(update_pupil), &policy::PUPILS_WRITE)
        .routes_with(routes!(deregister_pupil), &policy::PUPILS_WRITE)
}

/// A pupil: the columns of formats.md's pupils.csv.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PupilOut {
    pub school_id: String,
    #[schema(example = "1001")]
    pub pupil_id: String,
    #[schema(value_type = String, format = Date)]
    pub birth_date: Date,
    #[schema(example = "5")]
    pub group: String,
    /// Woongemeente: CBS code (`GM0153`) when known, else as entered.
    #[schema(example = "GM0153")]
    pub municipality: String,
    #[schema(value_type = String, format = Date)]
    pub enrolled_from: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub enrolled_until: Option<Date>,
    pub next_school: Option<String>,
    pub name: Option<String>,
    pub bsn: Option<String>,
    pub onderwijsnummer: Option<String>,
    pub parent_name: Option<String>,
    pub parent_email: Option<String>,
    pub parent_phone: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

pub fn pupil_out(p: StoredPupil) -> PupilOut {
    let d = p.data;
    PupilOut {
        school_id: p.school_id,
        pupil_id: d.pupil.id,
        birth_date: d.pupil.birth_date,
        group: d.pupil.group,
        municipality: d.pupil.municipality,
        enrolled_from: d.pupil.enrolled_from,
        enrolled_until: d.pupil.enrolled_until,
        next_school: d.pupil.next_school,
        name: d.name,
        bsn: d.bsn,
        onderwijsnummer: d.onderwijsnummer,
        parent_name: d.parent_name,
        parent_email: d.parent_email,
        parent_phone: d.parent_phone,
        street: d.street,
        postcode: d.postcode,
        city: d.city,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// A pupil to enrol (`pupil_id` required) or the new data of one (`pupil_id` ignored: the path
/// names the pupil). Deregistration has its own route.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PupilIn {
    #[schema(example = "1001", max_length = 64)]
    pub pupil_id: Option<String>,
    #[schema(example = "2016-03-01")]
    #[schema(value_type = String, format = Date)]
    pub birth_date: Date,
    #[schema(example = "5", max_length = 64)]
    pub group: String,
    /// Name or CBS code of the home municipality (woongemeente).
    #[schema(example = "Enschede", max_length = 64)]
    pub municipality: String,
    #[schema(example = "2022-08-22")]
    #[schema(value_type = String, format = Date)]
    pub enrolled_from: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub enrolled_until: Option<Date>,
    #[schema(max_length = 200)]
    pub next_school: Option<String>,
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// 9 digits passing the elfproef.
    #[schema(max_length = 64)]
    pub bsn: Option<String>,
    #[schema(max_length = 64)]
    pub onderwijsnummer: Option<String>,
    #[schema(max_length = 200)]
    pub parent_name: Option<String>,
    #[schema(max_length = 254)]
    pub parent_email: Option<String>,
    #[schema(max_length = 64)]
    pub parent_phone: Option<String>,
    #[schema(max_length = 200)]
    pub street: Option<String>,
    #[schema(max_length = 64)]
    pub postcode: Option<String>,
    #[schema(max_length = 200)]
    pub city: Option<String>,
}

impl PupilIn {
    fn data(&self, pupil_id: String) -> ApiResult<PupilData> {
        check_len("pupil_id", &pupil_id, max_len::IDENTIFIER)?;
        check_len("group", &self.group, max_len::IDENTIFIER)?;
        check_len("municipality", &self.municipality, max_len::IDENTIFIER)?;
        check_opt("next_school", self.next_school.as_deref(), max_len::NAME)?;
        check_opt("name", self.name.as_deref(), max_len::NAME)?;
        check_opt("bsn", self.bsn.as_deref(), max_len::IDENTIFIER)?;
        check_opt(
            "onderwijsnummer",
            self.onderwijsnummer.as_deref(),
            max_len::IDENTIFIER,
        )?;
        check_opt("parent_name", self.parent_name.as_deref(), max_len::NAME)?;
        check_opt("parent_email", self.parent_email.as_deref(), max_len::EMAIL)?;
        check_opt(
            "parent_phone",
            self.parent_phone.as_deref(),
            max_len::IDENTIFIER,
        )?;
        check_opt("street", self.street.as_deref(), max_len::NAME)?;
        check_opt("postcode", self.postcode.as_deref(), max_len::IDENTIFIER)?;
        check_opt("city", self.city.as_deref(), max_len::NAME)?;
        Ok(PupilData {
            pupil: Pupil {
                id: pupil_id,
                birth_date: self.birth_date,
                group: self.group.clone(),
                municipality: self.municipality.clone(),
                enrolled_from: self.enrolled_from,
                enrolled_until: self.enrolled_until,
                next_school: self.next_school.clone(),
            },
            name: self.name.clone(),
            bsn: self.bsn.clone(),
            onderwijsnummer: self.onderwijsnummer.clone(),
            parent_name: self.parent_name.clone(),
            parent_email: self.parent_email.clone(),
            parent_phone: self.parent_phone.clone(),
            street: self.street.clone(),
            postcode: self.postcode.clone(),
            city: self.city.clone(),
        })
    }
}

/// A pupil after a change, with what the re-evaluation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PupilChanged {
    pub pupil: PupilOut,
    pub sync: SyncOut,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeregisterIn {
    /// The last day enrolled.
    #[schema(example = "2027-01-29")]
    #[schema(value_type = String, format = Date)]
    pub enrolled_until: Date,
    /// The school that enrolled the pupil next; without one the pupil may raise absoluut verzuim.
    #[schema(max_length = 200)]
    pub next_school: Option<String>,
}

/// A pupil the acting organisation may see (and, for a leerkracht, of their own groups); 404
/// otherwise.
pub async fn visible_pupil(
    state: &AppState,
    acting: &Acting,
    school: &str,
    pupil: &str,
) -> ApiResult<StoredPupil> {
    check_len("pupil", pupil, max_len::IDENTIFIER)?;
    let p = visibility::pupil(&state.store, &acting.caller, school, pupil).await?;
    acting.check_group(&p.data.pupil.group)?;
    Ok(p)
}

/// The school's pupils, by pupil number (a leerkracht: their own groups').
#[utoipa::path(
    get,
    path = "/api/schools/{school}/pupils",
    tag = "leerlingen",
    params(("school" = String, Path, description = "School (BRIN)"), Pagination, OrgQuery),
    responses(
        (status = 200, description = "Een pagina leerlingen", body = Paginated<PupilOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol bij deze school", body = ErrorBody),
    )
)]
async fn list_pupils(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(school): Path<String>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<PupilOut>>> {
    let page = pagination.page();
    let pupils = match &acting.groups {
        None => visibility::pupils(&state.store, &acting.caller, page).await?,
        Some(groups) => {
            // A leerkracht: the school's pupils (scoped in SQL), of their own groups.
            let mut out = Vec::new();
            let mut skip = page.offset() as usize;
            let mut p = Page::first(MAX_PAGE_SIZE);
            loop {
                let batch = visibility::pupils(&state.store, &acting.caller, p).await?;
                let done = batch.len() < p.limit() as usize;
                for pupil in batch {
                    if !groups.contains(&pupil.data.pupil.group) {
                        continue;
                    }
                    if skip > 0 {
                        skip -= 1;
                    } else if out.len() < page.limit() as usize {
                        out.push(pupil);
                    }
                }
                if done || out.len() >= page.limit() as usize {
                    break;
                }
                p = p.next();
            }
            out
        }
    };
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Pupils(school.clone()),
        None,
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        pupils.into_iter().map(pupil_out).collect(),
        page,
    )))
}

/// Enrol a pupil; the pupil is evaluated at once.
#[utoipa::path(
    post,
    path = "/api/schools/{school}/pupils",
    tag = "leerlingen",
    params(("school" = String, Path, description = "School (BRIN)"), OrgQuery),
    request_body = PupilIn,
    responses(
        (status = 201, description = "Ingeschreven", body = PupilChanged),
        (status = 400, description = "te_lang, ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 409, description = "Het leerlingnummer bestaat al", body = ErrorBody),
        (status = 422, description = "Ongeldige gegevens (BSN, datums); verplicht: pupil_id ontbreekt", body = ErrorBody),
    )
)]
async fn create_pupil(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(school): Path<String>,
    Json(body): Json<PupilIn>,
) -> ApiResult<(StatusCode, axum::Json<PupilChanged>)> {
    let id = body.pupil_id.clone().unwrap_or_default();
    if id.trim().is_empty() {
        // The body is also an update's, where `pupil_id` is left out: the schema cannot state
        // that enrolling requires it, so 422, not 400.
        let ApiError { code, message, .. } = ApiError::required("pupil_id");
        return Err(ApiError::unprocessable(code, message).with_field("pupil_id"));
    }
    let data = body.data(id.trim().to_owned())?;
    let id = data.pupil.id.clone();
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Pupil(id.clone()).detail("enrol"),
        Some((&school, &id)),
    );
    let sync = records::enrol_pupil(&state.store, &caller, &school, &data).await?;
    let pupil = visibility::pupil(&state.store, &acting.caller, &school, &id).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PupilChanged {
            pupil: pupil_out(pupil),
            sync: sync.into(),
        }),
    ))
}

/// One pupil.
#[utoipa::path(
    get,
    path = "/api/schools/{school}/pupils/{pupil}",
    tag = "leerlingen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        OrgQuery,
    ),
    responses(
        (status = 200, description = "De leerling", body = PupilOut),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol die leerlingen leest", body = ErrorBody),
        (status = 404, description = "Onbekend, of niet zichtbaar voor uw organisatie", body = ErrorBody),
    )
)]
async fn get_pupil(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
) -> ApiResult<axum::Json<PupilOut>> {
    let p = visible_pupil(&state, &acting, &school, &pupil).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Pupil(pupil.clone()),
        Some((&school, &pupil)),
    )
    .await?;
    Ok(axum::Json(pupil_out(p)))
}

/// Change a pupil's data (a corrected birth date, another group, a move); the pupil is
/// re-evaluated.
#[utoipa::path(
    put,
    path = "/api/schools/{school}/pupils/{pupil}",
    tag = "leerlingen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        OrgQuery,
    ),
    request_body = PupilIn,
    responses(
        (status = 200, description = "Gewijzigd", body = PupilChanged),
        (status = 400, description = "te_lang, ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende leerling", body = ErrorBody),
        (status = 422, description = "Ongeldige gegevens", body = ErrorBody),
    )
)]
async fn update_pupil(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Json(body): Json<PupilIn>,
) -> ApiResult<axum::Json<PupilChanged>> {
    visible_pupil(&state, &acting, &school, &pupil).await?;
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Pupil(pupil.clone()).detail("update"),
        Some((&school, &pupil)),
    );
    let data = body.data(pupil.clone())?;
    let sync = records::update_pupil(&state.store, &caller, &school, &data).await?;
    let p = visibility::pupil(&state.store, &acting.caller, &school, &pupil).await?;
    Ok(axum::Json(PupilChanged {
        pupil: pupil_out(p),
        sync: sync.into(),
    }))
}

/// Deregister a pupil: the last day enrolled and, if known, the next school. Without a next
/// school the card's absoluut verzuim may follow.
#[utoipa::path(
    post,
    path = "/api/schools/{school}/pupils/{pupil}/deregister",
    tag = "leerlingen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        OrgQuery,
    ),
    request_body = DeregisterIn,
    responses(
        (status = 200, description = "Uitgeschreven", body = PupilChanged),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende leerling", body = ErrorBody),
        (status = 422, description = "Datum vóór de inschrijving, of registraties erna", body = ErrorBody),
    )
)]
async fn deregister_pupil(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Json(body): Json<DeregisterIn>,
) -> ApiResult<axum::Json<PupilChanged>> {
    visible_pupil(&state, &acting, &school, &pupil).await?;
    check_opt("next_school", body.next_school.as_deref(), max_len::NAME)?;
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Pupil(pupil.clone()).detail("deregister"),
        Some((&school, &pupil)),
    );
    let sync = records::deregister_pupil(
        &state.store,
        &caller,
        &school,
        &pupil,
        body.enrolled_until,
        body.next_school.as_deref(),
    )
    .await?;
    let p = visibility::pupil(&state.store, &acting.caller, &school, &pupil).await?;
    Ok(axum::Json(PupilChanged {
        pupil: pupil_out(p),
        sync: sync.into(),
    }))
}
