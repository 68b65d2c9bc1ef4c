//! The pupil dossier, `GET /leerlingen/{school_id}/{pupil_id}`, and the school's pupil list,
//! `GET /leerlingen`.
//!
//! The dossier shows the pupil, a year calendar as a picture (server-rendered SVG, coloured by
//! registration code, with the totals per code as its text alternative), each signal with its
//! evidence and the card's actions per party, and per case the timeline (tasks, meldingen,
//! referrals, letters, parent contacts) and the open tasks with their forms. Every party opens it
//! through the service's visibility (a school: its own pupils; leerplicht: pupils with a melding
//! to it; GGD-JGZ: pupils referred to it); only the organisation whose task it is gets a form.
//!
//! `POST /leerlingen/{school_id}/{pupil_id}` takes the forms (`actie`): complete a task (with the
//! parents' information, the melding's content or the judgement the task asks for), mark it not
//! needed, record that the parents were informed, withdraw a melding. Each is one service call
//! (one transaction); a refusal re-renders the page with the Dutch message at the form and stores
//! nothing.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::{day_number, school_year_start};
use verzuim_engine::model::{Code, Party, SignalKind, Span};
use verzuim_letters::{LetterKind, mask_person_number};
use verzuim_service::visibility::{self, CaseView};
use verzuim_service::{
    Completion, Judgement, MeldingAction, MeldingContent, ParentsInformed, ReferralFormInput,
    ServiceError, dossier, meldingen, tasks, tasks::SchoolReportContent,
};
use verzuim_store::{
    InformedHow, MAX_PAGE_SIZE, MeldingStatus, OrgKind, Page, ReferralStatus, Role, SignalStatus,
    StoredEvent, StoredEvidence, StoredPupil, StoredRegistration, TaskStatus,
};

use super::leerplicht::{org_name, user_name};
use super::letters::{allowed_kinds, melding_status_nl};
use super::session::{PageMeta, WebUser};
use super::{url_part, all_pages, kind_label, render, sentence, service_error, today};
use crate::nl::{MONTHS, date_nl};
use crate::nl;
use crate::audit::{Audit, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path as UrlPath, Query};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Colours and labels

/// The calendar colour of a code (each at least 4.5:1 against white).
pub fn code_colour(code: Code) -> &'static str {
    match code {
        Code::Ongeoorloofd => "#b3261e",
        Code::Luxe => "#7b1fa2",
        Code::Ziek => "#1f5fa8",
        Code::TeLaat => "#a65200",
        Code::Verlof => "#00796b",
        Code::Geoorloofd => "#2e7d32",
        Code::Schorsing => "#37474f",
    }
}

const WEEKEND: &str = "#e3e3e3";
const CLOSED: &str = "#c4c4c4";
const LESSON: &str = "#ffffff";
const OUTSIDE: &str = "#f4f4f4";
const STROKE: &str = "#767676";

const WEEKDAYS: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];

fn how_label(how: InformedHow) -> &'static str {
    match how {
        InformedHow::Gesprek => "gesprek",
        InformedHow::Telefoon => "telefoon",
        InformedHow::Brief => "brief",
        InformedHow::Email => "e-mail",
        InformedHow::Anders => "anders",
    }
}

fn referral_status_nl(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Aangemeld => "aangemeld",
        ReferralStatus::InBehandeling => "in behandeling",
        ReferralStatus::NietVerschenenZonderTegenbericht => "niet verschenen zonder tegenbericht",
        ReferralStatus::Afgerond => "afgerond",
        ReferralStatus::Ingetrokken => "ingetrokken",
    }
}

fn timeline_label(entry: &str) -> String {
    match entry {
        "geopend" => "Dossier geopend".into(),
        "signaal" => "Signaal".into(),
        "uitgebreid" => "Dossier uitgebreid".into(),
        "signaal_bijgewerkt" => "Signaal bijgewerkt".into(),
        "signaal_ingetrokken" => "Signaal ingetrokken".into(),
        "melding" => "Melding".into(),
        "verwijzing" => "Verwijzing".into(),
        "brief" => "Brief".into(),
        "afspraken" => "Afspraken leerplicht".into(),
        "gesloten" => "Dossier gesloten".into(),
        "heropend" => "Dossier heropend".into(),
        "oordeel_niet_verschenen" => "Oordeel niet verschenen".into(),
        e if e.starts_with("melding_") => "Melding".into(),
        e if e.starts_with("verwijzing_") => "Verwijzing".into(),
        e => nl::capitalise(&e.replace('_', " ")),
    }
}

/// The persoonsgebonden nummer, masked, with its kind.
fn masked_number(p: &StoredPupil) -> String {
    match (
        p.data.bsn.as_deref().filter(|s| !s.trim().is_empty()),
        p.data
            .onderwijsnummer
            .as_deref()
            .filter(|s| !s.trim().is_empty()),
    ) {
        (Some(bsn), _) => format!("BSN {}", mask_person_number(bsn)),
        (None, Some(on)) => format!("onderwijsnummer {}", mask_person_number(on)),
        (None, None) => "geen BSN of onderwijsnummer bekend".into(),
    }
}

fn escape(s: &str) -> String {
    crate::error::escape_html(s)
}

// ---------------------------------------------------------------------------------------------
// The year: minutes per day and code, totals, the SVG

/// What happened on one day: minutes per code (lateness: minutes late).
#[derive(Debug, Default, Clone)]
struct DayCodes(BTreeMap<Code, u32>);

/// The school year `start` (1 August) to 31 July: per day the codes, and the totals.
struct Year {
    start: Date,
    end: Date,
    days: BTreeMap<Date, DayCodes>,
    /// Per code: (minutes, lesson days, registrations).
    totals: BTreeMap<Code, (u32, u32, u32)>,
}

fn year_of(
    school: Option<&verzuim_engine::model::School>,
    group: &str,
    start: Date,
    registrations: &[StoredRegistration],
) -> (Year, Option<SchoolCalendar>) {
    let end = Date::new(start.year() + 1, 7, 31).unwrap_or(start);
    let cal = school.map(|s| SchoolCalendar::new(s, start, end));
    let mut days: BTreeMap<Date, DayCodes> = BTreeMap::new();
    let mut totals: BTreeMap<Code, (u32, u32, u32)> = BTreeMap::new();
    for r in registrations.iter().filter(|r| !r.deleted) {
        let reg = &r.registration;
        let (first, last) = (reg.span.first_date(), reg.span.last_date());
        if last < start || first > end {
            continue;
        }
        let mut counted = false;
        let mut d = first.max(start);
        while d <= last.min(end) {
            let times: Vec<verzuim_engine::model::TimeRange> = cal
                .as_ref()
                .map(|c| c.group(group).lesson_times(day_number(d)).to_vec())
                .unwrap_or_default();
            let minutes = if reg.code == Code::TeLaat {
                (!times.is_empty()).then(|| reg.minutes_late.unwrap_or(0))
            } else {
                let m: u32 = match reg.span {
                    Span::Days { .. } => times.iter().map(|t| t.minutes()).sum(),
                    Span::Times { from, until, .. } => {
                        let cut =
                            verzuim_engine::model::TimeRange::new(from, until.unwrap_or(u16::MAX));
                        times.iter().map(|t| t.overlap(&cut)).sum()
                    }
                };
                (m > 0).then_some(m)
            };
            if let Some(m) = minutes {
                *days.entry(d).or_default().0.entry(reg.code).or_default() += m;
                let t = totals.entry(reg.code).or_default();
                t.0 += m;
                t.1 += 1;
                counted = true;
            }
            d = match d.tomorrow() {
                Ok(n) => n,
                Err(_) => break,
            };
        }
        if counted {
            totals.entry(reg.code).or_default().2 += 1;
        }
    }
    (
        Year {
            start,
            end,
            days,
            totals,
        },
        cal,
    )
}

