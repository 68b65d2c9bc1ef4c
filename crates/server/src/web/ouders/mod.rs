//! The parents' portal (docs/parents.md), made for a phone first:
//!
//! - `/ouders`: the parent's children (at any school), with "ziek melden" and "beter melden";
//! - `/ouders/{school}/{pupil}`: what the school and leerplicht do (absence this school year,
//!   "ouders geïnformeerd", letters, the status of a melding or referral, the school's coming
//!   contact), the child's sick reports and leave requests;
//! - `/ouders/{school}/{pupil}/verlof`: a leave request (Leerplichtwet 1969 art. 13a, art. 14);
//! - `/ouders/verlof/{id}`, `/ouders/verlof/{id}/besluit.pdf`, `/ouders/brieven/{id}`;
//! - `/ouders/e-mail`, `/ouders/wachtwoord`: the parent's choice of e-mail per kind and their
//!   password ([`settings`]);
//! - `/ouders/uitnodiging/{token}`: the invitation link (no login): set a password, or add the
//!   child to an existing account; then the login's next step (a second factor where a school
//!   requires one);
//! - `/leerlingen/{school}/{pupil}/ouders`: the school's coordinator or beheerder invites the
//!   pupil's parent and sees the one-time link to give them (the mail is the outbox's).
//!
//! A parent is any logged-in user (no membership needed); the service shows them only their own
//! children. Every action writes an audit row.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, OptionalFromRequestParts, Path as UrlPath, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_service::model::{
    AuditEntry, InformedHow, MeldingStatus, OrgKind, ReferralStatus, User,
};
use verzuim_service::model::{LeaveKind, LeaveRequest, LeaveStatus, SickReport, SickReportEnd};
use verzuim_service::parents::{
    self, CIRCUMSTANCES, ChildView, InvitationState, LeaveInput, circumstance_label,
};

use super::session::{self, Chrome, NavItem, PageMeta, WebUser};
use super::url_part;
use super::{render, sentence, service_error, today};
use crate::audit::{Audit, AuditEvent, AuditObject, action};
use crate::auth::login;
use crate::auth::{password, sessions};
use crate::authz::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_len, max_len};
use crate::nl;
use crate::nl::{date_long_nl, date_nl};
use crate::state::AppState;

mod invitation;
pub use invitation::*;

mod leave;
pub use leave::*;

mod child;
pub use child::*;

pub mod settings;

/// The parents' landing page.
pub const HOME: &str = "/ouders";

/// The largest leave form: the employer's statement file and the fields.
pub const LEAVE_BODY_LIMIT: usize = parents::MAX_DOCUMENT_BYTES + 1024 * 1024;

