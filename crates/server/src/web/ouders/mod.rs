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
use verzuim_service::parents::{
    self, CIRCUMSTANCES, ChildView, InvitationState, LeaveInput, circumstance_label,
};
use verzuim_store::parents::{LeaveKind, LeaveRequest, LeaveStatus, SickReport, SickReportEnd};
use verzuim_store::{AuditEntry, InformedHow, MeldingStatus, OrgKind, ReferralStatus, User};

use super::session::{self, Chrome, NavItem, PageMeta, WebUser};
use super::url_part;
use super::{render, sentence, service_error, today};
use crate::audit::{Audit, AuditEvent, AuditObject, action};
use crate::auth::login::{self, organisations};
use crate::auth::{password, sessions};
use crate::authz::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_len, max_len};
use crate::nl;
use crate::nl::{date_long_nl, date_nl};
use crate::state::AppState;

pub mod settings;

/// The parents' landing page.
pub const HOME: &str = "/ouders";

/// The largest leave form: the employer's statement file and the fields.
pub const LEAVE_BODY_LIMIT: usize = parents::MAX_DOCUMENT_BYTES + 1024 * 1024;

/// A stored file (the employer's statement) as an answer: its own type (sniffed when it was
/// stored), shown inline, never sniffed again by the browser (`nosniff` is set for every answer).
pub fn document(d: verzuim_store::parents::LeaveDocument) -> Response {
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

struct Row2 {
    when: String,
    what: String,
}

struct LetterRow {
    href: String,
    label: String,
    date: String,
}

struct LeaveRow {
    href: String,
    label: String,
    status: String,
}

#[derive(Template)]
#[template(path = "ouders_kind.html")]
struct ChildPage {
    meta: PageMeta,
    name: String,
    school: String,
    group: String,
    href: String,
    sick: Option<String>,
    contact: Vec<String>,
    absence: Vec<Row2>,
    informed: Vec<Row2>,
    letters: Vec<LetterRow>,
    statuses: Vec<Row2>,
    sick_reports: Vec<String>,
    leave: Vec<LeaveRow>,
    done: Option<String>,
}

fn how_label(how: InformedHow) -> &'static str {
    match how {
        InformedHow::Gesprek => "in een gesprek",
        InformedHow::Telefoon => "telefonisch",
        InformedHow::Brief => "per brief",
        InformedHow::Email => "per e-mail",
        InformedHow::Anders => "op een andere manier",
    }
}

fn melding_status_label(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "ontvangen door leerplicht",
        MeldingStatus::InBehandeling => "in behandeling bij leerplicht",
        MeldingStatus::Afgesloten => "afgesloten",
        MeldingStatus::Ingetrokken => "ingetrokken door de school",
        MeldingStatus::TerKennisgevingAangenomen => "ter kennisgeving aangenomen door leerplicht",
    }
}

fn referral_status_label(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Aangemeld => "aangemeld bij de jeugdgezondheidszorg (GGD-JGZ)",
        ReferralStatus::InBehandeling => "in behandeling bij de jeugdgezondheidszorg (GGD-JGZ)",
        ReferralStatus::NietVerschenenZonderTegenbericht => {
            "afspraak bij de jeugdgezondheidszorg niet nagekomen"
        }
        ReferralStatus::Afgerond => "afgerond door de jeugdgezondheidszorg (GGD-JGZ)",
        ReferralStatus::Ingetrokken => "ingetrokken door de school",
    }
}

/// The status of a leave request in words.
pub fn leave_status_label(r: &LeaveRequest) -> &'static str {
    match r.status {
        LeaveStatus::Ingediend => "ingediend, wacht op een besluit",
        LeaveStatus::AdviesGegeven => {
            "advies van de directeur gegeven, wacht op de leerplichtambtenaar"
        }
        LeaveStatus::Toegekend => "toegekend",
        LeaveStatus::Afgewezen => "afgewezen",
    }
}

