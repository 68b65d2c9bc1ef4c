//! `/leerlingen/{school}/{pupil}/gegevens`: the school's coordinator and beheerder correct a
//! pupil's data in the pages (issue 10.5): the persoonsgebonden nummer (BSN, checked with the
//! elfproef, or onderwijsnummer), the parents' contact details, the address, the woongemeente,
//! the group, the enrolment and the deregistration with the next school.
//!
//! Every change goes through `verzuim_service::records::update_pupil` (validated with Dutch
//! messages, stored, and the pupil re-evaluated in the same transaction) and is written to the
//! audit log with the names (never the values) of the fields that changed
//! (`pupil:{id}:update:{fields}`). A melding that cannot be made for want of a BSN or a known
//! woongemeente links here (the dossier's melding form).

use askama::Template;
use axum::Form;
use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_service::model::{PupilData, Role, StoredPupil};
use verzuim_service::records;

use super::session::{PageMeta, WebUser};
use super::url_part;
use super::{own_school_pupil, render, sentence, service_error, today};
use crate::audit::{Audit, AuditObject, action};
use crate::error::ApiResult;
use crate::nl::date_nl;
use crate::state::AppState;

/// The path of a pupil's data page.
pub fn href(school_id: &str, pupil_id: &str) -> String {
    format!(
        "/leerlingen/{}/{}/gegevens",
        url_part(school_id),
        url_part(pupil_id)
    )
}

/// The form's fields, as entered (kept when the form is refused).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PupilForm {
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    onderwijsnummer: String,
    #[serde(default)]
    ouder_naam: String,
    #[serde(default)]
    ouder_email: String,
    #[serde(default)]
    ouder_telefoon: String,
    #[serde(default)]
    straat: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    plaats: String,
    #[serde(default)]
    woongemeente: String,
    #[serde(default)]
    groep: String,
    #[serde(default)]
    ingeschreven: String,
    #[serde(default)]
    uitgeschreven: String,
    #[serde(default)]
    nieuwe_school: String,
    #[serde(default)]
    gedaan: String,
}

