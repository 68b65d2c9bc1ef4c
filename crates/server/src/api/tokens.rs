//! `/api/organisations/{org}/tokens`: API tokens of an organisation, managed by its `beheerder`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::AuditEntry;
use verzuim_service::model::{ApiToken, NewApiToken, TokenId, hash_token};

use crate::audit::{Audit, action};
use crate::auth::tokens;
use crate::authz::Permission;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, max_len, required};
use crate::state::AppState;

/// At most this many permissions on one token (there are not more than this many kinds).
const MAX_PERMISSIONS: usize = 64;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(create_token), &policy::ORG_ADMIN)
        .routes_with(routes!(list_tokens), &policy::ORG_ADMIN)
        .routes_with(routes!(revoke_token), &policy::ORG_ADMIN)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenRequest {
    /// What the token is for, e.g. "ParnasSys koppeling".
    #[schema(example = "Leerlingadministratie")]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// Named permissions, e.g. `registrations:write`.
    #[schema(schema_with = super::schemas::permissions)]
    pub permissions: Vec<String>,
}

/// A token as listed: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: TokenId,
    pub organisation_id: String,
    pub name: String,
    pub permissions: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// `user:ID` of the beheerder who made it.
    pub created_by: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

/// A token just made: the only time `token` is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The secret (`vzm_` + 64 hex characters). Shown once; send it as `Authorization: Bearer`.
    pub token: String,
    pub id: TokenId,
    pub organisation_id: String,
    pub name: String,
    pub permissions: Vec<Permission>,
}

fn info(t: ApiToken) -> TokenInfo {
    TokenInfo {
        id: t.id,
        organisation_id: t.organisation_id,
        name: t.name,
        permissions: t.permissions,
        created_at: t.created_at,
        created_by: t.created_by,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
    }
}

/// Make an API token for a system of this organisation (beheerder only). The response holds
/// the token; it cannot be shown again.
#[utoipa::path(
    post,
    path = "/api/organisations/{org}/tokens",
    tag = "tokens",
    params(("org" = String, Path, description = "Organisatie (BRIN, CBS-code of GGD-id)")),
    request_body = NewTokenRequest,
    responses(
        (status = 201, description = "Gemaakt", body = CreatedToken),
        (status = 400, description = "verplicht, te_lang, onbekende_permissie", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
    )
)]
async fn create_token(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(org): Path<String>,
    Json(req): Json<NewTokenRequest>,
) -> ApiResult<Response> {
    let name = required("name", &req.name, max_len::NAME)?.to_owned();
    if req.permissions.is_empty() {
        return Err(
            ApiError::bad_request("verplicht", "Geef het token minstens één permissie.")
                .with_field("permissions"),
        );
    }
    if req.permissions.len() > MAX_PERMISSIONS {
        return Err(ApiError::too_long("permissions", MAX_PERMISSIONS));
    }
    let mut permissions = Vec::with_capacity(req.permissions.len());
    for p in &req.permissions {
        let Some(p) = Permission::parse(p) else {
            let known: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
            return Err(ApiError::bad_request(
                "onbekende_permissie",
                format!("Onbekende permissie. Bekend zijn: {}.", known.join(", ")),
            )
            .with_field("permissions"));
        };
        permissions.push(p);
    }
    permissions.sort_unstable();
    permissions.dedup();

    let token = tokens::generate();
    // The audit row commits with the token.
    let event = audit
        .event(&acting.actor, action::TOKEN_CREATE)
        .organisation(&org);
    let id = verzuim_service::tokens::create(
        &state.store,
        &acting.caller,
        &NewApiToken {
            organisation_id: org.clone(),
            name: name.clone(),
            token_hash: hash_token(&token),
            permissions: permissions.iter().map(|p| p.as_str().to_owned()).collect(),
        },
        |id| AuditEntry {
            object: AuditObject::Token(id).to_string(),
            ..event.entry().clone()
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedToken {
            token,
            id,
            organisation_id: org,
            name,
            permissions,
        }),
    )
        .into_response())
}

/// The organisation's API tokens, revoked ones included (beheerder only). Never the secrets.
#[utoipa::path(
    get,
    path = "/api/organisations/{org}/tokens",
    tag = "tokens",
    params(("org" = String, Path, description = "Organisatie"), Pagination),
    responses(
        (status = 200, description = "Een pagina tokens", body = Paginated<TokenInfo>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
    )
)]
async fn list_tokens(
    State(state): State<AppState>,
    acting: Acting,
    Path(org): Path<String>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<TokenInfo>>> {
    let page = pagination.page();
    let tokens = verzuim_service::tokens::list(&state.store, &acting.caller, &org, page).await?;
    Ok(axum::Json(Paginated::new(
        tokens.into_iter().map(info).collect(),
        page,
    )))
}

/// Revoke a token (beheerder only): from now on it is refused (401).
#[utoipa::path(
    delete,
    path = "/api/organisations/{org}/tokens/{id}",
    tag = "tokens",
    params(
        ("org" = String, Path, description = "Organisatie"),
        ("id" = i64, Path, description = "Het nummer van het token"),
    ),
    responses(
        (status = 204, description = "Ingetrokken"),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
        (status = 404, description = "Geen (nog geldig) token met dit nummer in deze organisatie", body = ErrorBody),
    )
)]
async fn revoke_token(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((org, id)): Path<(String, TokenId)>,
) -> ApiResult<StatusCode> {
    // The audit row commits with the revocation.
    let event = audit
        .event(&acting.actor, action::TOKEN_REVOKE)
        .organisation(&org)
        .object(AuditObject::Token(id));
    if !verzuim_service::tokens::revoke(&state.store, &acting.caller, &org, id, event.entry())
        .await?
    {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
