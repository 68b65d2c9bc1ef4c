//! What the workflow routes share: who acts for which organisation (an [`Actor`] becomes the
//! service's [`Caller`]), service errors as API errors, the service's "today", audit rows for
//! pupil data, and the `?org=` parameter.
//!
//! # Which organisation a request acts for
//!
//! A user can have roles in several organisations; the service acts for one. [`acting`] picks it:
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
//! scope (404 when the pupil is not theirs to see).

use std::borrow::Cow;

use axum::http::StatusCode;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use verzuim_service::{Caller, ServiceError};
use verzuim_store::{AuditEntry, OrgKind, Role, VersionRef};

use crate::audit::{Audit, AuditEvent, Outcome, action};
use crate::authz::{Actor, Permission};
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_len, max_len};
use crate::state::AppState;

/// `?org=`: the organisation to act for, for a user with roles in several.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// De organisatie namens welke u handelt (alleen nodig met rollen in meerdere organisaties).
    #[param(max_length = 64)]
    pub org: Option<String>,
}

/// The service's "today": the date in the Netherlands by the state's clock.
pub fn today(state: &AppState) -> Date {
    let now = state.now();
    now.in_tz("Europe/Amsterdam")
        .map(|z| z.date())
        .unwrap_or_else(|_| now.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// A service error as the API's error: not found 404, forbidden 403, a broken rule 422
/// (`ongeldig`, the service's Dutch message), a conflict 409, storage failures a logged 500.
pub fn service_error(e: ServiceError) -> ApiError {
    match e {
        ServiceError::NotFound => ApiError::not_found(),
        ServiceError::Forbidden(why) => {
            tracing::debug!(%why, "service refused");
            ApiError::forbidden()
        }
        ServiceError::Invalid(m) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "ongeldig", sentence(&m))
        }
        ServiceError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", sentence(&m)),
        ServiceError::Input(errors) => {
            let first: Vec<String> = errors.iter().take(3).map(|e| e.to_string()).collect();
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "ongeldige_bestanden",
                format!(
                    "De bestanden bevatten {} fout(en): {}",
                    errors.len(),
                    first.join("; ")
                ),
            )
        }
        ServiceError::Store(e) => ApiError::internal(e),
    }
}

/// A service message as a sentence: capital first letter (messages that are SQL never come here:
/// the service keeps them in [`ServiceError::Store`]).
fn sentence(m: &str) -> Cow<'static, str> {
    let mut c = m.chars();
    let mut s: String = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    Cow::Owned(s)
}

/// Who acts, for which organisation, in which role.
#[derive(Debug, Clone)]
pub struct Acting {
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

/// The roles that fit an organisation of this kind, in the order a token (which has no role of
/// its own) takes them.
fn kind_roles(kind: OrgKind) -> &'static [Role] {
    match kind {
        OrgKind::School => &[Role::Verzuimcoordinator, Role::Leerkracht, Role::Beheerder],
        OrgKind::Gemeente => &[Role::Leerplichtambtenaar, Role::Beheerder],
        OrgKind::GgdJgz => &[Role::Jgz, Role::Beheerder],
    }
}

