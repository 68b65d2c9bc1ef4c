//! Leerplicht's regional pages (issue 11): the prikactie around a school holiday and the
//! municipality's year in figures.
//!
//! **Prikactie** — kaart Twente PO, row "Luxe verzuim", column Leerplicht: "Luxe
//! verzuimacties; prikacties rondom schoolvakanties ter controle luxeverzuim" (Leerplichtwet
//! 1969 art. 13a and 16). For each holiday of the school year (the `vakantie` periods of the
//! calendars of the schools where pupils living in the municipality are enrolled), per school:
//! how many of those pupils were absent `ongeoorloofd` or `luxe` on the last lesson day before
//! and on the first lesson day after the holiday (each pupil by its group's own lesson days), and
//! how many `mogelijk_luxe_verzuim` signals fell on those days. The municipality sees pupils
//! without a melding to it only as counts, and counts from 1 to [`SMALL_NUMBER`]` - 1` as "fewer
//! than 5" ([`SmallCount`]), so a count cannot single out a pupil. Per pupil it sees only
//! those with a melding to it ([`crate::visibility::rules::prikactie_pupil`]).
//!
//! **Year in figures** — the annual leerplicht report (Leerplichtwet 1969 art. 25: burgemeester
//! en wethouders report yearly on the enforcement of the law): per school year (1 August – 31
//! July) the meldingen received per kind, how meldingen ended (closing reasons), leerplicht's
//! actions (gesprekken, waarschuwingsbrieven, officiële waarschuwingen, HALT-verwijzingen,
//! processen-verbaal) and the thuiszitters — pupils with an open melding of langdurig relatief
//! verzuim or absoluut verzuim — on the first and the last day of the year; per school and in
//! total. These are the municipality's own meldingen and actions (it sees each of them already),
//! so they are exact; docs/workflow.md says to round small numbers before publishing.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::{date_of, day_number, school_year_end, school_year_start};
use verzuim_engine::model::{ClosedKind, Code, SignalKind, Span, TimeRange};
use verzuim_store::{MeldingStatus, OrgKind, Store, Tx};

use crate::caller::{Caller, LEERPLICHT_ROLES};
use crate::error::{Result, ServiceError};
use crate::text::local_date;
use crate::visibility::rules::{self, Sight};

/// Counts below this (and above 0) are shown as "fewer than 5".
pub const SMALL_NUMBER: u64 = 5;

/// A count that may be suppressed: `value` is `None` when the count lies between 1 and
/// [`SMALL_NUMBER`]` - 1`; then `fewer_than` is [`SMALL_NUMBER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SmallCount {
    pub value: Option<u64>,
    pub fewer_than: Option<u64>,
}

impl SmallCount {
    pub fn of(n: u64) -> SmallCount {
        if n > 0 && n < SMALL_NUMBER {
            SmallCount {
                value: None,
                fewer_than: Some(SMALL_NUMBER),
            }
        } else {
            SmallCount {
                value: Some(n),
                fewer_than: None,
            }
        }
    }

    /// Dutch, for a page: `12`, `0` or `minder dan 5`.
    pub fn label(&self) -> String {
        match (self.value, self.fewer_than) {
            (Some(v), _) => v.to_string(),
            (None, Some(f)) => format!("minder dan {f}"),
            (None, None) => "–".into(),
        }
    }
}

/// A holiday of the school year: its name and the earliest start and latest end among the
/// schools' calendars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub name: String,
    pub from: Date,
    pub until: Date,
}

/// One school around one holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrikactieSchool {
    pub school_id: String,
    pub school_name: String,
    /// Pupils living in the municipality enrolled at the school around the holiday.
    pub pupils: u64,
    /// The school's own holiday of that name (`None`: its calendar has none).
    pub holiday_from: Option<Date>,
    pub holiday_until: Option<Date>,
    /// By the school's default lesson times (a group with its own times may differ; each pupil
    /// is counted by its group's days).
    pub last_day_before: Option<Date>,
    pub first_day_after: Option<Date>,
    pub absent_before: SmallCount,
    pub absent_after: SmallCount,
    pub possible_luxe: SmallCount,
}

/// A pupil with a melding to the municipality, absent around the holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrikactiePupil {
    pub school_id: String,
    pub school_name: String,
    pub pupil_id: String,
    pub name: Option<String>,
    /// `ongeoorloofd` or `luxe` on the last lesson day before (luxe when both).
    pub before: Option<Code>,
    pub before_date: Option<Date>,
    pub after: Option<Code>,
    pub after_date: Option<Date>,
    pub possible_luxe: u64,
}

