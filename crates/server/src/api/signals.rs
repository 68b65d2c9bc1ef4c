//! Signals: what the card's rules found, with their evidence and the card's actions.
//! `GET /api/schools/{school}/signals` (the school's, newest first) and
//! `GET /api/schools/{school}/pupils/{pupil}/signals` (one pupil's, oldest first).
//!
//! Roles: a school's `verzuimcoordinator` and `beheerder`, or a token with `signals:read`.
//! Leerplicht and GGD-JGZ see the signals of the cases they may see, in `/api/cases/{id}`.

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
use verzuim_engine::model::{Period, SignalAction};
use verzuim_service::history;
use verzuim_service::model::{SignalStatus, StoredEvidence, StoredSignal};

use super::common::{OrgQuery, audit_pupil_data, bad_value};
use super::pupils::visible_pupil;
use crate::audit::Audit;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Paginated, Pagination, Path, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(school_signals), &policy::SIGNALS_READ)
        .routes_with(routes!(pupil_signals), &policy::SIGNALS_READ)
}

/// A period: first and last day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodOut {
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[schema(value_type = String, format = Date)]
    pub to: Date,
}

pub fn period_out(p: Period) -> PeriodOut {
    PeriodOut {
        from: p.from,
        to: p.to,
    }
}

/// What made a signal: a version of a registration (with the minutes it contributed), a version
/// of an event, or the deregistration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceOut {
    /// `registration`, `event` or `deregistration`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The registration's or event's id.
    pub id: Option<i64>,
    pub version: Option<i64>,
    pub minutes: Option<u32>,
    #[schema(value_type = Option<String>, format = Date)]
    pub enrolled_until: Option<Date>,
}

fn evidence_out(e: &StoredEvidence) -> EvidenceOut {
    match *e {
        StoredEvidence::Registration {
            id,
            version,
            minutes,
        } => EvidenceOut {
            kind: "registration".into(),
            id: Some(id),
            version: Some(version),
            minutes: Some(minutes),
            enrolled_until: None,
        },
        StoredEvidence::Event { id, version } => EvidenceOut {
            kind: "event".into(),
            id: Some(id),
            version: Some(version),
            minutes: None,
            enrolled_until: None,
        },
        StoredEvidence::Deregistration { enrolled_until } => EvidenceOut {
            kind: "deregistration".into(),
            id: None,
            version: None,
            minutes: None,
            enrolled_until: Some(enrolled_until),
        },
    }
}

/// One of the card's actions for a signal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionOut {
    /// `school`, `leerplicht` or `ggd_jgz`.
    pub party: String,
    /// The card's own Dutch words.
    pub text: String,
    /// This action is the melding to leerplicht.
    pub melding: bool,
    /// This action is the referral to GGD-JGZ.
    pub referral: bool,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    /// A follow-up that starts only when this happens later in the case.
    pub trigger: Option<String>,
}

pub fn action_out(a: &SignalAction) -> ActionOut {
    ActionOut {
        party: a.party.as_str().to_owned(),
        text: a.text.to_string(),
        melding: a.melding,
        referral: a.referral,
        due: a.due,
        trigger: a.trigger.map(|t| t.as_str().to_owned()),
    }
}

/// A stored signal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignalOut {
    pub id: i64,
    pub school_id: String,
    pub pupil_id: String,
    pub case_id: Option<i64>,
    /// rules.md §2, e.g. `relatief_verzuim`.
    #[schema(example = "relatief_verzuim")]
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub count: Option<u32>,
    pub stage: Option<String>,
    pub minutes: Option<u32>,
    pub period: Option<PeriodOut>,
    pub evidence: Vec<EvidenceOut>,
    /// The pupil is 12 or older on the signal's date.
    pub pupil_participates: bool,
    pub actions: Vec<ActionOut>,
    /// `active` or `withdrawn` (a correction removed its ground).
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawn_reason: Option<String>,
}

pub fn signal_out(s: StoredSignal) -> SignalOut {
    SignalOut {
        id: s.id,
        school_id: s.school_id,
        pupil_id: s.pupil_id,
        case_id: s.case_id,
        kind: s.kind.as_str().to_owned(),
        date: s.date,
        count: s.count,
        stage: s.stage,
        minutes: s.minutes,
        period: s.period.map(period_out),
        evidence: s.evidence.iter().map(evidence_out).collect(),
        pupil_participates: s.pupil_participates,
        actions: s.actions.iter().map(action_out).collect(),
        status: s.status.as_str().to_owned(),
        created_at: s.created_at,
        withdrawn_at: s.withdrawn_at,
        withdrawn_reason: s.withdrawn_reason,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignalQuery {
    /// `active` or `withdrawn`; without it both.
    #[param(schema_with = super::schemas::signal_status)]
    pub status: Option<String>,
}

fn status_filter(q: &SignalQuery) -> ApiResult<Option<SignalStatus>> {
    match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => SignalStatus::parse(s)
            .map(Some)
            .ok_or_else(|| bad_value("status", &["active", "withdrawn"])),
    }
}

/// The school's signals, newest first.
#[utoipa::path(
    get,
    path = "/api/schools/{school}/signals",
    tag = "signalen",
    params(("school" = String, Path, description = "School (BRIN)"), SignalQuery, Pagination, OrgQuery),
    responses(
        (status = 200, description = "Een pagina signalen", body = Paginated<SignalOut>),
        (status = 400, description = "ongeldige_waarde", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
    )
)]
async fn school_signals(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(school): Path<String>,
    Query(q): Query<SignalQuery>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<SignalOut>>> {
    let status = status_filter(&q)?;
    let page = pagination.page();
    let signals = history::signals(&state.store, &acting.caller, status, page).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Signals(school.clone()),
        None,
    )
    .await?;
    Ok(axum::Json(Paginated::new(
        signals.into_iter().map(signal_out).collect(),
        page,
    )))
}

/// One pupil's signals, oldest first.
#[utoipa::path(
    get,
    path = "/api/schools/{school}/pupils/{pupil}/signals",
    tag = "signalen",
    params(
        ("school" = String, Path, description = "School (BRIN)"),
        ("pupil" = String, Path, description = "Leerlingnummer"),
        SignalQuery,
        Pagination,
        OrgQuery,
    ),
    responses(
        (status = 200, description = "Een pagina signalen", body = Paginated<SignalOut>),
        (status = 400, description = "ongeldige_waarde", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen verzuimcoordinator of beheerder van deze school", body = ErrorBody),
        (status = 404, description = "Onbekende leerling", body = ErrorBody),
    )
)]
async fn pupil_signals(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path((school, pupil)): Path<(String, String)>,
    Query(q): Query<SignalQuery>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<SignalOut>>> {
    let status = status_filter(&q)?;
    visible_pupil(&state, &acting, &school, &pupil).await?;
    let page = pagination.page();
    // The school's own pupil (checked above); bounded by the pupil's record.
    let signals = history::pupil_signals(&state.store, &acting.caller, &school, &pupil).await?;
    let items: Vec<SignalOut> = signals
        .into_iter()
        .filter(|s| status.is_none_or(|st| s.status == st))
        .skip(page.offset() as usize)
        .take(page.limit() as usize)
        .map(signal_out)
        .collect();
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Signals(pupil.clone()),
        Some((&school, &pupil)),
    )
    .await?;
    Ok(axum::Json(Paginated::new(items, page)))
}
