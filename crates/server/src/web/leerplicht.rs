//! The leerplichtambtenaar's pages: `GET /meldingen` (the meldingen to the municipality, most
//! urgent first, filterable by status) and `GET /meldingen/{id}` (one melding: its legal content
//! with the persoonsgebonden nummer masked, DUO's status history, leerplicht's actions and open
//! tasks) with `POST /meldingen/{id}`: take it up, record a conversation, a warning letter, a
//! formal warning, a HALT referral (from 12 years) or a proces-verbaal, record afspraken (the
//! school gets them as a task), close it with DUO's reason, take note of it, complete a task or
//! mark it not needed.
//!
//! Every read and write goes through the service's scoped functions and writes an audit row. A
//! refused form answers 200 with the page and the Dutch message (nothing stored); a done one
//! redirects back to the page with a message (`?gedaan=`).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::model::Party;
use verzuim_service::leerplicht::{self, ActionInput};
use verzuim_service::meldingen::{self, MeldingView};
use verzuim_service::model::NumberKind;
use verzuim_service::model::Page;
use verzuim_service::model::{
    AuditEntry, HistoryEntry, InformedHow, MeldingStatus, OrgKind, Role, TaskStatus,
};
use verzuim_service::model::{ConversationWith, LeerplichtActionKind};
use verzuim_service::tasks::{self, Completion, ParentsInformed, requires_parents_informed};
use verzuim_service::{ClosingReason, MeldingAction, visibility};

use super::pager::Pager;
use super::session::{PageMeta, WebUser};
use super::{kind_label, render, sentence, service_error, today};
use crate::audit::{Audit, AuditObject, action};
use crate::error::ApiResult;
use crate::extract::{Path, Query};
use crate::nl;
use crate::nl::date_nl;
use crate::state::AppState;

mod melding;
pub use melding::*;

mod shared;
pub use shared::*;

// ---------------------------------------------------------------------------------------------
// The list.

#[derive(Template)]
#[template(path = "meldingen.html")]
struct MeldingenPage {
    meta: PageMeta,
    meldingen: Vec<MeldingRow>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    filtered: bool,
    /// A `?status=` that is no status: all meldingen are shown, with this message.
    unknown_status: Option<String>,
    pager: Pager,
}

struct MeldingRow {
    id: i64,
    received: String,
    school: String,
    pupil: String,
    kind: &'static str,
    period: String,
    hours: String,
    status: &'static str,
    new: bool,
    /// "Gewijzigd na melding": changes after the melding (0: none).
    changes_after: u32,
}

pub(crate) fn melding_status(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "Nieuw (geregistreerd)",
        MeldingStatus::InBehandeling => "In behandeling",
        MeldingStatus::Afgesloten => "Afgesloten",
        MeldingStatus::Ingetrokken => "Ingetrokken",
        MeldingStatus::TerKennisgevingAangenomen => "Ter kennisgeving aangenomen",
    }
}

/// A status reason in words: a closing reason is stored as its code (`verzuim_beeindigd`),
/// other reasons as the text that was entered.
pub fn reason_nl(reason: &str) -> String {
    ClosingReason::parse(reason).map_or_else(|| reason.to_owned(), |c| c.label().to_owned())
}

/// Hours as every page writes them (`20 uur en 45 minuten`, [`nl::hours_nl`]); "n.v.t." for
/// a melding without hours (te laat komen counts lateness, absoluut verzuim has no lessons
/// missed to count).
fn hours_or_nvt(minutes: u32) -> String {
    if minutes == 0 {
        return "n.v.t.".to_owned();
    }
    nl::hours_nl(minutes)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    /// The page, from 1 ([`MELDINGEN_PAGE`] meldingen each).
    pagina: Option<u32>,
}

/// Meldingen on one page of the list.
pub(crate) const MELDINGEN_PAGE: usize = 100;

/// `GET /meldingen`: the municipality's meldingen, most urgent first (the service's order:
/// new, then overdue, then in behandeling, then closed; newest first within each), a page of
/// [`MELDINGEN_PAGE`] at a time (`?pagina=`, the status filter kept).
pub async fn meldingen(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let asked = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let status = asked.and_then(MeldingStatus::parse);
    let unknown_status = asked
        .filter(|_| status.is_none())
        .map(|s| format!("De status \"{s}\" bestaat niet; alle meldingen worden getoond."));
    let caller = web.caller();
    let today = today(&state);
    let params = [("status", status.map(|s| s.as_str()).unwrap_or_default())];
    let pager = |total: u64| {
        Pager::counted(
            "/meldingen",
            &params,
            q.pagina.unwrap_or(1),
            MELDINGEN_PAGE,
            usize::try_from(total).unwrap_or(usize::MAX),
            ("melding", "meldingen"),
        )
    };
    let (list, total) =
        leerplicht::list_meldingen_counted(&state.store, &caller, today, status, |total| {
            let rows = pager(total).1;
            Page::new(
                u32::try_from(rows.len()).unwrap_or(u32::MAX),
                u32::try_from(rows.start).unwrap_or(u32::MAX),
            )
        })
        .await
        .map_err(service_error)?;
    let (pager, _) = pager(total);
    // The schools' and pupils' names in one query each, not one per melding (issue 13.3: a
    // municipality has hundreds of meldingen).
    let mut keys: Vec<(String, String)> = list
        .iter()
        .map(|m| (m.school_id.clone(), m.pupil_id.clone()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut schools: Vec<String> = keys.iter().map(|(s, _)| s.clone()).collect();
    schools.dedup();
    let names = visibility::pupil_names(&state.store, &caller, &keys).await?;
    let orgs = verzuim_service::organisations::names(&state.store, &schools).await?;
    let mut rows = Vec::with_capacity(list.len());
    for m in list {
        let pupil = names
            .get(&(m.school_id.clone(), m.pupil_id.clone()))
            .cloned()
            .unwrap_or_else(|| format!("leerling {}", m.pupil_id));
        rows.push(MeldingRow {
            id: m.id,
            received: date_nl(nl::local_date(m.created_at)),
            school: orgs
                .get(&m.school_id)
                .cloned()
                .unwrap_or_else(|| m.school_id.clone()),
            pupil,
            kind: kind_label(m.verzuim_kind),
            period: format!("{} t/m {}", date_nl(m.period.from), date_nl(m.period.to)),
            hours: hours_or_nvt(m.minutes),
            status: melding_status(m.status),
            new: m.status == MeldingStatus::Geregistreerd,
            changes_after: m.changes_after,
        });
    }
    audit_page(&audit, &web, false, "meldingen".into(), None).await?;
    Ok(render(&MeldingenPage {
        meta: web.meta("Meldingen", "/meldingen"),
        meldingen: rows,
        statuses: MeldingStatus::ALL
            .iter()
            .map(|s| (s.as_str(), melding_status(*s), Some(*s) == status))
            .collect(),
        filtered: status.is_some(),
        unknown_status,
        pager,
    }))
}

#[cfg(test)]
mod tests {
    use super::hours_or_nvt;

    #[test]
    fn hours_are_dutch_and_absent_for_meldingen_without_hours() {
        assert_eq!(hours_or_nvt(21 * 60), "21 uur");
        assert_eq!(hours_or_nvt(95), "1 uur en 35 minuten");
        assert_eq!(hours_or_nvt(1245), "20 uur en 45 minuten");
        assert_eq!(hours_or_nvt(0), "n.v.t.");
    }
}