/// The prikactie page of one holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prikactie {
    /// The school year's first calendar year (2026: 2026-2027).
    pub year: i16,
    pub holidays: Vec<Holiday>,
    pub holiday: Option<Holiday>,
    pub schools: Vec<PrikactieSchool>,
    pub pupils: Vec<PrikactiePupil>,
    pub total_before: SmallCount,
    pub total_after: SmallCount,
    pub total_possible_luxe: SmallCount,
}

/// The school year starting in `year`: 1 August `year` – 31 July `year + 1`.
pub fn school_year(year: i16) -> Result<(Date, Date)> {
    let from = Date::new(year, 8, 1)
        .map_err(|_| ServiceError::Invalid(format!("schooljaar {year} bestaat niet")))?;
    Ok((from, school_year_end(from)))
}

/// The school year (its first calendar year) that `day` lies in.
pub fn year_of(day: Date) -> i16 {
    school_year_start(day).year()
}

/// The municipality the caller (a leerplichtambtenaar) acts for: `(code, name)`.
async fn municipality(tx: &mut Tx, caller: &Caller, what: &str) -> Result<(String, String)> {
    caller.require_role(LEERPLICHT_ROLES, what)?;
    match tx.organisation(&caller.organisation).await? {
        Some(o) if o.kind == OrgKind::Gemeente => Ok((o.id, o.name)),
        _ => Err(ServiceError::forbidden(
            "alleen een gemeente heeft deze pagina",
        )),
    }
}

/// Whether the registration makes the pupil absent `ongeoorloofd` or `luxe` on lesson day
/// `day` of its group's calendar `cal`.
fn absent_on(
    cal: &verzuim_engine::calendar::GroupCalendar,
    code: Code,
    span: &Span,
    day: Date,
) -> bool {
    if !matches!(code, Code::Ongeoorloofd | Code::Luxe) {
        return false;
    }
    let d = day_number(day);
    match *span {
        Span::Days { from, until } => from <= day && day <= until && cal.lesson_minutes(d) > 0,
        Span::Times { date, from, until } => {
            date == day && {
                let part = TimeRange::new(from, until.unwrap_or(u16::MAX));
                cal.lesson_times(d).iter().any(|t| t.overlap(&part) > 0)
            }
        }
    }
}

