//! Relatief verzuim: 16 hours of unauthorized absence in 4 consecutive lesweken.
//!
//! Card row "Relatief verzuim" ("Bij verzuim van 16 uur van de lestijd gedurende een
//! aaneengesloten periode van 4 weken"); Leerplichtwet 1969 art. 21a (the school's duty to
//! report), art. 2 Besluit; rules.md §3. After every signal a new count starts (DUO): absence on
//! or before the signal's date never counts again. The school melds within the card's
//! `within_working_days` (Inspectie: 5 working days).

use std::collections::VecDeque;

use crate::card::RelatiefRule;
use crate::model::{Signal, SignalKind};

use super::{Piece, PupilContext, evidence_of, period};

pub(super) fn evaluate(ctx: &PupilContext, rule: &RelatiefRule, out: &mut Vec<Signal>) {
    let mut window: VecDeque<&Piece> = VecDeque::new();
    let mut sum: u32 = 0;
    let pieces: Vec<&Piece> = ctx
        .leerplicht_pieces()
        .filter(|p| ctx.is_unauthorized(p.code))
        .collect();
    let mut i = 0;
    while i < pieces.len() {
        let day = pieces[i].day;
        let before = sum;
        // The window: D's lesweek and the lesweken before it, `window_lesweken` in all.
        let lesweek = ctx.cal.lesweek(day);
        let first_week = lesweek.saturating_sub(rule.window_lesweken.saturating_sub(1));
        let window_start = ctx.cal.lesweek_monday(first_week).unwrap_or(day);
        while let Some(front) = window.front() {
            if front.day < window_start {
                sum -= front.minutes;
                window.pop_front();
            } else {
                break;
            }
        }
        let dropped = before - sum;
        while i < pieces.len() && pieces[i].day == day {
            sum += pieces[i].minutes;
            window.push_back(pieces[i]);
            i += 1;
        }
        let crossed = if rule.restart_after_signal {
            sum >= rule.threshold_minutes
        } else {
            before - dropped < rule.threshold_minutes && sum >= rule.threshold_minutes
        };
        if crossed {
            let (evidence, minutes) = evidence_of(ctx.record, window.iter().copied());
            let from = window.front().map_or(day, |p| p.day);
            let mut signal = ctx.signal(SignalKind::RelatiefVerzuim, &rule.row, day);
            signal.minutes = Some(minutes);
            signal.period = period(from, day);
            signal.evidence = evidence;
            out.push(signal);
            if rule.restart_after_signal {
                window.clear();
                sum = 0;
            }
        }
    }
}
