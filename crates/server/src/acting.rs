//! Who acts, for which organisation, in which role: the [`Acting`] extractor of a route with a
//! role [`Policy`].
//!
//! # Which organisation a request acts for
//!
//! A user can have roles in several organisations; the service acts for one. With
//! [`OrgFrom::Acting`] it is:
//!
//! 1. `?org=ID` when given;
//! 2. an API token: its own organisation;
//! 3. a route under `/api/schools/{school}`: that school, when the user has one of the route's
//!    roles there;
//! 4. otherwise the one organisation where the user has one of the route's roles (with several:
//!    400 `organisatie_kiezen`, name one with `?org=`).
//!
//! Then the user must have one of the route's roles there, or the token the route's permission
//! (otherwise 403 `geen_toegang`, and a `denied` audit row). A school acting under another
//! school's path is refused (403); leerplicht and GGD-JGZ read a school's pupil through their own
//! scope (404 when the pupil is not theirs to see). With [`OrgFrom::PathOrg`] it is the `{org}`
//! of the path, where the user must have one of the roles (403 otherwise, a token always).
//!
//! The route layer of [`crate::policy`] resolves it before the handler runs; a handler takes
//! `acting: Acting`.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use verzuim_service::Caller;
use verzuim_service::model::{OrgKind, Role};

use crate::api::common::OrgQuery;
use crate::audit::{Audit, AuditObject, Outcome, action};
use crate::authz::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Query, check_len, max_len};
use crate::policy::{OrgFrom, Policy};
use crate::state::AppState;

/// Who acts, for which organisation, in which role.
#[derive(Debug, Clone)]
pub struct Acting {
    /// Who calls (the session's user or the API token).
    pub actor: Actor,
    pub caller: Caller,
    pub kind: OrgKind,
    /// For a user acting only as `leerkracht`: the groups they register for.
    pub groups: Option<Vec<String>>,
}

impl Acting {
    pub fn org(&self) -> &str {
        &self.caller.organisation
    }

    pub fn role(&self) -> Role {
        self.caller.role
    }

    /// A leerkracht sees and registers only their own groups' pupils: 404 otherwise (like a
    /// pupil outside the organisation's scope).
    pub fn check_group(&self, group: &str) -> ApiResult<()> {
        match &self.groups {
            Some(groups) if !groups.iter().any(|g| g == group) => Err(ApiError::not_found()),
            _ => Ok(()),
        }
    }
}

/// The acting party the route's policy resolved (a 500 on a route without a role policy: a
/// programming error the role-matrix test catches).
impl<S: Send + Sync> FromRequestParts<S> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> ApiResult<Acting> {
        parts
            .extensions
            .get::<Acting>()
            .cloned()
            .ok_or_else(|| ApiError::internal("Acting on a route without a role policy"))
    }
}

/// The actor of the request (401 without valid credentials).
pub(crate) async fn actor(parts: &mut Parts, state: &AppState) -> ApiResult<Actor> {
    Actor::from_request_parts(parts, state).await
}

/// A path parameter of the matched route.
async fn path_param(parts: &mut Parts, state: &AppState, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// 400 `ongeldig_pad` for a path parameter in `numbers` that is no number (what the handler's
/// [`crate::extract::Path`] would answer).
pub(crate) async fn check_numbers(
    parts: &mut Parts,
    state: &AppState,
    numbers: &[String],
) -> ApiResult<()> {
    if numbers.is_empty() {
        return Ok(());
    }
    let Ok(params) = RawPathParams::from_request_parts(parts, state).await else {
        return Ok(());
    };
    for (key, value) in params.iter() {
        if numbers.iter().any(|n| n == key) && value.parse::<i64>().is_err() {
            return Err(crate::extract::bad_path(key));
        }
    }
    Ok(())
}

/// The roles that fit an organisation of this kind, in the order a token (which has no role of
/// its own) takes them.
fn kind_roles(kind: OrgKind) -> &'static [Role] {
    match kind {
        OrgKind::School => &[Role::Verzuimcoordinator, Role::Leerkracht, Role::Beheerder],
        OrgKind::Gemeente => &[Role::Leerplichtambtenaar, Role::Beheerder],
        OrgKind::GgdJgz => &[Role::Jgz, Role::Beheerder],
    }
}

/// Resolves who acts for which organisation under a role policy (see the module
/// documentation).
pub(crate) async fn resolve(
    parts: &mut Parts,
    state: &AppState,
    policy: &Policy,
) -> ApiResult<Acting> {
    let actor = actor(parts, state).await?;
    let audit = Audit::from_request_parts(parts, state)
        .await
        .unwrap_or_else(|never| match never {});
    match policy.org {
        OrgFrom::PathOrg => {
            let org = path_param(parts, state, "org").await.unwrap_or_default();
            path_org(state, &actor, &org, policy).await
        }
        _ => {
            let Query(org) = Query::<OrgQuery>::from_request_parts(parts, state).await?;
            let school = path_param(parts, state, "school").await;
            acting(
                state,
                &actor,
                &audit,
                school.as_deref(),
                org.org.as_deref(),
                policy,
            )
            .await
        }
    }
}

