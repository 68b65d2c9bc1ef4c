//! The beheerder's pages under `/beheer/...`: a school's lesson times (`/beheer/lestijden`),
//! closed periods and the official school holidays (`/beheer/vrije-dagen`, upload
//! `/beheer/vakanties`), groups (`/beheer/groepen`), the organisation's users and roles
//! (`/beheer/gebruikers`), the audit log with filters and CSV export (`/beheer/auditlog`), and
//! the import of formats.md files (`/beheer/importeren`).
//!
//! Every change goes through the service (settings are stored with
//! `verzuim_service::school::put_school_settings`, which re-evaluates every pupil). Bad input
//! answers 200 with the form, a Dutch message per problem saying where it is, and nothing
//! stored.

mod audit_log;
mod closed;
mod groups;
mod holiday_upload;
mod import;
mod lesson_times;
mod users;

use jiff::civil::Date;
use verzuim_engine::model::{School, TimeRange};
use verzuim_service::ServiceError;
use verzuim_service::model::SchoolSettings;

use super::session::WebUser;
use super::{sentence, service_error};
use crate::error::ApiResult;
use crate::nl;
use crate::nl::{hhmm, parse_hhmm};
use crate::state::AppState;

// The handlers, routed (with their policies) in `super::page_routes`.
pub use audit_log::{audit_csv, audit_log};
pub use closed::{closed, closed_save};
pub use groups::{groups, groups_add, groups_remove};
pub use holiday_upload::{holidays_add, holidays_preview};
pub use import::{import_page, import_submit};
pub use lesson_times::{lesson_times, lesson_times_save};
pub use users::{users, users_add, users_remove};

/// The weekdays shown in the grid (Saturday and Sunday keep what is stored).
const SCHOOL_DAYS: usize = 5;

async fn settings_of(state: &AppState, web: &WebUser) -> ApiResult<SchoolSettings> {
    let stored =
        verzuim_service::overview::school_settings(&state.store, &web.caller(), web.org_id())
            .await
            .map_err(service_error)?;
    Ok(stored.unwrap_or_else(|| SchoolSettings {
        card_id: "twente-po".into(),
        school: School {
            id: web.org.id.clone(),
            name: web.org.name.clone(),
            ..School::default()
        },
    }))
}

/// Stores the settings (re-evaluating every pupil); the Dutch report of what happened.
///
/// `times_from`: the day from which changed lesson times apply (`None`: the settings as loaded
/// and edited, history included).
async fn store_settings(
    state: &AppState,
    web: &WebUser,
    settings: &SchoolSettings,
    times_from: Option<Date>,
) -> Result<String, String> {
    match verzuim_service::school::put_school_settings(
        &state.store,
        &web.caller(),
        web.org_id(),
        settings,
        times_from,
    )
    .await
    {
        Ok(r) => Ok(format!(
            "Opgeslagen. Alle leerlingen zijn opnieuw beoordeeld: {}, {} ingetrokken.",
            nl::plural(
                i64::try_from(r.inserted.len() + r.extended.len()).unwrap_or(i64::MAX),
                "nieuw signaal",
                "nieuwe signalen"
            ),
            r.withdrawn.len()
        )),
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => Err(sentence(&m)),
        Err(e) => Err(service_error(e).to_string()),
    }
}

fn times_text(list: &[TimeRange]) -> String {
    list.iter()
        .map(|t| format!("{}-{}", hhmm(t.start), hhmm(t.end)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cell of the grid: `08:30-12:00, 13:00-15:15`; empty is no lessons.
fn parse_times(s: &str) -> Result<Vec<TimeRange>, String> {
    let mut out: Vec<TimeRange> = Vec::new();
    for part in s.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let Some((a, b)) = part.split_once('-') else {
            return Err(format!(
                "„{part}” is geen tijdvak; schrijf bijvoorbeeld 08:30-12:00"
            ));
        };
        let (Some(start), Some(end)) = (parse_hhmm(a), parse_hhmm(b)) else {
            return Err(format!(
                "„{part}” bevat geen geldige tijd (UU:MM, bijvoorbeeld 08:30-12:00)"
            ));
        };
        if start >= end {
            return Err(format!("in „{part}” ligt de eindtijd niet na de begintijd"));
        }
        if let Some(prev) = out.last()
            && start < prev.end
        {
            return Err(format!(
                "„{part}” overlapt met of ligt vóór het vorige tijdvak (zet de tijdvakken op volgorde)"
            ));
        }
        out.push(TimeRange::new(start, end));
    }
    Ok(out)
}

fn parse_date(field: &str, s: &str) -> Result<Date, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("vul „{field}” in"));
    }
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    // dd-mm-jjjj
    let parts: Vec<&str> = s.split('-').collect();
    if let [d, m, y] = parts[..]
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>())
        && let Ok(date) = Date::new(y, m, d)
    {
        return Ok(date);
    }
    Err(format!(
        "„{s}” bij „{field}” is geen datum (jjjj-mm-dd of dd-mm-jjjj)"
    ))
}

/// Group names in a natural order ("2" before "10").
fn natural(s: &str) -> (u32, String) {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u32::MAX), s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_parsed_with_dutch_messages() {
        let t = parse_times("08:30-12:00, 13:00-15:15").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(times_text(&t), "08:30-12:00, 13:00-15:15");
        assert!(parse_times("").unwrap().is_empty());
        assert!(
            parse_times("8.30-12")
                .unwrap_err()
                .contains("geen geldige tijd")
        );
        assert!(parse_times("12:00-08:00").unwrap_err().contains("eindtijd"));
        assert!(
            parse_times("08:00-12:00, 11:00-13:00")
                .unwrap_err()
                .contains("overlapt")
        );
    }
}
