//! The steps of a login, shared by the API (`/api/auth/…`) and the web pages (`/inloggen…`):
//!
//! 1. the password ([`check_password`]), counted by the throttle before it is checked;
//! 2. the second factor's code ([`check_code`]: a TOTP code, or a one-time recovery code),
//!    throttled the same way, when the user has a second factor;
//! 3. a new password, when the user must choose one (a new user, whose first password someone
//!    else set);
//! 4. setting up a second factor ([`begin_enrolment`], [`confirm_enrolment`]), when an
//!    organisation of the user requires one and the user has none.
//!
//! A session exists from step 1 on. Until the last step is done it is *pending*: the
//! [`crate::authz::Actor`] extractor does not take it (401 for the API, the login page for the
//! web), only a step's own routes do, through [`SessionUser`].

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use verzuim_service::ServiceError;
use verzuim_service::auth::{self as service_auth, Code};
use verzuim_service::model::{self, LoginState, Membership, SecondFactor, User, UserId};

pub use verzuim_service::auth::CodeOutcome;

use super::{password, sessions, throttle, totp};
use crate::audit::{Audit, AuditObject, Outcome, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::max_len;
use crate::state::AppState;

/// What a login still needs after the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The second factor's code.
    Code,
    /// A new password of the user's own.
    NewPassword,
    /// Setting up a second factor (the organisation requires one).
    Enrol,
}

impl Step {
    /// The stable name (the API's `next_step`).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Code => "tweede_factor_code",
            Step::NewPassword => "nieuw_wachtwoord",
            Step::Enrol => "tweede_factor_instellen",
        }
    }

    /// The web page of the step.
    pub fn page(self) -> &'static str {
        match self {
            Step::Code => "/inloggen/code",
            Step::NewPassword => "/inloggen/nieuw-wachtwoord",
            Step::Enrol => "/tweede-factor",
        }
    }

    /// What the user must do, in Dutch.
    pub fn message(self) -> &'static str {
        match self {
            Step::Code => "Vul de code van uw authenticator-app in (of een herstelcode).",
            Step::NewPassword => "Kies een nieuw wachtwoord voordat u verdergaat.",
            Step::Enrol => {
                "Uw organisatie vraagt een tweede factor: stel die in voordat u verdergaat."
            }
        }
    }
}

/// The next step of a login in this state; `None`: logged in.
pub fn next_step(s: LoginState) -> Option<Step> {
    if s.awaiting_code {
        Some(Step::Code)
    } else if s.must_change_password {
        Some(Step::NewPassword)
    } else if s.second_factor_required && !s.second_factor {
        Some(Step::Enrol)
    } else {
        None
    }
}

/// A user with a live session, at whatever step of the login.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub memberships: Vec<Membership>,
    /// The store's id of the session (the SHA-256 of the cookie token).
    pub session_id: String,
    /// What the login still needs (`None`: done).
    pub step: Option<Step>,
}

impl SessionUser {
    /// The distinct organisations of the user's memberships (an audit row goes to each).
    pub fn organisations(&self) -> Vec<&str> {
        organisations(&self.memberships)
    }

    /// Unless the login is at one of `steps` (`None`: done): 401 with the step's name as the
    /// code (`tweede_factor_code`, `nieuw_wachtwoord`, `tweede_factor_instellen`), or 409
    /// `niet_nodig` for a login that is done (the request is fine; the login's state is not).
    pub fn require_step(&self, steps: &[Option<Step>]) -> ApiResult<()> {
        if steps.contains(&self.step) {
            return Ok(());
        }
        Err(match self.step {
            Some(s) => ApiError::new(StatusCode::UNAUTHORIZED, s.as_str(), s.message()),
            None => ApiError::new(
                StatusCode::CONFLICT,
                "niet_nodig",
                "Deze stap van het inloggen is niet (meer) nodig.",
            ),
        })
    }
}

/// The distinct organisations of memberships, sorted (an audit row goes to each).
pub fn organisations(memberships: &[Membership]) -> Vec<&str> {
    let mut orgs: Vec<&str> = memberships
        .iter()
        .map(|m| m.organisation_id.as_str())
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    orgs
}

