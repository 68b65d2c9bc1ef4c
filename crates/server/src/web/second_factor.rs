//! The login's steps after the password, as pages, and the second factor (TOTP) of a user and
//! of an organisation's users (the steps themselves: [`crate::auth::login`]):
//!
//! - `/inloggen/code`: the code of the authenticator app, or a recovery code;
//! - `/inloggen/nieuw-wachtwoord`: a new user chooses their own password;
//! - `/tweede-factor`: set up a second factor (a QR code, made on the server as SVG, and the
//!   secret as text), confirm it with its first code, see the recovery codes once; later: new
//!   recovery codes. Also the step of a login whose organisation requires a second factor;
//! - `/beheer/tweede-factor`: the beheerder's view of the organisation's users, requiring a
//!   second factor of all of them, and removing one a user lost (audited).
//!
//! Every state change is a POST (under the CSRF check); a GET shows and changes nothing.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_service::auth as service_auth;
use verzuim_service::model::{MemberSecondFactor, hash_token};
use verzuim_service::second_factor as admin;

use super::login::{PasswordForm, after_step, new_password};
use super::session::{PageMeta, WebUser};
use super::{render, service_error};
use crate::audit::{Audit, AuditObject, action};
use crate::auth::login::{self, CodeOutcome, Enrolment, SessionUser, Step, next_step};
use crate::auth::{password, sessions};
use crate::error::{ApiError, ApiResult};
use crate::extract::check_len;
use crate::nl;
use crate::nl::date_nl;
use crate::state::AppState;

/// The longest code accepted (a recovery code with dashes and spaces).
const MAX_CODE: usize = 64;

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/inloggen/code", get(code_page).post(code_submit))
        .route(
            "/inloggen/nieuw-wachtwoord",
            get(password_page).post(password_submit),
        )
        .route("/tweede-factor", get(page))
        .route("/tweede-factor/nieuw", post(begin))
        .route("/tweede-factor/bevestigen", post(confirm))
        .route("/tweede-factor/herstelcodes", post(renew_codes))
        .route("/beheer/tweede-factor", get(admin_page))
        .route("/beheer/tweede-factor/verplicht", post(admin_required))
        .route("/beheer/tweede-factor/opnieuw", post(admin_reset))
}

/// What the login of this session needs now (after a step changed it).
async fn next(state: &AppState, su: &SessionUser) -> ApiResult<Option<Step>> {
    Ok(next_step(
        service_auth::login_state(&state.store, su.user.id, &su.session_id).await?,
    ))
}

/// To where the login goes on, when the page asked for is not its step.
fn elsewhere(su: &SessionUser) -> Response {
    Redirect::to(after_step(su.step, &su.memberships)).into_response()
}

