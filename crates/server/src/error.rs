//! The one error type of the service.
//!
//! Under `/api` an error is JSON: `{"error": {"code": "stable_snake_code", "message": "Dutch
//! text"}}` (and `"field"` when one input field is at fault). Elsewhere it is a small Dutch HTML
//! page with the same code (the pages of the web UI replace it later). Never a stack trace, never
//! a SQL message: the details of an internal failure go to the log only.

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer: HTTP status, stable code, Dutch message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, snake_case; clients may match on it.
    pub code: &'static str,
    /// Dutch, for the person using the service.
    pub message: Cow<'static, str>,
    /// The input field at fault, if one is.
    pub field: Option<String>,
    /// Seconds to wait (`Retry-After`), for 429.
    pub retry_after: Option<u64>,
}

/// The JSON body of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `niet_ingelogd`, `geen_toegang`, `te_lang`.
    pub code: String,
    /// Dutch message for the user.
    pub message: String,
    /// The input field at fault, if one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The service's result.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Names the input field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// 400 with a code and message of the caller's.
    pub fn bad_request(code: &'static str, message: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422 with a code and message of the caller's: the request matches the OpenAPI schema, but
    /// a value's content breaks a rule the schema cannot state (a date that does not exist, a
    /// lesson time that ends before it starts). 400 stays for requests that do not match it.
    pub fn unprocessable(code: &'static str, message: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// The same error as 422: a value the schema allows here but the rule of this request
    /// refuses (a closing reason that only `afgesloten` needs). See [`ApiError::unprocessable`].
    pub fn as_unprocessable(mut self) -> ApiError {
        self.status = StatusCode::UNPROCESSABLE_ENTITY;
        self
    }

    /// 401 `niet_ingelogd`: no valid session or API token.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "niet_ingelogd",
            "U bent niet ingelogd of uw sessie is verlopen.",
        )
    }

    /// 403 `geen_toegang`: logged in, but not allowed.
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "geen_toegang",
            "U heeft geen toegang tot deze gegevens of handeling.",
        )
    }

    /// 404 `niet_gevonden` (also for what exists outside the caller's scope).
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "niet_gevonden", "Niet gevonden.")
    }

    /// 400 `te_lang`: a text field over its maximum length.
    pub fn too_long(field: &str, max: usize) -> ApiError {
        ApiError::bad_request(
            "te_lang",
            format!("Het veld '{field}' is te lang (maximaal {max} tekens)."),
        )
        .with_field(field)
    }

    /// 400 `verplicht`: a required text field is empty.
    pub fn required(field: &str) -> ApiError {
        ApiError::bad_request("verplicht", format!("Het veld '{field}' is verplicht."))
            .with_field(field)
    }

    /// 413 `te_groot`.
    pub fn payload_too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "te_groot",
            "Het verzoek is te groot.",
        )
    }

    /// 429 `te_veel_pogingen` with `Retry-After`.
    pub fn too_many_attempts(retry_after_secs: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "te_veel_pogingen",
            format!(
                "Te veel mislukte pogingen. Probeer het over {} opnieuw.",
                dutch_duration(retry_after_secs)
            ),
        );
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    /// 500 `interne_fout`: logs `detail` (never shown) and says only that something failed.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "interne_fout",
            "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
        )
    }

    /// The error a bare status stands for (axum's own rejections, the fallback route).
    pub fn from_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::UNAUTHORIZED => ApiError::unauthenticated(),
            StatusCode::FORBIDDEN => ApiError::forbidden(),
            StatusCode::NOT_FOUND => ApiError::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                "methode_niet_toegestaan",
                "Deze methode is hier niet toegestaan.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                status,
                "geen_json",
                "Het verzoek moet JSON zijn (Content-Type: application/json).",
            ),
            StatusCode::TOO_MANY_REQUESTS => ApiError::new(
                status,
                "te_veel_pogingen",
                "Te veel verzoeken. Probeer het later opnieuw.",
            ),
            s if s.is_server_error() => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "interne_fout",
                "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
            ),
            s => ApiError::new(s, "ongeldig_verzoek", "Het verzoek is ongeldig."),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.to_string(),
                field: self.field.clone(),
            },
        }
    }

    /// The Dutch HTML page for a non-API path.
    pub fn html_page(&self) -> String {
        let title = match self.status {
            StatusCode::NOT_FOUND => "Pagina niet gevonden",
            StatusCode::UNAUTHORIZED => "Niet ingelogd",
            StatusCode::FORBIDDEN => "Geen toegang",
            s if s.is_server_error() => "Er ging iets mis",
            _ => "Dit lukte niet",
        };
        if let Some(page) = crate::web::error_page(title, &self.message, self.code) {
            return page;
        }
        format!(
            "<!doctype html>\n<html lang=\"nl\">\n<head><meta charset=\"utf-8\">\
             <title>{title} - verzuim</title></head>\n<body>\n<h1>{title}</h1>\n<p>{}</p>\n\
             <p>Foutcode: <code>{}</code></p>\n<p><a href=\"/\">Naar de beginpagina</a></p>\n\
             </body>\n</html>\n",
            escape_html(&self.message),
            escape_html(self.code)
        )
    }
}

