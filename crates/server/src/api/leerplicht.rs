//! The leerplichtambtenaar's actions on a melding to its municipality: a conversation (gesprek),
//! a warning letter (waarschuwingsbrief), a formal warning (officiële waarschuwing), a HALT
//! referral (from 12 years) and a proces-verbaal. Recording one writes a line on the case
//! timeline (the school sees it there) and, when the parents were informed, when and how.
//!
//! Role: `leerplichtambtenaar` of the melding's municipality only (users; no API token). The
//! school reads the timeline lines, not these actions with leerplicht's summaries.

use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditObject;
use crate::error::ApiError;
use crate::policy::{self, PolicyRoutes};
use verzuim_service::leerplicht::{self, ActionInput};
use verzuim_service::model::InformedHow;
use verzuim_service::model::{ConversationWith, LeerplichtAction, LeerplichtActionKind};

use super::common::{
    Acting, OrgQuery, TEXT_MAX, audit_pupil_data, audited_write, bad_value, check_opt,
};
use super::meldingen::visible;
use crate::audit::Audit;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(list_actions), &policy::LEERPLICHT)
        .routes_with(routes!(add_action), &policy::LEERPLICHT)
}

/// An action of leerplicht on a melding.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeerplichtActionOut {
    pub id: i64,
    pub melding_id: i64,
    /// `gesprek`, `waarschuwingsbrief`, `officiele_waarschuwing`, `halt`, `proces_verbaal`,
    /// `verwijzing_zorg`.
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// A conversation's partner: `ouders`, `leerling`, `ouders_en_leerling`, `school`, `anders`.
    pub with: Option<String>,
    pub summary: Option<String>,
    /// How the parents were informed of it (on `date`): `gesprek`, `telefoon`, `brief`, `email`,
    /// `anders`.
    pub parents_informed: Option<String>,
    /// `verwijzing_zorg`: the organisation referred to.
    pub referred_to: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: String,
}

pub fn action_out(a: LeerplichtAction) -> LeerplichtActionOut {
    LeerplichtActionOut {
        id: a.id,
        melding_id: a.melding_id,
        kind: a.kind.as_str().to_owned(),
        date: a.date,
        with: a.with_whom.map(|w| w.as_str().to_owned()),
        summary: a.summary,
        parents_informed: a.parents_how.map(|h| h.as_str().to_owned()),
        referred_to: a.referred_to,
        created_at: a.created_at,
        created_by: a.created_by,
    }
}

/// An action to record.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ActionIn {
    /// `gesprek`, `waarschuwingsbrief`, `officiele_waarschuwing`, `halt` (only for a pupil of 12
    /// or older on `date`), `proces_verbaal` or `verwijzing_zorg` (with `referred_to`). The
    /// municipality's card tasks of the melding that the recorded actions together do are
    /// completed.
    #[schema(schema_with = super::schemas::leerplicht_action)]
    pub kind: String,
    /// The day it happened (not after today).
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// `gesprek`: with whom (`ouders`, `leerling`, `ouders_en_leerling`, `school`, `anders`).
    #[schema(schema_with = super::schemas::conversation_with)]
    pub with: Option<String>,
    /// `gesprek`: the summary (required); otherwise an optional note.
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    /// How the parents were informed (`gesprek`, `telefoon`, `brief`, `email`, `anders`):
    /// required for `officiele_waarschuwing`, `halt`, `proces_verbaal` and `verwijzing_zorg`;
    /// implied for a conversation with the parents and a warning letter.
    #[schema(schema_with = super::schemas::informed_how)]
    pub parents_informed: Option<String>,
    /// `verwijzing_zorg`: the organisation the pupil or family is referred to (required there).
    #[schema(max_length = 2000)]
    pub referred_to: Option<String>,
}