impl PupilForm {
    fn of(d: &PupilData) -> PupilForm {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        PupilForm {
            bsn: s(&d.bsn),
            onderwijsnummer: s(&d.onderwijsnummer),
            ouder_naam: s(&d.parent_name),
            ouder_email: s(&d.parent_email),
            ouder_telefoon: s(&d.parent_phone),
            straat: s(&d.street),
            postcode: s(&d.postcode),
            plaats: s(&d.city),
            woongemeente: d.pupil.municipality.clone(),
            groep: d.pupil.group.clone(),
            ingeschreven: d.pupil.enrolled_from.to_string(),
            uitgeschreven: d
                .pupil
                .enrolled_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
            nieuwe_school: s(&d.pupil.next_school),
            gedaan: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "leerling_gegevens.html")]
struct DataPage {
    meta: PageMeta,
    action: String,
    /// The parents' portal page of the pupil (invitations).
    ouders: String,
    dossier: Option<String>,
    /// The coordinator: the pupil's events page.
    events: Option<String>,
    /// The beheerder: the AVG inzage export of the pupil (a JSON download).
    inzage: Option<String>,
    name: String,
    id: String,
    birth: String,
    municipality_name: String,
    groups: Vec<String>,
    f: PupilForm,
    errors: Vec<String>,
    saved: Option<String>,
}

async fn page_of(
    state: &AppState,
    web: &WebUser,
    p: &StoredPupil,
    f: PupilForm,
    errors: Vec<String>,
    saved: Option<String>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let mut groups: Vec<String> = verzuim_service::overview::pupils_per_group(
        &state.store,
        &caller,
        web.org_id(),
        today(state),
    )
    .await
    .map_err(service_error)?
    .into_keys()
    .collect();
    if let Ok(Some(s)) =
        verzuim_service::overview::school_settings(&state.store, &web.caller(), web.org_id()).await
    {
        groups.extend(s.school.groups.keys().cloned());
    }
    groups.push(p.data.pupil.group.clone());
    groups.sort_by_key(|g| {
        let n: String = g.chars().take_while(char::is_ascii_digit).collect();
        (n.parse::<u32>().unwrap_or(u32::MAX), g.clone())
    });
    groups.dedup();
    let municipality_name =
        match verzuim_service::school::find_municipality(&state.store, &p.data.pupil.municipality)
            .await
        {
            Ok(Some(org)) => org.name,
            _ => "onbekende gemeente: melden kan pas met een bekende woongemeente".to_owned(),
        };
    let name = p
        .data
        .name
        .clone()
        .unwrap_or_else(|| p.data.pupil.id.clone());
    let path = href(&p.school_id, &p.data.pupil.id);
    Ok(render(&DataPage {
        meta: web.meta(format!("Gegevens van {name}"), "/leerlingen"),
        ouders: format!("{}/ouders", path.trim_end_matches("/gegevens")),
        action: path,
        dossier: (web.role() == Role::Verzuimcoordinator).then(|| {
            format!(
                "/leerlingen/{}/{}",
                url_part(&p.school_id),
                url_part(&p.data.pupil.id)
            )
        }),
        events: (web.role() == Role::Verzuimcoordinator)
            .then(|| super::gebeurtenissen::href(&p.school_id, &p.data.pupil.id)),
        inzage: (web.role() == Role::Beheerder).then(|| {
            format!(
                "/api/schools/{}/pupils/{}/inzage?org={}",
                url_part(&p.school_id),
                url_part(&p.data.pupil.id),
                url_part(web.org_id())
            )
        }),
        id: p.data.pupil.id.clone(),
        birth: date_nl(p.data.pupil.birth_date),
        name,
        municipality_name,
        groups,
        f,
        errors,
        saved,
    }))
}

/// `GET /leerlingen/{school}/{pupil}/gegevens`.
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    crate::extract::Query(q): crate::extract::Query<PupilForm>,
) -> ApiResult<Response> {
    let p = own_school_pupil(&state, &web, &school_id, &pupil_id).await?;
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object(AuditObject::Pupil(pupil_id.clone()).detail("gegevens"))
        .pupil(&school_id, &pupil_id)
        .write()
        .await?;
    let saved = (!q.gedaan.is_empty()).then(|| {
        format!(
            "Opgeslagen: {}. De leerling is opnieuw beoordeeld.",
            q.gedaan
        )
    });
    let f = PupilForm::of(&p.data);
    page_of(&state, &web, &p, f, Vec::new(), saved).await
}

/// A date of the form (`jjjj-mm-dd` from a date input, or `dd-mm-jjjj`).
fn parse_date(field: &str, s: &str) -> Result<Date, String> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if let [d, m, y] = parts[..]
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>())
        && let Ok(date) = Date::new(y, m, d)
    {
        return Ok(date);
    }
    Err(format!(
        "{field}: \"{s}\" is geen datum (schrijf dd-mm-jjjj)."
    ))
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The Dutch names and audit keys of the fields that differ between `old` and `new`.
fn changed(old: &PupilData, new: &PupilData) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let (o, n) = (&old.pupil, &new.pupil);
    let checks: [(bool, &'static str, &'static str); 9] = [
        (old.bsn != new.bsn, "BSN", "bsn"),
        (
            old.onderwijsnummer != new.onderwijsnummer,
            "onderwijsnummer",
            "onderwijsnummer",
        ),
        (
            old.parent_name != new.parent_name
                || old.parent_email != new.parent_email
                || old.parent_phone != new.parent_phone,
            "contactgegevens ouders",
            "ouders",
        ),
        (
            old.street != new.street || old.postcode != new.postcode || old.city != new.city,
            "adres",
            "adres",
        ),
        (
            o.municipality != n.municipality,
            "woongemeente",
            "woongemeente",
        ),
        (o.group != n.group, "groep", "groep"),
        (
            o.enrolled_from != n.enrolled_from,
            "inschrijfdatum",
            "inschrijving",
        ),
        (
            o.enrolled_until != n.enrolled_until,
            "uitschrijving",
            "uitschrijving",
        ),
        (
            o.next_school != n.next_school,
            "nieuwe school",
            "nieuwe_school",
        ),
    ];
    for (differs, label, key) in checks {
        if differs {
            out.push((label, key));
        }
    }
    out
}