// ---------------------------------------------------------------------------------------------
// The code after the password

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    meta: PageMeta,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "login_recovery_used.html")]
struct RecoveryUsedPage {
    meta: PageMeta,
    left: u64,
    next: &'static str,
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `GET /inloggen/code`.
pub async fn code_page(su: SessionUser) -> Response {
    if su.step != Some(Step::Code) {
        return elsewhere(&su);
    }
    render(&CodePage {
        meta: PageMeta::bare("Tweede factor"),
        error: None,
    })
}

/// `POST /inloggen/code`: the code of the app (or a recovery code); on to the next step or the
/// role's page. A wrong code shows the form again; the throttle's wait too.
pub async fn code_submit(
    State(state): State<AppState>,
    su: SessionUser,
    audit: Audit,
    Form(form): Form<CodeForm>,
) -> ApiResult<Response> {
    if su.step != Some(Step::Code) {
        return Ok(elsewhere(&su));
    }
    check_len("code", &form.code, MAX_CODE)?;
    let again = |error: String| {
        render(&CodePage {
            meta: PageMeta::bare("Tweede factor"),
            error: Some(error),
        })
    };
    let outcome = match login::check_code(&state, &audit, &su, &form.code).await {
        Ok(o) => o,
        Err(e) if e.code == "te_veel_pogingen" => return Ok(again(e.message.into_owned())),
        Err(e) => return Err(e),
    };
    let step = next(&state, &su).await?;
    Ok(match outcome {
        CodeOutcome::Wrong => again("De code is onjuist of al gebruikt.".into()),
        CodeOutcome::Accepted => Redirect::to(after_step(step, &su.memberships)).into_response(),
        CodeOutcome::RecoveryCodeUsed { left } => render(&RecoveryUsedPage {
            meta: PageMeta::bare("Herstelcode gebruikt"),
            left,
            next: after_step(step, &su.memberships),
        }),
    })
}

// ---------------------------------------------------------------------------------------------
// A new user's own password

#[derive(Template)]
#[template(path = "login_new_password.html")]
struct NewPasswordPage {
    meta: PageMeta,
    error: Option<String>,
    min_length: usize,
}

/// `GET /inloggen/nieuw-wachtwoord`.
pub async fn password_page(su: SessionUser) -> Response {
    if su.step != Some(Step::NewPassword) {
        return elsewhere(&su);
    }
    render(&NewPasswordPage {
        meta: PageMeta::bare("Kies een nieuw wachtwoord"),
        error: None,
        min_length: password::MIN_LENGTH,
    })
}

/// `POST /inloggen/nieuw-wachtwoord`: the password the user got and their own new one (twice);
/// every session of the user ends, this browser gets a new one and goes on to the next step.
pub async fn password_submit(
    State(state): State<AppState>,
    su: SessionUser,
    audit: Audit,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> ApiResult<Response> {
    if su.step != Some(Step::NewPassword) {
        return Ok(elsewhere(&su));
    }
    match new_password(&state, &audit, &su, &form).await? {
        Ok(token) => {
            let session_id = hash_token(&token);
            let step =
                next_step(service_auth::login_state(&state.store, su.user.id, &session_id).await?);
            Ok((
                AppendHeaders([(
                    header::SET_COOKIE,
                    sessions::set_cookie(&state, &headers, &token),
                )]),
                Redirect::to(after_step(step, &su.memberships)),
            )
                .into_response())
        }
        Err(message) => Ok(render(&NewPasswordPage {
            meta: PageMeta::bare("Kies een nieuw wachtwoord"),
            error: Some(message),
            min_length: password::MIN_LENGTH,
        })),
    }
}

// ---------------------------------------------------------------------------------------------
// The user's own second factor

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    meta: PageMeta,
    /// The login waits for this (the organisation requires a second factor).
    required_now: bool,
    /// Confirmed on this date.
    confirmed: Option<String>,
    codes_left: u64,
    /// Being set up.
    enrolment: Option<Enrolment>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "second_factor_codes.html")]
struct CodesPage {
    meta: PageMeta,
    codes: Vec<String>,
    next: &'static str,
}

/// The logged-in user of a page that a login still at a step may also open.
pub struct MaybeWebUser(Option<WebUser>);

impl FromRequestParts<AppState> for MaybeWebUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<MaybeWebUser, Self::Rejection> {
        Ok(MaybeWebUser(
            WebUser::from_request_parts(parts, state).await.ok(),
        ))
    }
}

/// The page's chrome: the user's own when logged in, none while the login waits for this step.
fn meta(web: &MaybeWebUser, title: &str, path: &str) -> PageMeta {
    match &web.0 {
        Some(w) => w.meta(title, path),
        None => PageMeta::bare(title),
    }
}

async fn own_page(
    state: &AppState,
    su: &SessionUser,
    web: &MaybeWebUser,
    error: Option<String>,
) -> ApiResult<Response> {
    let factor = service_auth::second_factor(&state.store, su.user.id).await?;
    let confirmed = factor
        .as_ref()
        .and_then(|f| f.confirmed_at)
        .map(|at| date_nl(nl::local_date(at)));
    let codes_left = if confirmed.is_some() {
        service_auth::recovery_codes_left(&state.store, su.user.id).await?
    } else {
        0
    };
    Ok(render(&SecondFactorPage {
        meta: meta(web, "Tweede factor", "/tweede-factor"),
        required_now: su.step == Some(Step::Enrol),
        confirmed,
        codes_left,
        enrolment: login::pending_enrolment(state, su).await?,
        error,
    }))
}

