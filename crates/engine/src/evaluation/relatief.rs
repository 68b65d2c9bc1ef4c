//! Relatief verzuim: 16 hours of unauthorized absence in 4 consecutive lesweken.
//!
//! Card row "Relatief verzuim" ("Bij verzuim van 16 uur van de lestijd gedurende een
//! aaneengesloten periode van 4 weken"); Leerplichtwet 1969 art. 21a (the school's duty to
//! report), art. 2 Besluit; docs/spec/rules.md §3. After every signal a new count starts (DUO): absence on
//! or before the signal's date never counts again. The school melds within the card's
//! `within_working_days` (Inspectie: 5 working days).

use std::collections::VecDeque;

use crate::calendar::{DayNumber, GroupCalendar};
use crate::card::RelatiefRule;
use crate::model::{Signal, SignalKind};

use super::{Piece, PupilContext, evidence_of, period};

/// The window of docs/spec/rules.md §3 for a day in lesweek `lesweek`: it starts on the Monday of
/// the lesweek `window_lesweken - 1` lesweken before (Twente: the 3rd lesweek before), so that it
/// holds `window_lesweken` lesweken, weeks without lessons skipped. `None` when that lesweek lies
/// before the calendar's range. The signal rule and the early warning both use this.
pub(super) fn window_start(
    cal: &GroupCalendar,
    rule: &RelatiefRule,
    lesweek: u32,
) -> Option<DayNumber> {
    let first_week = lesweek.saturating_sub(rule.window_lesweken.saturating_sub(1));
    cal.lesweek_monday(first_week)
}

/// The last lesweek whose window (see [`window_start`]) still holds absence of lesweek
/// `lesweek`.
pub(super) fn last_lesweek_holding(rule: &RelatiefRule, lesweek: u32) -> u32 {
    lesweek + rule.window_lesweken.saturating_sub(1)
}

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
        let window_start = window_start(ctx.cal, rule, ctx.cal.lesweek(day)).unwrap_or(day);
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

