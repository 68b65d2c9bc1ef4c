//! The leerplichtambtenaar's pages: `GET /meldingen` (the meldingen to the municipality, most
//! urgent first, filterable by status) and `GET /meldingen/{id}` (one melding: its legal content
//! with the persoonsgebonden nummer masked, DUO's status history, leerplicht's actions and open
//! tasks) with `POST /meldingen/{id}`: take it up, record a conversation, a warning letter, a
//! formal warning, a HALT referral (from 12 years) or a proces-verbaal, record afspraken (the
//! school gets them as a task), close it with DUO's reason, take note of it, complete a task or
//! mark it not needed.
//!
//! Every read and write goes through the service's scoped functions and writes an audit row. A
//! refused form answers 200 with the page and the Dutch message (nothing stored); a done one
//! redirects back to the page with a message (`?gedaan=`).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::model::Party;
use verzuim_service::leerplicht::{self, ActionInput};
use verzuim_service::meldingen::{self, MeldingView};
use verzuim_service::tasks::{self, Completion, ParentsInformed, requires_parents_informed};
use verzuim_service::{ClosingReason, MeldingAction, visibility};
use verzuim_store::NumberKind;
use verzuim_store::leerplicht_queries::{ConversationWith, LeerplichtActionKind};
use verzuim_store::{
    AuditEntry, HistoryEntry, InformedHow, Melding, MeldingStatus, OrgKind, Role, TaskStatus,
};

use super::session::{PageMeta, WebUser};
use super::{LIST_LIMIT, all_pages, kind_label, render, sentence, service_error, today};
use crate::audit::{Audit, AuditObject, action};
use crate::error::ApiResult;
use crate::extract::{Path, Query};
use crate::nl;
use crate::nl::date_nl;
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Helpers shared with the GGD-JGZ pages.

/// A history row's actor (`user:12`, `token:3`, `system`) for people: the user's name.
pub(crate) async fn actor_name(
    state: &AppState,
    cache: &mut HashMap<String, String>,
    actor: &str,
) -> String {
    if let Some(n) = cache.get(actor) {
        return n.clone();
    }
    let name = match actor.split_once(':') {
        Some(("user", id)) => user_name(state, actor, id).await,
        Some(("token", _)) => "systeem (API-token)".to_owned(),
        _ => "systeem".to_owned(),
    };
    cache.insert(actor.to_owned(), name.clone());
    name
}

/// The name of the user of an actor `user:{id}` (`onbekende gebruiker` when there is none; the
/// actor itself when `id` is no number).
pub(crate) async fn user_name(state: &AppState, actor: &str, id: &str) -> String {
    match id.parse::<i64>() {
        Ok(id) => verzuim_service::names::user_name(&state.store, id)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "onbekende gebruiker".to_owned()),
        Err(_) => actor.to_owned(),
    }
}

/// A pupil's name as the caller may see it (the id when the name is unknown).
pub(crate) async fn pupil_name(
    state: &AppState,
    web: &WebUser,
    cache: &mut HashMap<(String, String), String>,
    school: &str,
    pupil: &str,
) -> String {
    let key = (school.to_owned(), pupil.to_owned());
    if let Some(n) = cache.get(&key) {
        return n.clone();
    }
    let name = visibility::pupil(&state.store, &web.caller(), school, pupil)
        .await
        .ok()
        .and_then(|p| p.data.name)
        .unwrap_or_else(|| format!("leerling {pupil}"));
    cache.insert(key, name.clone());
    name
}

/// An organisation's name (the id when unknown).
pub(crate) async fn org_name(
    state: &AppState,
    cache: &mut HashMap<String, String>,
    id: &str,
) -> String {
    if let Some(n) = cache.get(id) {
        return n.clone();
    }
    let name = verzuim_service::organisations::organisation(&state.store, id)
        .await
        .ok()
        .flatten()
        .map_or_else(|| id.to_owned(), |o| o.name);
    cache.insert(id.to_owned(), name.clone());
    name
}

