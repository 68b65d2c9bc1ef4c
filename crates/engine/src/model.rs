//! The engine's input and output types: a school with its lesson times and closed periods, pupils
//! with their registrations and events, and the signals that evaluation produces.
//!
//! These types carry no knowledge of where the data came from (CSV, API, database): the exchange
//! and store crates build them, the engine only reads them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Minutes, the unit of absence time (docs/spec/rules.md §1: 16 hours = 960 minutes).
pub type Minutes = u32;

/// A time of day as minutes after midnight (0..=1440).
pub type TimeOfDay = u16;

/// A half-open interval of a day, `start..end`, in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

impl TimeRange {
    pub fn new(start: TimeOfDay, end: TimeOfDay) -> Self {
        Self { start, end }
    }

    pub fn minutes(&self) -> Minutes {
        Minutes::from(self.end.saturating_sub(self.start))
    }

    /// Minutes that this range shares with `other`.
    pub fn overlap(&self, other: &TimeRange) -> Minutes {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        Minutes::from(end.saturating_sub(start))
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// Registration codes (formats.md, registrations.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Ongeoorloofd,
    Luxe,
    Ziek,
    TeLaat,
    Verlof,
    Geoorloofd,
    Schorsing,
}

impl Code {
    pub const ALL: [Code; 7] = [
        Code::Ongeoorloofd,
        Code::Luxe,
        Code::Ziek,
        Code::TeLaat,
        Code::Verlof,
        Code::Geoorloofd,
        Code::Schorsing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Ongeoorloofd => "ongeoorloofd",
            Code::Luxe => "luxe",
            Code::Ziek => "ziek",
            Code::TeLaat => "te_laat",
            Code::Verlof => "verlof",
            Code::Geoorloofd => "geoorloofd",
            Code::Schorsing => "schorsing",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Dutch label for people.
    pub fn label(self) -> &'static str {
        match self {
            Code::Ongeoorloofd => "ongeoorloofd afwezig",
            Code::Luxe => "luxe verzuim",
            Code::Ziek => "ziek",
            Code::TeLaat => "te laat",
            Code::Verlof => "verlof",
            Code::Geoorloofd => "geoorloofd afwezig",
            Code::Schorsing => "schorsing",
        }
    }

