//! The logged-in user of a page, the membership they act in, and the page chrome.
//!
//! A user may have several memberships (roles in organisations). The one acted in is the
//! switcher's choice (cookie [`CHOICE_COOKIE`], `ORG~role`, checked against the memberships on
//! every request), else the first by organisation and role.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use verzuim_service::Caller;
use verzuim_service::model::{Membership, OrgKind, Organisation, Role, User};

use super::assets;
use crate::authz::Actor;
use crate::error::ApiError;
use crate::state::AppState;

/// The cookie that remembers which membership the user acts in.
pub const CHOICE_COOKIE: &str = "verzuim_rol";

/// A role for people.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Leerkracht => "Leerkracht",
        Role::Verzuimcoordinator => "Verzuimcoördinator",
        Role::Leerplichtambtenaar => "Leerplichtambtenaar",
        Role::Jgz => "GGD-JGZ",
        Role::Beheerder => "Beheerder",
        Role::Directeur => "Directeur",
    }
}

/// The page a role lands on after login.
pub fn landing(role: Role) -> &'static str {
    match role {
        Role::Leerkracht => "/registreren",
        Role::Verzuimcoordinator => "/taken",
        Role::Leerplichtambtenaar => "/meldingen",
        Role::Jgz => "/verwijzingen",
        Role::Beheerder => "/beheer",
        Role::Directeur => "/verlof",
    }
}

fn role_rank(role: Role) -> usize {
    Role::ALL
        .iter()
        .position(|r| *r == role)
        .unwrap_or(usize::MAX)
}

fn choice_value(m: &Membership) -> String {
    format!("{}~{}", m.organisation_id, m.role.as_str())
}

/// The membership acted in: the cookie's choice when it is one of the user's, else the first.
pub fn pick<'a>(memberships: &'a [Membership], headers: &HeaderMap) -> Option<&'a Membership> {
    let choice = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == CHOICE_COOKIE)
        .map(|(_, v)| v.trim().to_owned());
    if let Some(c) = choice
        && let Some(m) = memberships.iter().find(|m| choice_value(m) == c)
    {
        return Some(m);
    }
    memberships.iter().min_by(|a, b| {
        (role_rank(a.role), &a.organisation_id).cmp(&(role_rank(b.role), &b.organisation_id))
    })
}

