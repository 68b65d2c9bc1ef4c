//! The teacher's daily register: `GET /registreren?groep=…&datum=YYYY-MM-DD` lists the group's
//! pupils for the day, everyone present unless registered; `POST /registreren` changes one
//! pupil's day (htmx: the row comes back; without JavaScript: a redirect to the page).
//!
//! A leerkracht registers only for the groups of their membership; a verzuimcoordinator of the
//! school for every group. Each change goes through the service (which re-evaluates the pupil);
//! a signal it raises, or any active signal dated that day, shows as a badge in the row.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::card::Card;
use verzuim_engine::model::{Code, Registration, Span, TimeRange};
use verzuim_service::{ServiceError, records, visibility};
use verzuim_store::{
    MAX_PAGE_SIZE, OrgKind, Page, Role, SchoolSettings, Scope, StoredPupil, StoredRegistration,
    StoredSignal,
};

use super::session::{PageMeta, WebUser};
use super::{render, service_error, today};
use crate::api::common::change_audit_row;
use crate::audit::{Audit, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Query, check_len, max_len};
use crate::nl::{date_long_nl, date_nl, hhmm, parse_hhmm};
use crate::state::AppState;

/// The codes of the absence buttons, in their order on the page.
const ABSENCE_CODES: [Code; 6] = [
    Code::Ongeoorloofd,
    Code::Ziek,
    Code::Geoorloofd,
    Code::Verlof,
    Code::Luxe,
    Code::Schorsing,
];

/// The short word on a code's button.
fn code_word(code: Code) -> &'static str {
    match code {
        Code::Ongeoorloofd => "ongeoorloofd",
        Code::Luxe => "luxe",
        Code::Ziek => "ziek",
        Code::TeLaat => "te laat",
        Code::Verlof => "verlof",
        Code::Geoorloofd => "geoorloofd",
        Code::Schorsing => "schorsing",
    }
}

#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    groep: Option<String>,
    datum: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    meta: PageMeta,
    group: String,
    groups: Vec<GroupOption>,
    date_iso: String,
    date_long: String,
    lesson_times: String,
    closed: Option<String>,
    /// The day lies before the previous lesweek: who may still correct it, and how.
    window: Option<String>,
    prev: Option<String>,
    next: Option<String>,
    today_link: Option<String>,
    rows: Vec<Row>,
}

struct GroupOption {
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "register_row.html")]
struct RowFragment {
    row: Row,
}

/// One pupil's line on the register.
pub struct Row {
    /// The element id (`leerling-<hex of the pupil id>`).
    key: String,
    pupil_id: String,
    name: String,
    group: String,
    date_iso: String,
    status: String,
    status_class: String,
    registrations: Vec<RegView>,
    codes: Vec<CodeButton>,
    badges: Vec<String>,
    error: Option<String>,
    default_from: String,
    default_until: String,
    /// The day lies before the previous lesweek and the user is the verzuimcoördinator: a
    /// correction asks for a reason.
    needs_reason: bool,
}

struct RegView {
    id: i64,
    label: String,
    class: String,
}