/// The calendar as SVG: 12 month blocks (August to July) of day cells, lesson days coloured by
/// code, weekends and closed days grey, with a legend. `role="img"` with `<title>` and `<desc>`.
fn calendar_svg(
    year: &Year,
    cal: Option<&SchoolCalendar>,
    group: &str,
    enrolled: (Date, Option<Date>),
    pupil_name: &str,
) -> String {
    const CELL: i32 = 14;
    const STEP: i32 = 16;
    const MONTH_W: i32 = 7 * STEP;
    const MONTH_H: i32 = 18 + 14 + 6 * STEP;
    const GAP_X: i32 = 18;
    const GAP_Y: i32 = 12;
    let legend_y = 3 * (MONTH_H + GAP_Y) + 4;
    let width = 4 * (MONTH_W + GAP_X) - GAP_X;
    let height = legend_y + 3 * 22 + 6;
    let title = format!(
        "Jaarkalender {}-{} van {}",
        year.start.year(),
        year.end.year(),
        pupil_name
    );
    let absent_days = year.days.len();
    let desc = format!(
        "Per lesdag een vakje, gekleurd naar de registratiecode; weekenden en vrije dagen grijs. \
         {absent_days} dag(en) met een registratie. De tabel Totalen per code hieronder geeft \
         dezelfde gegevens als tekst."
    );
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"year-cal\" viewBox=\"0 0 {width} {height}\" \
         role=\"img\" aria-labelledby=\"kal-titel kal-desc\" focusable=\"false\" font-family=\"sans-serif\">\
         <title id=\"kal-titel\">{}</title><desc id=\"kal-desc\">{}</desc>",
        escape(&title),
        escape(&desc)
    );
    for i in 0..12i32 {
        let (y, m) = if i < 5 {
            (year.start.year(), (8 + i) as i8)
        } else {
            (year.start.year() + 1, (i - 4) as i8)
        };
        let ox = (i % 4) * (MONTH_W + GAP_X);
        let oy = (i / 4) * (MONTH_H + GAP_Y);
        let _ = write!(
            s,
            "<g class=\"month\"><text x=\"{ox}\" y=\"{}\" class=\"cal-month\" font-size=\"11\" font-weight=\"700\" fill=\"#1f2933\">{} {y}</text>",
            oy + 12,
            MONTHS[(m - 1) as usize]
        );
        for (wd, label) in WEEKDAYS.iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" class=\"cal-wd\" text-anchor=\"middle\" font-size=\"8\" fill=\"#4a5560\">{label}</text>",
                ox + wd as i32 * STEP + CELL / 2,
                oy + 28
            );
        }
        let Ok(first) = Date::new(y, m, 1) else {
            continue;
        };
        let offset = i32::from(first.weekday().to_monday_zero_offset());
        for day in 1..=first.days_in_month() {
            let Ok(d) = Date::new(y, m, day) else {
                continue;
            };
            let idx = offset + i32::from(day) - 1;
            let (col, row) = (idx % 7, idx / 7);
            let x = ox + col * STEP;
            let yy = oy + 32 + row * STEP;
            let weekend = col >= 5;
            let enrolled_on = d >= enrolled.0 && enrolled.1.is_none_or(|u| d <= u);
            let lesson = cal
                .map(|c| c.group(group).lesson_minutes(day_number(d)) > 0)
                .unwrap_or(!weekend);
            let closed = cal.is_some_and(|c| c.is_closed(d));
            let label = nl::date_long_nl(d);
            match year.days.get(&d) {
                Some(codes) => {
                    let names: Vec<&str> = codes.0.keys().map(|c| c.as_str()).collect();
                    let what: Vec<String> = codes
                        .0
                        .iter()
                        .map(|(c, m)| {
                            if *c == Code::TeLaat {
                                format!("{} ({m} min.)", c.label())
                            } else {
                                format!("{} {}", c.label(), nl::hours_nl(*m))
                            }
                        })
                        .collect();
                    let _ = write!(
                        s,
                        "<g data-date=\"{d}\" data-code=\"{}\"><title>{}: {}</title>",
                        names.join(" "),
                        escape(&label),
                        escape(&what.join(", "))
                    );
                    let n = codes.0.len() as i32;
                    for (k, code) in codes.0.keys().enumerate() {
                        let k = k as i32;
                        let x0 = x + k * CELL / n;
                        let x1 = x + (k + 1) * CELL / n;
                        let _ = write!(
                            s,
                            "<rect x=\"{x0}\" y=\"{yy}\" width=\"{}\" height=\"{CELL}\" fill=\"{}\"/>",
                            x1 - x0,
                            code_colour(*code)
                        );
                    }
                    s.push_str("</g>");
                }
                None => {
                    let (fill, what) = if closed {
                        (CLOSED, "vrij (vakantie of studiedag)")
                    } else if weekend {
                        (WEEKEND, "weekend")
                    } else if !enrolled_on {
                        (OUTSIDE, "niet ingeschreven")
                    } else if lesson {
                        (LESSON, "lesdag, geen registratie")
                    } else {
                        (WEEKEND, "geen lesdag")
                    };
                    let stroke = if fill == LESSON {
                        format!(" stroke=\"{STROKE}\" stroke-width=\"1\"")
                    } else {
                        String::new()
                    };
                    let _ = write!(
                        s,
                        "<rect data-date=\"{d}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                         rx=\"2\" fill=\"{fill}\"{stroke}><title>{}: {what}</title></rect>",
                        if stroke.is_empty() { x } else { x + 1 },
                        if stroke.is_empty() { yy } else { yy + 1 },
                        if stroke.is_empty() { CELL } else { CELL - 2 },
                        if stroke.is_empty() { CELL } else { CELL - 2 },
                        escape(&label)
                    );
                }
            }
        }
        s.push_str("</g>");
    }
    // The legend: the codes, then the day kinds.
    let mut items: Vec<(String, &str, bool)> = Code::ALL
        .iter()
        .map(|c| (c.label().to_owned(), code_colour(*c), false))
        .collect();
    items.push(("lesdag".into(), LESSON, true));
    items.push(("weekend".into(), WEEKEND, false));
    items.push(("vrij".into(), CLOSED, false));
    s.push_str("<g class=\"legend\">");
    for (i, (label, fill, stroke)) in items.iter().enumerate() {
        let (col, row) = (i as i32 % 4, i as i32 / 4);
        let x = col * (width / 4);
        let y = legend_y + row * 22;
        let st = if *stroke {
            format!(" stroke=\"{STROKE}\"")
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\" rx=\"2\" fill=\"{fill}\"{st}/>\
             <text x=\"{}\" y=\"{}\" class=\"cal-legend\" font-size=\"10\" fill=\"#1f2933\">{}</text>",
            x + CELL + 5,
            y + 11,
            escape(label)
        );
    }
    s.push_str("</g></svg>");
    s
}

// ---------------------------------------------------------------------------------------------
// The page model

struct PupilView {
    name: String,
    group: String,
    birth: String,
    number: String,
    municipality: String,
    enrolled: String,
    parents: Option<String>,
}

struct TotalRow {
    label: &'static str,
    colour: &'static str,
    unauthorised: bool,
    time: String,
    days: u32,
    registrations: u32,
}

struct EvidenceRow {
    date: String,
    what: String,
    minutes: String,
}

struct PartyActions {
    party: &'static str,
    items: Vec<String>,
}

struct SignalBlock {
    id: i64,
    kind: &'static str,
    date: String,
    active: bool,
    withdrawn: Option<String>,
    summary: String,
    evidence: Vec<EvidenceRow>,
    actions: Vec<PartyActions>,
    /// Beside a luxe verzuim signal: the pupil's refused leave requests of the same period
    /// (issue 12: the coordinator sees the refusal beside the signal).
    refused_leave: Vec<(String, String)>,
}

#[derive(Default, Clone)]
struct TaskValues {
    datum: String,
    hoe: String,
    reden: String,
    acties: String,
    oordeel: String,
    niet_nodig: String,
    vraag: String,
    toestemming: String,
    besluit: String,
    toelating: String,
    reden_verwijdering: String,
    gemeld: String,
    swv_met: String,
    swv_datum: String,
    swv_uitkomst: String,
}

struct MeldingPreview {
    kind: &'static str,
    period: String,
    hours: String,
    number: String,
    municipality: String,
    /// What keeps the melding from being made (no BSN or onderwijsnummer, an unknown
    /// woongemeente), shown with a link to the pupil's data page.
    missing: Option<String>,
}

struct TaskForm {
    id: i64,
    text: String,
    /// What goes with the task: leerplicht's or GGD-JGZ's afspraken for the school's feedback
    /// task, what changed after a melding.
    detail: Option<String>,
    /// The label of `detail`.
    detail_label: &'static str,
    party: &'static str,
    due: String,
    overdue: bool,
    can_act: bool,
    needs_parents: bool,
    is_melding: bool,
    is_referral: bool,
    is_judge: bool,
    /// `inspectie` or `swv`: the task records a report (issue 11).
    report: &'static str,
    preview: Option<MeldingPreview>,
    values: TaskValues,
    error: Option<String>,
    /// The pupil's data page, where what blocks a melding is filled in (issue 10.5: a melding is
    /// never blocked without a link to where it can be fixed).
    fix_href: Option<String>,
}

struct TimelineRow {
    at: String,
    what: String,
    detail: String,
    who: String,
}

struct MeldingRow {
    id: i64,
    kind: &'static str,
    period: String,
    hours: String,
    status: &'static str,
    running: bool,
    municipality: String,
    error: Option<String>,
    reason: String,
}

