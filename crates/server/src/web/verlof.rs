//! Leave requests for those who deal with them (docs/workflow.md, "Verlof"):
//!
//! - the school's **directeur** decides vakantieverlof (Leerplichtwet 1969 art. 13a lid 1) and
//!   verlof wegens gewichtige omstandigheden up to ten school days (art. 14 lid 1), and advises
//!   on longer ones;
//! - the **leerplichtambtenaar** of the home municipality decides more than ten school days,
//!   after the director's advice (art. 14 lid 3);
//! - the **verzuimcoördinator** reads the school's requests (a refusal beside a luxe verzuim
//!   signal).
//!
//! `/verlof` lists them, `/verlof/{id}` shows one with the law's checks and the forms,
//! `/verlof/{id}/besluit.pdf` the decision letter (typst, [`verzuim_letters`]).

use askama::Template;
use axum::Form;
use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_letters::{BesluitVerlof, LetterBody, LetterData, Pupil, Recipient, Sender, Signatory};
use verzuim_service::model::{LeaveDecider, LeaveStatus};
use verzuim_service::model::{OrgKind, Organisation, Role, StoredPupil};
use verzuim_service::parents::{self, DecisionInput, PreparedDecision, circumstance_label};

use super::ouders::{leave_kind_label, leave_status_label, pdf};
use super::session::{PageMeta, WebUser};
use super::{render, sentence, service_error, today};
use crate::audit::{Audit, AuditObject, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_len, max_len};
use crate::nl;
use crate::nl::{date_long_nl, date_nl};
use crate::state::AppState;

/// The roles that see `/verlof`.
const ROLES: &[Role] = &[
    Role::Directeur,
    Role::Verzuimcoordinator,
    Role::Leerplichtambtenaar,
];

