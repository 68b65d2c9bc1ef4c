//! Absoluut verzuim: a pupil deregistered with no next school.
//!
//! Card row "Absoluut verzuim" ("Een leerling staat niet (meer) ingeschreven op een school";
//! the school melds "indien bekend"); Leerplichtwet 1969 art. 2 and 18 (deregistration is
//! reported to the municipality); docs/spec/rules.md §2. The signal arises on the later of the day after
//! `enrolled_until` and the first leerplichtig day, and not when leerplicht has ended by then.
//! Children who were never enrolled are the municipality's to find (BRP), not the school's.

use crate::calendar::{date_of, day_number};
use crate::card::Row;
use crate::model::{Evidence, Signal, SignalKind};

use super::PupilContext;

pub(super) fn evaluate(ctx: &PupilContext, row: &Row, out: &mut Vec<Signal>) {
    let pupil = &ctx.record.pupil;
    let Some(until) = pupil.enrolled_until else {
        return;
    };
    if pupil
        .next_school
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
    {
        return;
    }
    let Some(first_leerplichtig) = ctx
        .ev
        .calendar()
        .first_lesson_day_on_or_after(&pupil.group, date_of(ctx.leerplicht_from))
    else {
        return;
    };
    let day = (day_number(until) + 1).max(day_number(first_leerplichtig));
    if day > ctx.leerplicht_until {
        return;
    }
    let mut signal = ctx.signal(SignalKind::AbsoluutVerzuim, row, day);
    signal.evidence = vec![Evidence::Deregistration {
        enrolled_until: until,
    }];
    out.push(signal);
}

/// Hand-computed cases of docs/spec/rules.md §1 (leerplicht) and §2 (absoluut verzuim).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testkit::*;
    use crate::model::PupilRecord;

    fn deregistered(birth: &str, until: &str, next_school: Option<&str>) -> PupilRecord {
        let mut record = record(Vec::new());
        record.pupil = pupil(birth);
        record.pupil.enrolled_until = Some(d(until));
        record.pupil.next_school = next_school.map(str::to_string);
        record
    }

    /// §2: deregistered on Friday 12 March 2027 with no next school: the signal arises the day
    /// after, with the deregistration as evidence.
    #[test]
    fn the_day_after_a_deregistration_without_a_next_school() {
        let found = signals(
            SignalKind::AbsoluutVerzuim,
            &deregistered("2016-03-10", "2027-03-12", None),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].date, d("2027-03-13"));
        let evidence = vec![Evidence::Deregistration {
            enrolled_until: d("2027-03-12"),
        }];
        assert_eq!(found[0].evidence, evidence);
        let known = deregistered("2016-03-10", "2027-03-12", Some("OBS De Es"));
        assert!(signals(SignalKind::AbsoluutVerzuim, &known).is_empty());
    }

    /// §1: a pupil who turns 5 on 20 March 2027 is leerplichtig from the first lesson day on or
    /// after 1 April 2027 (a Thursday), so the signal waits until then.
    #[test]
    fn not_before_leerplicht_begins() {
        let record = deregistered("2022-03-20", "2027-03-12", None);
        assert_eq!(dates(SignalKind::AbsoluutVerzuim, &record), ["2027-04-01"]);
    }

    /// §1: leerplicht ends on 31 July of the school year in which the pupil turns 16: a pupil
    /// born on 1 May 2010 is no longer leerplichtig on 1 August 2026.
    #[test]
    fn none_when_leerplicht_has_ended() {
        let record = deregistered("2010-05-01", "2026-07-31", None);
        assert!(signals(SignalKind::AbsoluutVerzuim, &record).is_empty());
        let younger = deregistered("2010-08-01", "2026-07-31", None);
        assert_eq!(dates(SignalKind::AbsoluutVerzuim, &younger), ["2026-08-01"]);
    }
}
