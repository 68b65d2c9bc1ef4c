//! The beheerder's pages under `/beheer/...`: a school's lesson times (`/beheer/lestijden`),
//! closed periods and the official school holidays (`/beheer/vrije-dagen`, upload
//! `/beheer/vakanties`), groups (`/beheer/groepen`), the organisation's users and roles
//! (`/beheer/gebruikers`), the audit log with filters and CSV export (`/beheer/auditlog`), and
//! the import of formats.md files (`/beheer/importeren`).
//!
//! Every change goes through the service (settings are stored with
//! `verzuim_service::school::put_school_settings`, which re-evaluates every pupil). Bad input
//! answers 200 with the form, a Dutch message per problem saying where it is, and nothing
//! stored.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::model::{ClosedKind, ClosedPeriod, GroupTimes, School, TimeRange};
use verzuim_exchange::{Source, holidays};
use verzuim_service::{ServiceError, Sources};
use verzuim_store::auth_queries::AuditFilter;
use verzuim_store::{OrgKind, Page, Role, SchoolSettings};

use super::session::{PageMeta, WebUser, role_label};
use super::{render, sentence, service_error, today};
use crate::nl::{DAYS, date_nl, hhmm, parse_hhmm};
use crate::nl;
use crate::audit::{Audit, action};
use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use crate::security::IMPORT_BODY_LIMIT;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/beheer/lestijden",
            get(lesson_times).post(lesson_times_save),
        )
        .route("/beheer/vrije-dagen", get(closed).post(closed_save))
        .route("/beheer/vakanties", post(holidays_preview))
        .route("/beheer/vakanties/toevoegen", post(holidays_add))
        .route("/beheer/groepen", get(groups).post(groups_add))
        .route("/beheer/groepen/opheffen", post(groups_remove))
        .route("/beheer/gebruikers", get(users).post(users_add))
        .route("/beheer/gebruikers/intrekken", post(users_remove))
        .route("/beheer/auditlog", get(audit_log))
        .route("/beheer/auditlog.csv", get(audit_csv))
        .route("/beheer/importeren", get(import_page).post(import_submit))
        .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT))
}

/// The weekdays shown in the grid (Saturday and Sunday keep what is stored).
const SCHOOL_DAYS: usize = 5;

fn require_school_admin(web: &WebUser) -> ApiResult<()> {
    web.require(&[Role::Beheerder], Some(OrgKind::School))
}

async fn settings_of(state: &AppState, web: &WebUser) -> ApiResult<SchoolSettings> {
    let stored =
        verzuim_service::overview::school_settings(&state.store, &web.caller(), web.org_id())
            .await
            .map_err(service_error)?;
    Ok(stored.unwrap_or_else(|| SchoolSettings {
        card_id: "twente-po".into(),
        school: School {
            id: web.org.id.clone(),
            name: web.org.name.clone(),
            ..School::default()
        },
    }))
}

/// Stores the settings (re-evaluating every pupil); the Dutch report of what happened.
///
/// `times_from`: the day from which changed lesson times apply (`None`: the settings as loaded
/// and edited, history included).
async fn store_settings(
    state: &AppState,
    web: &WebUser,
    settings: &SchoolSettings,
    times_from: Option<Date>,
) -> Result<String, String> {
    match verzuim_service::school::put_school_settings(
        &state.store,
        &web.caller(),
        web.org_id(),
        settings,
        times_from,
    )
    .await
    {
        Ok(r) => Ok(format!(
            "Opgeslagen. Alle leerlingen zijn opnieuw beoordeeld: {}, {} ingetrokken.",
            nl::plural(
                i64::try_from(r.inserted.len() + r.extended.len()).unwrap_or(i64::MAX),
                "nieuw signaal",
                "nieuwe signalen"
            ),
            r.withdrawn.len()
        )),
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => Err(sentence(&m)),
        Err(e) => Err(service_error(e).to_string()),
    }
}

