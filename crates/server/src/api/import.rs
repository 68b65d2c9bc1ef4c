//! `POST /api/schools/{school}/import`: formats.md's files into one school, all or nothing.
//!
//! The files come as JSON (`{"pupils_csv": "...", "registrations_csv": "...", "events_csv":
//! "...", "school_toml": "..."}`) or as `multipart/form-data` with the parts `pupils`,
//! `registrations`, `events` and `school` (or named after the files: `pupils.csv`, …). Invalid
//! files store nothing and answer 422 with every problem as `file:line:column` (the same
//! messages as `verzuim evaluate`). This route takes bodies up to
//! [`crate::security::IMPORT_BODY_LIMIT`].
//!
//! Starting mid-year (issue 10.9): the signals the import raises dated before `review_before`
//! (default: today) wait "te beoordelen na import", without tasks, until the coordinator decides
//! (`/api/schools/{school}/import-review`); the answer lists them (`to_review`). Registrations
//! and events identical to stored ones are skipped, so the same files twice store nothing twice.
//!
//! Roles: a school's `verzuimcoordinator` and `beheerder`, or a token with `pupils:write`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::policy::{self, PolicyRoutes};
use jiff::civil::Date;
use verzuim_exchange::{InputError, Source};
use verzuim_service::{ImportOptions, ServiceError, Sources};

use super::common::{OrgQuery, SyncOut, audited_write};
use super::import_review::{ImportReviewOut, review_out};
use crate::audit::{Audit, AuditObject};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Path;
use crate::security::IMPORT_BODY_LIMIT;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(import), &policy::PUPILS_WRITE)
        .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT))
}

/// The files as JSON strings (the same as the multipart parts).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ImportIn {
    /// school.toml; without it the school's stored settings are used.
    pub school_toml: Option<String>,
    /// pupils.csv (required).
    pub pupils_csv: String,
    /// registrations.csv (required; a header row alone is fine).
    pub registrations_csv: String,
    pub events_csv: Option<String>,
    /// Signals the import raises dated before this day wait for the coordinator's review
    /// without tasks (default: today; not after today). A day on or before the first
    /// registration lets every signal open its tasks at once.
    #[schema(value_type = Option<String>, format = Date)]
    pub review_before: Option<Date>,
}

/// What the import stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub pupils_created: usize,
    pub pupils_updated: usize,
    pub registrations: usize,
    pub events: usize,
    /// Registrations identical to stored ones: not stored again.
    pub registrations_skipped: usize,
    /// Events identical to stored ones (kind and date): not stored again.
    pub events_skipped: usize,
    /// school.toml replaced the stored lesson times and closed periods.
    pub settings_replaced: bool,
    /// The import's cut-off: new signals dated before it wait for review.
    #[schema(value_type = Option<String>, format = Date)]
    pub review_before: Option<Date>,
    /// The signals this import holds for the coordinator's review (pupil, kind, date), without
    /// tasks; decide with `POST /api/schools/{school}/import-review/{id}`.
    pub to_review: Vec<ImportReviewOut>,
    /// What the re-evaluation did with the signals on or after the cut-off (the normal flow).
    pub sync: SyncOut,
}

/// One problem in the files.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileError {
    #[schema(example = "registrations.csv")]
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
    /// `file:line:column: message`, as `verzuim evaluate` prints it.
    #[schema(example = "registrations.csv:3:2: onbekende code \"ziekk\"")]
    pub text: String,
}

/// 422: every problem of the files; nothing was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportErrorBody {
    pub error: ImportErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportErrorDetail {
    /// `ongeldige_bestanden`, or `ongeldig` (a `review_before` after today).
    pub code: String,
    pub message: String,
    pub errors: Vec<FileError>,
}

fn input_errors(errors: Vec<InputError>) -> Response {
    let n = errors.len();
    let body = ImportErrorBody {
        error: ImportErrorDetail {
            code: "ongeldige_bestanden".into(),
            message: format!(
                "De bestanden bevatten {n} {}; er is niets opgeslagen.",
                if n == 1 { "fout" } else { "fouten" }
            ),
            errors: errors
                .into_iter()
                .map(|e| FileError {
                    text: e.to_string(),
                    file: e.file,
                    line: e.line,
                    column: e.column,
                    message: e.message,
                })
                .collect(),
        },
    };
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}

/// The files of a request: JSON or multipart.
struct Files {
    school: Option<Vec<u8>>,
    pupils: Option<Vec<u8>>,
    registrations: Option<Vec<u8>>,
    events: Option<Vec<u8>>,
    review_before: Option<Date>,
}

/// A `review_before` part of a form: a date (`JJJJ-MM-DD`), or nothing.
fn review_date(bytes: &[u8]) -> ApiResult<Option<Date>> {
    let text = std::str::from_utf8(bytes).unwrap_or_default().trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        ApiError::bad_request(
            "ongeldige_waarde",
            format!("review_before: \"{text}\" is geen datum (JJJJ-MM-DD)."),
        )
    })
}

