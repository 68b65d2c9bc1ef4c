//! The school's lesson times per group and weekday, `/beheer/lestijden`, with the earlier
//! times kept for the evaluation of earlier days.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiff::civil::Date;
use verzuim_engine::model::{School, TimeRange};

use crate::error::ApiResult;
use crate::nl::{DAYS, date_nl};
use crate::state::AppState;
use crate::web::session::{PageMeta, WebUser};
use crate::web::{render, today};

use super::*;

#[derive(Template)]
#[template(path = "beheer_lestijden.html")]
pub(super) struct LessonTimesPage {
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
pub(super) struct EarlierRow {
    period: String,
    lines: Vec<String>,
}

/// "woensdag 08:30-12:15", or "woensdag geen" for a day without lessons.
pub(super) fn day_text(day: usize, times: &[TimeRange]) -> String {
    if times.is_empty() {
        format!("{} geen", DAYS[day])
    } else {
        format!("{} {}", DAYS[day], times_text(times))
    }
}

pub(super) fn earlier_rows(school: &School) -> Vec<EarlierRow> {
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

pub(super) struct GridRow {
    label: String,
    is_default: bool,
    cells: Vec<GridCell>,
}

pub(super) struct GridCell {
    name: String,
    id: String,
    value: String,
    invalid: bool,
    label: String,
}

pub(super) fn grid(school: &School) -> Vec<GridRow> {
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
