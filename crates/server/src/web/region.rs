//! Leerplicht's regional pages and the school's page for DUO's verzuimregister (issue 11):
//!
//! - `GET /prikactie?jaar=&vakantie=`: the prikactie around a school holiday (kaart Twente PO,
//!   "Luxe verzuim": "prikacties rondom schoolvakanties ter controle luxeverzuim"); counts per
//!   school, pupils only where the municipality has a melding (`verzuim_service::region`).
//! - `GET /jaarcijfers?jaar=` and `GET /jaarcijfers.csv?jaar=`: the municipality's year in
//!   figures, with an SVG chart ([`super::charts`]) and the same numbers as CSV.
//! - `GET|POST /meldingen/{id}/duo`, `GET /meldingen/{id}/duo.json`, `GET /meldingen/{id}/duo.csv`:
//!   the melding's fields as DUO's register asks them, to copy or download; the school fills in
//!   what the register asks beyond the melding and records DUO's meldingsnummer
//!   (`verzuim_service::duo`).
//! - `GET|POST /beheer/contactpersoon`: the school's contact person in the register.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::model::{Code, SignalKind};
use verzuim_service::duo::{self, DuoKind, DuoMelding, DuoStatus};
use verzuim_service::model::{DuoClosingReason, DuoDetails, PhoneOf, SchoolContact};
use verzuim_service::model::{OrgKind, Role};
use verzuim_service::region::{self, Figures, YearFigures};

use super::charts;
use super::leerplicht::{audit_page, message, page_event, reason_nl};
use super::session::{PageMeta, WebUser};
use super::{kind_label, render, service_error, today, url_part};
use crate::audit::{Audit, AuditObject};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query};
use crate::nl::date_nl;
use crate::state::AppState;

mod melding_duo;
pub use melding_duo::*;

/// The school years offered: the current one and the five before it, `(year, label, selected)`.
fn years(current: i16, selected: i16) -> Vec<(i16, String, bool)> {
    (current - 5..=current)
        .rev()
        .map(|y| (y, format!("{y}-{}", y + 1), y == selected))
        .collect()
}

fn pick_year(state: &AppState, jaar: Option<i16>) -> (i16, i16) {
    let current = region::year_of(today(state));
    let year = jaar
        .filter(|y| (current - 20..=current + 1).contains(y))
        .unwrap_or(current);
    (current, year)
}

fn opt_date(d: Option<Date>) -> String {
    d.map_or_else(|| "–".into(), date_nl)
}

// ---------------------------------------------------------------------------------------------
// Prikactie.

#[derive(Debug, Default, Deserialize)]
pub struct PrikactieQuery {
    jaar: Option<i16>,
    vakantie: Option<String>,
}

#[derive(Template)]
#[template(path = "prikactie.html")]
struct PrikactiePage {
    meta: PageMeta,
    years: Vec<(i16, String, bool)>,
    year: i16,
    /// `(name, label, selected)`.
    holidays: Vec<(String, String, bool)>,
    holiday: Option<String>,
    schools: Vec<PrikSchoolRow>,
    total: (String, String, String),
    pupils: Vec<PrikPupilRow>,
    small: u64,
}

struct PrikSchoolRow {
    name: String,
    pupils: u64,
    holiday: String,
    before: String,
    after: String,
    absent_before: String,
    absent_after: String,
    possible_luxe: String,
}

struct PrikPupilRow {
    name: String,
    href: String,
    school: String,
    before: String,
    after: String,
    possible_luxe: u64,
}

fn code_nl(c: Option<Code>) -> String {
    match c {
        Some(Code::Luxe) => "luxe verzuim".into(),
        Some(Code::Ongeoorloofd) => "ongeoorloofd".into(),
        Some(_) | None => "aanwezig".into(),
    }
}

