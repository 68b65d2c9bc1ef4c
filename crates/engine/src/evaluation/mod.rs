//! Evaluation: a pupil's registrations and events -> the card's signals, with evidence and the
//! actions per party (docs/spec/rules.md §2–§7).
//!
//! [`Evaluator::evaluate`] is a pure, deterministic function of (card, school calendar, pupil,
//! registrations, events), linear in the number of registration days. It does not depend on the
//! order of the registrations or events: both are put in a canonical order first.
//!
//! One module per rule kind; each cites its card row and the law it implements.

mod absoluut;
mod events;
mod extent;
mod langdurig;
mod luxe;
mod progress;
mod relatief;
mod te_laat;
#[cfg(test)]
mod testkit;
mod ziek;

use jiff::civil::Date;

pub use extent::Extent;

use crate::calendar::{
    DayNumber, GroupCalendar, SchoolCalendar, add_working_days, date_of, day_number,
};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::card::{Card, CardAction, Row, render_text};
use crate::model::{
    Code, Evidence, Minutes, Period, PupilRecord, Registration, School, Signal, SignalAction,
    SignalKind, Span,
};
use crate::progress::Progress;

/// Evaluates pupils of one school against one card.
#[derive(Debug, Clone)]
pub struct Evaluator<'a> {
    card: &'a Card,
    calendar: SchoolCalendar,
    /// Each card action's text rendered for a pupil below and from the pupil phrase's age,
    /// keyed by the action's address: signals share these instead of owning a copy.
    texts: HashMap<usize, [Arc<str>; 2]>,
    /// The actions of a row for a pupil's age (and, where an action has a deadline, the
    /// signal's date), made once and shared by every signal that has them: a region's signals
    /// hold a pointer each, not a list of their own.
    actions: ActionLists,
}

/// Which action list: (row address, age, date where a deadline depends on it).
type ActionKey = (usize, u8, DayNumber);

/// Action lists by [`ActionKey`].
#[derive(Debug, Default)]
struct ActionLists(RwLock<HashMap<ActionKey, Arc<[SignalAction]>>>);

impl Clone for ActionLists {
    /// A clone starts empty: the lists are a cache.
    fn clone(&self) -> Self {
        ActionLists::default()
    }
}

impl ActionLists {
    fn get_or_make(
        &self,
        key: ActionKey,
        make: impl FnOnce() -> Vec<SignalAction>,
    ) -> Arc<[SignalAction]> {
        let read = self.0.read().unwrap_or_else(|e| e.into_inner());
        if let Some(list) = read.get(&key) {
            return list.clone();
        }
        drop(read);
        let list: Arc<[SignalAction]> = make().into();
        let mut write = self.0.write().unwrap_or_else(|e| e.into_inner());
        write.entry(key).or_insert(list).clone()
    }
}

impl<'a> Evaluator<'a> {
    /// An evaluator for `school` whose calendar covers `from..=until` (widened to whole school
    /// years): pass the first and last date of the data.
    pub fn new(card: &'a Card, school: &School, from: Date, until: Date) -> Self {
        let from_age = card.pupil_phrase.as_ref().map_or(12, |p| p.from_age);
        let texts = card
            .rules
            .all_rows()
            .into_iter()
            .flat_map(|row| &row.actions)
            .map(|a| {
                let key = a as *const CardAction as usize;
                let below = render_text(card, &a.text, from_age.saturating_sub(1));
                let from = render_text(card, &a.text, from_age);
                (key, [Arc::from(below), Arc::from(from)])
            })
            .collect();
        Evaluator {
            card,
            calendar: SchoolCalendar::new(school, from, until),
            texts,
            actions: ActionLists::default(),
        }
    }

    pub fn card(&self) -> &Card {
        self.card
    }

    /// An action's text for a pupil of `age`.
    fn text(&self, action: &CardAction, age: u8) -> Arc<str> {
        let from_age = self.card.pupil_phrase.as_ref().map_or(12, |p| p.from_age);
        match self.texts.get(&(action as *const CardAction as usize)) {
            Some(texts) => texts[usize::from(age >= from_age)].clone(),
            None => Arc::from(render_text(self.card, &action.text, age)),
        }
    }

    pub fn calendar(&self) -> &SchoolCalendar {
        &self.calendar
    }

