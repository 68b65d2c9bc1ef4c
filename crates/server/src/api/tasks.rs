//! Tasks: the inbox of the caller's organisation (`GET /api/tasks`, overdue first), one task with
//! its link and history, completing it (`POST /api/tasks/{id}/complete`: when and how the parents
//! were informed; for a melding task the melding's content; for the task that judges a no-show at
//! GGD-JGZ the judgement "zonder goede reden" or "met goede reden") and marking it not needed
//! with a reason.
//!
//! Roles: `verzuimcoordinator` (the school's tasks), `leerplichtambtenaar` (its municipality's),
//! `jgz` (its GGD-JGZ's); a token with `cases:read` / `cases:write` acts for its organisation.

use axum::extract::State;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::model::TaskLink;
use verzuim_service::model::{HistoryEntry, InformedHow, Task, TaskStatus};
use verzuim_service::tasks::{
    Completion, Judgement, MeldingContent, ParentsInformed, ReferralFormInput, SchoolReportContent,
};
use verzuim_service::visibility::{self, TaskView};

use super::common::{Acting, OrgQuery, TEXT_MAX, audit_pupil_data, audited_write, bad_value};
use crate::audit::Audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, check_len, required};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_tasks), &policy::CASES_READ)
        .routes_with(routes!(get_task), &policy::CASES_READ)
        .routes_with(routes!(complete_task), &policy::TASKS_WRITE)
        .routes_with(routes!(task_not_needed), &policy::TASKS_WRITE)
}

/// What a task refers to beyond the card's action.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskLinkOut {
    /// `card`, `judge_no_show`, `feedback`, `ggd_feedback`, `review_melding`, `melding_changed`
    /// (leerplicht takes note of a correction after a melding) or `tell_duo` (the school passes
    /// it on to DUO).
    pub kind: String,
    pub signal_id: Option<i64>,
    pub melding_id: Option<i64>,
    pub referral_id: Option<i64>,
    /// For a feedback task: leerplicht's afspraken; for `melding_changed` and `tell_duo`: what
    /// changed after the melding, and why.
    pub detail: Option<String>,
}

fn link_out(l: TaskLink) -> TaskLinkOut {
    TaskLinkOut {
        kind: l.kind.as_str().to_owned(),
        signal_id: l.signal_id,
        melding_id: l.melding_id,
        referral_id: l.referral_id,
        detail: l.detail,
    }
}

/// A task of one party in a pupil's case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub case_id: i64,
    pub signal_id: Option<i64>,
    pub school_id: String,
    pub pupil_id: String,
    /// `school`, `leerplicht` or `ggd_jgz`.
    pub party: String,
    /// The organisation that must do it.
    pub organisation_id: String,
    pub text: String,
    /// Completing it makes the melding to leerplicht.
    pub melding: bool,
    /// Completing it makes the referral to GGD-JGZ.
    pub referral: bool,
    pub trigger: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    /// Open with its due date before today; never for an action the card marks "zo nodig".
    pub overdue: bool,
    /// The card marks the action "zo nodig" (as needed): shown apart, never overdue.
    pub as_needed: bool,
    /// Completing it records when and how the parents were informed (required).
    pub parents_informed_required: bool,
    /// `open`, `done` or `not_needed`.
    pub status: String,
    pub status_reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub link: Option<TaskLinkOut>,
}

pub fn task_out(t: Task, link: Option<TaskLink>, today: Date) -> TaskOut {
    TaskOut {
        overdue: t.status == TaskStatus::Open
            && verzuim_service::principles::is_overdue(&t.text, t.due, today),
        parents_informed_required: verzuim_service::tasks::requires_parents_informed(&t.text),
        as_needed: verzuim_service::principles::is_as_needed(&t.text),
        id: t.id,
        case_id: t.case_id,
        signal_id: t.signal_id,
        school_id: t.school_id,
        pupil_id: t.pupil_id,
        party: t.party.as_str().to_owned(),
        organisation_id: t.organisation_id,
        text: t.text,
        melding: t.melding,
        referral: t.referral,
        trigger: t.trigger.map(|x| x.as_str().to_owned()),
        due: t.due,
        status: t.status.as_str().to_owned(),
        status_reason: t.status_reason,
        created_at: t.created_at,
        updated_at: t.updated_at,
        link: link.map(link_out),
    }
}

