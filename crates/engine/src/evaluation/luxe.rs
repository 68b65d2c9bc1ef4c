//! Luxe verzuim and possible luxe verzuim around holidays.
//!
//! Card row "Luxe verzuim" ("Vrije uren/dagen zonder toestemming van directeur of
//! leerplichtambtenaar"); Leerplichtwet 1969 art. 13a (vakantieverlof only with permission) and
//! art. 21a; rules.md §2. `luxe_verzuim` arises on the first day of each run of consecutive
//! lesson days with `luxe` absence time.
//!
//! `mogelijk_luxe_verzuim` follows the card's "prikacties rondom schoolvakanties ter controle
//! luxeverzuim": unauthorized absence on the last lesson day before or the first lesson day after
//! a vakantie is a suspicion for the school to check with the parents, not a melding.

use std::collections::BTreeSet;

use crate::calendar::{DayNumber, day_number};
use crate::card::{MogelijkLuxeRule, Row};
use crate::model::{Code, Signal, SignalKind};

use super::{Piece, PupilContext, evidence_of, period};

pub(super) fn evaluate_luxe(ctx: &PupilContext, row: &Row, out: &mut Vec<Signal>) {
    let pieces: Vec<&Piece> = ctx
        .leerplicht_pieces()
        .filter(|p| p.code == Code::Luxe)
        .collect();
    let mut last_day: Option<DayNumber> = None;
    let mut i = 0;
    while i < pieces.len() {
        let day = pieces[i].day;
        let start = i;
        while i < pieces.len() && pieces[i].day == day {
            i += 1;
        }
        let continues =
            last_day.is_some_and(|l| ctx.cal.lesson_ord(day) == ctx.cal.lesson_ord(l) + 1);
        last_day = Some(day);
        if continues {
            continue;
        }
        let (evidence, minutes) = evidence_of(ctx.record, pieces[start..i].iter().copied());
        let mut signal = ctx.signal(SignalKind::LuxeVerzuim, row, day);
        signal.minutes = Some(minutes);
        signal.period = period(day, day);
        signal.evidence = evidence;
        out.push(signal);
    }
}

pub(super) fn evaluate_mogelijk(
    ctx: &PupilContext,
    rule: &MogelijkLuxeRule,
    out: &mut Vec<Signal>,
) {
    let days = holiday_edges(ctx, rule);
    if days.is_empty() {
        return;
    }
    let pieces: Vec<&Piece> = ctx.leerplicht_pieces().collect();
    let mut i = 0;
    while i < pieces.len() {
        let day = pieces[i].day;
        let start = i;
        while i < pieces.len() && pieces[i].day == day {
            i += 1;
        }
        if !days.contains(&day) {
            continue;
        }
        let today = &pieces[start..i];
        if today.iter().any(|p| p.code == Code::Luxe) {
            continue;
        }
        let suspect: Vec<&Piece> = today
            .iter()
            .copied()
            .filter(|p| rule.codes.contains(&p.code))
            .collect();
        if suspect.is_empty() {
            continue;
        }
        let (evidence, _) = evidence_of(ctx.record, suspect);
        let mut signal = ctx.signal(SignalKind::MogelijkLuxeVerzuim, &rule.row, day);
        signal.evidence = evidence;
        out.push(signal);
    }
}

/// The last lesson day before and the first lesson day after each closed period of a kind the
/// rule names, in the pupil's schedule. A studiedag just before a vakantie is no lesson day, so
/// the last lesson day moves back by itself.
fn holiday_edges(ctx: &PupilContext, rule: &MogelijkLuxeRule) -> BTreeSet<DayNumber> {
    let mut days = BTreeSet::new();
    for period in ctx.ev.calendar().closed_periods() {
        if !rule.around.contains(&period.kind) {
            continue;
        }
        let from = day_number(period.from);
        let until = day_number(period.until);
        if let Some(before) = ctx.cal.lesson_day_before(from) {
            days.insert(before);
        }
        if ctx.cal.contains(until)
            && let Some(after) = ctx.cal.lesson_day_after(until)
        {
            days.insert(after);
        }
    }
    days
}