/// `GET /tweede-factor`: the user's second factor: set it up (QR code and secret, then the
/// first code), or see it and make new recovery codes.
pub async fn page(
    State(state): State<AppState>,
    su: SessionUser,
    web: MaybeWebUser,
) -> ApiResult<Response> {
    if !matches!(su.step, None | Some(Step::Enrol)) {
        return Ok(elsewhere(&su));
    }
    own_page(&state, &su, &web, None).await
}

/// `POST /tweede-factor/nieuw`: a new secret to set up (replacing one not yet confirmed).
pub async fn begin(State(state): State<AppState>, su: SessionUser) -> ApiResult<Response> {
    if !matches!(su.step, None | Some(Step::Enrol)) {
        return Ok(elsewhere(&su));
    }
    login::begin_enrolment(&state, &su).await?;
    Ok(Redirect::to("/tweede-factor").into_response())
}

/// `POST /tweede-factor/bevestigen`: the app's first code; the recovery codes, once.
pub async fn confirm(
    State(state): State<AppState>,
    su: SessionUser,
    web: MaybeWebUser,
    audit: Audit,
    Form(form): Form<CodeForm>,
) -> ApiResult<Response> {
    if !matches!(su.step, None | Some(Step::Enrol)) {
        return Ok(elsewhere(&su));
    }
    check_len("code", &form.code, MAX_CODE)?;
    let codes = match login::confirm_enrolment(&state, &audit, &su, &form.code).await {
        Ok(Some(codes)) => codes,
        Ok(None) => {
            let e = "De code is onjuist. Vul de code in die de app nu toont.".to_owned();
            return own_page(&state, &su, &web, Some(e)).await;
        }
        Err(e) if e.code == "te_veel_pogingen" || e.code == "geen_tweede_factor_in_aanmaak" => {
            return own_page(&state, &su, &web, Some(e.message.into_owned())).await;
        }
        Err(e) => return Err(e),
    };
    let step = next(&state, &su).await?;
    Ok(render(&CodesPage {
        meta: meta(&web, "Herstelcodes", "/tweede-factor"),
        codes,
        next: after_step(step, &su.memberships),
    }))
}

/// `POST /tweede-factor/herstelcodes`: new recovery codes (the old ones stop working).
pub async fn renew_codes(
    State(state): State<AppState>,
    web: WebUser,
    su: SessionUser,
    audit: Audit,
) -> ApiResult<Response> {
    let codes = login::renew_recovery_codes(&state, &audit, &su).await?;
    Ok(render(&CodesPage {
        meta: web.meta("Herstelcodes", "/tweede-factor"),
        codes,
        next: "/tweede-factor",
    }))
}

// ---------------------------------------------------------------------------------------------
// The beheerder: the organisation's users

#[derive(Template)]
#[template(path = "beheer_tweede_factor.html")]
struct AdminPage {
    meta: PageMeta,
    required: bool,
    members: Vec<MemberRow>,
    notice: Option<String>,
    error: Option<String>,
}

struct MemberRow {
    user_id: i64,
    name: String,
    email: String,
    /// "sinds 14-09-2026" or "geen".
    status: String,
    has: bool,
    codes_left: u64,
    me: bool,
}

fn member_row(m: MemberSecondFactor, me: i64) -> MemberRow {
    MemberRow {
        user_id: m.user_id,
        status: m.confirmed_at.map_or_else(
            || "geen".to_owned(),
            |at| format!("sinds {}", date_nl(nl::local_date(at))),
        ),
        has: m.confirmed_at.is_some(),
        codes_left: m.recovery_codes_left,
        me: m.user_id == me,
        name: m.display_name,
        email: m.email,
    }
}

