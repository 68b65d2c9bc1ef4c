//! `/api/organisations/{org}/users` and `/api/organisations/{org}/second-factor`: what the
//! beheerder's pages `/beheer/gebruikers` and `/beheer/tweede-factor` do with the accounts of
//! their organisation, as API operations (security.md, Identity; issue 8):
//!
//! - list the users with their roles and second factor;
//! - add a user (a new one with a first password, which they replace at their first login) or a
//!   role of an existing user; remove a role;
//! - remove a user's lost second factor (their sessions end);
//! - require a second factor of the organisation's users, or no longer.
//!
//! Only a logged-in beheerder of the organisation itself (403 for anyone else, an API token
//! too); every change writes an audit row in the organisation's log. The rules are the
//! service's (`verzuim_service::users`, `verzuim_service::second_factor`), shared with the pages.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::{Role, UserId};
use verzuim_service::{second_factor, users};

use crate::audit::{Audit, action};
use crate::auth::password;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, check_len, max_len};
use crate::state::AppState;

/// At most this many groups for a leerkracht, each at most this many characters (as the page).
const MAX_GROUPS: usize = 20;
const MAX_GROUP_LEN: usize = 20;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_users), &policy::ORG_ADMIN)
        .routes_with(routes!(add_user), &policy::ORG_ADMIN)
        .routes_with(routes!(remove_role), &policy::ORG_ADMIN)
        .routes_with(routes!(reset_second_factor), &policy::ORG_ADMIN)
        .routes_with(routes!(get_policy), &policy::ORG_ADMIN)
        .routes_with(routes!(set_policy), &policy::ORG_ADMIN)
}

/// One role of a user in the organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserRole {
    #[schema(schema_with = crate::api::role_schema)]
    pub role: Role,
    /// For a `leerkracht`: the groups they register for.
    pub groups: Vec<String>,
}

/// A user's second factor, as the beheerder sees it (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserSecondFactor {
    /// When it was set up (confirmed with its first code); `null`: the user has none.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub confirmed_at: Option<Timestamp>,
    /// Unused recovery codes.
    pub recovery_codes_left: u64,
}

/// A user of the organisation, with their roles there.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<UserRole>,
    pub second_factor: UserSecondFactor,
}

/// A user to add, or a role for an existing user (by e-mail address).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// The user's e-mail address (their login name).
    #[schema(example = "nieuwe.collega@obs-de-esch.example")]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    /// For a new user: their name (required then; leave it out for an existing user).
    #[schema(max_length = 200)]
    pub display_name: Option<String>,
    /// For a new user: the first password (required then, at least 12 characters, not a common
    /// one). The user must choose their own at the first login (`next_step`
    /// `nieuw_wachtwoord`). Leave it out for an existing user: they keep their own.
    #[schema(min_length = 12, max_length = 1024)]
    pub password: Option<String>,
    #[schema(schema_with = crate::api::role_schema)]
    pub role: Role,
    /// For a `leerkracht`: the groups they register for (ignored for other roles).
    #[serde(default)]
    #[schema(schema_with = groups_schema)]
    pub groups: Vec<String>,
}

fn groups_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_GROUP_LEN)),
        )
        .max_items(Some(MAX_GROUPS))
        .description(Some(
            "De groepen van een leerkracht (hoogstens 20, elk hoogstens 20 tekens).",
        ))
        .build()
}

/// What adding did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedUser {
    pub user_id: UserId,
    /// A new user was made (else the role was added to an existing user).
    pub created: bool,
    /// The user must choose their own password at the next login (a new user).
    pub must_choose_password: bool,
}

/// Whether the organisation requires a second factor of its users.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SecondFactorPolicy {
    /// `true`: every user sets one up (at their next request) and uses it at every login.
    pub required: bool,
}

/// What removing a second factor did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorReset {
    /// The user had a second factor (now removed); `false`: there was none to remove.
    pub removed: bool,
}

