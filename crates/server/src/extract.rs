//! Extractors whose rejections are the service's JSON errors, pagination, and text limits.
//!
//! Route authors use [`Json`], [`Query`] and [`Path`] from here instead of axum's, so that a
//! malformed body, query or path answers `{"error": {"code": …}}` in Dutch like everything else.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use verzuim_service::model::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page};

use crate::error::{ApiError, ApiResult};

/// Maximum lengths of text fields, in characters.
pub mod max_len {
    pub const EMAIL: usize = 254;
    pub const NAME: usize = 200;
    pub const SHORT_TEXT: usize = 500;
    pub const LONG_TEXT: usize = 4000;
    pub const IDENTIFIER: usize = 64;
    pub const PASSWORD: usize = crate::auth::password::MAX_LENGTH;
}

/// 400 `te_lang` naming the field when `value` has more than `max` characters.
pub fn check_len(field: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.chars().count() > max {
        return Err(ApiError::too_long(field, max));
    }
    Ok(())
}

/// [`check_len`] and not blank (400 `verplicht`). Returns the trimmed value.
pub fn required<'a>(field: &str, value: &'a str, max: usize) -> ApiResult<&'a str> {
    check_len(field, value, max)?;
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::required(field));
    }
    Ok(v)
}

/// A JSON request body (`Content-Type: application/json`), within the body limit.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Json<T>> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) => return Err(ApiError::from_status(e.status())),
        };
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
        de.end().map_err(|e| syntax_error(&e))?;
        Ok(Json(value))
    }
}

/// 400 `ongeldige_json`: not JSON, with where.
fn syntax_error(e: &serde_json::Error) -> ApiError {
    ApiError::bad_request(
        "ongeldige_json",
        format!(
            "De inhoud van het verzoek is geen geldige JSON (regel {}, kolom {}).",
            e.line(),
            e.column()
        ),
    )
}

/// `Content-Type: application/json` (or `application/…+json`), with any parameters.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// 400 `ongeldige_json` in Dutch, naming the field (its path, e.g. `parents_informed.date`) and
/// what is expected; never serde's English text.
fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    use serde_json::error::Category;
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => syntax_error(&inner),
        Category::Data => {
            let (field, message) = data_error_nl(&path, &inner.to_string());
            let e = ApiError::bad_request("ongeldige_json", message);
            match field {
                Some(f) => e.with_field(f),
                None => e,
            }
        }
    }
}

/// The field at fault and a Dutch message for one of serde's data errors (`text` is serde's
/// English message, read for its kind only).
fn data_error_nl(path: &str, text: &str) -> (Option<String>, String) {
    let text = text.split(" at line ").next().unwrap_or(text);
    let join = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = between(text, "missing field `", "`") {
        let f = join(name);
        return (
            Some(f.clone()),
            format!("Het veld '{f}' ontbreekt; het is verplicht."),
        );
    }
    if let Some(name) = between(text, "unknown field `", "`") {
        let f = join(name);
        return (
            Some(f.clone()),
            format!("Het veld '{f}' is onbekend; laat het weg."),
        );
    }
    let field = if path.is_empty() || path == "." {
        None
    } else {
        Some(path.to_owned())
    };
    let subject = match &field {
        Some(f) => format!("Het veld '{f}'"),
        None => "De inhoud van het verzoek".to_owned(),
    };
    if let Some(value) = between(text, "unknown variant `", "`") {
        let allowed = text
            .split_once("expected ")
            .map(|(_, rest)| rest.replace("one of ", "").replace('`', "'"))
            .unwrap_or_default();
        return (
            field,
            format!("{subject} heeft de onbekende waarde '{value}'; toegestaan: {allowed}."),
        );
    }
    if let Some(dutch) = text.strip_prefix(DUTCH) {
        return (field, format!("{subject} {dutch}."));
    }
    let lower = text.to_ascii_lowercase();
    let about_a_date = ["year", "month", "day", "date", "civil", "timestamp"]
        .iter()
        .any(|w| lower.contains(w));
    if !about_a_date
        && (lower.contains("digit") || lower.contains("number too") || lower.contains("parse int"))
    {
        return (
            field,
            format!("{subject} is ongeldig: verwacht een geheel getal."),
        );
    }
    if lower.contains("`true` or `false`") {
        return (
            field,
            format!("{subject} is ongeldig: verwacht true of false."),
        );
    }
    let expected = text
        .rsplit_once("expected ")
        .map(|(_, e)| expected_nl(e))
        .unwrap_or_else(|| expected_nl(text));
    (
        field,
        format!("{subject} is ongeldig: verwacht {expected}."),
    )
}

