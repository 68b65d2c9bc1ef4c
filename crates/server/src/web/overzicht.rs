//! `GET /overzicht`: overviews with charts (SVG rendered here, see [`super::charts`]).
//!
//! - A school's coordinator and beheerder: the absence percentage per month (absent lesson
//!   minutes / planned lesson minutes) for the school and each group, split per code, and the
//!   number of signals per kind; `?jaar=2026` picks the school year 2026-2027 (default: the
//!   current one, up to today).
//! - A leerplichtambtenaar: the municipality's meldingen per school, month and status.
//!
//! Every chart has its numbers in a table next to it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::calendar::{school_year_end, school_year_start};
use verzuim_service::model::{MeldingStatus, OrgKind, Role};
use verzuim_service::overview::{ABSENCE_CODES, Month, Series};

use super::charts::{self, num};
use super::session::{PageMeta, WebUser};
use super::{kind_label, render, service_error, today};
use crate::audit::{Audit, action};
use crate::error::ApiResult;
use crate::nl;
use crate::nl::date_nl;
use crate::state::AppState;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

fn month_label(m: Month) -> String {
    format!("{} {}", MONTHS[(m.month - 1) as usize % 12], m.year % 100)
}

fn code_label(i: usize) -> &'static str {
    match ABSENCE_CODES[i] {
        verzuim_engine::model::Code::Ongeoorloofd => "Ongeoorloofd",
        verzuim_engine::model::Code::Luxe => "Luxe verzuim",
        verzuim_engine::model::Code::Ziek => "Ziek",
        verzuim_engine::model::Code::Verlof => "Verlof",
        verzuim_engine::model::Code::Geoorloofd => "Geoorloofd",
        verzuim_engine::model::Code::Schorsing => "Schorsing",
        verzuim_engine::model::Code::TeLaat => "Te laat",
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    jaar: Option<i16>,
}

#[derive(Template)]
#[template(path = "overzicht.html")]
struct SchoolPage {
    meta: PageMeta,
    period: String,
    years: Vec<(i16, String, bool)>,
    school: Block,
    groups: Vec<Block>,
    codes: Vec<&'static str>,
    signals_svg: String,
    signal_groups: Vec<String>,
    signal_rows: Vec<(String, Vec<u64>, u64)>,
}

/// A chart with its table: the school's or a group's.
struct Block {
    title: String,
    pupils: usize,
    svg: String,
    rows: Vec<MonthRow>,
    total: MonthRow,
}

struct MonthRow {
    month: String,
    planned_hours: String,
    absent_hours: String,
    percentage: String,
    per_code: Vec<String>,
    late: u64,
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{}%", num_pct(v)))
}

/// Percentages with two decimals below 1%, else one.
fn num_pct(v: f64) -> String {
    if v > 0.0 && v < 1.0 {
        format!("{v:.2}").replace('.', ",")
    } else {
        format!("{v:.1}").replace('.', ",")
    }
}

/// Hours as every page writes them ([`nl::hours_nl`]).
fn hours(minutes: u64) -> String {
    nl::hours_nl(u32::try_from(minutes).unwrap_or(u32::MAX))
}

fn block(title: String, months: &[Month], s: &Series) -> Block {
    let labels: Vec<String> = months.iter().map(|m| month_label(*m)).collect();
    let series: Vec<charts::Series> = (0..ABSENCE_CODES.len())
        .map(|c| charts::Series {
            name: code_label(c).into(),
            values: (0..months.len())
                .map(|m| s.code_percentage(m, c).unwrap_or(0.0))
                .collect(),
        })
        .collect();
    let desc = (0..months.len())
        .map(|m| format!("{}: {}", labels[m], pct(s.percentage(m))))
        .collect::<Vec<_>>()
        .join("; ");
    let svg = charts::stacked_bars(
        &format!("Verzuimpercentage per maand, {title}"),
        &format!("Percentage verzuimde lestijd per maand, gestapeld per code. {desc}."),
        &labels,
        &series,
        "%",
    );
    let rows = (0..months.len())
        .map(|m| MonthRow {
            month: labels[m].clone(),
            planned_hours: hours(s.planned[m]),
            absent_hours: hours(s.absent_total(m)),
            percentage: pct(s.percentage(m)),
            per_code: (0..ABSENCE_CODES.len())
                .map(|c| pct(s.code_percentage(m, c)))
                .collect(),
            late: s.late[m],
        })
        .collect();
    let (planned, per_code) = s.totals();
    let absent: u64 = per_code.iter().sum();
    let share = |v: u64| (planned > 0).then(|| v as f64 * 100.0 / planned as f64);
    Block {
        title,
        pupils: s.pupils,
        svg,
        rows,
        total: MonthRow {
            month: "Totaal".into(),
            planned_hours: hours(planned),
            absent_hours: hours(absent),
            percentage: pct(share(absent)),
            per_code: per_code.iter().map(|v| pct(share(*v))).collect(),
            late: s.late.iter().sum(),
        },
    }
}

