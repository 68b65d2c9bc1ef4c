//! `/vroegsignalering`: the coordinator's early warnings, the pupils close to a threshold of the
//! card before its signal arises ([`verzuim_service::early`]), nearest to it first, each with
//! what happens at the threshold. The card's motto: "Vroegtijdig signaleren voorkomt erger!"

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use verzuim_engine::model::Party;
use verzuim_exchange::output::table::{progress_text, signal_title};
use verzuim_service::early::{DEFAULT_FRACTION, early_warnings};

use super::leerplicht::audit_page;
use super::session::{PageMeta, WebUser};
use super::url_part;
use super::{render, service_error, today};
use crate::audit::Audit;
use crate::error::ApiResult;
use crate::nl;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "vroegsignalering.html")]
struct EarlyPage {
    meta: PageMeta,
    percent: u32,
    rows: Vec<EarlyRow>,
}

struct EarlyRow {
    pupil: String,
    group: String,
    href: String,
    threshold: String,
    progress: String,
    /// The school's actions at the threshold, in the card's words.
    school_actions: Vec<String>,
}

/// `GET /vroegsignalering`: the school's pupils at 75% or more of a threshold (its
/// verzuimcoordinator).
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
) -> ApiResult<Response> {
    let school = web.org_id().to_owned();
    let found = early_warnings(
        &state.store,
        &web.caller(),
        &school,
        today(&state),
        DEFAULT_FRACTION,
    )
    .await
    .map_err(service_error)?;
    let card = found.card;
    let rows = found
        .warnings
        .into_iter()
        .map(|w| {
            let p = &w.progress;
            EarlyRow {
                href: format!(
                    "/leerlingen/{}/{}",
                    url_part(&school),
                    url_part(&w.pupil_id)
                ),
                pupil: w.name.clone().unwrap_or_else(|| w.pupil_id.clone()),
                group: w.group.clone(),
                threshold: card.as_deref().map_or_else(
                    || super::kind_label(p.kind).to_owned(),
                    |c| signal_title(c, p.kind, Some(p.threshold)),
                ),
                progress: progress_nl(p),
                school_actions: p
                    .actions
                    .iter()
                    .filter(|a| a.party == Party::School)
                    .map(|a| {
                        if verzuim_service::principles::is_principle(&a.text) {
                            format!("Uitgangspunt (geen actie): {}", a.text)
                        } else {
                            a.text.to_string()
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    audit_page(&audit, &web, false, "vroegsignalering".to_owned(), None).await?;
    Ok(render(&EarlyPage {
        meta: web.meta("Vroegsignalering", "/vroegsignalering"),
        percent: (DEFAULT_FRACTION * 100.0).round() as u32,
        rows,
    }))
}

/// The progress as the pages write it: hours as everywhere ([`nl::hours_nl`]: "15 uur en 15
/// minuten van 16 uur (95%)"), other units as the table output does.
fn progress_nl(p: &verzuim_engine::progress::Progress) -> String {
    let text = progress_text(p);
    if p.unit != verzuim_engine::progress::ProgressUnit::Minutes {
        return text;
    }
    // The table's "15:15 van 16:00 uur" head, with the rest (percentage, since, window) kept.
    let head = format!(
        "{} van {} uur",
        verzuim_exchange::output::table::hours(p.progress),
        verzuim_exchange::output::table::hours(p.threshold)
    );
    let rest = text.strip_prefix(&head).unwrap_or_default();
    format!(
        "{} van {}{rest}",
        nl::hours_nl(p.progress),
        nl::hours_nl(p.threshold)
    )
}
