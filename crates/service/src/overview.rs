//! The numbers of the overview pages: for a school, the absence percentage per month (absent
//! lesson minutes / planned lesson minutes, from the registrations and the school's lesson
//! calendar) for the school and each group, split per code, and the number of signals per kind;
//! for a municipality, its meldingen per school, month and status.
//!
//! Everything is read with a handful of queries and counted in memory: the planned minutes per
//! pupil come from the engine's [`SchoolCalendar`] (closed periods and each group's own lesson
//! times), so the percentages agree with what the rules see.

use std::collections::BTreeMap;

use jiff::civil::Date;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::{date_of, day_number};
use verzuim_engine::model::{Code, SignalKind, Span};
use verzuim_store::{MeldingStatus, OrgKind, Role, Store};

use crate::caller::Caller;
use crate::error::{Result, ServiceError};

/// Roles that see a school's overview.
pub const OVERVIEW_ROLES: &[Role] = &[Role::Verzuimcoordinator, Role::Beheerder];

/// The absence codes that count as absence time (lateness is counted apart).
pub const ABSENCE_CODES: [Code; 6] = [
    Code::Ongeoorloofd,
    Code::Luxe,
    Code::Ziek,
    Code::Verlof,
    Code::Geoorloofd,
    Code::Schorsing,
];

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i16,
    pub month: i8,
}

impl Month {
    pub fn of(d: Date) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    fn index(self) -> i32 {
        i32::from(self.year) * 12 + i32::from(self.month) - 1
    }

    fn from_index(i: i32) -> Month {
        Month {
            year: i.div_euclid(12) as i16,
            month: (i.rem_euclid(12) + 1) as i8,
        }
    }
}

/// Planned and absent lesson minutes per month of one set of pupils (a school or a group).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Series {
    /// Planned lesson minutes per month (index into [`SchoolOverview::months`]).
    pub planned: Vec<u64>,
    /// Absent lesson minutes per month and code (index into [`ABSENCE_CODES`]).
    pub absent: Vec<[u64; 6]>,
    /// Late arrivals (`te_laat` registrations) per month.
    pub late: Vec<u64>,
    /// Pupils counted.
    pub pupils: usize,
}

impl Series {
    fn new(months: usize) -> Series {
        Series {
            planned: vec![0; months],
            absent: vec![[0; 6]; months],
            late: vec![0; months],
            pupils: 0,
        }
    }

    /// Absent minutes of a month, all codes.
    pub fn absent_total(&self, month: usize) -> u64 {
        self.absent[month].iter().sum()
    }

    /// The absence percentage of a month (`None` without planned lesson time).
    pub fn percentage(&self, month: usize) -> Option<f64> {
        let planned = self.planned[month];
        (planned > 0).then(|| self.absent_total(month) as f64 * 100.0 / planned as f64)
    }

    /// The percentage of one code in a month.
    pub fn code_percentage(&self, month: usize, code: usize) -> Option<f64> {
        let planned = self.planned[month];
        (planned > 0).then(|| self.absent[month][code] as f64 * 100.0 / planned as f64)
    }

    /// Over the whole period: planned, absent per code.
    pub fn totals(&self) -> (u64, [u64; 6]) {
        let mut per_code = [0u64; 6];
        for m in &self.absent {
            for (t, v) in per_code.iter_mut().zip(m) {
                *t += v;
            }
        }
        (self.planned.iter().sum(), per_code)
    }
}

/// A school's overview over a period.
#[derive(Debug, Clone)]
pub struct SchoolOverview {
    pub from: Date,
    pub until: Date,
    pub months: Vec<Month>,
    pub school: Series,
    pub groups: BTreeMap<String, Series>,
    /// Active signals dated in the period: per kind, per group.
    pub signals: BTreeMap<SignalKind, BTreeMap<String, u64>>,
}

