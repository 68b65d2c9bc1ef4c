//! Early warning: progress toward each threshold as of a date (the card's motto "Vroegtijdig
//! signaleren voorkomt erger!").
//!
//! Each figure is computed from the registrations up to and including the date, with the same
//! rule code that makes the signals, so the progress restarts exactly where a signal restarts
//! the count.

use crate::calendar::{DayNumber, date_of, day_number, school_year_start};
use crate::card::Unit;
use crate::model::SignalKind;
use crate::progress::{Progress, ProgressUnit};

use super::{PupilContext, langdurig, relatief, ziek};

pub(super) fn evaluate(ctx: &mut PupilContext, as_of: jiff::civil::Date) -> Vec<Progress> {
    let a = day_number(as_of);
    if a < ctx.enrolled_from || a > ctx.enrolled_until {
        return Vec::new();
    }
    ctx.pieces.retain(|p| p.day <= a);
    ctx.lates.retain(|l| l.day <= a);
    let ctx = &*ctx;
    let rules = &ctx.ev.card.rules;
    let leerplichtig = ctx.leerplicht_from <= a && a <= ctx.leerplicht_until;
    let mut out = Vec::new();
    let mut push = |kind: SignalKind,
                    progress: u32,
                    threshold: u32,
                    unit: ProgressUnit,
                    since: Option<DayNumber>,
                    lesweken_left: Option<u32>,
                    stage: Option<String>,
                    row: &crate::card::Row| {
        if progress == 0 || threshold == 0 {
            return;
        }
        out.push(Progress {
            kind,
            progress,
            threshold,
            unit,
            fraction: f64::from(progress) / f64::from(threshold),
            since: since.map(date_of),
            lesweken_left,
            stage,
            actions: ctx.actions(row, a).to_vec(),
        });
    };

    if leerplichtig && let Some(rule) = &rules.relatief_verzuim {
        let mut signals = Vec::new();
        relatief::evaluate(ctx, rule, &mut signals);
        let last_signal = signals.last().map(|s| day_number(s.date));
        let current = if ctx.cal.in_lesweek(a) {
            ctx.cal.lesweek(a)
        } else {
            ctx.cal.lesweek(a).saturating_sub(1)
        };
        let start = relatief::window_start(ctx.cal, rule, current).unwrap_or(a);
        let counted: Vec<_> = ctx
            .leerplicht_pieces()
            .filter(|p| ctx.is_unauthorized(p.code))
            .filter(|p| p.day >= start && last_signal.is_none_or(|l| p.day > l))
            .collect();
        let minutes: u32 = counted.iter().map(|p| p.minutes).sum();
        let since = counted.first().map(|p| p.day);
        let left = since.map(|d| {
            relatief::last_lesweek_holding(rule, ctx.cal.lesweek(d)).saturating_sub(current)
        });
        push(
            SignalKind::RelatiefVerzuim,
            minutes,
            rule.threshold_minutes,
            ProgressUnit::Minutes,
            since,
            left,
            None,
            &rule.row,
        );
    }

    if leerplichtig && let Some(rule) = &rules.langdurig_relatief_verzuim {
        let mut signals = Vec::new();
        langdurig::evaluate(ctx, rule, &mut signals);
        if let Some((start, last)) = current_full_run(ctx, a)
            && signals.last().is_none_or(|s| day_number(s.date) < start)
        {
            let days = match rule.span.unit {
                Unit::LessonDays => ctx.cal.lesson_ord(last) - ctx.cal.lesson_ord(start) + 1,
                _ => ctx.cal.lcal(last) - ctx.cal.lcal(start) + 1,
            };
            push(
                SignalKind::LangdurigRelatiefVerzuim,
                days,
                rule.span.count,
                ProgressUnit::Days(rule.span.unit),
                Some(start),
                None,
                None,
                &rule.row,
            );
        }
    }

    if leerplichtig && let Some(rule) = &rules.te_laat {
        let year = day_number(school_year_start(as_of));
        let lates: Vec<_> = ctx
            .lates
            .iter()
            .filter(|l| l.day >= year && ctx.counts_for_leerplicht(l.day))
            .collect();
        let count = lates.len() as u32;
        if let Some((at, stage)) = rule.next_stage_after(count) {
            push(
                SignalKind::TeLaat,
                count,
                at,
                ProgressUnit::Latenesses,
                lates.first().map(|l| l.day),
                None,
                Some(stage.name.clone()),
                &stage.row,
            );
        }
    }

    let (pieces, reports) = ziek::reports(ctx);
    if let Some(rule) = &rules.ziek_langer_dan_2_weken
        && let Some(last_lesson) = ctx.cal.last_lesson_day_on_or_before(a)
        && let Some(r) = reports.last().filter(|r| r.last_day == last_lesson)
    {
        let mut signals = Vec::new();
        ziek::duration(
            ctx,
            rule,
            &pieces[r.first..r.end],
            r.start_day,
            &mut signals,
        );
        if signals.is_empty() {
            let days = match rule.after.unit {
                Unit::LessonDays => {
                    ctx.cal.lesson_ord(r.last_day) - ctx.cal.lesson_ord(r.start_day) + 1
                }
                _ => ctx.cal.lcal(r.last_day) - ctx.cal.lcal(r.start_day),
            };
            push(
                SignalKind::ZiekLangerDan2Weken,
                days,
                rule.after.count + u32::from(rule.after.unit == Unit::LessonDays),
                ProgressUnit::Days(rule.after.unit),
                Some(r.start_day),
                None,
                None,
                &rule.row,
            );
        }
    }
    if let Some(rule) = &rules.ziek_3e_melding_in_3_maanden {
        let used = ziek::used_reports(ctx, rule, &reports);
        let in_window = reports
            .iter()
            .zip(&used)
            .filter(|(r, used)| {
                !**used && (r.start_day == a || ziek::starts_within(ctx, rule, r.start_day, a))
            })
            .map(|(r, _)| r.start_day)
            .collect::<Vec<_>>();
        push(
            SignalKind::Ziek3eMeldingIn3Maanden,
            in_window.len() as u32,
            rule.reports,
            ProgressUnit::Reports,
            in_window.first().copied(),
            None,
            None,
            &rule.row,
        );
    }
    out
}