    /// All signals of one pupil, sorted by date, then kind.
    pub fn evaluate(&self, record: &PupilRecord) -> Vec<Signal> {
        let ctx = PupilContext::new(self, record);
        let mut out = Vec::new();
        let rules = &self.card.rules;
        if let Some(row) = &rules.absoluut_verzuim {
            absoluut::evaluate(&ctx, row, &mut out);
        }
        if let Some(rule) = &rules.relatief_verzuim {
            relatief::evaluate(&ctx, rule, &mut out);
        }
        if let Some(rule) = &rules.langdurig_relatief_verzuim {
            langdurig::evaluate(&ctx, rule, &mut out);
        }
        if let Some(row) = &rules.luxe_verzuim {
            luxe::evaluate_luxe(&ctx, row, &mut out);
        }
        if let Some(rule) = &rules.mogelijk_luxe_verzuim {
            luxe::evaluate_mogelijk(&ctx, rule, &mut out);
        }
        if let Some(rule) = &rules.te_laat {
            te_laat::evaluate(&ctx, rule, &mut out);
        }
        ziek::evaluate(&ctx, rules, &mut out);
        events::evaluate(&ctx, rules, &mut out);
        out.sort_by_key(|s| (s.date, s.kind));
        out
    }

    /// The pupil's progress toward each threshold as of `as_of` (early warning). Only what is
    /// still counting: a threshold already signalled and restarted starts from zero.
    pub fn progress(&self, record: &PupilRecord, as_of: Date) -> Vec<Progress> {
        let mut ctx = PupilContext::new(self, record);
        progress::evaluate(&mut ctx, as_of)
    }

    /// Pairs of registrations whose absence time overlaps: see
    /// [`SchoolCalendar::absence_overlaps`].
    pub fn absence_overlaps(&self, record: &PupilRecord) -> Vec<(usize, usize)> {
        self.calendar.absence_overlaps(record)
    }
}

