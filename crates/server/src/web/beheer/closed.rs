//! The school's closed periods (holidays, study days), `/beheer/vrije-dagen`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::model::{ClosedKind, ClosedPeriod, School};
use verzuim_exchange::holidays;

use crate::error::ApiResult;
use crate::nl::date_nl;
use crate::state::AppState;
use crate::web::session::{PageMeta, WebUser};
use crate::web::{render, sentence, today};

use super::*;

pub(super) fn kind_label(k: ClosedKind) -> &'static str {
    match k {
        ClosedKind::Vakantie => "Vakantie",
        ClosedKind::VrijeDag => "Vrije dag",
        ClosedKind::Studiedag => "Studiedag",
    }
}

#[derive(Template)]
#[template(path = "beheer_vrije_dagen.html")]
pub(super) struct ClosedPage {
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

pub(super) struct ClosedRow {
    pub(super) index: usize,
    pub(super) name: String,
    pub(super) kind: &'static str,
    pub(super) from: String,
    pub(super) until: String,
    pub(super) from_iso: String,
    pub(super) until_iso: String,
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

pub(super) fn closed_rows(school: &School) -> Vec<ClosedRow> {
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

pub(super) fn closed_page(
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
pub(super) async fn closed_refused(
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

/// `POST /beheer/vrije-dagen`: adds (`actie=toevoegen`) or removes (`actie=verwijderen`) a
/// closed period, then re-evaluates every pupil.
pub async fn closed_save(
    State(state): State<AppState>,
    web: WebUser,
    axum::Form(form): axum::Form<ClosedForm>,
) -> ApiResult<Response> {
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