/// The audit row of a page that showed (or changed) pupil data.
pub(crate) async fn audit_page(
    audit: &Audit,
    web: &WebUser,
    write: bool,
    what: String,
    pupil: Option<(&str, &str)>,
) -> ApiResult<()> {
    page_event(audit, web, write, what, pupil).write().await
}

/// The row [`audit_page`] writes, for a service write that commits it with its change
/// (`web.caller().audited(page_event(…).entry())`).
pub(crate) fn page_event(
    audit: &Audit,
    web: &WebUser,
    write: bool,
    what: String,
    pupil: Option<(&str, &str)>,
) -> crate::audit::AuditEvent {
    let mut event = audit
        .event(
            &web.actor,
            if write {
                action::PUPIL_WRITE
            } else {
                action::PUPIL_READ
            },
        )
        .organisation(web.org_id())
        .object(what);
    if let Some((school, pupil)) = pupil {
        event = event.pupil(school, pupil);
    }
    event
}

/// An open task on a page, with what completing it asks.
pub(crate) struct TaskRow {
    pub id: i64,
    pub text: String,
    pub due: String,
    pub overdue: bool,
    pub needs_parents: bool,
}

/// A status history row.
pub(crate) struct HistoryRow {
    pub at: String,
    pub status: String,
    pub reason: String,
    pub by: String,
}

pub(crate) const HOW: &[(&str, &str)] = &[
    ("gesprek", "in een gesprek"),
    ("telefoon", "telefonisch"),
    ("brief", "per brief"),
    ("email", "per e-mail"),
    ("anders", "anders"),
];

pub(crate) fn how_label(how: InformedHow) -> &'static str {
    HOW.iter()
        .find(|(code, _)| *code == how.as_str())
        .map_or("anders", |(_, l)| l)
}

/// A date field of a form (`YYYY-MM-DD`), with a Dutch message naming the field.
pub(crate) fn form_date(value: Option<&str>, field: &str) -> Result<Date, String> {
    let v = value.map(str::trim).unwrap_or_default();
    if v.is_empty() {
        return Err(format!("Vul de {field} in."));
    }
    v.parse()
        .map_err(|_| format!("De {field} is geen geldige datum (jjjj-mm-dd)."))
}

/// The audit row of a page's write, by the code of what was done (`melding:12:afgesloten`): the
/// service call commits it with the write.
pub(crate) type PageRow<'a> = dyn Fn(&str) -> AuditEntry + Send + Sync + 'a;

/// The audit rows of the writes of a page about `object` (`melding:12`) of a pupil.
pub(crate) fn page_rows<'a>(
    audit: &Audit,
    web: &WebUser,
    object: String,
    pupil: (&str, &str),
) -> impl Fn(&str) -> AuditEntry + Send + Sync + 'a {
    let entry = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(web.org_id())
        .pupil(pupil.0, pupil.1)
        .entry()
        .clone();
    move |code: &str| AuditEntry {
        object: format!("{object}:{code}"),
        ..entry.clone()
    }
}

/// Completes or closes an open task of the caller's organisation from a page's form.
pub(crate) async fn task_form(
    state: &AppState,
    web: &WebUser,
    f: &TaskFields,
    done: bool,
    row: &PageRow<'_>,
) -> Result<&'static str, String> {
    let id: i64 = f
        .taak
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| "Kies een taak.".to_owned())?;
    if done {
        let parents_informed = match f.ouders_hoe.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(h) => Some(ParentsInformed {
                date: form_date(
                    f.ouders_datum.as_deref(),
                    "datum waarop de ouders zijn geïnformeerd",
                )?,
                how: InformedHow::parse(h)
                    .ok_or_else(|| "Kies hoe de ouders zijn geïnformeerd.".to_owned())?,
            }),
        };
        tasks::complete_task(
            &state.store,
            &web.caller().audited(&row("taak_afgerond")),
            today(state),
            id,
            &Completion {
                parents_informed,
                ..Completion::default()
            },
        )
        .await
        .map_err(message)?;
        Ok("taak_afgerond")
    } else {
        tasks::task_not_needed(
            &state.store,
            &web.caller().audited(&row("taak_niet_nodig")),
            id,
            f.reden.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(message)?;
        Ok("taak_niet_nodig")
    }
}