/// The overview of school `school_id` over `from..=until` (its coordinator and beheerder only).
pub async fn school_overview(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    from: Date,
    until: Date,
) -> Result<SchoolOverview> {
    caller.require_school(
        school_id,
        OVERVIEW_ROLES,
        "het overzicht van de school bekijken",
    )?;
    if from > until {
        return Err(ServiceError::Invalid(
            "de begindatum ligt na de einddatum".into(),
        ));
    }
    let mut tx = store.connection().await?;
    let school_settings = tx
        .school_settings(school_id)
        .await?
        .map(|s| s.school)
        .unwrap_or_default();
    let pupils = tx.overview_pupils(school_id, from, until).await?;
    let registrations = tx.overview_registrations(school_id, from, until).await?;
    let signal_rows = tx.overview_signal_counts(school_id, from, until).await?;
    drop(tx);

    let first = Month::of(from).index();
    let n = (Month::of(until).index() - first + 1).max(0) as usize;
    let months: Vec<Month> = (0..n as i32)
        .map(|i| Month::from_index(first + i))
        .collect();
    let (d0, d1) = (day_number(from), day_number(until));
    // The month index of each day of the period.
    let month_of: Vec<usize> = (d0..=d1)
        .map(|d| (Month::of(date_of(d)).index() - first) as usize)
        .collect();
    let calendar = SchoolCalendar::new(&school_settings, from, until);

    let mut school = Series::new(n);
    let mut groups: BTreeMap<String, Series> = BTreeMap::new();
    // Planned minutes per day of each schedule, computed once per group.
    let mut per_day: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for p in &pupils {
        let days = per_day.entry(p.group.clone()).or_insert_with(|| {
            let cal = calendar.group(&p.group);
            (d0..=d1)
                .map(|d| u64::from(cal.lesson_minutes(d)))
                .collect()
        });
        let a = day_number(p.enrolled_from).max(d0);
        let b = p.enrolled_until.map_or(d1, |u| day_number(u).min(d1));
        let group = groups
            .entry(p.group.clone())
            .or_insert_with(|| Series::new(n));
        group.pupils += 1;
        school.pupils += 1;
        for d in a..=b {
            let i = (d - d0) as usize;
            let m = month_of[i];
            group.planned[m] += days[i];
            school.planned[m] += days[i];
        }
    }
    for r in &registrations {
        let reg = &r.registration;
        let group = groups
            .entry(r.group.clone())
            .or_insert_with(|| Series::new(n));
        if reg.code.is_lateness() {
            let d = day_number(reg.span.first_date());
            if (d0..=d1).contains(&d) {
                let m = month_of[(d - d0) as usize];
                group.late[m] += 1;
                school.late[m] += 1;
            }
            continue;
        }
        let Some(code) = ABSENCE_CODES.iter().position(|c| *c == reg.code) else {
            continue;
        };
        let cal = calendar.group(&r.group);
        let mut add = |d: i32, minutes: u64| {
            if minutes > 0 && (d0..=d1).contains(&d) {
                let m = month_of[(d - d0) as usize];
                group.absent[m][code] += minutes;
                school.absent[m][code] += minutes;
            }
        };
        match reg.span {
            Span::Days { from, until } => {
                for d in day_number(from).max(d0)..=day_number(until).min(d1) {
                    add(d, u64::from(cal.lesson_minutes(d)));
                }
            }
            Span::Times { date, from, until } => {
                let d = day_number(date);
                let part = verzuim_engine::model::TimeRange::new(from, until.unwrap_or(u16::MAX));
                let minutes: u32 = cal.lesson_times(d).iter().map(|t| t.overlap(&part)).sum();
                add(d, u64::from(minutes));
            }
        }
    }
    let mut signals: BTreeMap<SignalKind, BTreeMap<String, u64>> = BTreeMap::new();
    for (kind, group, count) in signal_rows {
        if let Some(kind) = SignalKind::parse(&kind) {
            *signals.entry(kind).or_default().entry(group).or_default() += count;
        }
    }
    Ok(SchoolOverview {
        from,
        until,
        months,
        school,
        groups,
        signals,
    })
}

/// A municipality's meldingen counted per school, month (of receipt) and status.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityOverview {
    /// `(school id, school name)`, by name.
    pub schools: Vec<(String, String)>,
    pub months: Vec<Month>,
    /// Per school id: meldingen per status.
    pub per_school: BTreeMap<String, BTreeMap<MeldingStatus, u64>>,
    /// Per month: meldingen per school id.
    pub per_month: BTreeMap<Month, BTreeMap<String, u64>>,
    pub per_status: BTreeMap<MeldingStatus, u64>,
    pub total: u64,
}