async fn files(headers: &HeaderMap, body: Bytes) -> ApiResult<Files> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let lower = ct.to_ascii_lowercase();
    if lower.starts_with("application/json") {
        let v: ImportIn = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(
                "ongeldige_json",
                format!("De inhoud van het verzoek is geen geldige JSON voor deze vraag ({e})."),
            )
        })?;
        return Ok(Files {
            school: v.school_toml.map(String::into_bytes),
            pupils: Some(v.pupils_csv.into_bytes()),
            registrations: Some(v.registrations_csv.into_bytes()),
            events: v.events_csv.map(String::into_bytes),
            review_before: v.review_before,
        });
    }
    if lower.starts_with("multipart/form-data") {
        let boundary = crate::multipart::boundary(headers)?;
        let mut f = Files {
            school: None,
            pupils: None,
            registrations: None,
            events: None,
            review_before: None,
        };
        for part in crate::multipart::parts(body, &boundary).await? {
            let slot = match part.name.as_str() {
                "school" | "school.toml" | "school_toml" => &mut f.school,
                "pupils" | "pupils.csv" | "pupils_csv" => &mut f.pupils,
                "registrations" | "registrations.csv" | "registrations_csv" => &mut f.registrations,
                "events" | "events.csv" | "events_csv" => &mut f.events,
                "review_before" => {
                    f.review_before = review_date(&part.bytes)?;
                    continue;
                }
                _ => continue,
            };
            *slot = Some(part.bytes);
        }
        return Ok(f);
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "geen_bestanden",
        "Stuur de bestanden als JSON (application/json) of als formulier (multipart/form-data).",
    ))
}

/// Import formats.md's files into the school, all or nothing: pupils are enrolled or updated,
/// registrations and events added, and every imported pupil re-evaluated, in one transaction.
/// With school.toml the school's lesson times and closed periods are replaced too.
#[utoipa::path(
    post,
    path = "/api/schools/{school}/import",
    tag = "import",
    params(("school" = String, Path, description = "School (BRIN)"), OrgQuery),
    request_body(
        content(
            (ImportIn = "application/json"),
            (ImportIn = "multipart/form-data"),
        ),
        description = "De bestanden: als JSON, of als formulier met de delen pupils, registrations, events en school"
    ),
    responses(
        (status = 200, description = "Alles opgeslagen", body = ImportOut),
        (status = 400, description = "ongeldige_json, ongeldig_formulier, verplicht", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 413, description = "Groter dan 10 MiB", body = ErrorBody),
        (status = 415, description = "Geen JSON of formulier", body = ErrorBody),
        (status = 422, description = "Fouten in de bestanden (file:line:column), of review_before na vandaag; niets opgeslagen", body = ImportErrorBody),
    )
)]
async fn import(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(school): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let files = files(&headers, body).await?;
    let pupils = files
        .pupils
        .as_deref()
        .ok_or_else(|| ApiError::required("pupils"))?;
    let registrations = files
        .registrations
        .as_deref()
        .ok_or_else(|| ApiError::required("registrations"))?;
    let sources = Sources {
        school: files.school.as_deref().map(|bytes| Source {
            name: "school.toml",
            bytes,
        }),
        pupils: Source {
            name: "pupils.csv",
            bytes: pupils,
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: registrations,
        },
        events: files.events.as_deref().map(|bytes| Source {
            name: "events.csv",
            bytes,
        }),
    };
    // The audit row commits with the import (the service adds the counts to its object).
    let caller = audited_write(&audit, &acting, AuditObject::Import(school.clone()), None);
    let today = state.today();
    let result = verzuim_service::import_with(
        &state.store,
        &caller,
        today,
        &school,
        sources,
        ImportOptions {
            review_before: Some(files.review_before.unwrap_or(today)),
        },
    )
    .await;
    let report = match result {
        Ok(r) => r,
        Err(ServiceError::Input(errors)) => return Ok(input_errors(errors)),
        // A cut-off after today: 422 in the import's error shape, without file errors.
        Err(ServiceError::Invalid(message)) => {
            let body = ImportErrorBody {
                error: ImportErrorDetail {
                    code: "ongeldig".into(),
                    message: crate::error::sentence(&message),
                    errors: Vec::new(),
                },
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    Ok(axum::Json(ImportOut {
        pupils_created: report.pupils_created,
        pupils_updated: report.pupils_updated,
        registrations: report.registrations,
        events: report.events,
        registrations_skipped: report.registrations_skipped,
        events_skipped: report.events_skipped,
        settings_replaced: report.settings_replaced,
        review_before: report.review_before,
        to_review: report.to_review.into_iter().map(review_out).collect(),
        sync: report.sync.into(),
    })
    .into_response())
}
