//! Ziekte: every sick report, long sick reports and frequent sick reports.
//!
//! Card "** Ziekte": "Elke ziekmelding", "> 2 weken", "3e ziekmelding in 3 maanden";
//! docs/spec/rules.md §6. A sick report is a maximal run of consecutive lesson days that each have `ziek`
//! absence time; days without lessons neither break nor extend it. These signals do not depend
//! on leerplicht: GGD-JGZ cares for every pupil. The durations and windows are card parameters
//! with their unit (M@ZL: the 7th consecutive lesson day; the 4th report within 12 lesweken).

use jiff::ToSpan;

use crate::calendar::{DayNumber, date_of, day_number};
use crate::card::{Rules, Unit, ZiekCountRule, ZiekDurationRule};
use crate::model::{Code, Signal, SignalKind};

use super::{Piece, PupilContext, evidence_of, period};

/// One sick report: its pieces `first..end` in the pupil's sick pieces.
#[derive(Debug, Clone, Copy)]
pub(super) struct Report {
    pub first: usize,
    pub end: usize,
    pub start_day: DayNumber,
    pub last_day: DayNumber,
}

/// The pupil's sick pieces and the reports they form.
pub(super) fn reports<'p>(ctx: &'p PupilContext) -> (Vec<&'p Piece>, Vec<Report>) {
    let pieces: Vec<&Piece> = ctx.pieces.iter().filter(|p| p.code == Code::Ziek).collect();
    let mut reports: Vec<Report> = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        match reports.last_mut() {
            Some(r) if r.last_day == p.day => r.end = i + 1,
            Some(r) if ctx.cal.lesson_ord(p.day) == ctx.cal.lesson_ord(r.last_day) + 1 => {
                r.end = i + 1;
                r.last_day = p.day;
            }
            _ => reports.push(Report {
                first: i,
                end: i + 1,
                start_day: p.day,
                last_day: p.day,
            }),
        }
    }
    (pieces, reports)
}

pub(super) fn evaluate(ctx: &PupilContext, rules: &Rules, out: &mut Vec<Signal>) {
    if rules.ziekmelding.is_none()
        && rules.ziek_langer_dan_2_weken.is_none()
        && rules.ziek_3e_melding_in_3_maanden.is_none()
    {
        return;
    }
    let (pieces, reports) = reports(ctx);
    let first_day_of = |r: &Report| {
        let end = pieces[r.first..r.end]
            .iter()
            .position(|p| p.day != r.start_day)
            .map_or(r.end, |n| r.first + n);
        &pieces[r.first..end]
    };
    if let Some(row) = &rules.ziekmelding {
        for r in &reports {
            let (evidence, minutes) = evidence_of(ctx.record, first_day_of(r).iter().copied());
            let mut signal = ctx.signal(SignalKind::Ziekmelding, row, r.start_day);
            signal.minutes = Some(minutes);
            signal.period = period(r.start_day, r.start_day);
            signal.evidence = evidence;
            out.push(signal);
        }
    }
    if let Some(rule) = &rules.ziek_langer_dan_2_weken {
        for r in &reports {
            duration(ctx, rule, &pieces[r.first..r.end], r.start_day, out);
        }
    }
    if let Some(rule) = &rules.ziek_3e_melding_in_3_maanden {
        for k in count_signals(ctx, rule, &reports) {
            let r = &reports[k.0];
            let today = first_day_of(r);
            let (_, minutes) = evidence_of(ctx.record, today.iter().copied());
            let mut all: Vec<&Piece> =
                k.1.iter()
                    .flat_map(|&j| pieces[reports[j].first..reports[j].end].iter().copied())
                    .collect();
            all.extend(today.iter().copied());
            let (evidence, _) = evidence_of(ctx.record, all);
            let mut signal =
                ctx.signal(SignalKind::Ziek3eMeldingIn3Maanden, &rule.row, r.start_day);
            signal.count = Some(rule.reports);
            signal.minutes = Some(minutes);
            signal.period = period(r.start_day, r.start_day);
            signal.evidence = evidence;
            out.push(signal);
        }
    }
}

