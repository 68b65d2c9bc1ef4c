//! The official school holidays read from a file and added as closed periods,
//! `/beheer/vakanties`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use jiff::civil::Date;
use verzuim_engine::model::{ClosedKind, ClosedPeriod, School};
use verzuim_exchange::holidays;

use crate::error::ApiResult;
use crate::nl::date_nl;
use crate::state::AppState;
use crate::web::session::{PageMeta, WebUser};
use crate::web::{render, sentence, today};

use super::closed::*;
use super::*;

#[derive(Template)]
#[template(path = "beheer_vakanties.html")]
pub(super) struct HolidaysPage {
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
pub(super) struct ReadRow {
    school_year: String,
    name: String,
    compulsory: bool,
    nationwide: bool,
    /// "dd-mm-jjjj t/m dd-mm-jjjj" per region, or "—" when the file has no dates for it.
    regions: Vec<String>,
}

pub(super) fn read_row(row: &holidays::HolidayRow) -> ReadRow {
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

pub(super) fn row_of(c: &ClosedPeriod) -> ClosedRow {
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
pub(super) fn already_closed(school: &School, from: Date, until: Date) -> bool {
    school
        .closed
        .iter()
        .any(|c| c.from <= from && until <= c.until)
}

/// Reads the parts of a multipart form: `(name, file name, bytes)` (a broken form: the Dutch
/// error naming the part, see [`crate::multipart`]).
pub(super) async fn parts(
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
