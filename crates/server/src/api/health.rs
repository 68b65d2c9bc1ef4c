//! `GET /health`: for monitoring.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::policy::{self, PolicyRoutes};

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes_with(routes!(health), &policy::HEALTH)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `error`.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `ok` when a trivial query succeeded, else `error`.
    #[schema(example = "ok")]
    pub database: &'static str,
}

/// Whether the service and its database answer. Needs no login; says nothing else.
#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    responses(
        (status = 200, description = "In orde", body = Health),
        (status = 503, description = "De database antwoordt niet", body = Health),
    )
)]
async fn health(State(state): State<AppState>) -> Response {
    match verzuim_service::auth::ping(&state.store).await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(Health {
                status: "ok",
                database: "ok",
            }),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(Health {
                    status: "error",
                    database: "error",
                }),
            )
                .into_response()
        }
    }
}