/// What serde expected, in Dutch.
fn expected_nl(e: &str) -> String {
    let e = e.trim();
    let lower = e.to_ascii_lowercase();
    let date_words = ["year", "month", "day", "date", "civil"];
    let time_words = ["timestamp", "hour", "minute", "second", "time"];
    if lower.contains("timestamp") || lower.contains("offset") {
        "een tijdstip als 2027-01-31T09:00:00Z".into()
    } else if date_words.iter().any(|w| lower.contains(w)) {
        "een datum als JJJJ-MM-DD (bijvoorbeeld 2027-01-31)".into()
    } else if time_words.iter().any(|w| lower.contains(w)) {
        "een tijd als UU:MM".into()
    } else if lower.contains("string") || lower.contains("char") {
        "tekst".into()
    } else if lower.contains("bool") {
        "true of false".into()
    } else if lower.starts_with('u') && lower[1..].chars().all(|c| c.is_ascii_digit()) {
        "een geheel getal van 0 of meer".into()
    } else if lower.starts_with('i') && lower[1..].chars().all(|c| c.is_ascii_digit())
        || lower.contains("integer")
    {
        "een geheel getal".into()
    } else if lower.starts_with('f') && lower[1..].chars().all(|c| c.is_ascii_digit()) {
        "een getal".into()
    } else if lower.contains("sequence") || lower.contains("array") || lower.contains("tuple") {
        "een lijst".into()
    } else if lower.contains("map") || lower.contains("struct") || lower.contains("object") {
        "een object".into()
    } else if lower.contains("null") || lower.contains("unit") {
        "null".into()
    } else {
        "een geldige waarde volgens /api/openapi.json".into()
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// Query parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> ApiResult<Query<T>> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(query_error)
    }
}

/// 400 `ongeldige_parameter` in Dutch, naming the parameter and what is expected.
fn query_error(e: serde_path_to_error::Error<serde_urlencoded::de::Error>) -> ApiError {
    let path = e.path().to_string();
    let text = e.into_inner().to_string();
    let (field, message) = data_error_nl(&path, &text);
    let message = message.replace("Het veld", "De parameter").replace(
        "De inhoud van het verzoek",
        "Een parameter in de adresregel",
    );
    let e = ApiError::bad_request("ongeldige_parameter", message);
    match field {
        Some(f) => e.with_field(f),
        None => e,
    }
}

/// Path parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Path<T>> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => Err(path_rejection(e)),
        }
    }
}

/// 400 `ongeldig_pad` naming the part of the path at fault.
pub(crate) fn bad_path(key: &str) -> ApiError {
    ApiError::bad_request(
        "ongeldig_pad",
        format!(
            "Het deel '{key}' van het adres is ongeldig (bijvoorbeeld geen getal waar een \
             nummer hoort)."
        ),
    )
    .with_field(key)
}

fn path_rejection(e: PathRejection) -> ApiError {
    match e {
        PathRejection::FailedToDeserializePathParams(e) => {
            use axum::extract::path::ErrorKind;
            let key = match e.kind() {
                ErrorKind::ParseErrorAtKey { key, .. }
                | ErrorKind::DeserializeError { key, .. }
                | ErrorKind::InvalidUtf8InPathParam { key } => Some(key.clone()),
                _ => None,
            };
            match key {
                Some(key) => bad_path(&key),
                None => ApiError::bad_request(
                    "ongeldig_pad",
                    "Een deel van het adres is ongeldig (bijvoorbeeld geen getal waar een \
                     nummer hoort).",
                ),
            }
        }
        other => ApiError::internal(other.body_text()),
    }
}