/// Hand-computed cases of docs/spec/rules.md §3 on the test school (345 minutes on Monday,
/// Tuesday, Thursday and Friday, 225 on Wednesday; herfstvakantie 17-25 October 2026).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::day_number;
    use crate::evaluation::testkit::*;
    use crate::model::Code::{Geoorloofd, Ongeoorloofd, Ziek};
    use crate::model::{Party, Period};

    const KIND: SignalKind = SignalKind::RelatiefVerzuim;

    /// 345 + 345 + (210 + 60) = 960 minutes on Thursday 10 September 2026.
    fn sixteen_hours() -> Vec<crate::model::Registration> {
        vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            times(Ongeoorloofd, "2026-09-10", "08:30", "13:45"),
        ]
    }

    /// §3: the signal arises on the lesson day on which the window holds 960 minutes; the
    /// period runs from the first counted absence to that day; the melding is due 5 working
    /// days later (Fri 11, Mon 14, Tue 15, Wed 16, Thu 17 September).
    #[test]
    fn arises_on_the_day_the_window_reaches_960_minutes() {
        let found = signals(KIND, &record(sixteen_hours()));
        assert_eq!(found.len(), 1, "{found:?}");
        let s = &found[0];
        assert_eq!(s.date, d("2026-09-10"));
        assert_eq!(s.minutes, Some(960));
        let period = Period {
            from: d("2026-09-07"),
            to: d("2026-09-10"),
        };
        assert_eq!(s.period, Some(period));
        assert_eq!(evidence(s), vec![(0, 345), (1, 345), (2, 270)]);
        let melding = s.actions.iter().find(|a| a.melding).expect("a melding");
        assert_eq!(melding.party, Party::School);
        assert_eq!(melding.due, Some(d("2026-09-17")));
    }

    /// §3: 959 minutes is below the threshold.
    #[test]
    fn one_minute_short_is_no_signal() {
        let mut regs = sixteen_hours();
        regs[2] = times(Ongeoorloofd, "2026-09-10", "08:30", "13:44");
        assert!(signals(KIND, &record(regs)).is_empty());
    }

    /// §1: only unauthorized codes count (`ziek` and `geoorloofd` do not).
    #[test]
    fn authorized_absence_does_not_count() {
        let regs = vec![
            day(Ziek, "2026-09-07"),
            day(Geoorloofd, "2026-09-08"),
            times(Ongeoorloofd, "2026-09-10", "08:30", "13:45"),
        ];
        assert!(signals(KIND, &record(regs)).is_empty());
    }

    /// §3: the window is D's lesweek and the three lesweken before it, weeks without lessons
    /// skipped: for Monday 26 October (week 44) after the herfstvakantie (week 43) it starts on
    /// Monday 28 September (week 40), so 345 + 345 + 270 = 960 minutes reach the threshold.
    #[test]
    fn the_window_skips_weeks_without_lessons() {
        let regs = vec![
            day(Ongeoorloofd, "2026-09-28"),
            day(Ongeoorloofd, "2026-10-16"),
            times(Ongeoorloofd, "2026-10-26", "08:30", "13:45"),
        ];
        assert_eq!(dates(KIND, &record(regs)), ["2026-10-26"]);

        let card = twente();
        let rule = card.rules.relatief_verzuim.as_ref().unwrap();
        let calendar = crate::SchoolCalendar::new(&school(), d("2026-08-01"), d("2027-07-31"));
        let cal = calendar.group("5");
        let monday = day_number(d("2026-10-26"));
        assert_eq!(
            window_start(cal, rule, cal.lesweek(monday)),
            Some(day_number(d("2026-09-28")))
        );
        assert_eq!(
            last_lesweek_holding(rule, cal.lesweek(day_number(d("2026-09-28")))),
            cal.lesweek(monday)
        );
    }

    /// §3: absence of week 37 has left the window of a day in week 41 (weeks 38-41).
    #[test]
    fn absence_that_left_the_window_no_longer_counts() {
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            times(Ongeoorloofd, "2026-10-05", "08:30", "13:45"),
        ];
        assert!(signals(KIND, &record(regs)).is_empty());
    }

    /// §3: after a signal a new count starts: absence on or before the signal's date never
    /// counts again. 345 (Fri 11) + 345 (Mon 14) + 270 (Tue 15) = 960 is the second signal.
    #[test]
    fn a_new_count_starts_after_each_signal() {
        let mut regs = sixteen_hours();
        regs.extend([
            day(Ongeoorloofd, "2026-09-11"),
            day(Ongeoorloofd, "2026-09-14"),
            times(Ongeoorloofd, "2026-09-15", "08:30", "13:45"),
        ]);
        let found = signals(KIND, &record(regs));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[1].date, d("2026-09-15"));
        assert_eq!(found[1].minutes, Some(960));
        assert_eq!(found[1].period.unwrap().from, d("2026-09-11"));
        assert_eq!(evidence(&found[1]), vec![(3, 345), (4, 345), (5, 270)]);
    }

    /// §3 "≥ 960": above the threshold the signal arises on the same day and carries every
    /// counted minute (3 x 345 = 1,035), not just 960.
    #[test]
    fn above_the_threshold_every_counted_minute_is_reported() {
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            day(Ongeoorloofd, "2026-09-10"),
        ];
        let found = signals(KIND, &record(regs));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date, d("2026-09-10"));
        assert_eq!(found[0].minutes, Some(1035));
        assert_eq!(evidence(&found[0]), vec![(0, 345), (1, 345), (2, 345)]);
    }

    /// §3: the window of Friday 2 October (week 40) starts on the Monday of the 3rd lesweek
    /// before, Monday 7 September (week 37): absence on that very Monday still counts. (A day in
    /// week 41 no longer sees it: `absence_that_left_the_window_no_longer_counts`.)
    #[test]
    fn the_window_reaches_back_to_the_monday_of_the_third_lesweek_before() {
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            times(Ongeoorloofd, "2026-10-02", "08:30", "13:45"),
        ];
        let found = signals(KIND, &record(regs));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date, d("2026-10-02"));
        assert_eq!(found[0].period.unwrap().from, d("2026-09-07"));
    }

    /// §1: absence time is the registration intersected with lesson time: the lunch break
    /// (12:00-12:45) and a weekend day add nothing.
    #[test]
    fn only_lesson_time_counts() {
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            times(Ongeoorloofd, "2026-09-10", "08:30", "13:44"),
            day(Ongeoorloofd, "2026-09-12"),
        ];
        assert!(signals(KIND, &record(regs)).is_empty());
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            times(Ongeoorloofd, "2026-09-10", "12:00", "12:45"),
        ];
        assert!(signals(KIND, &record(regs)).is_empty());
    }

    /// §1: only `[[closed]]` closes a day: absence registered on a studiedag (Thursday 10
    /// September) has no lesson time and counts nothing, so 960 minutes are reached only on
    /// Friday 11 September; the studiedag's registration is no evidence.
    #[test]
    fn a_studiedag_has_no_lesson_time() {
        let mut school = school();
        school.closed.push(studiedag("2026-09-10"));
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            day(Ongeoorloofd, "2026-09-10"),
            times(Ongeoorloofd, "2026-09-11", "08:30", "13:45"),
        ];
        let found = signals_on(&school, KIND, &record(regs));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date, d("2026-09-11"));
        assert_eq!(evidence(&found[0]), vec![(0, 345), (1, 345), (3, 270)]);
    }

    /// §1: a group's own times replace the school's on the weekdays it names (group 5 has
    /// lessons only 08:30-12:00 on Monday: 210 minutes); other weekdays keep the school's.
    /// 210 + 345 + 345 = 900, and one more hour on Friday makes 960.
    #[test]
    fn group_times_replace_the_schools_on_their_weekdays() {
        let mut school = school();
        let mut group = crate::model::GroupTimes::default();
        group.0[0] = Some(vec![range("08:30-12:00")]);
        school.groups.insert("5".into(), group);
        let regs = vec![
            day(Ongeoorloofd, "2026-09-07"),
            day(Ongeoorloofd, "2026-09-08"),
            day(Ongeoorloofd, "2026-09-10"),
        ];
        assert!(signals_on(&school, KIND, &record(regs.clone())).is_empty());
        let mut regs = regs;
        regs.push(times(Ongeoorloofd, "2026-09-11", "08:30", "09:30"));
        let found = signals_on(&school, KIND, &record(regs));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].date, d("2026-09-11"));
        assert_eq!(
            evidence(&found[0]),
            vec![(0, 210), (1, 345), (2, 345), (3, 60)]
        );
    }
}
