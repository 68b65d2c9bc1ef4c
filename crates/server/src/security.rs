//! Request-level protection: security headers on every response, CSRF refusal of cross-site
//! state-changing requests, request body limits, error pages, and where a request came from
//! (client address, HTTPS).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::sessions;
use crate::error::{ApiError, ErrorMarker};
use crate::state::AppState;

/// The largest request body by default (JSON requests).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest request body of an import route. Apply it to that route's router with
/// `.layer(axum::extract::DefaultBodyLimit::max(IMPORT_BODY_LIMIT))`.
pub const IMPORT_BODY_LIMIT: usize = 10 * 1024 * 1024;
/// Paths under this prefix are static assets: they may be cached (no `no-store`).
pub const STATIC_PREFIX: &str = "/static/";

/// No inline script, no plugins, no framing, no foreign origins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Middleware: the security headers of every response, and `Cache-Control: no-store` on all but
/// static assets (API answers and pages carry pupil data).
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with(STATIC_PREFIX);
    let https = request_is_https(&state, req.headers());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !is_static || !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Middleware: refuses (403 `csrf`) a state-changing request (POST, PUT, PATCH, DELETE) that a
/// browser may have sent from another site.
///
/// - A request with `Authorization: Bearer` (an API token) is not cookie-based: exempt.
/// - Otherwise it passes when `Sec-Fetch-Site: same-origin`, or when `Origin` is the service's
///   own origin (the configured public URL's, else `scheme://Host` of the request).
/// - With either header present and neither condition met, it is refused (also a login
///   without a session: no logging a victim into someone else's account).
/// - With neither header (not a browser), it is refused only when it carries the session
///   cookie.
pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_state_changing(req.method()) || has_bearer(req.headers()) {
        return next.run(req).await;
    }
    let h = req.headers();
    let fetch_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let allowed = match (fetch_site, origin) {
        (None, None) => sessions::cookie_token(h).is_none(),
        (site, origin) => {
            site.is_some_and(|s| s.eq_ignore_ascii_case("same-origin"))
                || origin.is_some_and(|o| is_own_origin(&state, h, o))
        }
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::info!(
            method = %req.method(),
            path = %req.uri().path(),
            origin = origin.unwrap_or("-"),
            fetch_site = fetch_site.unwrap_or("-"),
            "cross-site request refused"
        );
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Dit verzoek kwam niet van deze website en is geweigerd.",
        )
        .into_response()
    }
}

/// Middleware: every error answer is the service's own. Under `/api` a JSON error (also for
/// axum's bare 404, 405, 413 and its text rejections); elsewhere a Dutch HTML page.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let marker = res.extensions().get::<ErrorMarker>().map(|m| m.0.clone());
    let error = match marker {
        Some(_) if api => return res,
        Some(e) => e,
        None => {
            let json = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            if json {
                // A deliberate JSON answer (e.g. /health's 503).
                return res;
            }
            ApiError::from_status(status)
        }
    };
    let mut out = if api {
        error.clone().into_response()
    } else {
        let mut r = (status, Html(error.html_page())).into_response();
        r.extensions_mut().insert(ErrorMarker(error));
        r
    };
    *out.status_mut() = status;
    for name in [header::ALLOW, header::RETRY_AFTER, header::SET_COOKIE] {
        for v in res.headers().get_all(&name) {
            out.headers_mut().append(name.clone(), v.clone());
        }
    }
    out
}

/// The answer to a panic in a handler: a logged 500, nothing of the panic shown.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("a handler panicked").into_response()
}

/// Where a request came from: the peer address, or (with `trust_proxy`) the last address in
/// `X-Forwarded-For`, the one the proxy itself saw. `None` only when neither is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(client_address(state, parts)))
    }
}

pub(crate) fn client_address(state: &AppState, parts: &Parts) -> Option<String> {
    if state.config.trust_proxy
        && let Some(forwarded) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty())
    {
        return Some(forwarded.chars().take(64).collect());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// Whether the user reached the service over HTTPS: an `https` public URL, or (with
/// `trust_proxy`) `X-Forwarded-Proto: https`.
pub fn request_is_https(state: &AppState, headers: &HeaderMap) -> bool {
    if state.config.public_url_is_https() {
        return true;
    }
    state.config.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .next()
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
            })
}

fn is_state_changing(m: &Method) -> bool {
    matches!(
        *m,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

pub(crate) fn has_bearer(headers: &HeaderMap) -> bool {
    bearer_token(headers).is_some()
}

/// The token of `Authorization: Bearer <token>`.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn is_own_origin(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    if let Some(own) = state.config.public_origin() {
        return origin == own;
    }
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let scheme = if request_is_https(state, headers) {
        "https"
    } else {
        "http"
    };
    origin == format!("{scheme}://{}", host.trim().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_is_parsed_strictly() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer_token(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer vzm_x"),
        );
        assert_eq!(bearer_token(&h), Some("vzm_x"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&h), None);
    }

    #[test]
    fn csp_has_no_inline_script() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-eval"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'self'"));
    }
}
