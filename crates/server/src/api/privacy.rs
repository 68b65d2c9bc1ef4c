//! Privacy (AVG): the inzage export of one pupil (art. 15) and the retention run.
//!
//! - `GET /api/schools/{school}/pupils/{pupil}/inzage`: a `beheerder` exports everything their
//!   own organisation stores about the pupil as one JSON file (`verzuim-inzage/1`). A school's
//!   export holds the referral's status, never GGD-JGZ's notes; a municipality's (with
//!   `?org=GM…`) what its meldingen hold; a GGD-JGZ's what its referrals hold, with its notes.
//! - `POST /api/admin/retention`: a `beheerder` (of any organisation) starts the retention job
//!   now: every pupil whose enrolment ended more than 5 years ago is removed, everywhere (what the
//!   law requires regardless of who asks), and the counts, never the data, go to the audit log.
//!   Meant for a scheduler (cron with a beheerder's session) until the service runs it itself.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::privacy;

use super::common::{OrgQuery, audit_pupil_data};
use crate::audit::{Audit, action};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Path;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(inzage), &policy::ADMIN)
        .routes_with(routes!(retention), &policy::ADMIN)
}

/// What the retention run removed (counts per table, per school).
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionOut {
    /// Pupils whose enrolment ended before this date were removed.
    #[schema(value_type = String, format = Date)]
    pub cutoff: jiff::civil::Date,
    /// Rows removed: the store's tables, per school and in total, and the workflow's.
    #[schema(value_type = Object)]
    pub removed: serde_json::Value,
}

/// The AVG inzage export of one pupil: everything the caller's organisation stores about them.
#[utoipa::path(
    get,
    path = "/api/schools/{school}/pupils/{pupil}/inzage",
    tag = "privacy",
    params(
        ("school" = String, Path, description = "School (BRIN) van de leerling"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        OrgQuery,
    ),
    responses(
        (status = 200, description = "Het exportbestand (verzuim-inzage/1)", body = Object, content_type = "application/json"),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder", body = ErrorBody),
        (status = 404, description = "Onbekende leerling, of niet in uw organisatie", body = ErrorBody),
    )
)]
async fn inzage(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
) -> ApiResult<Response> {
    let doc = privacy::inzage(&state.store, &acting.caller, &school, &pupil).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Pupil(pupil.clone()).detail("inzage"),
        Some((&school, &pupil)),
    )
    .await?;
    let safe = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    };
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"inzage-{}-{}.json\"",
        safe(&school),
        safe(&pupil)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [(header::CONTENT_DISPOSITION, disposition)],
        axum::Json(doc),
    )
        .into_response())
}

/// Run the retention job now (a beheerder): removes the data of every pupil whose enrolment
/// ended more than 5 years ago, and writes the counts to the audit log.
#[utoipa::path(
    post,
    path = "/api/admin/retention",
    tag = "privacy",
    params(OrgQuery),
    responses(
        (status = 200, description = "Uitgevoerd", body = RetentionOut),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder", body = ErrorBody),
    )
)]
async fn retention(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
) -> ApiResult<axum::Json<RetentionOut>> {
    // The audit row commits with the run (the service adds how many pupils went).
    let row = audit
        .event(&acting.actor, action::PUPIL_WRITE)
        .organisation(acting.org())
        .object(AuditObject::Retention);
    let caller = acting.caller.audited(row.entry());
    let outcome = privacy::apply_retention_audited(&state.store, &caller, state.today()).await?;
    Ok(axum::Json(RetentionOut {
        cutoff: outcome.store.cutoff,
        removed: serde_json::json!({
            "schools": outcome.store.schools,
            "total": outcome.store.total,
            "workflow": outcome.service,
        }),
    }))
}
