//! The school's calendar as the rules read it (docs/spec/rules.md §1): lesson time per group and weekday
//! minus closed periods, lesson days, lesweken (ISO weeks with at least one lesson day) and the
//! lesson calendar (the real calendar with the lesweek-free weeks cut out).
//!
//! A [`SchoolCalendar`] covers a range of whole ISO weeks; per schedule (the school's default
//! times and each group's own) it precomputes, per day, the lesson minutes and the day's position
//! among lesson days, lesweken and lesson-calendar days, so that the rules ask each question in
//! constant time.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};

use crate::model::{ClosedPeriod, Minutes, School, TimeRange, WeekTimes};

/// Days since 1970-01-01 (negative before). A compact, fast stand-in for a date in the hot loops.
pub type DayNumber = i32;

/// The day number of a date (proleptic Gregorian calendar).
pub fn day_number(date: Date) -> DayNumber {
    // Howard Hinnant's days_from_civil.
    let (mut y, m, d) = (
        i32::from(date.year()),
        i32::from(date.month()),
        i32::from(date.day()),
    );
    if m <= 2 {
        y -= 1;
    }
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number.
pub fn date_of(day: DayNumber) -> Date {
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    Date::new(y as i16, m as i8, d as i8).expect("day number within jiff's range")
}

/// Monday = 0 … Sunday = 6.
pub fn weekday_index(day: DayNumber) -> usize {
    // 1970-01-01 was a Thursday (index 3).
    (day + 3).rem_euclid(7) as usize
}

/// The Monday of the ISO week of `day`.
pub fn monday_of(day: DayNumber) -> DayNumber {
    day - weekday_index(day) as DayNumber
}

/// The first day (1 August) of the school year that holds `date`.
pub fn school_year_start(date: Date) -> Date {
    let year = if date.month() >= 8 {
        date.year()
    } else {
        date.year() - 1
    };
    Date::new(year, 8, 1).expect("1 August exists")
}

/// The last day (31 July) of the school year that holds `date`.
pub fn school_year_end(date: Date) -> Date {
    let year = if date.month() >= 8 {
        date.year() + 1
    } else {
        date.year()
    };
    Date::new(year, 7, 31).expect("31 July exists")
}

/// `n` working days (Monday–Friday) after `date`, `date` itself not counted (docs/spec/rules.md §3).
pub fn add_working_days(date: Date, n: u32) -> Date {
    let mut day = day_number(date);
    let mut left = n;
    while left > 0 {
        day += 1;
        if weekday_index(day) < 5 {
            left -= 1;
        }
    }
    date_of(day)
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm, also
/// known as Meeus/Jones/Butcher). The rules never close a day by themselves (only `[[closed]]`
/// does, docs/spec/rules.md §1); this is for tools that propose a school's vrije dagen (Goede
/// Vrijdag, Tweede Paasdag, Hemelvaart, Tweede Pinksterdag), such as `verzuim generate`.
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).expect("Easter falls in March or April")
}

/// One day of a schedule, precomputed.
#[derive(Debug, Clone, Copy, Default)]
struct DayInfo {
    /// Lesson minutes of the day; 0: not a lesson day.
    minutes: u16,
    /// Number of lesson days in the range before this day.
    lesson_ord: u32,
    /// Number of lesweken in the range before this day's week.
    lesweek: u32,
    /// Number of lesson-calendar days (days of lesweken) in the range before this day.
    lcal: u32,
    /// Whether this day's ISO week is a lesweek.
    in_lesweek: bool,
}

/// The lesson calendar of one schedule (the school's default times or a group's own) over the
/// calendar's range.
#[derive(Debug, Clone)]
pub struct GroupCalendar {
    first: DayNumber,
    /// The weekly times in force now (also beyond the range).
    week: WeekTimes,
    /// Earlier weekly times: `(until, week)`, oldest first (`School::earlier_times`).
    earlier: Vec<(DayNumber, WeekTimes)>,
    days: Vec<DayInfo>,
    /// Day offsets of the lesson days, in order: `lesson_days[ord]`.
    lesson_days: Vec<u32>,
    /// Day offsets of the Monday of each lesweek, in order.
    lesweek_mondays: Vec<u32>,
    /// Day offsets of the lesson-calendar days, in order: `lcal_days[lcal]`.
    lcal_days: Vec<u32>,
}