/// The prikactie page of the caller's municipality for school year `year` and the holiday named
/// `holiday` (default: the last holiday that began on or before `today`, else the first).
pub async fn prikactie(
    store: &Store,
    caller: &Caller,
    year: i16,
    holiday: Option<&str>,
    today: Date,
) -> Result<Prikactie> {
    let (year_from, year_until) = school_year(year)?;
    let mut tx = store.connection().await?;
    let (code, name) = municipality(&mut tx, caller, "de prikactie bekijken").await?;
    let residents = tx.resident_pupils(&code, &name).await?;
    let with_melding: BTreeSet<(String, String)> =
        tx.pupils_with_melding(&code).await?.into_iter().collect();
    let mut by_school: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for p in residents {
        let enrolled =
            p.enrolled_from <= year_until && p.enrolled_until.is_none_or(|u| u >= year_from);
        if enrolled {
            by_school.entry(p.school_id.clone()).or_default().push(p);
        }
    }
    // Each school's calendar and holidays in the year.
    let mut schools = Vec::new();
    let mut holidays: BTreeMap<String, (Date, Date)> = BTreeMap::new();
    for (school_id, pupils) in by_school {
        let Some(settings) = tx.school_settings(&school_id).await? else {
            continue;
        };
        let school_name = tx
            .organisation(&school_id)
            .await?
            .map_or_else(|| school_id.clone(), |o| o.name);
        for p in &settings.school.closed {
            if p.kind == ClosedKind::Vakantie && p.from >= year_from && p.from <= year_until {
                let e = holidays.entry(p.name.clone()).or_insert((p.from, p.until));
                e.0 = e.0.min(p.from);
                e.1 = e.1.max(p.until);
            }
        }
        schools.push((school_id, school_name, settings, pupils));
    }
    let mut list: Vec<Holiday> = holidays
        .into_iter()
        .map(|(name, (from, until))| Holiday { name, from, until })
        .collect();
    list.sort_by_key(|h| (h.from, h.until));
    let chosen = match holiday {
        Some(n) => Some(list.iter().find(|h| h.name == n).cloned().ok_or_else(|| {
            ServiceError::Invalid(format!(
                "vakantie: \"{n}\" is geen vakantie van schooljaar {year}-{}",
                year + 1
            ))
        })?),
        None => list
            .iter()
            .rev()
            .find(|h| h.from <= today)
            .or(list.first())
            .cloned(),
    };
    let mut out = Prikactie {
        year,
        holidays: list,
        holiday: chosen.clone(),
        schools: Vec::new(),
        pupils: Vec::new(),
        total_before: SmallCount::of(0),
        total_after: SmallCount::of(0),
        total_possible_luxe: SmallCount::of(0),
    };
    let Some(chosen) = chosen else {
        return Ok(out);
    };
    let (mut total_before, mut total_after, mut total_luxe) = (0u64, 0u64, 0u64);
    for (school_id, school_name, settings, pupils) in schools {
        let own = settings.school.closed.iter().find(|p| {
            p.kind == ClosedKind::Vakantie
                && p.name == chosen.name
                && p.from >= year_from
                && p.from <= year_until
        });
        let mut row = PrikactieSchool {
            school_id: school_id.clone(),
            school_name: school_name.clone(),
            pupils: 0,
            holiday_from: own.map(|p| p.from),
            holiday_until: own.map(|p| p.until),
            last_day_before: None,
            first_day_after: None,
            absent_before: SmallCount::of(0),
            absent_after: SmallCount::of(0),
            possible_luxe: SmallCount::of(0),
        };
        let Some(own) = own else {
            row.pupils = pupils.len() as u64;
            out.schools.push(row);
            continue;
        };
        let calendar = SchoolCalendar::new(&settings.school, own.from, own.until);
        let edges = |group: &str| {
            let cal = calendar.group(group);
            (
                cal.lesson_day_before(day_number(own.from)).map(date_of),
                cal.lesson_day_after(day_number(own.until)).map(date_of),
            )
        };
        let (school_before, school_after) = edges("");
        row.last_day_before = school_before;
        row.first_day_after = school_after;
        let window_from = own.from.saturating_sub(jiff::Span::new().days(21));
        let window_until = own.until.saturating_add(jiff::Span::new().days(21));
        let registrations = tx
            .overview_registrations(&school_id, window_from, window_until)
            .await?;
        let signals = tx
            .signal_dates(
                &school_id,
                SignalKind::MogelijkLuxeVerzuim.as_str(),
                window_from,
                window_until,
            )
            .await?;
        let (mut before_n, mut after_n, mut luxe_n) = (0u64, 0u64, 0u64);
        for p in &pupils {
            let (before, after) = edges(&p.group);
            let enrolled_on =
                |d: Date| p.enrolled_from <= d && p.enrolled_until.is_none_or(|u| u >= d);
            if !before.is_some_and(enrolled_on) && !after.is_some_and(enrolled_on) {
                continue;
            }
            row.pupils += 1;
            let cal = calendar.group(&p.group);
            let code_on = |day: Option<Date>| -> Option<Code> {
                let day = day.filter(|d| enrolled_on(*d))?;
                let codes: Vec<Code> = registrations
                    .iter()
                    .filter(|r| r.pupil_id == p.pupil_id)
                    .filter(|r| absent_on(cal, r.registration.code, &r.registration.span, day))
                    .map(|r| r.registration.code)
                    .collect();
                if codes.contains(&Code::Luxe) {
                    Some(Code::Luxe)
                } else {
                    codes.first().copied()
                }
            };
            let b = code_on(before);
            let a = code_on(after);
            let luxe = signals
                .iter()
                .filter(|(id, d)| *id == p.pupil_id && (Some(*d) == before || Some(*d) == after))
                .count() as u64;
            before_n += u64::from(b.is_some());
            after_n += u64::from(a.is_some());
            luxe_n += luxe;
            let has_melding = with_melding.contains(&(school_id.clone(), p.pupil_id.clone()));
            let sight = Sight::new(verzuim_store::Scope::Municipality(&code), &[]);
            if (b.is_some() || a.is_some() || luxe > 0)
                && rules::prikactie_pupil(&sight, has_melding)
            {
                out.pupils.push(PrikactiePupil {
                    school_id: school_id.clone(),
                    school_name: school_name.clone(),
                    pupil_id: p.pupil_id.clone(),
                    name: p.name.clone(),
                    before: b,
                    before_date: before,
                    after: a,
                    after_date: after,
                    possible_luxe: luxe,
                });
            }
        }
        row.absent_before = SmallCount::of(before_n);
        row.absent_after = SmallCount::of(after_n);
        row.possible_luxe = SmallCount::of(luxe_n);
        total_before += before_n;
        total_after += after_n;
        total_luxe += luxe_n;
        out.schools.push(row);
    }
    out.schools
        .sort_by(|a, b| a.school_name.cmp(&b.school_name));
    out.pupils
        .sort_by(|a, b| (&a.school_name, &a.pupil_id).cmp(&(&b.school_name, &b.pupil_id)));
    out.total_before = SmallCount::of(total_before);
    out.total_after = SmallCount::of(total_after);
    out.total_possible_luxe = SmallCount::of(total_luxe);
    Ok(out)
}

/// Thuiszitters on one day: distinct pupils with an open melding of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Thuiszitters {
    pub langdurig_relatief_verzuim: u64,
    pub absoluut_verzuim: u64,
}