/// A stored file (the employer's statement) as an answer: its own type (sniffed when it was
/// stored), shown inline, never sniffed again by the browser (`nosniff` is set for every answer).
pub fn document(d: verzuim_service::model::LeaveDocument) -> Response {
    let disposition = format!(
        "inline; filename=\"{}\"",
        d.file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    (
        [
            (header::CONTENT_TYPE, d.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        d.bytes,
    )
        .into_response()
}

/// `GET /ouders/verlof/{id}/werkgeversverklaring`: the file the parent sent with the request.
pub async fn leave_document(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    let d = parents::leave_document_for_parent(&state.store, web.user.id, id)
        .await
        .map_err(service_error)?;
    Ok(document(d))
}

/// A logged-in user on a parent's page (any user: the service shows only their own children).
#[derive(Debug, Clone)]
pub struct ParentWeb {
    pub user: User,
    /// A member of an organisation too (a teacher who is also a parent): the nav links back.
    pub staff: bool,
}

impl FromRequestParts<AppState> for ParentWeb {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ParentWeb, Response> {
        let actor = <Actor as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match actor {
            Some(Actor::User(u)) => Ok(ParentWeb {
                user: u.user,
                staff: !u.memberships.is_empty(),
            }),
            Some(Actor::Token(_)) => Err(ApiError::forbidden().into_response()),
            None => Err(session::to_login(&parts.headers)),
        }
    }
}

impl ParentWeb {
    fn meta(&self, title: impl Into<String>, path: &str) -> PageMeta {
        let mut nav: Vec<(&'static str, &'static str)> = vec![(HOME, "Mijn kinderen")];
        if self.staff {
            nav.push(("/", "Naar mijn werk"));
        }
        nav.push((settings::MAIL, "E-mail"));
        nav.push((settings::PASSWORD, "Wachtwoord"));
        nav.push(("/tweede-factor", "Tweede factor"));
        PageMeta {
            title: title.into(),
            chrome: Some(Chrome {
                user_name: self.user.display_name.clone(),
                role_label: "Ouder",
                org_name: "Ouderportaal".into(),
                nav: nav
                    .into_iter()
                    .map(|(href, label)| NavItem {
                        href,
                        label,
                        current: href == path,
                    })
                    .collect(),
                switch: Vec::new(),
            }),
            ..PageMeta::bare("")
        }
    }
}

/// The path of a child's page.
pub fn child_href(school_id: &str, pupil_id: &str) -> String {
    format!("/ouders/{}/{}", url_part(school_id), url_part(pupil_id))
}

fn sick_text(r: &SickReport) -> String {
    match (r.closed_reason, r.recovered_on) {
        (None, _) => format!("Ziek gemeld vanaf {}", date_long_nl(r.from)),
        (Some(SickReportEnd::Beter), Some(back)) => format!(
            "Ziek vanaf {}, beter gemeld vanaf {}",
            date_long_nl(r.from),
            date_long_nl(back)
        ),
        (Some(SickReportEnd::Beter), None) => {
            format!("Ziek vanaf {}, beter gemeld", date_long_nl(r.from))
        }
        (Some(SickReportEnd::Gecorrigeerd), _) => format!(
            "Ziek vanaf {}; de school heeft de registratie aangepast",
            date_long_nl(r.from)
        ),
    }
}

struct ChildCard {
    name: String,
    school: String,
    group: String,
    href: String,
    ziek_action: String,
    beter_action: String,
    sick: Option<String>,
}

#[derive(Template)]
#[template(path = "ouders.html")]
struct HomePage {
    meta: PageMeta,
    children: Vec<ChildCard>,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    gedaan: String,
}

fn done_text(code: &str) -> Option<String> {
    Some(
        match code {
            "ziek" => "Uw kind is ziek gemeld. De school ziet het in de registratie.",
            "beter" => "Uw kind is beter gemeld. Fijn dat het weer naar school kan.",
            "verlof" => "Uw verlofaanvraag is ingediend.",
            "welkom" => "Welkom in het ouderportaal.",
            "gekoppeld" => "Uw kind is aan uw account toegevoegd.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// `GET /ouders`: the parent's children.
pub async fn home(
    State(state): State<AppState>,
    web: ParentWeb,
    q: axum::extract::Query<DoneQuery>,
) -> ApiResult<Response> {
    let children = parents::children(&state.store, web.user.id)
        .await
        .map_err(service_error)?
        .into_iter()
        .map(|c| {
            let href = child_href(&c.school_id, &c.pupil_id);
            ChildCard {
                ziek_action: format!("{href}/ziek"),
                beter_action: format!("{href}/beter"),
                sick: c.sick.as_ref().map(sick_text),
                name: c.name,
                school: c.school_name,
                group: c.group,
                href,
            }
        })
        .collect();
    Ok(render(&HomePage {
        meta: web.meta("Mijn kinderen", HOME),
        children,
        done: done_text(&q.gedaan),
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct DayForm {
    /// `vandaag` or `morgen`.
    #[serde(default)]
    dag: String,
}

fn day_of(state: &AppState, dag: &str, field: &str) -> ApiResult<Date> {
    let t = today(state);
    match dag.trim() {
        "vandaag" => Ok(t),
        "morgen" => t.tomorrow().map_err(ApiError::internal),
        _ => Err(ApiError::bad_request(
            "ongeldig",
            format!("Kies bij '{field}' vandaag of morgen."),
        )
        .with_field(field)),
    }
}

/// The audit row of a parent's write about their child (its object is set per write).
fn parent_write(audit: &Audit, web: &ParentWeb, school_id: &str, pupil_id: &str) -> AuditEvent {
    audit
        .event_by(
            verzuim_service::model::Actor::User(web.user.id),
            action::PUPIL_WRITE,
        )
        .organisation(school_id)
        .pupil(school_id, pupil_id)
}

/// `POST /ouders/{school}/{pupil}/ziek`: ziekmelding from today or tomorrow.
pub async fn report_sick(
    State(state): State<AppState>,
    web: ParentWeb,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Form(form): Form<DayForm>,
) -> ApiResult<Response> {
    let from = day_of(&state, &form.dag, "dag")?;
    let event = parent_write(&audit, &web, &school_id, &pupil_id);
    let row = |id: i64| AuditEntry {
        object: AuditObject::SickReport(id).to_string(),
        ..event.entry().clone()
    };
    parents::report_sick(
        &state.store,
        web.user.id,
        today(&state),
        &school_id,
        &pupil_id,
        from,
        &row,
    )
    .await
    .map_err(service_error)?;
    Ok(Redirect::to(&format!("{HOME}?gedaan=ziek")).into_response())
}

/// `POST /ouders/{school}/{pupil}/beter`: the child is back today or tomorrow.
pub async fn report_better(
    State(state): State<AppState>,
    web: ParentWeb,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Form(form): Form<DayForm>,
) -> ApiResult<Response> {
    let back = day_of(&state, &form.dag, "dag")?;
    let event = parent_write(&audit, &web, &school_id, &pupil_id);
    let row = |id: i64| AuditEntry {
        object: AuditObject::SickReport(id).detail("beter").to_string(),
        ..event.entry().clone()
    };
    parents::report_better(
        &state.store,
        web.user.id,
        today(&state),
        &school_id,
        &pupil_id,
        back,
        &row,
    )
    .await
    .map_err(service_error)?;
    Ok(Redirect::to(&format!("{HOME}?gedaan=beter")).into_response())
}