/// A plausible e-mail address: one `@` with text on both sides, no spaces (as the page).
fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The organisation's users, each with their roles there and their second factor (beheerder of
/// the organisation only).
#[utoipa::path(
    get,
    path = "/api/organisations/{org}/users",
    tag = "gebruikers",
    params(("org" = String, Path, description = "Organisatie (BRIN, CBS-code of GGD-id)"), Pagination),
    responses(
        (status = 200, description = "Een pagina gebruikers, op e-mailadres", body = Paginated<OrgUser>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    acting: Acting,
    Path(org): Path<String>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<OrgUser>>> {
    let caller = &acting.caller;
    let page = pagination.page();
    let members = users::members(&state.store, caller, &org).await?;
    let factors = second_factor::members(&state.store, caller, &org).await?;
    let mut by_email: BTreeMap<String, OrgUser> = BTreeMap::new();
    for (user, membership) in members {
        by_email
            .entry(user.email.clone())
            .or_insert_with(|| OrgUser {
                id: user.id,
                email: user.email.clone(),
                display_name: user.display_name.clone(),
                roles: Vec::new(),
                second_factor: UserSecondFactor {
                    confirmed_at: None,
                    recovery_codes_left: 0,
                },
            })
            .roles
            .push(UserRole {
                role: membership.role,
                groups: membership.groups,
            });
    }
    for f in factors {
        if let Some(u) = by_email.values_mut().find(|u| u.id == f.user_id) {
            u.second_factor = UserSecondFactor {
                confirmed_at: f.confirmed_at,
                recovery_codes_left: f.recovery_codes_left,
            };
        }
    }
    let items: Vec<OrgUser> = by_email
        .into_values()
        .skip(page.offset() as usize)
        .take(page.limit() as usize)
        .collect();
    Ok(axum::Json(Paginated::new(items, page)))
}

/// Add a user to the organisation with a role (beheerder of the organisation only): a new user
/// is made with the name and first password, and must choose their own password at the first
/// login (web and API); an existing user (by e-mail address) gets the role and keeps their own
/// password.
#[utoipa::path(
    post,
    path = "/api/organisations/{org}/users",
    tag = "gebruikers",
    params(("org" = String, Path, description = "Organisatie")),
    request_body = NewUserRequest,
    responses(
        (status = 201, description = "Toegevoegd", body = AddedUser),
        (status = 400, description = "ongeldige_json, te_lang, verplicht, wachtwoord_te_kort (het veld staat in field)", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
        (status = 409, description = "conflict: de gebruiker heeft deze rol hier al", body = ErrorBody),
        (status = 422, description = "ongeldig (geen geldig e-mailadres, een rol die niet bij de organisatie past, een naam en eerste wachtwoord ontbreken voor een nieuwe gebruiker of zijn gegeven voor een bestaande), wachtwoord_te_bekend", body = ErrorBody),
    )
)]
async fn add_user(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(org): Path<String>,
    Json(req): Json<NewUserRequest>,
) -> ApiResult<Response> {
    let caller = &acting.caller;
    check_len("email", &req.email, max_len::EMAIL)?;
    let email = req.email.trim().to_lowercase();
    if let Some(name) = &req.display_name {
        check_len("display_name", name, max_len::NAME)?;
    }
    if let Some(p) = &req.password {
        check_len("password", p, max_len::PASSWORD)?;
        if p.chars().count() < password::MIN_LENGTH {
            return Err(ApiError::from(password::PolicyError::TooShort).with_field("password"));
        }
    }
    if req.groups.len() > MAX_GROUPS {
        return Err(ApiError::bad_request(
            "te_veel",
            format!("Het veld 'groups' heeft hoogstens {MAX_GROUPS} groepen."),
        )
        .with_field("groups"));
    }
    let mut groups = Vec::with_capacity(req.groups.len());
    for (i, g) in req.groups.iter().enumerate() {
        check_len(&format!("groups[{i}]"), g, MAX_GROUP_LEN)?;
        // Blank ones are left out, as on the page.
        if !g.trim().is_empty() {
            groups.push(g.trim().to_owned());
        }
    }
    let invalid = |field: &str, message: &str| {
        ApiError::unprocessable("ongeldig", message.to_owned()).with_field(field)
    };
    if !valid_email(&email) {
        return Err(invalid(
            "email",
            "Het veld 'email' is geen geldig e-mailadres: verwacht naam@domein.",
        ));
    }
    let existing = users::by_email(&state.store, caller, &org, &email).await?;
    let hash = match (&existing, &req.display_name, &req.password) {
        (None, Some(name), Some(first)) => {
            if name.trim().is_empty() {
                return Err(invalid(
                    "display_name",
                    "Het veld 'display_name' is leeg: geef de naam van de nieuwe gebruiker.",
                ));
            }
            if let Err(e) = password::check_policy(first) {
                let status = match e {
                    password::PolicyError::Common => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::BAD_REQUEST,
                };
                return Err(ApiError::new(status, e.code(), e.to_string()).with_field("password"));
            }
            Some(password::hash_blocking(first.clone()).await?)
        }
        (None, None, _) => {
            return Err(invalid(
                "display_name",
                "Er is nog geen gebruiker met dit e-mailadres: geef de naam (display_name) en \
                 een eerste wachtwoord (password).",
            ));
        }
        (None, Some(_), None) => {
            return Err(invalid(
                "password",
                "Er is nog geen gebruiker met dit e-mailadres: geef een eerste wachtwoord \
                 (password); de gebruiker kiest bij de eerste keer inloggen een eigen.",
            ));
        }
        (Some(_), _, Some(_)) => {
            return Err(invalid(
                "password",
                "Deze gebruiker bestaat al en houdt het eigen wachtwoord: laat password weg.",
            ));
        }
        (Some(_), _, None) => None,
    };
    let name = req.display_name.as_deref().unwrap_or("").trim().to_owned();
    // The audit row of the user's id commits with the membership.
    let event = audit
        .event(&acting.actor, action::MEMBERSHIP_ADD)
        .organisation(&org);
    let added = users::add_member(
        &state.store,
        caller,
        &org,
        &email,
        &name,
        hash.as_deref(),
        req.role,
        &groups,
        |id| event.row_of(AuditObject::User(id).detail(req.role.as_str())),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AddedUser {
            user_id: added.user_id,
            created: added.created,
            must_choose_password: added.created,
        }),
    )
        .into_response())
}

