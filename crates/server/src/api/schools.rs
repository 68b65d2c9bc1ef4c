//! A school's settings (`GET`/`PUT /api/schools/{school}/settings`: lesson times per weekday and
//! per group, closed periods, the card, the GGD-JGZ organisation it refers to) and the minimal
//! lists of municipalities and GGD-JGZ organisations.
//!
//! Roles: the school's `beheerder` changes the settings; `beheerder` and `verzuimcoordinator`
//! read them. The lists are open to every logged-in user and every token.

use std::collections::BTreeMap;

use axum::extract::State;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::acting::Acting;
use crate::audit::AuditObject;
use crate::policy::{self, PolicyRoutes};
use verzuim_engine::model::{ClosedKind, ClosedPeriod, GroupTimes, School, TimeRange, WeekTimes};
use verzuim_exchange::values::{parse_time_range, time_hm};
use verzuim_service::model::{OrgKind, Organisation, SchoolSettings};
use verzuim_service::school;

use super::common::{OrgQuery, SyncOut, bad_value, check_opt};
use crate::audit::{Audit, action};
use crate::authz::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Paginated, Pagination, Path, Query, check_len, max_len};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes_with(routes!(get_settings), &policy::SETTINGS_READ)
        .routes_with(routes!(put_settings), &policy::SETTINGS_WRITE)
        .routes_with(routes!(municipalities), &policy::DIRECTORY)
        .routes_with(routes!(ggd_organisations), &policy::DIRECTORY)
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
/// At most this many closed periods, groups, and ranges per day.
const MAX_ITEMS: usize = 500;

/// A closed period: no lesson time on these dates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClosedOut {
    #[schema(example = "Kerstvakantie")]
    pub name: String,
    /// `vakantie`, `vrije_dag` or `studiedag`.
    #[schema(schema_with = super::schemas::closed_kind)]
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    /// Inclusive.
    #[schema(value_type = String, format = Date)]
    pub until: Date,
}

/// A school's settings, in the shape of formats.md's school.toml.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SettingsBody {
    /// The organisation's name (read only).
    #[serde(default, skip_deserializing)]
    pub name: String,
    /// The verzuimkaart, e.g. `twente-po`.
    #[schema(example = "twente-po", max_length = 64)]
    pub card_id: String,
    /// `noord`, `midden` or `zuid`.
    #[schema(schema_with = super::schemas::holiday_region)]
    pub holiday_region: Option<String>,
    /// Weekly lesson time: weekday (`monday` … `sunday`) -> ranges `HH:MM-HH:MM`; a weekday left
    /// out has no lessons.
    #[schema(example = json!({"monday": ["08:30-12:00", "12:45-15:00"], "wednesday": ["08:30-12:15"]}))]
    pub lesson_times: BTreeMap<String, Vec<String>>,
    /// Per group: the weekdays it names replace the school's (`[]`: no lessons that day).
    #[serde(default)]
    #[schema(example = json!({"1-2": {"friday": []}}))]
    pub groups: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    pub closed: Vec<ClosedOut>,
    /// The GGD-JGZ organisation the school refers pupils to.
    #[schema(max_length = 64)]
    pub ggd_id: Option<String>,
    /// The day from which the lesson times of this request apply (default: today); the days
    /// before keep the times that applied then (issue 10.2). A change of `card_id` applies from
    /// this day too, but not before the new card's own `valid_from`; the days before keep the
    /// card that applied then. A school's first settings apply to every day.
    #[serde(default, skip_serializing)]
    #[schema(write_only, value_type = Option<String>, format = Date, example = "2027-01-04")]
    pub lesson_times_valid_from: Option<Date>,
    /// Earlier lesson times (read only), oldest first: each applied on the days before its
    /// `until`.
    #[serde(default, skip_deserializing)]
    #[schema(read_only)]
    pub earlier_lesson_times: Vec<EarlierTimesOut>,
}

/// Lesson times that applied before a change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EarlierTimesOut {
    /// The first day on which these times no longer applied.
    #[schema(value_type = String, format = Date)]
    pub until: Date,
    pub lesson_times: BTreeMap<String, Vec<String>>,
    pub groups: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// The settings after a change, with what re-evaluating every pupil did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsChanged {
    pub settings: SettingsBody,
    pub sync: SyncOut,
}

/// A municipality or GGD-JGZ organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    /// CBS code (`GM0153`) or the GGD-JGZ organisation's id.
    pub id: String,
    pub name: String,
}

fn ranges_text(list: &[TimeRange]) -> Vec<String> {
    list.iter()
        .map(|r| format!("{}-{}", time_hm(r.start), time_hm(r.end)))
        .collect()
}

fn week_out(week: &WeekTimes) -> BTreeMap<String, Vec<String>> {
    DAYS.iter()
        .zip(&week.0)
        .filter(|(_, l)| !l.is_empty())
        .map(|(d, l)| ((*d).to_owned(), ranges_text(l)))
        .collect()
}