struct ReferralRow {
    id: i64,
    ggd: String,
    status: &'static str,
    date: String,
}

/// A letter the role may make for the case (a POST form: making one writes to the dossier).
struct LetterLink {
    kind: &'static str,
    melding: Option<i64>,
    verwijzing: Option<i64>,
    label: String,
    /// The letter invites for an appointment: the form asks date, time and place.
    appointment: bool,
    /// The default place (the organisation's address).
    place: String,
    /// Leerplicht's oproep: for a talk or a proces-verbaal.
    purpose: bool,
}

/// A letter the organisation made for the case (a GET link: reading changes nothing).
struct MadeLetter {
    href: String,
    label: String,
    date: String,
}

struct CaseBlock {
    id: i64,
    opened: String,
    closed: Option<String>,
    kinds: String,
    signals: Vec<SignalBlock>,
    tasks: Vec<TaskForm>,
    timeline: Vec<TimelineRow>,
    meldingen: Vec<MeldingRow>,
    referrals: Vec<ReferralRow>,
    letters: Vec<LetterLink>,
    made_letters: Vec<MadeLetter>,
    /// The school's reports to the inspectie and consultations with the samenwerkingsverband.
    reports: Vec<String>,
    parents_form: bool,
    parents_values: TaskValues,
    parents_error: Option<String>,
    /// The coordinator may close this open case (`dossier_sluiten`) or reopen this closed one
    /// (`dossier_heropenen`), with a reason.
    can_close: bool,
    can_reopen: bool,
    /// A refused close or reopen: the message and the reason entered.
    case_error: Option<String>,
    case_reason: String,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    meta: PageMeta,
    action: String,
    pupil: PupilView,
    year_label: String,
    prev_year: String,
    next_year: String,
    svg: String,
    totals: Vec<TotalRow>,
    total_unauthorised: String,
    total_authorised: String,
    visibility_note: Option<String>,
    cases: Vec<CaseBlock>,
    /// The pupil's data page, for the school's coordinator.
    edit_href: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    how_options: Vec<(&'static str, &'static str)>,
    today: String,
}

// ---------------------------------------------------------------------------------------------
// Handlers

#[derive(Debug, Default, Deserialize)]
pub struct DossierQuery {
    /// The school year by its first calendar year (`2026` = 2026-2027).
    jaar: Option<String>,
    /// A message after a successful action.
    gedaan: Option<String>,
}

/// `GET /leerlingen/{school_id}/{pupil_id}`.
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Query(q): Query<DossierQuery>,
) -> ApiResult<Response> {
    require_dossier_role(&web)?;
    let notice = q
        .gedaan
        .as_deref()
        .and_then(done_message)
        .map(str::to_owned);
    let page = build(
        &state,
        &web,
        &audit,
        &school_id,
        &pupil_id,
        q.jaar.as_deref(),
        Failure::None,
        notice,
    )
    .await?;
    Ok(render(&page))
}

fn require_dossier_role(web: &WebUser) -> ApiResult<()> {
    web.require(
        &[
            Role::Verzuimcoordinator,
            Role::Leerplichtambtenaar,
            Role::Jgz,
        ],
        None,
    )
}

fn done_message(key: &str) -> Option<&'static str> {
    Some(match key {
        "taak" => "De taak is afgerond.",
        "melding" => "De melding is gedaan en staat bij leerplicht.",
        "verwijzing" => "De verwijzing naar de GGD-JGZ is gedaan.",
        "niet_nodig" => "De taak is als niet nodig afgesloten.",
        "ouders" => "Vastgelegd dat de ouders zijn geïnformeerd.",
        "ingetrokken" => "De melding is ingetrokken.",
        "gesloten" => "Het dossier is gesloten.",
        "heropend" => "Het dossier is heropend.",
        _ => return None,
    })
}

/// A refused form: which form, the message, and what was entered.
enum Failure {
    None,
    Task(i64, String, TaskValues),
    Parents(i64, String, TaskValues),
    Melding(i64, String, String),
    Case(i64, String, String),
    Page(String),
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    actie: String,
    taak: Option<String>,
    zaak: Option<String>,
    melding: Option<String>,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    hoe: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    acties: String,
    #[serde(default)]
    oordeel: String,
    #[serde(default)]
    niet_nodig: String,
    #[serde(default)]
    toelichting: String,
    /// The referral form: the school's question to GGD-JGZ.
    #[serde(default)]
    vraag: String,
    /// The referral form: `ja` or `nee` (the parents' consent).
    #[serde(default)]
    toestemming: String,
    /// The report to the inspectie: the date of the decision to remove the pupil.
    #[serde(default)]
    besluit: String,
    /// The report to the inspectie: the school that accepts the pupil.
    #[serde(default)]
    toelating: String,
    /// The report to the inspectie: the reason of the removal.
    #[serde(default)]
    reden_verwijdering: String,
    /// The report to the inspectie: the date of the report.
    #[serde(default)]
    gemeld: String,
    /// The consultation with the samenwerkingsverband: with whom.
    #[serde(default)]
    swv_met: String,
    /// … when.
    #[serde(default)]
    swv_datum: String,
    /// … the outcome.
    #[serde(default)]
    swv_uitkomst: String,
}

impl ActionForm {
    fn values(&self) -> TaskValues {
        TaskValues {
            datum: self.datum.clone(),
            hoe: self.hoe.clone(),
            reden: self.reden.clone(),
            acties: self.acties.clone(),
            oordeel: self.oordeel.clone(),
            niet_nodig: self.niet_nodig.clone(),
            vraag: self.vraag.clone(),
            toestemming: self.toestemming.clone(),
            besluit: self.besluit.clone(),
            toelating: self.toelating.clone(),
            reden_verwijdering: self.reden_verwijdering.clone(),
            gemeld: self.gemeld.clone(),
            swv_met: self.swv_met.clone(),
            swv_datum: self.swv_datum.clone(),
            swv_uitkomst: self.swv_uitkomst.clone(),
        }
    }
}

fn parse_id(v: Option<&str>) -> Option<i64> {
    v.and_then(|s| s.trim().parse().ok())
}

/// The parents' information of a form, if any was entered; an error when half or wrong.
fn parents_of(f: &ActionForm, required: bool) -> Result<Option<ParentsInformed>, String> {
    let date = f.datum.trim();
    let how = f.hoe.trim();
    if date.is_empty() && how.is_empty() {
        return if required {
            Err("Vul in wanneer en hoe de ouders zijn geïnformeerd: deze actie vraagt dat.".into())
        } else {
            Ok(None)
        };
    }
    let date = if date.is_empty() {
        return Err("Vul de datum in waarop de ouders zijn geïnformeerd.".into());
    } else {
        nl::parse_date_nl(date).ok_or_else(|| {
            format!("De datum waarop de ouders zijn geïnformeerd is geen geldige datum: {date}.")
        })?
    };
    let how = InformedHow::parse(how).ok_or_else(|| {
        "Kies hoe de ouders zijn geïnformeerd (gesprek, telefoon, brief, e-mail of anders)."
            .to_owned()
    })?;
    Ok(Some(ParentsInformed { date, how }))
}

fn service_message(e: ServiceError) -> Result<String, ApiError> {
    match e {
        ServiceError::Invalid(m) | ServiceError::Conflict(m) => Ok(sentence(&m)),
        ServiceError::Forbidden(_) => Ok("U mag deze actie niet uitvoeren.".into()),
        ServiceError::NotFound => Ok("Dit bestaat niet (meer) of u mag het niet zien.".into()),
        other => Err(service_error(other)),
    }
}