async fn render_admin(
    state: &AppState,
    web: &WebUser,
    notice: Option<String>,
    error: Option<String>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let required = admin::required(&state.store, &caller, web.org_id())
        .await
        .map_err(service_error)?;
    let members = admin::members(&state.store, &caller, web.org_id())
        .await
        .map_err(service_error)?
        .into_iter()
        .map(|m| member_row(m, web.user.id))
        .collect();
    Ok(render(&AdminPage {
        meta: web.meta("Tweede factor van de gebruikers", "/beheer/tweede-factor"),
        required,
        members,
        notice,
        error,
    }))
}

/// `GET /beheer/tweede-factor`: who of the organisation has a second factor; whether it is
/// required.
pub async fn admin_page(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    render_admin(&state, &web, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct RequiredForm {
    #[serde(default)]
    verplicht: String,
}

/// `POST /beheer/tweede-factor/verplicht` (`verplicht=ja|nee`).
pub async fn admin_required(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Form(form): Form<RequiredForm>,
) -> ApiResult<Response> {
    let required = match form.verplicht.as_str() {
        "ja" => true,
        "nee" => false,
        other => {
            return Err(ApiError::bad_request(
                "ongeldig",
                format!("Verplicht moet ja of nee zijn (gekregen: {other})."),
            ));
        }
    };
    let event = audit
        .event(&web.actor, action::SECOND_FACTOR_POLICY)
        .organisation(web.org_id())
        .object(
            AuditObject::Organisation(web.org_id().to_owned()).detail(if required {
                "verplicht"
            } else {
                "niet_verplicht"
            }),
        );
    admin::set_required(
        &state.store,
        &web.caller().audited(event.entry()),
        web.org_id(),
        required,
    )
    .await
    .map_err(service_error)?;
    let notice = if required {
        "De tweede factor is nu verplicht: wie er nog geen heeft, stelt die in bij de volgende \
         stap in de service."
    } else {
        "De tweede factor is niet meer verplicht; wie er een heeft, houdt die."
    };
    render_admin(&state, &web, Some(notice.into()), None).await
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    gebruiker: String,
}

/// `POST /beheer/tweede-factor/opnieuw` (`gebruiker=ID`): removes a user's lost second factor
/// and ends their sessions (audited); they set up a new one after their next password.
pub async fn admin_reset(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Form(form): Form<ResetForm>,
) -> ApiResult<Response> {
    let user_id: i64 = form.gebruiker.trim().parse().map_err(|_| {
        ApiError::bad_request(
            "ongeldig",
            format!(
                "Gebruiker moet een nummer zijn (gekregen: {}).",
                form.gebruiker
            ),
        )
    })?;
    let event = audit
        .event(&web.actor, action::SECOND_FACTOR_RESET)
        .organisation(web.org_id())
        .object(AuditObject::User(user_id));
    let caller = web.caller().audited(event.entry());
    match admin::reset(&state.store, &caller, web.org_id(), user_id).await {
        Ok(_) => {}
        Err(verzuim_service::ServiceError::Invalid(m)) => {
            return render_admin(&state, &web, None, Some(super::sentence(&m))).await;
        }
        Err(e) => return Err(service_error(e)),
    }
    let email = admin::members(&state.store, &web.caller(), web.org_id())
        .await
        .map_err(service_error)?
        .into_iter()
        .find(|m| m.user_id == user_id)
        .map_or_else(|| format!("gebruiker {user_id}"), |m| m.email);
    let required = admin::required(&state.store, &web.caller(), web.org_id())
        .await
        .map_err(service_error)?;
    let mut notice =
        format!("De tweede factor van {email} is verwijderd en {email} is overal uitgelogd.");
    if required {
        notice.push_str(" Na het wachtwoord stelt die een nieuwe in.");
    }
    render_admin(&state, &web, Some(notice), None).await
}