fn groups_out(
    groups: &BTreeMap<String, GroupTimes>,
) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    groups
        .iter()
        .map(|(g, own)| {
            let days = DAYS
                .iter()
                .zip(&own.0)
                .filter_map(|(d, l)| l.as_ref().map(|l| ((*d).to_owned(), ranges_text(l))))
                .collect();
            (g.clone(), days)
        })
        .collect()
}

fn settings_body(name: String, s: &SchoolSettings, ggd_id: Option<String>) -> SettingsBody {
    let school = &s.school;
    let lesson_times = week_out(&school.lesson_times);
    let groups = groups_out(&school.groups);
    SettingsBody {
        name,
        card_id: s.card_id.clone(),
        holiday_region: school.holiday_region.clone(),
        lesson_times,
        groups,
        closed: school
            .closed
            .iter()
            .map(|c| ClosedOut {
                name: c.name.clone(),
                kind: c.kind.as_str().to_owned(),
                from: c.from,
                until: c.until,
            })
            .collect(),
        ggd_id,
        lesson_times_valid_from: None,
        earlier_lesson_times: school
            .earlier_times
            .iter()
            .map(|e| EarlierTimesOut {
                until: e.until,
                lesson_times: week_out(&e.lesson_times),
                groups: groups_out(&e.groups),
            })
            .collect(),
    }
}

/// A weekday key of `lesson_times` or a group's days: the schema leaves the keys free (an
/// object's property names), so an unknown day is 422, not 400.
fn day_index(field: &str, day: &str) -> ApiResult<usize> {
    DAYS.iter().position(|d| *d == day).ok_or_else(|| {
        let ApiError { code, message, .. } = bad_value(field, &DAYS);
        ApiError::unprocessable(code, message).with_field(field)
    })
}

fn parse_ranges(field: &str, list: &[String]) -> ApiResult<Vec<TimeRange>> {
    if list.len() > MAX_ITEMS {
        return Err(ApiError::too_long(field, MAX_ITEMS));
    }
    list.iter()
        .map(|r| {
            check_len(field, r, 20)?;
            parse_time_range(r.trim()).map_err(|m| {
                ApiError::unprocessable("ongeldige_tijd", format!("{m}.")).with_field(field)
            })
        })
        .collect()
}

fn school_of(id: &str, name: &str, body: &SettingsBody) -> ApiResult<School> {
    check_len("card_id", &body.card_id, max_len::IDENTIFIER)?;
    check_opt(
        "holiday_region",
        body.holiday_region.as_deref(),
        max_len::IDENTIFIER,
    )?;
    if let Some(r) = body.holiday_region.as_deref()
        && !["noord", "midden", "zuid"].contains(&r)
    {
        return Err(bad_value("holiday_region", &["noord", "midden", "zuid"]));
    }
    let mut week: [Vec<TimeRange>; 7] = Default::default();
    for (day, list) in &body.lesson_times {
        let i = day_index("lesson_times", day)?;
        week[i] = parse_ranges(&format!("lesson_times.{day}"), list)?;
    }
    if body.groups.len() > MAX_ITEMS {
        return Err(ApiError::too_long("groups", MAX_ITEMS));
    }
    let mut groups = BTreeMap::new();
    for (group, days) in &body.groups {
        check_len("groups", group, max_len::IDENTIFIER)?;
        let mut own: [Option<Vec<TimeRange>>; 7] = Default::default();
        for (day, list) in days {
            let i = day_index(&format!("groups.{group}"), day)?;
            own[i] = Some(parse_ranges(&format!("groups.{group}.{day}"), list)?);
        }
        groups.insert(group.clone(), GroupTimes(own));
    }
    if body.closed.len() > MAX_ITEMS {
        return Err(ApiError::too_long("closed", MAX_ITEMS));
    }
    let mut closed = Vec::with_capacity(body.closed.len());
    for c in &body.closed {
        check_len("closed.name", &c.name, max_len::NAME)?;
        let kind = ClosedKind::parse(&c.kind)
            .ok_or_else(|| bad_value("closed.kind", &["vakantie", "vrije_dag", "studiedag"]))?;
        if c.until < c.from {
            return Err(ApiError::unprocessable(
                "ongeldige_datum",
                format!(
                    "De gesloten periode '{}' eindigt vóór ze begint.",
                    c.name.trim()
                ),
            )
            .with_field("closed"));
        }
        closed.push(ClosedPeriod {
            name: c.name.trim().to_owned(),
            kind,
            from: c.from,
            until: c.until,
        });
    }
    Ok(School {
        earlier_times: Vec::new(),
        id: id.to_owned(),
        name: name.to_owned(),
        holiday_region: body.holiday_region.clone(),
        lesson_times: WeekTimes(week),
        groups,
        closed,
    })
}