/// The kind of leave in words.
pub fn leave_kind_label(k: LeaveKind) -> &'static str {
    match k {
        LeaveKind::Vakantieverlof => "vakantieverlof",
        LeaveKind::GewichtigeOmstandigheden => "verlof wegens gewichtige omstandigheden",
    }
}

fn child_page(web: &ParentWeb, v: ChildView, done: Option<String>) -> ChildPage {
    let href = child_href(&v.child.school_id, &v.child.pupil_id);
    let absence = v
        .registrations
        .iter()
        .map(|r| Row2 {
            when: span_nl(&r.registration.span),
            what: r.registration.code.label().to_owned(),
        })
        .collect();
    let informed = v
        .informed
        .iter()
        .map(|i| Row2 {
            when: date_nl(i.info.informed_on),
            what: match &i.action {
                Some(a) => format!("{} ({})", sentence(a), how_label(i.info.how)),
                None => format!("De school heeft u {} geïnformeerd.", how_label(i.info.how)),
            },
        })
        .collect();
    let letters = v
        .letters
        .iter()
        .map(|l| LetterRow {
            href: format!("/ouders/brieven/{}", l.id),
            label: verzuim_letters::LetterKind::ALL
                .into_iter()
                .find(|k| k.as_str() == l.kind)
                .map_or(l.kind.clone(), |k| sentence(k.label())),
            date: date_nl(nl::local_date(l.created_at)),
        })
        .collect();
    let mut statuses: Vec<Row2> = v
        .meldingen
        .iter()
        .map(|m| Row2 {
            when: date_nl(m.reported_on),
            what: format!(
                "Melding aan de leerplichtambtenaar: {}",
                melding_status_label(m.status)
            ),
        })
        .collect();
    statuses.extend(v.referrals.iter().map(|r| Row2 {
        when: date_nl(r.referred_on),
        what: format!("Verwijzing: {}", referral_status_label(r.status)),
    }));
    let contact = v
        .school_will_contact
        .iter()
        .map(|t| match t.due {
            Some(d) => format!(
                "De school neemt contact met u op voor een gesprek (uiterlijk {}).",
                date_long_nl(d)
            ),
            None => "De school neemt contact met u op voor een gesprek.".to_owned(),
        })
        .collect();
    ChildPage {
        meta: web.meta(v.child.name.clone(), &href),
        sick: v.child.sick.as_ref().map(sick_text),
        name: v.child.name,
        school: v.child.school_name,
        group: v.child.group,
        contact,
        absence,
        informed,
        letters,
        statuses,
        sick_reports: v.sick_reports.iter().map(sick_text).collect(),
        leave: v
            .leave_requests
            .iter()
            .map(|r| LeaveRow {
                href: format!("/ouders/verlof/{}", r.id),
                label: format!(
                    "{}: {} tot en met {}",
                    sentence(leave_kind_label(r.kind)),
                    date_nl(r.from),
                    date_nl(r.until)
                ),
                status: leave_status_label(r).to_owned(),
            })
            .collect(),
        href,
        done,
    }
}

fn span_nl(span: &verzuim_engine::model::Span) -> String {
    use verzuim_engine::model::Span;
    match *span {
        Span::Days { from, until } if from == until => date_nl(from),
        Span::Days { from, until } => format!("{} t/m {}", date_nl(from), date_nl(until)),
        Span::Times { date, from, until } => match until {
            Some(u) => format!("{} {}–{}", date_nl(date), nl::hhmm(from), nl::hhmm(u)),
            None => format!("{} vanaf {}", date_nl(date), nl::hhmm(from)),
        },
    }
}

