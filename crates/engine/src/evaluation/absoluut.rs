//! Absoluut verzuim: a pupil deregistered with no next school.
//!
//! Card row "Absoluut verzuim" ("Een leerling staat niet (meer) ingeschreven op een school";
//! the school melds "indien bekend"); Leerplichtwet 1969 art. 2 and 18 (deregistration is
//! reported to the municipality); rules.md §2. The signal arises on the later of the day after
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