pub fn task_view_out(v: TaskView, today: Date) -> TaskOut {
    task_out(v.task, v.link, today)
}

/// One status change (of a task, melding or referral).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryOut {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// `user:ID`, `token:ID` or `system`.
    pub actor: String,
    pub status: String,
    pub reason: Option<String>,
}

pub fn history_out(h: HistoryEntry) -> HistoryOut {
    HistoryOut {
        at: h.at,
        actor: h.actor,
        status: h.status,
        reason: h.reason,
    }
}

/// A task with its history (the history only for the organisation's own tasks).
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetail {
    pub task: TaskOut,
    pub history: Vec<HistoryOut>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// `open`, `done` or `not_needed`; without it all.
    #[param(schema_with = super::schemas::task_status)]
    pub status: Option<String>,
}

/// When and how the parents were informed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ParentsInformedIn {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// `gesprek`, `telefoon`, `brief`, `email` or `anders`.
    #[schema(schema_with = super::schemas::informed_how)]
    pub how: String,
}

/// The content of a melding to leerplicht that the school enters (the rest comes from the
/// signal and the pupil).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MeldingContentIn {
    /// The suspected reason of the absence.
    #[schema(max_length = 2000)]
    pub suspected_reason: String,
    /// What the school already did.
    #[schema(max_length = 2000)]
    pub school_actions: String,
}

/// What completing a task records.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CompleteIn {
    /// Required when the task informs the parents (`parents_informed_required`).
    pub parents_informed: Option<ParentsInformedIn>,
    /// Required for a melding task.
    pub melding: Option<MeldingContentIn>,
    /// For the school's task that judges a no-show at GGD-JGZ: `zonder_goede_reden` (the melding
    /// task follows) or `met_goede_reden`.
    #[schema(schema_with = super::schemas::judgement)]
    pub judgement: Option<String>,
    /// Required for a referral task: GGD-JGZ's digitaal aanmeldingsformulier (with
    /// `parents_informed`: when and how the parents were informed).
    pub referral_form: Option<ReferralFormIn>,
    /// Required for the school's "Meldt bij de Onderwijsinspectie" (verwijdering) and
    /// "Meldt/gaat in overleg met het samenwerkingsverband" (langdurig relatief verzuim).
    pub school_report: Option<SchoolReportIn>,
}

/// What the school reports to the inspectie (`kind` `inspectie`: `decision_date`,
/// `accepting_school`, `reason`, `report_date`) or consults with the samenwerkingsverband
/// (`kind` `swv_overleg`: `with_whom`, `date`, `outcome`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SchoolReportIn {
    /// `inspectie` or `swv_overleg`.
    #[schema(schema_with = super::schemas::school_report_kind)]
    pub kind: String,
    /// `inspectie`: the date of the decision to remove the pupil.
    #[schema(value_type = Option<String>, format = Date)]
    pub decision_date: Option<Date>,
    /// `inspectie`: the school that accepts the pupil.
    #[schema(max_length = 2000)]
    pub accepting_school: Option<String>,
    /// `inspectie`: the reason of the removal.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// `inspectie`: the date of the report to the inspectie.
    #[schema(value_type = Option<String>, format = Date)]
    pub report_date: Option<Date>,
    /// `swv_overleg`: with whom.
    #[schema(max_length = 2000)]
    pub with_whom: Option<String>,
    /// `swv_overleg`: when.
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<Date>,
    /// `swv_overleg`: the outcome.
    #[schema(max_length = 2000)]
    pub outcome: Option<String>,
}