/// `GET /ouders/{school}/{pupil}`.
pub async fn child(
    State(state): State<AppState>,
    web: ParentWeb,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    q: axum::extract::Query<DoneQuery>,
) -> ApiResult<Response> {
    let v = parents::child(
        &state.store,
        web.user.id,
        today(&state),
        &school_id,
        &pupil_id,
    )
    .await
    .map_err(service_error)?;
    audit
        .event_by(verzuim_store::Actor::User(web.user.id), action::PUPIL_READ)
        .organisation(&school_id)
        .object(format!("ouder:{}", web.user.id))
        .pupil(&school_id, &pupil_id)
        .write()
        .await?;
    Ok(render(&child_page(&web, v, done_text(&q.gedaan))))
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
        .event_by(verzuim_store::Actor::User(web.user.id), action::PUPIL_WRITE)
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

#[derive(Debug, Default, Clone, Deserialize)]
pub struct LeaveForm {
    #[serde(default)]
    soort: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    omstandigheid: String,
    #[serde(default)]
    toelichting: String,
    #[serde(default)]
    werkgeversverklaring: String,
}

#[derive(Template)]
#[template(path = "ouders_verlof.html")]
struct LeaveFormPage {
    meta: PageMeta,
    name: String,
    action: String,
    back: String,
    f: LeaveForm,
    circumstances: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    min_date: String,
    max_mb: usize,
}

async fn leave_form_page(
    state: &AppState,
    web: &ParentWeb,
    school_id: &str,
    pupil_id: &str,
    f: LeaveForm,
    error: Option<String>,
) -> ApiResult<Response> {
    let children = parents::children(&state.store, web.user.id)
        .await
        .map_err(service_error)?;
    let c = children
        .into_iter()
        .find(|c| c.school_id == school_id && c.pupil_id == pupil_id)
        .ok_or_else(ApiError::not_found)?;
    let href = child_href(school_id, pupil_id);
    let res = render(&LeaveFormPage {
        meta: web.meta(format!("Verlof aanvragen voor {}", c.name), &href),
        name: c.name,
        action: format!("{href}/verlof"),
        back: href,
        f,
        circumstances: CIRCUMSTANCES.to_vec(),
        error: error.clone(),
        min_date: today(state).to_string(),
        max_mb: parents::MAX_DOCUMENT_BYTES / (1024 * 1024),
    });
    // 200 with the Dutch message on the form (a 4xx would become the error page).
    Ok(res)
}

/// `GET /ouders/{school}/{pupil}/verlof`.
pub async fn leave_form(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
) -> ApiResult<Response> {
    leave_form_page(
        &state,
        &web,
        &school_id,
        &pupil_id,
        LeaveForm::default(),
        None,
    )
    .await
}

/// A date field of a form: `JJJJ-MM-DD`, with a Dutch message naming the field.
fn form_date(value: &str, label: &str) -> Result<Date, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("Vul {label} in."));
    }
    v.parse().map_err(|_| {
        format!(
            "{} is geen datum: gebruik JJJJ-MM-DD.",
            nl::capitalise(label)
        )
    })
}

/// The leave form as sent: `multipart/form-data` (the page, with the employer's statement as a
/// file, part `verklaring`) or `application/x-www-form-urlencoded` (without a file).
async fn leave_form_of(
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(LeaveForm, Option<parents::Upload>)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("multipart/form-data") {
        let f = serde_urlencoded::from_bytes::<LeaveForm>(&body).map_err(|_| {
            ApiError::bad_request(
                "ongeldig_formulier",
                "Het formulier is niet goed verstuurd.",
            )
        })?;
        return Ok((f, None));
    }
    let boundary = crate::multipart::boundary(headers)?;
    let mut f = LeaveForm::default();
    let mut upload = None;
    for part in crate::multipart::parts(body, &boundary).await? {
        let text = || String::from_utf8_lossy(&part.bytes).into_owned();
        match part.name.as_str() {
            "soort" => f.soort = text(),
            "van" => f.van = text(),
            "tot" => f.tot = text(),
            "omstandigheid" => f.omstandigheid = text(),
            "toelichting" => f.toelichting = text(),
            "werkgeversverklaring" => f.werkgeversverklaring = text(),
            // A file input left empty sends a part without a name and without bytes.
            "verklaring"
                if !part.bytes.is_empty()
                    || part.file_name.as_deref().is_some_and(|n| !n.is_empty()) =>
            {
                upload = Some(parents::Upload {
                    file_name: part.file_name.clone().unwrap_or_default(),
                    bytes: part.bytes.clone(),
                });
            }
            _ => {}
        }
    }
    Ok((f, upload))
}