/// A school's calendar over a range of whole ISO weeks: closed days and one [`GroupCalendar`]
/// per schedule.
#[derive(Debug, Clone)]
pub struct SchoolCalendar {
    first: DayNumber,
    closed_days: Vec<bool>,
    closed: Vec<ClosedPeriod>,
    default: GroupCalendar,
    groups: BTreeMap<String, GroupCalendar>,
}

impl SchoolCalendar {
    /// The calendar of `school` covering at least `from..=until`, widened to whole school years
    /// (1 August – 31 July) and whole ISO weeks, so windows that look back or ahead a few weeks
    /// stay inside it.
    pub fn new(school: &School, from: Date, until: Date) -> Self {
        let (from, until) = if from <= until {
            (from, until)
        } else {
            (until, from)
        };
        let first = monday_of(day_number(school_year_start(from)) - 7 * 6);
        let last = monday_of(day_number(school_year_end(until)) + 7 * 6) + 6;
        let len = (last - first + 1) as usize;
        let mut closed_days = vec![false; len];
        for period in &school.closed {
            let a = (day_number(period.from) - first).max(0);
            let b = (day_number(period.until) - first).min(len as i32 - 1);
            for d in a..=b {
                closed_days[d as usize] = true;
            }
        }
        // No group is named "": its history is the school's default times.
        let default = GroupCalendar::build(first, &closed_days, school.week_times_history(""));
        let groups = school
            .group_names()
            .into_iter()
            .map(|name| {
                let cal =
                    GroupCalendar::build(first, &closed_days, school.week_times_history(&name));
                (name, cal)
            })
            .collect();
        SchoolCalendar {
            first,
            closed_days,
            closed: school.closed.clone(),
            default,
            groups,
        }
    }

    /// The schedule of `group`: its own calendar, or the school's default when the group has no
    /// `lesson_times.groups` entry.
    pub fn group(&self, group: &str) -> &GroupCalendar {
        self.groups.get(group).unwrap_or(&self.default)
    }

    /// The first and last day of the range.
    pub fn range(&self) -> (Date, Date) {
        (
            date_of(self.first),
            date_of(self.first + self.closed_days.len() as i32 - 1),
        )
    }

    /// Whether `date` lies in a closed period (also outside the precomputed range).
    pub fn is_closed(&self, date: Date) -> bool {
        let off = day_number(date) - self.first;
        if off >= 0 && (off as usize) < self.closed_days.len() {
            return self.closed_days[off as usize];
        }
        self.closed
            .iter()
            .any(|p| p.from <= date && date <= p.until)
    }

    /// The closed periods of the school.
    pub fn closed_periods(&self) -> &[ClosedPeriod] {
        &self.closed
    }

    /// The first lesson day of `group` on or after `date`, searching beyond the range with the
    /// weekly times and closed periods (at most ten years ahead).
    pub fn first_lesson_day_on_or_after(&self, group: &str, date: Date) -> Option<Date> {
        let cal = self.group(group);
        if cal.week.0.iter().all(|t| t.is_empty()) {
            return None;
        }
        let start = day_number(date);
        (start..start + 3660)
            .find(|&d| {
                let has_times = cal.week.0[weekday_index(d)].iter().any(|t| t.minutes() > 0);
                has_times && !self.is_closed(date_of(d))
            })
            .map(date_of)
    }
}

/// The weekly times that apply on `day`: the first earlier set whose `until` lies after it, or
/// the times in force now.
fn times_on<'a>(
    earlier: &'a [(DayNumber, WeekTimes)],
    now: &'a WeekTimes,
    day: DayNumber,
) -> &'a WeekTimes {
    earlier
        .iter()
        .find(|(until, _)| day < *until)
        .map_or(now, |(_, week)| week)
}

