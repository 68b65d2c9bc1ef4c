//! Langdurig relatief verzuim (thuiszitter): a run of complete unauthorized absence of 4 weeks
//! or longer.
//!
//! Card row "Langdurig relatief verzuim (thuiszitter)" ("Een leerling is een aaneengesloten
//! periode van vier weken of langer, ongeoorloofd afwezig"); Leerplichtwet 1969 art. 21a; DUO's
//! "langdurig relatief verzuim"; rules.md §4. A day counts when unauthorized absence covers all
//! of its lesson time; days without lessons neither break nor extend a run; the span is measured
//! in the card's unit (Twente: 28 days of the lesson calendar, so a run of exactly 4 weeks
//! qualifies). One signal per run, on the last lesson day of the span.

use crate::calendar::DayNumber;
use crate::card::{LangdurigRule, Unit};
use crate::model::{Signal, SignalKind};

use super::{Piece, PupilContext, evidence_of, period};

pub(super) fn evaluate(ctx: &PupilContext, rule: &LangdurigRule, out: &mut Vec<Signal>) {
    let pieces: Vec<&Piece> = ctx
        .leerplicht_pieces()
        .filter(|p| ctx.is_unauthorized(p.code))
        .collect();
    // The current run: its first piece index, first day, last day and the target end day.
    let mut run: Option<(usize, DayNumber, DayNumber, Option<DayNumber>)> = None;
    let mut signalled = false;
    let mut i = 0;
    while i < pieces.len() {
        let day = pieces[i].day;
        let start = i;
        let mut minutes = 0;
        while i < pieces.len() && pieces[i].day == day {
            minutes += pieces[i].minutes;
            i += 1;
        }
        if minutes < ctx.cal.lesson_minutes(day) {
            run = None;
            continue;
        }
        let continues = run
            .is_some_and(|(_, _, last, _)| ctx.cal.lesson_ord(day) == ctx.cal.lesson_ord(last) + 1);
        if continues {
            if let Some(r) = run.as_mut() {
                r.2 = day;
            }
        } else {
            run = Some((start, day, day, span_end(ctx, rule, day)));
            signalled = false;
        }
        if let Some((first_piece, first_day, _, Some(end))) = run
            && !signalled
            && day == end
        {
            let (evidence, total) = evidence_of(ctx.record, pieces[first_piece..i].iter().copied());
            let mut signal = ctx.signal(SignalKind::LangdurigRelatiefVerzuim, &rule.row, day);
            signal.minutes = Some(total);
            signal.period = period(first_day, day);
            signal.evidence = evidence;
            out.push(signal);
            signalled = true;
        }
    }
}

/// The last lesson day of the span that starts on `start`.
fn span_end(ctx: &PupilContext, rule: &LangdurigRule, start: DayNumber) -> Option<DayNumber> {
    let count = rule.span.count.max(1);
    match rule.span.unit {
        Unit::LessonDays => ctx.cal.lesson_day(ctx.cal.lesson_ord(start) + count - 1),
        // Lesson-calendar days (and, defensively, any other unit): S .. S + count - 1.
        _ => {
            let last = ctx.cal.lcal_day(ctx.cal.lcal(start) + count - 1)?;
            ctx.cal.last_lesson_day_on_or_before(last)
        }
    }
}
