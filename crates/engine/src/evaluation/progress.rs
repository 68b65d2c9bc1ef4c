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
            actions: ctx.actions(row, a),
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
        let first_week = current.saturating_sub(rule.window_lesweken.saturating_sub(1));
        let start = ctx.cal.lesweek_monday(first_week).unwrap_or(a);
        let counted: Vec<_> = ctx
            .leerplicht_pieces()
            .filter(|p| ctx.is_unauthorized(p.code))
            .filter(|p| p.day >= start && last_signal.is_none_or(|l| p.day > l))
            .collect();
        let minutes: u32 = counted.iter().map(|p| p.minutes).sum();
        let since = counted.first().map(|p| p.day);
        let left = since.map(|d| {
            (ctx.cal.lesweek(d) + rule.window_lesweken.saturating_sub(1)).saturating_sub(current)
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