fn require(web: &WebUser) -> ApiResult<()> {
    web.require(ROLES, None)?;
    let kind_ok = match web.role() {
        Role::Leerplichtambtenaar => web.org.kind == OrgKind::Gemeente,
        _ => web.org.kind == OrgKind::School,
    };
    if kind_ok {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

struct Row {
    href: String,
    pupil: String,
    kind: String,
    period: String,
    days: u32,
    decider: &'static str,
    status: &'static str,
    open: bool,
}

#[derive(Template)]
#[template(path = "verlof.html")]
struct ListPage {
    meta: PageMeta,
    rows: Vec<Row>,
}

fn decider_label(d: LeaveDecider) -> &'static str {
    match d {
        LeaveDecider::Directeur => "directeur",
        LeaveDecider::Leerplichtambtenaar => "leerplichtambtenaar",
    }
}

/// `GET /verlof`.
pub async fn list(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    require(&web)?;
    let requests = parents::leave_requests(&state.store, &web.caller())
        .await
        .map_err(service_error)?;
    let rows = requests
        .iter()
        .map(|r| Row {
            href: format!("/verlof/{}", r.id),
            pupil: format!("{} ({})", r.pupil_id, r.school_id),
            kind: nl::capitalise(leave_kind_label(r.kind)),
            period: format!("{} t/m {}", date_nl(r.from), date_nl(r.until)),
            days: r.lesson_days,
            decider: decider_label(r.decider),
            status: leave_status_label(r),
            open: matches!(
                r.status,
                LeaveStatus::Ingediend | LeaveStatus::AdviesGegeven
            ),
        })
        .collect();
    Ok(render(&ListPage {
        meta: web.meta("Verlofaanvragen", "/verlof"),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "verlof_detail.html")]
struct DetailPage {
    meta: PageMeta,
    id: i64,
    facts: Vec<(String, String)>,
    checks: Vec<(String, String, bool)>,
    status: &'static str,
    advice: Option<String>,
    may_advise: bool,
    may_decide: bool,
    ground: Option<String>,
    letter: Option<String>,
    /// The employer's statement file the parent sent, when there is one.
    document: Option<String>,
    error: Option<String>,
    decider_name: String,
}

async fn detail_page(
    state: &AppState,
    web: &WebUser,
    id: i64,
    error: Option<String>,
) -> ApiResult<Response> {
    require(web)?;
    let caller = web.caller();
    let v = parents::leave_for_staff(&state.store, &caller, id)
        .await
        .map_err(service_error)?;
    let p = parents::leave_pupil(&state.store, &caller, id)
        .await
        .map_err(service_error)?;
    let r = &v.request;
    let open = matches!(
        r.status,
        LeaveStatus::Ingediend | LeaveStatus::AdviesGegeven
    );
    let is_director = web.role() == Role::Directeur && web.org_id() == r.school_id;
    let may_advise = open && is_director && r.decider == LeaveDecider::Leerplichtambtenaar;
    let may_decide = open
        && match r.decider {
            LeaveDecider::Directeur => is_director,
            LeaveDecider::Leerplichtambtenaar => {
                web.role() == Role::Leerplichtambtenaar
                    && web.org_id() == r.municipality
                    && r.status == LeaveStatus::AdviesGegeven
            }
        };
    let mut facts = vec![
        (
            "Leerling".to_owned(),
            format!(
                "{} (groep {})",
                p.data.name.clone().unwrap_or_else(|| r.pupil_id.clone()),
                p.data.pupil.group
            ),
        ),
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
            format!("De {} ({})", decider_label(r.decider), v.decider_article),
        ),
        (
            "Aangevraagd op".to_owned(),
            date_nl(nl::local_date(r.created_at)),
        ),
    ];
    if r.kind == verzuim_service::model::LeaveKind::GewichtigeOmstandigheden {
        facts.push((
            "Omstandigheid".to_owned(),
            circumstance_label(&r.circumstance).to_owned(),
        ));
    }
    if let Some(e) = &r.explanation {
        facts.push(("Toelichting van de ouder".to_owned(), e.clone()));
    }
    if let Some(e) = &r.employer_statement {
        facts.push(("Werkgeversverklaring".to_owned(), e.clone()));
    }
    let res = render(&DetailPage {
        meta: web.meta(format!("Verlofaanvraag {id}"), "/verlof"),
        id,
        facts,
        checks: v
            .checks
            .iter()
            .map(|c| (c.article.to_owned(), c.rule.to_owned(), c.passed))
            .collect(),
        status: leave_status_label(r),
        advice: r.advice.clone(),
        may_advise,
        may_decide,
        ground: r.decision_ground.clone(),
        letter: r.has_letter.then(|| format!("/verlof/{id}/besluit.pdf")),
        document: r
            .document_type
            .is_some()
            .then(|| format!("/verlof/{id}/werkgeversverklaring")),
        error: error.clone(),
        decider_name: web.user.display_name.clone(),
    });
    // 200 with the Dutch message above the forms (a 4xx would become the error page).
    Ok(res)
}

/// `GET /verlof/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    web: WebUser,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    detail_page(&state, &web, id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    /// `advies`, `toekennen` or `afwijzen`.
    #[serde(default)]
    actie: String,
    #[serde(default)]
    advies: String,
    #[serde(default)]
    motivering: String,
}

/// `POST /verlof/{id}`: the director's advice, or the decision with its letter.
pub async fn action(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath(id): UrlPath<i64>,
    Form(form): Form<ActionForm>,
) -> ApiResult<Response> {
    require(&web)?;
    check_len("advies", &form.advies, max_len::LONG_TEXT)?;
    check_len("motivering", &form.motivering, max_len::LONG_TEXT)?;
    // The audit row commits with the advice or the decision (`verlof:{id}:advies`,
    // `verlof:{id}:besluit:toegekend|afgewezen`).
    let row = |what: &str| {
        audit
            .event(&web.actor, action::LEAVE_DECISION)
            .organisation(web.org_id())
            .object(AuditObject::Leave(id).detail(what))
    };
    let caller = web.caller();
    let outcome = match form.actie.as_str() {
        "advies" => {
            parents::advise_leave(
                &state.store,
                &caller.audited(row("advies").entry()),
                id,
                &form.advies,
            )
            .await
        }
        "toekennen" | "afwijzen" => {
            let input = DecisionInput {
                granted: form.actie == "toekennen",
                motivation: Some(form.motivering.clone()),
                decider_name: web.user.display_name.clone(),
            };
            match parents::prepare_decision(&state.store, &caller, id, &input).await {
                Ok(prepared) => {
                    let (pdf_bytes, text) = decision_letter(&state, &web, &prepared).await?;
                    let status = if input.granted {
                        LeaveStatus::Toegekend
                    } else {
                        LeaveStatus::Afgewezen
                    };
                    parents::decide_leave(
                        &state.store,
                        &caller.audited(row(&format!("besluit:{status}")).entry()),
                        today(&state),
                        &prepared,
                        pdf_bytes,
                        text,
                    )
                    .await
                    .map(|_| ())
                }
                Err(e) => Err(e),
            }
        }
        _ => {
            return Err(ApiError::bad_request(
                "ongeldig",
                "Kies bij 'actie' advies, toekennen of afwijzen.",
            )
            .with_field("actie"));
        }
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/verlof/{id}")).into_response()),
        Err(verzuim_service::ServiceError::Invalid(m)) => {
            detail_page(&state, &web, id, Some(sentence(&m))).await
        }
        Err(e) => Err(service_error(e)),
    }
}

/// The decision letter: from the decider's organisation to the pupil's parents.
async fn decision_letter(
    state: &AppState,
    web: &WebUser,
    d: &PreparedDecision,
) -> ApiResult<(Vec<u8>, String)> {
    let r = &d.view.request;
    let p = parents::leave_pupil(&state.store, &web.caller(), r.id)
        .await
        .map_err(service_error)?;
    let school = verzuim_service::organisations::organisation(&state.store, &r.school_id)
        .await
        .map_err(service_error)?
        .map_or_else(|| r.school_id.clone(), |o| o.name);
    let data = letter_data(&web.org, school, &p, d, today(state));
    let templates = state.letters.clone();
    let org = web.org_id().to_owned();
    let rendered = tokio::task::spawn_blocking(move || {
        templates
            .for_organisation(&org)
            .and_then(|l| l.render_letter(&data))
    })
    .await
    .map_err(ApiError::internal)?;
    rendered
        .map(|l| (l.pdf, l.text))
        .map_err(|e| super::letters::letter_failed(&e, "Het besluit kon niet worden gemaakt."))
}

/// The data of a decision letter: `sender` is the deciding organisation (the school, or the
/// municipality), `school` the pupil's school's name, `p` the pupil (the parents' address).
pub fn letter_data(
    sender: &Organisation,
    school: String,
    p: &StoredPupil,
    d: &PreparedDecision,
    today: jiff::civil::Date,
) -> LetterData {
    let r = &d.view.request;
    let lh = &sender.letterhead;
    let name = p.data.name.clone().unwrap_or_else(|| r.pupil_id.clone());
    LetterData {
        sender: Sender {
            name: sender.name.clone(),
            street: lh.street.clone().unwrap_or_default(),
            postcode: lh.postcode.clone().unwrap_or_default(),
            city: lh.city.clone().unwrap_or_default(),
            phone: lh.phone.clone().unwrap_or_default(),
            email: lh.email.clone().unwrap_or_default(),
            website: None,
            logo: None,
        },
        recipient: Recipient {
            name: p
                .data
                .parent_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("De ouders/verzorgers van {name}")),
            street: p.data.street.clone().unwrap_or_default(),
            postcode: p.data.postcode.clone().unwrap_or_default(),
            city: p.data.city.clone().unwrap_or_default(),
        },
        copy_to: (r.decider == LeaveDecider::Leerplichtambtenaar).then(|| school.clone()),
        pupil: Pupil {
            name,
            birth_date: p.data.pupil.birth_date,
            group: format!("groep {}", p.data.pupil.group),
            school,
        },
        date: today,
        place: lh.city.clone().unwrap_or_default(),
        reference: format!("Verlof {}", r.id),
        subject: "Besluit op uw verlofaanvraag".into(),
        body: LetterBody::BesluitVerlof(BesluitVerlof {
            granted: d.granted,
            leave_kind: leave_kind_label(r.kind).to_owned(),
            first_day: r.from,
            last_day: r.until,
            lesson_days: r.lesson_days,
            requested_on: nl::local_date(r.created_at),
            ground: d.ground.clone(),
            bezwaar_to: d.bezwaar_to.clone(),
        }),
        signatory: Signatory {
            name: d.decider_name.clone(),
            function: decider_label(r.decider).to_owned(),
        },
    }
}

/// `GET /verlof/{id}/werkgeversverklaring`: the employer's statement file the parent sent, for
/// those who may read the request (the school's director and coordinator, the deciding
/// leerplichtambtenaar).
pub async fn document(
    State(state): State<AppState>,
    web: WebUser,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    require(&web)?;
    let d = parents::leave_document_for_staff(&state.store, &web.caller(), id)
        .await
        .map_err(service_error)?;
    Ok(super::ouders::document(d))
}

/// `GET /verlof/{id}/besluit.pdf`.
pub async fn letter(
    State(state): State<AppState>,
    web: WebUser,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    require(&web)?;
    let bytes = parents::leave_letter_for_staff(&state.store, &web.caller(), id)
        .await
        .map_err(service_error)?;
    Ok(pdf(&format!("besluit-verlof-{id}.pdf"), bytes))
}
