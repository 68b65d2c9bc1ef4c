//! `/import-beoordelen`: the signals an import raised before its cut-off, waiting for the
//! coordinator's judgement (issue 10.9, starting mid-year; docs/workflow.md §7a).
//!
//! Per signal (pupil, kind, date) the coordinator chooses "Buiten verzuim afgehandeld" (with the
//! date it was handled and an optional note, none with a signal about illness: kept as history,
//! never a task) or "Actie nodig"
//! (the signal gets its case and tasks now, due from today). The school's beheerder, who imports,
//! reads the list; only the coordinator decides (`verzuim_service::import_review::decide`, which
//! commits the audit row with the decision). Linked from the import's result and the coordinator's
//! inbox `/taken`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use verzuim_service::ServiceError;
use verzuim_service::import_review::{self, Decision, ReviewItem, Status};
use verzuim_service::vocabulary::Role;

use super::leerplicht::{form_date, page_event};
use super::session::{PageMeta, WebUser};
use super::{kind_label, render, sentence, service_error, today, url_part};
use crate::audit::{Audit, AuditObject};
use crate::error::ApiResult;
use crate::nl::{date_nl, hours_nl, plural};
use crate::state::AppState;

/// The page's path.
pub const PATH: &str = "/import-beoordelen";

#[derive(Template)]
#[template(path = "import_beoordelen.html")]
struct ReviewPage {
    meta: PageMeta,
    /// Only the coordinator decides; the beheerder reads.
    may_decide: bool,
    pending: Vec<Row>,
    decided: Vec<Row>,
    today: String,
    /// After a decision: what it did.
    message: Option<String>,
    /// A refused decision, in Dutch.
    error: Option<String>,
    /// The pending count, in words ("3 signalen").
    pending_words: String,
}

/// One signal on the page.
pub(crate) struct Row {
    pub(crate) signal_id: i64,
    pub(crate) pupil: String,
    pub(crate) group: String,
    pub(crate) href: String,
    pub(crate) kind: &'static str,
    pub(crate) date: String,
    /// For the date field's minimum.
    pub(crate) date_iso: String,
    /// The minutes as hours, where the signal counts them.
    pub(crate) hours: String,
    pub(crate) status: &'static str,
    /// The decision in words ("Buiten verzuim afgehandeld op 08-09-2026 (beslist op …)").
    pub(crate) decision: String,
    pub(crate) note: String,
    pub(crate) withdrawn: bool,
    /// A signal about illness: its decision takes no note (rules.md §8).
    pub(crate) illness: bool,
}

fn row(r: &ReviewItem) -> Row {
    let decision = match r.status {
        Status::TeBeoordelen => String::new(),
        Status::BuitenVerzuimAfgehandeld => format!(
            "Buiten verzuim afgehandeld op {}{}",
            r.handled_on.map(date_nl).unwrap_or_default(),
            r.decided_on
                .map(|d| format!(" (beoordeeld op {})", date_nl(d)))
                .unwrap_or_default()
        ),
        Status::ActieNodig => format!(
            "Actie nodig{}{}",
            r.decided_on
                .map(|d| format!(" (beoordeeld op {})", date_nl(d)))
                .unwrap_or_default(),
            r.case_id
                .map(|c| format!(": dossier {c}"))
                .unwrap_or_default()
        ),
    };
    Row {
        signal_id: r.signal_id,
        pupil: r.pupil_name.clone().unwrap_or_else(|| r.pupil_id.clone()),
        group: r.group.clone(),
        href: format!(
            "/leerlingen/{}/{}",
            url_part(&r.school_id),
            url_part(&r.pupil_id)
        ),
        kind: kind_label(r.kind),
        date: date_nl(r.date),
        date_iso: r.date.to_string(),
        hours: r.minutes.map(hours_nl).unwrap_or_default(),
        status: r.status.label(),
        decision,
        note: r.note.clone().unwrap_or_default(),
        withdrawn: !r.signal_active,
        illness: r.kind.concerns_illness(),
    }
}

/// The rows of an import's result: the signals it holds for review.
pub(crate) fn rows(items: &[ReviewItem]) -> Vec<Row> {
    items.iter().map(row).collect()
}