impl GroupCalendar {
    /// `history`: `(until, week)` per earlier set of times and `(None, week)` last, as
    /// [`School::week_times_history`] gives it.
    fn build(
        first: DayNumber,
        closed_days: &[bool],
        history: Vec<(Option<Date>, WeekTimes)>,
    ) -> Self {
        let mut earlier: Vec<(DayNumber, WeekTimes)> = Vec::new();
        let mut week = WeekTimes::default();
        for (until, times) in history {
            match until {
                Some(until) => earlier.push((day_number(until), times)),
                None => week = times,
            }
        }
        let len = closed_days.len();
        let mut days = vec![DayInfo::default(); len];
        for (off, day) in days.iter_mut().enumerate() {
            if !closed_days[off] {
                let times = &times_on(&earlier, &week, first + off as i32).0[off % 7];
                day.minutes = times.iter().map(|t| t.minutes() as u16).sum();
            }
        }
        let mut lesson_days = Vec::new();
        let mut lesweek_mondays = Vec::new();
        let mut lcal_days = Vec::new();
        for monday in (0..len).step_by(7) {
            let end = (monday + 7).min(len);
            let in_lesweek = days[monday..end].iter().any(|d| d.minutes > 0);
            if in_lesweek {
                lesweek_mondays.push(monday as u32);
            }
            for (off, info) in days.iter_mut().enumerate().take(end).skip(monday) {
                info.in_lesweek = in_lesweek;
                info.lesson_ord = lesson_days.len() as u32;
                info.lesweek = if in_lesweek {
                    lesweek_mondays.len() as u32 - 1
                } else {
                    lesweek_mondays.len() as u32
                };
                info.lcal = lcal_days.len() as u32;
                if in_lesweek {
                    lcal_days.push(off as u32);
                }
                if info.minutes > 0 {
                    lesson_days.push(off as u32);
                }
            }
        }
        GroupCalendar {
            first,
            week,
            earlier,
            days,
            lesson_days,
            lesweek_mondays,
            lcal_days,
        }
    }

    fn offset(&self, day: DayNumber) -> Option<usize> {
        let off = day - self.first;
        (off >= 0 && (off as usize) < self.days.len()).then_some(off as usize)
    }

    fn info(&self, day: DayNumber) -> Option<&DayInfo> {
        self.offset(day).map(|o| &self.days[o])
    }

    fn day_at(&self, off: u32) -> DayNumber {
        self.first + off as i32
    }

    /// Whether `day` lies inside the precomputed range.
    pub fn contains(&self, day: DayNumber) -> bool {
        self.offset(day).is_some()
    }

    /// The lesson time of a day: the weekday's times, or nothing on a closed day or outside the
    /// range.
    pub fn lesson_times(&self, day: DayNumber) -> &[TimeRange] {
        match self.info(day) {
            Some(info) if info.minutes > 0 => {
                &times_on(&self.earlier, &self.week, day).0[weekday_index(day)]
            }
            _ => &[],
        }
    }

    /// Lesson minutes of a day (0: not a lesson day).
    pub fn lesson_minutes(&self, day: DayNumber) -> Minutes {
        self.info(day).map_or(0, |i| Minutes::from(i.minutes))
    }

    pub fn is_lesson_day(&self, day: DayNumber) -> bool {
        self.lesson_minutes(day) > 0
    }

    /// The position of a lesson day among the lesson days (consecutive lesson days differ by
    /// one); for another day, the position of the next lesson day.
    pub fn lesson_ord(&self, day: DayNumber) -> u32 {
        self.info(day).map_or(0, |i| i.lesson_ord)
    }

    /// The lesson day at position `ord`.
    pub fn lesson_day(&self, ord: u32) -> Option<DayNumber> {
        self.lesson_days
            .get(ord as usize)
            .map(|&off| self.day_at(off))
    }

    /// The last lesson day strictly before `day`.
    pub fn lesson_day_before(&self, day: DayNumber) -> Option<DayNumber> {
        let ord = self.lesson_ord(day);
        ord.checked_sub(1).and_then(|o| self.lesson_day(o))
    }

    /// The first lesson day strictly after `day`.
    pub fn lesson_day_after(&self, day: DayNumber) -> Option<DayNumber> {
        let info = self.info(day)?;
        let ord = info.lesson_ord + u32::from(info.minutes > 0);
        self.lesson_day(ord)
    }

