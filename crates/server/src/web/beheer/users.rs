//! The organisation's users and their roles, `/beheer/gebruikers`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use verzuim_service::ServiceError;
use verzuim_service::model::Role;

use crate::audit::Audit;
use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::session::{PageMeta, WebUser, role_label};
use crate::web::{render, sentence, service_error};

#[derive(Template)]
#[template(path = "beheer_gebruikers.html")]
pub(super) struct UsersPage {
    meta: PageMeta,
    members: Vec<MemberRow>,
    roles: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    saved: Option<String>,
    form: UserForm,
    min_length: usize,
}

pub(super) struct MemberRow {
    user_id: i64,
    name: String,
    email: String,
    role: &'static str,
    role_value: &'static str,
    groups: String,
    me: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    rol: String,
    #[serde(default)]
    groepen: String,
}

pub(super) async fn users_page(
    state: &AppState,
    web: &WebUser,
    errors: Vec<String>,
    saved: Option<String>,
    mut form: UserForm,
) -> ApiResult<Response> {
    let members = verzuim_service::users::members(&state.store, &web.caller(), web.org_id())
        .await
        .map_err(service_error)?;
    form.wachtwoord.clear();
    Ok(render(&UsersPage {
        meta: web.meta("Gebruikers en rollen", "/beheer/gebruikers"),
        members: members
            .into_iter()
            .map(|(u, m)| MemberRow {
                me: u.id == web.user.id,
                user_id: u.id,
                name: u.display_name,
                email: u.email,
                role: role_label(m.role),
                role_value: m.role.as_str(),
                groups: m.groups.join(", "),
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .filter(|r| verzuim_service::users::role_fits(**r, web.org.kind))
            .map(|r| (r.as_str(), role_label(*r)))
            .collect(),
        errors,
        saved,
        form,
        min_length: password::MIN_LENGTH,
    }))
}

/// `GET /beheer/gebruikers`: the organisation's users and roles; add a user or a role.
pub async fn users(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    users_page(&state, &web, Vec::new(), None, UserForm::default()).await
}

/// `POST /beheer/gebruikers`: gives the user with this e-mail address the role; a new user is
/// made with the name and initial password (which must follow the password policy).
pub async fn users_add(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    axum::Form(form): axum::Form<UserForm>,
) -> ApiResult<Response> {
    let mut errors = Vec::new();
    let email = form.email.trim().to_lowercase();
    if email.chars().count() > 254
        || !email.contains('@')
        || email.starts_with('@')
        || email.ends_with('@')
        || email.contains(char::is_whitespace)
    {
        errors.push("E-mailadres: vul een geldig e-mailadres in.".to_owned());
    }
    let role =
        Role::parse(&form.rol).filter(|r| verzuim_service::users::role_fits(*r, web.org.kind));
    if role.is_none() {
        errors.push("Rol: kies een rol uit de lijst.".to_owned());
    }
    let groups: Vec<String> = form
        .groepen
        .split(',')
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty())
        .collect();
    if groups.len() > 20 || groups.iter().any(|g| g.chars().count() > 20) {
        errors.push("Groepen: hoogstens 20 groepen van elk hoogstens 20 tekens.".to_owned());
    }
    if !errors.is_empty() {
        return users_page(&state, &web, errors, None, form).await;
    }
    let existing =
        verzuim_service::users::by_email(&state.store, &web.caller(), web.org_id(), &email)
            .await
            .map_err(service_error)?;
    let hash = if existing.is_none() {
        let name = form.naam.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(
                "Naam: vul de naam van de nieuwe gebruiker in (1 tot 200 tekens).".to_owned(),
            );
        }
        if let Err(e) = password::check_policy(&form.wachtwoord) {
            errors.push(format!("Eerste wachtwoord: {e}"));
        }
        if !errors.is_empty() {
            return users_page(&state, &web, errors, None, form).await;
        }
        Some(
            password::hash_blocking(form.wachtwoord.clone())
                .await
                .map_err(ApiError::internal)?,
        )
    } else {
        None
    };
    let Some(role) = role else {
        return users_page(&state, &web, errors, None, form).await;
    };
    // The audit row of the user's id commits with the membership.
    let event = audit
        .event(&web.actor, crate::audit::action::MEMBERSHIP_ADD)
        .organisation(web.org_id());
    match verzuim_service::users::add_member(
        &state.store,
        &web.caller(),
        web.org_id(),
        &email,
        form.naam.trim(),
        hash.as_deref(),
        role,
        &groups,
        |id| event.row_of(crate::audit::AuditObject::User(id).detail(role.as_str())),
    )
    .await
    {
        Ok(added) => {
            let what = if added.created {
                format!(
                    "Gebruiker {email} aangemaakt met de rol {}.",
                    role_label(role)
                )
            } else {
                format!(
                    "De bestaande gebruiker {email} heeft de rol {} erbij gekregen.",
                    role_label(role)
                )
            };
            users_page(&state, &web, Vec::new(), Some(what), UserForm::default()).await
        }
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
            users_page(&state, &web, vec![sentence(&m)], None, form).await
        }
        Err(e) => Err(service_error(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    gebruiker: i64,
    rol: String,
}

/// `POST /beheer/gebruikers/intrekken`: removes one role of a user (not the caller's own last
/// beheerder role).
pub async fn users_remove(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    axum::Form(form): axum::Form<RemoveForm>,
) -> ApiResult<Response> {
    let Some(role) = Role::parse(&form.rol) else {
        return users_page(
            &state,
            &web,
            vec!["Onbekende rol.".into()],
            None,
            UserForm::default(),
        )
        .await;
    };
    let event = audit
        .event(&web.actor, crate::audit::action::MEMBERSHIP_REMOVE)
        .organisation(web.org_id())
        .object(crate::audit::AuditObject::User(form.gebruiker).detail(role.as_str()));
    match verzuim_service::users::remove_member(
        &state.store,
        &web.caller().audited(event.entry()),
        web.org_id(),
        form.gebruiker,
        role,
    )
    .await
    {
        Ok(()) => {
            users_page(
                &state,
                &web,
                Vec::new(),
                Some(format!("De rol {} is ingetrokken.", role_label(role))),
                UserForm::default(),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            users_page(&state, &web, vec![sentence(&m)], None, UserForm::default()).await
        }
        Err(ServiceError::NotFound) => {
            users_page(
                &state,
                &web,
                vec!["Deze gebruiker heeft die rol hier niet (meer).".into()],
                None,
                UserForm::default(),
            )
            .await
        }
        Err(e) => Err(service_error(e)),
    }
}