impl SchoolCalendar {
    /// Pairs of registrations (indices, lower first) whose absence time overlaps: the same
    /// minutes of lesson time on the same day. Lateness is not absence time and never overlaps.
    pub fn absence_overlaps(&self, record: &PupilRecord) -> Vec<(usize, usize)> {
        let group = self.group(&record.pupil.group);
        let mut pieces: Vec<(DayNumber, u16, u16, usize)> = Vec::new();
        for (index, reg) in record.registrations.iter().enumerate() {
            if reg.code.is_lateness() {
                continue;
            }
            for_each_day(group, &reg.span, |day, times| {
                for t in times {
                    pieces.push((day, t.start, t.end, index));
                }
            });
        }
        pieces.sort_unstable();
        let mut pairs = Vec::new();
        // Sweep per day: a piece overlaps every earlier piece of that day whose end lies after
        // its start.
        let mut open: Vec<(u16, usize)> = Vec::new();
        let mut current_day = None;
        for (day, start, end, index) in pieces {
            if current_day != Some(day) {
                open.clear();
                current_day = Some(day);
            }
            open.retain(|&(e, _)| e > start);
            for &(_, other) in &open {
                if other != index {
                    pairs.push((other.min(index), other.max(index)));
                }
            }
            open.push((end, index));
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// Latenesses on a day the pupil was absent the whole day: pairs (lateness index, index of
    /// an absence registration on that day), one per lateness, lateness first. A day counts as
    /// absent the whole day when absence registrations (any code: `ziek`, `ongeoorloofd`,
    /// `luxe`, `verlof`, `geoorloofd`, `schorsing`) together cover all of its lesson time; a
    /// pupil who was not at school all day cannot arrive late (card row "Te laat komen"
    /// counts arrivals, docs/spec/rules.md §5). Days without lesson time are never absent days.
    ///
    /// `verzuim evaluate` does not refuse this (formats.md: "a lateness is not absence time, so
    /// it never overlaps an absence"); the service refuses it in the pages, the API and the
    /// import.
    pub fn latenesses_on_absent_days(&self, record: &PupilRecord) -> Vec<(usize, usize)> {
        let group = self.group(&record.pupil.group);
        let late_days: Vec<(DayNumber, usize)> = record
            .registrations
            .iter()
            .enumerate()
            .filter(|(_, r)| r.code.is_lateness())
            .map(|(i, r)| (day_number(r.span.first_date()), i))
            .filter(|&(day, _)| group.lesson_minutes(day) > 0)
            .collect();
        if late_days.is_empty() {
            return Vec::new();
        }
        // Per lateness day: the absence intervals on it and the first registration giving one.
        let mut covered: HashMap<DayNumber, (Vec<(u16, u16)>, usize)> = late_days
            .iter()
            .map(|&(day, _)| (day, (Vec::new(), usize::MAX)))
            .collect();
        for (index, reg) in record.registrations.iter().enumerate() {
            if reg.code.is_lateness() {
                continue;
            }
            for_each_day(group, &reg.span, |day, times| {
                if let Some((intervals, first)) = covered.get_mut(&day) {
                    intervals.extend(times.iter().map(|t| (t.start, t.end)));
                    *first = (*first).min(index);
                }
            });
        }
        let mut pairs = Vec::new();
        for (day, late) in late_days {
            let Some((intervals, first)) = covered.get(&day) else {
                continue;
            };
            let mut intervals = intervals.clone();
            intervals.sort_unstable();
            let all = group.lesson_times(day).iter().all(|t| {
                // Is [t.start, t.end) covered by the union of the intervals?
                let mut reached = t.start;
                for &(s, e) in &intervals {
                    if s <= reached && e > reached {
                        reached = e;
                    }
                }
                reached >= t.end
            });
            if all && *first != usize::MAX {
                pairs.push((late, *first));
            }
        }
        pairs.sort_unstable();
        pairs
    }
}

/// Calls `f` for each lesson day of `span` with the absence intervals on that day (the span
/// intersected with the day's lesson time).
fn for_each_day(
    group: &GroupCalendar,
    span: &Span,
    mut f: impl FnMut(DayNumber, &[crate::model::TimeRange]),
) {
    match *span {
        Span::Days { from, until } => {
            for day in day_number(from)..=day_number(until) {
                let times = group.lesson_times(day);
                if !times.is_empty() {
                    f(day, times);
                }
            }
        }
        Span::Times { date, from, until } => {
            let day = day_number(date);
            let until = until.unwrap_or(u16::MAX);
            let cut: Vec<crate::model::TimeRange> = group
                .lesson_times(day)
                .iter()
                .filter_map(|t| {
                    let start = t.start.max(from);
                    let end = t.end.min(until);
                    (start < end).then_some(crate::model::TimeRange::new(start, end))
                })
                .collect();
            if !cut.is_empty() {
                f(day, &cut);
            }
        }
    }
}

/// Absence time of one registration on one lesson day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Piece {
    pub day: DayNumber,
    /// Index into `PupilRecord::registrations`.
    pub reg: usize,
    pub code: Code,
    pub minutes: Minutes,
}

/// One lateness: a `te_laat` registration on a lesson day (at most one per date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lateness {
    pub day: DayNumber,
    pub reg: usize,
}

/// Everything the rules ask about one pupil, computed once.
pub(crate) struct PupilContext<'e, 'a> {
    pub ev: &'e Evaluator<'a>,
    pub record: &'e PupilRecord,
    pub cal: &'e GroupCalendar,
    /// Absence pieces on lesson days, by day, then canonical registration order.
    pub pieces: Vec<Piece>,
    /// Latenesses on lesson days, by day, one per day.
    pub lates: Vec<Lateness>,
    /// First day on which the pupil is leerplichtig (lesson days from here on).
    pub leerplicht_from: DayNumber,
    /// Last day on which the pupil is leerplichtig.
    pub leerplicht_until: DayNumber,
    pub enrolled_from: DayNumber,
    pub enrolled_until: DayNumber,
}

