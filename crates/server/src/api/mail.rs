//! `/api/me/mail`: the logged-in user's choice per kind of e-mail (docs/email.md): at once
//! (`direct`), in the daily summary (`dagelijks`) or not at all (`uit`). Deadline mail
//! (`termijn`) always comes at once. For people only: an API token gets 403.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::policy::{self, PolicyRoutes};
use verzuim_service::mail::{self as service_mail, Preference};
use verzuim_service::model::{MailKind, MailMode};

use super::common::bad_value;
use crate::audit::{Audit, AuditObject, action};
use crate::authz::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(get_preferences), &policy::OWN)
        .routes_with(routes!(put_preferences), &policy::OWN)
}

/// One choice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MailPreferenceIo {
    /// `melding`, `verwijzing`, `terugkoppeling`, `termijn` (staff); `ouders`, `brief`,
    /// `verlof` (parents).
    #[schema(schema_with = super::schemas::mail_kind)]
    pub kind: String,
    /// `direct`, `dagelijks` or `uit` (`termijn`, `verlof`: only `direct`).
    #[schema(schema_with = super::schemas::mail_mode)]
    pub mode: String,
}

/// Every kind with the user's choice.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailPreferencesOut {
    /// The address the mail goes to (the user's login).
    pub email: String,
    pub preferences: Vec<MailPreferenceIo>,
}

/// The choices to store (kinds left out keep theirs).
#[derive(Debug, Deserialize, ToSchema)]
pub struct MailPreferencesIn {
    #[schema(max_items = 16)]
    pub preferences: Vec<MailPreferenceIo>,
}

fn out(email: String, prefs: Vec<Preference>) -> MailPreferencesOut {
    MailPreferencesOut {
        email,
        preferences: prefs
            .into_iter()
            .map(|p| MailPreferenceIo {
                kind: p.kind.as_str().to_owned(),
                mode: p.mode.as_str().to_owned(),
            })
            .collect(),
    }
}

/// Your e-mail choices.
#[utoipa::path(
    get,
    path = "/api/me/mail",
    tag = "e-mail",
    responses(
        (status = 200, body = MailPreferencesOut),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Een API-token: e-mail hoort bij een persoon", body = ErrorBody),
    )
)]
async fn get_preferences(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<axum::Json<MailPreferencesOut>> {
    let user = actor.require_user()?;
    let kinds = service_mail::kinds_for(&state.store, user.user.id).await?;
    let prefs = service_mail::preferences(&state.store, user.user.id, &kinds).await?;
    Ok(axum::Json(out(user.user.email.clone(), prefs)))
}

/// Change your e-mail choices (all or none).
#[utoipa::path(
    put,
    path = "/api/me/mail",
    tag = "e-mail",
    request_body = MailPreferencesIn,
    responses(
        (status = 200, body = MailPreferencesOut),
        (status = 400, description = "Onbekende soort of keuze (het veld staat in de fout)", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Een API-token, of csrf", body = ErrorBody),
        (status = 422, description = "termijn (en verlof) kan alleen direct; een soort die deze gebruiker niet ontvangt", body = ErrorBody),
    )
)]
async fn put_preferences(
    State(state): State<AppState>,
    actor: Actor,
    audit: Audit,
    Json(body): Json<MailPreferencesIn>,
) -> ApiResult<axum::Json<MailPreferencesOut>> {
    let user = actor.require_user()?;
    let own = service_mail::kinds_for(&state.store, user.user.id).await?;
    let kinds: Vec<&str> = own.iter().map(|k| k.as_str()).collect();
    let modes: Vec<&str> = MailMode::ALL.iter().map(|m| m.as_str()).collect();
    let mut wanted = Vec::new();
    for (i, p) in body.preferences.iter().enumerate() {
        let field = format!("preferences[{i}].kind");
        let kind = MailKind::parse(&p.kind).ok_or_else(|| bad_value(&field, &kinds))?;
        if !own.contains(&kind) {
            // A kind of the schema's list that this user does not receive (a parent's kinds
            // for staff, a coordinator's for a parent): a rule the schema cannot state, 422.
            let ApiError { code, message, .. } = bad_value(&field, &kinds);
            return Err(ApiError::unprocessable(code, message).with_field(field));
        }
        let mode = MailMode::parse(&p.mode)
            .ok_or_else(|| bad_value(&format!("preferences[{i}].mode"), &modes))?;
        wanted.push(Preference { kind, mode });
    }
    let event = audit
        .event(&actor, action::MAIL_PREFERENCES)
        .object(AuditObject::User(user.user.id));
    let prefs =
        service_mail::set_preferences(&state.store, user.user.id, &wanted, &own, event.entry())
            .await?;
    Ok(axum::Json(out(user.user.email.clone(), prefs)))
}