struct CodeButton {
    value: &'static str,
    word: &'static str,
    class: String,
    pressed: bool,
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn parse_date(s: &str) -> ApiResult<Date> {
    s.trim().parse::<Date>().map_err(|_| {
        ApiError::bad_request(
            "ongeldige_datum",
            "De datum is ongeldig: gebruik de vorm JJJJ-MM-DD.",
        )
    })
}

/// What the register knows of the school for a group and a day.
struct Day {
    settings: Option<SchoolSettings>,
    card: Option<std::sync::Arc<Card>>,
    times: Vec<TimeRange>,
    /// The first day of the previous lesweek when `date` lies before it: a leerkracht changes
    /// nothing there, a verzuimcoördinator corrects with a reason
    /// ([`records::teacher_window_start`]).
    window_start: Option<Date>,
}

impl Day {
    fn new(settings: Option<SchoolSettings>, group: &str, date: Date, today: Date) -> Day {
        let window_start = settings
            .as_ref()
            .map(|s| records::teacher_window_start(&s.school, group, today))
            .filter(|start| date < *start);
        let card = settings
            .as_ref()
            .and_then(|s| verzuim_service::cards::card(&s.card_id).ok());
        let times = settings
            .as_ref()
            .map(|s| lesson_times(s, group, date))
            .unwrap_or_default();
        Day {
            settings,
            card,
            times,
            window_start,
        }
    }
}

fn lesson_times(s: &SchoolSettings, group: &str, date: Date) -> Vec<TimeRange> {
    let i = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
    s.school.week_times_on(group, date).0[i % 7].clone()
}

fn closed_name(s: &SchoolSettings, date: Date) -> Option<String> {
    s.school
        .closed
        .iter()
        .find(|c| c.from <= date && date <= c.until)
        .map(|c| c.name.clone())
}

fn is_school_day(s: Option<&SchoolSettings>, group: &str, date: Date) -> bool {
    match s {
        Some(s) => !lesson_times(s, group, date).is_empty() && closed_name(s, date).is_none(),
        None => date.weekday().to_monday_zero_offset() < 5,
    }
}

/// The nearest school day before (`step` −1) or after (+1), within five weeks.
fn step_school_day(s: Option<&SchoolSettings>, group: &str, date: Date, step: i64) -> Option<Date> {
    let mut d = date;
    for _ in 0..35 {
        d = d.checked_add(jiff::Span::new().days(step)).ok()?;
        if is_school_day(s, group, d) {
            return Some(d);
        }
    }
    None
}

fn covers(r: &Registration, date: Date) -> bool {
    match r.span {
        Span::Days { from, until } => from <= date && date <= until,
        Span::Times { date: d, .. } => d == date,
    }
}

fn reg_label(r: &Registration) -> String {
    let word = code_word(r.code);
    match (r.code, r.span) {
        (Code::TeLaat, _) => match r.minutes_late {
            Some(m) => format!("te laat ({m} min.)"),
            None => "te laat".to_owned(),
        },
        (_, Span::Days { from, until }) if from == until => format!("{word} (hele dag)"),
        (_, Span::Days { from, until }) => {
            format!("{word} ({} t/m {})", date_nl(from), date_nl(until))
        }
        (_, Span::Times { from, until, .. }) => match until {
            Some(u) => format!("{word} {}–{}", hhmm(from), hhmm(u)),
            None => format!("{word} vanaf {}", hhmm(from)),
        },
    }
}

/// A signal's badge: "Signaal: Te laat komen (5x)" (the card's row title).
fn badge(card: Option<&Card>, s: &StoredSignal) -> String {
    let title = card
        .and_then(|c| c.rules.row(s.kind))
        .map_or_else(|| super::kind_label(s.kind).to_owned(), |r| r.title.clone());
    match (s.count, s.minutes) {
        (Some(n), _) => format!("Signaal: {title} ({n}x)"),
        (None, Some(m)) if m >= 60 => format!("Signaal: {title} ({} uur)", m / 60),
        _ => format!("Signaal: {title}"),
    }
}

async fn day_registrations(
    tx: &mut verzuim_store::Tx,
    school: &str,
    pupil: &str,
    date: Date,
) -> ApiResult<Vec<StoredRegistration>> {
    let mut out = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = tx
            .list_registrations(Scope::School(school), school, pupil, page)
            .await?;
        let done = batch.len() < page.limit() as usize;
        out.extend(
            batch
                .into_iter()
                .filter(|r| !r.deleted && covers(&r.registration, date)),
        );
        if done {
            return Ok(out);
        }
        page = page.next();
    }
}

#[allow(clippy::too_many_arguments)]
async fn build_row(
    tx: &mut verzuim_store::Tx,
    school: &str,
    pupil: &StoredPupil,
    group: &str,
    date: Date,
    day: &Day,
    raised: &[i64],
    error: Option<String>,
    coordinator: bool,
) -> ApiResult<Row> {
    let id = &pupil.data.pupil.id;
    let regs = day_registrations(tx, school, id, date).await?;
    let signals = tx.active_signals(Scope::School(school), school, id).await?;
    let signals: Vec<&StoredSignal> = signals.iter().collect();
    Ok(row_of(
        pupil,
        group,
        date,
        day,
        raised,
        error,
        regs,
        &signals,
        coordinator,
    ))
}