/// `GET /prikactie`.
pub async fn prikactie(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<PrikactieQuery>,
) -> ApiResult<Response> {
    let (current, year) = pick_year(&state, q.jaar);
    let vakantie = q
        .vakantie
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let p = region::prikactie(&state.store, &web.caller(), year, vakantie, today(&state))
        .await
        .map_err(service_error)?;
    audit_page(
        &audit,
        &web,
        false,
        AuditObject::Prikactie(year).to_string(),
        None,
    )
    .await?;
    let chosen = p.holiday.as_ref().map(|h| h.name.clone());
    let page = PrikactiePage {
        meta: web.meta("Prikactie rondom schoolvakanties", "/prikactie"),
        years: years(current, year),
        year,
        holidays: p
            .holidays
            .iter()
            .map(|h| {
                (
                    h.name.clone(),
                    format!("{} ({} t/m {})", h.name, date_nl(h.from), date_nl(h.until)),
                    Some(&h.name) == chosen.as_ref(),
                )
            })
            .collect(),
        holiday: chosen,
        schools: p
            .schools
            .iter()
            .map(|s| PrikSchoolRow {
                name: s.school_name.clone(),
                pupils: s.pupils,
                holiday: match (s.holiday_from, s.holiday_until) {
                    (Some(a), Some(b)) => format!("{} t/m {}", date_nl(a), date_nl(b)),
                    _ => "niet in de schoolkalender".into(),
                },
                before: opt_date(s.last_day_before),
                after: opt_date(s.first_day_after),
                absent_before: s.absent_before.label(),
                absent_after: s.absent_after.label(),
                possible_luxe: s.possible_luxe.label(),
            })
            .collect(),
        total: (
            p.total_before.label(),
            p.total_after.label(),
            p.total_possible_luxe.label(),
        ),
        pupils: p
            .pupils
            .iter()
            .map(|r| PrikPupilRow {
                name: r
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("Leerling {}", r.pupil_id)),
                href: format!(
                    "/leerlingen/{}/{}",
                    url_part(&r.school_id),
                    url_part(&r.pupil_id)
                ),
                school: r.school_name.clone(),
                before: format!("{} ({})", code_nl(r.before), opt_date(r.before_date)),
                after: format!("{} ({})", code_nl(r.after), opt_date(r.after_date)),
                possible_luxe: r.possible_luxe,
            })
            .collect(),
        small: region::SMALL_NUMBER,
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------------
// Year in figures.

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    jaar: Option<i16>,
}

#[derive(Template)]
#[template(path = "jaarcijfers.html")]
struct YearPage {
    meta: PageMeta,
    years: Vec<(i16, String, bool)>,
    year: i16,
    period: String,
    chart_svg: String,
    /// Column heads: the schools, then "Totaal".
    columns: Vec<String>,
    /// `(section, [(row label, values per column)])`.
    sections: Vec<Section>,
}

/// A section of the year's table: its title and its rows `(label, value per column)`.
type Section = (String, Vec<(String, Vec<u64>)>);

const ACTIONS: &[(&str, &str)] = &[
    ("gesprek", "Gesprekken"),
    ("waarschuwingsbrief", "Waarschuwingsbrieven"),
    ("officiele_waarschuwing", "Officiële waarschuwingen"),
    ("halt", "HALT-verwijzingen"),
    ("proces_verbaal", "Processen-verbaal"),
    ("verwijzing_zorg", "Verwijzingen zorg"),
];

fn kind_nl(kind: &str) -> String {
    SignalKind::parse(kind).map_or_else(|| kind.replace('_', " "), |k| kind_label(k).to_owned())
}

fn outcome_nl(outcome: &str) -> String {
    match outcome.split_once(':') {
        Some((_, reason)) => format!("Afgesloten: {}", reason_nl(reason)),
        None => match outcome {
            "ter_kennisgeving_aangenomen" => "Ter kennisgeving aangenomen".into(),
            "ingetrokken" => "Ingetrokken door de school".into(),
            other => other.replace('_', " "),
        },
    }
}