impl<'e, 'a> PupilContext<'e, 'a> {
    fn new(ev: &'e Evaluator<'a>, record: &'e PupilRecord) -> Self {
        let cal = ev.calendar.group(&record.pupil.group);
        // A canonical order of the registrations makes the result independent of row order.
        let mut order: Vec<usize> = (0..record.registrations.len()).collect();
        order.sort_by_key(|&i| canonical_key(&record.registrations[i], i));
        let mut pieces = Vec::new();
        let mut lates = Vec::new();
        let late_as_absence = ev.card.late_counts_as_absence;
        for &index in &order {
            let reg = &record.registrations[index];
            if reg.code.is_lateness() {
                let day = day_number(reg.span.first_date());
                if cal.is_lesson_day(day) {
                    lates.push(Lateness { day, reg: index });
                    if late_as_absence {
                        let minutes = reg.minutes_late.unwrap_or(0).min(cal.lesson_minutes(day));
                        if minutes > 0 {
                            pieces.push(Piece {
                                day,
                                reg: index,
                                code: Code::Ongeoorloofd,
                                minutes,
                            });
                        }
                    }
                }
                continue;
            }
            for_each_day(cal, &reg.span, |day, times| {
                let minutes: Minutes = times.iter().map(|t| t.minutes()).sum();
                if minutes > 0 {
                    pieces.push(Piece {
                        day,
                        reg: index,
                        code: reg.code,
                        minutes,
                    });
                }
            });
        }
        // Stable sort by day keeps the canonical registration order within a day.
        pieces.sort_by_key(|p| p.day);
        lates.sort_by_key(|l| l.day);
        lates.dedup_by_key(|l| l.day);

        let pupil = &record.pupil;
        let card = ev.card;
        let month_after =
            first_of_next_month(birthday(pupil.birth_date, card.leerplicht_start_age));
        let end_birthday = birthday(pupil.birth_date, card.leerplicht_end_age);
        let leerplicht_until = day_number(crate::calendar::school_year_end(end_birthday));
        PupilContext {
            ev,
            record,
            cal,
            pieces,
            lates,
            // On lesson days, "from the first lesson day on or after the first of the month" is
            // the same as "on or after the first of the month".
            leerplicht_from: day_number(month_after),
            leerplicht_until,
            enrolled_from: day_number(pupil.enrolled_from),
            enrolled_until: pupil.enrolled_until.map_or(DayNumber::MAX, day_number),
        }
    }

    /// Whether registrations on `day` count for the (L) rules: leerplichtig and enrolled.
    pub fn counts_for_leerplicht(&self, day: DayNumber) -> bool {
        self.leerplicht_from <= day
            && day <= self.leerplicht_until
            && self.enrolled_from <= day
            && day <= self.enrolled_until
    }

    /// Pieces that count for the (L) rules.
    pub fn leerplicht_pieces(&self) -> impl Iterator<Item = &Piece> {
        self.pieces
            .iter()
            .filter(|p| self.counts_for_leerplicht(p.day))
    }

    pub fn is_unauthorized(&self, code: Code) -> bool {
        self.ev.card.unauthorized_codes.contains(&code)
    }

    /// The pupil's age in whole years on `day` (a 29 February birthday falls on 28 February in
    /// other years).
    pub fn age_on(&self, day: DayNumber) -> u8 {
        age_on(self.record.pupil.birth_date, date_of(day))
    }

    /// The age from which the pupil takes part ("(en leerling vanaf 12 jaar)").
    pub fn participates(&self, day: DayNumber) -> bool {
        let from = self
            .ev
            .card
            .pupil_phrase
            .as_ref()
            .map_or(12, |p| p.from_age);
        self.age_on(day) >= from
    }

    /// The row's actions for a signal on `day`, with the pupil's age applied (shared with every
    /// other signal of this row, age and, where a deadline depends on it, date).
    pub fn actions(&self, row: &Row, day: DayNumber) -> Arc<[SignalAction]> {
        let age = self.age_on(day);
        let dated = row.actions.iter().any(|a| a.within_working_days.is_some());
        let key = (
            row as *const Row as usize,
            age,
            if dated { day } else { DayNumber::MIN },
        );
        self.ev.actions.get_or_make(key, || {
            let date = date_of(day);
            row.actions
                .iter()
                .filter(|a| a.only_from_age.is_none_or(|min| age >= min))
                .map(|a| SignalAction {
                    party: a.party,
                    text: self.ev.text(a, age),
                    melding: a.melding,
                    referral: a.referral,
                    due: a.within_working_days.map(|n| add_working_days(date, n)),
                    trigger: a.trigger,
                })
                .collect()
        })
    }

    /// A signal on `day` with the row's actions.
    pub fn signal(&self, kind: SignalKind, row: &Row, day: DayNumber) -> Signal {
        Signal {
            kind,
            date: date_of(day),
            count: None,
            stage: None,
            minutes: None,
            period: None,
            evidence: Vec::new(),
            pupil_participates: self.participates(day),
            actions: self.actions(row, day),
        }
    }
}

