//! Te laat komen: lateness per school year in stages.
//!
//! Card "* Te laat komen": "5 x te laat op school", "10 x", "Meer dan 10 x", "Bij herhaling";
//! Leerplichtwet 1969 art. 21a (overig verzuim), Halt's referral criterion (12× late, from 12
//! years); rules.md §5. Each `te_laat` registration on a lesson day is one lateness, at most one
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