/// Marks a response as an [`ApiError`] (the error-page middleware turns it into HTML outside
/// `/api`).
#[derive(Debug, Clone)]
pub(crate) struct ErrorMarker(pub ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_else(|_| b"{}".to_vec());
        let mut res = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res.extensions_mut().insert(ErrorMarker(self));
        res
    }
}

impl From<verzuim_service::ServiceError> for ApiError {
    /// A service error as the API's (and the pages') error: not found 404, forbidden 403, a
    /// broken rule 422 (`ongeldig`, the service's Dutch message as a [`sentence`]), a conflict
    /// 409, wrong import files 422 (`ongeldige_bestanden`, the first three), storage failures a
    /// logged 500. A message that is the database's own text (a constraint's wording) is only
    /// logged: the user reads a general sentence.
    fn from(e: verzuim_service::ServiceError) -> ApiError {
        use verzuim_service::ServiceError;
        match e {
            ServiceError::NotFound => ApiError::not_found(),
            ServiceError::Forbidden(why) => {
                tracing::debug!(%why, "service refused");
                ApiError::forbidden()
            }
            ServiceError::Invalid(m) => {
                let message = if is_database_text(&m) {
                    tracing::info!(detail = %m, "store refused invalid data");
                    "De gegevens voldoen niet aan de regels.".to_owned()
                } else {
                    sentence(&m)
                };
                ApiError::unprocessable("ongeldig", message)
            }
            ServiceError::Conflict(m) => {
                let message = if is_database_text(&m) {
                    tracing::info!(detail = %m, "store conflict");
                    "Dit bestaat al of is intussen door iemand anders gewijzigd.".to_owned()
                } else {
                    sentence(&m)
                };
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
            }
            ServiceError::Input(errors) => {
                let first: Vec<String> = errors.iter().take(3).map(|e| e.to_string()).collect();
                ApiError::unprocessable(
                    "ongeldige_bestanden",
                    format!(
                        "De bestanden bevatten {} fout(en): {}",
                        errors.len(),
                        first.join("; ")
                    ),
                )
            }
            ServiceError::Store(e) => ApiError::internal(e),
        }
    }
}

/// A service message as a sentence: capital first letter, final full stop (messages that are
/// SQL never come here: the service keeps them in `ServiceError::Store`).
pub fn sentence(m: &str) -> String {
    let mut s = crate::nl::capitalise(m);
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// Whether a store message is the database's own text (SQLite's or PostgreSQL's wording of a
/// constraint), which is not for users: it names tables, columns and constraints.
fn is_database_text(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    [
        "constraint",
        "violates",
        "duplicate key",
        "table",
        "column",
        "relation",
        "syntax",
        "sql",
        "foreign key",
        "null value",
    ]
    .iter()
    .any(|w| m.contains(w))
}

/// "3 seconden", "1 minuut", "15 minuten".
fn dutch_duration(secs: u64) -> String {
    match secs {
        0 | 1 => "1 seconde".into(),
        s if s < 60 => format!("{s} seconden"),
        s => {
            let m = s.div_ceil(60);
            if m == 1 {
                "1 minuut".into()
            } else {
                format!("{m} minuten")
            }
        }
    }
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use verzuim_service::ServiceError;

    use super::*;

    #[test]
    fn database_text_never_reaches_the_user() {
        for msg in [
            "UNIQUE constraint failed: users.email",
            "duplicate key value violates unique constraint \"users_email_key\"",
            "FOREIGN KEY constraint failed",
            "insert or update on table \"tasks\" violates foreign key constraint",
        ] {
            for e in [
                ServiceError::Conflict(msg.into()),
                ServiceError::Invalid(msg.into()),
            ] {
                let api = ApiError::from(e);
                let body = serde_json::to_string(&api.body()).unwrap();
                assert!(!body.contains("constraint"), "{body}");
                assert!(!body.contains("users"), "{body}");
            }
        }
        let api = ApiError::from(ServiceError::Invalid("het dossier is gesloten".into()));
        assert_eq!(api.message, "Het dossier is gesloten.");
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn internal_errors_say_nothing_of_the_cause() {
        let api = ApiError::internal("column x: SELECT * FROM pupils");
        assert_eq!(api.code, "interne_fout");
        assert!(!api.message.contains("SELECT"));
    }

    #[test]
    fn html_page_escapes() {
        let e = ApiError::bad_request("x", "<script>");
        assert!(e.html_page().contains("&lt;script&gt;"));
        assert!(e.html_page().contains("lang=\"nl\""));
    }

    #[test]
    fn dutch_durations() {
        assert_eq!(dutch_duration(1), "1 seconde");
        assert_eq!(dutch_duration(32), "32 seconden");
        assert_eq!(dutch_duration(60), "1 minuut");
        assert_eq!(dutch_duration(900), "15 minuten");
    }
}
