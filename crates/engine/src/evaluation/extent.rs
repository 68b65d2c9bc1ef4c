//! The content of a melding: the absence as known when the school makes it.
//!
//! docs/spec/rules.md §7: a melding's legal content is "the kind of verzuim, the start and end
//! date, the hours" (Leerplichtwet 1969 art. 21a: the school reports the verzuim; DUO
//! "soorten verzuim": end dates required). A signal arises on the rule's date (§2) and carries
//! the absence up to that date; the melding is made later (within the card's 5 working days, or
//! later still) and reports the absence as the school knows it **then**:
//!
//! - `luxe_verzuim` (card row "Luxe verzuim"): the whole run of consecutive lesson days with
//!   `luxe` absence time that begins on the signal's date, up to the melding's date;
//! - the sick-report kinds (card rows "Ziekte: elke ziekmelding", "> 2 weken",
//!   "3e ziekmelding in 3 maanden"): the whole sick report the signal belongs to (§6), up to the
//!   melding's date;
//! - `relatief_verzuim` (card row "Relatief verzuim"): the window's unauthorized absence from the
//!   signal's first counted day (§3) up to the melding's date;
//! - `langdurig_relatief_verzuim` (card row "Langdurig relatief verzuim"): the whole run of fully
//!   absent lesson days from its start (§4), up to the melding's date.
//!
//! Other kinds (lateness, events, absoluut verzuim) have no absence time to extend: `None`, and
//! the melding keeps the signal's own content. The signal's date never moves: only the melding's
//! period, minutes and evidence are computed here.

use jiff::civil::Date;

use crate::calendar::{DayNumber, day_number};
use crate::model::{Code, Evidence, Minutes, Period, PupilRecord, SignalKind};

use super::{Evaluator, Piece, PupilContext, evidence_of, period};

/// A melding's content: its first and last day, the minutes of absence in it, and the
/// registrations that make it (with the minutes each contributed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extent {
    pub period: Period,
    pub minutes: Minutes,
    pub evidence: Vec<Evidence>,
}

impl Evaluator<'_> {
    /// The content of a melding for the signal of `kind` on `date` (with the signal's `period`,
    /// where it has one) made on `as_of`: see the module's doc. `None` for a kind without
    /// absence time, or when the record no longer holds the signal's absence.
    pub fn melding_extent(
        &self,
        record: &PupilRecord,
        kind: SignalKind,
        date: Date,
        signal_period: Option<Period>,
        as_of: Date,
    ) -> Option<Extent> {
        let ctx = PupilContext::new(self, record);
        let start = day_number(signal_period.map_or(date, |p| p.from));
        let signal_day = day_number(date);
        let until = day_number(as_of.max(date));
        let pieces: Vec<&Piece> = match kind {
            SignalKind::LuxeVerzuim => run(
                &ctx,
                ctx.leerplicht_pieces().filter(|p| p.code == Code::Luxe),
                signal_day,
                until,
                false,
            ),
            SignalKind::LangdurigRelatiefVerzuim => run(
                &ctx,
                ctx.leerplicht_pieces()
                    .filter(|p| ctx.is_unauthorized(p.code)),
                start,
                until,
                true,
            ),
            SignalKind::RelatiefVerzuim => ctx
                .leerplicht_pieces()
                .filter(|p| ctx.is_unauthorized(p.code) && start <= p.day && p.day <= until)
                .collect(),
            SignalKind::Ziekmelding
            | SignalKind::ZiekLangerDan2Weken
            | SignalKind::Ziek3eMeldingIn3Maanden => {
                let (sick, reports) = super::ziek::reports(&ctx);
                let report = reports
                    .iter()
                    .find(|r| r.start_day <= signal_day && signal_day <= r.last_day)?;
                sick[report.first..report.end]
                    .iter()
                    .copied()
                    .filter(|p| p.day <= until)
                    .collect()
            }
            _ => return None,
        };
        let first = pieces.first()?.day;
        let last = pieces.last()?.day;
        let (evidence, minutes) = evidence_of(record, pieces);
        Some(Extent {
            period: period(first, last)?,
            minutes,
            evidence,
        })
    }
}