    /// A lateness is an event, not absence time (docs/spec/rules.md §1).
    pub fn is_lateness(self) -> bool {
        self == Code::TeLaat
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Kind of a closed period (formats.md, school.toml `[[closed]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedKind {
    Vakantie,
    VrijeDag,
    Studiedag,
}

impl ClosedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedKind::Vakantie => "vakantie",
            ClosedKind::VrijeDag => "vrije_dag",
            ClosedKind::Studiedag => "studiedag",
        }
    }

    pub fn parse(s: &str) -> Option<ClosedKind> {
        [
            ClosedKind::Vakantie,
            ClosedKind::VrijeDag,
            ClosedKind::Studiedag,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A period without lesson time: vakantie, vrije dag or studiedag. Both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedPeriod {
    pub name: String,
    pub kind: ClosedKind,
    pub from: Date,
    pub until: Date,
}

/// Lesson time per weekday, Monday first. An empty list: no lessons that weekday.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekTimes(pub [Vec<TimeRange>; 7]);

/// A group's own lesson times: only the weekdays it names replace the school's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTimes(pub [Option<Vec<TimeRange>>; 7]);

/// A school as the engine needs it: its lesson times and closed periods.
///
/// `lesson_times` and `groups` are the times in force now; `earlier_times` holds the times that
/// applied before a change, each up to the day before its `until` (issue 10.2: a change of lesson
/// times applies from its date on, and past evidence keeps the minutes of the times that
/// applied then). Files of formats.md (`school.toml`) have no history: one set of times for every
/// day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: String,
    pub name: String,
    /// `noord`, `midden` or `zuid`: information only (docs/spec/rules.md §1).
    pub holiday_region: Option<String>,
    pub lesson_times: WeekTimes,
    pub groups: BTreeMap<String, GroupTimes>,
    pub closed: Vec<ClosedPeriod>,
    /// Earlier lesson times, oldest first, with strictly increasing `until`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_times: Vec<EarlierTimes>,
}

/// Lesson times that applied before a change: on every day before `until` (and on or after the
/// previous entry's `until`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierTimes {
    /// The first day on which these times no longer applied.
    pub until: Date,
    pub lesson_times: WeekTimes,
    #[serde(default)]
    pub groups: BTreeMap<String, GroupTimes>,
}

impl School {
    /// The weekly lesson times of `group` in force now: the group's own entries over the
    /// school's default.
    pub fn week_times(&self, group: &str) -> WeekTimes {
        merge_week(&self.lesson_times, self.groups.get(group))
    }

    /// The weekly lesson times of `group` that apply on `date`.
    pub fn week_times_on(&self, group: &str, date: Date) -> WeekTimes {
        match self.earlier_times.iter().find(|e| date < e.until) {
            Some(e) => merge_week(&e.lesson_times, e.groups.get(group)),
            None => self.week_times(group),
        }
    }

    /// The schedules of `group` over time: `(until, week)` for each earlier set of times, then
    /// `(None, week)` for the times in force now.
    pub fn week_times_history(&self, group: &str) -> Vec<(Option<Date>, WeekTimes)> {
        self.earlier_times
            .iter()
            .map(|e| {
                (
                    Some(e.until),
                    merge_week(&e.lesson_times, e.groups.get(group)),
                )
            })
            .chain(std::iter::once((None, self.week_times(group))))
            .collect()
    }

    /// Every group with its own times, now or earlier.
    pub fn group_names(&self) -> std::collections::BTreeSet<String> {
        self.groups
            .keys()
            .chain(self.earlier_times.iter().flat_map(|e| e.groups.keys()))
            .cloned()
            .collect()
    }

    /// Sets new lesson times that apply from `from` on (issue 10.2): the times in force on the
    /// day before `from` are kept for the days before it; times set earlier for days on or
    /// after `from` are replaced.
    pub fn set_times_from(
        &mut self,
        from: Date,
        lesson_times: WeekTimes,
        groups: BTreeMap<String, GroupTimes>,
    ) {
        let before = from.yesterday().ok();
        let in_force_before =
            before.map(
                |day| match self.earlier_times.iter().find(|e| day < e.until) {
                    Some(e) => (e.lesson_times.clone(), e.groups.clone()),
                    None => (self.lesson_times.clone(), self.groups.clone()),
                },
            );
        self.earlier_times.retain(|e| e.until < from);
        if let Some((old_times, old_groups)) = in_force_before
            && (old_times != lesson_times || old_groups != groups)
        {
            self.earlier_times.push(EarlierTimes {
                until: from,
                lesson_times: old_times,
                groups: old_groups,
            });
        }
        self.lesson_times = lesson_times;
        self.groups = groups;
    }
}

/// A group's own entries over a default week.
fn merge_week(default: &WeekTimes, own: Option<&GroupTimes>) -> WeekTimes {
    let mut week = default.clone();
    if let Some(own) = own {
        for (day, times) in own.0.iter().enumerate() {
            if let Some(times) = times {
                week.0[day] = times.clone();
            }
        }
    }
    week
}

/// A pupil's enrolment and the data the rules need (formats.md, pupils.csv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pupil {
    pub id: String,
    pub birth_date: Date,
    pub group: String,
    pub municipality: String,
    pub enrolled_from: Date,
    pub enrolled_until: Option<Date>,
    pub next_school: Option<String>,
}

/// When a registration applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Span {
    /// Whole lesson days, `from` up to and including `until`.
    Days { from: Date, until: Date },
    /// Part of one day: from `from` up to (not including) `until`, or up to the end of that
    /// day's lesson time when `until` is `None`.
    Times {
        date: Date,
        from: TimeOfDay,
        until: Option<TimeOfDay>,
    },
}

impl Span {
    pub fn first_date(&self) -> Date {
        match *self {
            Span::Days { from, .. } => from,
            Span::Times { date, .. } => date,
        }
    }

    pub fn last_date(&self) -> Date {
        match *self {
            Span::Days { until, .. } => until,
            Span::Times { date, .. } => date,
        }
    }
}

/// One registration of absence or lateness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub code: Code,
    pub span: Span,
    /// For `te_laat` only: minutes late.
    pub minutes_late: Option<Minutes>,
}

/// Events that a school records by hand (docs/spec/rules.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Verwijdering,
    ZorgZiekte,
    OverigVerzuim,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [
        EventKind::Verwijdering,
        EventKind::ZorgZiekte,
        EventKind::OverigVerzuim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Verwijdering => "verwijdering",
            EventKind::ZorgZiekte => "zorg_ziekte",
            EventKind::OverigVerzuim => "overig_verzuim",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Dutch label for people (the school records it; formats.md `events.csv`).
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Verwijdering => "Verwijdering door het bevoegd gezag",
            EventKind::ZorgZiekte => "Ziekte die reden tot zorg geeft",
            EventKind::OverigVerzuim => "Overig verzuim",
        }
    }
}

/// An event recorded by the school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub date: Date,
    pub note: Option<String>,
}

/// Everything the engine evaluates for one pupil.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PupilRecord {
    pub pupil: Pupil,
    pub registrations: Vec<Registration>,
    pub events: Vec<Event>,
}

/// The signal kinds of docs/spec/rules.md §2. Stable identifiers: they appear in JSON, the API and the
/// database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    AbsoluutVerzuim,
    RelatiefVerzuim,
    LangdurigRelatiefVerzuim,
    LuxeVerzuim,
    MogelijkLuxeVerzuim,
    TeLaat,
    Ziekmelding,
    ZiekLangerDan2Weken,
    Ziek3eMeldingIn3Maanden,
    ZorgZiekte,
    OverigVerzuim,
    Verwijdering,
}

impl SignalKind {
    pub const ALL: [SignalKind; 12] = [
        SignalKind::AbsoluutVerzuim,
        SignalKind::RelatiefVerzuim,
        SignalKind::LangdurigRelatiefVerzuim,
        SignalKind::LuxeVerzuim,
        SignalKind::MogelijkLuxeVerzuim,
        SignalKind::TeLaat,
        SignalKind::Ziekmelding,
        SignalKind::ZiekLangerDan2Weken,
        SignalKind::Ziek3eMeldingIn3Maanden,
        SignalKind::ZorgZiekte,
        SignalKind::OverigVerzuim,
        SignalKind::Verwijdering,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::AbsoluutVerzuim => "absoluut_verzuim",
            SignalKind::RelatiefVerzuim => "relatief_verzuim",
            SignalKind::LangdurigRelatiefVerzuim => "langdurig_relatief_verzuim",
            SignalKind::LuxeVerzuim => "luxe_verzuim",
            SignalKind::MogelijkLuxeVerzuim => "mogelijk_luxe_verzuim",
            SignalKind::TeLaat => "te_laat",
            SignalKind::Ziekmelding => "ziekmelding",
            SignalKind::ZiekLangerDan2Weken => "ziek_langer_dan_2_weken",
            SignalKind::Ziek3eMeldingIn3Maanden => "ziek_3e_melding_in_3_maanden",
            SignalKind::ZorgZiekte => "zorg_ziekte",
            SignalKind::OverigVerzuim => "overig_verzuim",
            SignalKind::Verwijdering => "verwijdering",
        }
    }

    pub fn parse(s: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The signals about a pupil's illness (the card's rows "Ziekmelding", "Ziek langer dan 2
    /// weken", "3e ziekmelding binnen 3 maanden" and "Ziekte die reden tot zorg geeft"): nothing
    /// stored with them may describe the illness (docs/spec/rules.md §8).
    pub fn concerns_illness(self) -> bool {
        matches!(
            self,
            SignalKind::Ziekmelding
                | SignalKind::ZiekLangerDan2Weken
                | SignalKind::Ziek3eMeldingIn3Maanden
                | SignalKind::ZorgZiekte
        )
    }

    /// Signals marked (L) in docs/spec/rules.md §2 only arise while the pupil is leerplichtig.
    pub fn requires_leerplicht(self) -> bool {
        matches!(
            self,
            SignalKind::AbsoluutVerzuim
                | SignalKind::RelatiefVerzuim
                | SignalKind::LangdurigRelatiefVerzuim
                | SignalKind::LuxeVerzuim
                | SignalKind::MogelijkLuxeVerzuim
                | SignalKind::TeLaat
        )
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parties of the card: its three columns (docs/spec/rules.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    School,
    Leerplicht,
    GgdJgz,
}

impl Party {
    pub const ALL: [Party; 3] = [Party::School, Party::Leerplicht, Party::GgdJgz];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::School => "school",
            Party::Leerplicht => "leerplicht",
            Party::GgdJgz => "ggd_jgz",
        }
    }

    pub fn parse(s: &str) -> Option<Party> {
        Party::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Dutch name for people.
    pub fn label(self) -> &'static str {
        match self {
            Party::School => "School",
            Party::Leerplicht => "Leerplicht",
            Party::GgdJgz => "GGD-JGZ",
        }
    }
}

/// A later event in a case that starts a conditional action (docs/spec/rules.md §7, §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The pupil did not come to GGD-JGZ and did not send word ("zonder tegenbericht").
    NietVerschenenZonderTegenbericht,
    /// The school judged that the pupil stayed away from GGD-JGZ without good reason.
    NietVerschenenZonderGoedeReden,
}

impl Trigger {
    pub const ALL: [Trigger; 2] = [
        Trigger::NietVerschenenZonderTegenbericht,
        Trigger::NietVerschenenZonderGoedeReden,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::NietVerschenenZonderTegenbericht => "niet_verschenen_zonder_tegenbericht",
            Trigger::NietVerschenenZonderGoedeReden => "niet_verschenen_zonder_goede_reden",
        }
    }

    pub fn parse(s: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Dutch description for people.
    pub fn label(self) -> &'static str {
        match self {
            Trigger::NietVerschenenZonderTegenbericht => {
                "als de leerling zonder tegenbericht niet verschijnt bij de GGD-JGZ"
            }
            Trigger::NietVerschenenZonderGoedeReden => {
                "als de leerling zonder goede reden niet verschijnt bij de GGD-JGZ"
            }
        }
    }
}

/// A first and last day, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// What made a signal (formats.md, `evidence`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Evidence {
    /// A registration, by its index in `PupilRecord::registrations`, with the minutes it
    /// contributed up to and including the signal's date (for a lateness: its minutes late).
    Registration { index: usize, minutes: Minutes },
    /// An event, by its index in `PupilRecord::events`.
    Event { index: usize },
    /// The pupil's deregistration without a next school.
    Deregistration { enrolled_until: Date },
}

/// One action of a party for a signal, with the pupil's age applied (docs/spec/rules.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalAction {
    pub party: Party,
    /// The card's text with the pupil's age applied; shared between signals.
    pub text: Arc<str>,
    /// This action is the melding to the leerplichtambtenaar of the home municipality.
    pub melding: bool,
    /// This action is the referral to GGD-JGZ.
    pub referral: bool,
    /// The last day for this action, where the card sets a deadline.
    pub due: Option<Date>,
    /// A conditional follow-up: only when this happens later in the case.
    pub trigger: Option<Trigger>,
}

/// A signal: a card row that applies to a pupil on a date, with its evidence and actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    pub kind: SignalKind,
    pub date: Date,
    /// The lateness count for `te_laat`, the report count for the sick-count kind.
    pub count: Option<u32>,
    /// For `te_laat`: the card's name of the stage (`5x`, `10x`, `meer_dan_10x`, `herhaling`).
    pub stage: Option<String>,
    pub minutes: Option<Minutes>,
    pub period: Option<Period>,
    pub evidence: Vec<Evidence>,
    pub pupil_participates: bool,
    /// The card's actions for this signal; signals with the same row, age and deadline share
    /// one list.
    pub actions: Arc<[SignalAction]>,
}
