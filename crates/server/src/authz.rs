//! Who is calling, and what they may do. Deny by default: a handler that takes an [`Actor`]
//! gets one only for a live session or a live API token (otherwise 401 `niet_ingelogd` /
//! `ongeldig_token`). Who may call a route is declared on the route ([`crate::policy`]); its
//! layer uses [`Actor::has_role`] and [`Actor::has_permission`] (otherwise 403 `geen_toegang`),
//! and hands the handler a [`crate::acting::Acting`].

use std::fmt;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::{HeaderMap, StatusCode, request::Parts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use verzuim_service::model::{ApiToken, Membership, OrgKind, User, UserId};

pub use verzuim_service::model::Role;

use crate::auth::{login, tokens};
use crate::error::{ApiError, ApiResult};
use crate::security::bearer_token;
use crate::state::AppState;

macro_rules! permissions {
    ($($variant:ident = $text:literal: $doc:literal),* $(,)?) => {
        /// What an API token may do, within its one organisation. Add a variant when a route
        /// needs a new one (and name it `object:verb`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum Permission {
            $(#[doc = $doc] #[serde(rename = $text)] $variant),*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $text),* }
            }

            pub fn parse(s: &str) -> Option<Permission> {
                match s { $($text => Some(Permission::$variant),)* _ => None }
            }

            /// What it allows, in Dutch.
            pub fn description(self) -> &'static str {
                match self { $(Permission::$variant => $doc),* }
            }
        }
    };
}

permissions! {
    PupilsRead = "pupils:read": "Leerlingen lezen",
    PupilsWrite = "pupils:write": "Leerlingen inschrijven, wijzigen en uitschrijven",
    RegistrationsRead = "registrations:read": "Verzuimregistraties lezen",
    RegistrationsWrite = "registrations:write": "Verzuimregistraties en gebeurtenissen vastleggen",
    SignalsRead = "signals:read": "Signalen lezen",
    CasesRead = "cases:read": "Dossiers en taken lezen",
    CasesWrite = "cases:write": "Taken bijwerken",
    MeldingenRead = "meldingen:read": "Meldingen lezen",
    MeldingenWrite = "meldingen:write": "Meldingen doen en bijwerken",
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The caller of a request: a logged-in user with their roles, or a system with an API token.
#[derive(Debug, Clone)]
pub enum Actor {
    User(UserActor),
    Token(TokenActor),
}

#[derive(Debug, Clone)]
pub struct UserActor {
    pub user: User,
    /// Every role of the user, per organisation.
    pub memberships: Vec<Membership>,
    /// The store's id of the session (the SHA-256 of the cookie token).
    pub session_id: String,
}

#[derive(Debug, Clone)]
pub struct TokenActor {
    pub token: ApiToken,
    /// The token's permissions this version of the service knows.
    pub permissions: Vec<Permission>,
    /// The kind of the token's organisation (read with the token).
    pub organisation_kind: OrgKind,
}

impl Actor {
    /// How the store and the audit log name this actor (`user:12`, `token:3`).
    pub fn store_actor(&self) -> verzuim_service::model::Actor {
        match self {
            Actor::User(u) => verzuim_service::model::Actor::User(u.user.id),
            Actor::Token(t) => verzuim_service::model::Actor::Token(t.token.id),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::User(u) => Some(u.user.id),
            Actor::Token(_) => None,
        }
    }

    /// The user's roles in an organisation (none for a token).
    pub fn roles_in<'a>(&'a self, organisation_id: &'a str) -> impl Iterator<Item = Role> + 'a {
        let memberships: &[Membership] = match self {
            Actor::User(u) => &u.memberships,
            Actor::Token(_) => &[],
        };
        memberships
            .iter()
            .filter(move |m| m.organisation_id == organisation_id)
            .map(|m| m.role)
    }

    /// Whether the user has one of `roles` in the organisation.
    pub fn has_role(&self, organisation_id: &str, roles: &[Role]) -> bool {
        self.roles_in(organisation_id).any(|r| roles.contains(&r))
    }

    /// Whether the token belongs to the organisation and carries the permission.
    pub fn has_permission(&self, organisation_id: &str, permission: Permission) -> bool {
        match self {
            Actor::Token(t) => {
                t.token.organisation_id == organisation_id && t.permissions.contains(&permission)
            }
            Actor::User(_) => false,
        }
    }

    /// A user with one of `roles` in the organisation; anyone else (a token too) 403.
    pub fn require_role(&self, organisation_id: &str, roles: &[Role]) -> ApiResult<()> {
        if self.has_role(organisation_id, roles) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// A token of the organisation with the permission; anyone else (a user too) 403.
    pub fn require_permission(
        &self,
        organisation_id: &str,
        permission: Permission,
    ) -> ApiResult<()> {
        if self.has_permission(organisation_id, permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Either: a user with one of `roles` in the organisation, or a token of the organisation
    /// with `permission`. 403 otherwise.
    pub fn require(
        &self,
        organisation_id: &str,
        roles: &[Role],
        permission: Permission,
    ) -> ApiResult<()> {
        if self.has_role(organisation_id, roles) || self.has_permission(organisation_id, permission)
        {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// A person (not a system token); 403 for a token.
    pub fn require_user(&self) -> ApiResult<&UserActor> {
        match self {
            Actor::User(u) => Ok(u),
            Actor::Token(_) => Err(ApiError::forbidden()),
        }
    }
}

/// The actor of a request's credentials: `Authorization: Bearer` (an API token; a cookie is
/// then ignored) or the session cookie of a finished login. `Ok(None)` when there are none,
/// they are not valid, or the login has a step to do.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Actor>> {
    if let Some(raw) = bearer_token(headers) {
        return Ok(tokens::authenticate(state, raw)
            .await?
            .map(|(token, kind)| {
                let permissions = token
                    .permissions
                    .iter()
                    .filter_map(|p| Permission::parse(p))
                    .collect();
                Actor::Token(TokenActor {
                    token,
                    permissions,
                    organisation_kind: kind,
                })
            }));
    }
    // A session whose login still has a step to do (the second factor's code, a new password,
    // setting up a second factor) is no actor: only the step's own routes take it.
    let Some(su) = login::resume(state, headers).await? else {
        return Ok(None);
    };
    if su.step.is_some() {
        return Ok(None);
    }
    Ok(Some(Actor::User(UserActor {
        user: su.user,
        memberships: su.memberships,
        session_id: su.session_id,
    })))
}

/// Extracts the actor, or refuses with 401. Cached per request (several extractors may ask).
impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Actor> {
        match <Actor as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
        {
            Some(actor) => Ok(actor),
            None if bearer_token(&parts.headers).is_some() => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "ongeldig_token",
                "Het API-token is ongeldig of ingetrokken.",
            )),
            None => {
                // A login with a step to do says which (`nieuw_wachtwoord`, …), so that a client
                // knows what to send.
                if let Some(su) = login::resume(state, &parts.headers).await?
                    && let Some(step) = su.step
                {
                    return Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        step.as_str(),
                        step.message(),
                    ));
                }
                Err(ApiError::unauthenticated())
            }
        }
    }
}