/// A pupil's row from the day's registrations and the pupil's active signals.
#[allow(clippy::too_many_arguments)]
fn row_of(
    pupil: &StoredPupil,
    group: &str,
    date: Date,
    day: &Day,
    raised: &[i64],
    error: Option<String>,
    regs: Vec<StoredRegistration>,
    signals: &[&StoredSignal],
    coordinator: bool,
) -> Row {
    let id = &pupil.data.pupil.id;
    let badges: Vec<String> = signals
        .iter()
        .filter(|s| s.date == date || raised.contains(&s.id))
        .map(|s| badge(day.card.as_deref(), s))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let name = pupil.data.name.clone().unwrap_or_else(|| id.clone());
    let whole_day = regs.iter().find(|r| {
        r.registration.code != Code::TeLaat
            && matches!(r.registration.span, Span::Days { from, until } if from == until)
    });
    let (status, status_class) = match regs.first() {
        None => ("aanwezig".to_owned(), "code-aanwezig".to_owned()),
        Some(first) => (
            regs.iter()
                .map(|r| reg_label(&r.registration))
                .collect::<Vec<_>>()
                .join(", "),
            format!("code-{}", first.registration.code.as_str()),
        ),
    };
    let first_time = day.times.first().map_or(8 * 60 + 30, |t| t.start);
    let last_time = day.times.last().map_or(15 * 60, |t| t.end);
    Row {
        key: format!("leerling-{}", hex(id)),
        pupil_id: id.clone(),
        name,
        group: group.to_owned(),
        date_iso: date.to_string(),
        status,
        status_class,
        registrations: regs
            .iter()
            .map(|r| RegView {
                id: r.id,
                label: reg_label(&r.registration),
                class: format!("code-{}", r.registration.code.as_str()),
            })
            .collect(),
        codes: ABSENCE_CODES
            .iter()
            .map(|c| CodeButton {
                value: c.as_str(),
                word: code_word(*c),
                class: format!("code-{}", c.as_str()),
                pressed: whole_day.is_some_and(|r| r.registration.code == *c),
            })
            .collect(),
        badges,
        error,
        default_from: hhmm(first_time),
        default_until: hhmm(last_time),
        needs_reason: coordinator && day.window_start.is_some(),
    }
}

/// The groups this user may register for, and whether `group` is one of them.
fn allowed_groups(web: &WebUser, pupils: &[StoredPupil]) -> Vec<String> {
    match web.role() {
        Role::Leerkracht => web.current.groups.clone(),
        _ => pupils
            .iter()
            .map(|p| p.data.pupil.group.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    }
}

async fn all_pupils(tx: &mut verzuim_store::Tx, school: &str) -> ApiResult<Vec<StoredPupil>> {
    let mut out = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = tx.list_pupils(Scope::School(school), page).await?;
        let done = batch.len() < page.limit() as usize;
        out.extend(batch);
        if done {
            return Ok(out);
        }
        page = page.next();
    }
}

fn enrolled_on(p: &StoredPupil, date: Date) -> bool {
    let p = &p.data.pupil;
    p.enrolled_from <= date && p.enrolled_until.is_none_or(|u| date <= u)
}

fn link(group: &str, date: Date) -> String {
    format!(
        "/registreren?groep={}&datum={date}",
        group
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            })
            .collect::<String>()
    )
}

