//! `verzuim-server`: the web service. A JSON API (with its OpenAPI document) over the store,
//! with server-side sessions, API tokens, roles per organisation, CSRF refusal, security
//! headers, body limits and an audit log.
//!
//! - [`router`] is the whole service as an axum `Router`; [`serve`] runs it.
//! - Route authors: see [`api`] (how to add a router), [`authz::Actor`] (who calls, and
//!   `require_*`), [`audit::Audit`] (the audit row), [`error::ApiError`] (the error answer),
//!   [`extract`] (JSON/query/path extractors with JSON errors, pagination, text limits) and
//!   [`state::AppState`] (store, config, clock).
//!
//! Layers, outermost first: request tracing, security headers, error pages, panic catching,
//! CSRF, body limit, then the routes.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub mod acting;
pub mod api;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod demo;
pub mod error;
pub mod extract;
pub mod mail;
pub mod multipart;
pub mod nl;
pub mod policy;
pub mod retention;
pub mod security;
pub mod state;
pub mod web;

pub use crate::authz::{Actor, Permission, Role};
pub use crate::error::{ApiError, ApiResult};
pub use crate::state::{AppState, Clock, Config, ManualClock};

/// The whole service.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The service with `extra` routes beside its own, behind the same layers (CSRF, headers,
/// limits, error pages). For tests that need a probe route, and for embedding.
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let (routes, _) = api::routes().split_for_parts();
    let pages = web::page_routes(state.config.demo_mailbox).into_router();
    routes
        .merge(extra)
        .merge(pages)
        .route("/api/openapi.json", get(api::openapi_json))
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(security::BODY_LIMIT))
        // The route policies' layer reads the state from here (it runs inside the routes).
        .layer(axum::Extension(state.clone()))
        .layer(from_fn_with_state(state.clone(), security::csrf))
        .layer(CatchPanicLayer::custom(security::panic_response))
        .layer(from_fn(security::error_pages))
        .layer(from_fn_with_state(state.clone(), security::headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn fallback() -> ApiError {
    ApiError::not_found()
}

/// Why the service could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("kan niet luisteren op {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("de server stopte met een fout: {0}")]
    Io(#[from] std::io::Error),
}

/// Binds `listen`, logs the address, serves until SIGTERM or Ctrl-C, then finishes the
/// requests in flight.
pub async fn serve(state: AppState, listen: SocketAddr) -> Result<(), ServeError> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "verzuim luistert op http://{addr}");
    serve_on(listener, state, shutdown_signal()).await
}

/// Serves on a bound listener until `shutdown` completes (tests bind 127.0.0.1:0 and pass a
/// channel). Also removes expired sessions every 15 minutes.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_app(listener, router(state.clone()), state, shutdown).await
}

/// Serves an app made with [`router_with`] (see [`serve_on`]).
pub async fn serve_app(
    listener: TcpListener,
    app: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let sweeper = tokio::spawn(sweep_sessions(state));
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    tracing::info!("verzuim is gestopt");
    Ok(result?)
}

async fn sweep_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(15 * 60));
    loop {
        tick.tick().await;
        match verzuim_service::auth::end_expired_sessions(&state.store, state.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(removed = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
        }
    }
}

/// Completes at Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("stopsignaal ontvangen; lopende verzoeken worden afgemaakt");
}

/// The service is the only door to the data: outside the application's builder (`state.rs`)
/// and the demo's (`demo.rs`, whose seeding in `demo/` also writes organisations and users
/// itself), no file of the server names the store crate or calls a method of the store handle
/// other than `clone` and its clock (`now`).
#[cfg(test)]
mod door {
    use std::path::{Path, PathBuf};

    const BUILDERS: &[&str] = &["state.rs", "demo.rs"];

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn only_the_builders_reach_the_store() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let crate_name = concat!("verzuim", "_store");
        let mut wrong = Vec::new();
        for file in files {
            let rel = file
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if BUILDERS.contains(&rel.as_str()) {
                continue;
            }
            let seeding = rel.starts_with("demo/");
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains(crate_name) {
                wrong.push(format!("{rel}: names {crate_name}"));
            }
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for (at, _) in squeezed.match_indices("store.") {
                let method: String = squeezed[at + 6..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let before = squeezed[..at].chars().next_back();
                let a_handle = before.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
                let called = squeezed[at + 6 + method.len()..].starts_with('(');
                if a_handle && called && !seeding && !["clone", "now"].contains(&method.as_str()) {
                    wrong.push(format!("{rel}: store.{method}"));
                }
            }
        }
        assert!(wrong.is_empty(), "the service is the door: {wrong:#?}");
    }
}