/// The reports that raise the count signal, each with the earlier reports it counts.
fn count_signals(
    ctx: &PupilContext,
    rule: &ZiekCountRule,
    reports: &[Report],
) -> Vec<(usize, Vec<usize>)> {
    let mut used = vec![false; reports.len()];
    let mut signals = Vec::new();
    for (k, r) in reports.iter().enumerate() {
        let in_window: Vec<usize> = (0..k)
            .filter(|&j| !used[j] && starts_within(ctx, rule, reports[j].start_day, r.start_day))
            .collect();
        if (in_window.len() as u32) + 1 < rule.reports {
            continue;
        }
        if rule.restart_after_signal {
            for &j in &in_window {
                used[j] = true;
            }
            used[k] = true;
        }
        signals.push((k, in_window));
    }
    signals
}

/// Which reports are already part of a count signal.
pub(super) fn used_reports(
    ctx: &PupilContext,
    rule: &ZiekCountRule,
    reports: &[Report],
) -> Vec<bool> {
    let mut used = vec![false; reports.len()];
    if rule.restart_after_signal {
        for (k, earlier) in count_signals(ctx, rule, reports) {
            used[k] = true;
            for j in earlier {
                used[j] = true;
            }
        }
    }
    used
}

/// Whether a report that started on `earlier` lies in the count window of a report starting on
/// `start` (and before it).
pub(super) fn starts_within(
    ctx: &PupilContext,
    rule: &ZiekCountRule,
    earlier: DayNumber,
    start: DayNumber,
) -> bool {
    if earlier >= start {
        return false;
    }
    match rule.within.unit {
        Unit::Lesweken => {
            let weeks = rule.within.count.max(1) - 1;
            ctx.cal.lesweek(earlier) + weeks >= ctx.cal.lesweek(start)
        }
        Unit::LessonDays => {
            ctx.cal.lesson_ord(earlier) + rule.within.count >= ctx.cal.lesson_ord(start)
        }
        Unit::LessonCalendarDays => {
            ctx.cal.lcal(earlier) + rule.within.count >= ctx.cal.lcal(start)
        }
        Unit::CalendarMonths => {
            // S − n months: the same day number, or that month's last day when it is shorter.
            let s = date_of(start);
            let from = s
                .checked_sub((rule.within.count as i64).months())
                .unwrap_or(s);
            earlier >= day_number(from)
        }
    }
}

/// `ziek_langer_dan_2_weken`: the first lesson day of the report at least `after` after its
/// start.
pub(super) fn duration(
    ctx: &PupilContext,
    rule: &ZiekDurationRule,
    report: &[&Piece],
    start: DayNumber,
    out: &mut Vec<Signal>,
) {
    let reached = |day: DayNumber| match rule.after.unit {
        Unit::LessonDays => ctx.cal.lesson_ord(day) >= ctx.cal.lesson_ord(start) + rule.after.count,
        _ => ctx.cal.lcal(day) >= ctx.cal.lcal(start) + rule.after.count,
    };
    let Some(hit) = report.iter().position(|p| reached(p.day)) else {
        return;
    };
    let day = report[hit].day;
    let upto: Vec<&Piece> = report
        .iter()
        .copied()
        .take_while(|p| p.day <= day)
        .collect();
    let (evidence, minutes) = evidence_of(ctx.record, upto);
    let mut signal = ctx.signal(SignalKind::ZiekLangerDan2Weken, &rule.row, day);
    signal.minutes = Some(minutes);
    signal.period = period(start, day);
    signal.evidence = evidence;
    out.push(signal);
}