async fn page(
    state: &AppState,
    web: &WebUser,
    message: Option<String>,
    error: Option<String>,
) -> ApiResult<Response> {
    let items = import_review::list(&state.store, &web.caller(), web.org_id(), None)
        .await
        .map_err(service_error)?;
    let (pending, decided): (Vec<&ReviewItem>, Vec<&ReviewItem>) = items
        .iter()
        .filter(|r| r.signal_active || r.status != Status::TeBeoordelen)
        .partition(|r| r.status == Status::TeBeoordelen);
    let n = i64::try_from(pending.len()).unwrap_or(i64::MAX);
    Ok(render(&ReviewPage {
        meta: web.meta("Signalen na import beoordelen", PATH),
        may_decide: web.role() == Role::Verzuimcoordinator,
        pending_words: plural(n, "signaal", "signalen"),
        pending: pending.into_iter().map(row).collect(),
        decided: decided.into_iter().map(row).collect(),
        today: today(state).to_string(),
        message,
        error,
    }))
}

/// `GET /import-beoordelen`.
pub async fn show(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
) -> ApiResult<Response> {
    page_event(
        &audit,
        &web,
        false,
        AuditObject::Signals(web.org_id().to_owned())
            .detail("import")
            .to_string(),
        None,
    )
    .write()
    .await?;
    page(&state, &web, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    signaal: Option<String>,
    besluit: Option<String>,
    datum: Option<String>,
    toelichting: Option<String>,
}

/// `POST /import-beoordelen`: one decision (`signaal`, `besluit` = `buiten_verzuim_afgehandeld`
/// with `datum` and optional `toelichting`, or `actie_nodig`).
pub async fn decide(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Form(f): Form<DecisionForm>,
) -> ApiResult<Response> {
    let Some(signal_id) = f
        .signaal
        .as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok())
    else {
        return page(&state, &web, None, Some("Kies een signaal.".into())).await;
    };
    let decision = match f.besluit.as_deref().map(str::trim) {
        Some("buiten_verzuim_afgehandeld") => {
            let handled_on = match form_date(
                f.datum.as_deref(),
                "datum waarop het signaal buiten verzuim is afgehandeld",
            ) {
                Ok(d) => d,
                Err(m) => {
                    return page(
                        &state,
                        &web,
                        None,
                        Some(format!("{m} Er is niets opgeslagen.")),
                    )
                    .await;
                }
            };
            Decision::HandledOutside {
                handled_on,
                note: f.toelichting.clone(),
            }
        }
        Some("actie_nodig") => Decision::NeedsAction,
        _ => {
            return page(
                &state,
                &web,
                None,
                Some(
                    "Kies \"Buiten verzuim afgehandeld\" of \"Actie nodig\". Er is niets opgeslagen."
                        .into(),
                ),
            )
            .await;
        }
    };
    let verb = match decision {
        Decision::HandledOutside { .. } => Status::BuitenVerzuimAfgehandeld,
        Decision::NeedsAction => Status::ActieNodig,
    };
    let row = page_event(
        &audit,
        &web,
        true,
        AuditObject::Signals(web.org_id().to_owned())
            .detail(format!("{signal_id}:import:{}", verb.as_str()))
            .to_string(),
        None,
    );
    let result = import_review::decide(
        &state.store,
        &web.caller().audited(row.entry()),
        today(&state),
        web.org_id(),
        signal_id,
        &decision,
    )
    .await;
    match result {
        Ok(out) => {
            let what = format!(
                "{} van {} ({})",
                kind_label(out.review.kind),
                date_nl(out.review.date),
                out.review
                    .pupil_name
                    .clone()
                    .unwrap_or_else(|| out.review.pupil_id.clone())
            );
            let message = match (verb, out.extended, out.case_id) {
                (Status::BuitenVerzuimAfgehandeld, _, _) => format!(
                    "{what}: vastgelegd als buiten verzuim afgehandeld. Het blijft als geschiedenis in het dossier en geeft geen taken."
                ),
                (_, true, Some(case)) => format!(
                    "{what}: actie nodig. Toegevoegd aan het open dossier {case}; de open taken daarvan blijven staan."
                ),
                (_, _, case) => format!(
                    "{what}: actie nodig. {} in dossier {}, met termijnen vanaf vandaag.",
                    plural(
                        i64::try_from(out.tasks_created.len()).unwrap_or(0),
                        "taak aangemaakt",
                        "taken aangemaakt"
                    ),
                    case.unwrap_or_default()
                ),
            };
            page(&state, &web, Some(message), None).await
        }
        Err(
            e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_) | ServiceError::Forbidden(_)),
        ) => {
            let m = match &e {
                ServiceError::Invalid(m)
                | ServiceError::Conflict(m)
                | ServiceError::Forbidden(m) => m.clone(),
                _ => String::new(),
            };
            page(
                &state,
                &web,
                None,
                Some(format!("{} Er is niets opgeslagen.", sentence(&m))),
            )
            .await
        }
        Err(e) => Err(service_error(e)),
    }
}