fn times_text(list: &[TimeRange]) -> String {
    list.iter()
        .map(|t| format!("{}-{}", hhmm(t.start), hhmm(t.end)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cell of the grid: `08:30-12:00, 13:00-15:15`; empty is no lessons.
fn parse_times(s: &str) -> Result<Vec<TimeRange>, String> {
    let mut out: Vec<TimeRange> = Vec::new();
    for part in s.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let Some((a, b)) = part.split_once('-') else {
            return Err(format!(
                "„{part}” is geen tijdvak; schrijf bijvoorbeeld 08:30-12:00"
            ));
        };
        let (Some(start), Some(end)) = (parse_hhmm(a), parse_hhmm(b)) else {
            return Err(format!(
                "„{part}” bevat geen geldige tijd (UU:MM, bijvoorbeeld 08:30-12:00)"
            ));
        };
        if start >= end {
            return Err(format!("in „{part}” ligt de eindtijd niet na de begintijd"));
        }
        if let Some(prev) = out.last()
            && start < prev.end
        {
            return Err(format!(
                "„{part}” overlapt met of ligt vóór het vorige tijdvak (zet de tijdvakken op volgorde)"
            ));
        }
        out.push(TimeRange::new(start, end));
    }
    Ok(out)
}

// ---------------------------------------------------------------- lesson times

#[derive(Template)]
#[template(path = "beheer_lestijden.html")]
struct LessonTimesPage {
    meta: PageMeta,
    days: Vec<&'static str>,
    rows: Vec<GridRow>,
    /// The day from which the times in the grid apply (`YYYY-MM-DD`, the date field).
    valid_from: String,
    /// The earlier lesson times, newest first.
    earlier: Vec<EarlierRow>,
    errors: Vec<String>,
    saved: Option<String>,
}

/// Lesson times that applied before a change, as one line per schedule.
struct EarlierRow {
    period: String,
    lines: Vec<String>,
}

/// "woensdag 08:30-12:15", or "woensdag geen" for a day without lessons.
fn day_text(day: usize, times: &[TimeRange]) -> String {
    if times.is_empty() {
        format!("{} geen", DAYS[day])
    } else {
        format!("{} {}", DAYS[day], times_text(times))
    }
}

fn earlier_rows(school: &School) -> Vec<EarlierRow> {
    let mut from: Option<Date> = None;
    let mut rows = Vec::new();
    for e in &school.earlier_times {
        let last = e.until.yesterday().unwrap_or(e.until);
        let period = match from {
            Some(f) => format!("{} t/m {}", date_nl(f), date_nl(last)),
            None => format!("t/m {}", date_nl(last)),
        };
        let week = |times: &[Vec<TimeRange>]| {
            times
                .iter()
                .take(SCHOOL_DAYS)
                .enumerate()
                .map(|(d, t)| day_text(d, t))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut lines = vec![format!("Hele school: {}", week(&e.lesson_times.0))];
        for (name, own) in &e.groups {
            let days: Vec<String> = own
                .0
                .iter()
                .take(SCHOOL_DAYS)
                .enumerate()
                .filter_map(|(d, t)| t.as_ref().map(|t| day_text(d, t)))
                .collect();
            if !days.is_empty() {
                lines.push(format!("Groep {name}: {}", days.join("; ")));
            }
        }
        rows.push(EarlierRow { period, lines });
        from = Some(e.until);
    }
    rows.reverse();
    rows
}

struct GridRow {
    label: String,
    is_default: bool,
    cells: Vec<GridCell>,
}

struct GridCell {
    name: String,
    id: String,
    value: String,
    invalid: bool,
    label: String,
}

fn grid(school: &School) -> Vec<GridRow> {
    let mut rows = vec![GridRow {
        label: "Hele school (standaard)".into(),
        is_default: true,
        cells: (0..SCHOOL_DAYS)
            .map(|d| GridCell {
                name: format!("standaard|{d}"),
                id: format!("t-s-{d}"),
                value: times_text(&school.lesson_times.0[d]),
                invalid: false,
                label: format!("Hele school, {}", DAYS[d]),
            })
            .collect(),
    }];
    for (i, (name, own)) in school.groups.iter().enumerate() {
        rows.push(GridRow {
            label: format!("Groep {name}"),
            is_default: false,
            cells: (0..SCHOOL_DAYS)
                .map(|d| GridCell {
                    name: format!("groep:{name}|{d}"),
                    id: format!("t-g{i}-{d}"),
                    value: match &own.0[d] {
                        None => String::new(),
                        Some(l) if l.is_empty() => "geen".into(),
                        Some(l) => times_text(l),
                    },
                    invalid: false,
                    label: format!("Groep {name}, {}", DAYS[d]),
                })
                .collect(),
        });
    }
    rows
}

/// `GET /beheer/lestijden`: the grid of lesson times per group and weekday.
pub async fn lesson_times(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let settings = settings_of(&state, &web).await?;
    Ok(render(&LessonTimesPage {
        meta: web.meta("Lestijden", "/beheer/lestijden"),
        days: DAYS[..SCHOOL_DAYS].to_vec(),
        rows: grid(&settings.school),
        valid_from: today(&state).to_string(),
        earlier: earlier_rows(&settings.school),
        errors: Vec::new(),
        saved: None,
    }))
}

/// `POST /beheer/lestijden`: checks every cell, then stores all and re-evaluates every pupil;
/// with any bad cell nothing is stored and each bad cell is named.
pub async fn lesson_times_save(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let mut settings = settings_of(&state, &web).await?;
    let mut rows = grid(&settings.school);
    let mut errors = Vec::new();
    let mut school = settings.school.clone();
    let valid_from_text = form
        .iter()
        .find(|(k, _)| k == "geldig_vanaf")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let valid_from = if valid_from_text.is_empty() {
        today(&state)
    } else {
        match valid_from_text.parse::<Date>() {
            Ok(d) => d,
            Err(_) => {
                errors.push(format!(
                    "Geldig vanaf: „{valid_from_text}” is geen datum (JJJJ-MM-DD)."
                ));
                today(&state)
            }
        }
    };
    for (name, value) in &form {
        let Some((row, day)) = name.rsplit_once('|') else {
            continue;
        };
        let Some(day) = day.parse::<usize>().ok().filter(|d| *d < SCHOOL_DAYS) else {
            continue;
        };
        let (label, group) = if row == "standaard" {
            ("Hele school".to_owned(), None)
        } else if let Some(g) = row.strip_prefix("groep:") {
            if !school.groups.contains_key(g) {
                continue;
            }
            (format!("Groep {g}"), Some(g.to_owned()))
        } else {
            continue;
        };
        let mut cell = rows
            .iter_mut()
            .flat_map(|r| r.cells.iter_mut())
            .find(|c| c.name == *name);
        if let Some(c) = cell.as_deref_mut() {
            c.value = value.clone();
        }
        let v = value.trim();
        let parsed = match &group {
            Some(_) if v.is_empty() => Ok(None),
            Some(_) if v.eq_ignore_ascii_case("geen") => Ok(Some(Vec::new())),
            _ if v.eq_ignore_ascii_case("geen") => Ok(Some(Vec::new())),
            _ => parse_times(v).map(Some),
        };
        match parsed {
            Ok(times) => match &group {
                None => school.lesson_times.0[day] = times.unwrap_or_default(),
                Some(g) => {
                    if let Some(own) = school.groups.get_mut(g) {
                        own.0[day] = times;
                    }
                }
            },
            Err(m) => {
                if let Some(c) = cell {
                    c.invalid = true;
                }
                errors.push(format!("{label}, {}: {m}.", DAYS[day]));
            }
        }
    }
    let mut saved = None;
    if errors.is_empty() {
        settings.school = school;
        match store_settings(&state, &web, &settings, Some(valid_from)).await {
            Ok(m) => {
                saved = Some(format!(
                    "{m} De nieuwe lestijden gelden vanaf {}.",
                    date_nl(valid_from)
                ));
                settings = settings_of(&state, &web).await?;
                rows = grid(&settings.school);
            }
            Err(m) => errors.push(m),
        }
    }
    Ok(render(&LessonTimesPage {
        meta: web.meta("Lestijden", "/beheer/lestijden"),
        days: DAYS[..SCHOOL_DAYS].to_vec(),
        rows,
        valid_from: if valid_from_text.is_empty() || errors.is_empty() {
            valid_from.to_string()
        } else {
            valid_from_text
        },
        earlier: earlier_rows(&settings.school),
        errors,
        saved,
    }))
}

// ---------------------------------------------------------------- closed periods, holidays

fn kind_label(k: ClosedKind) -> &'static str {
    match k {
        ClosedKind::Vakantie => "Vakantie",
        ClosedKind::VrijeDag => "Vrije dag",
        ClosedKind::Studiedag => "Studiedag",
    }
}

#[derive(Template)]
#[template(path = "beheer_vrije_dagen.html")]
struct ClosedPage {
    meta: PageMeta,
    periods: Vec<ClosedRow>,
    region: String,
    regions: Vec<&'static str>,
    /// The school years offered for the holiday upload: this one and the next two.
    school_years: Vec<String>,
    errors: Vec<String>,
    saved: Option<String>,
    form: ClosedForm,
}

struct ClosedRow {
    index: usize,
    name: String,
    kind: &'static str,
    from: String,
    until: String,
    from_iso: String,
    until_iso: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ClosedForm {
    #[serde(default)]
    actie: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    index: String,
}

fn closed_rows(school: &School) -> Vec<ClosedRow> {
    let mut rows: Vec<ClosedRow> = school
        .closed
        .iter()
        .enumerate()
        .map(|(index, c)| ClosedRow {
            index,
            name: c.name.clone(),
            kind: kind_label(c.kind),
            from: date_nl(c.from),
            until: date_nl(c.until),
            from_iso: c.from.to_string(),
            until_iso: c.until.to_string(),
        })
        .collect();
    rows.sort_by(|a, b| a.from_iso.cmp(&b.from_iso));
    rows
}

fn closed_page(
    web: &WebUser,
    today: Date,
    school: &School,
    errors: Vec<String>,
    saved: Option<String>,
    form: ClosedForm,
) -> Response {
    let school_years = (0..3)
        .map(|n| holidays::school_year_of(today.saturating_add(jiff::Span::new().years(n))))
        .collect();
    render(&ClosedPage {
        meta: web.meta("Vrije dagen en vakanties", "/beheer/vrije-dagen"),
        periods: closed_rows(school),
        region: school.holiday_region.clone().unwrap_or_default(),
        regions: holidays::REGIONS.to_vec(),
        school_years,
        errors,
        saved,
        form,
    })
}

/// The closed-periods page with `errors` over the stored settings: nothing was changed.
async fn closed_refused(
    state: &AppState,
    web: &WebUser,
    errors: Vec<String>,
    form: ClosedForm,
) -> ApiResult<Response> {
    let original = settings_of(state, web).await?;
    Ok(closed_page(
        web,
        today(state),
        &original.school,
        errors,
        None,
        form,
    ))
}

/// `GET /beheer/vrije-dagen`: the closed periods, a form to add one, the holiday upload.
pub async fn closed(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let settings = settings_of(&state, &web).await?;
    Ok(closed_page(
        &web,
        today(&state),
        &settings.school,
        Vec::new(),
        None,
        ClosedForm::default(),
    ))
}

fn parse_date(field: &str, s: &str) -> Result<Date, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("vul „{field}” in"));
    }
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    // dd-mm-jjjj
    let parts: Vec<&str> = s.split('-').collect();
    if let [d, m, y] = parts[..]
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>())
        && let Ok(date) = Date::new(y, m, d)
    {
        return Ok(date);
    }
    Err(format!(
        "„{s}” bij „{field}” is geen datum (jjjj-mm-dd of dd-mm-jjjj)"
    ))
}