/// The digitaal aanmeldingsformulier of a referral to GGD-JGZ (kaart Twente PO, "** ZIEKTE").
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReferralFormIn {
    /// The school's question to GGD-JGZ (no diagnosis: what the school wants to know).
    #[schema(max_length = 2000)]
    pub question: String,
    /// What the school already did.
    #[schema(max_length = 2000)]
    pub school_actions: String,
    /// Whether the parents consented to the referral.
    pub parents_consent: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NotNeededIn {
    /// Why the task is not needed.
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// What completing a task started.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionOut {
    pub task_id: i64,
    /// The melding made (a melding task).
    pub melding_id: Option<i64>,
    /// The referral made (a referral task).
    pub referral_id: Option<i64>,
    /// Tasks created for this or another party.
    pub tasks_created: Vec<i64>,
}

fn completion(body: &CompleteIn) -> ApiResult<Completion> {
    let parents_informed = match &body.parents_informed {
        None => None,
        Some(p) => Some(ParentsInformed {
            date: p.date,
            how: InformedHow::parse(&p.how).ok_or_else(|| {
                bad_value(
                    "parents_informed.how",
                    &InformedHow::ALL
                        .iter()
                        .map(|h| h.as_str())
                        .collect::<Vec<_>>(),
                )
            })?,
        }),
    };
    let melding = match &body.melding {
        None => None,
        Some(m) => {
            check_len("melding.suspected_reason", &m.suspected_reason, TEXT_MAX)?;
            check_len("melding.school_actions", &m.school_actions, TEXT_MAX)?;
            Some(MeldingContent {
                suspected_reason: m.suspected_reason.clone(),
                school_actions: m.school_actions.clone(),
            })
        }
    };
    let judgement = match body.judgement.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("zonder_goede_reden") => Some(Judgement::ZonderGoedeReden),
        Some("met_goede_reden") => Some(Judgement::MetGoedeReden),
        Some(_) => {
            return Err(bad_value(
                "judgement",
                &["zonder_goede_reden", "met_goede_reden"],
            ));
        }
    };
    let referral_form = match &body.referral_form {
        None => None,
        Some(f) => {
            check_len("referral_form.question", &f.question, TEXT_MAX)?;
            check_len("referral_form.school_actions", &f.school_actions, TEXT_MAX)?;
            Some(ReferralFormInput {
                question: f.question.clone(),
                school_actions: f.school_actions.clone(),
                parents_consent: f.parents_consent,
            })
        }
    };
    let school_report = match &body.school_report {
        None => None,
        Some(r) => {
            for (field, v) in [
                ("school_report.accepting_school", &r.accepting_school),
                ("school_report.reason", &r.reason),
                ("school_report.with_whom", &r.with_whom),
                ("school_report.outcome", &r.outcome),
            ] {
                check_len(field, v.as_deref().unwrap_or_default(), TEXT_MAX)?;
            }
            // The schema cannot state which fields a `kind` requires: 422, not 400.
            let missing = |f: &str| {
                ApiError::unprocessable(
                    "verplicht",
                    format!("Het veld school_report.{f} ontbreekt."),
                )
            };
            Some(match r.kind.as_str() {
                "inspectie" => SchoolReportContent::Inspectie {
                    decision_date: r.decision_date.ok_or_else(|| missing("decision_date"))?,
                    accepting_school: r.accepting_school.clone().unwrap_or_default(),
                    reason: r.reason.clone().unwrap_or_default(),
                    report_date: r.report_date.ok_or_else(|| missing("report_date"))?,
                },
                "swv_overleg" => SchoolReportContent::SwvOverleg {
                    with_whom: r.with_whom.clone().unwrap_or_default(),
                    date: r.date.ok_or_else(|| missing("date"))?,
                    outcome: r.outcome.clone().unwrap_or_default(),
                },
                _ => {
                    return Err(bad_value(
                        "school_report.kind",
                        &["inspectie", "swv_overleg"],
                    ));
                }
            })
        }
    };
    Ok(Completion {
        parents_informed,
        melding,
        judgement,
        referral_form,
        school_report,
    })
}

/// The acting organisation's own task, or 404.
async fn own_task(state: &AppState, acting: &Acting, id: i64) -> ApiResult<Task> {
    Ok(verzuim_service::tasks::own_task(&state.store, &acting.caller, id).await?)
}

/// The inbox: the tasks of the caller's organisation, overdue and earliest due first.
#[utoipa::path(
    get,
    path = "/api/tasks",
    tag = "taken",
    params(TaskQuery, Pagination, OrgQuery),
    responses(
        (status = 200, description = "Een pagina taken", body = Paginated<TaskOut>),
        (status = 400, description = "ongeldige_waarde, organisatie_kiezen", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol met taken", body = ErrorBody),
    )
)]
async fn list_tasks(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Query(q): Query<TaskQuery>,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<TaskOut>>> {
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            TaskStatus::parse(s)
                .ok_or_else(|| bad_value("status", &["open", "done", "not_needed"]))?,
        ),
    };
    let page = pagination.page();
    let tasks = visibility::my_tasks(&state.store, &acting.caller, status, page).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Tasks(acting.org().to_owned()),
        None,
    )
    .await?;
    let today = state.today();
    Ok(axum::Json(Paginated::new(
        tasks
            .into_iter()
            .map(|t| task_out(t, None, today))
            .collect(),
        page,
    )))
}