    /// The lesweek index of the week of `day` (for a week without lessons: the next lesweek's).
    pub fn lesweek(&self, day: DayNumber) -> u32 {
        self.info(day).map_or(0, |i| i.lesweek)
    }

    /// Whether the ISO week of `day` is a lesweek.
    pub fn in_lesweek(&self, day: DayNumber) -> bool {
        self.info(day).is_some_and(|i| i.in_lesweek)
    }

    /// The Monday of lesweek `index`.
    pub fn lesweek_monday(&self, index: u32) -> Option<DayNumber> {
        self.lesweek_mondays
            .get(index as usize)
            .map(|&off| self.day_at(off))
    }

    /// The lesson-calendar day number of `day` (for a day in a week without lessons: that of the
    /// next lesweek's Monday).
    pub fn lcal(&self, day: DayNumber) -> u32 {
        self.info(day).map_or(0, |i| i.lcal)
    }

    /// The day at lesson-calendar position `lcal`.
    pub fn lcal_day(&self, lcal: u32) -> Option<DayNumber> {
        self.lcal_days
            .get(lcal as usize)
            .map(|&off| self.day_at(off))
    }

    /// The last lesson day on or before `day`.
    pub fn last_lesson_day_on_or_before(&self, day: DayNumber) -> Option<DayNumber> {
        if self.is_lesson_day(day) {
            Some(day)
        } else {
            self.lesson_day_before(day)
        }
    }

    /// Number of days (lesson calendar) from `from` to `to`.
    pub fn lcal_between(&self, from: DayNumber, to: DayNumber) -> i64 {
        i64::from(self.lcal(to)) - i64::from(self.lcal(from))
    }
}