/// `Option<Actor>`: `None` for a request without valid credentials (for routes open to all).
impl OptionalFromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Option<Actor>> {
        if let Some(cached) = parts.extensions.get::<CachedActor>() {
            return Ok(cached.0.clone());
        }
        let actor = authenticate(state, &parts.headers).await?;
        parts.extensions.insert(CachedActor(actor.clone()));
        Ok(actor)
    }
}

#[derive(Clone)]
struct CachedActor(Option<Actor>);

#[cfg(test)]
mod tests {
    use super::*;

    fn user_actor(memberships: &[(&str, Role)]) -> Actor {
        Actor::User(UserActor {
            user: User {
                id: 7,
                email: "a@b.nl".into(),
                display_name: "A".into(),
                password_hash: String::new(),
                created_at: jiff::Timestamp::UNIX_EPOCH,
                password_changed_at: jiff::Timestamp::UNIX_EPOCH,
            },
            memberships: memberships
                .iter()
                .map(|&(o, role)| Membership {
                    user_id: 7,
                    organisation_id: o.into(),
                    role,
                    groups: vec![],
                })
                .collect(),
            session_id: String::new(),
        })
    }

    fn token_actor(org: &str, permissions: &[Permission]) -> Actor {
        Actor::Token(TokenActor {
            token: ApiToken {
                id: 3,
                organisation_id: org.into(),
                name: "t".into(),
                permissions: permissions.iter().map(|p| p.to_string()).collect(),
                created_at: jiff::Timestamp::UNIX_EPOCH,
                created_by: "user:1".into(),
                last_used_at: None,
                revoked_at: None,
            },
            organisation_kind: OrgKind::School,
            permissions: permissions.to_vec(),
        })
    }

    #[test]
    fn roles_are_per_organisation() {
        let a = user_actor(&[("99XX00", Role::Beheerder), ("98YY00", Role::Leerkracht)]);
        assert!(a.require_role("99XX00", &[Role::Beheerder]).is_ok());
        assert!(a.require_role("98YY00", &[Role::Beheerder]).is_err());
        assert!(a.require_role("97ZZ00", &[Role::Leerkracht]).is_err());
        assert!(
            a.require_permission("99XX00", Permission::PupilsRead)
                .is_err()
        );
        assert_eq!(a.store_actor(), verzuim_service::model::Actor::User(7));
    }

    #[test]
    fn tokens_are_scoped_to_organisation_and_permissions() {
        let t = token_actor("99XX00", &[Permission::RegistrationsWrite]);
        assert!(
            t.require_permission("99XX00", Permission::RegistrationsWrite)
                .is_ok()
        );
        assert!(
            t.require_permission("98YY00", Permission::RegistrationsWrite)
                .is_err()
        );
        assert!(
            t.require_permission("99XX00", Permission::PupilsRead)
                .is_err()
        );
        assert!(t.require_role("99XX00", &[Role::Beheerder]).is_err());
        assert!(t.require_user().is_err());
        assert!(
            t.require(
                "99XX00",
                &[Role::Leerkracht],
                Permission::RegistrationsWrite
            )
            .is_ok()
        );
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
            assert_eq!(
                serde_json::to_string(p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
    }
}
