//! GGD-JGZ's pages: `GET /verwijzingen` (the referrals to it, open ones first, newest first) and
//! `GET /verwijzingen/{id}` (the referral: pupil, school, kind, date, status history, GGD-JGZ's
//! open tasks, its invitations and its own notes) with `POST /verwijzingen/{id}`: record an
//! invitation (date and time of the appointment: takes the referral up), in behandeling,
//! verschenen/afgerond, niet verschenen zonder tegenbericht (the school gets the task to judge
//! it), a private note, afspraken for the school (the school sees exactly that text and gets a
//! task to take note), complete a task or mark it not needed. The page shows the parents' name,
//! phone, e-mail and address and the pupil's age (kaart Twente PO, "** ZIEKTE": "GGD-JGZ neemt
//! contact op met ouders/leerling"), the school's digitaal aanmeldingsformulier, and a form for
//! GGD-JGZ's invitation letter to the parents (PDF, `POST /zaken/{case}/brieven`).
//!
//! A school's verzuimcoordinator sees the same page of its own referral with its status, history,
//! form and GGD-JGZ's afspraken: never GGD-JGZ's notes, invitations or tasks. No health data is stored: the notes
//! are GGD-JGZ's own free text and nobody else reads them.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_engine::model::Party;
use verzuim_service::model::{MAX_PAGE_SIZE, OrgKind, Page, Referral, ReferralStatus, Role};
use verzuim_service::referrals::{self, ReferralView};
use verzuim_service::{ggd, visibility};

use super::leerplicht::{
    DetailQuery, HistoryRow, PageRow, TaskFields, TaskRow, actor_name, audit_page, form_date,
    history_row, message, org_name, own_open_tasks, page_rows, pupil_name, task_form,
};
use super::pager::Pager;
use super::session::{PageMeta, WebUser};
use super::{all_pages, kind_label, render, service_error, today};
use crate::audit::{Audit, AuditObject};
use crate::error::ApiResult;
use crate::extract::{Path, Query};
use crate::nl;
use crate::nl::{date_nl, hhmm, parse_hhmm};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "verwijzingen.html")]
struct ReferralsPage {
    meta: PageMeta,
    referrals: Vec<ReferralRow>,
    pager: Pager,
}

/// `?pagina=` of the referrals list.
#[derive(Debug, Default, Deserialize)]
pub struct ReferralsQuery {
    /// The page, from 1 ([`REFERRALS_PAGE`] referrals each).
    pagina: Option<u32>,
}

/// Referrals on one page of the list.
pub(crate) const REFERRALS_PAGE: usize = 100;

struct ReferralRow {
    id: i64,
    received: String,
    school: String,
    pupil: String,
    kind: &'static str,
    status: &'static str,
    new: bool,
}

pub(crate) fn referral_status(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Aangemeld => "Nieuw (aangemeld)",
        ReferralStatus::InBehandeling => "In behandeling",
        ReferralStatus::NietVerschenenZonderTegenbericht => "Niet verschenen zonder tegenbericht",
        ReferralStatus::Afgerond => "Afgerond",
        ReferralStatus::Ingetrokken => "Ingetrokken",
    }
}

/// Open first (new, then not appeared, then in behandeling), then the final ones.
fn rank(s: ReferralStatus) -> u8 {
    match s {
        ReferralStatus::Aangemeld => 0,
        ReferralStatus::NietVerschenenZonderTegenbericht => 1,
        ReferralStatus::InBehandeling => 2,
        ReferralStatus::Afgerond | ReferralStatus::Ingetrokken => 3,
    }
}

