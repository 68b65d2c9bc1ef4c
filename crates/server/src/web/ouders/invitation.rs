//! A parent's invitation: the school's page that makes one (`/leerlingen/{school}/{pupil}/ouders`)
//! and the parent's page that accepts it (`/ouders/uitnodiging/{token}`: a new account, or the
//! child linked to an existing one).

use super::*;

// ---------------------------------------------------------------------------------------------
// The invitation

#[derive(Template)]
#[template(path = "ouders_uitnodiging.html")]
pub(crate) struct InvitationPage {
    pub(crate) meta: PageMeta,
    pub(crate) action: String,
    pub(crate) school: String,
    pub(crate) email: String,
    pub(crate) account: bool,
    /// Used, expired: the page says so and shows no form.
    pub(crate) closed: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) name: String,
    pub(crate) min_length: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    pub(crate) naam: String,
    #[serde(default)]
    pub(crate) nieuw: String,
    #[serde(default)]
    pub(crate) herhaling: String,
}

pub(crate) fn token_hash(token: &str) -> Option<String> {
    let ok = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| verzuim_service::model::hash_token(token))
}

pub(crate) async fn invitation_page(
    state: &AppState,
    token: &str,
    error: Option<String>,
    name: String,
) -> ApiResult<Response> {
    let hash = token_hash(token).ok_or_else(ApiError::not_found)?;
    let st = parents::invitation(&state.store, &hash)
        .await
        .map_err(service_error)?;
    let page = match st {
        InvitationState::Open {
            invitation,
            school_name,
            account,
        } => InvitationPage {
            meta: PageMeta::bare("Uitnodiging ouderportaal"),
            action: format!("/ouders/uitnodiging/{token}"),
            school: school_name,
            email: invitation.email,
            account,
            closed: None,
            error,
            name,
            min_length: password::MIN_LENGTH,
        },
        InvitationState::Used | InvitationState::Expired => InvitationPage {
            meta: PageMeta::bare("Uitnodiging ouderportaal"),
            action: String::new(),
            school: String::new(),
            email: String::new(),
            account: false,
            closed: Some(if st == InvitationState::Used {
                "Deze uitnodiging is al gebruikt. Log in met uw e-mailadres en wachtwoord.".into()
            } else {
                "Deze uitnodiging is verlopen (een uitnodiging is 7 dagen geldig). Vraag de school om een nieuwe.".into()
            }),
            error: None,
            name: String::new(),
            min_length: password::MIN_LENGTH,
        },
    };
    // 200 with the Dutch message on the form (a 4xx would become the error page).
    Ok(render(&page))
}

/// `GET /ouders/uitnodiging/{token}`.
pub async fn invitation(
    State(state): State<AppState>,
    UrlPath(token): UrlPath<String>,
) -> ApiResult<Response> {
    invitation_page(&state, &token, None, String::new()).await
}

