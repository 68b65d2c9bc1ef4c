//! Signals an import raised before its cut-off, waiting for the school's judgement (issue 10.9,
//! starting mid-year; docs/workflow.md §7a):
//! `GET /api/schools/{school}/import-review` (the held signals, waiting and decided) and
//! `POST /api/schools/{school}/import-review/{id}` (the coordinator's decision on signal `id`:
//! `buiten_verzuim_afgehandeld` with `handled_on` and an optional `note`, or `actie_nodig`).
//!
//! Roles: reading, a school's `verzuimcoordinator` and `beheerder` (or a token with
//! `signals:read`); deciding, the `verzuimcoordinator` (or a token with `cases:write`).

use axum::extract::State;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::import_review::{self, Decision, ReviewItem, Status};

use super::common::{OrgQuery, TEXT_MAX, audit_pupil_data, audited_write};
use crate::audit::Audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query, check_len};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_reviews), &policy::SIGNALS_READ)
        .routes_with(routes!(decide_review), &policy::CASES_WRITE)
}

/// Where a held signal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatusOut {
    /// Waiting for the coordinator ("te beoordelen na import"): no case, no task.
    TeBeoordelen,
    /// Already handled outside verzuim: history, never a task.
    BuitenVerzuimAfgehandeld,
    /// Still needs action: placed in a case with its tasks, due from the decision day.
    ActieNodig,
}

impl From<Status> for ReviewStatusOut {
    fn from(s: Status) -> Self {
        match s {
            Status::TeBeoordelen => ReviewStatusOut::TeBeoordelen,
            Status::BuitenVerzuimAfgehandeld => ReviewStatusOut::BuitenVerzuimAfgehandeld,
            Status::ActieNodig => ReviewStatusOut::ActieNodig,
        }
    }
}

/// A signal an import held for review, with its pupil and the decision, if made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReviewOut {
    pub signal_id: i64,
    pub pupil_id: String,
    pub pupil_name: Option<String>,
    pub group: String,
    /// The signal's kind (`relatief_verzuim`, `ziekmelding`, …).
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub minutes: Option<u32>,
    /// False when a later correction withdrew the signal.
    pub signal_active: bool,
    /// The case it was placed in (`actie_nodig`).
    pub case_id: Option<i64>,
    /// The import's cut-off: signals before it were held.
    #[schema(value_type = String, format = Date)]
    pub review_before: Date,
    pub status: ReviewStatusOut,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
    /// The day of the decision: due dates of `actie_nodig` count from it.
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<Date>,
    /// `buiten_verzuim_afgehandeld`: the day it was handled outside verzuim.
    #[schema(value_type = Option<String>, format = Date)]
    pub handled_on: Option<Date>,
    pub note: Option<String>,
}

pub fn review_out(r: ReviewItem) -> ImportReviewOut {
    ImportReviewOut {
        signal_id: r.signal_id,
        pupil_id: r.pupil_id,
        pupil_name: r.pupil_name,
        group: r.group,
        kind: r.kind.as_str().to_owned(),
        date: r.date,
        minutes: r.minutes,
        signal_active: r.signal_active,
        case_id: r.case_id,
        review_before: r.review_before,
        status: r.status.into(),
        decided_at: r.decided_at,
        decided_on: r.decided_on,
        handled_on: r.handled_on,
        note: r.note,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Only signals with this status.
    pub status: Option<ReviewStatusOut>,
}

/// The school's signals held after imports, by pupil and date.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReviewList {
    pub items: Vec<ImportReviewOut>,
}

/// The decision on one held signal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DecisionIn {
    /// `buiten_verzuim_afgehandeld` (needs `handled_on`) or `actie_nodig`.
    pub decision: DecisionKind,
    /// The day the school handled the signal outside verzuim: not before the signal, not after
    /// today.
    #[schema(value_type = Option<String>, format = Date)]
    pub handled_on: Option<Date>,
    /// How it was handled (optional). Refused (422) with a signal about illness: the nature of an
    /// illness is never stored (rules.md §8).
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    BuitenVerzuimAfgehandeld,
    ActieNodig,
}

