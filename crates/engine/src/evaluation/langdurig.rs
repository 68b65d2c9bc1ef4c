//! Langdurig relatief verzuim (thuiszitter): a run of complete unauthorized absence of 4 weeks
//! or longer.
//!
//! Card row "Langdurig relatief verzuim (thuiszitter)" ("Een leerling is een aaneengesloten
//! periode van vier weken of langer, ongeoorloofd afwezig"); Leerplichtwet 1969 art. 21a; DUO's
//! "langdurig relatief verzuim"; docs/spec/rules.md §4. A day counts when unauthorized absence covers all
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

/// Hand-computed cases of docs/spec/rules.md §4 on the scenario school (Twente: 28 days of the
/// lesson calendar; herfstvakantie 17-25 October 2026, week 43).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testkit::*;
    use crate::model::Code::{Geoorloofd, Ongeoorloofd};
    use crate::model::Period;

    const KIND: SignalKind = SignalKind::LangdurigRelatiefVerzuim;

    /// §4: a run from Monday 7 September covers S .. S + 27 days = Sunday 4 October; the signal
    /// arises on the last lesson day of that span, Friday 2 October, with the run's minutes
    /// (4 weeks of 4 x 345 + 225 = 1,605).
    #[test]
    fn four_weeks_of_complete_absence() {
        let found = signals(
            KIND,
            &record(vec![days(Ongeoorloofd, "2026-09-07", "2026-10-09")]),
        );
        assert_eq!(found.len(), 1, "one signal per run: {found:?}");
        let s = &found[0];
        assert_eq!(s.date, d("2026-10-02"));
        assert_eq!(s.minutes, Some(4 * 1605));
        let period = Period {
            from: d("2026-09-07"),
            to: d("2026-10-02"),
        };
        assert_eq!(s.period, Some(period));
    }

    /// §4: one lesson day short of the span is no signal.
    #[test]
    fn one_day_short_is_no_signal() {
        let regs = vec![days(Ongeoorloofd, "2026-09-07", "2026-10-01")];
        assert!(signals(KIND, &record(regs)).is_empty());
    }

    /// §4: a day that is not fully absent breaks the run (Tuesday 22 September, the afternoon
    /// authorized); the new run from Wednesday 23 September has not reached 28 days by 9 October.
    #[test]
    fn a_partly_absent_day_breaks_the_run() {
        let regs = vec![
            days(Ongeoorloofd, "2026-09-07", "2026-09-21"),
            times(Ongeoorloofd, "2026-09-22", "08:30", "12:00"),
            times(Geoorloofd, "2026-09-22", "12:45", "15:00"),
            days(Ongeoorloofd, "2026-09-23", "2026-10-09"),
        ];
        assert!(signals(KIND, &record(regs)).is_empty());
    }

    /// §4: the lesson calendar cuts the holiday week out: from Monday 5 October, 28 days are
    /// weeks 41, 42, 44 and 45, so the signal arises on Friday 6 November.
    #[test]
    fn the_holiday_week_is_cut_out() {
        let regs = vec![days(Ongeoorloofd, "2026-10-05", "2026-11-13")];
        assert_eq!(dates(KIND, &record(regs)), ["2026-11-06"]);
    }

    /// §4: a day without lessons (a studiedag, Wednesday 16 September) neither breaks nor
    /// extends a run: the run from Monday 7 September still qualifies on Friday 2 October.
    #[test]
    fn a_studiedag_neither_breaks_nor_extends_a_run() {
        let mut school = school();
        school.closed.push(studiedag("2026-09-16"));
        let regs = vec![
            days(Ongeoorloofd, "2026-09-07", "2026-09-15"),
            days(Ongeoorloofd, "2026-09-17", "2026-10-09"),
        ];
        let found = signals_on(&school, KIND, &record(regs));
        let found: Vec<String> = found.iter().map(|s| s.date.to_string()).collect();
        assert_eq!(found, ["2026-10-02"]);
    }
}
