//! Te laat komen: lateness per school year in stages.
//!
//! Card "* Te laat komen": "5 x te laat op school", "10 x", "Meer dan 10 x", "Bij herhaling";
//! Leerplichtwet 1969 art. 21a (overig verzuim), Halt's referral criterion (12× late, from 12
//! years); docs/spec/rules.md §5. Each `te_laat` registration on a lesson day is one lateness, at most one
//! per date; counts start at 0 on 1 August. Stages and the repeat are card parameters.

use crate::calendar::{date_of, school_year_start};
use crate::card::TeLaatRule;
use crate::model::{Evidence, Signal, SignalKind};

use super::PupilContext;

pub(super) fn evaluate(ctx: &PupilContext, rule: &TeLaatRule, out: &mut Vec<Signal>) {
    let mut year = None;
    let mut counted: Vec<usize> = Vec::new();
    for late in ctx
        .lates
        .iter()
        .filter(|l| ctx.counts_for_leerplicht(l.day))
    {
        let this_year = school_year_start(date_of(late.day));
        if year != Some(this_year) {
            year = Some(this_year);
            counted.clear();
        }
        counted.push(late.reg);
        let count = counted.len() as u32;
        let Some(stage) = rule.stage_at(count) else {
            continue;
        };
        let mut signal = ctx.signal(SignalKind::TeLaat, &stage.row, late.day);
        signal.count = Some(count);
        signal.stage = Some(stage.name.clone());
        signal.evidence = counted
            .iter()
            .map(|&index| Evidence::Registration {
                index,
                minutes: ctx.record.registrations[index].minutes_late.unwrap_or(0),
            })
            .collect();
        out.push(signal);
    }
}

/// Hand-computed cases of docs/spec/rules.md §5 (Twente: stages 5, 10, 11, 12, then every 5th).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testkit::*;
    use crate::model::Registration;

    /// Latenesses on the first `n` Mondays, Tuesdays and Thursdays from 7 September 2026.
    fn lates(n: usize) -> Vec<Registration> {
        let mut out = Vec::new();
        let mut date = d("2026-09-07");
        while out.len() < n {
            if matches!(date.weekday().to_monday_zero_offset(), 0 | 1 | 3)
                && !(d("2026-10-17")..=d("2026-10-25")).contains(&date)
            {
                out.push(late(&date.to_string(), 5));
            }
            date = date.tomorrow().unwrap();
        }
        out
    }

    fn counts(regs: Vec<Registration>) -> Vec<(u32, String)> {
        signals(SignalKind::TeLaat, &record(regs))
            .into_iter()
            .map(|s| (s.count.unwrap(), s.stage.unwrap()))
            .collect()
    }

    /// §5: stages at the 5th, 10th, 11th and 12th lateness, then every 5th (17, 22).
    #[test]
    fn stages_and_the_repeat() {
        let found = counts(lates(22));
        let expected = [
            (5, "5x"),
            (10, "10x"),
            (11, "meer_dan_10x"),
            (12, "herhaling"),
            (17, "herhaling"),
            (22, "herhaling"),
        ];
        let expected: Vec<(u32, String)> =
            expected.iter().map(|(c, s)| (*c, s.to_string())).collect();
        assert_eq!(found, expected);
    }

    /// §5: the signal is on the day of the 5th lateness and its evidence lists the five, with
    /// their minutes late.
    #[test]
    fn the_fifth_lateness_with_its_evidence() {
        let regs = lates(5);
        let fifth = regs[4].span.first_date();
        let found = signals(SignalKind::TeLaat, &record(regs));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].date, fifth);
        assert_eq!(evidence(&found[0]).len(), 5);
        assert!(evidence(&found[0]).iter().all(|&(_, m)| m == 5));
    }

    /// §5: at most one lateness per date counts, and one on a day without lessons (the
    /// herfstvakantie) does not count.
    #[test]
    fn one_per_date_and_only_on_lesson_days() {
        let mut regs = lates(4);
        regs.push(late("2026-09-07", 10));
        regs.push(late("2026-10-20", 5));
        assert!(counts(regs).is_empty());
    }

    /// §5: counts start at 0 on 1 August: four latenesses in July and one in September are
    /// no 5th lateness.
    #[test]
    fn counts_restart_each_school_year() {
        let mut regs: Vec<Registration> = ["2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09"]
            .iter()
            .map(|d| late(d, 5))
            .collect();
        regs.push(late("2026-09-07", 5));
        assert!(counts(regs.clone()).is_empty());
        regs.push(late("2026-07-10", 5));
        assert_eq!(counts(regs), [(5, "5x".to_string())]);
    }
}