/// `POST /leerlingen/{school}/{pupil}/gegevens`: stores the corrected data (re-evaluating the
/// pupil) and writes the audit row; a refused form comes back with its Dutch messages and what
/// was entered.
pub async fn save(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Form(f): Form<PupilForm>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let p = own_school_pupil(&state, &web, &school_id, &pupil_id).await?;
    let mut errors = Vec::new();
    let mut d = p.data.clone();
    d.bsn = opt(&f.bsn).map(|b| b.replace([' ', '.'], ""));
    if let Some(b) = &d.bsn
        && !verzuim_exchange::values::is_valid_bsn(b)
    {
        errors.push(format!(
            "BSN: \"{b}\" is geen geldig BSN (9 cijfers die de elfproef doorstaan)."
        ));
    }
    d.onderwijsnummer = opt(&f.onderwijsnummer);
    if let Some(o) = &d.onderwijsnummer
        && (o.len() != 9 || !o.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(format!(
            "Onderwijsnummer: \"{o}\" is geen onderwijsnummer (9 cijfers)."
        ));
    }
    d.parent_name = opt(&f.ouder_naam);
    d.parent_email = opt(&f.ouder_email);
    if let Some(e) = &d.parent_email
        && (!e.contains('@') || e.contains(char::is_whitespace))
    {
        errors.push(format!("E-mailadres ouders: \"{e}\" is geen e-mailadres."));
    }
    d.parent_phone = opt(&f.ouder_telefoon);
    d.street = opt(&f.straat);
    d.postcode = opt(&f.postcode);
    d.city = opt(&f.plaats);
    match opt(&f.woongemeente) {
        Some(m) => d.pupil.municipality = m,
        None => errors.push("Woongemeente: vul de gemeente of haar CBS-code in.".into()),
    }
    match opt(&f.groep) {
        Some(g) => d.pupil.group = g,
        None => errors.push("Groep: kies een groep.".into()),
    }
    match parse_date("Ingeschreven vanaf", &f.ingeschreven) {
        Ok(date) => d.pupil.enrolled_from = date,
        Err(m) => errors.push(m),
    }
    d.pupil.enrolled_until = match opt(&f.uitgeschreven) {
        None => None,
        Some(s) => match parse_date("Uitgeschreven per", &s) {
            Ok(date) => Some(date),
            Err(m) => {
                errors.push(m);
                None
            }
        },
    };
    d.pupil.next_school = opt(&f.nieuwe_school);
    if d.pupil.next_school.is_some() && opt(&f.uitgeschreven).is_none() {
        errors.push(
            "Nieuwe school: hoort bij een uitschrijving; vul ook \"Uitgeschreven per\" in.".into(),
        );
    }
    if !errors.is_empty() {
        return page_of(&state, &web, &p, f, errors, None).await;
    }
    let fields = changed(&p.data, &d);
    if fields.is_empty() {
        return page_of(
            &state,
            &web,
            &p,
            f,
            Vec::new(),
            Some("Er is niets gewijzigd.".into()),
        )
        .await;
    }
    let keys: Vec<&str> = fields.iter().map(|(_, k)| *k).collect();
    // The audit row commits with the change.
    let event = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(web.org_id())
        .object(AuditObject::Pupil(pupil_id.clone()).detail(format!("update:{}", keys.join(","))))
        .pupil(&school_id, &pupil_id);
    if let Err(e) =
        records::update_pupil(&state.store, &caller.audited(event.entry()), &school_id, &d).await
    {
        let m = match e {
            verzuim_service::ServiceError::Invalid(m)
            | verzuim_service::ServiceError::Conflict(m) => sentence(&m),
            other => return Err(service_error(other)),
        };
        return page_of(&state, &web, &p, f, vec![m], None).await;
    }
    let labels: Vec<&str> = fields.iter().map(|(l, _)| *l).collect();
    let to = format!(
        "{}?gedaan={}",
        href(&school_id, &pupil_id),
        super::url_part(&labels.join(", "))
    );
    Ok(Redirect::to(&to).into_response())
}
