//! Early warning (the card's motto "Vroegtijdig signaleren voorkomt erger!"): how close a pupil
//! is, as of a date, to each threshold of the card.

use jiff::civil::Date;
use serde::Serialize;

use crate::card::Unit;
use crate::model::{SignalAction, SignalKind};

/// What a progress figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressUnit {
    /// Unauthorized minutes in the current window (relatief verzuim).
    Minutes,
    /// Latenesses this school year.
    Latenesses,
    /// Sick reports in the current window.
    Reports,
    /// Days of a running absence or sick report, in the card's unit.
    Days(Unit),
}

/// A pupil's progress toward one threshold as of a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// The signal that arises at the threshold.
    pub kind: SignalKind,
    pub progress: u32,
    pub threshold: u32,
    pub unit: ProgressUnit,
    /// `progress / threshold`.
    pub fraction: f64,
    /// The first day that counts toward the threshold.
    pub since: Option<Date>,
    /// Relatief verzuim: lesweken left before the oldest counted absence leaves the window.
    pub lesweken_left: Option<u32>,
    /// Te laat: the stage reached at the threshold.
    pub stage: Option<String>,
    /// What happens at the threshold: the card's actions, with the pupil's age applied.
    pub actions: Vec<SignalAction>,
}
