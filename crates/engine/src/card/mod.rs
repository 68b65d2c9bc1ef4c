//! The card as data: a regional verzuimkaart with its rules, parameters and action texts.
//!
//! A card file (`cards/*.toml`) names, per signal kind of docs/spec/rules.md §2, the parameters of that
//! kind (thresholds, windows with their unit, stages, deadlines) and the card's actions per party
//! in the card's own Dutch. [`Card::from_toml`] reads and validates a card file and reports every
//! problem with its line; the built-in cards are embedded in the binary ([`builtin`]).
//!
//! The schema of a card file is documented in `docs/cards.md`.

mod parse;
mod render;
pub mod sentences;

use crate::model::{ClosedKind, Code, Party, SignalKind, Trigger};
use serde::Serialize;

pub use parse::CardError;
pub use render::*;

/// The built-in Twente PO card (`cards/twente-po.toml`).
pub const TWENTE_PO: &str = include_str!("../../../../cards/twente-po.toml");
/// The example card with other numbers from practice (`cards/voorbeeld-mazl.toml`).
pub const VOORBEELD_MAZL: &str = include_str!("../../../../cards/voorbeeld-mazl.toml");

/// The cards embedded in the binary, by id.
pub const BUILTIN: &[(&str, &str)] =
    &[("twente-po", TWENTE_PO), ("voorbeeld-mazl", VOORBEELD_MAZL)];

/// A built-in card by its id, parsed. The built-in cards are tested to parse.
pub fn builtin(id: &str) -> Option<Card> {
    BUILTIN
        .iter()
        .find(|(name, _)| *name == id)
        .map(|(_, text)| Card::from_toml(text).expect("built-in card is valid"))
}

/// A validated card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    /// Stable id, for example `twente-po`.
    pub id: String,
    /// The version of this card's text and parameters: 1, 2, … (a changed card is a new
    /// version, like a new version of a law; docs/cards.md).
    pub version: u32,
    /// The first day on which this version applies.
    pub valid_from: jiff::civil::Date,
    /// The card's title, for example "Regionale verzuimkaart Twente, primair onderwijs".
    pub name: String,
    pub motto: Option<String>,
    /// Codes whose absence time is unauthorized (ongeoorloofd), docs/spec/rules.md §1.
    pub unauthorized_codes: Vec<Code>,
    /// Whether a lateness counts as unauthorized absence time (docs/spec/rules.md §1; default false).
    pub late_counts_as_absence: bool,
    /// Leerplicht from the first lesson day of the month after the `start_age` birthday, until
    /// 31 July of the school year in which the pupil turns `end_age` (Lpw art. 3).
    pub leerplicht_start_age: u8,
    pub leerplicht_end_age: u8,
    /// How actions that include the pupil from an age are written on this card.
    pub pupil_phrase: Option<PupilPhrase>,
    pub rules: Rules,
}

/// "(en leerling vanaf 12 jaar)": from `from_age` the phrase reads as `replacement`, below it the
/// phrase is left out (docs/spec/rules.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PupilPhrase {
    pub text: String,
    pub from_age: u8,
    pub replacement: String,
}

/// The rules of a card, one per signal kind. A kind the card leaves out is not evaluated.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rules {
    pub absoluut_verzuim: Option<Row>,
    pub relatief_verzuim: Option<RelatiefRule>,
    pub langdurig_relatief_verzuim: Option<LangdurigRule>,
    pub luxe_verzuim: Option<Row>,
    pub mogelijk_luxe_verzuim: Option<MogelijkLuxeRule>,
    pub te_laat: Option<TeLaatRule>,
    pub ziekmelding: Option<Row>,
    pub ziek_langer_dan_2_weken: Option<ZiekDurationRule>,
    pub ziek_3e_melding_in_3_maanden: Option<ZiekCountRule>,
    pub zorg_ziekte: Option<Row>,
    pub overig_verzuim: Option<Row>,
    pub verwijdering: Option<Row>,
}

impl Rules {
    /// Every row of the card, the lateness stages included.
    pub fn all_rows(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = SignalKind::ALL
            .iter()
            .filter_map(|k| self.row(*k))
            .collect();
        if let Some(te_laat) = &self.te_laat {
            rows.extend(te_laat.stages.iter().map(|s| &s.row));
        }
        rows
    }

    /// The card row of a signal kind, if the card has that kind.
    pub fn row(&self, kind: SignalKind) -> Option<&Row> {
        match kind {
            SignalKind::AbsoluutVerzuim => self.absoluut_verzuim.as_ref(),
            SignalKind::RelatiefVerzuim => self.relatief_verzuim.as_ref().map(|r| &r.row),
            SignalKind::LangdurigRelatiefVerzuim => {
                self.langdurig_relatief_verzuim.as_ref().map(|r| &r.row)
            }
            SignalKind::LuxeVerzuim => self.luxe_verzuim.as_ref(),
            SignalKind::MogelijkLuxeVerzuim => self.mogelijk_luxe_verzuim.as_ref().map(|r| &r.row),
            SignalKind::TeLaat => self.te_laat.as_ref().map(|r| &r.row),
            SignalKind::Ziekmelding => self.ziekmelding.as_ref(),
            SignalKind::ZiekLangerDan2Weken => {
                self.ziek_langer_dan_2_weken.as_ref().map(|r| &r.row)
            }
            SignalKind::Ziek3eMeldingIn3Maanden => {
                self.ziek_3e_melding_in_3_maanden.as_ref().map(|r| &r.row)
            }
            SignalKind::ZorgZiekte => self.zorg_ziekte.as_ref(),
            SignalKind::OverigVerzuim => self.overig_verzuim.as_ref(),
            SignalKind::Verwijdering => self.verwijdering.as_ref(),
        }
    }
}

