//! Luxe verzuim and possible luxe verzuim around holidays.
//!
//! Card row "Luxe verzuim" ("Vrije uren/dagen zonder toestemming van directeur of
//! leerplichtambtenaar"); Leerplichtwet 1969 art. 13a (vakantieverlof only with permission) and
//! art. 21a; docs/spec/rules.md §2. `luxe_verzuim` arises on the first day of each run of consecutive
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

/// Hand-computed cases of docs/spec/rules.md §2 (luxe verzuim and possible luxe verzuim) on the
/// scenario school: herfstvakantie 17-25 October 2026, so Friday 16 October is the last lesson
/// day before it and Monday 26 October the first after it.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testkit::*;
    use crate::model::Code::{Geoorloofd, Luxe, Ongeoorloofd};

    /// §2: one `luxe_verzuim` per run of consecutive lesson days with luxe absence time, on its
    /// first day, with that day's minutes; the holiday between Friday 16 and Monday 26 October
    /// neither breaks nor extends the run.
    #[test]
    fn one_signal_per_run_on_its_first_day() {
        let regs = vec![
            days(Luxe, "2026-10-15", "2026-10-16"),
            day(Luxe, "2026-10-26"),
        ];
        let found = signals(SignalKind::LuxeVerzuim, &record(regs));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date, d("2026-10-15"));
        assert_eq!(found[0].minutes, Some(345));
        assert_eq!(evidence(&found[0]), vec![(0, 345)]);
    }

    /// §2: a lesson day without luxe (Tuesday 8 September) ends a run.
    #[test]
    fn a_lesson_day_between_makes_two_runs() {
        let regs = vec![day(Luxe, "2026-09-07"), day(Luxe, "2026-09-09")];
        assert_eq!(
            dates(SignalKind::LuxeVerzuim, &record(regs)),
            ["2026-09-07", "2026-09-09"]
        );
    }

    /// §2: unauthorized absence on the last lesson day before or the first lesson day after a
    /// vakantie is a possible luxe verzuim; the day before that (Thursday 15 October) is not.
    #[test]
    fn unauthorized_absence_at_the_edges_of_a_vakantie() {
        let regs = vec![
            day(Ongeoorloofd, "2026-10-15"),
            times(Ongeoorloofd, "2026-10-16", "12:45", "15:00"),
            day(Ongeoorloofd, "2026-10-26"),
            day(Geoorloofd, "2026-12-18"),
        ];
        let found = signals(SignalKind::MogelijkLuxeVerzuim, &record(regs));
        let found: Vec<(String, Vec<(usize, u32)>)> = found
            .iter()
            .map(|s| (s.date.to_string(), evidence(s)))
            .collect();
        assert_eq!(
            found,
            [
                ("2026-10-16".to_string(), vec![(1, 135)]),
                ("2026-10-26".to_string(), vec![(2, 345)])
            ]
        );
    }

    /// §2: a day with luxe absence time is luxe verzuim itself, not a suspicion.
    #[test]
    fn luxe_on_the_edge_is_no_suspicion() {
        let regs = vec![
            times(Luxe, "2026-10-16", "08:30", "12:00"),
            times(Ongeoorloofd, "2026-10-16", "12:45", "15:00"),
        ];
        let record = record(regs);
        assert!(signals(SignalKind::MogelijkLuxeVerzuim, &record).is_empty());
        assert_eq!(dates(SignalKind::LuxeVerzuim, &record), ["2026-10-16"]);
    }

    /// §2: a studiedag just before a vakantie moves "last lesson day" one day back: with a
    /// studiedag on Friday 16 October, unauthorized absence on Thursday 15 October is the
    /// suspicion.
    #[test]
    fn a_studiedag_before_the_vakantie_moves_the_last_lesson_day_back() {
        let mut school = school();
        school.closed.push(studiedag("2026-10-16"));
        let regs = vec![day(Ongeoorloofd, "2026-10-15")];
        let found = signals_on(&school, SignalKind::MogelijkLuxeVerzuim, &record(regs));
        let found: Vec<String> = found.iter().map(|s| s.date.to_string()).collect();
        assert_eq!(found, ["2026-10-15"]);
    }
}