/// Resolves who acts for which organisation (see the module documentation). `roles` in order of
/// preference: the first the user has there becomes the service caller's role.
pub async fn acting(
    state: &AppState,
    actor: &Actor,
    audit: &Audit,
    path_school: Option<&str>,
    org_param: Option<&str>,
    roles: &[Role],
    permission: Option<Permission>,
) -> ApiResult<Acting> {
    if let Some(o) = org_param {
        check_len("org", o, max_len::IDENTIFIER)?;
    }
    if let Some(school) = path_school {
        check_len("school", school, max_len::IDENTIFIER)?;
    }
    let org: String = match (org_param, actor) {
        (Some(o), _) => o.to_owned(),
        (None, Actor::Token(t)) => t.token.organisation_id.clone(),
        (None, Actor::User(_)) => {
            if let Some(school) = path_school.filter(|s| actor.has_role(s, roles)) {
                school.to_owned()
            } else {
                let mut orgs: Vec<&str> = match actor {
                    Actor::User(u) => u
                        .memberships
                        .iter()
                        .filter(|m| roles.contains(&m.role))
                        .map(|m| m.organisation_id.as_str())
                        .collect(),
                    Actor::Token(_) => Vec::new(),
                };
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
    let allowed =
        actor.has_role(&org, roles) || permission.is_some_and(|p| actor.has_permission(&org, p));
    if !allowed {
        return Err(denied(actor, audit, Some(&org)).await);
    }
    let kind = match state.store.organisation(&org).await? {
        Some(o) => o.kind,
        None => return Err(denied(actor, audit, Some(&org)).await),
    };
    if kind == OrgKind::School && path_school.is_some_and(|s| s != org) {
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
        caller,
        kind,
        groups,
    })
}

/// [`acting`] for a route without a school in its path: the organisation from `?org=`, the
/// token, or the user's one organisation with one of `roles`.
pub async fn acting_org(
    state: &AppState,
    actor: &Actor,
    audit: &Audit,
    org: &OrgQuery,
    roles: &[Role],
    permission: Option<Permission>,
) -> ApiResult<Acting> {
    acting(
        state,
        actor,
        audit,
        None,
        org.org.as_deref(),
        roles,
        permission,
    )
    .await
}

/// 403, with a `denied` audit row in the organisation's log.
async fn denied(actor: &Actor, audit: &Audit, org: Option<&str>) -> ApiError {
    let mut event = audit
        .event(actor, action::PUPIL_READ)
        .object("toegang")
        .outcome(Outcome::Denied);
    if let Some(o) = org {
        event = event.organisation(o);
    }
    if let Err(e) = event.write().await {
        return e;
    }
    ApiError::forbidden()
}

/// Writes the audit row of a read or write of pupil data by the acting organisation.
pub async fn audit_pupil_data(
    audit: &Audit,
    actor: &Actor,
    acting: &Acting,
    write: bool,
    object: impl Into<String>,
    pupil: Option<(&str, &str)>,
) -> ApiResult<()> {
    pupil_data_event(audit, actor, acting, write, object, pupil)
        .write()
        .await
}

/// The audit row of a write of pupil data that adds, corrects or deletes a registration or event
/// (`{what}:{id}:{verb}`; an added one's id is known only once stored), for the `records` calls
/// that commit it with the change.
pub fn change_audit_row<'a>(
    event: &'a AuditEvent,
    what: &'a str,
    verb: &'a str,
) -> impl Fn(&VersionRef) -> AuditEntry + Send + Sync + 'a {
    move |v: &VersionRef| AuditEntry {
        object: format!("{what}:{}:{verb}", v.id),
        ..event.entry().clone()
    }
}

/// The audit row [`audit_pupil_data`] writes, to write in a store transaction instead (with
/// `tx.audit(event.entry())`, or a service call that takes an audit row).
pub fn pupil_data_event(
    audit: &Audit,
    actor: &Actor,
    acting: &Acting,
    write: bool,
    object: impl Into<String>,
    pupil: Option<(&str, &str)>,
) -> AuditEvent {
    let mut event = audit
        .event(
            actor,
            if write {
                action::PUPIL_WRITE
            } else {
                action::PUPIL_READ
            },
        )
        .organisation(acting.org())
        .object(object);
    if let Some((school, pupil)) = pupil {
        event = event.pupil(school, pupil);
    }
    event
}

/// 400 naming the field, for a value outside a fixed list.
pub fn bad_value(field: &str, allowed: &[&str]) -> ApiError {
    ApiError::bad_request(
        "ongeldige_waarde",
        format!(
            "Ongeldige waarde voor '{field}'. Mogelijk: {}.",
            allowed.join(", ")
        ),
    )
    .with_field(field)
}

/// Checks an optional text's length.
pub fn check_opt(field: &str, value: Option<&str>, max: usize) -> ApiResult<()> {
    if let Some(v) = value {
        check_len(field, v, max)?;
    }
    Ok(())
}

/// What a change's re-evaluation did (ids of signals, cases and tasks).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct SyncOut {
    /// New signals, each with its own tasks.
    pub signals_new: Vec<i64>,
    /// New signals that only extended an open case of the same kind.
    pub signals_extended: Vec<i64>,
    /// Signals updated by a correction (minutes, period, evidence).
    pub signals_refreshed: Vec<i64>,
    /// Signals withdrawn: a correction removed their ground.
    pub signals_withdrawn: Vec<i64>,
    pub cases_opened: Vec<i64>,
    pub tasks_created: Vec<i64>,
    /// Open tasks marked `not_needed` with their withdrawn signal.
    pub tasks_not_needed: Vec<i64>,
}

impl From<verzuim_service::SyncReport> for SyncOut {
    fn from(r: verzuim_service::SyncReport) -> SyncOut {
        SyncOut {
            signals_new: r.inserted,
            signals_extended: r.extended,
            signals_refreshed: r.refreshed,
            signals_withdrawn: r.withdrawn,
            cases_opened: r.cases_opened,
            tasks_created: r.tasks_created,
            tasks_not_needed: r.tasks_not_needed,
        }
    }
}

/// The longest free text the workflow stores (a note, a reason, afspraken), as the service.
pub const TEXT_MAX: usize = 2000;

/// A change to a registration or event: its id, new version, and what the re-evaluation did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct VersionChanged {
    pub id: i64,
    pub version: i64,
    pub sync: SyncOut,
}

impl From<verzuim_service::Change> for VersionChanged {
    fn from(c: verzuim_service::Change) -> VersionChanged {
        VersionChanged {
            id: c.version.id,
            version: c.version.version,
            sync: c.sync.into(),
        }
    }
}
