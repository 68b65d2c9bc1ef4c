//! Static files under `/static/`, embedded in the binary. Their URLs carry a hash of the content
//! (`?v=…`), so they are cached for a year (`immutable`) and a new version is a new URL.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

const CSS: &str = include_str!("../../static/app.css");
const HTMX: &str = include_str!("../../static/vendor/htmx-2.0.8.min.js");
const ICON: &str = include_str!("../../static/icon.svg");

/// `Cache-Control` of a static file.
pub const CACHE: &str = "public, max-age=31536000, immutable";

static CSS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/app.css?v={}", short_hash(CSS)));
static HTMX_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/vendor/htmx-2.0.8.min.js?v={}", short_hash(HTMX)));
static ICON_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/icon.svg?v={}", short_hash(ICON)));

/// The stylesheet's URL (with its content hash).
pub fn css_url() -> &'static str {
    &CSS_URL
}

/// htmx's URL (with its content hash).
pub fn htmx_url() -> &'static str {
    &HTMX_URL
}

/// The icon's URL (with its content hash).
pub fn icon_url() -> &'static str {
    &ICON_URL
}

/// FNV-1a, 64 bits, as 12 hex digits: enough to tell versions apart.
fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")[..12].to_owned()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { file(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/static/vendor/htmx-2.0.8.min.js",
            get(|| async { file(HTMX, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/icon.svg",
            get(|| async { file(ICON, "image/svg+xml") }),
        )
}

fn file(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(CACHE)),
        ],
        body,
    )
        .into_response()
}