/// `POST /leerlingen/{school_id}/{pupil_id}`: one of the dossier's forms.
pub async fn action(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    Query(q): Query<DossierQuery>,
    Form(f): Form<ActionForm>,
) -> ApiResult<Response> {
    require_dossier_role(&web)?;
    let caller = web.caller();
    // The pupil must be visible at all (else 404, like the page).
    visibility::pupil(&state.store, &caller, &school_id, &pupil_id)
        .await
        .map_err(service_error)?;
    let today = today(&state);
    let outcome: Result<&'static str, Failure> = match f.actie.as_str() {
        "taak_afronden" | "taak_niet_nodig" => {
            let Some(task_id) = parse_id(f.taak.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welke taak?"));
            };
            let view = visibility::task(&state.store, &caller, task_id)
                .await
                .map_err(service_error)?;
            if view.task.school_id != school_id || view.task.pupil_id != pupil_id {
                return Err(ApiError::not_found());
            }
            let fail = |m: String| Failure::Task(task_id, m, f.values());
            if f.actie == "taak_niet_nodig" {
                match tasks::task_not_needed(&state.store, &caller, task_id, &f.niet_nodig).await {
                    Ok(()) => Ok("niet_nodig"),
                    Err(e) => Err(fail(service_message(e)?)),
                }
            } else {
                let t = &view.task;
                let judge = view.link.as_ref().is_some_and(|l| {
                    l.kind == verzuim_store::service_queries::TaskLinkKind::JudgeNoShow
                });
                let built = (|| -> Result<Completion, String> {
                    let parents = parents_of(&f, tasks::requires_parents_informed(&t.text))?;
                    let melding = if t.melding {
                        Some(MeldingContent {
                            suspected_reason: f.reden.trim().to_owned(),
                            school_actions: f.acties.trim().to_owned(),
                        })
                    } else {
                        None
                    };
                    if t.melding {
                        if f.reden.trim().is_empty() {
                            return Err("Vul de vermoedelijke reden van het verzuim in.".into());
                        }
                        if f.acties.trim().is_empty() {
                            return Err("Vul in wat de school al heeft gedaan.".into());
                        }
                    }
                    let judgement = if judge {
                        match f.oordeel.as_str() {
                            "zonder_goede_reden" => Some(Judgement::ZonderGoedeReden),
                            "met_goede_reden" => Some(Judgement::MetGoedeReden),
                            _ => {
                                return Err("Kies of de leerling met of zonder goede reden niet \
                                            verscheen."
                                    .into());
                            }
                        }
                    } else {
                        None
                    };
                    let referral_form = if t.referral {
                        if f.vraag.trim().is_empty() {
                            return Err("Vul de vraag van de school aan de GGD-JGZ in.".into());
                        }
                        if f.acties.trim().is_empty() {
                            return Err("Vul in wat de school al heeft gedaan.".into());
                        }
                        let consent = match f.toestemming.as_str() {
                            "ja" => true,
                            "nee" => false,
                            _ => {
                                return Err("Kies of de ouders toestemming geven voor de \
                                            verwijzing."
                                    .into());
                            }
                        };
                        Some(ReferralFormInput {
                            question: f.vraag.trim().to_owned(),
                            school_actions: f.acties.trim().to_owned(),
                            parents_consent: consent,
                        })
                    } else {
                        None
                    };
                    let day = |v: &str, what: &str| -> Result<Date, String> {
                        v.trim()
                            .parse::<Date>()
                            .map_err(|_| format!("Vul {what} in als datum (jjjj-mm-dd)."))
                    };
                    let school_report = match tasks::report_kind(&t.text) {
                        Some(tasks::ReportKind::Inspectie) => {
                            Some(SchoolReportContent::Inspectie {
                                decision_date: day(&f.besluit, "de datum van het besluit")?,
                                accepting_school: f.toelating.trim().to_owned(),
                                reason: f.reden_verwijdering.trim().to_owned(),
                                report_date: day(&f.gemeld, "de datum van de melding")?,
                            })
                        }
                        Some(tasks::ReportKind::SwvOverleg) => {
                            Some(SchoolReportContent::SwvOverleg {
                                with_whom: f.swv_met.trim().to_owned(),
                                date: day(&f.swv_datum, "de datum van het overleg")?,
                                outcome: f.swv_uitkomst.trim().to_owned(),
                            })
                        }
                        None => None,
                    };
                    Ok(Completion {
                        parents_informed: parents,
                        melding,
                        judgement,
                        referral_form,
                        school_report,
                    })
                })();
                match built {
                    Err(m) => Err(fail(m)),
                    Ok(c) => match tasks::complete_task(&state.store, &caller, today, task_id, &c)
                        .await
                    {
                        Ok(o) if o.melding.is_some() => Ok("melding"),
                        Ok(o) if o.referral.is_some() => Ok("verwijzing"),
                        Ok(_) => Ok("taak"),
                        Err(e) => Err(fail(service_message(e)?)),
                    },
                }
            }
        }
        "ouders" => {
            let Some(case_id) = parse_id(f.zaak.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welk dossier?"));
            };
            let fail = |m: String| Failure::Parents(case_id, m, f.values());
            match parents_of(&f, true) {
                Err(m) => Err(fail(m)),
                Ok(p) => {
                    let p = p.expect("required");
                    match dossier::record_parents_informed(
                        &state.store,
                        &caller,
                        today,
                        case_id,
                        p,
                        Some(f.toelichting.as_str()),
                    )
                    .await
                    {
                        Ok(_) => Ok("ouders"),
                        Err(e) => Err(fail(service_message(e)?)),
                    }
                }
            }
        }
        "melding_intrekken" => {
            let Some(melding_id) = parse_id(f.melding.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welke melding?"));
            };
            match meldingen::melding_action(
                &state.store,
                &caller,
                melding_id,
                &MeldingAction::Ingetrokken {
                    reason: f.reden.clone(),
                },
            )
            .await
            {
                Ok(_) => Ok("ingetrokken"),
                Err(e) => Err(Failure::Melding(
                    melding_id,
                    service_message(e)?,
                    f.reden.clone(),
                )),
            }
        }
        "dossier_sluiten" | "dossier_heropenen" => {
            let Some(case_id) = parse_id(f.zaak.as_deref()) else {
                return Err(ApiError::bad_request("ongeldig", "Welk dossier?"));
            };
            let case = visibility::case(&state.store, &caller, case_id)
                .await
                .map_err(service_error)?;
            if case.case.school_id != school_id || case.case.pupil_id != pupil_id {
                return Err(ApiError::not_found());
            }
            let done = if f.actie == "dossier_sluiten" {
                tasks::close_case(&state.store, &caller, case_id, &f.reden)
                    .await
                    .map(|_| "gesloten")
            } else {
                verzuim_service::cases::reopen_case(&state.store, &caller, case_id, &f.reden)
                    .await
                    .map(|()| "heropend")
            };
            match done {
                Ok(d) => Ok(d),
                Err(e) => Err(Failure::Case(case_id, service_message(e)?, f.reden.clone())),
            }
        }
        _ => Err(Failure::Page("Onbekende actie.".into())),
    };
    match outcome {
        Ok(done) => {
            audit
                .event(&web.actor, action::PUPIL_WRITE)
                .organisation(web.org_id())
                .object(format!("dossier:{}", f.actie))
                .pupil(&school_id, &pupil_id)
                .write()
                .await?;
            let mut to = format!(
                "/leerlingen/{}/{}?gedaan={done}",
                url_part(&school_id),
                url_part(&pupil_id)
            );
            if let Some(j) = q.jaar.as_deref().filter(|j| j.parse::<i16>().is_ok()) {
                let _ = write!(to, "&jaar={j}");
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(failure) => {
            let page = build(
                &state,
                &web,
                &audit,
                &school_id,
                &pupil_id,
                q.jaar.as_deref(),
                failure,
                None,
            )
            .await?;
            Ok(render(&page))
        }
    }
}

async fn all_registrations(
    state: &AppState,
    web: &WebUser,
    school_id: &str,
    pupil_id: &str,
) -> ApiResult<Vec<StoredRegistration>> {
    let caller = web.caller();
    all_pages(20_000, |p| {
        visibility::registrations(&state.store, &caller, school_id, pupil_id, p)
    })
    .await
}

/// The pupil's current registrations and events that the caller may see, by id: what a
/// signal's evidence names.
struct Recorded<'a> {
    registrations: HashMap<i64, &'a StoredRegistration>,
    events: HashMap<i64, &'a StoredEvent>,
}

struct Names {
    users: HashMap<String, String>,
    orgs: HashMap<String, String>,
}

impl Names {
    async fn actor(&mut self, state: &AppState, actor: &str) -> String {
        if let Some(n) = self.users.get(actor) {
            return n.clone();
        }
        let name = match actor.split_once(':') {
            Some(("user", id)) => user_name(state, actor, id).await,
            Some(("token", _)) => "administratiepakket".to_owned(),
            _ if actor == "system" => "verzuim (automatisch)".to_owned(),
            _ => actor.to_owned(),
        };
        self.users.insert(actor.to_owned(), name.clone());
        name
    }

    async fn org(&mut self, state: &AppState, id: &str) -> String {
        org_name(state, &mut self.orgs, id).await
    }
}

