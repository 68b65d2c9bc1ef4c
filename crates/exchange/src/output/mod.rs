//! The output of `verzuim evaluate`: JSON (the contract of formats.md) and a table for people.

use rayon::slice::ParallelSliceMut;

pub mod json;
pub mod table;

use verzuim_engine::card::Unit;
use verzuim_engine::model::Signal;
use verzuim_engine::progress::{Progress, ProgressUnit};

use crate::input::Input;

/// Signals in output order: by date, then pupil id (as text), then kind (as text).
pub(crate) fn sorted_signals<'a>(
    input: &'a Input,
    signals: &'a [(usize, Signal)],
) -> Vec<(&'a str, &'a (usize, Signal))> {
    let mut sorted: Vec<(&str, &(usize, Signal))> =
        signals.iter().map(|s| (pupil_id(input, s.0), s)).collect();
    sorted.par_sort_by(|(ida, a), (idb, b)| {
        (a.1.date, *ida, a.1.kind.as_str()).cmp(&(b.1.date, *idb, b.1.kind.as_str()))
    });
    sorted
}

/// Approaching entries in output order: by pupil id (as text), then kind (as text).
pub(crate) fn sorted_progress<'a>(
    input: &'a Input,
    entries: &'a [(usize, Progress)],
) -> Vec<(&'a str, &'a (usize, Progress))> {
    let mut sorted: Vec<(&str, &(usize, Progress))> =
        entries.iter().map(|p| (pupil_id(input, p.0), p)).collect();
    sorted.sort_by(|(ida, a), (idb, b)| (*ida, a.1.kind.as_str()).cmp(&(*idb, b.1.kind.as_str())));
    sorted
}

pub(crate) fn pupil_id(input: &Input, index: usize) -> &str {
    input
        .pupils
        .get(index)
        .map_or("", |p| p.record.pupil.id.as_str())
}

/// The stable id of a progress unit in the JSON output (documented in docs/formats-notes.md).
pub fn unit_id(unit: ProgressUnit) -> &'static str {
    match unit {
        ProgressUnit::Minutes => "minuten",
        ProgressUnit::Latenesses => "keer_te_laat",
        ProgressUnit::Reports => "ziekmeldingen",
        ProgressUnit::Days(Unit::LessonCalendarDays) => "dagen",
        ProgressUnit::Days(Unit::LessonDays) => "lesdagen",
        ProgressUnit::Days(Unit::Lesweken) => "lesweken",
        ProgressUnit::Days(Unit::CalendarMonths) => "kalendermaanden",
    }
}