/// A row of the card: its name and description as the card writes them, and the actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The card's row ("Relatief verzuim", "Ziekte: > 2 weken").
    pub title: String,
    /// The card's "Omschrijving" of the row.
    pub description: String,
    /// The actions per party, in the card's order: the school's first.
    pub actions: Vec<CardAction>,
}

/// One action of one party, in the card's Dutch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardAction {
    pub party: Party,
    /// The card's words, white space normalised.
    pub text: String,
    /// This action is the melding to the leerplichtambtenaar of the home municipality.
    pub melding: bool,
    /// Deadline in working days (Monday–Friday) after the signal's date, the date not counted.
    pub within_working_days: Option<u32>,
    /// This action is the referral to GGD-JGZ (the card's "digitaal aanmeldingsformulier").
    pub referral: bool,
    /// The action is only offered from this age ("eventueel verwijzing HALT vanaf 12 jaar").
    pub only_from_age: Option<u8>,
    /// A conditional follow-up, started by a later event in the case.
    pub trigger: Option<Trigger>,
}

/// A window or duration with its unit (docs/spec/rules.md §9: every window names its unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Duration {
    pub count: u32,
    pub unit: Unit,
}

/// Units of time in a card file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Days of the lesson calendar: the real calendar with the lesweek-free weeks cut out.
    LessonCalendarDays,
    /// Lesson days in the pupil's schedule.
    LessonDays,
    /// Lesweken: ISO weeks with at least one lesson day.
    Lesweken,
    /// Calendar months (the same day number, or the month's last day when it is shorter).
    CalendarMonths,
}

impl Unit {
    pub const ALL: [Unit; 4] = [
        Unit::LessonCalendarDays,
        Unit::LessonDays,
        Unit::Lesweken,
        Unit::CalendarMonths,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::LessonCalendarDays => "lesson_calendar_days",
            Unit::LessonDays => "lesson_days",
            Unit::Lesweken => "lesweken",
            Unit::CalendarMonths => "calendar_months",
        }
    }

    pub fn parse(s: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.as_str() == s)
    }

    /// Dutch label for people (plural).
    pub fn label(self) -> &'static str {
        match self {
            Unit::LessonCalendarDays => "dagen (lesrooster, zonder vakantieweken)",
            Unit::LessonDays => "lesdagen",
            Unit::Lesweken => "lesweken",
            Unit::CalendarMonths => "kalendermaanden",
        }
    }
}

/// Relatief verzuim: `threshold_minutes` of unauthorized absence within a window of
/// `window_lesweken` consecutive lesweken (Lpw art. 21a; card row "Relatief verzuim").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatiefRule {
    pub row: Row,
    pub threshold_minutes: u32,
    pub window_lesweken: u32,
    /// DUO: a new count starts after every report.
    pub restart_after_signal: bool,
}

/// Langdurig relatief verzuim: complete unauthorized absence for `span` (card row
/// "Langdurig relatief verzuim (thuiszitter)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LangdurigRule {
    pub row: Row,
    /// Units: `lesson_calendar_days` or `lesson_days`.
    pub span: Duration,
}

/// Possible luxe verzuim: absence with one of `codes` on the last lesson day before or the first
/// lesson day after a closed period of one of the kinds `around`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MogelijkLuxeRule {
    pub row: Row,
    pub around: Vec<ClosedKind>,
    pub codes: Vec<Code>,
}

/// One stage of the lateness rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateStage {
    /// The lateness count at which the stage is reached.
    pub at: u32,
    /// Stable name (`5x`, `10x`, `meer_dan_10x`, `herhaling`).
    pub name: String,
    pub row: Row,
}

/// Te laat komen: stages by count per school year, then every `repeat_every` after the last
/// stage, with the last stage's actions (card "* Te laat komen").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeLaatRule {
    /// The rule as a whole (title and description); the actions are per stage.
    pub row: Row,
    pub stages: Vec<LateStage>,
    pub repeat_every: Option<u32>,
}

impl TeLaatRule {
    /// The stage reached at lateness number `count`, if any.
    pub fn stage_at(&self, count: u32) -> Option<&LateStage> {
        if let Some(stage) = self.stages.iter().find(|s| s.at == count) {
            return Some(stage);
        }
        let last = self.stages.last()?;
        let every = self.repeat_every?;
        (count > last.at && every > 0 && (count - last.at).is_multiple_of(every)).then_some(last)
    }

    /// The first count after `count` at which a stage is reached.
    pub fn next_stage_after(&self, count: u32) -> Option<(u32, &LateStage)> {
        if let Some(stage) = self.stages.iter().find(|s| s.at > count) {
            return Some((stage.at, stage));
        }
        let last = self.stages.last()?;
        let every = self.repeat_every.filter(|e| *e > 0)?;
        let steps = (count - last.at) / every + 1;
        Some((last.at + steps * every, last))
    }
}

/// Ziek, duration: the first lesson day of a sick report that lies `after` or more after its
/// first day (card row "Ziekte: > 2 weken"). Units: `lesson_calendar_days` or `lesson_days`
/// (M@ZL: the 7th consecutive lesson day is `after = 6 lesson_days`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZiekDurationRule {
    pub row: Row,
    pub after: Duration,
}

/// Ziek, count: the `reports`-th sick report starting within `within` (card row "3e ziekmelding
/// in 3 maanden"). Units: `calendar_months` ([S − n months, S)) or `lesweken` (the report's
/// lesweek and the n − 1 before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZiekCountRule {
    pub row: Row,
    pub reports: u32,
    pub within: Duration,
    pub restart_after_signal: bool,
}