/// The user of the request's session cookie and the step their login is at; `None` without a
/// live session.
pub async fn resume(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<SessionUser>> {
    let Some(cookie) = sessions::cookie_token(headers) else {
        return Ok(None);
    };
    let Some(session) = sessions::resume(state, cookie).await? else {
        return Ok(None);
    };
    let Some(user) = service_auth::user(&state.store, session.user_id).await? else {
        return Ok(None);
    };
    let memberships = service_auth::memberships(&state.store, user.id).await?;
    let login = service_auth::login_state(&state.store, user.id, &session.id).await?;
    Ok(Some(SessionUser {
        user,
        memberships,
        session_id: session.id,
        step: next_step(login),
    }))
}

impl OptionalFromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> ApiResult<Option<SessionUser>> {
        if let Some(cached) = parts.extensions.get::<CachedSessionUser>() {
            return Ok(cached.0.clone());
        }
        let user = resume(state, &parts.headers).await?;
        parts.extensions.insert(CachedSessionUser(user.clone()));
        Ok(user)
    }
}

/// A session at any step; else 403 for an API token (a system, not a person: it has no login)
/// or 401 `niet_ingelogd`.
impl FromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<SessionUser> {
        <SessionUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or_else(|| {
                if crate::security::has_bearer(&parts.headers) {
                    ApiError::forbidden()
                } else {
                    ApiError::unauthenticated()
                }
            })
    }
}

#[derive(Clone)]
struct CachedSessionUser(Option<SessionUser>);

/// Step 1: the password of `email`. The attempt is counted before the check (429 while the
/// account or the address must wait); a wrong one is audited and gives `None`. The counters
/// are not reset here: see [`start`].
pub async fn check_password(
    state: &AppState,
    audit: &Audit,
    email: &str,
    given: String,
) -> ApiResult<Option<User>> {
    throttle::attempt(state, email, audit.address()).await?;
    let user = if email.is_empty() {
        None
    } else {
        service_auth::user_by_email(&state.store, email).await?
    };
    let ok = password::verify_blocking(given, user.as_ref().map(|u| u.password_hash.clone())).await;
    match user {
        Some(u) if ok => Ok(Some(u)),
        Some(u) => {
            let memberships = service_auth::memberships(&state.store, u.id).await?;
            audit
                .event_by(model::Actor::User(u.id), action::LOGIN)
                .object(format!("user:{}", u.id))
                .outcome(Outcome::Failed)
                .write_for_each(&organisations(&memberships))
                .await?;
            Ok(None)
        }
        None => {
            let shown: String = email.chars().take(max_len::EMAIL).collect();
            audit
                .event_by(model::Actor::System, action::LOGIN)
                .object(format!("email:{shown}"))
                .outcome(Outcome::Failed)
                .write()
                .await?;
            Ok(None)
        }
    }
}

/// A started login: the cookie's token and what the login still needs.
#[derive(Debug)]
pub struct Started {
    pub token: String,
    pub step: Option<Step>,
    pub memberships: Vec<Membership>,
}

/// After a right password: a new session (the browser's old one ended), waiting for the code
/// when the user has a second factor. The throttle's counters are reset only when no code
/// follows: otherwise a right password would give an attacker five fresh guesses at the code.
pub async fn start(
    state: &AppState,
    audit: &Audit,
    headers: &HeaderMap,
    user: &User,
) -> ApiResult<Started> {
    if let Some(old) = sessions::cookie_token(headers) {
        sessions::end(state, old).await?;
    }
    let has_code = service_auth::second_factor(&state.store, user.id)
        .await?
        .is_some_and(|f| f.confirmed_at.is_some());
    let token = sessions::start(state, user.id, has_code).await?;
    if !has_code {
        throttle::reset(state, &user.email, audit.address()).await?;
    }
    let memberships = service_auth::memberships(&state.store, user.id).await?;
    audit
        .event_by(model::Actor::User(user.id), action::LOGIN)
        .object(format!("user:{}", user.id))
        .write_for_each(&organisations(&memberships))
        .await?;
    let session_id = model::hash_token(&token);
    let step = next_step(service_auth::login_state(&state.store, user.id, &session_id).await?);
    Ok(Started {
        token,
        step,
        memberships,
    })
}