/// `POST /ouders/uitnodiging/{token}`: a new account with the chosen password, or the child
/// added to the existing account; then the login starts (its next step: a second factor where
/// a school requires one).
pub async fn invitation_accept(
    State(state): State<AppState>,
    audit: Audit,
    headers: HeaderMap,
    UrlPath(token): UrlPath<String>,
    Form(form): Form<InvitationForm>,
) -> ApiResult<Response> {
    check_len("naam", &form.naam, max_len::NAME)?;
    check_len("nieuw", &form.nieuw, max_len::PASSWORD)?;
    check_len("herhaling", &form.herhaling, max_len::PASSWORD)?;
    let hash = token_hash(&token).ok_or_else(ApiError::not_found)?;
    let account = match parents::invitation(&state.store, &hash)
        .await
        .map_err(service_error)?
    {
        InvitationState::Open { account, .. } => account,
        _ => return invitation_page(&state, &token, None, String::new()).await,
    };
    let again = |e: String| invitation_page(&state, &token, Some(e), form.naam.clone());
    let password_hash = if account {
        None
    } else {
        if form.naam.trim().is_empty() {
            return again("Vul uw naam in.".into()).await;
        }
        if form.nieuw != form.herhaling {
            return again("De twee wachtwoorden zijn niet gelijk.".into()).await;
        }
        if let Err(e) = password::check_policy(&form.nieuw) {
            return again(e.to_string()).await;
        }
        Some(
            password::hash_blocking(form.nieuw.clone())
                .await
                .map_err(ApiError::internal)?,
        )
    };
    // The audit row of the acceptance commits with it, once per organisation of the parent.
    let row = |user_id| {
        audit
            .event_by(
                verzuim_service::model::Actor::User(user_id),
                action::PARENT_INVITATION,
            )
            .object(AuditObject::User(user_id))
            .entry()
            .clone()
    };
    let (user_id, new) = parents::accept_invitation(
        &state.store,
        &hash,
        &form.naam,
        password_hash.as_deref(),
        &row,
    )
    .await
    .map_err(service_error)?;
    let user = verzuim_service::names::user(&state.store, user_id)
        .await
        .map_err(service_error)?
        .ok_or_else(ApiError::not_found)?;
    if !new {
        // An existing account: log in as usual (its password is not asked here).
        return Ok(Redirect::to("/inloggen?gekoppeld=1").into_response());
    }
    let started = login::start(&state, &audit, &headers, &user).await?;
    let next = match started.step {
        Some(step) => step.page(),
        None => "/ouders?gedaan=welkom",
    };
    Ok((
        AppendHeaders([
            (
                header::SET_COOKIE,
                sessions::set_cookie(&state, &headers, &started.token),
            ),
            (header::SET_COOKIE, session::clear_choice_cookie()),
        ]),
        Redirect::to(next),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The school invites

#[derive(Template)]
#[template(path = "leerling_ouders.html")]
pub(crate) struct InvitePage {
    pub(crate) meta: PageMeta,
    pub(crate) action: String,
    pub(crate) back: String,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) link: Option<String>,
    pub(crate) link_until: String,
    pub(crate) mail_subject: String,
    pub(crate) mail_body: String,
    pub(crate) invitations: Vec<(String, String, String)>,
    pub(crate) accounts: Vec<(String, String)>,
}

pub(crate) fn require_school(web: &WebUser, school_id: &str) -> ApiResult<()> {
    web.require(parents::INVITE_ROLES, Some(OrgKind::School))?;
    if web.org_id() != school_id {
        return Err(ApiError::not_found());
    }
    Ok(())
}

/// The service's own address for links: the configured public URL, else the request's host.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = state.config.public_url.as_deref() {
        return u.trim().trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if sessions::cookie_is_secure(state, headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

pub(crate) async fn invite_page(
    state: &AppState,
    web: &WebUser,
    school_id: &str,
    pupil_id: &str,
    link: Option<(String, jiff::Timestamp)>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let p = verzuim_service::visibility::pupil(&state.store, &caller, school_id, pupil_id)
        .await
        .map_err(service_error)?;
    let (invitations, accounts) = parents::invitations(&state.store, &caller, school_id, pupil_id)
        .await
        .map_err(service_error)?;
    let now = state.now();
    let name = p
        .data
        .name
        .clone()
        .unwrap_or_else(|| format!("Leerling {pupil_id}"));
    let (mail_subject, mail_body) = match &link {
        Some((_, until)) => parents::invitation_mail(&web.org.name, *until),
        None => (String::new(), String::new()),
    };
    let back = crate::web::gegevens::href(school_id, pupil_id);
    Ok(render(&InvitePage {
        meta: web.meta(format!("Ouderportaal van {name}"), "/leerlingen"),
        action: format!("{}/ouders", back.trim_end_matches("/gegevens")),
        back,
        name,
        email: p.data.parent_email.clone().filter(|e| !e.trim().is_empty()),
        link_until: link
            .as_ref()
            .map(|(_, u)| date_long_nl(nl::local_date(*u)))
            .unwrap_or_default(),
        link: link.map(|(l, _)| l),
        mail_subject,
        mail_body,
        invitations: invitations
            .iter()
            .map(|i| {
                let state = if i.used_at.is_some() {
                    "gebruikt"
                } else if i.expires_at <= now {
                    "verlopen"
                } else {
                    "open"
                };
                (
                    date_nl(nl::local_date(i.created_at)),
                    i.email.clone(),
                    state.to_owned(),
                )
            })
            .collect(),
        accounts: accounts.into_iter().map(|(_, e, n)| (n, e)).collect(),
    }))
}

/// `GET /leerlingen/{school}/{pupil}/ouders`.
pub async fn invite_get(
    State(state): State<AppState>,
    web: WebUser,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
) -> ApiResult<Response> {
    require_school(&web, &school_id)?;
    invite_page(&state, &web, &school_id, &pupil_id, None).await
}

/// `POST /leerlingen/{school}/{pupil}/ouders`: a new invitation; the page shows the one-time
/// link once (only its hash is stored) and the text of the invitation mail.
pub async fn invite_post(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    headers: HeaderMap,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
) -> ApiResult<Response> {
    require_school(&web, &school_id)?;
    let token = crate::auth::random_hex_256();
    let event = audit
        .event(&web.actor, action::PARENT_INVITATION)
        .organisation(&school_id)
        .pupil(&school_id, &pupil_id);
    let row = |id: i64| AuditEntry {
        object: format!("uitnodiging:{id}"),
        ..event.entry().clone()
    };
    let inv = parents::invite(
        &state.store,
        &web.caller(),
        &school_id,
        &pupil_id,
        &verzuim_service::model::hash_token(&token),
        &format!("/ouders/uitnodiging/{token}"),
        &row,
    )
    .await
    .map_err(service_error)?;
    let link = format!("{}/ouders/uitnodiging/{token}", base_url(&state, &headers));
    invite_page(
        &state,
        &web,
        &school_id,
        &pupil_id,
        Some((link, inv.expires_at)),
    )
    .await
}