/// `GET /registreren`.
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<RegisterQuery>,
) -> ApiResult<Response> {
    web.require(
        &[Role::Leerkracht, Role::Verzuimcoordinator],
        Some(OrgKind::School),
    )?;
    let school = web.org_id().to_owned();
    let today = today(&state);
    let date = match q.datum.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_date(s)?,
        None => today,
    };
    let mut tx = state.store.connection().await?;
    let pupils = all_pupils(&mut tx, &school).await?;
    let groups = allowed_groups(&web, &pupils);
    let group = match q.groep.as_deref().filter(|s| !s.is_empty()) {
        Some(g) => {
            check_len("groep", g, max_len::IDENTIFIER)?;
            if !groups.iter().any(|x| x == g) && web.role() == Role::Leerkracht {
                return Err(ApiError::forbidden());
            }
            g.to_owned()
        }
        None => groups.first().cloned().unwrap_or_default(),
    };
    let day = Day::new(tx.school_settings(&school).await?, &group, date, today);
    let mut class: Vec<&StoredPupil> = pupils
        .iter()
        .filter(|p| p.data.pupil.group == group && enrolled_on(p, date))
        .collect();
    class.sort_by_key(|p| {
        (
            p.data.name.clone().unwrap_or_default().to_lowercase(),
            p.data.pupil.id.clone(),
        )
    });
    // The whole class in two queries: the day's registrations and the school's active signals.
    let scope = Scope::School(&school);
    let mut regs: HashMap<String, Vec<StoredRegistration>> = HashMap::new();
    for (pupil, r) in tx.registrations_on(scope, &school, date).await? {
        if covers(&r.registration, date) {
            regs.entry(pupil).or_default().push(r);
        }
    }
    let all_signals = tx.active_signals_of_school(scope, &school).await?;
    let mut signals: HashMap<&str, Vec<&StoredSignal>> = HashMap::new();
    for s in &all_signals {
        signals.entry(s.pupil_id.as_str()).or_default().push(s);
    }
    let rows: Vec<Row> = class
        .into_iter()
        .map(|p| {
            let id = p.data.pupil.id.as_str();
            row_of(
                p,
                &group,
                date,
                &day,
                &[],
                None,
                regs.remove(id).unwrap_or_default(),
                signals.get(id).map_or(&[][..], Vec::as_slice),
                web.role() == Role::Verzuimcoordinator,
            )
        })
        .collect();
    drop(tx);
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(&school)
        .object(format!("register:{group}:{date}"))
        .write()
        .await?;
    let s = day.settings.as_ref();
    let lesson_times = if day.times.is_empty() {
        String::new()
    } else {
        day.times
            .iter()
            .map(|t| format!("{}–{}", hhmm(t.start), hhmm(t.end)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let closed = match s.and_then(|s| closed_name(s, date)) {
        Some(n) => Some(format!("Geen lesdag: {n}.")),
        None if day.times.is_empty() => Some("Geen lesdag.".to_owned()),
        None => None,
    };
    Ok(render(&RegisterPage {
        meta: web.meta(format!("Registreren {group}"), "/registreren"),
        groups: groups
            .iter()
            .map(|g| GroupOption {
                name: g.clone(),
                selected: *g == group,
            })
            .collect(),
        date_iso: date.to_string(),
        date_long: date_long_nl(date),
        lesson_times,
        closed,
        window: day.window_start.map(|start| {
            if web.role() == Role::Leerkracht {
                format!(
                    "Deze dag ligt vóór de vorige lesweek (vóór {}): een leerkracht corrigeert \
                     alleen registraties van deze en de vorige lesweek. Vraag de \
                     verzuimcoördinator om een correctie.",
                    date_nl(start)
                )
            } else {
                format!(
                    "Deze dag ligt vóór de vorige lesweek (vóór {}): geef bij elke correctie \
                     een reden op. Raakt de correctie een melding aan leerplicht, dan blijft \
                     de melding zoals die is verstuurd en krijgen leerplicht en de school een \
                     taak.",
                    date_nl(start)
                )
            }
        }),
        prev: step_school_day(s, &group, date, -1).map(|d| link(&group, d)),
        next: step_school_day(s, &group, date, 1)
            .filter(|d| *d <= today)
            .map(|d| link(&group, d)),
        today_link: (date != today).then(|| link(&group, today)),
        group,
        rows,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    groep: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    leerling: String,
    #[serde(default)]
    actie: String,
    minuten: Option<String>,
    code: Option<String>,
    van: Option<String>,
    tot: Option<String>,
    registratie: Option<String>,
    /// The reason of a correction before the previous lesweek (verzuimcoördinator).
    reden: Option<String>,
}

/// What a form asks, checked.
enum Ask {
    Absent(Code),
    Late(u32),
    Part(Code, u16, u16),
    Undo(i64),
}

fn ask(f: &ActionForm) -> Result<Ask, String> {
    match f.actie.as_str() {
        "te_laat" => {
            let m = f
                .minuten
                .as_deref()
                .and_then(|m| m.trim().parse::<u32>().ok())
                .filter(|m| (1..=600).contains(m))
                .ok_or("Vul het aantal minuten te laat in (1 tot en met 600).")?;
            Ok(Ask::Late(m))
        }
        "deel" => {
            let code = f
                .code
                .as_deref()
                .and_then(Code::parse)
                .filter(|c| ABSENCE_CODES.contains(c))
                .ok_or("Kies een code voor het deel van de dag.")?;
            let from = f.van.as_deref().and_then(parse_hhmm);
            let until = f.tot.as_deref().and_then(parse_hhmm);
            match (from, until) {
                (Some(a), Some(b)) if a < b => Ok(Ask::Part(code, a, b)),
                (Some(_), Some(_)) => Err("De eindtijd moet na de begintijd liggen.".into()),
                _ => Err("Vul een begin- en eindtijd in (UU:MM).".into()),
            }
        }
        "ongedaan" => f
            .registratie
            .as_deref()
            .and_then(|r| r.trim().parse().ok())
            .map(Ask::Undo)
            .ok_or_else(|| "Onbekende registratie.".into()),
        other => Code::parse(other)
            .filter(|c| ABSENCE_CODES.contains(c))
            .map(Ask::Absent)
            .ok_or_else(|| "Onbekende handeling.".into()),
    }
}

/// `POST /registreren`: one change to one pupil's day.
pub async fn action(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    headers: HeaderMap,
    Form(f): Form<ActionForm>,
) -> ApiResult<Response> {
    web.require(
        &[Role::Leerkracht, Role::Verzuimcoordinator],
        Some(OrgKind::School),
    )?;
    check_len("groep", &f.groep, max_len::IDENTIFIER)?;
    check_len("leerling", &f.leerling, max_len::IDENTIFIER)?;
    let school = web.org_id().to_owned();
    if web.role() == Role::Leerkracht && !web.current.groups.contains(&f.groep) {
        return Err(ApiError::forbidden());
    }
    let date = parse_date(&f.datum)?;
    let caller = web.caller();
    let pupil = visibility::pupil(&state.store, &caller, &school, &f.leerling)
        .await
        .map_err(service_error)?;
    if pupil.data.pupil.group != f.groep {
        return Err(ApiError::forbidden());
    }
    let today = today(&state);
    // The audit row commits with the change (`registration:{id}:{add|correct|delete}`).
    let audited = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(&school)
        .pupil(&school, &f.leerling);
    let added = change_audit_row(&audited, "registration", "add");
    let corrected = change_audit_row(&audited, "registration", "correct");
    let deleted = change_audit_row(&audited, "registration", "delete");
    let existing = {
        let mut tx = state.store.connection().await?;
        day_registrations(&mut tx, &school, &f.leerling, date).await?
    };
    let outcome: Result<Option<verzuim_service::Change>, String> = match ask(&f) {
        Err(m) => Err(m),
        Ok(a) => {
            let result = match a {
                Ask::Absent(code) => {
                    let same_day = existing.iter().find(|r| {
                        r.registration.code != Code::TeLaat
                            && matches!(r.registration.span, Span::Days { from, until } if from == date && until == date)
                    });
                    let reg = Registration {
                        code,
                        span: Span::Days {
                            from: date,
                            until: date,
                        },
                        minutes_late: None,
                    };
                    match same_day {
                        Some(r) if r.registration.code == code => Ok(None),
                        Some(r) => records::correct_registration_because(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            r.id,
                            &reg,
                            None,
                            f.reden.as_deref(),
                            Some(&corrected),
                        )
                        .await
                        .map(Some),
                        None => records::add_registration(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            &f.leerling,
                            &reg,
                            None,
                            Some(&added),
                        )
                        .await
                        .map(Some),
                    }
                }
                Ask::Late(minutes) => {
                    let reg = Registration {
                        code: Code::TeLaat,
                        span: Span::Days {
                            from: date,
                            until: date,
                        },
                        minutes_late: Some(minutes),
                    };
                    match existing
                        .iter()
                        .find(|r| r.registration.code == Code::TeLaat)
                    {
                        Some(r) => records::correct_registration_because(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            r.id,
                            &reg,
                            None,
                            f.reden.as_deref(),
                            Some(&corrected),
                        )
                        .await
                        .map(Some),
                        None => records::add_registration(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            &f.leerling,
                            &reg,
                            None,
                            Some(&added),
                        )
                        .await
                        .map(Some),
                    }
                }
                Ask::Part(code, from, until) => {
                    let reg = Registration {
                        code,
                        span: Span::Times {
                            date,
                            from,
                            until: Some(until),
                        },
                        minutes_late: None,
                    };
                    records::add_registration(
                        &state.store,
                        &caller,
                        today,
                        &school,
                        &f.leerling,
                        &reg,
                        None,
                        Some(&added),
                    )
                    .await
                    .map(Some)
                }
                Ask::Undo(id) => {
                    if existing.iter().any(|r| r.id == id) {
                        records::delete_registration_because(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            id,
                            f.reden.as_deref(),
                            Some(&deleted),
                        )
                        .await
                        .map(Some)
                    } else {
                        Err(ServiceError::NotFound)
                    }
                }
            };
            match result {
                Ok(c) => Ok(c),
                Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
                    Err(super::sentence(&m))
                }
                Err(e) => return Err(service_error(e)),
            }
        }
    };
    let (raised, error) = match outcome {
        Ok(Some(change)) => {
            let mut ids = change.sync.inserted.clone();
            ids.extend(change.sync.extended.iter().copied());
            (ids, None)
        }
        Ok(None) => (Vec::new(), None),
        Err(m) => (Vec::new(), Some(m)),
    };
    if !headers.contains_key("hx-request") {
        return Ok(Redirect::to(&link(&f.groep, date)).into_response());
    }
    let mut tx = state.store.connection().await?;
    let day = Day::new(tx.school_settings(&school).await?, &f.groep, date, today);
    let row = build_row(
        &mut tx,
        &school,
        &pupil,
        &f.groep,
        date,
        &day,
        &raised,
        error,
        web.role() == Role::Verzuimcoordinator,
    )
    .await?;
    Ok(render(&RowFragment { row }))
}