/// What a decision did.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionOut {
    pub review: ImportReviewOut,
    /// `actie_nodig`: the case the signal was placed in.
    pub case_id: Option<i64>,
    pub case_opened: bool,
    /// `actie_nodig`: the open case already acted on this kind; the signal only extended it.
    pub extended: bool,
    /// `actie_nodig`: the school's tasks, due from the decision day.
    pub tasks_created: Vec<i64>,
}

/// The school's signals held after imports ("te beoordelen na import"), waiting and decided.
#[utoipa::path(
    get,
    path = "/api/schools/{school}/import-review",
    tag = "import",
    params(("school" = String, Path, description = "School (BRIN)"), ReviewQuery, OrgQuery),
    responses(
        (status = 200, description = "De vastgehouden signalen, per leerling en datum", body = ImportReviewList),
        (status = 400, description = "ongeldige_waarde", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
    )
)]
async fn list_reviews(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(school): Path<String>,
    Query(q): Query<ReviewQuery>,
) -> ApiResult<axum::Json<ImportReviewList>> {
    let status = q.status.map(|s| match s {
        ReviewStatusOut::TeBeoordelen => Status::TeBeoordelen,
        ReviewStatusOut::BuitenVerzuimAfgehandeld => Status::BuitenVerzuimAfgehandeld,
        ReviewStatusOut::ActieNodig => Status::ActieNodig,
    });
    let items = import_review::list(&state.store, &acting.caller, &school, status).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Signals(school.clone()).detail("import"),
        None,
    )
    .await?;
    Ok(axum::Json(ImportReviewList {
        items: items.into_iter().map(review_out).collect(),
    }))
}

/// Decide on a held signal as the school's coordinator: already handled outside verzuim (with
/// the date and an optional note: kept as history, never a task) or still needs action (the
/// signal gets its case and the card's tasks now, due from today). A decision is made once.
#[utoipa::path(
    post,
    path = "/api/schools/{school}/import-review/{id}",
    tag = "import",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("id" = i64, Path, description = "Nummer van het signaal"),
        OrgQuery
    ),
    request_body = DecisionIn,
    responses(
        (status = 200, description = "Vastgelegd", body = DecisionOut),
        (status = 400, description = "ongeldige_json, verplicht, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "Geen vastgehouden signaal van deze school", body = ErrorBody),
        (status = 409, description = "Over dit signaal is al beslist", body = ErrorBody),
        (status = 422, description = "De datum ligt vóór het signaal of na vandaag, een toelichting bij een signaal over ziekte, of het signaal is ingetrokken", body = ErrorBody),
    )
)]
async fn decide_review(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, id)): Path<(String, i64)>,
    Json(body): Json<DecisionIn>,
) -> ApiResult<axum::Json<DecisionOut>> {
    let decision = match body.decision {
        DecisionKind::BuitenVerzuimAfgehandeld => {
            let handled_on = body
                .handled_on
                .ok_or_else(|| ApiError::required("handled_on"))?;
            if let Some(n) = &body.note {
                check_len("note", n, TEXT_MAX)?;
            }
            Decision::HandledOutside {
                handled_on,
                note: body.note.clone(),
            }
        }
        DecisionKind::ActieNodig => Decision::NeedsAction,
    };
    let verb = match body.decision {
        DecisionKind::BuitenVerzuimAfgehandeld => "buiten_verzuim_afgehandeld",
        DecisionKind::ActieNodig => "actie_nodig",
    };
    // The audit row commits with the decision.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Signals(school.clone()).detail(format!("{id}:import:{verb}")),
        None,
    );
    let out =
        import_review::decide(&state.store, &caller, state.today(), &school, id, &decision).await?;
    Ok(axum::Json(DecisionOut {
        review: review_out(out.review),
        case_id: out.case_id,
        case_opened: out.case_opened,
        extended: out.extended,
        tasks_created: out.tasks_created,
    }))
}
