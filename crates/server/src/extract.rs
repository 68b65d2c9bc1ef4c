//! Extractors whose rejections are the service's JSON errors, pagination, and text limits.
//!
//! Route authors use [`Json`], [`Query`] and [`Path`] from here instead of axum's, so that a
//! malformed body, query or path answers `{"error": {"code": …}}` in Dutch like everything else.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use verzuim_store::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page};

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
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

fn json_rejection(e: JsonRejection) -> ApiError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::from_status(e.status())
        }
        _ => {
            let detail = match &e {
                JsonRejection::JsonDataError(d) => d.body_text(),
                JsonRejection::JsonSyntaxError(d) => d.body_text(),
                other => other.body_text(),
            };
            ApiError::bad_request(
                "ongeldige_json",
                format!(
                    "De inhoud van het verzoek is geen geldige JSON voor deze vraag ({detail})."
                ),
            )
        }
    }
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

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Query<T>> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => Err(query_rejection(e)),
        }
    }
}

fn query_rejection(e: QueryRejection) -> ApiError {
    ApiError::bad_request(
        "ongeldige_parameter",
        format!(
            "Een parameter in de adresregel is ongeldig ({}).",
            e.body_text()
        ),
    )
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

fn path_rejection(e: PathRejection) -> ApiError {
    match e {
        PathRejection::FailedToDeserializePathParams(_) => ApiError::bad_request(
            "ongeldig_pad",
            "Een deel van het adres is ongeldig (bijvoorbeeld geen getal waar een nummer hoort).",
        ),
        other => ApiError::internal(other.body_text()),
    }
}

/// `?limit=&offset=` of a list. `limit` defaults to 50 and is capped at 200.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Pagination {
    /// Rows per page (1–200, default 50).
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u32>,
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