/// The overview of the caller's municipality (leerplichtambtenaar only).
pub async fn municipality_overview(store: &Store, caller: &Caller) -> Result<MunicipalityOverview> {
    caller.require_role(
        crate::caller::LEERPLICHT_ROLES,
        "het overzicht van de meldingen bekijken",
    )?;
    let mut tx = store.connection().await?;
    if tx.organisation_kind(&caller.organisation).await? != Some(OrgKind::Gemeente) {
        return Err(ServiceError::forbidden(
            "alleen een gemeente heeft meldingen",
        ));
    }
    let rows = tx.overview_meldingen(&caller.organisation).await?;
    let mut out = MunicipalityOverview::default();
    for m in &rows {
        let month = Month::of(crate::text::local_date(m.created_at));
        *out.per_school
            .entry(m.school_id.clone())
            .or_default()
            .entry(m.status)
            .or_default() += 1;
        *out.per_month
            .entry(month)
            .or_default()
            .entry(m.school_id.clone())
            .or_default() += 1;
        *out.per_status.entry(m.status).or_default() += 1;
        out.total += 1;
    }
    if let (Some(a), Some(b)) = (
        out.per_month.keys().next().copied(),
        out.per_month.keys().last().copied(),
    ) {
        out.months = (a.index()..=b.index()).map(Month::from_index).collect();
    }
    // The schools' names in one query (issue 13.3: the largest municipality has 200+ schools
    // with meldingen; a query each took most of the page's time).
    let ids: Vec<&str> = out.per_school.keys().map(String::as_str).collect();
    let names: BTreeMap<String, String> = tx.organisation_names(&ids).await?.into_iter().collect();
    for id in out.per_school.keys() {
        let name = names.get(id).cloned().unwrap_or_else(|| id.clone());
        out.schools.push((id.clone(), name));
    }
    out.schools.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// A school's stored settings (its coordinator and beheerder only); `None` before any were
/// stored.
pub async fn school_settings(
    store: &Store,
    caller: &Caller,
    school_id: &str,
) -> Result<Option<verzuim_store::SchoolSettings>> {
    caller.require_school(school_id, OVERVIEW_ROLES, "de schoolinstellingen bekijken")?;
    let mut tx = store.connection().await?;
    Ok(tx.school_settings(school_id).await?)
}

/// The number of pupils enrolled on `day` per group (its coordinator and beheerder only).
pub async fn pupils_per_group(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    day: Date,
) -> Result<BTreeMap<String, u64>> {
    caller.require_school(school_id, OVERVIEW_ROLES, "de groepen bekijken")?;
    let mut out = BTreeMap::new();
    for p in store.overview_pupils(school_id, day, day).await? {
        *out.entry(p.group).or_default() += 1;
    }
    Ok(out)
}

/// Each pupil's unauthorised absence over `from..=until` in lesson minutes (the codes the
/// school's card counts as unauthorised, `Card::unauthorized_codes`; lateness counted apart),
/// for the pupil list (issue 10.7; its coordinator and beheerder only). Pupils without such
/// absence are left out.
pub async fn unauthorised_minutes(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    from: Date,
    until: Date,
) -> Result<BTreeMap<String, u64>> {
    caller.require_school(school_id, OVERVIEW_ROLES, "de leerlingen bekijken")?;
    let mut tx = store.connection().await?;
    let Some(settings) = tx.school_settings(school_id).await? else {
        return Ok(BTreeMap::new());
    };
    let registrations = tx.overview_registrations(school_id, from, until).await?;
    drop(tx);
    let card = crate::cards::card(&settings.card_id)?;
    let calendar = SchoolCalendar::new(&settings.school, from, until);
    let (d0, d1) = (day_number(from), day_number(until));
    let mut out: BTreeMap<String, u64> = BTreeMap::new();
    for r in &registrations {
        let reg = &r.registration;
        if reg.code.is_lateness() || !card.unauthorized_codes.contains(&reg.code) {
            continue;
        }
        let cal = calendar.group(&r.group);
        let minutes: u64 = match reg.span {
            Span::Days { from, until } => (day_number(from).max(d0)..=day_number(until).min(d1))
                .map(|d| u64::from(cal.lesson_minutes(d)))
                .sum(),
            Span::Times { date, from, until } => {
                let d = day_number(date);
                if !(d0..=d1).contains(&d) {
                    continue;
                }
                let part = verzuim_engine::model::TimeRange::new(from, until.unwrap_or(u16::MAX));
                cal.lesson_times(d)
                    .iter()
                    .map(|t| u64::from(t.overlap(&part)))
                    .sum()
            }
        };
        if minutes > 0 {
            *out.entry(r.pupil_id.clone()).or_default() += minutes;
        }
    }
    Ok(out)
}