/// The fields of a task form.
#[derive(Debug, Default, Deserialize)]
pub struct TaskFields {
    pub taak: Option<String>,
    pub ouders_datum: Option<String>,
    pub ouders_hoe: Option<String>,
    pub reden: Option<String>,
}

/// A refused change as the Dutch message on the page (storage failures as a general one).
pub(crate) fn message(e: verzuim_service::ServiceError) -> String {
    use verzuim_service::ServiceError as E;
    match e {
        E::Invalid(m) | E::Conflict(m) => sentence(&m),
        E::NotFound => "Niet gevonden.".to_owned(),
        E::Forbidden(_) => "Dit mag u niet doen.".to_owned(),
        E::Input(_) => "De invoer is ongeldig.".to_owned(),
        E::Store(_) => "Er ging iets mis bij het opslaan; probeer het opnieuw.".to_owned(),
    }
}

/// The open tasks of the caller's organisation in a case, linked to one melding or referral.
pub(crate) async fn own_open_tasks(
    state: &AppState,
    web: &WebUser,
    case_id: i64,
    party: Party,
    linked: impl Fn(&verzuim_store::TaskLink) -> bool,
) -> ApiResult<Vec<TaskRow>> {
    let view = visibility::case(&state.store, &web.caller(), case_id)
        .await
        .map_err(service_error)?;
    let today = today(state);
    Ok(view
        .tasks
        .into_iter()
        .filter(|t| {
            t.task.party == party
                && t.task.organisation_id == web.org_id()
                && t.task.status == TaskStatus::Open
                && t.link.as_ref().is_some_and(&linked)
        })
        .map(|t| TaskRow {
            id: t.task.id,
            needs_parents: requires_parents_informed(&t.task.text),
            due: t.task.due.map_or_else(|| "geen".to_owned(), date_nl),
            overdue: verzuim_service::principles::is_overdue(&t.task.text, t.task.due, today),
            text: t.task.text,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The list.

#[derive(Template)]
#[template(path = "meldingen.html")]
struct MeldingenPage {
    meta: PageMeta,
    meldingen: Vec<MeldingRow>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    filtered: bool,
    /// A `?status=` that is no status: all meldingen are shown, with this message.
    unknown_status: Option<String>,
}

struct MeldingRow {
    id: i64,
    received: String,
    school: String,
    pupil: String,
    kind: &'static str,
    period: String,
    hours: String,
    status: &'static str,
    new: bool,
    /// "Gewijzigd na melding": changes after the melding (0: none).
    changes_after: u32,
}

pub(crate) fn melding_status(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "Nieuw (geregistreerd)",
        MeldingStatus::InBehandeling => "In behandeling",
        MeldingStatus::Afgesloten => "Afgesloten",
        MeldingStatus::Ingetrokken => "Ingetrokken",
        MeldingStatus::TerKennisgevingAangenomen => "Ter kennisgeving aangenomen",
    }
}

/// A status reason in words: a closing reason is stored as its code (`verzuim_beeindigd`),
/// other reasons as the text that was entered.
pub fn reason_nl(reason: &str) -> String {
    ClosingReason::parse(reason).map_or_else(|| reason.to_owned(), |c| c.label().to_owned())
}

/// Hours as every page writes them (`20 uur en 45 minuten`, [`nl::hours_nl`]); "n.v.t." for
/// a melding without hours (te laat komen counts lateness, absoluut verzuim has no lessons
/// missed to count).
fn hours_or_nvt(minutes: u32) -> String {
    if minutes == 0 {
        return "n.v.t.".to_owned();
    }
    nl::hours_nl(minutes)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

/// `GET /meldingen`: the municipality's meldingen, most urgent first (the service's order:
/// new, then overdue, then in behandeling, then closed; newest first within each).
pub async fn meldingen(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let asked = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let status = asked.and_then(MeldingStatus::parse);
    let unknown_status = asked
        .filter(|_| status.is_none())
        .map(|s| format!("De status \"{s}\" bestaat niet; alle meldingen worden getoond."));
    let caller = web.caller();
    let today = today(&state);
    let list: Vec<Melding> = all_pages(LIST_LIMIT, |p| {
        leerplicht::list_meldingen(&state.store, &caller, today, status, p)
    })
    .await?;
    let (mut names, mut orgs) = (HashMap::new(), HashMap::new());
    let mut rows = Vec::with_capacity(list.len());
    for m in list {
        rows.push(MeldingRow {
            id: m.id,
            received: date_nl(nl::local_date(m.created_at)),
            school: org_name(&state, &mut orgs, &m.school_id).await,
            pupil: pupil_name(&state, &web, &mut names, &m.school_id, &m.pupil_id).await,
            kind: kind_label(m.verzuim_kind),
            period: format!("{} t/m {}", date_nl(m.period.from), date_nl(m.period.to)),
            hours: hours_or_nvt(m.minutes),
            status: melding_status(m.status),
            new: m.status == MeldingStatus::Geregistreerd,
            changes_after: m.changes_after,
        });
    }
    audit_page(&audit, &web, false, "meldingen".into(), None).await?;
    Ok(render(&MeldingenPage {
        meta: web.meta("Meldingen", "/meldingen"),
        meldingen: rows,
        statuses: MeldingStatus::ALL
            .iter()
            .map(|s| (s.as_str(), melding_status(*s), Some(*s) == status))
            .collect(),
        filtered: status.is_some(),
        unknown_status,
    }))
}

// ---------------------------------------------------------------------------------------------
// One melding.

#[derive(Template)]
#[template(path = "melding.html")]
struct MeldingPage {
    meta: PageMeta,
    m: MeldingFacts,
    /// The organisation acted for (the API link names it for users with several).
    org: String,
    history: Vec<HistoryRow>,
    /// "Gewijzigd na melding": corrections that touched what the melding reported.
    changes: Vec<HistoryRow>,
    actions: Vec<ActionRow>,
    tasks: Vec<TaskRow>,
    error: Option<String>,
    done: Option<&'static str>,
    today: String,
    reasons: Vec<(&'static str, &'static str)>,
    how: &'static [(&'static str, &'static str)],
    measures: &'static [(&'static str, &'static str, &'static str, &'static str)],
    running: bool,
    new: bool,
    in_behandeling: bool,
    /// The school that made the melding looks at it: read-only, but for withdrawing it.
    school_view: bool,
    /// The oproep letter's default place: the municipality's address.
    place: String,
}

struct MeldingFacts {
    id: i64,
    case_id: i64,
    school_id: String,
    pupil_id: String,
    pupil: String,
    school: String,
    number: String,
    kind: &'static str,
    period: String,
    hours: String,
    suspected_reason: String,
    school_actions: String,
    received: String,
    status: &'static str,
    status_reason: Option<String>,
    afspraken: Option<String>,
}

struct ActionRow {
    date: String,
    what: String,
    summary: String,
    parents: String,
    by: String,
}

/// The persoonsgebonden nummer with all but its last 3 digits hidden.
fn masked(kind: NumberKind, number: &str) -> String {
    let label = match kind {
        NumberKind::Bsn => "BSN",
        NumberKind::Onderwijsnummer => "onderwijsnummer",
    };
    let n = number.chars().count();
    if n == 0 {
        return format!("{label}: onbekend");
    }
    let shown: String = number.chars().skip(n.saturating_sub(3)).collect();
    format!("{label} {}{shown}", "•".repeat(n.saturating_sub(3)))
}

/// The forms of the formal measures: (action, title, date label, hint).
const MEASURES: &[(&str, &str, &str, &str)] = &[
    (
        "officiele_waarschuwing",
        "Officiële waarschuwing",
        "Gegeven op",
        "",
    ),
    (
        "halt",
        "HALT-verwijzing",
        "Verwezen op",
        "Alleen voor een leerling van 12 jaar of ouder op die dag.",
    ),
    ("proces_verbaal", "Proces-verbaal", "Opgemaakt op", ""),
];

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "in_behandeling" => "De melding is in behandeling genomen.",
        "gesprek" => "Het gesprek is vastgelegd.",
        "waarschuwingsbrief" => "De waarschuwingsbrief is vastgelegd.",
        "officiele_waarschuwing" => "De officiële waarschuwing is vastgelegd.",
        "halt" => "De HALT-verwijzing is vastgelegd.",
        "proces_verbaal" => "Het proces-verbaal is vastgelegd.",
        "verwijzing_zorg" => "De verwijzing zorg is vastgelegd.",
        "afspraken" => "De afspraken zijn vastgelegd en teruggekoppeld aan de school.",
        "afgesloten" => "De melding is afgesloten; de school krijgt de afspraken als taak.",
        "ter_kennisgeving_aangenomen" => "De melding is ter kennisgeving aangenomen.",
        "ingetrokken" => "De melding is ingetrokken; leerplicht ziet dat in DUO's status.",
        _ => return task_done_message(code),
    })
}

/// The message after a task on a melding's or referral's page (`task_action`'s codes).
pub(super) fn task_done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "taak_afgerond" => "De taak is afgerond.",
        "taak_niet_nodig" => "De taak is als niet nodig afgesloten.",
        _ => return None,
    })
}