/// `?limit=&offset=` of a list. `limit` defaults to 50 and is capped at 200.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Pagination {
    /// Rows per page (1–200, default 50).
    #[serde(default, deserialize_with = "limit_param")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Rows to skip (0–1000000).
    #[serde(default, deserialize_with = "offset_param")]
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<u32>,
}

/// The largest `offset` of a list.
pub const MAX_OFFSET: u32 = 1_000_000;

/// Marks a serde error message that is already Dutch (see [`data_error_nl`]).
const DUTCH: &str = "NL:";

pub(crate) fn limit_param<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = Option::<u32>::deserialize(d)?;
    match v {
        Some(n) if n == 0 || n > MAX_PAGE_SIZE => Err(serde::de::Error::custom(format!(
            "{DUTCH}moet tussen 1 en {MAX_PAGE_SIZE} liggen"
        ))),
        _ => Ok(v),
    }
}

pub(crate) fn offset_param<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<u32>, D::Error> {
    let v = Option::<u32>::deserialize(d)?;
    match v {
        Some(n) if n > MAX_OFFSET => Err(serde::de::Error::custom(format!(
            "{DUTCH}moet tussen 0 en {MAX_OFFSET} liggen"
        ))),
        _ => Ok(v),
    }
}

/// An optional whole number of 0 or more in a JSON body. JSON Schema's `integer` is any number
/// without a fraction, so `38.0` is one too (serde's `u32` alone would refuse it).
pub fn opt_whole_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    let whole = match (n.as_u64(), n.as_f64()) {
        (Some(u), _) => Some(u),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            Some(f as u64)
        }
        _ => None,
    };
    match whole.and_then(|u| u32::try_from(u).ok()) {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom(format!(
            "{DUTCH}is ongeldig: verwacht een geheel getal van 0 tot en met {}",
            u32::MAX
        ))),
    }
}

impl Pagination {
    pub fn page(self) -> Page {
        Page::new(
            self.limit.unwrap_or(DEFAULT_PAGE_SIZE).min(MAX_PAGE_SIZE),
            self.offset.unwrap_or(0),
        )
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    /// The page size used.
    pub limit: u32,
    pub offset: u32,
    /// The `offset` of the next page, if there may be one.
    pub next_offset: Option<u32>,
}

impl<T> Paginated<T> {
    /// A page of `items` fetched with `page` (a full page means there may be more).
    pub fn new(items: Vec<T>, page: Page) -> Paginated<T> {
        let full = u32::try_from(items.len()).unwrap_or(u32::MAX) >= page.limit();
        Paginated {
            items,
            limit: page.limit(),
            offset: page.offset(),
            next_offset: full.then(|| page.next().offset()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_is_capped() {
        let p = Pagination {
            limit: Some(10_000),
            offset: Some(5),
        }
        .page();
        assert_eq!((p.limit(), p.offset()), (MAX_PAGE_SIZE, 5));
        assert_eq!(Pagination::default().page().limit(), DEFAULT_PAGE_SIZE);
        let page = Paginated::new(vec![1, 2], Page::new(2, 0));
        assert_eq!(page.next_offset, Some(2));
        let page = Paginated::new(vec![1], Page::new(2, 0));
        assert_eq!(page.next_offset, None);
    }

    #[test]
    fn lengths_are_in_characters() {
        assert!(check_len("naam", "ééé", 3).is_ok());
        let e = check_len("naam", "éééé", 3).unwrap_err();
        assert_eq!(e.code, "te_lang");
        assert_eq!(e.field.as_deref(), Some("naam"));
        assert_eq!(required("naam", "  ", 3).unwrap_err().code, "verplicht");
    }
}