/// `GET /overzicht`.
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<OverviewQuery>,
) -> ApiResult<Response> {
    if web.role() == Role::Leerplichtambtenaar {
        web.require(&[Role::Leerplichtambtenaar], Some(OrgKind::Gemeente))?;
        return municipality(state, web).await;
    }
    web.require(
        &[Role::Verzuimcoordinator, Role::Beheerder],
        Some(OrgKind::School),
    )?;
    let today = today(&state);
    let current = school_year_start(today).year();
    let year = q
        .jaar
        .filter(|y| (current - 20..=current).contains(y))
        .unwrap_or(current);
    let from = Date::new(year, 8, 1).unwrap_or(today);
    let until = school_year_end(from).min(today);
    let ov = verzuim_service::overview::school_overview(
        &state.store,
        &web.caller(),
        web.org_id(),
        from,
        until.max(from),
    )
    .await
    .map_err(service_error)?;
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object(format!("overzicht:{year}"))
        .write()
        .await?;
    let school = block(web.org.name.clone(), &ov.months, &ov.school);
    let groups = ov
        .groups
        .iter()
        .map(|(g, s)| block(format!("groep {g}"), &ov.months, s))
        .collect();
    let signal_groups: Vec<String> = {
        let mut g: Vec<String> = ov
            .signals
            .values()
            .flat_map(|m| m.keys().cloned())
            .collect();
        g.sort();
        g.dedup();
        g
    };
    let signal_rows: Vec<(String, Vec<u64>, u64)> = ov
        .signals
        .iter()
        .map(|(kind, per)| {
            let counts: Vec<u64> = signal_groups
                .iter()
                .map(|g| per.get(g).copied().unwrap_or(0))
                .collect();
            let total = counts.iter().sum();
            (kind_label(*kind).to_owned(), counts, total)
        })
        .collect();
    let items: Vec<(String, f64)> = signal_rows
        .iter()
        .map(|(k, _, t)| (k.clone(), *t as f64))
        .collect();
    let signals_svg = if items.is_empty() {
        String::new()
    } else {
        charts::hbars(
            "Signalen per soort",
            &items
                .iter()
                .map(|(k, v)| format!("{k}: {}", num(*v)))
                .collect::<Vec<_>>()
                .join("; "),
            &items,
        )
    };
    Ok(render(&SchoolPage {
        meta: web.meta("Overzicht", "/overzicht"),
        period: format!("{} t/m {}", date_nl(from), date_nl(until.max(from))),
        years: (0..3)
            .map(|i| current - i)
            .map(|y| (y, format!("{y}-{}", y + 1), y == year))
            .collect(),
        school,
        groups,
        codes: (0..ABSENCE_CODES.len()).map(code_label).collect(),
        signals_svg,
        signal_groups,
        signal_rows,
    }))
}

fn status_label(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "Geregistreerd",
        MeldingStatus::InBehandeling => "In behandeling",
        MeldingStatus::Afgesloten => "Afgesloten",
        MeldingStatus::Ingetrokken => "Ingetrokken",
        MeldingStatus::TerKennisgevingAangenomen => "Ter kennisgeving aangenomen",
    }
}

#[derive(Template)]
#[template(path = "overzicht_gemeente.html")]
struct MunicipalityPage {
    meta: PageMeta,
    total: u64,
    month_svg: String,
    status_svg: String,
    schools: Vec<String>,
    month_rows: Vec<(String, Vec<u64>, u64)>,
    statuses: Vec<&'static str>,
    school_rows: Vec<(String, Vec<u64>, u64)>,
}

async fn municipality(state: AppState, web: WebUser) -> ApiResult<Response> {
    let ov = verzuim_service::overview::municipality_overview(&state.store, &web.caller())
        .await
        .map_err(service_error)?;
    let labels: Vec<String> = ov.months.iter().map(|m| month_label(*m)).collect();
    let series: Vec<charts::Series> = ov
        .schools
        .iter()
        .map(|(id, name)| charts::Series {
            name: name.clone(),
            values: ov
                .months
                .iter()
                .map(|m| {
                    ov.per_month
                        .get(m)
                        .and_then(|s| s.get(id))
                        .copied()
                        .unwrap_or(0) as f64
                })
                .collect(),
        })
        .collect();
    let month_rows: Vec<(String, Vec<u64>, u64)> = ov
        .months
        .iter()
        .zip(&labels)
        .map(|(m, label)| {
            let counts: Vec<u64> = ov
                .schools
                .iter()
                .map(|(id, _)| {
                    ov.per_month
                        .get(m)
                        .and_then(|s| s.get(id))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            let total = counts.iter().sum();
            (label.clone(), counts, total)
        })
        .collect();
    let month_svg = if labels.is_empty() {
        String::new()
    } else {
        charts::stacked_bars(
            "Meldingen per maand",
            &format!(
                "Aantal ontvangen meldingen per maand, gestapeld per school. {}.",
                month_rows
                    .iter()
                    .map(|(l, _, t)| format!("{l}: {t}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            &labels,
            &series,
            "",
        )
    };
    let statuses: Vec<MeldingStatus> = MeldingStatus::ALL.to_vec();
    let status_items: Vec<(String, f64)> = statuses
        .iter()
        .map(|s| {
            (
                status_label(*s).to_owned(),
                ov.per_status.get(s).copied().unwrap_or(0) as f64,
            )
        })
        .collect();
    let status_svg = if ov.total == 0 {
        String::new()
    } else {
        charts::hbars(
            "Meldingen per status",
            &status_items
                .iter()
                .map(|(k, v)| format!("{k}: {}", num(*v)))
                .collect::<Vec<_>>()
                .join("; "),
            &status_items,
        )
    };
    let school_rows = ov
        .schools
        .iter()
        .map(|(id, name)| {
            let per = ov.per_school.get(id);
            let counts: Vec<u64> = statuses
                .iter()
                .map(|s| per.and_then(|p| p.get(s)).copied().unwrap_or(0))
                .collect();
            let total = counts.iter().sum();
            (name.clone(), counts, total)
        })
        .collect();
    Ok(render(&MunicipalityPage {
        meta: web.meta("Overzicht", "/overzicht"),
        total: ov.total,
        month_svg,
        status_svg,
        schools: ov.schools.iter().map(|(_, n)| n.clone()).collect(),
        month_rows,
        statuses: statuses.into_iter().map(status_label).collect(),
        school_rows,
    }))
}