/// `GET /verwijzingen`: the referrals to this GGD-JGZ, open ones first, newest first;
/// [`REFERRALS_PAGE`] a page (`?pagina=`), each page's pupils, schools and reasons read for that
/// page only (issue 13.3: before, every referral up to 1,000, the rest not shown).
pub async fn verwijzingen(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<ReferralsQuery>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let mut list: Vec<Referral> = all_pages(usize::MAX, |p| {
        visibility::referrals(&state.store, &caller, p)
    })
    .await?;
    list.sort_by_key(|r| (rank(r.status), std::cmp::Reverse((r.created_at, r.id))));
    let (pager, page) = Pager::counted(
        "/verwijzingen",
        &[],
        q.pagina.unwrap_or(1),
        REFERRALS_PAGE,
        list.len(),
        ("verwijzing", "verwijzingen"),
    );
    let (mut names, mut orgs) = (HashMap::new(), HashMap::new());
    let mut rows = Vec::with_capacity(page.len());
    for r in list.into_iter().skip(page.start).take(page.len()) {
        let kind = ggd::referral_kind(&state.store, &caller, r.id)
            .await
            .map_err(service_error)?;
        rows.push(ReferralRow {
            id: r.id,
            received: date_nl(nl::local_date(r.created_at)),
            school: org_name(&state, &mut orgs, &r.school_id).await,
            pupil: pupil_name(&state, &web, &mut names, &r.school_id, &r.pupil_id).await,
            kind: kind.map_or("onbekend", kind_label),
            status: referral_status(r.status),
            new: r.status == ReferralStatus::Aangemeld,
        });
    }
    audit_page(&audit, &web, false, "verwijzingen".into(), None).await?;
    Ok(render(&ReferralsPage {
        meta: web.meta("Verwijzingen", "/verwijzingen"),
        referrals: rows,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "verwijzing.html")]
struct ReferralPage {
    meta: PageMeta,
    r: ReferralFacts,
    history: Vec<HistoryRow>,
    /// GGD-JGZ only (a school sees status and history).
    jgz: bool,
    tasks: Vec<TaskRow>,
    invitations: Vec<InvitationRow>,
    notes: Vec<NoteRow>,
    error: Option<String>,
    done: Option<&'static str>,
    today: String,
    how: &'static [(&'static str, &'static str)],
    can_take_up: bool,
    can_no_show: bool,
    running: bool,
    /// GGD-JGZ may feed afspraken back (not on a withdrawn referral).
    can_feed_back: bool,
    contact: ContactFacts,
    form: Option<FormFacts>,
    afspraken: Vec<NoteRow>,
    /// The invitation letter's default place: the GGD-JGZ's address.
    place: String,
}

/// How GGD-JGZ reaches the parents (kaart Twente PO, "** ZIEKTE": "neemt contact op met
/// ouders/leerling").
struct ContactFacts {
    parent_name: String,
    phone: Option<String>,
    email: Option<String>,
    address: String,
    birth_date: String,
    age: u8,
}

/// The school's digitaal aanmeldingsformulier.
struct FormFacts {
    question: String,
    school_actions: String,
    consent: &'static str,
    informed: String,
}

struct ReferralFacts {
    id: i64,
    case_id: i64,
    school_id: String,
    pupil_id: String,
    pupil: String,
    school: String,
    ggd: String,
    kind: &'static str,
    received: String,
    status: &'static str,
}

struct InvitationRow {
    date: String,
    time: String,
    recorded: String,
}

struct NoteRow {
    at: String,
    by: String,
    text: String,
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "uitnodiging" => "De uitnodiging is vastgelegd.",
        "in_behandeling" => "De verwijzing is in behandeling.",
        "afgerond" => "De verwijzing is afgerond.",
        "niet_verschenen" => {
            "Vastgelegd: niet verschenen zonder tegenbericht. De school beoordeelt of dat zonder goede reden was."
        }
        "notitie" => "De notitie is opgeslagen.",
        "afspraken" => {
            "De afspraken zijn teruggekoppeld aan de school; de school heeft een taak om ze te lezen."
        }
        _ => return super::leerplicht::task_done_message(code),
    })
}

