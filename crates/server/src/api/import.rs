//! `POST /api/schools/{school}/import`: formats.md's files into one school, all or nothing.
//!
//! The files come as JSON (`{"pupils_csv": "...", "registrations_csv": "...", "events_csv":
//! "...", "school_toml": "..."}`) or as `multipart/form-data` with the parts `pupils`,
//! `registrations`, `events` and `school` (or named after the files: `pupils.csv`, …). Invalid
//! files store nothing and answer 422 with every problem as `file:line:column` (the same
//! messages as `verzuim evaluate`). This route takes bodies up to
//! [`crate::security::IMPORT_BODY_LIMIT`].
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
use verzuim_exchange::{InputError, Source};
use verzuim_service::{ServiceError, Sources};

use super::common::{OrgQuery, SyncOut, acting, audit_pupil_data, service_error, today};
use super::pupils::WRITE_ROLES;
use crate::audit::Audit;
use crate::authz::{Actor, Permission};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Path, Query};
use crate::security::IMPORT_BODY_LIMIT;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
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
}

/// What the import stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub pupils_created: usize,
    pub pupils_updated: usize,
    pub registrations: usize,
    pub events: usize,
    /// school.toml replaced the stored lesson times and closed periods.
    pub settings_replaced: bool,
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
    /// `ongeldige_bestanden`.
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
}

fn files(headers: &HeaderMap, body: &Bytes) -> ApiResult<Files> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let lower = ct.to_ascii_lowercase();
    if lower.starts_with("application/json") {
        let v: ImportIn = serde_json::from_slice(body).map_err(|e| {
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
        });
    }
    if lower.starts_with("multipart/form-data") {
        let boundary = ct
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "ongeldig_formulier",
                    "Het formulier (multipart/form-data) heeft geen boundary.",
                )
            })?;
        let mut f = Files {
            school: None,
            pupils: None,
            registrations: None,
            events: None,
        };
        for (name, data) in multipart_parts(body, &boundary)? {
            let slot = match name.as_str() {
                "school" | "school.toml" | "school_toml" => &mut f.school,
                "pupils" | "pupils.csv" | "pupils_csv" => &mut f.pupils,
                "registrations" | "registrations.csv" | "registrations_csv" => &mut f.registrations,
                "events" | "events.csv" | "events_csv" => &mut f.events,
                _ => continue,
            };
            *slot = Some(data);
        }
        return Ok(f);
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "geen_bestanden",
        "Stuur de bestanden als JSON (application/json) of als formulier (multipart/form-data).",
    ))
}

/// The `(name, contents)` of each part of a `multipart/form-data` body (RFC 7578).
fn multipart_parts(body: &[u8], boundary: &str) -> ApiResult<Vec<(String, Vec<u8>)>> {
    let invalid = || {
        ApiError::bad_request(
            "ongeldig_formulier",
            "Het formulier (multipart/form-data) is niet goed opgebouwd.",
        )
    };
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut pos = find(body, d, 0).ok_or_else(invalid)? + d.len();
    let mut parts = Vec::new();
    loop {
        // After a delimiter: "--" ends the body, otherwise CRLF and a part.
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        pos = skip_line_end(body, pos).ok_or_else(invalid)?;
        let header_end = find(body, b"\r\n\r\n", pos).ok_or_else(invalid)?;
        let headers = std::str::from_utf8(&body[pos..header_end]).map_err(|_| invalid())?;
        let content_start = header_end + 4;
        let next = find_delimiter(body, d, content_start).ok_or_else(invalid)?;
        let content_end = next.saturating_sub(2).max(content_start);
        if let Some(name) = part_name(headers) {
            parts.push((name, body[content_start..content_end].to_vec()));
        }
        pos = next + d.len();
        if parts.len() > 16 {
            return Err(invalid());
        }
    }
}

fn skip_line_end(body: &[u8], pos: usize) -> Option<usize> {
    if body[pos..].starts_with(b"\r\n") {
        Some(pos + 2)
    } else if body[pos..].starts_with(b"\n") {
        Some(pos + 1)
    } else {
        None
    }
}

/// The next `\r\n--boundary` at or after `from` that is a delimiter (followed by `--` or a line
/// end): the position of `--boundary`.
fn find_delimiter(body: &[u8], d: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let i = find(body, d, at)?;
        let after = &body[i + d.len()..];
        let ends =
            after.starts_with(b"--") || after.starts_with(b"\r\n") || after.starts_with(b"\n");
        if i >= 2 && &body[i - 2..i] == b"\r\n" && ends {
            return Some(i);
        }
        at = i + 1;
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The `name` of a part's `Content-Disposition: form-data; name="…"`.
fn part_name(headers: &str) -> Option<String> {
    headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("name"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
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
    security(("sessie" = []), ("token" = ["pupils:write"])),
    responses(
        (status = 200, description = "Alles opgeslagen", body = ImportOut),
        (status = 400, description = "ongeldige_json, ongeldig_formulier, verplicht", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 413, description = "Groter dan 10 MiB", body = ErrorBody),
        (status = 415, description = "Geen JSON of formulier", body = ErrorBody),
        (status = 422, description = "Fouten in de bestanden (file:line:column); niets opgeslagen", body = ImportErrorBody),
    )
)]
async fn import(
    State(state): State<AppState>,
    actor: Actor,
    audit: Audit,
    Path(school): Path<String>,
    Query(org): Query<OrgQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let acting = acting(
        &state,
        &actor,
        &audit,
        Some(&school),
        org.org.as_deref(),
        WRITE_ROLES,
        Some(Permission::PupilsWrite),
    )
    .await?;
    let files = files(&headers, &body)?;
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
    let result = verzuim_service::import(
        &state.store,
        &acting.caller,
        today(&state),
        &school,
        sources,
    )
    .await;
    let report = match result {
        Ok(r) => r,
        Err(ServiceError::Input(errors)) => return Ok(input_errors(errors)),
        Err(e) => return Err(service_error(e)),
    };
    audit_pupil_data(
        &audit,
        &actor,
        &acting,
        true,
        format!(
            "import:{school}:{} leerlingen, {} registraties, {} gebeurtenissen",
            report.pupils_created + report.pupils_updated,
            report.registrations,
            report.events
        ),
        None,
    )
    .await?;
    Ok(axum::Json(ImportOut {
        pupils_created: report.pupils_created,
        pupils_updated: report.pupils_updated,
        registrations: report.registrations,
        events: report.events,
        settings_replaced: report.settings_replaced,
        sync: report.sync.into(),
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_read() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"pupils\"; \
                     filename=\"pupils.csv\"\r\nContent-Type: text/csv\r\n\r\npupil_id\r\n1001\r\n\
                     --XyZ\r\nContent-Disposition: form-data; name=\"registrations\"\r\n\r\n\
                     a\r\n--XyZ-\r\nb\r\n--XyZ--\r\n";
        let parts = multipart_parts(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, "pupils");
        assert_eq!(parts[0].1, b"pupil_id\r\n1001");
        assert_eq!(parts[1].0, "registrations");
        assert_eq!(parts[1].1, b"a\r\n--XyZ-\r\nb");
        assert!(multipart_parts(b"--XyZ\r\nno end", "XyZ").is_err());
        assert!(multipart_parts(b"nothing", "XyZ").is_err());
    }
}