/// `POST /beheer/vrije-dagen`: adds (`actie=toevoegen`) or removes (`actie=verwijderen`) a
/// closed period, then re-evaluates every pupil.
pub async fn closed_save(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<ClosedForm>,
) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let mut settings = settings_of(&state, &web).await?;
    let mut errors = Vec::new();
    match form.actie.as_str() {
        "verwijderen" => {
            let index = form.index.parse::<usize>().ok();
            let matches = index
                .and_then(|i| settings.school.closed.get(i))
                .is_some_and(|c| c.from.to_string() == form.van && c.until.to_string() == form.tot);
            if !matches {
                errors.push(
                    "Deze periode bestaat niet (meer); de lijst is hieronder opnieuw getoond."
                        .to_owned(),
                );
            } else if let Some(i) = index {
                settings.school.closed.remove(i);
            }
        }
        _ => {
            let name = form.naam.trim();
            if name.is_empty() || name.chars().count() > 100 {
                errors.push("Naam: vul een naam in van 1 tot 100 tekens.".to_owned());
            }
            let kind = ClosedKind::parse(&form.soort);
            if kind.is_none() {
                errors.push("Soort: kies vakantie, vrije dag of studiedag.".to_owned());
            }
            let from = parse_date("Van", &form.van).map_err(|m| errors.push(sentence(&m)));
            let until = parse_date("Tot en met", &form.tot).map_err(|m| errors.push(sentence(&m)));
            if let (Ok(from), Ok(until), Some(kind)) = (from, until, kind) {
                if until < from {
                    errors.push("Tot en met: deze datum ligt vóór de begindatum.".to_owned());
                } else if settings
                    .school
                    .closed
                    .iter()
                    .any(|c| c.from == from && c.until == until)
                {
                    errors.push(format!(
                        "Er is al een periode van {} tot en met {}.",
                        date_nl(from),
                        date_nl(until)
                    ));
                } else if errors.is_empty() {
                    settings.school.closed.push(ClosedPeriod {
                        name: name.to_owned(),
                        kind,
                        from,
                        until,
                    });
                }
            }
        }
    }
    if !errors.is_empty() {
        return closed_refused(&state, &web, errors, form).await;
    }
    settings.school.closed.sort_by_key(|c| (c.from, c.until));
    match store_settings(&state, &web, &settings, None).await {
        Ok(m) => Ok(closed_page(
            &web,
            today(&state),
            &settings.school,
            Vec::new(),
            Some(m),
            ClosedForm::default(),
        )),
        Err(m) => closed_refused(&state, &web, vec![m], form).await,
    }
}

#[derive(Template)]
#[template(path = "beheer_vakanties.html")]
struct HolidaysPage {
    meta: PageMeta,
    region: String,
    file: String,
    /// The school year chosen ("" for all in the file) and the ones the file holds.
    school_year: String,
    file_years: String,
    /// What the file says per holiday and region (noord, midden, zuid), before anything is saved.
    read: Vec<ReadRow>,
    /// The regions of the columns of `read`, and the column of the school's region.
    regions: Vec<&'static str>,
    own: usize,
    /// What could not be read (left out) and what looks wrong: warnings with their JSON path.
    problems: Vec<String>,
    notes: Vec<String>,
    new: Vec<ClosedRow>,
    known: Vec<ClosedRow>,
}

