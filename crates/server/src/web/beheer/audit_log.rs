//! The audit log with filters, `/beheer/auditlog`, and its CSV export.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use verzuim_service::model::AuditFilter;
use verzuim_service::model::Page;

use crate::audit::{Audit, action};
use crate::error::{ApiError, ApiResult};
use crate::nl;
use crate::state::AppState;
use crate::web::pager::{self, Pager};
use crate::web::session::{PageMeta, WebUser};
use crate::web::{render, sentence, service_error};

use super::*;

pub(super) const AUDIT_PAGE: u32 = 50;

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
pub(super) struct AuditPage {
    meta: PageMeta,
    q: AuditQuery,
    users: Vec<(String, String)>,
    actions: Vec<(&'static str, String)>,
    rows: Vec<AuditRowView>,
    errors: Vec<String>,
    pager: Pager,
    /// The CSV download with the same filters.
    csv: String,
}

pub(super) struct AuditRowView {
    at: String,
    who: String,
    /// The Dutch description of the action and its object (`super::audit_text`).
    what: String,
    pupil: String,
    outcome: String,
}

pub(super) const KNOWN_ACTIONS: [&str; 10] = [
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

pub(super) fn audit_filter(web: &WebUser, q: &AuditQuery) -> Result<AuditFilter, Vec<String>> {
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
            verzuim_service::model::pupil_ref(web.org_id(), p)
        });
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(errors)
    }
}

/// The filters as query parameters (the CSV link and the pages keep them).
fn audit_params(q: &AuditQuery) -> [(&'static str, &str); 5] {
    [
        ("van", &q.van),
        ("tot", &q.tot),
        ("gebruiker", &q.gebruiker),
        ("actie", &q.actie),
        ("leerling", &q.leerling),
    ]
}

/// `GET /beheer/auditlog`: the organisation's audit rows, filtered by day range, user, action
/// and pupil; 50 per page, newest first, described in Dutch (`super::audit_text`).
pub async fn audit_log(
    State(state): State<AppState>,
    web: WebUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
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
            let mut rows = verzuim_service::audit_log::search(
                &state.store,
                &web.caller(),
                web.org_id(),
                &f,
                page,
            )
            .await
            .map_err(service_error)?;
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
            what: crate::web::audit_text::describe(&r.action, &r.object),
            pupil: r
                .pupil
                .map(|p| {
                    p.strip_prefix(&format!("{}/", web.org_id()))
                        .map_or_else(|| p.clone(), str::to_owned)
                })
                .unwrap_or_default(),
            outcome: crate::web::audit_text::outcome_nl(&r.outcome).to_owned(),
        })
        .collect();
    Ok(render(&AuditPage {
        meta: web.meta("Auditlog", "/beheer/auditlog"),
        users,
        actions: KNOWN_ACTIONS
            .iter()
            .map(|a| (*a, crate::web::audit_text::action_nl(a)))
            .collect(),
        rows,
        errors,
        pager: Pager::uncounted("/beheer/auditlog", &audit_params(&q), page_no, more),
        csv: pager::href("/beheer/auditlog.csv", &audit_params(&q), 1),
        q,
    }))
}

pub(super) fn csv_field(s: &str) -> String {
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
        let rows = verzuim_service::audit_log::search(
            &state.store,
            &web.caller(),
            web.org_id(),
            &filter,
            Page::first(verzuim_service::model::MAX_PAGE_SIZE),
        )
        .await
        .map_err(service_error)?;
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
                if rows.len() == verzuim_service::model::MAX_PAGE_SIZE as usize
                    && total < 100_000 =>
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