/// `GET /verwijzingen/{id}`: GGD-JGZ's page of a referral to it; a school's coordinator sees the
/// status and history of its own.
pub async fn verwijzing(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> ApiResult<Response> {
    let is_jgz = web.require(&[Role::Jgz], Some(OrgKind::GgdJgz)).is_ok();
    if !is_jgz {
        web.require(&[Role::Verzuimcoordinator], Some(OrgKind::School))?;
    }
    let view = referrals::referral(&state.store, &web.caller(), id)
        .await
        .map_err(service_error)?;
    let done = q.gedaan.as_deref().and_then(done_message);
    let page = referral_page(&state, &web, view, is_jgz, None, done).await?;
    audit_page(
        &audit,
        &web,
        false,
        AuditObject::Referral(id).to_string(),
        Some((&page.r.school_id, &page.r.pupil_id)),
    )
    .await?;
    Ok(render(&page))
}

async fn referral_page(
    state: &AppState,
    web: &WebUser,
    view: ReferralView,
    jgz: bool,
    error: Option<String>,
    done: Option<&'static str>,
) -> ApiResult<ReferralPage> {
    let r = &view.referral;
    let caller = web.caller();
    let (mut names, mut orgs, mut actors) = (HashMap::new(), HashMap::new(), HashMap::new());
    let mut history = Vec::new();
    for h in &view.history {
        history.push(history_row(state, &mut actors, h).await);
    }
    let kind = ggd::referral_kind(&state.store, &caller, r.id)
        .await
        .map_err(service_error)?;
    let (mut tasks, mut invitations, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    if jgz {
        let referral_id = r.id;
        tasks = own_open_tasks(state, web, r.case_id, Party::GgdJgz, |l| {
            l.referral_id == Some(referral_id)
        })
        .await?;
        for i in ggd::invitations(&state.store, &caller, r.id)
            .await
            .map_err(service_error)?
        {
            invitations.push(InvitationRow {
                date: date_nl(i.date),
                time: hhmm(i.time),
                recorded: format!(
                    "{} door {}",
                    nl::date_time_nl(i.created_at),
                    actor_name(state, &mut actors, &i.created_by).await
                ),
            });
        }
        let mut page = Page::first(MAX_PAGE_SIZE);
        loop {
            let batch = referrals::jgz_notes(&state.store, &caller, r.id, page)
                .await
                .map_err(service_error)?;
            let done = batch.len() < page.limit() as usize;
            for n in batch {
                notes.push(NoteRow {
                    at: nl::date_time_nl(n.created_at),
                    by: actor_name(state, &mut actors, &n.created_by).await,
                    text: n.text,
                });
            }
            if done {
                break;
            }
            page = page.next();
        }
    }
    let pupil = pupil_name(state, web, &mut names, &r.school_id, &r.pupil_id).await;
    let c = referrals::referral_contact(&state.store, &caller, r.id, today(state))
        .await
        .map_err(service_error)?;
    let known = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let address = [
        known(&c.street),
        match (known(&c.postcode), known(&c.city)) {
            (Some(p), Some(t)) => Some(format!("{p} {t}")),
            (p, t) => p.or(t),
        },
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let contact = ContactFacts {
        parent_name: known(&c.parent_name).unwrap_or_else(|| "niet bekend bij de school".into()),
        phone: known(&c.parent_phone),
        email: known(&c.parent_email),
        address: if address.is_empty() {
            "niet bekend bij de school".into()
        } else {
            address
        },
        birth_date: date_nl(c.birth_date),
        age: c.age,
    };
    let form = view.form.as_ref().map(|f| FormFacts {
        question: f.question.clone(),
        school_actions: f.school_actions.clone(),
        consent: if f.parents_consent {
            "ja, de ouders geven toestemming"
        } else {
            "nee, de ouders geven geen toestemming"
        },
        informed: format!(
            "op {}, {}",
            date_nl(f.parents_informed_on),
            super::leerplicht::HOW
                .iter()
                .find(|(v, _)| *v == f.parents_informed_how.as_str())
                .map_or(f.parents_informed_how.as_str(), |(_, l)| *l)
                .to_lowercase()
        ),
    });
    let mut afspraken = Vec::new();
    for a in &view.afspraken {
        afspraken.push(NoteRow {
            at: nl::date_time_nl(a.created_at),
            by: actor_name(state, &mut actors, &a.created_by).await,
            text: a.text.clone(),
        });
    }
    let lh = &web.org.letterhead;
    let place = [
        Some(web.org.name.clone()),
        lh.street.clone(),
        lh.city.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    Ok(ReferralPage {
        can_feed_back: r.status != ReferralStatus::Ingetrokken,
        contact,
        form,
        afspraken,
        place,
        meta: web.meta(
            format!("Verwijzing van {pupil}"),
            if jgz { "/verwijzingen" } else { "/taken" },
        ),
        r: ReferralFacts {
            id: r.id,
            case_id: r.case_id,
            school_id: r.school_id.clone(),
            pupil_id: r.pupil_id.clone(),
            school: org_name(state, &mut orgs, &r.school_id).await,
            ggd: org_name(state, &mut orgs, &r.ggd_id).await,
            pupil,
            kind: kind.map_or("onbekend", kind_label),
            received: date_nl(nl::local_date(r.created_at)),
            status: referral_status(r.status),
        },
        history,
        jgz,
        tasks,
        invitations,
        notes,
        error,
        done,
        today: today(state).to_string(),
        how: super::leerplicht::HOW,
        can_take_up: matches!(
            r.status,
            ReferralStatus::Aangemeld | ReferralStatus::NietVerschenenZonderTegenbericht
        ),
        can_no_show: matches!(
            r.status,
            ReferralStatus::Aangemeld | ReferralStatus::InBehandeling
        ),
        running: !matches!(
            r.status,
            ReferralStatus::Afgerond | ReferralStatus::Ingetrokken
        ),
    })
}

/// The fields of every form on the referral page (`actie` says which).
#[derive(Debug, Default, Deserialize)]
pub struct ReferralForm {
    actie: String,
    datum: Option<String>,
    tijd: Option<String>,
    tekst: Option<String>,
    /// `taak`, `ouders_datum`, `ouders_hoe` and `reden`.
    #[serde(flatten)]
    task: TaskFields,
}

/// `POST /verwijzingen/{id}`: one of GGD-JGZ's forms.
pub async fn verwijzing_post(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Form(f): Form<ReferralForm>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let view = referrals::referral(&state.store, &caller, id)
        .await
        .map_err(service_error)?;
    let (school, pupil) = (
        view.referral.school_id.clone(),
        view.referral.pupil_id.clone(),
    );
    // Each write commits its audit row (`verwijzing:{id}:{code}`) with it.
    let row = page_rows(
        &audit,
        &web,
        AuditObject::Referral(id).to_string(),
        (&school, &pupil),
    );
    match apply(&state, &web, id, &f, &row).await {
        Ok(code) => Ok(Redirect::to(&format!("/verwijzingen/{id}?gedaan={code}")).into_response()),
        Err(msg) => {
            let view = referrals::referral(&state.store, &caller, id)
                .await
                .map_err(service_error)?;
            let page = referral_page(&state, &web, view, true, Some(msg), None).await?;
            audit_page(
                &audit,
                &web,
                false,
                AuditObject::Referral(id).to_string(),
                Some((&school, &pupil)),
            )
            .await?;
            Ok(render(&page))
        }
    }
}

async fn apply(
    state: &AppState,
    web: &WebUser,
    id: i64,
    f: &ReferralForm,
    row: &PageRow<'_>,
) -> Result<&'static str, String> {
    let caller = web.caller();
    let status = |s: ReferralStatus, code: &'static str| {
        let caller = caller.clone();
        async move {
            referrals::set_referral_status(&state.store, &caller.audited(&row(code)), id, s)
                .await
                .map(|_| code)
                .map_err(message)
        }
    };
    match f.actie.as_str() {
        "uitnodiging" => {
            let date = form_date(f.datum.as_deref(), "datum van de afspraak")?;
            let time = f
                .tijd
                .as_deref()
                .and_then(parse_hhmm)
                .ok_or_else(|| "Vul de tijd van de afspraak in (uu:mm).".to_owned())?;
            ggd::record_invitation(
                &state.store,
                &caller.audited(&row("uitnodiging")),
                id,
                date,
                time,
            )
            .await
            .map_err(message)?;
            Ok("uitnodiging")
        }
        "in_behandeling" => status(ReferralStatus::InBehandeling, "in_behandeling").await,
        "afgerond" => status(ReferralStatus::Afgerond, "afgerond").await,
        "niet_verschenen" => {
            status(
                ReferralStatus::NietVerschenenZonderTegenbericht,
                "niet_verschenen",
            )
            .await
        }
        "notitie" => {
            referrals::add_jgz_note(
                &state.store,
                &caller.audited(&row("notitie")),
                id,
                f.tekst.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(message)?;
            Ok("notitie")
        }
        "afspraken" => {
            referrals::record_afspraken(
                &state.store,
                &caller.audited(&row("afspraken")),
                id,
                f.tekst.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(message)?;
            Ok("afspraken")
        }
        "taak_afronden" | "taak_niet_nodig" => {
            task_form(state, web, &f.task, f.actie == "taak_afronden", row).await
        }
        _ => Err("Onbekende actie.".to_owned()),
    }
}
