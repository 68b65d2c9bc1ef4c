//! The output of `verzuim evaluate`: JSON (the contract of formats.md) and a table for people.

use jiff::civil::Date;
use rayon::prelude::*;

pub mod json;
pub mod table;

use verzuim_engine::calendar::day_number;
use verzuim_engine::card::Unit;
use verzuim_engine::model::{Signal, SignalKind};
use verzuim_engine::progress::{Progress, ProgressUnit};

use crate::input::Input;

/// Signals in output order: by date, then pupil id (as text), then kind (as text); signals
/// equal in all three keep their order. Sorted by one number per signal (the date, the pupil's
/// rank by id and the kind's rank by name), so that a region's millions of signals sort without
/// comparing texts.
pub(crate) fn sorted_signals<'a>(
    input: &'a Input,
    signals: &'a [(usize, Signal)],
) -> Vec<(&'a str, &'a (usize, Signal))> {
    signal_order(input, signals.len(), |i| {
        let (pupil, s) = &signals[i];
        (*pupil, s.date, s.kind)
    })
    .into_iter()
    .map(|i| {
        let s = &signals[i as usize];
        (pupil_id(input, s.0), s)
    })
    .collect()
}

/// The indices `0..count` of signals in output order (see [`sorted_signals`]); `key(i)`: signal
/// `i`'s pupil index, date and kind.
pub(crate) fn signal_order(
    input: &Input,
    count: usize,
    key: impl Fn(usize) -> (usize, Date, SignalKind) + Sync,
) -> Vec<u32> {
    let mut by_id: Vec<u32> = (0..input.pupils.len() as u32).collect();
    by_id.par_sort_by(|&a, &b| pupil_id(input, a as usize).cmp(pupil_id(input, b as usize)));
    let mut rank = vec![0u32; input.pupils.len()];
    for (r, &p) in by_id.iter().enumerate() {
        rank[p as usize] = r as u32;
    }
    drop(by_id);
    let mut kinds = SignalKind::ALL;
    kinds.sort_by_key(|k| k.as_str());
    let kind_rank = |kind: SignalKind| kinds.iter().position(|k| *k == kind).unwrap_or(0) as u64;
    let mut keys: Vec<(u64, u32)> = (0..count)
        .into_par_iter()
        .map(|i| {
            let (pupil, date, kind) = key(i);
            let day = (i64::from(day_number(date)) + (1 << 23)) as u64 & 0xFF_FFFF;
            let pupil = u64::from(rank.get(pupil).copied().unwrap_or(u32::MAX));
            ((day << 40) | (pupil << 8) | kind_rank(kind), i as u32)
        })
        .collect();
    // Stable: signals equal in all three keep their order.
    keys.par_sort_by_key(|&(key, _)| key);
    keys.into_iter().map(|(_, i)| i).collect()
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