/// The pieces of the run of consecutive lesson days that begins on `start` (days without lessons
/// neither break nor extend it) and ends at the first lesson day without such a piece, or on
/// `until`. `full`: a day belongs to the run only when the pieces cover all its lesson time.
fn run<'p>(
    ctx: &PupilContext,
    pieces: impl Iterator<Item = &'p Piece>,
    start: DayNumber,
    until: DayNumber,
    full: bool,
) -> Vec<&'p Piece> {
    let pieces: Vec<&Piece> = pieces
        .filter(|p| start <= p.day && p.day <= until)
        .collect();
    let mut out = Vec::new();
    let mut last: Option<DayNumber> = None;
    let mut i = 0;
    while i < pieces.len() {
        let day = pieces[i].day;
        let begin = i;
        let mut minutes = 0;
        while i < pieces.len() && pieces[i].day == day {
            minutes += pieces[i].minutes;
            i += 1;
        }
        let follows = match last {
            None => day == start,
            Some(l) => ctx.cal.lesson_ord(day) == ctx.cal.lesson_ord(l) + 1,
        };
        if !follows || (full && minutes < ctx.cal.lesson_minutes(day)) {
            break;
        }
        out.extend_from_slice(&pieces[begin..i]);
        last = Some(day);
    }
    out
}

/// Hand-computed cases on the scenario school (345 minutes on Monday, Tuesday, Thursday and
/// Friday, 225 on Wednesday; herfstvakantie 17-25 October 2026).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testkit::*;
    use crate::model::Code::{Geoorloofd, Luxe, Ongeoorloofd, Ziek};

    fn extent(record: &PupilRecord, kind: SignalKind, as_of: &str) -> Option<Extent> {
        let card = twente();
        let ev = Evaluator::new(&card, &school(), d("2026-08-01"), d("2027-07-31"));
        let signal = ev
            .evaluate(record)
            .into_iter()
            .find(|s| s.kind == kind)
            .expect("the signal");
        ev.melding_extent(record, kind, signal.date, signal.period, d(as_of))
    }

    fn p(from: &str, to: &str) -> Period {
        Period {
            from: d(from),
            to: d(to),
        }
    }

    /// Luxe verzuim Monday 5 t/m Tuesday 6 October 2026 (2 × 345): the signal is Monday's
    /// (345 minutes); a melding made on Wednesday reports both days, 690 minutes.
    #[test]
    fn a_luxe_melding_reports_the_whole_run() {
        let r = record(vec![days(Luxe, "2026-10-05", "2026-10-06")]);
        let e = extent(&r, SignalKind::LuxeVerzuim, "2026-10-07").unwrap();
        assert_eq!(e.period, p("2026-10-05", "2026-10-06"));
        assert_eq!(e.minutes, 690);
        assert_eq!(
            e.evidence,
            [Evidence::Registration {
                index: 0,
                minutes: 690
            }]
        );
        // Made on the signal's own day: only what is known then.
        let same_day = extent(&r, SignalKind::LuxeVerzuim, "2026-10-05").unwrap();
        assert_eq!(same_day.period, p("2026-10-05", "2026-10-05"));
        assert_eq!(same_day.minutes, 345);
    }

    /// A run ends at the first lesson day without luxe; a later luxe day is another run.
    #[test]
    fn a_luxe_run_ends_at_a_lesson_day_without_luxe() {
        let r = record(vec![
            day(Luxe, "2026-10-09"),
            day(Luxe, "2026-10-12"),
            day(Geoorloofd, "2026-10-13"),
            day(Luxe, "2026-10-14"),
        ]);
        let e = extent(&r, SignalKind::LuxeVerzuim, "2026-10-16").unwrap();
        assert_eq!(e.period, p("2026-10-09", "2026-10-12"));
        assert_eq!(e.minutes, 690);
    }

    /// A sick report Thursday 1 t/m Wednesday 7 October: `ziekmelding` on the 1st (345
    /// minutes); the melding reports the whole report, 4 × 345 + 225 = 1,605 minutes.
    #[test]
    fn a_sick_report_melding_reports_the_whole_report() {
        let r = record(vec![days(Ziek, "2026-10-01", "2026-10-07")]);
        let e = extent(&r, SignalKind::Ziekmelding, "2026-10-08").unwrap();
        assert_eq!(e.period, p("2026-10-01", "2026-10-07"));
        assert_eq!(e.minutes, 1605);
    }

    /// Relatief verzuim: 16 hours by Thursday 10 September; unauthorized absence on Friday 11
    /// and Monday 14 September is known when the school melds on Tuesday 15.
    #[test]
    fn a_relatief_melding_reports_the_window_up_to_the_melding() {
        let r = record(vec![
            days(Ongeoorloofd, "2026-09-07", "2026-09-08"),
            times(Ongeoorloofd, "2026-09-10", "08:30", "12:00"),
            times(Ongeoorloofd, "2026-09-10", "12:45", "13:45"),
            day(Ongeoorloofd, "2026-09-14"),
            day(Ziek, "2026-09-15"),
        ]);
        let e = extent(&r, SignalKind::RelatiefVerzuim, "2026-09-15").unwrap();
        assert_eq!(e.period, p("2026-09-07", "2026-09-14"));
        assert_eq!(e.minutes, 960 + 345);
    }
}