/// Step 2: the code of the user's second factor (a TOTP code, once, of the 30 seconds before,
/// now or after; or an unused recovery code), counted by the throttle before it is checked.
/// Accepted: the session no longer waits and the throttle's counters are reset.
pub async fn check_code(
    state: &AppState,
    audit: &Audit,
    su: &SessionUser,
    code: &str,
) -> ApiResult<CodeOutcome> {
    su.require_step(&[Some(Step::Code)])?;
    throttle::attempt(state, &su.user.email, audit.address()).await?;
    let factor = service_auth::second_factor(&state.store, su.user.id).await?;
    let outcome = match factor.filter(|f| f.confirmed_at.is_some()) {
        Some(f) => accept_code(state, su.user.id, &f, code, Some(&su.session_id)).await?,
        None => CodeOutcome::Wrong,
    };
    audit
        .event_by(model::Actor::User(su.user.id), action::SECOND_FACTOR)
        .object(match outcome {
            CodeOutcome::RecoveryCodeUsed { .. } => format!("user:{}:herstelcode", su.user.id),
            _ => format!("user:{}", su.user.id),
        })
        .outcome(if outcome == CodeOutcome::Wrong {
            Outcome::Failed
        } else {
            Outcome::Ok
        })
        .write_for_each(&su.organisations())
        .await?;
    if outcome != CodeOutcome::Wrong {
        throttle::reset(state, &su.user.email, audit.address()).await?;
    }
    Ok(outcome)
}

/// Checks a code against a confirmed second factor and, when right, uses it up (and ends the
/// session's wait), in one transaction.
async fn accept_code(
    state: &AppState,
    user_id: UserId,
    factor: &SecondFactor,
    code: &str,
    session_id: Option<&str>,
) -> ApiResult<CodeOutcome> {
    let matched = match totp::matching_step(&factor.secret, code, state.device_now()) {
        Some(step) => Some(Code::TotpStep(step)),
        None => totp::recovery_hash(code).map(Code::RecoveryHash),
    };
    Ok(service_auth::accept_code(&state.store, user_id, matched, session_id).await?)
}

/// What the user needs to set up a second factor: the secret, as text and as a QR code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, in groups of four for typing.
    pub secret_grouped: String,
    /// `otpauth://totp/…`.
    pub uri: String,
    /// The URI as a QR code (an `<svg>` element).
    pub qr_svg: String,
}

impl Enrolment {
    pub fn of(secret: &str, email: &str) -> Enrolment {
        let uri = totp::otpauth_uri(secret, email);
        Enrolment {
            secret_grouped: totp::grouped(secret),
            qr_svg: totp::qr_svg(&uri),
            uri,
        }
    }
}

/// Step 4 (or a user's own choice): a new, unconfirmed secret. Refused (409) while the user has
/// a confirmed second factor (a beheerder resets it).
pub async fn begin_enrolment(state: &AppState, su: &SessionUser) -> ApiResult<Enrolment> {
    su.require_step(&[None, Some(Step::Enrol)])?;
    let secret = totp::new_secret();
    match service_auth::start_second_factor(&state.store, su.user.id, &secret).await {
        Ok(()) => Ok(Enrolment::of(&secret, &su.user.email)),
        Err(ServiceError::Conflict(_)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "tweede_factor_bestaat",
            "U hebt al een tweede factor. Kwijt? Vraag de beheerder van uw organisatie die \
             opnieuw in te stellen.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The unconfirmed secret being set up, if any.
pub async fn pending_enrolment(state: &AppState, su: &SessionUser) -> ApiResult<Option<Enrolment>> {
    Ok(service_auth::second_factor(&state.store, su.user.id)
        .await?
        .filter(|f| f.confirmed_at.is_none())
        .map(|f| Enrolment::of(&f.secret, &su.user.email)))
}

/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;

/// Confirms the second factor being set up with its first code (throttled like a login):
/// the new recovery codes (shown once), or `None` for a wrong code.
pub async fn confirm_enrolment(
    state: &AppState,
    audit: &Audit,
    su: &SessionUser,
    code: &str,
) -> ApiResult<Option<Vec<String>>> {
    su.require_step(&[None, Some(Step::Enrol)])?;
    let Some(factor) = service_auth::second_factor(&state.store, su.user.id)
        .await?
        .filter(|f| f.confirmed_at.is_none())
    else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "geen_tweede_factor_in_aanmaak",
            "Er wordt geen tweede factor ingesteld: begin opnieuw.",
        ));
    };
    throttle::attempt(state, &su.user.email, audit.address()).await?;
    let codes = totp::new_recovery_codes(RECOVERY_CODES);
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| totp::recovery_hash(c))
        .collect();
    let event = || {
        audit
            .event_by(model::Actor::User(su.user.id), action::SECOND_FACTOR_ENROL)
            .object(AuditObject::User(su.user.id))
    };
    // The confirmation commits with its audit rows; a wrong code writes only the rows.
    let confirmed = match totp::matching_step(&factor.secret, code, state.device_now()) {
        Some(step) => {
            let rows = event().entries_for_each(&su.organisations());
            service_auth::confirm_second_factor(&state.store, su.user.id, step, &hashes, &rows)
                .await?
        }
        None => false,
    };
    if !confirmed {
        event()
            .outcome(Outcome::Failed)
            .write_for_each(&su.organisations())
            .await?;
        return Ok(None);
    }
    throttle::reset(state, &su.user.email, audit.address()).await?;
    Ok(Some(codes))
}