/// One holiday of the file with its dates per region.
struct ReadRow {
    school_year: String,
    name: String,
    compulsory: bool,
    nationwide: bool,
    /// "dd-mm-jjjj t/m dd-mm-jjjj" per region, or "—" when the file has no dates for it.
    regions: Vec<String>,
}

fn read_row(row: &holidays::HolidayRow) -> ReadRow {
    ReadRow {
        school_year: row.school_year.clone(),
        name: row.name.clone(),
        compulsory: row.compulsory,
        nationwide: row.nationwide,
        regions: row
            .regions
            .iter()
            .map(|dates| match dates {
                Some((from, until)) => format!("{} t/m {}", date_nl(*from), date_nl(*until)),
                None => "—".to_owned(),
            })
            .collect(),
    }
}

fn row_of(c: &ClosedPeriod) -> ClosedRow {
    ClosedRow {
        index: 0,
        name: c.name.clone(),
        kind: kind_label(c.kind),
        from: date_nl(c.from),
        until: date_nl(c.until),
        from_iso: c.from.to_string(),
        until_iso: c.until.to_string(),
    }
}

/// Whether one stored closed period already covers `from..=until` (the same holiday, perhaps
/// entered by hand with a study day before it): such a holiday is not added twice.
fn already_closed(school: &School, from: Date, until: Date) -> bool {
    school
        .closed
        .iter()
        .any(|c| c.from <= from && until <= c.until)
}

/// Reads the parts of a multipart form: `(name, file name, bytes)` (a broken form: the Dutch
/// error naming the part, see [`crate::multipart`]).
async fn parts(
    headers: &HeaderMap,
    body: Bytes,
) -> ApiResult<Vec<(String, Option<String>, Vec<u8>)>> {
    let boundary = crate::multipart::boundary(headers)?;
    Ok(crate::multipart::parts(body, &boundary)
        .await?
        .into_iter()
        .map(|p| (p.name, p.file_name, p.bytes))
        .collect())
}

