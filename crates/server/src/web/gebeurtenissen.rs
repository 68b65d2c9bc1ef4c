//! `/leerlingen/{school}/{pupil}/gebeurtenissen`: the events a school records by hand
//! (docs/spec/rules.md §2: "verwijdering", "zorg om ziekte", "overig verzuim"; formats.md
//! `events.csv`), recorded, corrected and deleted in the pages by the school's
//! verzuimcoördinator (issue 10.3; until now only the API and the import did this).
//!
//! The page lists the pupil's current events, each with its earlier versions and the reason of
//! every correction, a form to correct it and one to delete it, and a form to record a new one.
//! Every change is one service call (`verzuim_service::records::{add_event,
//! correct_event_because, delete_event_because}`: checked, stored as a new version, the pupil
//! re-evaluated, the audit row committed with it): an event before the previous lesweek is
//! corrected only with a reason, and a melding whose evidence or period holds the event stays as
//! sent and is marked "gewijzigd na melding", with tasks for leerplicht and the school. A refused
//! form comes back with the Dutch message at that form, what was entered, and nothing stored.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_engine::model::{Event, EventKind};
use verzuim_service::model::{MAX_PAGE_SIZE, Page, StoredEvent, StoredPupil};
use verzuim_service::{ServiceError, history, records, visibility};

use super::leerplicht::actor_name;
use super::session::{PageMeta, WebUser};
use super::{own_school_pupil, render, sentence, service_error, today, url_part};
use crate::api::common::{Versioned, change_audit_row};
use crate::audit::{Audit, AuditObject, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::nl::{date_nl, date_time_nl, parse_date_nl};
use crate::state::AppState;

/// The path of a pupil's events page.
pub fn href(school_id: &str, pupil_id: &str) -> String {
    format!(
        "/leerlingen/{}/{}/gebeurtenissen",
        url_part(school_id),
        url_part(pupil_id)
    )
}

/// The fields of the page's forms (`actie`: `toevoegen`, `corrigeren` or `verwijderen`), as
/// entered (kept when a form is refused).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    actie: String,
    /// The event corrected or deleted.
    #[serde(default)]
    id: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    toelichting: String,
    /// Why an event is corrected or deleted.
    #[serde(default)]
    reden: String,
}