/// `?gedaan=…` on a melding's or referral's page: what the form just did.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    pub(super) gedaan: Option<String>,
}

/// `GET /meldingen/{id}`.
pub async fn melding(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> ApiResult<Response> {
    require_melding_reader(&web)?;
    let view = meldingen::melding(&state.store, &web.caller(), id)
        .await
        .map_err(service_error)?;
    let done = q.gedaan.as_deref().and_then(done_message);
    let page = melding_page(&state, &web, view, None, done).await?;
    audit_page(
        &audit,
        &web,
        false,
        AuditObject::Melding(id).to_string(),
        Some((&page.m.school_id, &page.m.pupil_id)),
    )
    .await?;
    Ok(render(&page))
}

/// Leerplicht of the melding's municipality, or the coordinator of the school that made it (the
/// service scopes which meldingen each sees).
fn require_melding_reader(web: &WebUser) -> ApiResult<()> {
    web.require(&[Role::Leerplichtambtenaar], Some(OrgKind::Gemeente))
        .or_else(|_| web.require(&[Role::Verzuimcoordinator], Some(OrgKind::School)))
}

fn is_school(web: &WebUser) -> bool {
    web.org.kind == OrgKind::School
}

async fn melding_page(
    state: &AppState,
    web: &WebUser,
    view: MeldingView,
    error: Option<String>,
    done: Option<&'static str>,
) -> ApiResult<MeldingPage> {
    let m = &view.melding;
    let (mut names, mut orgs, mut actors) = (HashMap::new(), HashMap::new(), HashMap::new());
    let pupil = pupil_name(state, web, &mut names, &m.school_id, &m.pupil_id).await;
    let school = org_name(state, &mut orgs, &m.school_id).await;
    let mut history = Vec::new();
    for h in &view.history {
        history.push(history_row(state, &mut actors, h).await);
    }
    let mut changes = Vec::new();
    for c in &view.changes {
        changes.push(HistoryRow {
            at: nl::date_time_nl(c.at),
            status: c.what.clone(),
            reason: c.reason.clone().unwrap_or_default(),
            by: actor_name(state, &mut actors, &c.actor).await,
        });
    }
    let school_view = is_school(web);
    let mut actions = Vec::new();
    let recorded = if school_view {
        // The school sees leerplicht's actions on the case timeline (without the summaries).
        Vec::new()
    } else {
        leerplicht::actions(&state.store, &web.caller(), m.id)
            .await
            .map_err(service_error)?
    };
    for a in recorded {
        let what = match (a.kind, a.with_whom) {
            (LeerplichtActionKind::Gesprek, Some(w)) => {
                format!("Gesprek met {}", leerplicht::with_label(w))
            }
            (LeerplichtActionKind::VerwijzingZorg, _) => format!(
                "Verwijzing zorg naar {}",
                a.referred_to.as_deref().unwrap_or("?")
            ),
            (kind, _) => nl::capitalise(leerplicht::kind_label(kind)),
        };
        actions.push(ActionRow {
            date: date_nl(a.date),
            what,
            summary: a.summary.unwrap_or_default(),
            parents: a
                .parents_how
                .map_or_else(|| "niet".to_owned(), |h| how_label(h).to_owned()),
            by: actor_name(state, &mut actors, &a.created_by).await,
        });
    }
    let melding_id = m.id;
    let tasks = if school_view {
        Vec::new()
    } else {
        own_open_tasks(state, web, m.case_id, Party::Leerplicht, |l| {
            l.melding_id == Some(melding_id)
        })
        .await?
    };
    let running = matches!(
        m.status,
        MeldingStatus::Geregistreerd | MeldingStatus::InBehandeling
    );
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
    Ok(MeldingPage {
        place,
        meta: web.meta(
            format!("Melding van {pupil}"),
            if school_view {
                "/leerlingen"
            } else {
                "/meldingen"
            },
        ),
        m: MeldingFacts {
            id: m.id,
            case_id: m.case_id,
            school_id: m.school_id.clone(),
            pupil_id: m.pupil_id.clone(),
            pupil,
            school,
            number: masked(view.number_kind, &view.number),
            kind: kind_label(m.verzuim_kind),
            period: format!("{} t/m {}", date_nl(m.period.from), date_nl(m.period.to)),
            hours: hours_or_nvt(m.minutes),
            suspected_reason: m.suspected_reason.clone(),
            school_actions: m.school_actions.clone(),
            received: date_nl(nl::local_date(m.created_at)),
            status: melding_status(m.status),
            status_reason: m.status_reason.as_deref().map(reason_nl),
            afspraken: view.afspraken.clone(),
        },
        org: web.org_id().to_owned(),
        history,
        changes,
        actions,
        tasks,
        error,
        done,
        today: today(state).to_string(),
        reasons: ClosingReason::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        how: HOW,
        measures: MEASURES,
        running,
        new: m.status == MeldingStatus::Geregistreerd,
        in_behandeling: m.status == MeldingStatus::InBehandeling,
        school_view,
    })
}

pub(crate) async fn history_row(
    state: &AppState,
    actors: &mut HashMap<String, String>,
    h: &HistoryEntry,
) -> HistoryRow {
    let status = h.status.replace('_', " ");
    HistoryRow {
        at: nl::date_time_nl(h.at),
        reason: h.reason.as_deref().map(reason_nl).unwrap_or_default(),
        status,
        by: actor_name(state, actors, &h.actor).await,
    }
}

/// The fields of every form on the melding page (`actie` says which).
#[derive(Debug, Default, Deserialize)]
pub struct MeldingForm {
    actie: String,
    datum: Option<String>,
    met: Option<String>,
    samenvatting: Option<String>,
    ouders: Option<String>,
    afspraken: Option<String>,
    /// A verwijzing zorg: the organisation referred to.
    organisatie: Option<String>,
    /// `taak`, `ouders_datum`, `ouders_hoe` and `reden` (also the reason of `intrekken` and
    /// `afsluiten`).
    #[serde(flatten)]
    task: TaskFields,
}

/// `POST /meldingen/{id}`: one of the page's forms.
pub async fn melding_post(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Form(f): Form<MeldingForm>,
) -> ApiResult<Response> {
    require_melding_reader(&web)?;
    if is_school(&web) && f.actie != "intrekken" {
        return Err(crate::error::ApiError::forbidden());
    }
    let caller = web.caller();
    let view = meldingen::melding(&state.store, &caller, id)
        .await
        .map_err(service_error)?;
    // Each write commits its audit row (`melding:{id}:{code}`) with it.
    let row = page_rows(
        &audit,
        &web,
        AuditObject::Melding(id).to_string(),
        (&view.melding.school_id, &view.melding.pupil_id),
    );
    let outcome = apply(&state, &web, id, &f, &row).await;
    match outcome {
        Ok(code) => Ok(Redirect::to(&format!("/meldingen/{id}?gedaan={code}")).into_response()),
        Err(msg) => {
            let view = meldingen::melding(&state.store, &caller, id)
                .await
                .map_err(service_error)?;
            let page = melding_page(&state, &web, view, Some(msg), None).await?;
            audit_page(
                &audit,
                &web,
                false,
                AuditObject::Melding(id).to_string(),
                Some((&page.m.school_id, &page.m.pupil_id)),
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
    f: &MeldingForm,
    row: &PageRow<'_>,
) -> Result<&'static str, String> {
    let caller = web.caller();
    let status = |action: MeldingAction, code: &'static str| async move {
        meldingen::melding_action(&state.store, &web.caller().audited(&row(code)), id, &action)
            .await
            .map(|_| code)
            .map_err(message)
    };
    match f.actie.as_str() {
        "in_behandeling" => status(MeldingAction::InBehandeling, "in_behandeling").await,
        "intrekken" => {
            let reason = f.task.reden.as_deref().map(str::trim).unwrap_or_default();
            if reason.is_empty() {
                return Err("Vul de reden van het intrekken in.".to_owned());
            }
            status(
                MeldingAction::Ingetrokken {
                    reason: reason.to_owned(),
                },
                "ingetrokken",
            )
            .await
        }
        "ter_kennisgeving" => {
            status(
                MeldingAction::TerKennisgevingAangenomen {
                    afspraken: f.afspraken.clone(),
                },
                "ter_kennisgeving_aangenomen",
            )
            .await
        }
        "afsluiten" => {
            let reason = f
                .task
                .reden
                .as_deref()
                .map(str::trim)
                .and_then(ClosingReason::parse)
                .ok_or_else(|| "Kies de reden van afsluiten.".to_owned())?;
            status(
                MeldingAction::Afgesloten {
                    reason,
                    afspraken: f.afspraken.clone().unwrap_or_default(),
                },
                "afgesloten",
            )
            .await
        }
        "afspraken" => meldingen::record_afspraken(
            &state.store,
            &caller.audited(&row("afspraken")),
            id,
            f.afspraken.as_deref().unwrap_or_default(),
        )
        .await
        .map(|_| "afspraken")
        .map_err(message),
        "taak_afronden" | "taak_niet_nodig" => {
            task_form(state, web, &f.task, f.actie == "taak_afronden", row).await
        }
        other => {
            let kind =
                LeerplichtActionKind::parse(other).ok_or_else(|| "Onbekende actie.".to_owned())?;
            let date = form_date(f.datum.as_deref(), "datum")?;
            let with_whom = match f.met.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(w) => Some(
                    ConversationWith::parse(w)
                        .ok_or_else(|| "Kies met wie het gesprek was.".to_owned())?,
                ),
            };
            let parents_informed = match f.ouders.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(h) => Some(
                    InformedHow::parse(h)
                        .ok_or_else(|| "Kies hoe de ouders zijn geïnformeerd.".to_owned())?,
                ),
            };
            leerplicht::record_action(
                &state.store,
                &caller.audited(&row(kind.as_str())),
                today(state),
                id,
                &ActionInput {
                    kind,
                    date,
                    with_whom,
                    summary: f.samenvatting.clone(),
                    parents_informed,
                    referred_to: f.organisatie.clone(),
                },
            )
            .await
            .map_err(message)?;
            Ok(kind.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hours_or_nvt;

    #[test]
    fn hours_are_dutch_and_absent_for_meldingen_without_hours() {
        assert_eq!(hours_or_nvt(21 * 60), "21 uur");
        assert_eq!(hours_or_nvt(95), "1 uur en 35 minuten");
        assert_eq!(hours_or_nvt(1245), "20 uur en 45 minuten");
        assert_eq!(hours_or_nvt(0), "n.v.t.");
    }
}