/// The weekday of a date as index, Monday = 0.
pub fn weekday_of(date: Date) -> usize {
    match date.weekday() {
        Weekday::Monday => 0,
        Weekday::Tuesday => 1,
        Weekday::Wednesday => 2,
        Weekday::Thursday => 3,
        Weekday::Friday => 4,
        Weekday::Saturday => 5,
        Weekday::Sunday => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClosedKind;
    use jiff::civil::date;

    fn school() -> School {
        let day = vec![TimeRange::new(510, 720), TimeRange::new(765, 900)];
        let mut lesson_times = WeekTimes::default();
        for d in 0..5 {
            lesson_times.0[d] = day.clone();
        }
        School {
            id: "t".into(),
            name: "t".into(),
            lesson_times,
            closed: vec![ClosedPeriod {
                name: "Herfstvakantie".into(),
                kind: ClosedKind::Vakantie,
                from: date(2026, 10, 17),
                until: date(2026, 10, 25),
            }],
            ..School::default()
        }
    }

    #[test]
    fn day_numbers_round_trip() {
        for d in [
            date(1970, 1, 1),
            date(2000, 2, 29),
            date(2026, 8, 1),
            date(1969, 12, 31),
            date(2100, 3, 1),
        ] {
            assert_eq!(date_of(day_number(d)), d);
            assert_eq!(weekday_index(day_number(d)), weekday_of(d));
        }
        assert_eq!(day_number(date(1970, 1, 2)), 1);
    }

    /// Issue 10.2: a change of lesson times applies from its date on; the days before keep the
    /// minutes of the times that applied then, for the school and for a group.
    #[test]
    fn lesson_times_changed_from_a_date_keep_the_days_before() {
        let mut school = school();
        let mut shorter = school.lesson_times.clone();
        shorter.0[4] = vec![TimeRange::new(510, 720)];
        let mut groups = BTreeMap::new();
        let mut own = crate::model::GroupTimes::default();
        own.0[2] = Some(Vec::new());
        groups.insert("1".to_string(), own);
        school.set_times_from(date(2026, 11, 2), shorter, groups);
        let cal = SchoolCalendar::new(&school, date(2026, 9, 1), date(2027, 6, 1));
        let before = day_number(date(2026, 10, 30)); // a Friday before the change
        let after = day_number(date(2026, 11, 6)); // a Friday after it
        assert_eq!(cal.group("3").lesson_minutes(before), 345);
        assert_eq!(cal.group("3").lesson_minutes(after), 210);
        assert_eq!(cal.group("3").lesson_times(after).len(), 1);
        // Group 1 has no lessons on Wednesdays from the change on, but had them before.
        let wed_before = day_number(date(2026, 10, 28));
        let wed_after = day_number(date(2026, 11, 4));
        assert_eq!(cal.group("1").lesson_minutes(wed_before), 345);
        assert_eq!(cal.group("1").lesson_minutes(wed_after), 0);
        assert_eq!(school.week_times_on("1", date(2026, 10, 28)).0[2].len(), 2);
        assert!(school.week_times_on("1", date(2026, 11, 4)).0[2].is_empty());
    }

    /// A second change before the first one's date replaces it; setting the same times again
    /// adds no history.
    #[test]
    fn a_later_change_from_an_earlier_date_replaces_the_times_after_it() {
        let mut school = school();
        let original = school.lesson_times.clone();
        let mut short = original.clone();
        short.0[4] = vec![TimeRange::new(510, 720)];
        school.set_times_from(date(2027, 1, 4), short.clone(), BTreeMap::new());
        assert_eq!(school.earlier_times.len(), 1);
        let mut shorter = original.clone();
        shorter.0[4] = vec![TimeRange::new(510, 600)];
        school.set_times_from(date(2026, 11, 2), shorter.clone(), BTreeMap::new());
        assert_eq!(school.earlier_times.len(), 1);
        assert_eq!(school.earlier_times[0].until, date(2026, 11, 2));
        assert_eq!(school.earlier_times[0].lesson_times, original);
        assert_eq!(school.week_times_on("x", date(2027, 2, 5)), shorter);
        school.set_times_from(date(2027, 3, 1), shorter.clone(), BTreeMap::new());
        assert_eq!(school.earlier_times.len(), 1);
    }

    #[test]
    fn holiday_week_is_not_a_lesweek() {
        let cal = SchoolCalendar::new(&school(), date(2026, 9, 1), date(2026, 12, 1));
        let g = cal.group("any");
        let fri = day_number(date(2026, 10, 16));
        let mon_holiday = day_number(date(2026, 10, 19));
        let mon_after = day_number(date(2026, 10, 26));
        assert!(g.is_lesson_day(fri));
        assert!(!g.is_lesson_day(mon_holiday));
        assert!(!g.in_lesweek(mon_holiday));
        assert_eq!(g.lesweek(mon_after), g.lesweek(fri) + 1);
        // The lesson calendar cuts the holiday week out: Friday to the next Monday is 3 days.
        assert_eq!(g.lcal_between(fri, mon_after), 3);
        assert_eq!(g.lesson_ord(mon_after), g.lesson_ord(fri) + 1);
        assert_eq!(g.lesson_day_after(fri), Some(mon_after));
        assert_eq!(g.lesson_minutes(fri), 345);
    }

    /// Easter Sundays from the published tables.
    #[test]
    fn easter() {
        for (year, expected) in [
            (2000, date(2000, 4, 23)),
            (2008, date(2008, 3, 23)),
            (2019, date(2019, 4, 21)),
            (2024, date(2024, 3, 31)),
            (2027, date(2027, 3, 28)),
            (2038, date(2038, 4, 25)),
        ] {
            assert_eq!(easter_sunday(year), expected, "{year}");
        }
    }

    #[test]
    fn working_days_skip_weekends() {
        // Thursday + 5 working days = next Thursday.
        assert_eq!(add_working_days(date(2026, 10, 8), 5), date(2026, 10, 15));
        assert_eq!(add_working_days(date(2026, 10, 9), 1), date(2026, 10, 12));
    }

    #[test]
    fn first_lesson_day_beyond_range() {
        let cal = SchoolCalendar::new(&school(), date(2026, 9, 1), date(2026, 12, 1));
        assert_eq!(
            cal.first_lesson_day_on_or_after("x", date(2030, 6, 1)),
            Some(date(2030, 6, 3))
        );
        assert_eq!(
            cal.first_lesson_day_on_or_after("x", date(2026, 10, 17)),
            Some(date(2026, 10, 26))
        );
    }
}
