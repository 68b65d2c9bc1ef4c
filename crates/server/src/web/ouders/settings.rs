//! The parent's own settings in the portal (docs/parents.md, docs/email.md), made for a phone
//! first like the rest of it:
//!
//! - `/ouders/e-mail`: per kind of mail about their child (news from the school or leerplicht,
//!   a letter) at once, in the daily summary, or not at all; the decision on a leave request
//!   always comes at once (its six weeks for a bezwaar start with it);
//! - `/ouders/wachtwoord`: a new password, after the current one, by the project's password
//!   policy (`crate::auth::password`); every other session of the parent ends.
//!
//! Both are audited: the choice commits its row with it (`mail_preferences`), the password
//! change writes `password_change` (also a wrong current password, outcome `failed`).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;
use verzuim_service::mail::{self as service_mail, PARENT_KINDS, Preference};
use verzuim_service::model::{MailKind, MailMode};

use super::ParentWeb;
use crate::audit::{Audit, AuditObject, action};
use crate::auth::login::{self, SessionUser};
use crate::auth::{password, sessions};
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_len, max_len};
use crate::state::AppState;
use crate::web::{render, sentence, service_error};

/// The parent's e-mail choices.
pub const MAIL: &str = "/ouders/e-mail";
/// The parent's password.
pub const PASSWORD: &str = "/ouders/wachtwoord";

struct Choice {
    kind: &'static str,
    label: &'static str,
    /// Always at once: no choice.
    fixed: bool,
    options: Vec<ModeOption>,
}

struct ModeOption {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "ouders_email.html")]
struct MailPage {
    meta: crate::web::PageMeta,
    email: String,
    choices: Vec<Choice>,
    saved: bool,
    error: Option<String>,
}

fn choices(prefs: &[Preference]) -> Vec<Choice> {
    prefs
        .iter()
        .map(|p| Choice {
            kind: p.kind.as_str(),
            label: match p.kind {
                MailKind::Ouders => "Bericht van school of leerplicht over uw kind",
                MailKind::Brief => "Een brief over uw kind",
                MailKind::Verlof => "Besluit op een verlofaanvraag",
                other => service_mail::kind_label(other),
            },
            fixed: service_mail::ALWAYS_DIRECT.contains(&p.kind),
            options: MailMode::ALL
                .iter()
                .map(|&m| ModeOption {
                    value: m.as_str(),
                    label: service_mail::mode_label(m),
                    checked: m == p.mode,
                })
                .collect(),
        })
        .collect()
}

async fn mail_view(
    state: &AppState,
    web: &ParentWeb,
    saved: bool,
    error: Option<String>,
) -> ApiResult<Response> {
    let prefs = service_mail::preferences(&state.store, web.user.id, PARENT_KINDS)
        .await
        .map_err(service_error)?;
    Ok(render(&MailPage {
        meta: web.meta("E-mail", MAIL),
        email: web.user.email.clone(),
        choices: choices(&prefs),
        saved,
        error,
    }))
}

/// `GET /ouders/e-mail`.
pub async fn mail_page(State(state): State<AppState>, web: ParentWeb) -> ApiResult<Response> {
    mail_view(&state, &web, false, None).await
}

/// `POST /ouders/e-mail`: a field per kind (`ouders`, `brief`), its value `direct`,
/// `dagelijks` or `uit`. An unknown kind or value, or a choice for the leave decision other than
/// at once, is refused with the page and a Dutch message; nothing changes then.
pub async fn mail_save(
    State(state): State<AppState>,
    web: ParentWeb,
    audit: Audit,
    Form(form): Form<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut wanted = Vec::new();
    for (k, v) in &form {
        if k.len() > 64 || v.len() > 64 {
            return Err(ApiError::bad_request("te_lang", "Een veld is te lang."));
        }
        match (MailKind::parse(k), MailMode::parse(v)) {
            (Some(kind), Some(mode)) if PARENT_KINDS.contains(&kind) => {
                wanted.push(Preference { kind, mode });
            }
            _ => {
                let error = format!(
                    "Onbekende keuze \"{v}\" voor \"{k}\": kies meteen, dagelijks of niet."
                );
                return mail_view(&state, &web, false, Some(error)).await;
            }
        }
    }
    let event = audit
        .event_by(
            verzuim_service::model::Actor::User(web.user.id),
            action::MAIL_PREFERENCES,
        )
        .object(AuditObject::User(web.user.id));
    match service_mail::set_preferences(
        &state.store,
        web.user.id,
        &wanted,
        PARENT_KINDS,
        event.entry(),
    )
    .await
    {
        Ok(_) => mail_view(&state, &web, true, None).await,
        Err(verzuim_service::ServiceError::Invalid(m)) => {
            mail_view(&state, &web, false, Some(sentence(&m))).await
        }
        Err(e) => Err(service_error(e)),
    }
}

#[derive(Template)]
#[template(path = "ouders_wachtwoord.html")]
struct PasswordPage {
    meta: crate::web::PageMeta,
    error: Option<String>,
    done: bool,
    min_length: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    huidig: String,
    #[serde(default)]
    nieuw: String,
    #[serde(default)]
    herhaling: String,
}

fn password_view(web: &ParentWeb, error: Option<String>, done: bool) -> Response {
    render(&PasswordPage {
        meta: web.meta("Wachtwoord wijzigen", PASSWORD),
        error,
        done,
        min_length: password::MIN_LENGTH,
    })
}

/// `GET /ouders/wachtwoord`.
pub async fn password_page(web: ParentWeb) -> Response {
    password_view(&web, None, false)
}

/// `POST /ouders/wachtwoord`: the current password (a wrong one counts for the login's
/// throttle and is audited as failed), the new one twice, by the password policy. Every session
/// of the parent ends; this browser gets a new one.
pub async fn password_submit(
    State(state): State<AppState>,
    web: ParentWeb,
    su: SessionUser,
    audit: Audit,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> ApiResult<Response> {
    check_len("huidig", &form.huidig, max_len::PASSWORD)?;
    check_len("nieuw", &form.nieuw, max_len::PASSWORD)?;
    check_len("herhaling", &form.herhaling, max_len::PASSWORD)?;
    if form.nieuw != form.herhaling {
        return Ok(password_view(
            &web,
            Some("De twee nieuwe wachtwoorden zijn niet gelijk.".into()),
            false,
        ));
    }
    match login::change_password(&state, &audit, &su, &form.huidig, &form.nieuw).await {
        Ok(Ok(token)) => {
            let mut res = password_view(&web, None, true);
            res.headers_mut().insert(
                header::SET_COOKIE,
                sessions::set_cookie(&state, &headers, &token),
            );
            Ok(res)
        }
        Ok(Err((e, _))) => Ok(password_view(&web, Some(e.message.into_owned()), false)),
        Err(e) if e.code == "te_veel_pogingen" => {
            Ok(password_view(&web, Some(e.message.into_owned()), false))
        }
        Err(e) => Err(e),
    }
}