/// [`OrgFrom::PathOrg`]: a user with one of the roles in the path's organisation.
async fn path_org(
    state: &AppState,
    actor: &Actor,
    org: &str,
    policy: &Policy,
) -> ApiResult<Acting> {
    let roles = policy.roles;
    actor.require_role(org, roles)?;
    let user = actor.user_id().ok_or_else(ApiError::forbidden)?;
    let role = roles
        .iter()
        .copied()
        .find(|r| actor.has_role(org, &[*r]))
        .ok_or_else(ApiError::forbidden)?;
    let kind = match verzuim_service::auth::organisation(&state.store, org).await? {
        Some(o) => o.kind,
        None => return Err(ApiError::forbidden()),
    };
    if !policy.kinds.is_empty() && !policy.kinds.contains(&kind) {
        return Err(ApiError::forbidden());
    }
    Ok(Acting {
        actor: actor.clone(),
        caller: Caller::user(user, org, role),
        kind,
        groups: None,
    })
}

/// [`OrgFrom::Acting`]. `policy.roles` in order of preference: the first the user has there
/// becomes the service caller's role.
async fn acting(
    state: &AppState,
    actor: &Actor,
    audit: &Audit,
    path_school: Option<&str>,
    org_param: Option<&str>,
    policy: &Policy,
) -> ApiResult<Acting> {
    let roles = policy.roles;
    if let Some(o) = org_param {
        check_len("org", o, max_len::IDENTIFIER)?;
    }
    if let Some(school) = path_school {
        check_len("school", school, max_len::IDENTIFIER)?;
    }
    let org: String = match (org_param, actor) {
        (Some(o), _) => o.to_owned(),
        (None, Actor::Token(t)) => t.token.organisation_id.clone(),
        (None, Actor::User(u)) => {
            if let Some(school) = path_school.filter(|s| actor.has_role(s, roles)) {
                school.to_owned()
            } else {
                let mut orgs: Vec<&str> = u
                    .memberships
                    .iter()
                    .filter(|m| roles.contains(&m.role))
                    .map(|m| m.organisation_id.as_str())
                    .collect();
                orgs.sort_unstable();
                orgs.dedup();
                match orgs.as_slice() {
                    [one] => (*one).to_owned(),
                    [] => return Err(denied(actor, audit, path_school).await),
                    _ => {
                        return Err(ApiError::bad_request(
                            "organisatie_kiezen",
                            "U heeft rollen in meerdere organisaties: kies er een met ?org=.",
                        )
                        .with_field("org"));
                    }
                }
            }
        }
    };
    let allowed = actor.has_role(&org, roles)
        || policy
            .permission
            .is_some_and(|p| actor.has_permission(&org, p));
    if !allowed {
        return Err(denied(actor, audit, Some(&org)).await);
    }
    // A token acts for its own organisation, whose kind came with it (one round trip less).
    let known = match actor {
        Actor::Token(t) if t.token.organisation_id == org => Some(t.organisation_kind),
        _ => None,
    };
    let kind = match known {
        Some(kind) => kind,
        None => match verzuim_service::auth::organisation(&state.store, &org).await? {
            Some(o) => o.kind,
            None => return Err(denied(actor, audit, Some(&org)).await),
        },
    };
    if kind == OrgKind::School && path_school.is_some_and(|s| s != org)
        || !policy.kinds.is_empty() && !policy.kinds.contains(&kind)
    {
        return Err(denied(actor, audit, Some(&org)).await);
    }
    let (caller, groups) = match actor {
        Actor::User(u) => {
            let role = roles
                .iter()
                .copied()
                .find(|r| actor.has_role(&org, &[*r]))
                .ok_or_else(ApiError::forbidden)?;
            let groups = (role == Role::Leerkracht).then(|| {
                u.memberships
                    .iter()
                    .filter(|m| m.organisation_id == org && m.role == Role::Leerkracht)
                    .flat_map(|m| m.groups.iter().cloned())
                    .collect()
            });
            (Caller::user(u.user.id, org, role), groups)
        }
        Actor::Token(t) => {
            let role = kind_roles(kind)
                .iter()
                .copied()
                .find(|r| roles.contains(r))
                .ok_or_else(ApiError::forbidden)?;
            (Caller::token(t.token.id, org, role), None)
        }
    };
    // Under a school's path, a municipality or GGD-JGZ reads through its workflow role
    // (leerplichtambtenaar, jgz), not as its beheerder — except on a route for beheerders
    // only (the inzage export of what the organisation itself holds).
    if path_school.is_some()
        && kind != OrgKind::School
        && caller.role == Role::Beheerder
        && roles != [Role::Beheerder]
    {
        return Err(denied(actor, audit, Some(&caller.organisation)).await);
    }
    Ok(Acting {
        actor: actor.clone(),
        caller,
        kind,
        groups,
    })
}

/// 403, with a `denied` audit row in the organisation's log.
async fn denied(actor: &Actor, audit: &Audit, org: Option<&str>) -> ApiError {
    let mut event = audit
        .event(actor, action::PUPIL_READ)
        .object(AuditObject::Access)
        .outcome(Outcome::Denied);
    if let Some(o) = org {
        event = event.organisation(o);
    }
    if let Err(e) = event.write().await {
        return e;
    }
    ApiError::forbidden()
}