impl EventForm {
    fn of(e: &StoredEvent) -> EventForm {
        EventForm {
            actie: String::new(),
            id: e.id.to_string(),
            soort: e.event.kind.as_str().to_owned(),
            datum: e.event.date.to_string(),
            toelichting: e.event.note.clone().unwrap_or_default(),
            reden: String::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    /// After a change: `toegevoegd`, `gecorrigeerd` or `verwijderd`.
    #[serde(default)]
    gedaan: String,
}

/// One choice of the kind selects.
struct KindChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn kind_choices(selected: &str) -> Vec<KindChoice> {
    EventKind::ALL
        .into_iter()
        .map(|k| KindChoice {
            value: k.as_str(),
            label: k.label(),
            selected: k.as_str() == selected,
        })
        .collect()
}

/// An earlier version of an event, or the current one's correction, in words.
struct VersionRow {
    text: String,
    by: String,
    reason: String,
}

/// One current event with its forms.
struct EventRow {
    id: i64,
    title: String,
    note: String,
    recorded: String,
    /// The versions before the current one, oldest first, and the reason of each correction.
    history: Vec<VersionRow>,
    /// The correction form's choices and values (the entered ones after a refusal).
    kinds: Vec<KindChoice>,
    f: EventForm,
    /// The refusal of this event's form.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "leerling_gebeurtenissen.html")]
struct EventsPage {
    meta: PageMeta,
    action: String,
    dossier: String,
    gegevens: String,
    name: String,
    id: String,
    today: String,
    rows: Vec<EventRow>,
    add_kinds: Vec<KindChoice>,
    add: EventForm,
    add_error: Option<String>,
    saved: Option<String>,
    /// Unused by this page; `beheer_messages.html` reads it.
    errors: Vec<String>,
}

/// "Overig verzuim op 24-09-2026".
fn describe(e: &Event) -> String {
    format!("{} op {}", e.kind.label(), date_nl(e.date))
}

/// A refused form's message: the service's Dutch sentence, or the error page for the rest.
fn refusal(e: ServiceError) -> ApiResult<String> {
    match e {
        ServiceError::Invalid(m) | ServiceError::Conflict(m) => Ok(sentence(&m)),
        ServiceError::Forbidden(_) => Ok("U mag deze actie niet uitvoeren.".into()),
        ServiceError::NotFound => Ok("Deze gebeurtenis bestaat niet (meer).".into()),
        other => Err(service_error(other)),
    }
}

/// Where a refused form goes: the new event's form, or an event's own.
enum Refused {
    None,
    Add(EventForm, String),
    Event(i64, EventForm, String),
}

async fn page_of(
    state: &AppState,
    web: &WebUser,
    p: &StoredPupil,
    refused: Refused,
    saved: Option<String>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let (school_id, pupil_id) = (p.school_id.as_str(), p.data.pupil.id.as_str());
    let events = visibility::events(
        &state.store,
        &caller,
        school_id,
        pupil_id,
        Page::first(MAX_PAGE_SIZE),
    )
    .await
    .map_err(service_error)?;
    let mut rows = Vec::with_capacity(events.len());
    let mut names = HashMap::new();
    for e in &events {
        let history::EventHistory { versions, reasons } =
            history::event_history(&state.store, &caller, school_id, e.id)
                .await
                .map_err(service_error)?;
        let reason_of = |version: i64| {
            reasons
                .iter()
                .find(|(v, _)| *v == version)
                .map(|(_, r)| r.clone())
                .unwrap_or_default()
        };
        let mut history = Vec::new();
        for v in versions.iter().filter(|v| v.version < e.version) {
            history.push(VersionRow {
                text: match &v.event.note {
                    Some(n) => format!("{} ({n})", describe(&v.event)),
                    None => describe(&v.event),
                },
                by: format!(
                    "{} door {} op {}",
                    if v.version == 1 {
                        "Vastgelegd"
                    } else {
                        "Gecorrigeerd"
                    },
                    actor_name(state, &mut names, &v.created_by).await,
                    date_time_nl(v.created_at)
                ),
                reason: reason_of(v.version),
            });
        }
        let (f, error) = match &refused {
            Refused::Event(id, f, m) if *id == e.id => (f.clone(), Some(m.clone())),
            _ => (EventForm::of(e), None),
        };
        let current_reason = reason_of(e.version);
        rows.push(EventRow {
            id: e.id,
            title: describe(&e.event),
            note: e.event.note.clone().unwrap_or_default(),
            recorded: format!(
                "{} door {} op {}{}",
                if e.version == 1 {
                    "Vastgelegd"
                } else {
                    "Gecorrigeerd"
                },
                actor_name(state, &mut names, &e.created_by).await,
                date_time_nl(e.created_at),
                if current_reason.is_empty() {
                    String::new()
                } else {
                    format!(", reden: {current_reason}")
                }
            ),
            history,
            kinds: kind_choices(&f.soort),
            f,
            error,
        });
    }
    let (add, add_error) = match refused {
        Refused::Add(f, m) => (f, Some(m)),
        _ => (EventForm::default(), None),
    };
    let name = p
        .data
        .name
        .clone()
        .unwrap_or_else(|| p.data.pupil.id.clone());
    Ok(render(&EventsPage {
        meta: web.meta(format!("Gebeurtenissen van {name}"), "/leerlingen"),
        action: href(school_id, pupil_id),
        dossier: format!("/leerlingen/{}/{}", url_part(school_id), url_part(pupil_id)),
        gegevens: super::gegevens::href(school_id, pupil_id),
        id: pupil_id.to_owned(),
        name,
        today: today(state).to_string(),
        rows,
        add_kinds: kind_choices(&add.soort),
        add,
        add_error,
        saved,
        errors: Vec::new(),
    }))
}

/// `GET /leerlingen/{school}/{pupil}/gebeurtenissen`.
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> ApiResult<Response> {
    let p = own_school_pupil(&state, &web, &school_id, &pupil_id).await?;
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object(AuditObject::Events(pupil_id.clone()))
        .pupil(&school_id, &pupil_id)
        .write()
        .await?;
    let saved = match q.gedaan.as_str() {
        "toegevoegd" => Some("De gebeurtenis is vastgelegd."),
        "gecorrigeerd" => Some("De gebeurtenis is gecorrigeerd."),
        "verwijderd" => Some("De gebeurtenis is verwijderd; haar eerdere versies blijven bewaard."),
        _ => None,
    }
    .map(|m| format!("{m} De leerling is opnieuw beoordeeld."));
    page_of(&state, &web, &p, Refused::None, saved).await
}

/// The event a form describes, or the Dutch message of what is missing or wrong.
fn event_of(f: &EventForm) -> Result<Event, String> {
    let kind = EventKind::parse(f.soort.trim()).ok_or_else(|| {
        "Kies de soort gebeurtenis: verwijdering, ziekte die reden tot zorg geeft of overig verzuim."
            .to_owned()
    })?;
    let datum = f.datum.trim();
    if datum.is_empty() {
        return Err("Vul de datum van de gebeurtenis in.".into());
    }
    let date = parse_date_nl(datum)
        .ok_or_else(|| format!("Datum: \"{datum}\" is geen datum (schrijf dd-mm-jjjj)."))?;
    let note = f.toelichting.trim();
    Ok(Event {
        kind,
        date,
        note: (!note.is_empty()).then(|| note.to_owned()),
    })
}

/// `POST /leerlingen/{school}/{pupil}/gebeurtenissen`: records, corrects or deletes an event
/// (one service call each); then back to the page with what was done.
pub async fn save(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Form(f): Form<EventForm>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let p = own_school_pupil(&state, &web, &school_id, &pupil_id).await?;
    let today = today(&state);
    // The audit row commits with the change (`event:{id}:{add|correct|delete}`).
    let audited = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(web.org_id())
        .pupil(&school_id, &pupil_id);
    let reason = Some(f.reden.trim()).filter(|r| !r.is_empty());
    let outcome: Result<&str, Refused> = match f.actie.as_str() {
        "toevoegen" => match event_of(&f) {
            Err(m) => Err(Refused::Add(f.clone(), m)),
            Ok(event) => {
                let row = change_audit_row(&audited, Versioned::Event, "add");
                match records::add_event(
                    &state.store,
                    &caller,
                    today,
                    &school_id,
                    &pupil_id,
                    &event,
                    Some(&row),
                )
                .await
                {
                    Ok(_) => Ok("toegevoegd"),
                    Err(e) => Err(Refused::Add(f.clone(), refusal(e)?)),
                }
            }
        },
        "corrigeren" | "verwijderen" => {
            let id: i64 =
                f.id.trim()
                    .parse()
                    .map_err(|_| ApiError::bad_request("ongeldig", "Welke gebeurtenis?"))?;
            // Only an event of this pupil (another pupil's id is not found here).
            if history::pupil_of_event(&state.store, &caller, &school_id, id)
                .await
                .map_err(service_error)?
                .as_deref()
                != Some(pupil_id.as_str())
            {
                return Err(ApiError::not_found());
            }
            if f.actie == "corrigeren" {
                match event_of(&f) {
                    Err(m) => Err(Refused::Event(id, f.clone(), m)),
                    Ok(event) => {
                        let row = change_audit_row(&audited, Versioned::Event, "correct");
                        match records::correct_event_because(
                            &state.store,
                            &caller,
                            today,
                            &school_id,
                            id,
                            &event,
                            reason,
                            Some(&row),
                        )
                        .await
                        {
                            Ok(_) => Ok("gecorrigeerd"),
                            Err(e) => Err(Refused::Event(id, f.clone(), refusal(e)?)),
                        }
                    }
                }
            } else {
                let row = change_audit_row(&audited, Versioned::Event, "delete");
                match records::delete_event_because(
                    &state.store,
                    &caller,
                    today,
                    &school_id,
                    id,
                    reason,
                    Some(&row),
                )
                .await
                {
                    Ok(_) => Ok("verwijderd"),
                    Err(e) => Err(Refused::Event(id, f.clone(), refusal(e)?)),
                }
            }
        }
        _ => return Err(ApiError::bad_request("ongeldig", "Onbekende actie.")),
    };
    match outcome {
        Ok(done) => Ok(
            Redirect::to(&format!("{}?gedaan={done}", href(&school_id, &pupil_id))).into_response(),
        ),
        Err(refused) => page_of(&state, &web, &p, refused, None).await,
    }
}
