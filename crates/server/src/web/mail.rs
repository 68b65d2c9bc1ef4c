//! E-mail pages (docs/email.md): `/e-mail`, where a user chooses per kind of mail whether it comes
//! at once, in the daily summary, or not at all (deadline mail always comes); and, only with
//! `serve --demo`, the demo mailbox `/demo/mail`, where the demo's mails are read without a mail
//! server.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use verzuim_service::mail::{self as service_mail, Preference, STAFF_KINDS};
use verzuim_service::model::{MailKind, MailMode, MailStatus, Page};
use verzuim_service::outbox;

use super::{PageMeta, WebUser, render, service_error};
use crate::audit::{Audit, AuditObject, action};
use crate::error::{ApiError, ApiResult};
use crate::nl;
use crate::state::AppState;

struct Choice {
    kind: &'static str,
    label: &'static str,
    fixed: bool,
    options: Vec<ModeOption>,
}

struct ModeOption {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "email.html")]
struct PreferencesPage {
    meta: PageMeta,
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
            label: service_mail::kind_label(p.kind),
            fixed: p.kind == MailKind::Termijn,
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

/// `GET /e-mail`: the user's choices.
pub async fn page(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    let prefs = service_mail::preferences(&state.store, web.user.id, STAFF_KINDS)
        .await
        .map_err(service_error)?;
    Ok(render(&PreferencesPage {
        meta: web.meta("E-mail", "/e-mail"),
        email: web.user.email.clone(),
        choices: choices(&prefs),
        saved: false,
        error: None,
    }))
}

/// `POST /e-mail`: stores the choices (a field per kind, its value `direct`, `dagelijks` or
/// `uit`); an unknown kind or value is refused with the page and its message.
pub async fn save(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Form(form): Form<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut wanted = Vec::new();
    let mut error = None;
    for (k, v) in &form {
        if k.len() > 64 || v.len() > 64 {
            return Err(ApiError::bad_request("te_lang", "Een veld is te lang."));
        }
        match (MailKind::parse(k), MailMode::parse(v)) {
            (Some(kind), Some(mode)) if STAFF_KINDS.contains(&kind) => {
                wanted.push(Preference { kind, mode });
            }
            _ => {
                error = Some(format!(
                    "Onbekende keuze \"{v}\" voor \"{k}\": kies meteen, dagelijks of niet."
                ));
            }
        }
    }
    let event = audit
        .event(&web.actor, action::MAIL_PREFERENCES)
        .object(AuditObject::User(web.user.id));
    if error.is_none()
        && let Err(e) = service_mail::set_preferences(
            &state.store,
            web.user.id,
            &wanted,
            STAFF_KINDS,
            event.entry(),
        )
        .await
    {
        match e {
            verzuim_service::ServiceError::Invalid(m) => error = Some(super::sentence(&m)),
            other => return Err(service_error(other)),
        }
    }
    let prefs = service_mail::preferences(&state.store, web.user.id, STAFF_KINDS)
        .await
        .map_err(service_error)?;
    Ok(render(&PreferencesPage {
        meta: web.meta("E-mail", "/e-mail"),
        email: web.user.email.clone(),
        choices: choices(&prefs),
        saved: error.is_none(),
        error,
    }))
}

struct MailView {
    to: String,
    subject: String,
    kind: &'static str,
    status: &'static str,
    created: String,
    text: String,
    link: Option<String>,
    message_id: String,
}

struct RecipientOption {
    value: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "demo_mail.html")]
struct DemoMailPage {
    meta: PageMeta,
    mails: Vec<MailView>,
    recipients: Vec<RecipientOption>,
    filtered: bool,
}

#[derive(Debug, Deserialize)]
pub struct DemoQuery {
    aan: Option<String>,
}

fn status_label(s: MailStatus) -> &'static str {
    match s {
        MailStatus::Pending => "In de wachtrij",
        MailStatus::Held => "Voor de dagelijkse samenvatting",
        MailStatus::Summarised => "Opgenomen in een samenvatting",
        MailStatus::Sent => "Bezorgd",
        MailStatus::Failed => "Niet bezorgd",
    }
}

/// `GET /demo/mail`: the demo's mails, newest first, for one address (`?aan=`) or all. Only in
/// `serve --demo` (the route does not exist otherwise); the demo's data is invented.
pub async fn demo_mailbox(
    State(state): State<AppState>,
    Query(q): Query<DemoQuery>,
) -> ApiResult<Response> {
    let filter = q
        .aan
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty() && a.len() <= 320);
    let all = outbox::demo_mailbox(&state.store, None, Page::first(200)).await?;
    let mut addresses: Vec<String> = all.iter().map(|m| m.recipient.clone()).collect();
    addresses.sort();
    addresses.dedup();
    let mails = match filter {
        Some(a) => outbox::demo_mailbox(&state.store, Some(a), Page::first(200)).await?,
        None => all,
    };
    let base = state.config.mail_base_url.clone().unwrap_or_default();
    let mails = mails
        .iter()
        .map(|m| MailView {
            to: m.recipient.clone(),
            subject: m.subject.clone(),
            kind: service_mail::kind_label(m.kind),
            status: status_label(m.status),
            created: nl::date_time_nl(m.created_at),
            text: service_mail::render(m, &base),
            link: m.link.clone(),
            message_id: crate::mail::message_id(m, "verzuim.demo"),
        })
        .collect();
    Ok(render(&DemoMailPage {
        meta: PageMeta::bare("Demo-mailbox"),
        mails,
        recipients: addresses
            .into_iter()
            .map(|a| RecipientOption {
                selected: filter.is_some_and(|f| f.eq_ignore_ascii_case(&a)),
                value: a,
            })
            .collect(),
        filtered: filter.is_some(),
    }))
}