/// `POST /beheer/vakanties` (multipart: `regio`, `schooljaar`, `bestand`): reads the
/// Rijksoverheid file and shows what it read per holiday and region, with warnings (what was
/// left out, what looks wrong, each with its JSON path), and the periods it would add for the
/// region (those already there left out). Nothing is stored.
pub async fn holidays_preview(
    State(state): State<AppState>,
    web: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let settings = settings_of(&state, &web).await?;
    let mut region = settings.school.holiday_region.clone().unwrap_or_default();
    let mut school_year = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    for (name, file_name, bytes) in parts(&headers, body).await? {
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "regio" if !text().is_empty() => region = text(),
            "schooljaar" => school_year = text(),
            "bestand" => {
                file = Some((file_name.unwrap_or_else(|| "bestand".into()), bytes));
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    let region = holidays::parse_region(&region)
        .map_err(|_| errors.push("Regio: kies noord, midden of zuid.".to_owned()))
        .ok();
    let chosen = (!school_year.is_empty())
        .then(|| holidays::parse_school_year(&school_year))
        .transpose()
        .map_err(|m| errors.push(format!("Schooljaar: {m}.")))
        .ok()
        .flatten();
    let file = match file {
        Some((name, bytes)) if !bytes.is_empty() => Some((name, bytes)),
        _ => {
            errors.push("Bestand: kies het JSON-bestand met de schoolvakanties.".to_owned());
            None
        }
    };
    let mut read = None;
    if let Some((name, bytes)) = &file {
        match holidays::read_rijksoverheid(name, bytes) {
            Ok(f) if f.holidays.is_empty() => {
                errors.push(format!(
                    "{name} bevat geen schoolvakanties die te lezen zijn (verwacht: de JSON van de Rijksoverheid met content[].vacations[])."
                ));
                errors.extend(f.problems.iter().map(|e| format!("{e}.")));
            }
            Ok(f) => read = Some(f),
            Err(list) => errors.extend(list.iter().map(|e| {
                sentence(&format!(
                    "Het bestand is geen bruikbaar overzicht van schoolvakanties: {e}"
                ))
            })),
        }
    }
    let (Some(region), Some(read), Some((name, _)), true) = (region, read, file, errors.is_empty())
    else {
        return closed_refused(&state, &web, errors, ClosedForm::default()).await;
    };
    let chosen_holidays = match read.of_school_year(chosen.as_deref()) {
        Ok(h) => h,
        Err(m) => {
            let errors = vec![format!("{name}: {m}.")];
            return closed_refused(&state, &web, errors, ClosedForm::default()).await;
        }
    };
    let periods = holidays::closed_periods(chosen_holidays.iter().copied(), region);
    let (known, new): (Vec<_>, Vec<_>) = periods
        .iter()
        .partition(|p| already_closed(&settings.school, p.from, p.until));
    Ok(render(&HolidaysPage {
        meta: web.meta("Schoolvakanties laden", "/beheer/vrije-dagen"),
        school_year: chosen.unwrap_or_default(),
        file_years: read.school_years().join(", "),
        read: holidays::by_holiday(chosen_holidays)
            .iter()
            .map(read_row)
            .collect(),
        regions: holidays::REGIONS.to_vec(),
        own: holidays::REGIONS
            .iter()
            .position(|r| *r == region)
            .unwrap_or_default(),
        problems: read.problems.iter().map(ToString::to_string).collect(),
        notes: read.notes.iter().map(ToString::to_string).collect(),
        file: name,
        new: new.into_iter().map(row_of).collect(),
        known: known.into_iter().map(row_of).collect(),
        region: region.to_owned(),
    }))
}

/// `POST /beheer/vakanties/toevoegen`: adds the previewed periods (`naam`, `van`, `tot`
/// repeated; those already there are skipped) and sets the school's region if it had none.
pub async fn holidays_add(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let mut settings = settings_of(&state, &web).await?;
    let get = |k: &str| -> Vec<&str> {
        form.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let (names, froms, untils) = (get("naam"), get("van"), get("tot"));
    let region = get("regio")
        .first()
        .and_then(|r| holidays::parse_region(r).ok());
    let mut errors = Vec::new();
    if names.len() != froms.len() || names.len() != untils.len() {
        errors.push("Het formulier is onvolledig; laad het bestand opnieuw.".to_owned());
    }
    let mut added = 0;
    for ((name, from), until) in names.iter().zip(&froms).zip(&untils) {
        let (Ok(from), Ok(until)) = (from.parse::<Date>(), until.parse::<Date>()) else {
            errors.push(format!(
                "„{name}”: ongeldige datum; laad het bestand opnieuw."
            ));
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || until < from {
            errors.push(format!(
                "„{name}”: ongeldige periode; laad het bestand opnieuw."
            ));
            continue;
        }
        if already_closed(&settings.school, from, until) {
            continue;
        }
        settings.school.closed.push(ClosedPeriod {
            name: name.to_owned(),
            kind: ClosedKind::Vakantie,
            from,
            until,
        });
        added += 1;
    }
    if !errors.is_empty() {
        return closed_refused(&state, &web, errors, ClosedForm::default()).await;
    }
    if settings.school.holiday_region.is_none()
        && let Some(r) = region
    {
        settings.school.holiday_region = Some(r.to_owned());
    }
    settings.school.closed.sort_by_key(|c| (c.from, c.until));
    match store_settings(&state, &web, &settings, None).await {
        Ok(m) => Ok(closed_page(
            &web,
            today(&state),
            &settings.school,
            Vec::new(),
            Some(format!("{added} vakantie(s) toegevoegd. {m}")),
            ClosedForm::default(),
        )),
        Err(m) => closed_refused(&state, &web, vec![m], ClosedForm::default()).await,
    }
}

// ---------------------------------------------------------------- groups

#[derive(Template)]
#[template(path = "beheer_groepen.html")]
struct GroupsPage {
    meta: PageMeta,
    days: Vec<&'static str>,
    groups: Vec<GroupRow>,
    errors: Vec<String>,
    saved: Option<String>,
    name: String,
}

struct GroupRow {
    name: String,
    pupils: u64,
    own: bool,
    times: Vec<String>,
}

async fn groups_page(
    state: &AppState,
    web: &WebUser,
    errors: Vec<String>,
    saved: Option<String>,
    name: String,
) -> ApiResult<Response> {
    let settings = settings_of(state, web).await?;
    let counts = verzuim_service::overview::pupils_per_group(
        &state.store,
        &web.caller(),
        web.org_id(),
        today(state),
    )
    .await
    .map_err(service_error)?;
    let mut names: Vec<String> = settings.school.groups.keys().cloned().collect();
    names.extend(counts.keys().cloned());
    names.sort_by_key(|a| natural(a));
    names.dedup();
    let groups = names
        .into_iter()
        .map(|g| {
            let week = settings.school.week_times(&g);
            GroupRow {
                pupils: counts.get(&g).copied().unwrap_or(0),
                own: settings.school.groups.contains_key(&g),
                times: (0..SCHOOL_DAYS)
                    .map(|d| {
                        let t = times_text(&week.0[d]);
                        if t.is_empty() {
                            "geen lessen".into()
                        } else {
                            t
                        }
                    })
                    .collect(),
                name: g,
            }
        })
        .collect();
    Ok(render(&GroupsPage {
        meta: web.meta("Groepen", "/beheer/groepen"),
        days: DAYS[..SCHOOL_DAYS].to_vec(),
        groups,
        errors,
        saved,
        name,
    }))
}

/// Group names in a natural order ("2" before "10").
fn natural(s: &str) -> (u32, String) {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u32::MAX), s.to_owned())
}

/// `GET /beheer/groepen`: the groups with their pupils and lesson times.
pub async fn groups(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    require_school_admin(&web)?;
    groups_page(&state, &web, Vec::new(), None, String::new()).await
}

#[derive(Debug, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    naam: String,
}

/// `POST /beheer/groepen`: adds a group with its own row in the lesson times (at first the
/// school's times).
pub async fn groups_add(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<GroupForm>,
) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let name = form.naam.trim().to_owned();
    let mut settings = settings_of(&state, &web).await?;
    let mut errors = Vec::new();
    if name.is_empty()
        || name.chars().count() > 20
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '/')
    {
        errors.push(
            "Naam van de groep: 1 tot 20 letters, cijfers, spaties, - of / (bijvoorbeeld 5 of 1/2a)."
                .to_owned(),
        );
    } else if settings.school.groups.contains_key(&name) {
        errors.push(format!(
            "Groep {name} heeft al een eigen rij in de lestijden."
        ));
    }
    if !errors.is_empty() {
        return groups_page(&state, &web, errors, None, form.naam).await;
    }
    settings
        .school
        .groups
        .insert(name.clone(), GroupTimes::default());
    save_groups(
        &state,
        &web,
        &settings,
        |_| format!("Groep {name} toegevoegd; geef de eigen lestijden op bij Lestijden."),
        form.naam,
    )
    .await
}

/// Stores the settings after a change of the groups and shows the groups page: `saved`'s
/// message, or the error with the form's name kept.
async fn save_groups(
    state: &AppState,
    web: &WebUser,
    settings: &SchoolSettings,
    saved: impl FnOnce(String) -> String,
    name: String,
) -> ApiResult<Response> {
    // A group's own times change from today on (issue 10.2); the days before keep theirs.
    match store_settings(state, web, settings, Some(today(state))).await {
        Ok(report) => groups_page(state, web, Vec::new(), Some(saved(report)), String::new()).await,
        Err(m) => groups_page(state, web, vec![m], None, name).await,
    }
}

/// `POST /beheer/groepen/opheffen`: removes a group's own row from the lesson times; the group
/// then follows the school's times (every pupil re-evaluated). A group without pupils is then
/// gone from the list.
pub async fn groups_remove(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<GroupForm>,
) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let name = form.naam.trim().to_owned();
    let mut settings = settings_of(&state, &web).await?;
    if settings.school.groups.remove(&name).is_none() {
        return groups_page(
            &state,
            &web,
            vec![format!(
                "Groep {name} heeft geen eigen lestijden (meer): er is niets op te heffen."
            )],
            None,
            String::new(),
        )
        .await;
    }
    save_groups(
        &state,
        &web,
        &settings,
        |report| {
            format!(
                "De eigen lestijden van groep {name} zijn opgeheven: de groep volgt de lestijden van de school. {report}"
            )
        },
        String::new(),
    )
    .await
}

// ---------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "beheer_gebruikers.html")]
struct UsersPage {
    meta: PageMeta,
    members: Vec<MemberRow>,
    roles: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    saved: Option<String>,
    form: UserForm,
    min_length: usize,
}