/// `POST /ouders/{school}/{pupil}/verlof` (a multipart form with the employer's statement as a
/// file, or a plain form).
pub async fn leave_submit(
    State(state): State<AppState>,
    web: ParentWeb,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let (f, upload) = leave_form_of(&headers, body).await?;
    check_len("toelichting", &f.toelichting, max_len::LONG_TEXT)?;
    check_len(
        "werkgeversverklaring",
        &f.werkgeversverklaring,
        max_len::LONG_TEXT,
    )?;
    check_len("omstandigheid", &f.omstandigheid, max_len::IDENTIFIER)?;
    let parsed = (|| {
        let kind =
            LeaveKind::parse(f.soort.trim()).ok_or_else(|| "Kies de soort verlof.".to_owned())?;
        let from = form_date(&f.van, "de eerste dag")?;
        let until = form_date(&f.tot, "de laatste dag")?;
        Ok::<_, String>((kind, from, until))
    })();
    let (kind, from, until) = match parsed {
        Ok(p) => p,
        Err(e) => return leave_form_page(&state, &web, &school_id, &pupil_id, f, Some(e)).await,
    };
    let input = LeaveInput {
        kind,
        from,
        until,
        circumstance: f.omstandigheid.trim().to_owned(),
        explanation: Some(f.toelichting.clone()),
        employer_statement: Some(f.werkgeversverklaring.clone()),
        employer_document: upload,
    };
    let event = parent_write(&audit, &web, &school_id, &pupil_id);
    let row = |id: i64| AuditEntry {
        object: AuditObject::Leave(id).to_string(),
        ..event.entry().clone()
    };
    match parents::request_leave(
        &state.store,
        web.user.id,
        today(&state),
        &school_id,
        &pupil_id,
        &input,
        &row,
    )
    .await
    {
        Ok(v) => Ok(
            Redirect::to(&format!("/ouders/verlof/{}?gedaan=verlof", v.request.id)).into_response(),
        ),
        Err(verzuim_service::ServiceError::Invalid(m)) => {
            leave_form_page(&state, &web, &school_id, &pupil_id, f, Some(sentence(&m))).await
        }
        Err(e) => Err(service_error(e)),
    }
}

#[derive(Template)]
#[template(path = "ouders_verlof_detail.html")]
struct LeavePage {
    meta: PageMeta,
    back: String,
    title: String,
    facts: Vec<(String, String)>,
    checks: Vec<(String, String, bool)>,
    status: String,
    decided: bool,
    ground: Option<String>,
    letter: Option<String>,
    /// The employer's statement file, when one was sent.
    document: Option<String>,
    done: Option<String>,
}