/// The school's settings (beheerder and verzuimcoordinator).
#[utoipa::path(
    get,
    path = "/api/schools/{school}/settings",
    tag = "scholen",
    params(("school" = String, Path, description = "School (BRIN)"), OrgQuery),
    responses(
        (status = 200, description = "De instellingen", body = SettingsBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder of verzuimcoordinator van deze school", body = ErrorBody),
        (status = 404, description = "De school heeft nog geen instellingen", body = ErrorBody),
    )
)]
async fn get_settings(
    State(state): State<AppState>,
    acting: Acting,
    Path(school): Path<String>,
) -> ApiResult<axum::Json<SettingsBody>> {
    let v = verzuim_service::organisations::school_settings(&state.store, &acting.caller, &school)
        .await?;
    Ok(axum::Json(settings_body(v.name, &v.settings, v.ggd)))
}

/// Replace the school's settings (beheerder): every pupil is re-evaluated with them.
#[utoipa::path(
    put,
    path = "/api/schools/{school}/settings",
    tag = "scholen",
    params(("school" = String, Path, description = "School (BRIN)"), OrgQuery),
    request_body = SettingsBody,
    responses(
        (status = 200, description = "Opgeslagen", body = SettingsChanged),
        (status = 400, description = "ongeldige_waarde, te_lang", body = ErrorBody),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
        (status = 403, description = "Geen beheerder van deze school", body = ErrorBody),
        (status = 422, description = "Onbekende kaart of GGD-JGZ-organisatie; ongeldige_tijd, ongeldige_datum, ongeldige_waarde (een onbekende weekdag)", body = ErrorBody),
    )
)]
async fn put_settings(
    State(state): State<AppState>,
    acting: Acting,
    audit: Audit,
    Path(school): Path<String>,
    Json(body): Json<SettingsBody>,
) -> ApiResult<axum::Json<SettingsChanged>> {
    let name = verzuim_service::organisations::organisation(&state.store, acting.org())
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let engine_school = school_of(acting.org(), &name, &body)?;
    let ggd = match body
        .ggd_id
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        None => None,
        Some(g) => {
            check_len("ggd_id", g, max_len::IDENTIFIER)?;
            match verzuim_service::organisations::organisation(&state.store, g).await? {
                Some(o) if o.kind == OrgKind::GgdJgz => Some(o.id),
                _ => {
                    return Err(ApiError::unprocessable(
                        "ongeldig",
                        format!("Onbekende GGD-JGZ-organisatie '{g}'."),
                    )
                    .with_field("ggd_id"));
                }
            }
        }
    };
    let settings = SchoolSettings {
        card_id: body.card_id.trim().to_owned(),
        school: engine_school,
    };
    let times_from = body
        .lesson_times_valid_from
        .unwrap_or_else(|| state.today());
    // The audit row commits with the settings.
    let event = audit
        .event(&acting.actor, action::PUPIL_WRITE)
        .organisation(acting.org())
        .object(AuditObject::School(school.clone()).detail("settings"));
    let sync = school::replace_settings(
        &state.store,
        &acting.caller,
        &school,
        &settings,
        Some(times_from),
        ggd.as_deref(),
        Some(event.entry()),
    )
    .await?;
    let v = verzuim_service::organisations::school_settings(&state.store, &acting.caller, &school)
        .await?;
    Ok(axum::Json(SettingsChanged {
        settings: settings_body(name, &v.settings, v.ggd),
        sync: sync.into(),
    }))
}

async fn organisations(
    state: &AppState,
    kind: OrgKind,
    pagination: Pagination,
) -> ApiResult<axum::Json<Paginated<OrganisationOut>>> {
    let page = pagination.page();
    let list: Vec<Organisation> =
        verzuim_service::organisations::directory(&state.store, kind, page).await?;
    Ok(axum::Json(Paginated::new(
        list.into_iter()
            .map(|o| OrganisationOut {
                id: o.id,
                name: o.name,
            })
            .collect(),
        page,
    )))
}

/// The municipalities (CBS code and name), for the home municipality of a pupil.
#[utoipa::path(
    get,
    path = "/api/municipalities",
    tag = "scholen",
    params(Pagination),
    responses(
        (status = 200, description = "Een pagina gemeenten", body = Paginated<OrganisationOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
    )
)]
async fn municipalities(
    State(state): State<AppState>,
    _actor: Actor,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<OrganisationOut>>> {
    organisations(&state, OrgKind::Gemeente, pagination).await
}

/// The GGD-JGZ organisations (id and name), for a school's settings.
#[utoipa::path(
    get,
    path = "/api/ggd-organisations",
    tag = "scholen",
    params(Pagination),
    responses(
        (status = 200, description = "Een pagina GGD-JGZ-organisaties", body = Paginated<OrganisationOut>),
        (status = 401, description = "Niet ingelogd", body = ErrorBody),
    )
)]
async fn ggd_organisations(
    State(state): State<AppState>,
    _actor: Actor,
    Query(pagination): Query<Pagination>,
) -> ApiResult<axum::Json<Paginated<OrganisationOut>>> {
    organisations(&state, OrgKind::GgdJgz, pagination).await
}