struct MemberRow {
    user_id: i64,
    name: String,
    email: String,
    role: &'static str,
    role_value: &'static str,
    groups: String,
    me: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    rol: String,
    #[serde(default)]
    groepen: String,
}

async fn users_page(
    state: &AppState,
    web: &WebUser,
    errors: Vec<String>,
    saved: Option<String>,
    mut form: UserForm,
) -> ApiResult<Response> {
    let members = verzuim_service::users::members(&state.store, &web.caller(), web.org_id())
        .await
        .map_err(service_error)?;
    form.wachtwoord.clear();
    Ok(render(&UsersPage {
        meta: web.meta("Gebruikers en rollen", "/beheer/gebruikers"),
        members: members
            .into_iter()
            .map(|(u, m)| MemberRow {
                me: u.id == web.user.id,
                user_id: u.id,
                name: u.display_name,
                email: u.email,
                role: role_label(m.role),
                role_value: m.role.as_str(),
                groups: m.groups.join(", "),
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .filter(|r| verzuim_service::users::role_fits(**r, web.org.kind))
            .map(|r| (r.as_str(), role_label(*r)))
            .collect(),
        errors,
        saved,
        form,
        min_length: password::MIN_LENGTH,
    }))
}

/// `GET /beheer/gebruikers`: the organisation's users and roles; add a user or a role.
pub async fn users(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    web.require(&[Role::Beheerder], None)?;
    users_page(&state, &web, Vec::new(), None, UserForm::default()).await
}

/// `POST /beheer/gebruikers`: gives the user with this e-mail address the role; a new user is
/// made with the name and initial password (which must follow the password policy).
pub async fn users_add(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    axum::Form(form): axum::Form<UserForm>,
) -> ApiResult<Response> {
    web.require(&[Role::Beheerder], None)?;
    let mut errors = Vec::new();
    let email = form.email.trim().to_lowercase();
    if email.chars().count() > 254
        || !email.contains('@')
        || email.starts_with('@')
        || email.ends_with('@')
        || email.contains(char::is_whitespace)
    {
        errors.push("E-mailadres: vul een geldig e-mailadres in.".to_owned());
    }
    let role =
        Role::parse(&form.rol).filter(|r| verzuim_service::users::role_fits(*r, web.org.kind));
    if role.is_none() {
        errors.push("Rol: kies een rol uit de lijst.".to_owned());
    }
    let groups: Vec<String> = form
        .groepen
        .split(',')
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty())
        .collect();
    if groups.len() > 20 || groups.iter().any(|g| g.chars().count() > 20) {
        errors.push("Groepen: hoogstens 20 groepen van elk hoogstens 20 tekens.".to_owned());
    }
    if !errors.is_empty() {
        return users_page(&state, &web, errors, None, form).await;
    }
    let existing = state.store.user_by_email(&email).await?;
    let hash = if existing.is_none() {
        let name = form.naam.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(
                "Naam: vul de naam van de nieuwe gebruiker in (1 tot 200 tekens).".to_owned(),
            );
        }
        if let Err(e) = password::check_policy(&form.wachtwoord) {
            errors.push(format!("Eerste wachtwoord: {e}"));
        }
        if !errors.is_empty() {
            return users_page(&state, &web, errors, None, form).await;
        }
        Some(
            password::hash_blocking(form.wachtwoord.clone())
                .await
                .map_err(ApiError::internal)?,
        )
    } else {
        None
    };
    let Some(role) = role else {
        return users_page(&state, &web, errors, None, form).await;
    };
    match verzuim_service::users::add_member(
        &state.store,
        &web.caller(),
        web.org_id(),
        &email,
        form.naam.trim(),
        hash.as_deref(),
        role,
        &groups,
    )
    .await
    {
        Ok(added) => {
            audit
                .event(&web.actor, crate::audit::action::MEMBERSHIP_ADD)
                .organisation(web.org_id())
                .object(format!("user:{}:{}", added.user_id, role.as_str()))
                .write()
                .await?;
            let what = if added.created {
                format!(
                    "Gebruiker {email} aangemaakt met de rol {}.",
                    role_label(role)
                )
            } else {
                format!(
                    "De bestaande gebruiker {email} heeft de rol {} erbij gekregen.",
                    role_label(role)
                )
            };
            users_page(&state, &web, Vec::new(), Some(what), UserForm::default()).await
        }
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
            users_page(&state, &web, vec![sentence(&m)], None, form).await
        }
        Err(e) => Err(service_error(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    gebruiker: i64,
    rol: String,
}

/// `POST /beheer/gebruikers/intrekken`: removes one role of a user (not the caller's own last
/// beheerder role).
pub async fn users_remove(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    axum::Form(form): axum::Form<RemoveForm>,
) -> ApiResult<Response> {
    web.require(&[Role::Beheerder], None)?;
    let Some(role) = Role::parse(&form.rol) else {
        return users_page(
            &state,
            &web,
            vec!["Onbekende rol.".into()],
            None,
            UserForm::default(),
        )
        .await;
    };
    match verzuim_service::users::remove_member(
        &state.store,
        &web.caller(),
        web.org_id(),
        form.gebruiker,
        role,
    )
    .await
    {
        Ok(()) => {
            audit
                .event(&web.actor, crate::audit::action::MEMBERSHIP_REMOVE)
                .organisation(web.org_id())
                .object(format!("user:{}:{}", form.gebruiker, role.as_str()))
                .write()
                .await?;
            users_page(
                &state,
                &web,
                Vec::new(),
                Some(format!("De rol {} is ingetrokken.", role_label(role))),
                UserForm::default(),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            users_page(&state, &web, vec![sentence(&m)], None, UserForm::default()).await
        }
        Err(ServiceError::NotFound) => {
            users_page(
                &state,
                &web,
                vec!["Deze gebruiker heeft die rol hier niet (meer).".into()],
                None,
                UserForm::default(),
            )
            .await
        }
        Err(e) => Err(service_error(e)),
    }
}

// ---------------------------------------------------------------- audit log

const AUDIT_PAGE: u32 = 50;

/// The filters of the audit page (all optional).
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    gebruiker: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    leerling: String,
    #[serde(default)]
    pagina: Option<u32>,
}

#[derive(Template)]
#[template(path = "beheer_auditlog.html")]
struct AuditPage {
    meta: PageMeta,
    q: AuditQuery,
    users: Vec<(String, String)>,
    actions: Vec<(&'static str, String)>,
    rows: Vec<AuditRowView>,
    errors: Vec<String>,
    page: u32,
    prev: Option<String>,
    next: Option<String>,
    csv: String,
}

struct AuditRowView {
    at: String,
    who: String,
    /// The Dutch description of the action and its object (`super::audit_text`).
    what: String,
    pupil: String,
    outcome: String,
}

const KNOWN_ACTIONS: [&str; 10] = [
    action::LOGIN,
    action::LOGOUT,
    action::PASSWORD_CHANGE,
    action::PUPIL_READ,
    action::PUPIL_WRITE,
    action::TOKEN_CREATE,
    action::TOKEN_REVOKE,
    action::AUDIT_EXPORT,
    "membership_add",
    "membership_remove",
];

fn audit_filter(web: &WebUser, q: &AuditQuery) -> Result<AuditFilter, Vec<String>> {
    let mut errors = Vec::new();
    let mut f = AuditFilter::default();
    if !q.van.trim().is_empty() {
        match parse_date("Van", &q.van) {
            Ok(d) => f.from = nl::day_start(d),
            Err(m) => errors.push(sentence(&m)),
        }
    }
    if !q.tot.trim().is_empty() {
        match parse_date("Tot en met", &q.tot) {
            Ok(d) => f.until = d.tomorrow().ok().and_then(nl::day_start),
            Err(m) => errors.push(sentence(&m)),
        }
    }
    if !q.gebruiker.trim().is_empty() {
        match q.gebruiker.trim().parse::<i64>() {
            Ok(u) => f.user_id = Some(u),
            Err(_) => errors.push("Gebruiker: kies een gebruiker uit de lijst.".into()),
        }
    }
    let a = q.actie.trim();
    if !a.is_empty() {
        if a.len() > 64 {
            errors.push("Actie: te lang.".into());
        }
        f.action = Some(a.to_owned());
    }
    let p = q.leerling.trim();
    if !p.is_empty() {
        if p.len() > 129 {
            errors.push("Leerling: te lang.".into());
        }
        f.pupil = Some(if p.contains('/') {
            p.to_owned()
        } else {
            verzuim_store::pupil_ref(web.org_id(), p)
        });
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(errors)
    }
}

fn audit_query_string(q: &AuditQuery, page: Option<u32>) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("van", q.van.clone()),
        ("tot", q.tot.clone()),
        ("gebruiker", q.gebruiker.clone()),
        ("actie", q.actie.clone()),
        ("leerling", q.leerling.clone()),
    ];
    pairs.retain(|(_, v)| !v.trim().is_empty());
    if let Some(p) = page {
        pairs.push(("pagina", p.to_string()));
    }
    let enc: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", super::url_part(&v)))
        .collect();
    enc.join("&")
}

/// `GET /beheer/auditlog`: the organisation's audit rows, filtered by day range, user, action
/// and pupil; 50 per page, newest first, described in Dutch (`super::audit_text`).
pub async fn audit_log(
    State(state): State<AppState>,
    web: WebUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    web.require(&[Role::Beheerder], None)?;
    let members = verzuim_service::users::members(&state.store, &web.caller(), web.org_id())
        .await
        .map_err(service_error)?;
    let mut users: Vec<(String, String)> = members
        .iter()
        .map(|(u, _)| {
            (
                u.id.to_string(),
                format!("{} ({})", u.display_name, u.email),
            )
        })
        .collect();
    users.dedup();
    let names: std::collections::HashMap<i64, String> = members
        .iter()
        .map(|(u, _)| (u.id, u.display_name.clone()))
        .collect();
    let page_no = q.pagina.unwrap_or(1).clamp(1, 100_000);
    let (rows, errors, more) = match audit_filter(&web, &q) {
        Ok(mut f) => {
            f.newest_first = true;
            let page = Page::new(AUDIT_PAGE + 1, (page_no - 1) * AUDIT_PAGE);
            let mut rows = state.store.search_audit_log(web.org_id(), &f, page).await?;
            let more = rows.len() > AUDIT_PAGE as usize;
            rows.truncate(AUDIT_PAGE as usize);
            (rows, Vec::new(), more)
        }
        Err(e) => (Vec::new(), e, false),
    };
    let rows = rows
        .into_iter()
        .map(|r| AuditRowView {
            at: nl::date_time_seconds_nl(r.at),
            who: r
                .user_id
                .and_then(|u| names.get(&u).cloned())
                .unwrap_or_else(|| r.actor.clone()),
            what: super::audit_text::describe(&r.action, &r.object),
            pupil: r
                .pupil
                .map(|p| {
                    p.strip_prefix(&format!("{}/", web.org_id()))
                        .map_or_else(|| p.clone(), str::to_owned)
                })
                .unwrap_or_default(),
            outcome: super::audit_text::outcome_nl(&r.outcome).to_owned(),
        })
        .collect();
    Ok(render(&AuditPage {
        meta: web.meta("Auditlog", "/beheer/auditlog"),
        users,
        actions: KNOWN_ACTIONS
            .iter()
            .map(|a| (*a, super::audit_text::action_nl(a)))
            .collect(),
        rows,
        errors,
        page: page_no,
        prev: (page_no > 1).then(|| audit_query_string(&q, Some(page_no - 1))),
        next: more.then(|| audit_query_string(&q, Some(page_no + 1))),
        csv: audit_query_string(&q, None),
        q,
    }))
}

fn csv_field(s: &str) -> String {
    // Quote always; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `GET /beheer/auditlog.csv`: the filtered log as CSV (at most 100 000 rows).
pub async fn audit_csv(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    web.require(&[Role::Beheerder], None)?;
    let mut filter = audit_filter(&web, &q)
        .map_err(|e| ApiError::bad_request("ongeldig_filter", e.join(" ")))?;
    audit
        .event(&web.actor, action::AUDIT_EXPORT)
        .organisation(web.org_id())
        .object(format!("audit:{}:csv", web.org_id()))
        .write()
        .await?;
    let mut out = String::from("tijdstip;gebruiker;actor;actie;object;leerling;adres;uitkomst\n");
    let mut total = 0;
    loop {
        let rows = state
            .store
            .search_audit_log(
                web.org_id(),
                &filter,
                Page::first(verzuim_store::MAX_PAGE_SIZE),
            )
            .await?;
        for r in &rows {
            let line = [
                r.at.to_string(),
                r.user_id.map(|u| u.to_string()).unwrap_or_default(),
                r.actor.clone(),
                r.action.clone(),
                r.object.clone(),
                r.pupil.clone().unwrap_or_default(),
                r.address.clone().unwrap_or_default(),
                r.outcome.clone(),
            ]
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(";");
            out.push_str(&line);
            out.push('\n');
        }
        total += rows.len();
        match rows.last() {
            Some(last)
                if rows.len() == verzuim_store::MAX_PAGE_SIZE as usize && total < 100_000 =>
            {
                filter.after_id = Some(last.id);
            }
            _ => break,
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"auditlog.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

// ---------------------------------------------------------------- import

#[derive(Template)]
#[template(path = "beheer_importeren.html")]
struct ImportPage {
    meta: PageMeta,
    errors: Vec<ImportProblem>,
    message: Option<String>,
    report: Option<ImportDone>,
}

struct ImportProblem {
    file: String,
    line: String,
    column: String,
    message: String,
}

struct ImportDone {
    created: usize,
    updated: usize,
    registrations: usize,
    events: usize,
    settings: bool,
    signals: usize,
}

impl ImportDone {
    /// The report's lines with the nouns in the right number ("1 nieuwe leerling").
    fn lines(&self) -> Vec<String> {
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        let mut out = vec![
            format!(
                "{}, {} bijgewerkt",
                nl::plural(n(self.created), "nieuwe leerling", "nieuwe leerlingen"),
                self.updated
            ),
            format!(
                "{}, {}",
                nl::plural(n(self.registrations), "registratie", "registraties"),
                nl::plural(n(self.events), "gebeurtenis", "gebeurtenissen")
            ),
        ];
        if self.settings {
            out.push("Lestijden en vrije dagen vervangen door school.toml".into());
        }
        out.push(nl::plural(
            n(self.signals),
            "nieuw signaal",
            "nieuwe signalen",
        ));
        out
    }
}

/// `GET /beheer/importeren`: the upload form.
pub async fn import_page(web: WebUser) -> ApiResult<Response> {
    require_school_admin(&web)?;
    Ok(render(&ImportPage {
        meta: web.meta("Importeren", "/beheer/importeren"),
        errors: Vec::new(),
        message: None,
        report: None,
    }))
}

/// `POST /beheer/importeren` (multipart: `pupils`, `registrations`, `events`, `school`): all or
/// nothing; every problem with file, line and column.
pub async fn import_submit(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    require_school_admin(&web)?;
    let mut files: [Option<Vec<u8>>; 4] = Default::default();
    for (name, _, bytes) in parts(&headers, body).await? {
        let slot = match name.as_str() {
            "school" => 0,
            "pupils" => 1,
            "registrations" => 2,
            "events" => 3,
            _ => continue,
        };
        if !bytes.is_empty() {
            files[slot] = Some(bytes);
        }
    }
    let page = |errors: Vec<ImportProblem>, message: Option<String>, report| {
        render(&ImportPage {
            meta: web.meta("Importeren", "/beheer/importeren"),
            errors,
            message,
            report,
        })
    };
    let mut missing = Vec::new();
    if files[1].is_none() {
        missing.push("pupils.csv");
    }
    if files[2].is_none() {
        missing.push("registrations.csv");
    }
    if !missing.is_empty() {
        return Ok(page(
            Vec::new(),
            Some(format!(
                "Kies {}: {} verplicht. Er is niets opgeslagen.",
                missing.join(" en "),
                if missing.len() == 1 {
                    "dit bestand is"
                } else {
                    "deze bestanden zijn"
                }
            )),
            None,
        ));
    }
    let sources = Sources {
        school: files[0].as_deref().map(|bytes| Source {
            name: "school.toml",
            bytes,
        }),
        pupils: Source {
            name: "pupils.csv",
            bytes: files[1].as_deref().unwrap_or_default(),
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: files[2].as_deref().unwrap_or_default(),
        },
        events: files[3].as_deref().map(|bytes| Source {
            name: "events.csv",
            bytes,
        }),
    };
    match verzuim_service::import(
        &state.store,
        &web.caller(),
        today(&state),
        web.org_id(),
        sources,
    )
    .await
    {
        Ok(r) => {
            audit
                .event(&web.actor, action::PUPIL_WRITE)
                .organisation(web.org_id())
                .object(format!(
                    "import:{}:{} leerlingen, {} registraties, {} gebeurtenissen",
                    web.org_id(),
                    r.pupils_created + r.pupils_updated,
                    r.registrations,
                    r.events
                ))
                .write()
                .await?;
            Ok(page(
                Vec::new(),
                None,
                Some(ImportDone {
                    created: r.pupils_created,
                    updated: r.pupils_updated,
                    registrations: r.registrations,
                    events: r.events,
                    settings: r.settings_replaced,
                    signals: r.sync.inserted.len() + r.sync.extended.len(),
                }),
            ))
        }
        Err(ServiceError::Input(errors)) => {
            let n = errors.len();
            Ok(page(
                errors
                    .into_iter()
                    .map(|e| ImportProblem {
                        line: e.line.map(|l| l.to_string()).unwrap_or_default(),
                        column: e.column.map(|c| c.to_string()).unwrap_or_default(),
                        file: e.file,
                        message: e.message,
                    })
                    .collect(),
                Some(format!(
                    "De bestanden bevatten {n} {}; er is niets opgeslagen.",
                    if n == 1 { "fout" } else { "fouten" }
                )),
                None,
            ))
        }
        Err(ServiceError::Invalid(m)) => Ok(page(
            Vec::new(),
            Some(format!("{} Er is niets opgeslagen.", sentence(&m))),
            None,
        )),
        Err(e) => Err(service_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_parsed_with_dutch_messages() {
        let t = parse_times("08:30-12:00, 13:00-15:15").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(times_text(&t), "08:30-12:00, 13:00-15:15");
        assert!(parse_times("").unwrap().is_empty());
        assert!(
            parse_times("8.30-12")
                .unwrap_err()
                .contains("geen geldige tijd")
        );
        assert!(parse_times("12:00-08:00").unwrap_err().contains("eindtijd"));
        assert!(
            parse_times("08:00-12:00, 11:00-13:00")
                .unwrap_err()
                .contains("overlapt")
        );
    }
}
