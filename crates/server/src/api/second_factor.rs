//! `/api/auth/second-factor`: the second factor (TOTP, RFC 6238) of the API's login: the code
//! after the password, and setting a second factor up. The steps are those of
//! [`crate::auth::login`], shared with the web pages.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::policy::{self, PolicyRoutes};

use super::auth::{SessionInfo, session_info};
use crate::audit::Audit;
use crate::auth::login::{self, CodeOutcome, SessionUser, next_step};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, check_len};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(code), &policy::LOGIN_STEP)
        .routes_with(routes!(begin_enrolment), &policy::LOGIN_STEP)
        .routes_with(routes!(confirm_enrolment), &policy::LOGIN_STEP)
}

/// The longest code accepted (a recovery code with its dashes).
const MAX_CODE: usize = 64;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The 6 digits of the authenticator app, or a recovery code (`xxxx-xxxx-xxxx-xxxx`).
    #[schema(example = "492039")]
    #[schema(max_length = 64)]
    pub code: String,
}

/// After a right code: the session and what the login still needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeAccepted {
    #[serde(flatten)]
    pub session: SessionInfo,
    /// With a recovery code: how many unused ones are left (`null` for a TOTP code).
    pub recovery_codes_left: Option<u64>,
}

/// A second factor being set up: the secret for the authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentOut {
    /// The secret (base32, in groups of four), to type into the app.
    pub secret: String,
    /// `otpauth://totp/verzuim:…?secret=…&issuer=verzuim`, what the QR code holds.
    pub otpauth_uri: String,
    /// The URI as a QR code (an SVG document).
    pub qr_svg: String,
}

/// The second factor is set up: the one-time recovery codes (shown only now).
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentDone {
    #[serde(flatten)]
    pub session: SessionInfo,
    /// Ten codes, each usable once instead of the app's code; keep them somewhere safe.
    pub recovery_codes: Vec<String>,
}

fn wrong_code() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNAUTHORIZED,
        "onjuiste_code",
        "De code is onjuist of al gebruikt.",
    )
    .with_field("code")
}

/// What the login of this session needs now (after a step changed it).
async fn next(state: &AppState, su: &SessionUser) -> ApiResult<Option<login::Step>> {
    Ok(next_step(
        verzuim_service::auth::login_state(&state.store, su.user.id, &su.session_id).await?,
    ))
}

/// The login's second step for a user with a second factor: the code of the authenticator app
/// (each code once), or an unused recovery code. Counted before it is checked, like a password
/// (429 after 5 failures).
#[utoipa::path(
    post,
    path = "/api/auth/second-factor",
    tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "Code juist (zie next_step)", body = CodeAccepted),
        (status = 400, description = "Ongeldig verzoek (te_lang)", body = ErrorBody),
        (status = 401, description = "onjuiste_code; niet_ingelogd; of een andere stap (nieuw_wachtwoord, tweede_factor_instellen)", body = ErrorBody),
        (status = 403, description = "Geen gebruiker (een API-token) of csrf", body = ErrorBody),
        (status = 409, description = "niet_nodig: het inloggen is al klaar", body = ErrorBody),
        (status = 429, description = "Te veel mislukte pogingen; wacht Retry-After seconden", body = ErrorBody),
    )
)]
async fn code(
    State(state): State<AppState>,
    su: SessionUser,
    audit: Audit,
    Json(req): Json<CodeRequest>,
) -> ApiResult<axum::Json<CodeAccepted>> {
    check_len("code", &req.code, MAX_CODE)?;
    let left = match login::check_code(&state, &audit, &su, &req.code).await? {
        CodeOutcome::Wrong => return Err(wrong_code()),
        CodeOutcome::Accepted => None,
        CodeOutcome::RecoveryCodeUsed { left } => Some(left),
    };
    let step = next(&state, &su).await?;
    Ok(axum::Json(CodeAccepted {
        session: session_info(&state, &su, step).await?,
        recovery_codes_left: left,
    }))
}

/// Start setting up a second factor: a new secret for an authenticator app (replacing one not
/// yet confirmed). Confirm it with its first code.
#[utoipa::path(
    post,
    path = "/api/auth/second-factor/enrolment",
    tag = "auth",
    responses(
        (status = 200, description = "Het geheim voor de app", body = EnrolmentOut),
        (status = 401, description = "Niet ingelogd, of eerst een andere stap (tweede_factor_code, nieuw_wachtwoord)", body = ErrorBody),
        (status = 403, description = "Geen gebruiker (een API-token) of csrf", body = ErrorBody),
        (status = 409, description = "tweede_factor_bestaat: de beheerder stelt een verloren tweede factor opnieuw in", body = ErrorBody),
    )
)]
async fn begin_enrolment(
    State(state): State<AppState>,
    su: SessionUser,
) -> ApiResult<axum::Json<EnrolmentOut>> {
    let e = login::begin_enrolment(&state, &su).await?;
    Ok(axum::Json(EnrolmentOut {
        secret: e.secret_grouped,
        otpauth_uri: e.uri,
        qr_svg: e.qr_svg,
    }))
}

/// Confirm the second factor being set up with the app's first code; answers the recovery
/// codes, once.
#[utoipa::path(
    post,
    path = "/api/auth/second-factor/enrolment/confirm",
    tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "Ingesteld; de herstelcodes (alleen nu)", body = EnrolmentDone),
        (status = 400, description = "te_lang", body = ErrorBody),
        (status = 409, description = "geen_tweede_factor_in_aanmaak: begin opnieuw", body = ErrorBody),
        (status = 401, description = "onjuiste_code; niet_ingelogd; of een andere stap", body = ErrorBody),
        (status = 403, description = "Geen gebruiker (een API-token) of csrf", body = ErrorBody),
        (status = 429, description = "Te veel mislukte pogingen", body = ErrorBody),
    )
)]
async fn confirm_enrolment(
    State(state): State<AppState>,
    su: SessionUser,
    audit: Audit,
    Json(req): Json<CodeRequest>,
) -> ApiResult<axum::Json<EnrolmentDone>> {
    check_len("code", &req.code, MAX_CODE)?;
    let Some(codes) = login::confirm_enrolment(&state, &audit, &su, &req.code).await? else {
        return Err(wrong_code());
    };
    let step = next(&state, &su).await?;
    Ok(axum::Json(EnrolmentDone {
        session: session_info(&state, &su, step).await?,
        recovery_codes: codes,
    }))
}