/// New recovery codes for a user with a second factor (the old ones stop working).
pub async fn renew_recovery_codes(
    state: &AppState,
    audit: &Audit,
    su: &SessionUser,
) -> ApiResult<Vec<String>> {
    su.require_step(&[None])?;
    let has = service_auth::second_factor(&state.store, su.user.id)
        .await?
        .is_some_and(|f| f.confirmed_at.is_some());
    if !has {
        return Err(ApiError::bad_request(
            "geen_tweede_factor",
            "U hebt nog geen tweede factor; stel die eerst in.",
        ));
    }
    let codes = totp::new_recovery_codes(RECOVERY_CODES);
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| totp::recovery_hash(c))
        .collect();
    let rows = audit
        .event_by(model::Actor::User(su.user.id), action::RECOVERY_CODES)
        .object(AuditObject::User(su.user.id))
        .entries_for_each(&su.organisations());
    service_auth::replace_recovery_codes(&state.store, su.user.id, &hashes, &rows).await?;
    Ok(codes)
}

/// Step 3 (and a change by choice): the user's own new password. Checks the current one
/// (counted by the throttle), the policy, and that it differs; then ends every session of the
/// user and starts a new one for this browser, which keeps the steps already done (not the
/// code again). Returns the new cookie token, or the Dutch reason and the field it is about.
pub async fn change_password(
    state: &AppState,
    audit: &Audit,
    su: &SessionUser,
    current: &str,
    new: &str,
) -> ApiResult<Result<String, (ApiError, &'static str)>> {
    su.require_step(&[None, Some(Step::NewPassword)])?;
    let email = su.user.email.clone();
    throttle::attempt(state, &email, audit.address()).await?;
    let current_ok =
        password::verify_blocking(current.to_owned(), Some(su.user.password_hash.clone())).await;
    let orgs = su.organisations();
    if !current_ok {
        audit
            .event_by(model::Actor::User(su.user.id), action::PASSWORD_CHANGE)
            .object(format!("user:{}", su.user.id))
            .outcome(Outcome::Failed)
            .write_for_each(&orgs)
            .await?;
        return Ok(Err((
            ApiError::unprocessable("onjuist_wachtwoord", "Het huidige wachtwoord is onjuist."),
            "current_password",
        )));
    }
    throttle::reset(state, &email, audit.address()).await?;
    if let Err(e) = password::check_policy(new) {
        return Ok(Err((ApiError::from(e), "new_password")));
    }
    if new == current {
        return Ok(Err((
            ApiError::bad_request(
                "wachtwoord_ongewijzigd",
                "Het nieuwe wachtwoord moet anders zijn dan het huidige.",
            ),
            "new_password",
        )));
    }
    let hash = password::hash_blocking(new.to_owned()).await?;
    // Sets the hash (a required change is then done) and ends every session of the user.
    service_auth::set_password_hash(&state.store, su.user.id, &hash).await?;
    let token = sessions::start(state, su.user.id, false).await?;
    audit
        .event_by(model::Actor::User(su.user.id), action::PASSWORD_CHANGE)
        .object(format!("user:{}", su.user.id))
        .write_for_each(&orgs)
        .await?;
    Ok(Ok(token))
}