/// Hand-computed cases of docs/spec/rules.md §6 on the scenario school (Twente: longer than 14
/// days of the lesson calendar; the 3rd report within 3 calendar months, then a new count).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testkit::*;
    use crate::model::Code::{Ongeoorloofd, Ziek};
    use crate::model::Period;

    /// §6: a report is a run of consecutive lesson days with `ziek` absence time; the weekend
    /// neither breaks nor extends it; a lesson day without `ziek` ends it. `ziekmelding` arises
    /// on each report's first day with that day's minutes.
    #[test]
    fn every_report_on_its_first_day() {
        let regs = vec![
            day(Ziek, "2026-09-11"),
            times(Ziek, "2026-09-14", "08:30", "10:00"),
            day(Ongeoorloofd, "2026-09-15"),
            day(Ziek, "2026-09-16"),
        ];
        let found = signals(SignalKind::Ziekmelding, &record(regs));
        let found: Vec<(String, Option<u32>)> = found
            .iter()
            .map(|s| (s.date.to_string(), s.minutes))
            .collect();
        assert_eq!(
            found,
            [
                ("2026-09-11".to_string(), Some(345)),
                ("2026-09-16".to_string(), Some(225))
            ]
        );
    }

    /// §6: `ziek_langer_dan_2_weken` on the first lesson day D of the report with
    /// D >= start + 14 days (lesson calendar): Monday 21 September for a report from Monday 7
    /// September; the report's minutes up to D: two weeks of 1,605 and Monday's 345.
    #[test]
    fn longer_than_two_weeks() {
        let found = signals(
            SignalKind::ZiekLangerDan2Weken,
            &record(vec![days(Ziek, "2026-09-07", "2026-09-25")]),
        );
        assert_eq!(found.len(), 1, "one per report: {found:?}");
        assert_eq!(found[0].date, d("2026-09-21"));
        assert_eq!(found[0].minutes, Some(2 * 1605 + 345));
        let period = Period {
            from: d("2026-09-07"),
            to: d("2026-09-21"),
        };
        assert_eq!(found[0].period, Some(period));
        let short = record(vec![days(Ziek, "2026-09-07", "2026-09-18")]);
        assert!(signals(SignalKind::ZiekLangerDan2Weken, &short).is_empty());
    }

    /// §6: the herfstvakantie week is cut out of the lesson calendar, so a report from Monday 12
    /// October reaches 14 days on Monday 2 November, not on Monday 26 October.
    #[test]
    fn a_holiday_does_not_make_a_report_long() {
        let regs = vec![days(Ziek, "2026-10-12", "2026-11-06")];
        assert_eq!(
            dates(SignalKind::ZiekLangerDan2Weken, &record(regs)),
            ["2026-11-02"]
        );
    }

    /// §6: the 3rd report starting within [S - 3 months, S) raises the signal with count 3; its
    /// reports are then used, so the 4th report a week later starts a new count.
    #[test]
    fn third_report_in_three_months_then_a_new_count() {
        let regs = vec![
            day(Ziek, "2026-09-07"),
            day(Ziek, "2026-10-05"),
            day(Ziek, "2026-11-09"),
            day(Ziek, "2026-11-16"),
        ];
        let found = signals(SignalKind::Ziek3eMeldingIn3Maanden, &record(regs));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date, d("2026-11-09"));
        assert_eq!(found[0].count, Some(3));
        assert_eq!(evidence(&found[0]), vec![(0, 345), (1, 345), (2, 345)]);
    }

    /// §6: S - 3 months is that month's last day when it is shorter: for Monday 31 May 2027
    /// the window starts on 28 February 2027 (not on 3 March), so a report of Monday 1 March is
    /// inside it; one of Friday 19 February (before the voorjaarsvakantie) is outside.
    #[test]
    fn three_months_before_the_end_of_a_month() {
        let outside = vec![
            day(Ziek, "2027-02-19"),
            day(Ziek, "2027-03-15"),
            day(Ziek, "2027-05-31"),
        ];
        assert!(signals(SignalKind::Ziek3eMeldingIn3Maanden, &record(outside)).is_empty());
        let inside = vec![
            day(Ziek, "2027-03-01"),
            day(Ziek, "2027-03-15"),
            day(Ziek, "2027-05-31"),
        ];
        assert_eq!(
            dates(SignalKind::Ziek3eMeldingIn3Maanden, &record(inside)),
            ["2027-05-31"]
        );
    }
}
