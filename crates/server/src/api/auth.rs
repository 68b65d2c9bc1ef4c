//! `/api/auth`: login, logout, password change, who am I.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::{Membership, Role, User};

use crate::audit::{Audit, action};
use crate::auth::login::{self, SessionUser, organisations};
use crate::auth::sessions;
use crate::authz::{Actor, Permission};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, check_len, max_len};
use crate::state::AppState;

/// The only thing a failed login says (security.md): not which of the two was wrong.
pub const LOGIN_FAILED: &str = "Onbekende gebruiker of onjuist wachtwoord";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(login), &policy::LOGIN)
        .routes_with(routes!(logout), &policy::LOGIN)
        .routes_with(routes!(change_password), &policy::LOGIN_STEP)
        .routes_with(routes!(me), &policy::ME)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "coordinator@obs-de-esch.nl")]
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserInfo {
    pub id: i64,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipInfo {
    pub organisation_id: String,
    pub organisation_name: Option<String>,
    /// `school`, `gemeente` or `ggd_jgz`.
    pub organisation_kind: Option<String>,
    #[schema(schema_with = crate::api::role_schema)]
    pub role: Role,
    /// For a `leerkracht`: the groups they register for.
    pub groups: Vec<String>,
}

/// A logged-in user and their roles, and what the login still needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub user: UserInfo,
    pub memberships: Vec<MembershipInfo>,
    /// What the login still needs before the session may be used (every other route answers
    /// 401 until then): `tweede_factor_code` (`POST /api/auth/second-factor`),
    /// `nieuw_wachtwoord` (`POST /api/auth/password`) or `tweede_factor_instellen`
    /// (`POST /api/auth/second-factor/enrolment`). `null`: logged in.
    #[schema(value_type = Option<String>, example = "tweede_factor_code")]
    pub next_step: Option<&'static str>,
}