impl Thuiszitters {
    pub fn total(&self) -> u64 {
        self.langdurig_relatief_verzuim + self.absoluut_verzuim
    }
}

/// The figures of one school, or of the whole municipality.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Meldingen received in the year, per kind of verzuim (the signal kind).
    pub meldingen: BTreeMap<String, u64>,
    pub meldingen_total: u64,
    /// Meldingen that reached a final status in the year: `afgesloten:<closing reason>`,
    /// `ter_kennisgeving_aangenomen`, `ingetrokken`.
    pub outcomes: BTreeMap<String, u64>,
    /// Leerplicht's actions dated in the year, per kind (`gesprek`, `waarschuwingsbrief`,
    /// `officiele_waarschuwing`, `halt`, `proces_verbaal`, …).
    pub actions: BTreeMap<String, u64>,
    pub thuiszitters_start: Thuiszitters,
    pub thuiszitters_end: Thuiszitters,
}

impl Figures {
    /// The number of actions of `kind`.
    pub fn action(&self, kind: &str) -> u64 {
        self.actions.get(kind).copied().unwrap_or(0)
    }
}

/// A municipality's year in figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearFigures {
    pub year: i16,
    pub from: Date,
    pub until: Date,
    /// `(school id, name)` of every school with a figure, by name.
    pub schools: Vec<(String, String)>,
    pub per_school: BTreeMap<String, Figures>,
    pub total: Figures,
}

/// The caller's municipality's figures of school year `year` (leerplichtambtenaar only).
pub async fn year_figures(store: &Store, caller: &Caller, year: i16) -> Result<YearFigures> {
    let (from, until) = school_year(year)?;
    let mut tx = store.connection().await?;
    let (code, _) = municipality(&mut tx, caller, "de jaarcijfers bekijken").await?;
    let meldingen = tx.year_meldingen(&code).await?;
    let actions = tx.year_actions(&code, from, until).await?;
    let mut per_school: BTreeMap<String, Figures> = BTreeMap::new();
    let mut total = Figures::default();
    for m in &meldingen {
        let made = local_date(m.created_at);
        let ended = m.final_at.map(local_date);
        if (from..=until).contains(&made) {
            for f in [
                per_school.entry(m.school_id.clone()).or_default(),
                &mut total,
            ] {
                *f.meldingen.entry(m.verzuim_kind.clone()).or_default() += 1;
                f.meldingen_total += 1;
            }
        }
        if let Some(end) = ended
            && (from..=until).contains(&end)
        {
            let outcome = match m.status {
                MeldingStatus::Afgesloten => format!(
                    "afgesloten:{}",
                    m.status_reason.as_deref().unwrap_or("overig")
                ),
                other => other.as_str().to_owned(),
            };
            for f in [
                per_school.entry(m.school_id.clone()).or_default(),
                &mut total,
            ] {
                *f.outcomes.entry(outcome.clone()).or_default() += 1;
            }
        }
    }
    for a in &actions {
        for f in [
            per_school.entry(a.school_id.clone()).or_default(),
            &mut total,
        ] {
            *f.actions.entry(a.kind.clone()).or_default() += 1;
        }
    }
    // Thuiszitters: distinct pupils with an open langdurig or absoluut melding on the day.
    for (day, start) in [(from, true), (until, false)] {
        let mut seen: BTreeSet<(Option<String>, &str, i64)> = BTreeSet::new();
        for m in &meldingen {
            let open = local_date(m.created_at) <= day
                && m.final_at.map(local_date).is_none_or(|e| e > day);
            let kind = m.verzuim_kind.as_str();
            if !open || !matches!(kind, "langdurig_relatief_verzuim" | "absoluut_verzuim") {
                continue;
            }
            for school in [Some(m.school_id.clone()), None] {
                if !seen.insert((school.clone(), kind, m.pupil)) {
                    continue;
                }
                let f = match &school {
                    Some(s) => per_school.entry(s.clone()).or_default(),
                    None => &mut total,
                };
                let t = if start {
                    &mut f.thuiszitters_start
                } else {
                    &mut f.thuiszitters_end
                };
                if kind == "absoluut_verzuim" {
                    t.absoluut_verzuim += 1;
                } else {
                    t.langdurig_relatief_verzuim += 1;
                }
            }
        }
    }
    per_school.retain(|_, f| *f != Figures::default());
    let mut schools = Vec::new();
    for id in per_school.keys() {
        let name = tx
            .organisation(id)
            .await?
            .map_or_else(|| id.clone(), |o| o.name);
        schools.push((id.clone(), name));
    }
    schools.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(YearFigures {
        year,
        from,
        until,
        schools,
        per_school,
        total,
    })
}