/// The path of one role of a user.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct RolePath {
    /// Organisatie
    org: String,
    /// Het nummer van de gebruiker
    user: i64,
    /// De rol
    #[param(schema_with = crate::api::role_schema)]
    role: String,
}

/// Remove one role of a user in the organisation (beheerder of the organisation only). One's
/// own beheerder role only while another beheerder is left (409).
#[utoipa::path(
    delete,
    path = "/api/organisations/{org}/users/{user}/roles/{role}",
    tag = "gebruikers",
    params(RolePath),
    responses(
        (status = 204, description = "Ingetrokken"),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
        (status = 404, description = "Deze gebruiker heeft die rol hier niet", body = ErrorBody),
        (status = 409, description = "conflict: u bent de laatste beheerder", body = ErrorBody),
    )
)]
async fn remove_role(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((org, user, role)): Path<(String, UserId, String)>,
) -> ApiResult<StatusCode> {
    let caller = &acting.caller;
    let Some(role) = Role::parse(&role) else {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        return Err(ApiError::bad_request(
            "ongeldig_pad",
            format!("Onbekende rol; bekend zijn: {}.", known.join(", ")),
        )
        .with_field("role"));
    };
    // The audit row commits with the change.
    let event = audit
        .event(&acting.actor, action::MEMBERSHIP_REMOVE)
        .organisation(&org)
        .object(AuditObject::User(user).detail(role.as_str()));
    users::remove_member(
        &state.store,
        &caller.audited(event.entry()),
        &org,
        user,
        role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove the second factor (and recovery codes) of a user of the organisation who lost it, and
/// end their sessions (beheerder of the organisation only, audited). They set up a new one after
/// their next password when the organisation requires one. Not one's own (422): another
/// beheerder does that.
#[utoipa::path(
    delete,
    path = "/api/organisations/{org}/users/{user}/second-factor",
    tag = "gebruikers",
    params(
        ("org" = String, Path, description = "Organisatie"),
        ("user" = i64, Path, description = "Het nummer van de gebruiker"),
    ),
    responses(
        (status = 200, description = "Verwijderd (of er was er geen); de sessies van de gebruiker zijn beëindigd", body = SecondFactorReset),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
        (status = 404, description = "Geen gebruiker van deze organisatie", body = ErrorBody),
        (status = 422, description = "ongeldig: de eigen tweede factor", body = ErrorBody),
    )
)]
async fn reset_second_factor(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((org, user)): Path<(String, UserId)>,
) -> ApiResult<axum::Json<SecondFactorReset>> {
    let caller = &acting.caller;
    // The audit row commits with the change.
    let event = audit
        .event(&acting.actor, action::SECOND_FACTOR_RESET)
        .organisation(&org)
        .object(AuditObject::User(user));
    let removed =
        second_factor::reset(&state.store, &caller.audited(event.entry()), &org, user).await?;
    Ok(axum::Json(SecondFactorReset { removed }))
}

/// Whether the organisation requires a second factor of its users (beheerder of the
/// organisation only).
#[utoipa::path(
    get,
    path = "/api/organisations/{org}/second-factor",
    tag = "gebruikers",
    params(("org" = String, Path, description = "Organisatie")),
    responses(
        (status = 200, description = "Het beleid", body = SecondFactorPolicy),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
    )
)]
async fn get_policy(
    State(state): State<AppState>,
    acting: Acting,
    Path(org): Path<String>,
) -> ApiResult<axum::Json<SecondFactorPolicy>> {
    let caller = &acting.caller;
    let required = second_factor::required(&state.store, caller, &org).await?;
    Ok(axum::Json(SecondFactorPolicy { required }))
}

/// Require a second factor of the organisation's users, or no longer (beheerder of the
/// organisation only, audited). A user without one (the caller too) sets it up at their next
/// request (`next_step` `tweede_factor_instellen`; until then other routes answer 401); who has
/// one keeps it when it is no longer required.
#[utoipa::path(
    put,
    path = "/api/organisations/{org}/second-factor",
    tag = "gebruikers",
    params(("org" = String, Path, description = "Organisatie")),
    request_body = SecondFactorPolicy,
    responses(
        (status = 200, description = "Gewijzigd", body = SecondFactorPolicy),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze organisatie", body = ErrorBody),
    )
)]
async fn set_policy(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(org): Path<String>,
    Json(req): Json<SecondFactorPolicy>,
) -> ApiResult<axum::Json<SecondFactorPolicy>> {
    let caller = &acting.caller;
    // The audit row commits with the change.
    let event = audit
        .event(&acting.actor, action::SECOND_FACTOR_POLICY)
        .organisation(&org)
        .object(
            AuditObject::Organisation(org.clone()).detail(if req.required {
                "verplicht"
            } else {
                "niet_verplicht"
            }),
        );
    second_factor::set_required(
        &state.store,
        &caller.audited(event.entry()),
        &org,
        req.required,
    )
    .await?;
    Ok(axum::Json(SecondFactorPolicy {
        required: req.required,
    }))
}