/// `Set-Cookie` for the switcher's choice (only ever a value of one of the user's memberships).
pub fn choice_cookie(state: &AppState, headers: &HeaderMap, m: &Membership) -> HeaderValue {
    let secure = if crate::auth::sessions::cookie_is_secure(state, headers) {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{CHOICE_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
        choice_value(m)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("verzuim_rol=; Path=/; Max-Age=0"))
}

/// `Set-Cookie` that forgets the choice.
pub fn clear_choice_cookie() -> HeaderValue {
    HeaderValue::from_static("verzuim_rol=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// A logged-in user on a page, acting in one membership.
#[derive(Debug, Clone)]
pub struct WebUser {
    pub actor: Actor,
    pub user: User,
    pub memberships: Vec<Membership>,
    /// The membership acted in.
    pub current: Membership,
    /// Its organisation.
    pub org: Organisation,
    /// Names of the organisations of all memberships (for the switcher).
    org_names: Vec<(String, String)>,
}

impl WebUser {
    pub fn role(&self) -> Role {
        self.current.role
    }

    pub fn org_id(&self) -> &str {
        &self.current.organisation_id
    }

    /// The service's caller for this membership.
    pub fn caller(&self) -> Caller {
        Caller::user(
            self.user.id,
            self.current.organisation_id.clone(),
            self.current.role,
        )
    }

    /// 403 unless acting in one of `roles` (and, with `kind`, for that kind of organisation).
    pub fn require(&self, roles: &[Role], kind: Option<OrgKind>) -> Result<(), ApiError> {
        if roles.contains(&self.current.role) && kind.is_none_or(|k| k == self.org.kind) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// The header, nav and switcher of a page at `path`.
    pub fn chrome(&self, path: &str) -> Chrome {
        let mut nav: Vec<(&'static str, &'static str)> = match self.current.role {
            Role::Leerkracht => vec![("/registreren", "Registreren")],
            Role::Verzuimcoordinator => {
                vec![("/taken", "Taken"), ("/registreren", "Registreren")]
            }
            Role::Leerplichtambtenaar => vec![
                ("/meldingen", "Meldingen"),
                ("/prikactie", "Prikactie"),
                ("/jaarcijfers", "Jaarcijfers"),
            ],
            Role::Jgz => vec![("/verwijzingen", "Verwijzingen")],
            Role::Beheerder => vec![("/beheer", "Beheer")],
            Role::Directeur => vec![("/verlof", "Verlofaanvragen")],
        };
        if self.current.role == Role::Beheerder && self.org.kind == OrgKind::School {
            nav.push(("/leerlingen", "Leerlingen"));
            nav.push(("/beheer/lestijden", "Lestijden"));
            nav.push(("/beheer/vrije-dagen", "Vrije dagen"));
            nav.push(("/beheer/groepen", "Groepen"));
            nav.push(("/beheer/importeren", "Importeren"));
            nav.push(("/beheer/contactpersoon", "Contactpersoon"));
        }
        if self.current.role == Role::Beheerder {
            nav.push(("/beheer/gebruikers", "Gebruikers"));
            nav.push(("/beheer/auditlog", "Auditlog"));
        }
        if matches!(
            self.current.role,
            Role::Verzuimcoordinator | Role::Beheerder
        ) && self.org.kind == OrgKind::School
            || self.current.role == Role::Leerplichtambtenaar
        {
            nav.push(("/overzicht", "Overzicht"));
        }
        if matches!(
            self.current.role,
            Role::Verzuimcoordinator | Role::Leerplichtambtenaar
        ) {
            nav.push(("/verlof", "Verlofaanvragen"));
        }
        if self.current.role == Role::Verzuimcoordinator {
            nav.insert(1, ("/leerlingen", "Leerlingen"));
            nav.insert(2, ("/vroegsignalering", "Vroegsignalering"));
        }
        nav.push(("/e-mail", "E-mail"));
        nav.push(("/tweede-factor", "Tweede factor"));
        nav.push(("/wachtwoord", "Wachtwoord wijzigen"));
        let mut memberships: Vec<&Membership> = self.memberships.iter().collect();
        memberships.sort_by(|a, b| {
            (&a.organisation_id, role_rank(a.role)).cmp(&(&b.organisation_id, role_rank(b.role)))
        });
        let switch = if memberships.len() > 1 {
            memberships
                .into_iter()
                .map(|m| {
                    let org = self
                        .org_names
                        .iter()
                        .find(|(id, _)| *id == m.organisation_id)
                        .map_or(m.organisation_id.as_str(), |(_, n)| n.as_str());
                    SwitchOption {
                        value: choice_value(m),
                        label: format!("{} bij {org}", role_label(m.role)),
                        selected: m.organisation_id == self.current.organisation_id
                            && m.role == self.current.role,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        Chrome {
            user_name: self.user.display_name.clone(),
            role_label: role_label(self.current.role),
            org_name: self.org.name.clone(),
            nav: nav
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: href == path,
                })
                .collect(),
            switch,
        }
    }

    /// The meta of a page with this user's chrome.
    pub fn meta(&self, title: impl Into<String>, path: &str) -> PageMeta {
        PageMeta {
            title: title.into(),
            chrome: Some(self.chrome(path)),
            ..PageMeta::bare("")
        }
    }
}

/// Who is logged in, as every page's header shows it.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub user_name: String,
    pub role_label: &'static str,
    pub org_name: String,
    pub nav: Vec<NavItem>,
    /// Empty with a single membership.
    pub switch: Vec<SwitchOption>,
}

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct SwitchOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// What the base layout needs: the title, the chrome (none when logged out), asset URLs.
#[derive(Debug, Clone)]
pub struct PageMeta {
    pub title: String,
    pub chrome: Option<Chrome>,
    pub css: &'static str,
    pub htmx: &'static str,
    pub icon: &'static str,
}

impl PageMeta {
    /// A page without a logged-in header (login, error pages).
    pub fn bare(title: &str) -> PageMeta {
        PageMeta {
            title: title.to_owned(),
            chrome: None,
            css: assets::css_url(),
            htmx: assets::htmx_url(),
            icon: assets::icon_url(),
        }
    }
}

/// To the login page: a redirect, or for an htmx request `HX-Redirect` (htmx would otherwise
/// swap the login page into the element).
pub fn to_login(headers: &HeaderMap) -> Response {
    if headers.contains_key("hx-request") {
        (StatusCode::OK, [("hx-redirect", "/inloggen")]).into_response()
    } else {
        Redirect::to("/inloggen").into_response()
    }
}

/// The page route layer's check of a role policy ([`crate::policy::OrgFrom::Membership`]): a
/// logged-in user (else to the login page) acting in a membership whose role and kind of
/// organisation the policy admits (else 403). The page's [`WebUser`] is kept for its handler.
pub async fn enforce(
    parts: &mut Parts,
    state: &AppState,
    policy: &crate::policy::Policy,
) -> Result<(), Response> {
    let web = WebUser::from_request_parts(parts, state).await?;
    if policy.admits(web.role(), web.org.kind) {
        Ok(())
    } else {
        Err(ApiError::forbidden().into_response())
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<WebUser, Response> {
        if let Some(web) = parts.extensions.get::<WebUser>() {
            return Ok(web.clone());
        }
        let web = Self::resolve(parts, state).await?;
        parts.extensions.insert(web.clone());
        Ok(web)
    }
}

impl WebUser {
    async fn resolve(parts: &mut Parts, state: &AppState) -> Result<WebUser, Response> {
        let actor = <Actor as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Some(Actor::User(u)) = actor else {
            return Err(to_login(&parts.headers));
        };
        let Some(current) = pick(&u.memberships, &parts.headers).cloned() else {
            return Err(ApiError::forbidden().into_response());
        };
        let mut org_names = Vec::new();
        let mut org = None;
        for m in &u.memberships {
            if org_names
                .iter()
                .any(|(id, _): &(String, String)| *id == m.organisation_id)
            {
                continue;
            }
            let o = verzuim_service::auth::organisation(&state.store, &m.organisation_id)
                .await
                .map_err(|e| ApiError::from(e).into_response())?;
            if let Some(o) = o {
                org_names.push((o.id.clone(), o.name.clone()));
                if o.id == current.organisation_id {
                    org = Some(o);
                }
            }
        }
        let Some(org) = org else {
            return Err(ApiError::forbidden().into_response());
        };
        Ok(WebUser {
            actor: Actor::User(u.clone()),
            user: u.user.clone(),
            memberships: u.memberships.clone(),
            current,
            org,
            org_names,
        })
    }
}