/// The table of the year: every row label and its value per school and in total.
fn table(f: &YearFigures) -> (Vec<String>, Vec<Section>) {
    let mut columns: Vec<String> = f.schools.iter().map(|(_, n)| n.clone()).collect();
    columns.push("Totaal".into());
    let cols: Vec<&Figures> = f
        .schools
        .iter()
        .map(|(id, _)| &f.per_school[id])
        .chain(std::iter::once(&f.total))
        .collect();
    let row = |label: String, get: &dyn Fn(&Figures) -> u64| {
        (label, cols.iter().map(|c| get(c)).collect::<Vec<u64>>())
    };
    let mut meldingen = Vec::new();
    for kind in f.total.meldingen.keys() {
        meldingen.push(row(kind_nl(kind), &|c: &Figures| {
            c.meldingen.get(kind).copied().unwrap_or(0)
        }));
    }
    meldingen.push(row("Totaal meldingen".into(), &|c: &Figures| {
        c.meldingen_total
    }));
    let mut outcomes = Vec::new();
    for o in f.total.outcomes.keys() {
        outcomes.push(row(outcome_nl(o), &|c: &Figures| {
            c.outcomes.get(o).copied().unwrap_or(0)
        }));
    }
    let mut actions = Vec::new();
    for (kind, label) in ACTIONS {
        actions.push(row((*label).into(), &|c: &Figures| c.action(kind)));
    }
    for kind in f.total.actions.keys() {
        if !ACTIONS.iter().any(|(k, _)| k == kind) {
            actions.push(row(kind.replace('_', " "), &|c: &Figures| c.action(kind)));
        }
    }
    let thuis = vec![
        row(
            format!("Langdurig relatief verzuim op {}", date_nl(f.from)),
            &|c: &Figures| c.thuiszitters_start.langdurig_relatief_verzuim,
        ),
        row(
            format!("Absoluut verzuim op {}", date_nl(f.from)),
            &|c: &Figures| c.thuiszitters_start.absoluut_verzuim,
        ),
        row(
            format!("Langdurig relatief verzuim op {}", date_nl(f.until)),
            &|c: &Figures| c.thuiszitters_end.langdurig_relatief_verzuim,
        ),
        row(
            format!("Absoluut verzuim op {}", date_nl(f.until)),
            &|c: &Figures| c.thuiszitters_end.absoluut_verzuim,
        ),
    ];
    (
        columns,
        vec![
            ("Meldingen per soort verzuim".into(), meldingen),
            ("Afloop van meldingen".into(), outcomes),
            ("Acties van leerplicht".into(), actions),
            (
                "Thuiszitters (leerlingen met een lopende melding)".into(),
                thuis,
            ),
        ],
    )
}

