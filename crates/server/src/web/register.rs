//! The teacher's daily register: `GET /registreren?groep=…&datum=YYYY-MM-DD` lists the group's
//! pupils for the day, everyone present unless registered; `POST /registreren` changes one
//! pupil's day (htmx: the row comes back; without JavaScript: a redirect to the page).
//!
//! A leerkracht registers only for the groups of their membership; a verzuimcoordinator of the
//! school for every group. Each change goes through the service (which re-evaluates the pupil);
//! a signal it raises, or any active signal dated that day, shows as a badge in the row.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use verzuim_engine::card::Card;
use verzuim_engine::model::{Code, Registration, Span, TimeRange};
use verzuim_service::model::{
    OrgKind, Role, SchoolSettings, StoredPupil, StoredRegistration, StoredSignal,
};
use verzuim_service::register as register_model;
use verzuim_service::{ServiceError, records, visibility};

use super::session::{PageMeta, WebUser};
use super::{render, service_error, today};
use crate::api::common::change_audit_row;
use crate::audit::{Audit, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Query, check_len, max_len};
use crate::nl::{date_long_nl, date_nl, hhmm, parse_hhmm};
use crate::state::AppState;

mod view;
pub use view::*;

/// `GET /registreren`.
pub async fn page(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Query(q): Query<RegisterQuery>,
) -> ApiResult<Response> {
    web.require(
        &[Role::Leerkracht, Role::Verzuimcoordinator],
        Some(OrgKind::School),
    )?;
    let school = web.org_id().to_owned();
    let today = today(&state);
    let date = match q.datum.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_date(s)?,
        None => today,
    };
    let groups = match web.role() {
        Role::Leerkracht => web.current.groups.clone(),
        _ => register_model::school_groups(&state.store, &web.caller(), &school).await?,
    };
    let group = match q.groep.as_deref().filter(|s| !s.is_empty()) {
        Some(g) => {
            check_len("groep", g, max_len::IDENTIFIER)?;
            if !groups.iter().any(|x| x == g) && web.role() == Role::Leerkracht {
                return Err(ApiError::forbidden());
            }
            g.to_owned()
        }
        None => groups.first().cloned().unwrap_or_default(),
    };
    let register_model::ClassDay {
        pupils,
        settings,
        mut registrations,
        signals: all_signals,
    } = register_model::class_day(&state.store, &web.caller(), &school, &group, date).await?;
    let day = Day::new(settings, &group, date, today);
    let mut class: Vec<&StoredPupil> = pupils.iter().filter(|p| enrolled_on(p, date)).collect();
    class.sort_by_key(|p| {
        (
            p.data.name.clone().unwrap_or_default().to_lowercase(),
            p.data.pupil.id.clone(),
        )
    });
    // The whole class from one read model: the day's registrations and the active signals.
    let mut signals: HashMap<&str, Vec<&StoredSignal>> = HashMap::new();
    for s in &all_signals {
        signals.entry(s.pupil_id.as_str()).or_default().push(s);
    }
    let rows: Vec<Row> = class
        .into_iter()
        .map(|p| {
            let id = p.data.pupil.id.as_str();
            row_of(
                p,
                &group,
                date,
                &day,
                &[],
                None,
                registrations.remove(id).unwrap_or_default(),
                signals.get(id).map_or(&[][..], Vec::as_slice),
                web.role() == Role::Verzuimcoordinator,
            )
        })
        .collect();
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(&school)
        .object(format!("register:{group}:{date}"))
        .write()
        .await?;
    let s = day.settings.as_ref();
    let lesson_times = if day.times.is_empty() {
        String::new()
    } else {
        day.times
            .iter()
            .map(|t| format!("{}–{}", hhmm(t.start), hhmm(t.end)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let closed = match s.and_then(|s| closed_name(s, date)) {
        Some(n) => Some(format!("Geen lesdag: {n}.")),
        None if day.times.is_empty() => Some("Geen lesdag.".to_owned()),
        None => None,
    };
    Ok(render(&RegisterPage {
        meta: web.meta(format!("Registreren {group}"), "/registreren"),
        groups: groups
            .iter()
            .map(|g| GroupOption {
                name: g.clone(),
                selected: *g == group,
            })
            .collect(),
        date_iso: date.to_string(),
        date_long: date_long_nl(date),
        lesson_times,
        closed,
        window: day.window_start.map(|start| {
            if web.role() == Role::Leerkracht {
                format!(
                    "Deze dag ligt vóór de vorige lesweek (vóór {}): een leerkracht corrigeert \
                     alleen registraties van deze en de vorige lesweek. Vraag de \
                     verzuimcoördinator om een correctie.",
                    date_nl(start)
                )
            } else {
                format!(
                    "Deze dag ligt vóór de vorige lesweek (vóór {}): geef bij elke correctie \
                     een reden op. Raakt de correctie een melding aan leerplicht, dan blijft \
                     de melding zoals die is verstuurd en krijgen leerplicht en de school een \
                     taak.",
                    date_nl(start)
                )
            }
        }),
        prev: step_school_day(s, &group, date, -1).map(|d| link(&group, d)),
        next: step_school_day(s, &group, date, 1)
            .filter(|d| *d <= today)
            .map(|d| link(&group, d)),
        today_link: (date != today).then(|| link(&group, today)),
        group,
        rows,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    groep: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    leerling: String,
    #[serde(default)]
    actie: String,
    minuten: Option<String>,
    code: Option<String>,
    van: Option<String>,
    tot: Option<String>,
    registratie: Option<String>,
    /// The reason of a correction before the previous lesweek (verzuimcoördinator).
    reden: Option<String>,
}

/// What a form asks, checked.
enum Ask {
    Absent(Code),
    Late(u32),
    Part(Code, u16, u16),
    Undo(i64),
}

fn ask(f: &ActionForm) -> Result<Ask, String> {
    match f.actie.as_str() {
        "te_laat" => {
            let m = f
                .minuten
                .as_deref()
                .and_then(|m| m.trim().parse::<u32>().ok())
                .filter(|m| (1..=600).contains(m))
                .ok_or("Vul het aantal minuten te laat in (1 tot en met 600).")?;
            Ok(Ask::Late(m))
        }
        "deel" => {
            let code = f
                .code
                .as_deref()
                .and_then(Code::parse)
                .filter(|c| ABSENCE_CODES.contains(c))
                .ok_or("Kies een code voor het deel van de dag.")?;
            let from = f.van.as_deref().and_then(parse_hhmm);
            let until = f.tot.as_deref().and_then(parse_hhmm);
            match (from, until) {
                (Some(a), Some(b)) if a < b => Ok(Ask::Part(code, a, b)),
                (Some(_), Some(_)) => Err("De eindtijd moet na de begintijd liggen.".into()),
                _ => Err("Vul een begin- en eindtijd in (UU:MM).".into()),
            }
        }
        "ongedaan" => f
            .registratie
            .as_deref()
            .and_then(|r| r.trim().parse().ok())
            .map(Ask::Undo)
            .ok_or_else(|| "Onbekende registratie.".into()),
        other => Code::parse(other)
            .filter(|c| ABSENCE_CODES.contains(c))
            .map(Ask::Absent)
            .ok_or_else(|| "Onbekende handeling.".into()),
    }
}

/// `POST /registreren`: one change to one pupil's day.
pub async fn action(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    headers: HeaderMap,
    Form(f): Form<ActionForm>,
) -> ApiResult<Response> {
    web.require(
        &[Role::Leerkracht, Role::Verzuimcoordinator],
        Some(OrgKind::School),
    )?;
    check_len("groep", &f.groep, max_len::IDENTIFIER)?;
    check_len("leerling", &f.leerling, max_len::IDENTIFIER)?;
    let school = web.org_id().to_owned();
    if web.role() == Role::Leerkracht && !web.current.groups.contains(&f.groep) {
        return Err(ApiError::forbidden());
    }
    let date = parse_date(&f.datum)?;
    let caller = web.caller();
    let pupil = visibility::pupil(&state.store, &caller, &school, &f.leerling)
        .await
        .map_err(service_error)?;
    if pupil.data.pupil.group != f.groep {
        return Err(ApiError::forbidden());
    }
    let today = today(&state);
    // The audit row commits with the change (`registration:{id}:{add|correct|delete}`).
    let audited = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(&school)
        .pupil(&school, &f.leerling);
    let added = change_audit_row(&audited, "registration", "add");
    let corrected = change_audit_row(&audited, "registration", "correct");
    let deleted = change_audit_row(&audited, "registration", "delete");
    let existing = register_model::pupil_day(&state.store, &caller, &school, &f.leerling, date)
        .await?
        .registrations;
    let outcome: Result<Option<verzuim_service::Change>, String> = match ask(&f) {
        Err(m) => Err(m),
        Ok(a) => {
            let result = match a {
                Ask::Absent(code) => {
                    let same_day = existing.iter().find(|r| {
                        r.registration.code != Code::TeLaat
                            && matches!(r.registration.span, Span::Days { from, until } if from == date && until == date)
                    });
                    let reg = Registration {
                        code,
                        span: Span::Days {
                            from: date,
                            until: date,
                        },
                        minutes_late: None,
                    };
                    match same_day {
                        Some(r) if r.registration.code == code => Ok(None),
                        Some(r) => records::correct_registration_because(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            r.id,
                            &reg,
                            None,
                            f.reden.as_deref(),
                            Some(&corrected),
                        )
                        .await
                        .map(Some),
                        None => records::add_registration(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            &f.leerling,
                            &reg,
                            None,
                            Some(&added),
                        )
                        .await
                        .map(Some),
                    }
                }
                Ask::Late(minutes) => {
                    let reg = Registration {
                        code: Code::TeLaat,
                        span: Span::Days {
                            from: date,
                            until: date,
                        },
                        minutes_late: Some(minutes),
                    };
                    match existing
                        .iter()
                        .find(|r| r.registration.code == Code::TeLaat)
                    {
                        Some(r) => records::correct_registration_because(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            r.id,
                            &reg,
                            None,
                            f.reden.as_deref(),
                            Some(&corrected),
                        )
                        .await
                        .map(Some),
                        None => records::add_registration(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            &f.leerling,
                            &reg,
                            None,
                            Some(&added),
                        )
                        .await
                        .map(Some),
                    }
                }
                Ask::Part(code, from, until) => {
                    let reg = Registration {
                        code,
                        span: Span::Times {
                            date,
                            from,
                            until: Some(until),
                        },
                        minutes_late: None,
                    };
                    records::add_registration(
                        &state.store,
                        &caller,
                        today,
                        &school,
                        &f.leerling,
                        &reg,
                        None,
                        Some(&added),
                    )
                    .await
                    .map(Some)
                }
                Ask::Undo(id) => {
                    if existing.iter().any(|r| r.id == id) {
                        records::delete_registration_because(
                            &state.store,
                            &caller,
                            today,
                            &school,
                            id,
                            f.reden.as_deref(),
                            Some(&deleted),
                        )
                        .await
                        .map(Some)
                    } else {
                        Err(ServiceError::NotFound)
                    }
                }
            };
            match result {
                Ok(c) => Ok(c),
                Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
                    Err(super::sentence(&m))
                }
                Err(e) => return Err(service_error(e)),
            }
        }
    };
    let (raised, error) = match outcome {
        Ok(Some(change)) => {
            let mut ids = change.sync.inserted.clone();
            ids.extend(change.sync.extended.iter().copied());
            (ids, None)
        }
        Ok(None) => (Vec::new(), None),
        Err(m) => (Vec::new(), Some(m)),
    };
    if !headers.contains_key("hx-request") {
        return Ok(Redirect::to(&link(&f.groep, date)).into_response());
    }
    let now = register_model::pupil_day(&state.store, &caller, &school, &f.leerling, date).await?;
    let day = Day::new(now.settings, &f.groep, date, today);
    let signals: Vec<&StoredSignal> = now.signals.iter().collect();
    let row = row_of(
        &pupil,
        &f.groep,
        date,
        &day,
        &raised,
        error,
        now.registrations,
        &signals,
        web.role() == Role::Verzuimcoordinator,
    );
    Ok(render(&RowFragment { row }))
}