/// `GET /ouders/verlof/{id}`.
pub async fn leave_detail(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath(id): UrlPath<i64>,
    q: axum::extract::Query<DoneQuery>,
) -> ApiResult<Response> {
    let v = parents::leave_for_parent(&state.store, web.user.id, id)
        .await
        .map_err(service_error)?;
    let r = &v.request;
    let back = child_href(&r.school_id, &r.pupil_id);
    let decider = match r.decider {
        verzuim_store::parents::LeaveDecider::Directeur => "de directeur van de school",
        verzuim_store::parents::LeaveDecider::Leerplichtambtenaar => {
            "de leerplichtambtenaar van uw gemeente, na advies van de directeur"
        }
    };
    let mut facts = vec![
        ("Soort".to_owned(), sentence(leave_kind_label(r.kind))),
        (
            "Periode".to_owned(),
            format!(
                "{} tot en met {}",
                date_long_nl(r.from),
                date_long_nl(r.until)
            ),
        ),
        ("Lesdagen".to_owned(), r.lesson_days.to_string()),
        (
            "Wie beslist".to_owned(),
            format!("{} ({})", sentence(decider), v.decider_article),
        ),
    ];
    if r.kind == LeaveKind::GewichtigeOmstandigheden {
        facts.push((
            "Omstandigheid".to_owned(),
            circumstance_label(&r.circumstance).to_owned(),
        ));
    }
    Ok(render(&LeavePage {
        meta: web.meta("Verlofaanvraag", &back),
        back,
        title: format!("Verlofaanvraag {}", r.id),
        facts,
        checks: v
            .checks
            .iter()
            .map(|c| (c.article.to_owned(), c.rule.to_owned(), c.passed))
            .collect(),
        status: leave_status_label(r).to_owned(),
        decided: matches!(r.status, LeaveStatus::Toegekend | LeaveStatus::Afgewezen),
        ground: r.decision_ground.clone(),
        letter: r
            .has_letter
            .then(|| format!("/ouders/verlof/{}/besluit.pdf", r.id)),
        document: r
            .document_type
            .is_some()
            .then(|| format!("/ouders/verlof/{}/werkgeversverklaring", r.id)),
        done: done_text(&q.gedaan),
    }))
}

/// A PDF answer.
pub fn pdf(file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "inline; filename=\"{}\"",
        file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /ouders/verlof/{id}/besluit.pdf`.
pub async fn leave_letter(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    let bytes = parents::leave_letter_for_parent(&state.store, web.user.id, id)
        .await
        .map_err(service_error)?;
    Ok(pdf(&format!("besluit-verlof-{id}.pdf"), bytes))
}

/// `GET /ouders/brieven/{id}`: a letter about the parent's child.
pub async fn letter(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    let (name, bytes) = parents::letter(&state.store, web.user.id, id)
        .await
        .map_err(service_error)?;
    Ok(pdf(&name, bytes))
}

// ---------------------------------------------------------------------------------------------
// The invitation

#[derive(Template)]
#[template(path = "ouders_uitnodiging.html")]
struct InvitationPage {
    meta: PageMeta,
    action: String,
    school: String,
    email: String,
    account: bool,
    /// Used, expired: the page says so and shows no form.
    closed: Option<String>,
    error: Option<String>,
    name: String,
    min_length: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    nieuw: String,
    #[serde(default)]
    herhaling: String,
}

fn token_hash(token: &str) -> Option<String> {
    let ok = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| verzuim_store::hash_token(token))
}

async fn invitation_page(
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
    let (user_id, new) =
        parents::accept_invitation(&state.store, &hash, &form.naam, password_hash.as_deref())
            .await
            .map_err(service_error)?;
    let user = verzuim_service::names::user(&state.store, user_id)
        .await
        .map_err(service_error)?
        .ok_or_else(ApiError::not_found)?;
    let memberships = verzuim_service::users::memberships(&state.store, user_id)
        .await
        .map_err(service_error)?;
    let mut orgs = organisations(&memberships);
    let children = parents::children(&state.store, user_id)
        .await
        .map_err(service_error)?;
    for c in &children {
        if !orgs.contains(&c.school_id.as_str()) {
            orgs.push(c.school_id.as_str());
        }
    }
    audit
        .event_by(
            verzuim_store::Actor::User(user_id),
            action::PARENT_INVITATION,
        )
        .object(AuditObject::User(user_id))
        .write_for_each(&orgs)
        .await?;
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
struct InvitePage {
    meta: PageMeta,
    action: String,
    back: String,
    name: String,
    email: Option<String>,
    link: Option<String>,
    link_until: String,
    mail_subject: String,
    mail_body: String,
    invitations: Vec<(String, String, String)>,
    accounts: Vec<(String, String)>,
}

fn require_school(web: &WebUser, school_id: &str) -> ApiResult<()> {
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

async fn invite_page(
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
    let back = super::gegevens::href(school_id, pupil_id);
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
        &verzuim_store::hash_token(&token),
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
