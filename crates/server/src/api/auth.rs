//! `/api/auth`: login, logout, password change, who am I.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verzuim_store::{Membership, Role, User};

use crate::audit::{Audit, Outcome, action};
use crate::auth::{password, sessions, throttle};
use crate::authz::{Actor, Permission};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, check_len, max_len};
use crate::security::ClientAddr;
use crate::state::AppState;

/// The only thing a failed login says (security.md): not which of the two was wrong.
pub const LOGIN_FAILED: &str = "Onbekende gebruiker of onjuist wachtwoord";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(change_password))
        .routes(routes!(me))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "coordinator@obs-de-esch.nl")]
    pub email: String,
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

/// A logged-in user and their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub user: UserInfo,
    pub memberships: Vec<MembershipInfo>,
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
    pub created_at: Timestamp,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    pub current_password: String,
    /// At least 12 characters, not a common password.
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
        let org = state.store.organisation(&m.organisation_id).await?;
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

/// The distinct organisations of a user's memberships (an audit row goes to each).
fn organisations(memberships: &[Membership]) -> Vec<&str> {
    let mut orgs: Vec<&str> = memberships
        .iter()
        .map(|m| m.organisation_id.as_str())
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    orgs
}

/// Log in with e-mail address and password. Sets the session cookie `verzuim_sessie`.
///
/// After 5 failed attempts for one account or one address, each further attempt must wait
/// longer (429 with `Retry-After`).
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Ingelogd; de sessiecookie is gezet", body = SessionInfo),
        (status = 400, description = "Ongeldig verzoek (bijv. te_lang)", body = ErrorBody),
        (status = 401, description = "Onbekende gebruiker of onjuist wachtwoord (onjuiste_inlog)", body = ErrorBody),
        (status = 429, description = "Te veel mislukte pogingen; wacht Retry-After seconden", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    audit: Audit,
    headers: HeaderMap,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Response> {
    check_len("email", &req.email, max_len::EMAIL)?;
    check_len("password", &req.password, max_len::PASSWORD)?;
    let email = req.email.trim().to_lowercase();
    let address = address.as_deref();

    throttle::check(&state, &email, address).await?;

    let user = if email.is_empty() {
        None
    } else {
        state.store.user_by_email(&email).await?
    };
    let ok =
        password::verify_blocking(req.password, user.as_ref().map(|u| u.password_hash.clone()))
            .await;
    let user = match user {
        Some(u) if ok => u,
        known => {
            throttle::record_failure(&state, &email, address).await?;
            login_failed(&state, &audit, known.as_ref(), &email).await?;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "onjuiste_inlog",
                LOGIN_FAILED,
            ));
        }
    };

    throttle::reset(&state, &email, address).await?;
    // A new session id at every login; a session the browser still had is ended.
    if let Some(old) = sessions::cookie_token(&headers) {
        sessions::end(&state, old).await?;
    }
    let token = sessions::start(&state, user.id).await?;
    let memberships = state.store.memberships_of_user(user.id).await?;
    audit
        .event_by(verzuim_store::Actor::User(user.id), action::LOGIN)
        .object(format!("user:{}", user.id))
        .write_for_each(&organisations(&memberships))
        .await?;
    let body = SessionInfo {
        user: user_info(&user),
        memberships: membership_infos(&state, &memberships).await?,
    };
    Ok((
        [(
            header::SET_COOKIE,
            sessions::set_cookie(&state, &headers, &token),
        )],
        axum::Json(body),
    )
        .into_response())
}

/// Audits a failed login: in the log of each organisation of a known user, or (an unknown
/// address) in no organisation's.
async fn login_failed(
    state: &AppState,
    audit: &Audit,
    user: Option<&User>,
    email: &str,
) -> ApiResult<()> {
    match user {
        Some(u) => {
            let memberships = state.store.memberships_of_user(u.id).await?;
            audit
                .event_by(verzuim_store::Actor::User(u.id), action::LOGIN)
                .object(format!("user:{}", u.id))
                .outcome(Outcome::Failed)
                .write_for_each(&organisations(&memberships))
                .await
        }
        None => {
            let shown: String = email.chars().take(max_len::EMAIL).collect();
            audit
                .event_by(verzuim_store::Actor::System, action::LOGIN)
                .object(format!("email:{shown}"))
                .outcome(Outcome::Failed)
                .write()
                .await
        }
    }
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
        let memberships = state.store.memberships_of_user(session.user_id).await?;
        audit
            .event_by(verzuim_store::Actor::User(session.user_id), action::LOGOUT)
            .object(format!("user:{}", session.user_id))
            .write_for_each(&organisations(&memberships))
            .await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, sessions::clear_cookie(&state, &headers))],
    )
        .into_response())
}

/// Change one's own password. Ends every session of the user (on every device) and starts a
/// new one for this browser (a new cookie).
#[utoipa::path(
    post,
    path = "/api/auth/password",
    tag = "auth",
    request_body = PasswordChangeRequest,
    security(("sessie" = [])),
    responses(
        (status = 204, description = "Gewijzigd; alle sessies zijn beëindigd, deze krijgt een nieuwe cookie"),
        (status = 400, description = "wachtwoord_te_kort, wachtwoord_te_bekend, wachtwoord_ongewijzigd, onjuist_wachtwoord", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen gebruiker (een API-token) of csrf", body = ErrorBody),
        (status = 429, description = "Te veel mislukte pogingen", body = ErrorBody),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    actor: Actor,
    audit: Audit,
    headers: HeaderMap,
    Json(req): Json<PasswordChangeRequest>,
) -> ApiResult<Response> {
    let me = actor.require_user()?;
    check_len("current_password", &req.current_password, max_len::PASSWORD)?;
    check_len("new_password", &req.new_password, max_len::PASSWORD)?;
    let address = address.as_deref();
    let email = me.user.email.clone();
    let orgs = organisations(&me.memberships);

    throttle::check(&state, &email, address).await?;
    let current_ok = password::verify_blocking(
        req.current_password.clone(),
        Some(me.user.password_hash.clone()),
    )
    .await;
    if !current_ok {
        throttle::record_failure(&state, &email, address).await?;
        audit
            .event(&actor, action::PASSWORD_CHANGE)
            .object(format!("user:{}", me.user.id))
            .outcome(Outcome::Failed)
            .write_for_each(&orgs)
            .await?;
        return Err(ApiError::bad_request(
            "onjuist_wachtwoord",
            "Het huidige wachtwoord is onjuist.",
        )
        .with_field("current_password"));
    }
    password::check_policy(&req.new_password)
        .map_err(|e| ApiError::from(e).with_field("new_password"))?;
    if req.new_password == req.current_password {
        return Err(ApiError::bad_request(
            "wachtwoord_ongewijzigd",
            "Het nieuwe wachtwoord moet anders zijn dan het huidige.",
        )
        .with_field("new_password"));
    }
    let hash = password::hash_blocking(req.new_password).await?;
    // Sets the hash and ends every session of the user, this one included.
    state.store.set_password_hash(me.user.id, &hash).await?;
    throttle::reset(&state, &email, address).await?;
    let token = sessions::start(&state, me.user.id).await?;
    audit
        .event(&actor, action::PASSWORD_CHANGE)
        .object(format!("user:{}", me.user.id))
        .write_for_each(&orgs)
        .await?;
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
    security(("sessie" = []), ("token" = [])),
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
