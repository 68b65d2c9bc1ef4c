//! Log in, log out, change the password, switch membership, and `/`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_service::model::Membership;

use super::render;
use super::session::{self, PageMeta, WebUser, landing};
use crate::api::auth::LOGIN_FAILED;
use crate::audit::{Audit, action};
use crate::auth::login::{self, SessionUser, Step, organisations};
use crate::auth::{password, sessions};
use crate::authz::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_len, max_len};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    meta: PageMeta,
    email: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    wachtwoord: String,
}

/// `GET /`: to the login page, or to the landing page of the role acted in.
pub async fn root(actor: Option<Actor>, headers: HeaderMap) -> Response {
    match actor {
        Some(Actor::User(u)) => match session::pick(&u.memberships, &headers) {
            Some(m) => Redirect::to(landing(m.role)).into_response(),
            // No membership: a parent (docs/parents.md).
            None => Redirect::to(super::ouders::HOME).into_response(),
        },
        _ => Redirect::to("/inloggen").into_response(),
    }
}

/// `GET /inloggen` (a login with a step to do goes to that step's page).
pub async fn login_page(su: Option<SessionUser>, headers: HeaderMap) -> Response {
    if let Some(su) = su {
        if let Some(step) = su.step {
            return Redirect::to(step.page()).into_response();
        }
        if let Some(m) = session::pick(&su.memberships, &headers) {
            return Redirect::to(landing(m.role)).into_response();
        }
        return Redirect::to(super::ouders::HOME).into_response();
    }
    render(&LoginPage {
        meta: PageMeta::bare("Inloggen"),
        email: String::new(),
        error: None,
    })
}

/// `POST /inloggen`: on success a new session and a redirect (303) to the login's next step
/// (the code of the second factor, a new password, setting up a second factor) or the role's
/// page; on failure the form again with "Onbekende gebruiker of onjuist wachtwoord" or the wait.
pub async fn login_submit(
    State(state): State<AppState>,
    audit: Audit,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> ApiResult<Response> {
    check_len("email", &form.email, max_len::EMAIL)?;
    check_len("wachtwoord", &form.wachtwoord, max_len::PASSWORD)?;
    let email = form.email.trim().to_lowercase();
    let again = |error: String| {
        render(&LoginPage {
            meta: PageMeta::bare("Inloggen"),
            email: form.email.trim().to_owned(),
            error: Some(error),
        })
    };
    let user = match login::check_password(&state, &audit, &email, form.wachtwoord.clone()).await {
        Ok(Some(u)) => u,
        Ok(None) => return Ok(again(LOGIN_FAILED.to_owned())),
        Err(e) if e.code == "te_veel_pogingen" => return Ok(again(e.message.into_owned())),
        Err(e) => return Err(e),
    };
    let started = login::start(&state, &audit, &headers, &user).await?;
    Ok((
        AppendHeaders([
            (
                header::SET_COOKIE,
                sessions::set_cookie(&state, &headers, &started.token),
            ),
            (header::SET_COOKIE, session::clear_choice_cookie()),
        ]),
        Redirect::to(after_step(started.step, &started.memberships)),
    )
        .into_response())
}

/// Where a login goes after a step: the next step's page, else the landing page of the role.
pub fn after_step(step: Option<Step>, memberships: &[Membership]) -> &'static str {
    match step {
        Some(s) => s.page(),
        None => session::pick(memberships, &HeaderMap::new())
            .map_or(super::ouders::HOME, |m| landing(m.role)),
    }
}

/// `POST /uitloggen`: ends the session and goes to the login page.
pub async fn logout(
    State(state): State<AppState>,
    audit: Audit,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(token) = sessions::cookie_token(&headers)
        && let Some(s) = sessions::resume(&state, token).await?
    {
        sessions::end(&state, token).await?;
        let memberships = verzuim_service::users::memberships(&state.store, s.user_id)
            .await
            .map_err(super::service_error)?;
        audit
            .event_by(
                verzuim_service::model::Actor::User(s.user_id),
                action::LOGOUT,
            )
            .object(crate::audit::AuditObject::User(s.user_id))
            .write_for_each(&organisations(&memberships))
            .await?;
    }
    Ok((
        AppendHeaders([
            (header::SET_COOKIE, sessions::clear_cookie(&state, &headers)),
            (header::SET_COOKIE, session::clear_choice_cookie()),
        ]),
        Redirect::to("/inloggen"),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    keuze: String,
}

/// `POST /wissel`: act in another of one's memberships.
pub async fn switch(
    State(state): State<AppState>,
    web: WebUser,
    headers: HeaderMap,
    Form(form): Form<SwitchForm>,
) -> ApiResult<Response> {
    let m = web
        .memberships
        .iter()
        .find(|m| format!("{}~{}", m.organisation_id, m.role.as_str()) == form.keuze)
        .ok_or_else(ApiError::forbidden)?;
    Ok((
        [(
            header::SET_COOKIE,
            session::choice_cookie(&state, &headers, m),
        )],
        Redirect::to(landing(m.role)),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    meta: PageMeta,
    error: Option<String>,
    done: bool,
    min_length: usize,
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    huidig: String,
    #[serde(default)]
    nieuw: String,
    #[serde(default)]
    herhaling: String,
}

/// `GET /wachtwoord`.
pub async fn password_page(web: WebUser) -> Response {
    render(&PasswordPage {
        meta: web.meta("Wachtwoord wijzigen", "/wachtwoord"),
        error: None,
        done: false,
        min_length: password::MIN_LENGTH,
    })
}

/// `POST /wachtwoord`: checks the current password and the policy; ends every session of the
/// user and starts a new one for this browser.
pub async fn password_submit(
    State(state): State<AppState>,
    web: WebUser,
    su: SessionUser,
    audit: Audit,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> ApiResult<Response> {
    check_len("huidig", &form.huidig, max_len::PASSWORD)?;
    check_len("nieuw", &form.nieuw, max_len::PASSWORD)?;
    check_len("herhaling", &form.herhaling, max_len::PASSWORD)?;
    let page = |error: Option<String>, done: bool| {
        render(&PasswordPage {
            meta: web.meta("Wachtwoord wijzigen", "/wachtwoord"),
            error,
            done,
            min_length: password::MIN_LENGTH,
        })
    };
    match new_password(&state, &audit, &su, &form).await? {
        Ok(token) => {
            let mut res = page(None, true);
            res.headers_mut().insert(
                header::SET_COOKIE,
                sessions::set_cookie(&state, &headers, &token),
            );
            Ok(res)
        }
        Err(message) => Ok(page(Some(message), false)),
    }
}

/// A new password from the form (the two new ones equal): the new session's token, or the
/// Dutch reason it was refused (also the throttle's wait).
pub async fn new_password(
    state: &AppState,
    audit: &Audit,
    su: &SessionUser,
    form: &PasswordForm,
) -> ApiResult<Result<String, String>> {
    if form.nieuw != form.herhaling {
        return Ok(Err("De twee nieuwe wachtwoorden zijn niet gelijk.".into()));
    }
    match login::change_password(state, audit, su, &form.huidig, &form.nieuw).await {
        Ok(Ok(token)) => Ok(Ok(token)),
        Ok(Err((e, _))) => Ok(Err(e.message.into_owned())),
        Err(e) if e.code == "te_veel_pogingen" => Ok(Err(e.message.into_owned())),
        Err(e) => Err(e),
    }
}