/// The caller: a user (with roles) or an API token (with permissions).
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` or `token`.
    pub kind: String,
    pub user: Option<UserInfo>,
    pub memberships: Vec<MembershipInfo>,
    pub token: Option<MeToken>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeToken {
    pub id: i64,
    pub organisation_id: String,
    pub name: String,
    pub permissions: Vec<Permission>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    #[schema(max_length = 1024)]
    pub current_password: String,
    /// At least 12 characters, not a common password.
    #[schema(min_length = 12, max_length = 1024)]
    pub new_password: String,
}

fn user_info(u: &User) -> UserInfo {
    UserInfo {
        id: u.id,
        email: u.email.clone(),
        display_name: u.display_name.clone(),
    }
}

async fn membership_infos(
    state: &AppState,
    memberships: &[Membership],
) -> ApiResult<Vec<MembershipInfo>> {
    let mut out = Vec::with_capacity(memberships.len());
    for m in memberships {
        let org =
            verzuim_service::organisations::organisation(&state.store, &m.organisation_id).await?;
        out.push(MembershipInfo {
            organisation_id: m.organisation_id.clone(),
            organisation_name: org.as_ref().map(|o| o.name.clone()),
            organisation_kind: org.as_ref().map(|o| o.kind.as_str().to_owned()),
            role: m.role,
            groups: m.groups.clone(),
        });
    }
    Ok(out)
}

/// Log in with e-mail address and password. Sets the session cookie `verzuim_sessie`.
///
/// Every attempt is counted before the password is checked: after 5 failed attempts for one
/// account or one address, each further attempt must wait longer (429 with `Retry-After`). A
/// user with a second factor then sends its code (`next_step`).
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Wachtwoord juist; de sessiecookie is gezet (zie next_step)", body = SessionInfo),
        (status = 400, description = "Ongeldig verzoek (bijv. te_lang)", body = ErrorBody),
        (status = 401, description = "Onbekende gebruiker of onjuist wachtwoord (onjuiste_inlog)", body = ErrorBody),
        (status = 429, description = "Te veel mislukte pogingen; wacht Retry-After seconden", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    audit: Audit,
    headers: HeaderMap,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Response> {
    check_len("email", &req.email, max_len::EMAIL)?;
    check_len("password", &req.password, max_len::PASSWORD)?;
    let email = req.email.trim().to_lowercase();
    let Some(user) = login::check_password(&state, &audit, &email, req.password).await? else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "onjuiste_inlog",
            LOGIN_FAILED,
        ));
    };
    let started = login::start(&state, &audit, &headers, &user).await?;
    let body = SessionInfo {
        user: user_info(&user),
        memberships: membership_infos(&state, &started.memberships).await?,
        next_step: started.step.map(login::Step::as_str),
    };
    Ok((
        [(
            header::SET_COOKIE,
            sessions::set_cookie(&state, &headers, &started.token),
        )],
        axum::Json(body),
    )
        .into_response())
}

/// What a login step answers: the user, their roles and the next step.
pub(crate) async fn session_info(
    state: &AppState,
    su: &SessionUser,
    next: Option<login::Step>,
) -> ApiResult<SessionInfo> {
    Ok(SessionInfo {
        user: user_info(&su.user),
        memberships: membership_infos(state, &su.memberships).await?,
        next_step: next.map(login::Step::as_str),
    })
}

/// Log out: ends the session and removes the cookie. Succeeds also without a session.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Uitgelogd"),
        (status = 403, description = "Verzoek van een andere website (csrf)", body = ErrorBody),
    )
)]
async fn logout(
    State(state): State<AppState>,
    audit: Audit,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(token) = sessions::cookie_token(&headers)
        && let Some(session) = sessions::resume(&state, token).await?
    {
        sessions::end(&state, token).await?;
        let memberships =
            verzuim_service::users::memberships(&state.store, session.user_id).await?;
        audit
            .event_by(
                verzuim_service::model::Actor::User(session.user_id),
                action::LOGOUT,
            )
            .object(AuditObject::User(session.user_id))
            .write_for_each(&organisations(&memberships))
            .await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, sessions::clear_cookie(&state, &headers))],
    )
        .into_response())
}

/// Change one's own password (also the login step `nieuw_wachtwoord`: a new user chooses their
/// own). Ends every session of the user (on every device) and starts a new one for this browser
/// (a new cookie).
#[utoipa::path(
    post,
    path = "/api/auth/password",
    tag = "auth",
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Gewijzigd; alle sessies zijn beëindigd, deze krijgt een nieuwe cookie"),
        (status = 400, description = "wachtwoord_te_kort, wachtwoord_te_bekend, wachtwoord_ongewijzigd", body = ErrorBody),
        (status = 401, description = "Niet ingelogd, of eerst een andere stap van het inloggen (tweede_factor_code, tweede_factor_instellen)", body = ErrorBody),
        (status = 403, description = "Geen gebruiker (een API-token) of csrf", body = ErrorBody),
        (status = 422, description = "onjuist_wachtwoord: het huidige wachtwoord is onjuist", body = ErrorBody),
        (status = 429, description = "Te veel mislukte pogingen", body = ErrorBody),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    su: SessionUser,
    audit: Audit,
    headers: HeaderMap,
    Json(req): Json<PasswordChangeRequest>,
) -> ApiResult<Response> {
    check_len("current_password", &req.current_password, max_len::PASSWORD)?;
    check_len("new_password", &req.new_password, max_len::PASSWORD)?;
    let token = match login::change_password(
        &state,
        &audit,
        &su,
        &req.current_password,
        &req.new_password,
    )
    .await?
    {
        Ok(token) => token,
        Err((e, field)) => return Err(e.with_field(field)),
    };
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            sessions::set_cookie(&state, &headers, &token),
        )],
    )
        .into_response())
}

/// The caller: the logged-in user with their roles, or the API token with its permissions.
#[utoipa::path(
    get,
    path = "/api/auth/me",
    tag = "auth",
    responses(
        (status = 200, description = "De aanroeper", body = Me),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
    )
)]
async fn me(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<Me>> {
    Ok(axum::Json(match &actor {
        Actor::User(u) => Me {
            kind: "user".into(),
            user: Some(user_info(&u.user)),
            memberships: membership_infos(&state, &u.memberships).await?,
            token: None,
        },
        Actor::Token(t) => Me {
            kind: "token".into(),
            user: None,
            memberships: Vec::new(),
            token: Some(MeToken {
                id: t.token.id,
                organisation_id: t.token.organisation_id.clone(),
                name: t.token.name.clone(),
                permissions: t.permissions.clone(),
                created_at: t.token.created_at,
            }),
        },
    }))
}