/// One task of a case the caller may see, with its link; with its history when it is the
/// caller's organisation's own.
#[utoipa::path(
    get,
    path = "/api/tasks/{id}",
    tag = "taken",
    params(("id" = i64, Path, description = "Nummer van de taak"), OrgQuery),
    responses(
        (status = 200, description = "De taak", body = TaskDetail),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol met taken", body = ErrorBody),
        (status = 404, description = "Onbekend of niet zichtbaar", body = ErrorBody),
    )
)]
async fn get_task(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<TaskDetail>> {
    let view = visibility::task(&state.store, &acting.caller, id).await?;
    let history = if view.task.organisation_id == acting.org() {
        visibility::task_history(&state.store, &acting.caller, id).await?
    } else {
        Vec::new()
    };
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Task(id),
        Some((&view.task.school_id, &view.task.pupil_id)),
    )
    .await?;
    Ok(axum::Json(TaskDetail {
        task: task_view_out(view, state.today()),
        history: history.into_iter().map(history_out).collect(),
    }))
}

/// Complete one of the organisation's open tasks. A melding task makes the melding (to the
/// leerplichtambtenaar of the pupil's home municipality) and leerplicht's tasks; a referral task
/// the referral and GGD-JGZ's tasks; the judgement "zonder goede reden" the school's melding task.
#[utoipa::path(
    post,
    path = "/api/tasks/{id}/complete",
    tag = "taken",
    params(("id" = i64, Path, description = "Nummer van de taak"), OrgQuery),
    request_body = CompleteIn,
    responses(
        (status = 200, description = "Afgerond", body = CompletionOut),
        (status = 400, description = "ongeldige_waarde, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol voor deze taak", body = ErrorBody),
        (status = 404, description = "Geen taak van uw organisatie", body = ErrorBody),
        (status = 409, description = "De taak is al afgerond of niet nodig", body = ErrorBody),
        (status = 422, description = "Ouders, meldingsinhoud, oordeel of een veld van de school_report-soort (verplicht) ontbreekt; geen BSN/onderwijsnummer", body = ErrorBody),
    )
)]
async fn complete_task(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<CompleteIn>,
) -> ApiResult<axum::Json<CompletionOut>> {
    let task = own_task(&state, &acting, id).await?;
    let completion = completion(&body)?;
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Task(id).detail("complete"),
        Some((&task.school_id, &task.pupil_id)),
    );
    let outcome = verzuim_service::tasks::complete_task(
        &state.store,
        &caller,
        state.today(),
        id,
        &completion,
    )
    .await?;
    Ok(axum::Json(CompletionOut {
        task_id: outcome.task_id,
        melding_id: outcome.melding,
        referral_id: outcome.referral,
        tasks_created: outcome.tasks_created,
    }))
}

/// Mark one of the organisation's open tasks as not needed, with a reason.
#[utoipa::path(
    post,
    path = "/api/tasks/{id}/not-needed",
    tag = "taken",
    params(("id" = i64, Path, description = "Nummer van de taak"), OrgQuery),
    request_body = NotNeededIn,
    responses(
        (status = 204, description = "Niet nodig"),
        (status = 400, description = "verplicht, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen rol voor deze taak", body = ErrorBody),
        (status = 404, description = "Geen taak van uw organisatie", body = ErrorBody),
        (status = 409, description = "De taak is al afgerond of niet nodig", body = ErrorBody),
    )
)]
async fn task_not_needed(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<NotNeededIn>,
) -> ApiResult<axum::http::StatusCode> {
    let task = own_task(&state, &acting, id).await?;
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Task(id).detail("not_needed"),
        Some((&task.school_id, &task.pupil_id)),
    );
    let reason = required("reason", &body.reason, TEXT_MAX)?;
    verzuim_service::tasks::task_not_needed(&state.store, &caller, id, reason).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
