//! Log in, log out, change the password, switch membership, and `/`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_store::{Membership, User};

use super::render;
use super::session::{self, PageMeta, WebUser, landing};
use crate::api::auth::LOGIN_FAILED;
use crate::audit::{Audit, Outcome, action};
use crate::auth::{password, sessions, throttle};
use crate::authz::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_len, max_len};
use crate::security::ClientAddr;
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
            None => ApiError::forbidden().into_response(),
        },
        _ => Redirect::to("/inloggen").into_response(),
    }
}

/// `GET /inloggen`.
pub async fn login_page(actor: Option<Actor>, headers: HeaderMap) -> Response {
    if let Some(Actor::User(u)) = actor
        && let Some(m) = session::pick(&u.memberships, &headers)
    {
        return Redirect::to(landing(m.role)).into_response();
    }
    render(&LoginPage {
        meta: PageMeta::bare("Inloggen"),
        email: String::new(),
        error: None,
    })
}

fn organisations(memberships: &[Membership]) -> Vec<&str> {
    let mut orgs: Vec<&str> = memberships
        .iter()
        .map(|m| m.organisation_id.as_str())
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    orgs
}

/// `POST /inloggen`: on success a new session and a redirect (303) to the role's page; on
/// failure the form again with "Onbekende gebruiker of onjuist wachtwoord" or the wait.
pub async fn login_submit(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    audit: Audit,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> ApiResult<Response> {
    check_len("email", &form.email, max_len::EMAIL)?;
    check_len("wachtwoord", &form.wachtwoord, max_len::PASSWORD)?;
    let email = form.email.trim().to_lowercase();
    let address = address.as_deref();
    let again = |error: String| {
        render(&LoginPage {
            meta: PageMeta::bare("Inloggen"),
            email: form.email.trim().to_owned(),
            error: Some(error),
        })
    };

    if let Err(e) = throttle::check(&state, &email, address).await {
        if e.code == "te_veel_pogingen" {
            return Ok(again(e.message.into_owned()));
        }
        return Err(e);
    }
    let user = if email.is_empty() {
        None
    } else {
        state.store.user_by_email(&email).await?
    };
    let ok = password::verify_blocking(
        form.wachtwoord.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let user: User = match user {
        Some(u) if ok => u,
        known => {
            throttle::record_failure(&state, &email, address).await?;
            match &known {
                Some(u) => {
                    let memberships = state.store.memberships_of_user(u.id).await?;
                    audit
                        .event_by(verzuim_store::Actor::User(u.id), action::LOGIN)
                        .object(format!("user:{}", u.id))
                        .outcome(Outcome::Failed)
                        .write_for_each(&organisations(&memberships))
                        .await?;
                }
                None => {
                    let shown: String = email.chars().take(max_len::EMAIL).collect();
                    audit
                        .event_by(verzuim_store::Actor::System, action::LOGIN)
                        .object(format!("email:{shown}"))
                        .outcome(Outcome::Failed)
                        .write()
                        .await?;
                }
            }
            return Ok(again(LOGIN_FAILED.to_owned()));
        }
    };

    throttle::reset(&state, &email, address).await?;
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
    let target = session::pick(&memberships, &HeaderMap::new()).map_or("/", |m| landing(m.role));
    Ok((
        AppendHeaders([
            (
                header::SET_COOKIE,
                sessions::set_cookie(&state, &headers, &token),
            ),
            (header::SET_COOKIE, session::clear_choice_cookie()),
        ]),
        Redirect::to(target),
    )
        .into_response())
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
        let memberships = state.store.memberships_of_user(s.user_id).await?;
        audit
            .event_by(verzuim_store::Actor::User(s.user_id), action::LOGOUT)
            .object(format!("user:{}", s.user_id))
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
    ClientAddr(address): ClientAddr,
    web: WebUser,
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
    let address = address.as_deref();
    let email = web.user.email.clone();
    let orgs = organisations(&web.memberships);
    if let Err(e) = throttle::check(&state, &email, address).await {
        if e.code == "te_veel_pogingen" {
            return Ok(page(Some(e.message.into_owned()), false));
        }
        return Err(e);
    }
    let ok =
        password::verify_blocking(form.huidig.clone(), Some(web.user.password_hash.clone())).await;
    if !ok {
        throttle::record_failure(&state, &email, address).await?;
        audit
            .event(&web.actor, action::PASSWORD_CHANGE)
            .object(format!("user:{}", web.user.id))
            .outcome(Outcome::Failed)
            .write_for_each(&orgs)
            .await?;
        return Ok(page(
            Some("Het huidige wachtwoord is onjuist.".into()),
            false,
        ));
    }
    if let Err(e) = password::check_policy(&form.nieuw) {
        return Ok(page(Some(e.to_string()), false));
    }
    if form.nieuw != form.herhaling {
        return Ok(page(
            Some("De twee nieuwe wachtwoorden zijn niet gelijk.".into()),
            false,
        ));
    }
    if form.nieuw == form.huidig {
        return Ok(page(
            Some("Het nieuwe wachtwoord moet anders zijn dan het huidige.".into()),
            false,
        ));
    }
    let hash = password::hash_blocking(form.nieuw).await?;
    state.store.set_password_hash(web.user.id, &hash).await?;
    throttle::reset(&state, &email, address).await?;
    let token = sessions::start(&state, web.user.id).await?;
    audit
        .event(&web.actor, action::PASSWORD_CHANGE)
        .object(format!("user:{}", web.user.id))
        .write_for_each(&orgs)
        .await?;
    let mut res = page(None, true);
    res.headers_mut().insert(
        header::SET_COOKIE,
        sessions::set_cookie(&state, &headers, &token),
    );
    Ok(res)
}