/// The suspected reason a melding form starts with, from the signal.
fn suggested_reason(kind: SignalKind) -> String {
    match kind {
        SignalKind::TeLaat => "Structureel te laat komen; de ouders zorgen er niet voor dat de \
                               leerling op tijd op school is."
            .into(),
        SignalKind::LuxeVerzuim | SignalKind::MogelijkLuxeVerzuim => {
            "Vermoedelijk extra vakantie buiten de schoolvakanties zonder toestemming (luxe \
             verzuim)."
                .into()
        }
        SignalKind::AbsoluutVerzuim => {
            "De leerling staat niet (meer) ingeschreven of komt niet op school.".into()
        }
        SignalKind::LangdurigRelatiefVerzuim => {
            "De leerling is langdurig afwezig zonder geldige reden (thuiszitter).".into()
        }
        SignalKind::Ziekmelding
        | SignalKind::ZiekLangerDan2Weken
        | SignalKind::Ziek3eMeldingIn3Maanden
        | SignalKind::ZorgZiekte => {
            "Veelvuldig of langdurig ziek gemeld; de school maakt zich zorgen.".into()
        }
        _ => "Afwezig zonder geldige reden; de ouders hebben de leerling niet afgemeld.".into(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn build(
    state: &AppState,
    web: &WebUser,
    audit: &Audit,
    school_id: &str,
    pupil_id: &str,
    jaar: Option<&str>,
    failure: Failure,
    notice: Option<String>,
) -> ApiResult<DossierPage> {
    let caller = web.caller();
    let pupil = visibility::pupil(&state.store, &caller, school_id, pupil_id)
        .await
        .map_err(service_error)?;
    let today = today(state);
    let p = &pupil.data.pupil;
    let name = pupil
        .data
        .name
        .clone()
        .unwrap_or_else(|| pupil_id.to_owned());
    let mut names = Names {
        users: HashMap::new(),
        orgs: HashMap::new(),
    };
    let municipality =
        match verzuim_service::school::find_municipality(&state.store, &p.municipality).await {
            Ok(Some(o)) => o.name,
            _ => p.municipality.clone(),
        };
    let age = verzuim_engine::evaluation::age_on(p.birth_date, today);
    let is_school = web.org.kind == OrgKind::School;
    let pupil_view = PupilView {
        name: name.clone(),
        group: p.group.clone(),
        birth: format!("{} ({age} jaar)", date_nl(p.birth_date)),
        number: masked_number(&pupil),
        municipality,
        enrolled: match p.enrolled_until {
            Some(u) => format!("{} t/m {}", date_nl(p.enrolled_from), date_nl(u)),
            None => format!("sinds {}", date_nl(p.enrolled_from)),
        },
        parents: if is_school {
            let parts: Vec<String> = [
                pupil.data.parent_name.as_deref(),
                pupil.data.parent_phone.as_deref(),
                pupil.data.parent_email.as_deref(),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .collect();
            (!parts.is_empty()).then(|| parts.join(" · "))
        } else {
            None
        },
    };

    // The year.
    let this_year = school_year_start(today).year();
    let year = jaar
        .and_then(|j| j.trim().parse::<i16>().ok())
        .filter(|y| (1990..=2200).contains(y))
        .unwrap_or(this_year);
    let start = Date::new(year, 8, 1).map_err(ApiError::internal)?;
    let settings = state.store.school_settings(school_id).await?;
    let card = settings
        .as_ref()
        .and_then(|s| verzuim_service::cards::card(&s.card_id).ok());
    let registrations = all_registrations(state, web, school_id, pupil_id).await?;
    let (yr, cal) = year_of(
        settings.as_ref().map(|s| &s.school),
        &p.group,
        start,
        &registrations,
    );
    let svg = calendar_svg(
        &yr,
        cal.as_ref(),
        &p.group,
        (p.enrolled_from, p.enrolled_until),
        &name,
    );
    let unauthorised = |c: Code| {
        card.as_ref()
            .map_or(matches!(c, Code::Ongeoorloofd | Code::Luxe), |k| {
                k.unauthorized_codes.contains(&c)
            })
    };
    let (mut un, mut au) = (0u32, 0u32);
    let totals: Vec<TotalRow> = yr
        .totals
        .iter()
        .map(|(code, (minutes, days, regs))| {
            if *code != Code::TeLaat {
                if unauthorised(*code) {
                    un += minutes;
                } else {
                    au += minutes;
                }
            }
            TotalRow {
                label: code.label(),
                colour: code_colour(*code),
                unauthorised: unauthorised(*code),
                time: if *code == Code::TeLaat {
                    format!("{minutes} minuten te laat")
                } else {
                    nl::hours_nl(*minutes)
                },
                days: *days,
                registrations: *regs,
            }
        })
        .collect();
    let visibility_note = match web.org.kind {
        OrgKind::School => None,
        OrgKind::Gemeente => Some(
            "U ziet alleen de registraties binnen de perioden van de meldingen aan uw gemeente."
                .to_owned(),
        ),
        OrgKind::GgdJgz => Some(
            "De GGD-JGZ ziet geen registraties; de kalender toont alleen het rooster.".to_owned(),
        ),
    };

    // The cases.
    let case_list = all_pages(200, |p| {
        visibility::cases(&state.store, &caller, Some((school_id, pupil_id)), false, p)
    })
    .await?;
    let parent_info = visibility::parent_information(&state.store, &caller, school_id, pupil_id)
        .await
        .map_err(service_error)?;
    let events = all_pages(2_000, |p| {
        visibility::events(&state.store, &caller, school_id, pupil_id, p)
    })
    .await?;
    let recorded = Recorded {
        registrations: registrations.iter().map(|r| (r.id, r)).collect(),
        events: events.iter().map(|e| (e.id, e)).collect(),
    };
    let mut cases = Vec::new();
    let mut page_error = None;
    for c in case_list {
        let view = visibility::case(&state.store, &caller, c.id)
            .await
            .map_err(service_error)?;
        cases.push(
            case_block(
                state,
                web,
                &pupil,
                &view,
                &parent_info,
                &recorded,
                &failure,
                &mut names,
                today,
            )
            .await?,
        );
    }
    if let Failure::Page(m) = &failure {
        page_error = Some(m.clone());
    }
    let error = page_error.or_else(|| match &failure {
        Failure::None | Failure::Page(_) => None,
        _ => Some("Er is niets opgeslagen: zie de melding bij het formulier hieronder.".to_owned()),
    });
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object(format!("dossier:{school_id}:{pupil_id}"))
        .pupil(school_id, pupil_id)
        .write()
        .await?;
    Ok(DossierPage {
        meta: web.meta(format!("Dossier {name}"), "/leerlingen"),
        action: format!(
            "/leerlingen/{}/{}{}",
            url_part(school_id),
            url_part(pupil_id),
            if year != this_year {
                format!("?jaar={year}")
            } else {
                String::new()
            }
        ),
        pupil: pupil_view,
        edit_href: (is_school && web.role() == Role::Verzuimcoordinator)
            .then(|| super::gegevens::href(school_id, pupil_id)),
        year_label: format!("{}-{}", year, year + 1),
        prev_year: format!(
            "/leerlingen/{}/{}?jaar={}",
            url_part(school_id),
            url_part(pupil_id),
            year - 1
        ),
        next_year: format!(
            "/leerlingen/{}/{}?jaar={}",
            url_part(school_id),
            url_part(pupil_id),
            year + 1
        ),
        svg,
        totals,
        total_unauthorised: nl::hours_nl(un),
        total_authorised: nl::hours_nl(au),
        visibility_note,
        cases,
        notice,
        error,
        how_options: InformedHow::ALL
            .iter()
            .map(|h| (h.as_str(), how_label(*h)))
            .collect(),
        today: today.to_string(),
    })
}

#[allow(clippy::too_many_arguments)]
async fn case_block(
    state: &AppState,
    web: &WebUser,
    pupil: &StoredPupil,
    view: &CaseView,
    parent_info: &[verzuim_store::ParentInformation],
    recorded: &Recorded<'_>,
    failure: &Failure,
    names: &mut Names,
    today: Date,
) -> ApiResult<CaseBlock> {
    let c = &view.case;
    let mine_school = web.org.kind == OrgKind::School && web.role() == Role::Verzuimcoordinator;
    // The school's refused leave requests of the pupil (docs/parents.md), for luxe verzuim.
    let refused: Vec<verzuim_store::parents::LeaveRequest> = if mine_school {
        verzuim_service::parents::pupil_leave_requests(
            &state.store,
            &web.caller(),
            &c.school_id,
            &c.pupil_id,
        )
        .await
        .map_err(service_error)?
        .into_iter()
        .filter(|r| r.status == verzuim_store::parents::LeaveStatus::Afgewezen)
        .collect()
    } else {
        Vec::new()
    };
    // Signals with their evidence and the card's actions.
    let mut signals = Vec::new();
    for s in &view.signals {
        let evidence = s
            .evidence
            .iter()
            .map(|e| match e {
                StoredEvidence::Registration {
                    id,
                    version,
                    minutes,
                } => match recorded.registrations.get(id) {
                    Some(r) => {
                        let reg = &r.registration;
                        let date = match reg.span {
                            Span::Days { from, until } if from == until => date_nl(from),
                            Span::Days { from, until } => {
                                format!("{} t/m {}", date_nl(from), date_nl(until))
                            }
                            Span::Times { date, from, until } => format!(
                                "{} {}{}",
                                date_nl(date),
                                nl::hhmm(from),
                                until
                                    .map(|u| format!("-{}", nl::hhmm(u)))
                                    .unwrap_or_default()
                            ),
                        };
                        let mut what = nl::capitalise(reg.code.label());
                        if r.version != *version {
                            let _ = write!(what, " (gecorrigeerd, telde in versie {version})");
                        }
                        EvidenceRow {
                            date,
                            what,
                            minutes: if reg.code == Code::TeLaat {
                                format!("{} min. te laat", reg.minutes_late.unwrap_or(*minutes))
                            } else {
                                nl::hours_nl(*minutes)
                            },
                        }
                    }
                    None => EvidenceRow {
                        date: "–".into(),
                        what: format!("Registratie {id} (niet zichtbaar voor u)"),
                        minutes: nl::hours_nl(*minutes),
                    },
                },
                StoredEvidence::Event { id, version } => match recorded.events.get(id) {
                    Some(e) => {
                        let mut what = e.event.kind.label().to_owned();
                        if e.version != *version {
                            let _ = write!(what, " (gecorrigeerd, telde in versie {version})");
                        }
                        EvidenceRow {
                            date: date_nl(e.event.date),
                            what,
                            minutes: String::new(),
                        }
                    }
                    None => EvidenceRow {
                        date: "–".into(),
                        what: format!("Gebeurtenis {id} (niet zichtbaar voor u)"),
                        minutes: String::new(),
                    },
                },
                StoredEvidence::Deregistration { enrolled_until } => EvidenceRow {
                    date: date_nl(*enrolled_until),
                    what: "Uitgeschreven".into(),
                    minutes: String::new(),
                },
            })
            .collect();
        let mut actions: Vec<PartyActions> = Vec::new();
        for party in Party::ALL {
            let items: Vec<String> = s
                .actions
                .iter()
                .filter(|a| a.party == party)
                .map(|a| {
                    // A principle of the card is shown as one, never as an action (issue 11).
                    if verzuim_service::principles::is_principle(&a.text) {
                        return format!("Uitgangspunt (geen actie): {}", a.text);
                    }
                    let mut t = a.text.to_string();
                    if let Some(d) = a.due {
                        let _ = write!(t, " (uiterlijk {})", date_nl(d));
                    }
                    if a.trigger.is_some() {
                        t.push_str(" (alleen als de leerling zonder goede reden niet verschijnt)");
                    }
                    t
                })
                .collect();
            if !items.is_empty() {
                actions.push(PartyActions {
                    party: party.label(),
                    items,
                });
            }
        }
        let summary = match (s.minutes, s.period, s.count) {
            (_, _, Some(n)) if s.kind == SignalKind::TeLaat => format!("{n} keer te laat"),
            (Some(m), Some(p), _) => format!(
                "{} van {} t/m {}",
                nl::hours_nl(m),
                date_nl(p.from),
                date_nl(p.to)
            ),
            (Some(m), None, _) => nl::hours_nl(m),
            (None, Some(p), _) => format!("{} t/m {}", date_nl(p.from), date_nl(p.to)),
            (None, None, Some(n)) => format!("{n} keer"),
            _ => String::new(),
        };
        signals.push(SignalBlock {
            id: s.id,
            kind: kind_label(s.kind),
            date: date_nl(s.date),
            active: s.status == SignalStatus::Active,
            withdrawn: s.withdrawn_reason.clone(),
            summary,
            evidence,
            actions,
            refused_leave: if matches!(
                s.kind,
                SignalKind::LuxeVerzuim | SignalKind::MogelijkLuxeVerzuim
            ) {
                let (from, to) = s
                    .period
                    .map_or((s.date, s.date), |p| (p.from.min(s.date), p.to.max(s.date)));
                refused
                    .iter()
                    .filter(|r| {
                        let margin = jiff::Span::new().days(14);
                        r.from <= to.saturating_add(margin)
                            && r.until.saturating_add(margin) >= from
                    })
                    .map(|r| {
                        (
                            format!(
                                "Verlof afgewezen: {} van {} tot en met {}",
                                super::ouders::leave_kind_label(r.kind),
                                date_nl(r.from),
                                date_nl(r.until)
                            ),
                            format!("/verlof/{}", r.id),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            },
        });
    }

    // Newest first (only the newest is unfolded on the page).
    signals.sort_by_key(|s| std::cmp::Reverse(s.id));

    // Open tasks with their forms.
    let number = masked_number(pupil);
    let municipality = names.org(state, &pupil.data.pupil.municipality).await;
    let municipality_known =
        verzuim_service::school::find_municipality(&state.store, &pupil.data.pupil.municipality)
            .await
            .map_err(service_error)?
            .is_some();
    let has_number = [
        pupil.data.bsn.as_deref(),
        pupil.data.onderwijsnummer.as_deref(),
    ]
    .iter()
    .any(|n| n.is_some_and(|s| !s.trim().is_empty()));
    let missing = match (has_number, municipality_known) {
        (true, true) => None,
        (false, true) => {
            Some("Melden kan nog niet: de leerling heeft geen BSN of onderwijsnummer.".to_owned())
        }
        (true, false) => Some(format!(
            "Melden kan nog niet: de woongemeente \"{}\" is onbekend.",
            pupil.data.pupil.municipality
        )),
        (false, false) => Some(format!(
            "Melden kan nog niet: de leerling heeft geen BSN of onderwijsnummer en de woongemeente \"{}\" is onbekend.",
            pupil.data.pupil.municipality
        )),
    };
    let fix_href = super::gegevens::href(&pupil.school_id, &pupil.data.pupil.id);
    let done_school: Vec<String> = {
        let mut v: Vec<String> = view
            .tasks
            .iter()
            .map(|t| &t.task)
            .filter(|t| {
                t.party == Party::School
                    && t.status == TaskStatus::Done
                    && !t.melding
                    && !t.referral
            })
            .map(|t| format!("{}: {}", date_nl(nl::local_date(t.updated_at)), t.text))
            .collect();
        for pi in parent_info.iter().filter(|p| p.case_id == Some(c.id)) {
            v.push(format!(
                "{}: ouders geïnformeerd ({})",
                date_nl(pi.informed_on),
                how_label(pi.how)
            ));
        }
        v
    };
    let mut forms = Vec::new();
    for tv in view
        .tasks
        .iter()
        .filter(|t| t.task.status == TaskStatus::Open)
    {
        let t = &tv.task;
        let can_act = t.organisation_id == web.org_id()
            && match t.party {
                Party::School => web.role() == Role::Verzuimcoordinator,
                Party::Leerplicht => web.role() == Role::Leerplichtambtenaar,
                Party::GgdJgz => web.role() == Role::Jgz,
            };
        let is_judge = tv
            .link
            .as_ref()
            .is_some_and(|l| l.kind == verzuim_store::service_queries::TaskLinkKind::JudgeNoShow);
        let signal = t
            .signal_id
            .and_then(|id| view.signals.iter().find(|s| s.id == id));
        // What the melding will report if made today (issue 10.1: the absence as known then).
        let preview = match signal.filter(|_| t.melding) {
            Some(s) => {
                let (period, minutes) = tasks::melding_preview(
                    &state.store,
                    &pupil.school_id,
                    &pupil.data.pupil.id,
                    s,
                    today,
                )
                .await
                .map_err(service_error)?;
                Some(MeldingPreview {
                    kind: kind_label(s.kind),
                    period: format!("{} t/m {}", date_nl(period.from), date_nl(period.to)),
                    hours: nl::hours_nl(minutes),
                    number: number.clone(),
                    municipality: municipality.clone(),
                    missing: missing.clone(),
                })
            }
            None => None,
        };
        let (values, error) = match failure {
            Failure::Task(id, m, v) if *id == t.id => (v.clone(), Some(m.clone())),
            _ => {
                let mut v = TaskValues::default();
                if t.melding {
                    v.reden = signal.map_or_else(
                        || suggested_reason(SignalKind::RelatiefVerzuim),
                        |s| suggested_reason(s.kind),
                    );
                    v.acties = if done_school.is_empty() {
                        String::new()
                    } else {
                        done_school.join("\n")
                    };
                }
                (v, None)
            }
        };
        forms.push(TaskForm {
            id: t.id,
            text: t.text.clone(),
            detail: tv.link.as_ref().and_then(|l| l.detail.clone()),
            detail_label: {
                use verzuim_store::service_queries::TaskLinkKind as K;
                match tv.link.as_ref().map(|l| l.kind) {
                    Some(K::GgdAfspraken) => "Afspraken van de GGD-JGZ:",
                    Some(K::MeldingChanged | K::TellDuo) => "Wat is gewijzigd:",
                    _ => "Afspraken van leerplicht:",
                }
            },
            party: t.party.label(),
            due: t.due.map(date_nl).unwrap_or_default(),
            overdue: verzuim_service::principles::is_overdue(&t.text, t.due, today),
            can_act,
            needs_parents: tasks::requires_parents_informed(&t.text),
            is_melding: t.melding,
            is_referral: t.referral,
            is_judge,
            report: match tasks::report_kind(&t.text).filter(|_| t.party == Party::School) {
                Some(tasks::ReportKind::Inspectie) => "inspectie",
                Some(tasks::ReportKind::SwvOverleg) => "swv",
                None => "",
            },
            fix_href: (t.melding && can_act && (missing.is_some() || error.is_some()))
                .then(|| fix_href.clone()),
            preview,
            values,
            error,
        });
    }
    forms.sort_by_key(|f| (!f.can_act, !f.overdue, f.due.is_empty(), f.id));

    // The timeline: the case's entries, the tasks, the parents' information.
    let mut rows: Vec<(jiff::Timestamp, TimelineRow)> = Vec::new();
    for e in &view.timeline {
        rows.push((
            e.at,
            TimelineRow {
                at: nl::date_time_nl(e.at),
                what: timeline_label(&e.entry),
                detail: e.detail.clone().unwrap_or_default(),
                who: names.actor(state, &e.actor).await,
            },
        ));
    }
    for tv in &view.tasks {
        let t = &tv.task;
        let org = names.org(state, &t.organisation_id).await;
        rows.push((
            t.created_at,
            TimelineRow {
                at: nl::date_time_nl(t.created_at),
                what: format!("Taak {}", t.party.label()),
                detail: t.text.clone(),
                who: org.clone(),
            },
        ));
        if t.status != TaskStatus::Open {
            let status = if t.status == TaskStatus::Done {
                "Taak afgerond"
            } else {
                "Taak niet nodig"
            };
            let who = if t.organisation_id == web.org_id() {
                match visibility::task_history(&state.store, &web.caller(), t.id).await {
                    Ok(h) => match h.last() {
                        Some(last) => names.actor(state, &last.actor).await,
                        None => org.clone(),
                    },
                    Err(_) => org.clone(),
                }
            } else {
                org.clone()
            };
            rows.push((
                t.updated_at,
                TimelineRow {
                    at: nl::date_time_nl(t.updated_at),
                    what: status.to_owned(),
                    detail: match &t.status_reason {
                        Some(r) => format!("{} — {r}", t.text),
                        None => t.text.clone(),
                    },
                    who,
                },
            ));
        }
    }
    for pi in parent_info.iter().filter(|p| p.case_id == Some(c.id)) {
        let mut detail = format!(
            "Ouders geïnformeerd op {} ({})",
            date_nl(pi.informed_on),
            how_label(pi.how)
        );
        if let Some(n) = pi.note.as_deref().filter(|n| !n.trim().is_empty()) {
            let _ = write!(detail, ": {n}");
        }
        rows.push((
            pi.created_at,
            TimelineRow {
                at: nl::date_time_nl(pi.created_at),
                what: "Contact met ouders".into(),
                detail,
                who: names.actor(state, &pi.created_by).await,
            },
        ));
    }
    rows.sort_by_key(|(at, _)| std::cmp::Reverse(*at));

    // Meldingen and referrals.
    let mut meldingen = Vec::new();
    for m in &view.meldingen {
        let (error, reason) = match failure {
            Failure::Melding(id, msg, r) if *id == m.id => (Some(msg.clone()), r.clone()),
            _ => (None, String::new()),
        };
        meldingen.push(MeldingRow {
            id: m.id,
            kind: kind_label(m.verzuim_kind),
            period: format!("{} t/m {}", date_nl(m.period.from), date_nl(m.period.to)),
            hours: nl::hours_nl(m.minutes),
            status: melding_status_nl(m.status),
            running: mine_school
                && m.school_id == web.org_id()
                && matches!(
                    m.status,
                    MeldingStatus::Geregistreerd | MeldingStatus::InBehandeling
                ),
            municipality: names.org(state, &m.municipality).await,
            error,
            reason,
        });
    }
    let mut referrals = Vec::new();
    for r in &view.referrals {
        referrals.push(ReferralRow {
            id: r.id,
            ggd: names.org(state, &r.ggd_id).await,
            status: referral_status_nl(r.status),
            date: date_nl(nl::local_date(r.created_at)),
        });
    }

    // Letters this role may make for this case, and those its organisation made.
    let label_of = |kind: &LetterKind| nl::capitalise(kind.label());
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
    let link = |kind: &LetterKind, melding, verwijzing, label| LetterLink {
        kind: kind.as_str(),
        melding,
        verwijzing,
        label,
        appointment: matches!(
            kind,
            LetterKind::UitnodigingGesprek
                | LetterKind::UitnodigingGgdJgz
                | LetterKind::OproepLeerplicht
        ),
        place: place.clone(),
        purpose: *kind == LetterKind::OproepLeerplicht,
    };
    let mut letters = Vec::new();
    for kind in allowed_kinds(web.role()) {
        match kind {
            LetterKind::UitnodigingGesprek => letters.push(link(kind, None, None, label_of(kind))),
            LetterKind::BesluitVerlof => {}
            LetterKind::Waarschuwingsbrief
            | LetterKind::OverzichtMelding
            | LetterKind::OproepLeerplicht => {
                for m in &view.meldingen {
                    letters.push(link(
                        kind,
                        Some(m.id),
                        None,
                        format!(
                            "{} (melding {}, {})",
                            label_of(kind),
                            m.id,
                            kind_label(m.verzuim_kind).to_lowercase()
                        ),
                    ));
                }
            }
            LetterKind::VerwijzingGgdJgz | LetterKind::UitnodigingGgdJgz => {
                for r in &view.referrals {
                    letters.push(link(
                        kind,
                        None,
                        Some(r.id),
                        format!("{} (verwijzing {})", label_of(kind), r.id),
                    ));
                }
            }
        }
    }
    let mut made_letters = Vec::new();
    if !allowed_kinds(web.role()).is_empty() {
        for l in verzuim_service::dossier::letters(&state.store, &web.caller(), c.id)
            .await
            .map_err(service_error)?
        {
            let label = super::letters::parse_kind(&l.kind)
                .map_or_else(|| l.kind.clone(), |k| label_of(&k));
            made_letters.push(MadeLetter {
                href: format!("/zaken/{}/brieven/{}", c.id, l.id),
                label: format!("{label} ({})", l.reference),
                date: nl::date_time_nl(l.created_at),
            });
        }
    }

    let (parents_values, parents_error) = match failure {
        Failure::Parents(id, m, v) if *id == c.id => (v.clone(), Some(m.clone())),
        _ => (TaskValues::default(), None),
    };
    let (case_error, case_reason) = match failure {
        Failure::Case(id, m, r) if *id == c.id => (Some(m.clone()), r.clone()),
        _ => (None, String::new()),
    };
    let own_case = mine_school && c.school_id == web.org_id();
    let mut kinds: Vec<&str> = c.kinds.iter().map(|k| kind_label(*k)).collect();
    kinds.dedup();
    let reports = dossier::school_reports(&state.store, &web.caller(), c.id)
        .await
        .map_err(service_error)?
        .into_iter()
        .map(|r| match r.content {
            SchoolReportContent::Inspectie {
                decision_date,
                accepting_school,
                reason,
                report_date,
            } => format!(
                "Gemeld bij de Onderwijsinspectie op {}: besluit tot verwijderen van {}, \
                 toelatende school {accepting_school}, reden: {reason}",
                date_nl(report_date),
                date_nl(decision_date)
            ),
            SchoolReportContent::SwvOverleg {
                with_whom,
                date,
                outcome,
            } => format!(
                "Overleg met het samenwerkingsverband op {} met {with_whom}: {outcome}",
                date_nl(date)
            ),
        })
        .collect();
    Ok(CaseBlock {
        reports,
        can_close: own_case && c.closed_at.is_none(),
        can_reopen: own_case && c.closed_at.is_some(),
        case_error,
        case_reason,
        id: c.id,
        opened: date_nl(c.opened_on),
        closed: c.closed_at.map(|at| {
            let mut s = date_nl(nl::local_date(at));
            if let Some(r) = &c.closed_reason {
                let _ = write!(s, " ({r})");
            }
            s
        }),
        kinds: kinds.join(", "),
        signals,
        tasks: forms,
        timeline: rows.into_iter().map(|(_, r)| r).collect(),
        meldingen,
        referrals,
        letters,
        made_letters,
        parents_form: mine_school && c.school_id == web.org_id() && c.closed_at.is_none(),
        parents_values,
        parents_error,
    })
}

// ---------------------------------------------------------------------------------------------
// The school's pupil list

#[derive(Template)]
#[template(path = "leerlingen.html")]
struct PupilsPage {
    meta: PageMeta,
    q: String,
    groups: Vec<(String, bool)>,
    pupils: Vec<PupilRow>,
    total: usize,
    year_label: String,
    /// The column headers: (key, label, link to sort by it, aria-sort value).
    columns: Vec<(&'static str, &'static str, String, &'static str)>,
    /// The coordinator sees the dossiers; the beheerder the pupils' data.
    coordinator: bool,
}

struct PupilRow {
    href: String,
    data_href: String,
    name: String,
    id: String,
    group: String,
    birth: String,
    /// This school year's unauthorised absence ("20 uur en 45 minuten").
    unauthorised: String,
    unauthorised_minutes: u64,
    open_signals: usize,
    /// The open cases: (link, "Dossier 23: relatief verzuim").
    open_cases: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PupilsQuery {
    q: Option<String>,
    groep: Option<String>,
    /// `naam`, `groep` (the default), `uren`, `signalen`, `dossier`; `-` in front: descending.
    sorteer: Option<String>,
}

const PUPIL_COLUMNS: [(&str, &str); 5] = [
    ("naam", "Naam"),
    ("groep", "Groep"),
    ("uren", "Ongeoorloofd dit schooljaar"),
    ("signalen", "Open signalen"),
    ("dossier", "Open dossier"),
];

/// `GET /leerlingen`: the school's pupils, searchable by name and group, with this school year's
/// unauthorised hours, open signals and open cases, sortable by each (issue 10.7). The
/// coordinator's rows open the dossier; the beheerder's the pupil's data.
pub async fn list(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(query): Query<PupilsQuery>,
) -> ApiResult<Response> {
    web.require(
        &[Role::Verzuimcoordinator, Role::Beheerder],
        Some(OrgKind::School),
    )?;
    let coordinator = web.role() == Role::Verzuimcoordinator;
    let caller = web.caller();
    let today = today(&state);
    let year_start = school_year_start(today);
    let all = all_pages(5000, |p| visibility::pupils(&state.store, &caller, p)).await?;
    let minutes = verzuim_service::overview::unauthorised_minutes(
        &state.store,
        &caller,
        web.org_id(),
        year_start,
        today,
    )
    .await
    .map_err(service_error)?;
    let mut open: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    let mut open_ids = std::collections::HashSet::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = visibility::cases(&state.store, &caller, None, true, page)
            .await
            .map_err(service_error)?;
        let done = batch.len() < page.limit() as usize;
        for c in &batch {
            open_ids.insert(c.id);
            let mut kinds: Vec<&str> = c.kinds.iter().map(|k| kind_label(*k)).collect();
            kinds.dedup();
            open.entry(c.pupil_id.clone())
                .or_default()
                .push((c.id, kinds.join(", ")));
        }
        if done {
            break;
        }
        page = page.next();
    }
    let org = web.org_id().to_owned();
    let mut signals: HashMap<String, usize> = HashMap::new();
    for s in all_pages(usize::MAX, |p| {
        let store = state.store.clone();
        let org = org.clone();
        async move {
            store
                .list_signals(
                    verzuim_store::Scope::School(&org),
                    Some(verzuim_store::SignalStatus::Active),
                    p,
                )
                .await
                .map_err(ServiceError::from)
        }
    })
    .await?
    {
        if s.case_id.is_some_and(|c| open_ids.contains(&c)) {
            *signals.entry(s.pupil_id).or_default() += 1;
        }
    }
    let mut groups: Vec<String> = all.iter().map(|p| p.data.pupil.group.clone()).collect();
    groups.sort_by_key(|a| natural(a));
    groups.dedup();
    let q = query.q.unwrap_or_default().trim().to_owned();
    let groep = query.groep.unwrap_or_default().trim().to_owned();
    let sorteer = query.sorteer.unwrap_or_default();
    let (desc, key) = match sorteer.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, sorteer.as_str()),
    };
    let key = PUPIL_COLUMNS
        .iter()
        .map(|(k, _)| *k)
        .find(|k| *k == key)
        .unwrap_or("groep");
    let needle = q.to_lowercase();
    let total = all.len();
    let mut pupils: Vec<PupilRow> = all
        .into_iter()
        .filter(|p| p.school_id == web.org_id())
        .filter(|p| groep.is_empty() || p.data.pupil.group == groep)
        .filter(|p| {
            needle.is_empty()
                || p.data
                    .name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&needle))
                || p.data.pupil.id.to_lowercase() == needle
        })
        .map(|p| {
            let id = p.data.pupil.id.clone();
            let m = minutes.get(&id).copied().unwrap_or(0);
            PupilRow {
                href: format!("/leerlingen/{}/{}", url_part(&p.school_id), url_part(&id)),
                data_href: super::gegevens::href(&p.school_id, &id),
                name: p.data.name.clone().unwrap_or_else(|| id.clone()),
                unauthorised: if m == 0 {
                    "–".to_owned()
                } else {
                    nl::hours_nl(u32::try_from(m).unwrap_or(u32::MAX))
                },
                unauthorised_minutes: m,
                open_signals: signals.get(&id).copied().unwrap_or(0),
                open_cases: open
                    .get(&id)
                    .map(|cs| {
                        cs.iter()
                            .map(|(cid, kinds)| {
                                (
                                    format!(
                                        "/leerlingen/{}/{}#zaak-{cid}",
                                        url_part(&p.school_id),
                                        url_part(&id)
                                    ),
                                    format!("Dossier {cid}: {kinds}"),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                id,
                group: p.data.pupil.group,
                birth: date_nl(p.data.pupil.birth_date),
            }
        })
        .collect();
    let by_name = |a: &PupilRow, b: &PupilRow| a.name.to_lowercase().cmp(&b.name.to_lowercase());
    pupils.sort_by(|a, b| {
        let primary = match key {
            "naam" => by_name(a, b),
            "uren" => a.unauthorised_minutes.cmp(&b.unauthorised_minutes),
            "signalen" => a.open_signals.cmp(&b.open_signals),
            "dossier" => a.open_cases.len().cmp(&b.open_cases.len()),
            _ => natural(&a.group).cmp(&natural(&b.group)),
        };
        let primary = if desc { primary.reverse() } else { primary };
        primary
            .then_with(|| natural(&a.group).cmp(&natural(&b.group)))
            .then_with(|| by_name(a, b))
    });
    let base = {
        let mut b = String::from("/leerlingen?");
        if !q.is_empty() {
            let _ = write!(b, "q={}&", super::url_part(&q));
        }
        if !groep.is_empty() {
            let _ = write!(b, "groep={}&", super::url_part(&groep));
        }
        b
    };
    let columns = PUPIL_COLUMNS
        .iter()
        .map(|(k, label)| {
            let current = *k == key;
            // Numbers sort most first on the first click; names and groups A to Z.
            let numeric = matches!(*k, "uren" | "signalen" | "dossier");
            let next_desc = if current { !desc } else { numeric };
            let link = format!("{base}sorteer={}{k}", if next_desc { "-" } else { "" });
            let aria = match (current, desc) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            };
            (*k, *label, link, aria)
        })
        .collect();
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object("leerlingen".to_owned())
        .write()
        .await?;
    Ok(render(&PupilsPage {
        meta: web.meta("Leerlingen", "/leerlingen"),
        groups: groups
            .into_iter()
            .map(|g| {
                let sel = g == groep;
                (g, sel)
            })
            .collect(),
        q,
        pupils,
        total,
        year_label: format!("{}-{}", year_start.year(), year_start.year() + 1),
        columns,
        coordinator,
    }))
}

/// Sorts "1-2" < "3" < "10" by their leading number.
fn natural(s: &str) -> (u32, String) {
    let n: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    (n.parse().unwrap_or(u32::MAX), s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_names() {
        assert_eq!(nl::parse_date_nl("2026-09-25"), Date::new(2026, 9, 25).ok());
        assert_eq!(nl::parse_date_nl("25-09-2026"), Date::new(2026, 9, 25).ok());
        assert_eq!(nl::parse_date_nl("31-02-2026"), None);
        assert_eq!(url_part("99 XX/00"), "99%20XX%2F00");
        assert!(natural("3") < natural("10"));
    }
}