/// Sums pieces into evidence: one entry per registration, in canonical order, with its minutes;
/// returns the evidence and the total.
pub(crate) fn evidence_of<'p>(
    record: &PupilRecord,
    pieces: impl IntoIterator<Item = &'p Piece>,
) -> (Vec<Evidence>, Minutes) {
    let mut per_reg: Vec<(usize, Minutes)> = Vec::new();
    let mut total = 0;
    for p in pieces {
        total += p.minutes;
        match per_reg.iter_mut().find(|(r, _)| *r == p.reg) {
            Some((_, m)) => *m += p.minutes,
            None => per_reg.push((p.reg, p.minutes)),
        }
    }
    let mut evidence: Vec<(usize, Minutes)> = per_reg;
    sort_by_registration(record, &mut evidence);
    (
        evidence
            .into_iter()
            .map(|(index, minutes)| Evidence::Registration { index, minutes })
            .collect(),
        total,
    )
}

/// Sorts (registration index, x) pairs in the canonical registration order.
pub(crate) fn sort_by_registration<T>(record: &PupilRecord, items: &mut [(usize, T)]) {
    items.sort_by_key(|(i, _)| canonical_key(&record.registrations[*i], *i));
}

/// The canonical order of registrations: chronological (first day, start time, last day), then
/// by content; the index only breaks ties between identical rows.
fn canonical_key(r: &Registration, index: usize) -> impl Ord + use<> {
    let (first, start, last) = match r.span {
        Span::Days { from, until } => (from, 0, until),
        Span::Times { date, from, .. } => (date, from, date),
    };
    (first, start, last, r.span, r.code, r.minutes_late, index)
}

pub(crate) fn period(from: DayNumber, to: DayNumber) -> Option<Period> {
    Some(Period {
        from: date_of(from),
        to: date_of(to),
    })
}

/// The date of the `years`-th birthday; 29 February falls on 28 February in other years.
pub fn birthday(birth: Date, years: u8) -> Date {
    let year = birth.year() + i16::from(years);
    Date::new(year, birth.month(), birth.day())
        .or_else(|_| Date::new(year, birth.month(), 28))
        .expect("28th exists in every month")
}

/// Age in whole years on `date`.
pub fn age_on(birth: Date, date: Date) -> u8 {
    if date < birth {
        return 0;
    }
    let mut years = (date.year() - birth.year()) as i32;
    if years > 0 && birthday(birth, years as u8) > date {
        years -= 1;
    }
    years.clamp(0, 255) as u8
}

fn first_of_next_month(date: Date) -> Date {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    Date::new(y, m, 1).expect("first of a month exists")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn leap_day_birthdays() {
        let b = date(2016, 2, 29);
        assert_eq!(birthday(b, 5), date(2021, 2, 28));
        assert_eq!(birthday(b, 8), date(2024, 2, 29));
        assert_eq!(age_on(b, date(2021, 2, 27)), 4);
        assert_eq!(age_on(b, date(2021, 2, 28)), 5);
        assert_eq!(age_on(date(2014, 11, 3), date(2026, 11, 2)), 11);
        assert_eq!(age_on(date(2014, 11, 3), date(2026, 11, 3)), 12);
    }

    /// A lateness on a day whose lesson time is all covered by absence (one whole-day
    /// registration, or two parts that together cover the day) is found; on a day with absence
    /// for part of the day it is not.
    #[test]
    fn latenesses_on_days_absent_the_whole_day() {
        use crate::evaluation::testkit::{day, late, record, school, times};
        use crate::model::Code::{Geoorloofd, Ongeoorloofd, Ziek};
        let r = record(vec![
            day(Ziek, "2026-09-07"),
            late("2026-09-07", 5),
            times(Ongeoorloofd, "2026-09-08", "08:30", "12:00"),
            times(Geoorloofd, "2026-09-08", "12:00", "15:00"),
            late("2026-09-08", 10),
            times(Ongeoorloofd, "2026-09-10", "08:30", "10:00"),
            late("2026-09-10", 5),
            late("2026-09-12", 5),
        ]);
        let cal = SchoolCalendar::new(&school(), date(2026, 8, 1), date(2027, 7, 31));
        assert_eq!(cal.latenesses_on_absent_days(&r), [(1, 0), (4, 2)]);
    }

    #[test]
    fn month_after_birthday() {
        assert_eq!(first_of_next_month(date(2026, 12, 15)), date(2027, 1, 1));
        assert_eq!(first_of_next_month(date(2026, 1, 31)), date(2026, 2, 1));
    }
}