/// The run of fully absent lesson days that holds the last lesson day on or before `a`.
fn current_full_run(ctx: &PupilContext, a: DayNumber) -> Option<(DayNumber, DayNumber)> {
    let last_lesson = ctx.cal.last_lesson_day_on_or_before(a)?;
    let mut days: Vec<(DayNumber, u32)> = Vec::new();
    for p in ctx
        .leerplicht_pieces()
        .filter(|p| ctx.is_unauthorized(p.code))
    {
        match days.last_mut() {
            Some((d, m)) if *d == p.day => *m += p.minutes,
            _ => days.push((p.day, p.minutes)),
        }
    }
    let full: Vec<DayNumber> = days
        .into_iter()
        .filter(|&(d, m)| m >= ctx.cal.lesson_minutes(d))
        .map(|(d, _)| d)
        .collect();
    if full.last() != Some(&last_lesson) {
        return None;
    }
    let mut start = last_lesson;
    for &d in full.iter().rev().skip(1) {
        if ctx.cal.lesson_ord(d) + 1 == ctx.cal.lesson_ord(start) {
            start = d;
        } else {
            break;
        }
    }
    Some((start, last_lesson))
}

/// The early warning as hand-computed progress toward each threshold (docs/spec/rules.md §3-§6).
#[cfg(test)]
mod tests {
    use crate::evaluation::testkit::*;
    use crate::model::Code::{Ongeoorloofd, Ziek};
    use crate::model::SignalKind;
    use crate::progress::ProgressUnit;

    /// §3: 690 of 960 minutes since Monday 7 September (week 37); that absence stays in the
    /// window for three more lesweken.
    #[test]
    fn relatief_minutes_in_the_window() {
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
        ];
        let p = progress(SignalKind::RelatiefVerzuim, &record(regs), "2026-09-08").unwrap();
        assert_eq!((p.progress, p.threshold), (690, 960));
        assert_eq!(p.unit, ProgressUnit::Minutes);
        assert_eq!(p.since, Some(d("2026-09-07")));
        assert_eq!(p.lesweken_left, Some(3));
        assert!((p.fraction - 690.0 / 960.0).abs() < 1e-9);
    }

    /// §3: after the signal of Thursday 10 September the count restarts: on Friday 11 September
    /// only that day's 345 minutes count.
    #[test]
    fn relatief_restarts_after_a_signal() {
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            times(Ongeoorloofd, "2026-09-10", "08:30", "13:45"),
            day(Ongeoorloofd, "2026-09-11"),
        ];
        let p = progress(SignalKind::RelatiefVerzuim, &record(regs), "2026-09-11").unwrap();
        assert_eq!((p.progress, p.since), (345, Some(d("2026-09-11"))));
    }

    /// §5: four latenesses are 4 of the 5 of stage `5x`.
    #[test]
    fn te_laat_toward_the_next_stage() {
        let regs = ["2026-09-07", "2026-09-08", "2026-09-10", "2026-09-11"]
            .iter()
            .map(|d| late(d, 5))
            .collect();
        let p = progress(SignalKind::TeLaat, &record(regs), "2026-09-11").unwrap();
        assert_eq!((p.progress, p.threshold), (4, 5));
        assert_eq!(p.stage.as_deref(), Some("5x"));
    }

    /// §4 and §6: a running absence and a running sick report count their days in the lesson
    /// calendar (a full week: 5 of 28; Monday to Wednesday: 2 of 14 days after the start).
    #[test]
    fn running_absence_and_sick_report() {
        let absent = record(vec![days(Ongeoorloofd, "2026-09-07", "2026-09-11")]);
        let p = progress(SignalKind::LangdurigRelatiefVerzuim, &absent, "2026-09-11").unwrap();
        assert_eq!((p.progress, p.threshold), (5, 28));
        let sick = record(vec![days(Ziek, "2026-09-07", "2026-09-09")]);
        let p = progress(SignalKind::ZiekLangerDan2Weken, &sick, "2026-09-09").unwrap();
        assert_eq!((p.progress, p.threshold), (2, 14));
        let p = progress(SignalKind::Ziek3eMeldingIn3Maanden, &sick, "2026-09-09").unwrap();
        assert_eq!((p.progress, p.threshold), (1, 3));
    }
}
