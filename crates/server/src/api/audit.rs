//! `GET /api/organisations/{org}/audit`: an organisation's part of the audit log, for its
//! `beheerder`: filtered, paginated, or exported whole as one JSON file (`?format=json`).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::AuditFilter;
use verzuim_service::model::{AuditRecord, MAX_PAGE_SIZE, Page, UserId};

use crate::audit::{Audit, AuditObject, action};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Paginated, Pagination, Path, Query, check_len, max_len};
use crate::state::AppState;
use verzuim_service::{Caller, audit_log};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes_with(routes!(audit_log), &policy::ORG_ADMIN)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only rows about this pupil: `SCHOOL/LEERLINGNUMMER`, e.g. `99XX00/1001`.
    #[param(max_length = 129)]
    pub pupil: Option<String>,
    /// Only rows of this user (their number).
    pub user: Option<UserId>,
    /// Only this action, e.g. `login`, `pupil_read`, `token_create`.
    #[param(max_length = 64)]
    pub action: Option<String>,
    /// From this moment (RFC 3339) or day (`YYYY-MM-DD`, Dutch time), inclusive.
    #[param(schema_with = super::schemas::date_or_time)]
    pub from: Option<String>,
    /// Until this moment (RFC 3339, exclusive) or through this day (`YYYY-MM-DD`, Dutch time).
    #[param(schema_with = super::schemas::date_or_time)]
    pub to: Option<String>,
    /// Rows per page (1–200, default 50).
    #[serde(default, deserialize_with = "crate::extract::limit_param")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Rows to skip (0–1000000).
    #[serde(default, deserialize_with = "crate::extract::offset_param")]
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<u32>,
    /// `json`: the whole (filtered) log as one downloadable JSON array, not paginated.
    #[param(schema_with = super::schemas::audit_format)]
    pub format: Option<String>,
}

/// One row of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRow {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub user_id: Option<UserId>,
    /// `user:ID`, `token:ID` or `system`.
    pub actor: String,
    pub organisation_id: Option<String>,
    pub action: String,
    pub object: String,
    /// `SCHOOL/LEERLINGNUMMER`.
    pub pupil: Option<String>,
    pub address: Option<String>,
    /// `ok`, `failed` or `denied`.
    pub outcome: String,
}

fn row(r: AuditRecord) -> AuditRow {
    AuditRow {
        id: r.id,
        at: r.at,
        user_id: r.user_id,
        actor: r.actor,
        organisation_id: r.organisation_id,
        action: r.action,
        object: r.object,
        pupil: r.pupil,
        address: r.address,
        outcome: r.outcome,
    }
}

/// The organisation's audit log, oldest first (beheerder of that organisation only).
#[utoipa::path(
    get,
    path = "/api/organisations/{org}/audit",
    tag = "audit",
    params(("org" = String, Path, description = "Organisatie"), AuditQuery),
    responses(
        (status = 200, description = "Een pagina van het auditlog; met ?format=json het hele (gefilterde) log als bestand (een JSON-array van AuditRow)", body = Paginated<AuditRow>),
        (status = 400, description = "Ongeldig filter", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
    )
)]
async fn audit_log(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(org): Path<String>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    let filter = filter(&q)?;
    match q.format.as_deref() {
        None => {
            let page = Pagination {
                limit: q.limit,
                offset: q.offset,
            }
            .page();
            let rows = audit_log::search(&state.store, &acting.caller, &org, &filter, page).await?;
            Ok(
                axum::Json(Paginated::new(rows.into_iter().map(row).collect(), page))
                    .into_response(),
            )
        }
        Some("json") => {
            audit
                .event(&acting.actor, action::AUDIT_EXPORT)
                .organisation(&org)
                .object(AuditObject::AuditLog(org.clone()))
                .write()
                .await?;
            Ok(export(state, acting.caller.clone(), org, filter))
        }
        Some(_) => Err(ApiError::bad_request(
            "ongeldige_parameter",
            "Het formaat kan alleen 'json' zijn.",
        )
        .with_field("format")),
    }
}

fn filter(q: &AuditQuery) -> ApiResult<AuditFilter> {
    if let Some(p) = &q.pupil {
        check_len("pupil", p, 2 * max_len::IDENTIFIER + 1)?;
    }
    if let Some(a) = &q.action {
        check_len("action", a, max_len::IDENTIFIER)?;
    }
    let from = q
        .from
        .as_deref()
        .map(|s| bound("from", s, false))
        .transpose()?;
    let until = q.to.as_deref().map(|s| bound("to", s, true)).transpose()?;
    Ok(AuditFilter {
        pupil: q.pupil.clone().filter(|s| !s.is_empty()),
        user_id: q.user,
        action: q.action.clone().filter(|s| !s.is_empty()),
        from,
        until,
        after_id: None,
        newest_first: false,
    })
}

/// A moment (RFC 3339), or a day in Dutch time: its start (`from`) or the start of the next
/// day (`to`, so the day itself is included).
fn bound(field: &str, s: &str, end_of_day: bool) -> ApiResult<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let invalid = || {
        ApiError::bad_request(
            "ongeldige_parameter",
            format!("'{field}' moet een datum (JJJJ-MM-DD) of een tijdstip (RFC 3339) zijn."),
        )
        .with_field(field)
    };
    let date: Date = s.parse().map_err(|_| invalid())?;
    let day = if end_of_day {
        date.tomorrow().map_err(|_| invalid())?
    } else {
        date
    };
    day.in_tz("Europe/Amsterdam")
        .or_else(|_| day.to_zoned(jiff::tz::TimeZone::UTC))
        .map(|z| z.timestamp())
        .map_err(|_| invalid())
}

/// The whole filtered log as a JSON array, streamed page by page (keyset, so every page costs
/// the same however long the log is).
fn export(state: AppState, caller: Caller, org: String, filter: AuditFilter) -> Response {
    struct Cursor {
        filter: AuditFilter,
        first: bool,
        done: bool,
    }
    let cursor = Cursor {
        filter,
        first: true,
        done: false,
    };
    let store = state.store.clone();
    let org_for_stream = org.clone();
    let stream = futures_util::stream::unfold(cursor, move |mut c| {
        let store = store.clone();
        let caller = caller.clone();
        let org = org_for_stream.clone();
        async move {
            if c.done {
                return None;
            }
            let page = Page::first(MAX_PAGE_SIZE);
            let rows = match audit_log::search(&store, &caller, &org, &c.filter, page).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "audit export failed");
                    c.done = true;
                    return Some((Err(std::io::Error::other("audit export failed")), c));
                }
            };
            let mut chunk = Vec::new();
            if c.first {
                chunk.push(b'[');
            }
            for (i, r) in rows.iter().enumerate() {
                if !(c.first && i == 0) {
                    chunk.push(b',');
                }
                chunk.push(b'\n');
                if serde_json::to_writer(&mut chunk, &row(r.clone())).is_err() {
                    c.done = true;
                    return Some((Err(std::io::Error::other("audit export failed")), c));
                }
            }
            if rows.len() < MAX_PAGE_SIZE as usize {
                chunk.extend_from_slice(b"\n]\n");
                c.done = true;
            } else if let Some(last) = rows.last() {
                c.filter.after_id = Some(last.id);
            }
            if !rows.is_empty() {
                c.first = false;
            }
            Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), c))
        }
    });
    let safe: String = org
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"auditlog-{safe}.json\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