/// The body as the service's input (400 naming the field for a value outside its list).
pub fn action_input(body: &ActionIn) -> ApiResult<ActionInput> {
    check_opt("summary", body.summary.as_deref(), TEXT_MAX)?;
    check_opt("referred_to", body.referred_to.as_deref(), TEXT_MAX)?;
    let kind = LeerplichtActionKind::parse(&body.kind).ok_or_else(|| {
        let all: Vec<&str> = LeerplichtActionKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect();
        bad_value("kind", &all)
    })?;
    let with_whom = match body.with.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(w) => Some(ConversationWith::parse(w).ok_or_else(|| {
            let all: Vec<&str> = ConversationWith::ALL.iter().map(|k| k.as_str()).collect();
            bad_value("with", &all)
        })?),
    };
    let parents_informed = match body.parents_informed.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(h) => Some(InformedHow::parse(h).ok_or_else(|| {
            let all: Vec<&str> = InformedHow::ALL.iter().map(|k| k.as_str()).collect();
            bad_value("parents_informed", &all)
        })?),
    };
    Ok(ActionInput {
        kind,
        date: body.date,
        with_whom,
        summary: body.summary.clone(),
        parents_informed,
        referred_to: body.referred_to.clone(),
    })
}

/// The actions on a melding the acting organisation may see.
async fn actions(state: &AppState, acting: &Acting, id: i64) -> ApiResult<Vec<LeerplichtAction>> {
    leerplicht::actions(&state.store, &acting.caller, id)
        .await
        .map_err(ApiError::from)
}

/// Leerplicht's actions on a melding to its municipality, in the order they happened.
#[utoipa::path(
    get,
    path = "/api/meldingen/{id}/acties",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    responses(
        (status = 200, description = "De acties", body = Vec<LeerplichtActionOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw gemeente", body = ErrorBody),
    )
)]
async fn list_actions(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Vec<LeerplichtActionOut>>> {
    let view = visible(&state, &acting, id).await?;
    let list = actions(&state, &acting, id).await?;
    audit_pupil_data(
        &audit,
        &acting,
        false,
        AuditObject::Melding(id).detail("acties"),
        Some((&view.melding.school_id, &view.melding.pupil_id)),
    )
    .await?;
    Ok(axum::Json(list.into_iter().map(action_out).collect()))
}

/// Record an action of leerplicht on a melding in behandeling: a conversation, a warning letter,
/// a formal warning, a HALT referral (from 12 years: refused for a younger pupil) or a
/// proces-verbaal. The case timeline gets a line (the school sees it) and, when the parents were
/// informed, when and how is recorded.
#[utoipa::path(
    post,
    path = "/api/meldingen/{id}/acties",
    tag = "meldingen",
    params(("id" = i64, Path, description = "Nummer van de melding"), OrgQuery),
    request_body = ActionIn,
    responses(
        (status = 201, description = "Vastgelegd", body = LeerplichtActionOut),
        (status = 400, description = "ongeldige_waarde, te_lang, ongeldige_json", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen leerplichtambtenaar", body = ErrorBody),
        (status = 404, description = "Onbekend of niet van uw gemeente", body = ErrorBody),
        (status = 422, description = "Niet in behandeling, datum na vandaag, gegevens ontbreken, HALT onder 12 jaar", body = ErrorBody),
    )
)]
async fn add_action(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(id): Path<i64>,
    Json(body): Json<ActionIn>,
) -> ApiResult<(StatusCode, axum::Json<LeerplichtActionOut>)> {
    let view = visible(&state, &acting, id).await?;
    let input = action_input(&body)?;
    // The audit row commits with the change.
    let caller = audited_write(
        &audit,
        &acting,
        AuditObject::Melding(id)
            .detail("actie")
            .detail(input.kind.as_str()),
        Some((&view.melding.school_id, &view.melding.pupil_id)),
    );
    let action_id =
        leerplicht::record_action(&state.store, &caller, state.today(), id, &input).await?;
    let list = actions(&state, &acting, id).await?;
    let out = list
        .into_iter()
        .find(|a| a.id == action_id)
        .map(action_out)
        .ok_or_else(crate::error::ApiError::not_found)?;
    Ok((StatusCode::CREATED, axum::Json(out)))
}