/// `GET /jaarcijfers`.
pub async fn jaarcijfers(
    State(state): State<AppState>,
    web: WebUser,
    Query(q): Query<YearQuery>,
) -> ApiResult<Response> {
    let (current, year) = pick_year(&state, q.jaar);
    let f = region::year_figures(&state.store, &web.caller(), year)
        .await
        .map_err(service_error)?;
    let labels: Vec<String> = f
        .schools
        .iter()
        .map(|(_, n)| n.clone())
        .chain(std::iter::once("Totaal".to_owned()))
        .collect();
    let cols: Vec<&Figures> = f
        .schools
        .iter()
        .map(|(id, _)| &f.per_school[id])
        .chain(std::iter::once(&f.total))
        .collect();
    type Getter = fn(&Figures) -> u64;
    let getters: [(&str, Getter); 5] = [
        ("Meldingen", |c| c.meldingen_total),
        ("Waarschuwingsbrieven", |c| c.action("waarschuwingsbrief")),
        ("HALT-verwijzingen", |c| c.action("halt")),
        ("Processen-verbaal", |c| c.action("proces_verbaal")),
        ("Thuiszitters eind schooljaar", |c| {
            c.thuiszitters_end.total()
        }),
    ];
    let series: Vec<charts::Series> = getters
        .into_iter()
        .map(|(name, get)| charts::Series {
            name: name.into(),
            values: cols.iter().map(|c| get(c) as f64).collect(),
        })
        .collect();
    let desc = labels
        .iter()
        .zip(&cols)
        .map(|(l, c)| {
            format!(
                "{l}: {} meldingen, {} waarschuwingsbrieven, {} HALT-verwijzingen, {} \
                 processen-verbaal, {} thuiszitters aan het eind",
                c.meldingen_total,
                c.action("waarschuwingsbrief"),
                c.action("halt"),
                c.action("proces_verbaal"),
                c.thuiszitters_end.total()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let chart_svg = charts::grouped_hbars(
        &format!(
            "Jaarcijfers leerplicht {year}-{}: meldingen, waarschuwingsbrieven, \
             HALT-verwijzingen, processen-verbaal en thuiszitters per school en in totaal",
            year + 1
        ),
        &format!("Aantallen per school en in totaal, per soort een staaf. {desc}."),
        &labels,
        &series,
    );
    let (columns, sections) = table(&f);
    Ok(render(&YearPage {
        meta: web.meta("Jaarcijfers leerplicht", "/jaarcijfers"),
        years: years(current, year),
        year,
        period: format!("{} t/m {}", date_nl(f.from), date_nl(f.until)),
        chart_svg,
        columns,
        sections,
    }))
}

/// `GET /jaarcijfers.csv`: the page's table as CSV (`;`-separated, one row per figure, a column
/// per school and the total).
pub async fn jaarcijfers_csv(
    State(state): State<AppState>,
    web: WebUser,
    Query(q): Query<YearQuery>,
) -> ApiResult<Response> {
    let (_, year) = pick_year(&state, q.jaar);
    let f = region::year_figures(&state.store, &web.caller(), year)
        .await
        .map_err(service_error)?;
    let (columns, sections) = table(&f);
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let mut head = vec!["onderdeel".to_owned(), "cijfer".to_owned()];
    head.extend(columns);
    w.write_record(&head).map_err(ApiError::internal)?;
    for (section, rows) in &sections {
        for (label, values) in rows {
            let mut rec = vec![section.clone(), label.clone()];
            rec.extend(values.iter().map(u64::to_string));
            w.write_record(&rec).map_err(ApiError::internal)?;
        }
    }
    let body = w
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        &format!("jaarcijfers-leerplicht-{year}-{}.csv", year + 1),
    ))
}

fn download(body: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// The school's contact person.

#[derive(Template)]
#[template(path = "beheer_contactpersoon.html")]
struct ContactPage {
    meta: PageMeta,
    c: SchoolContact,
    error: Option<String>,
    saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    naam: Option<String>,
    functie: Option<String>,
    telefoon: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    opgeslagen: Option<String>,
}

fn contact_roles(web: &WebUser) -> ApiResult<()> {
    web.require(duo::CONTACT_ROLES, Some(OrgKind::School))
}

/// `GET /beheer/contactpersoon`.
pub async fn contact_page(
    State(state): State<AppState>,
    web: WebUser,
    Query(q): Query<SavedQuery>,
) -> ApiResult<Response> {
    contact_roles(&web)?;
    let c = duo::school_contact(&state.store, &web.caller(), web.org_id())
        .await
        .map_err(service_error)?
        .unwrap_or(SchoolContact {
            name: String::new(),
            function: String::new(),
            phone: String::new(),
            email: String::new(),
        });
    Ok(render(&ContactPage {
        meta: web.meta("Contactpersoon verzuimregister", "/beheer/contactpersoon"),
        c,
        error: None,
        saved: q.opgeslagen.is_some(),
    }))
}

/// `POST /beheer/contactpersoon`.
pub async fn contact_save(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Form(f): Form<ContactForm>,
) -> ApiResult<Response> {
    contact_roles(&web)?;
    let c = SchoolContact {
        name: f.naam.unwrap_or_default(),
        function: f.functie.unwrap_or_default(),
        phone: f.telefoon.unwrap_or_default(),
        email: f.email.unwrap_or_default(),
    };
    let event = page_event(&audit, &web, true, "school:contactpersoon".to_owned(), None);
    let caller = web.caller().audited(event.entry());
    match duo::set_school_contact(&state.store, &caller, web.org_id(), &c).await {
        Ok(_) => Ok(Redirect::to("/beheer/contactpersoon?opgeslagen=1").into_response()),
        Err(e) => Ok(render(&ContactPage {
            meta: web.meta("Contactpersoon verzuimregister", "/beheer/contactpersoon"),
            c,
            error: Some(message(e)),
            saved: false,
        })),
    }
}
