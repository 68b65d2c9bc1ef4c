//! Signals from events the school records by hand.
//!
//! - `zorg_ziekte`: card "** Ziekte", row "Leerling voldoet niet aan bovengenoemde criteria, maar
//!   ziekmelding is reden tot zorg" (referral to GGD-JGZ).
//! - `overig_verzuim`: card "Overig verzuim", "Elk verzuim gerelateerd aan (vermoedelijk)
//!   achterliggende problematiek"; Leerplichtwet 1969 art. 21a.
//! - `verwijdering`: card "Verwijdering"; Wet op het primair onderwijs art. 40 (removal only
//!   once another school has agreed to admit the pupil); Leerplichtwet 1969 art. 18.
//!
//! docs/spec/rules.md §2: each arises on the event's date.

use crate::calendar::day_number;
use crate::card::Rules;
use crate::model::{EventKind, Evidence, Signal, SignalKind};

use super::PupilContext;

pub(super) fn evaluate(ctx: &PupilContext, rules: &Rules, out: &mut Vec<Signal>) {
    for (index, event) in ctx.record.events.iter().enumerate() {
        let (kind, row) = match event.kind {
            EventKind::ZorgZiekte => (SignalKind::ZorgZiekte, rules.zorg_ziekte.as_ref()),
            EventKind::OverigVerzuim => (SignalKind::OverigVerzuim, rules.overig_verzuim.as_ref()),
            EventKind::Verwijdering => (SignalKind::Verwijdering, rules.verwijdering.as_ref()),
        };
        let Some(row) = row else { continue };
        let mut signal = ctx.signal(kind, row, day_number(event.date));
        signal.evidence = vec![Evidence::Event { index }];
        out.push(signal);
    }
}

/// docs/spec/rules.md §2: each event is a signal on its own date, with the event as evidence; a
/// card without the row raises nothing.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testkit::*;

    #[test]
    fn each_event_on_its_date() {
        let mut record = record(Vec::new());
        record.events = vec![
            event(EventKind::OverigVerzuim, "2026-11-02"),
            event(EventKind::ZorgZiekte, "2026-10-05"),
            event(EventKind::Verwijdering, "2027-01-11"),
        ];
        let found: Vec<(SignalKind, String, Vec<Evidence>)> = evaluate_with(&twente(), &record)
            .into_iter()
            .map(|s| (s.kind, s.date.to_string(), s.evidence))
            .collect();
        assert_eq!(
            found,
            [
                (
                    SignalKind::ZorgZiekte,
                    "2026-10-05".to_string(),
                    vec![Evidence::Event { index: 1 }]
                ),
                (
                    SignalKind::OverigVerzuim,
                    "2026-11-02".to_string(),
                    vec![Evidence::Event { index: 0 }]
                ),
                (
                    SignalKind::Verwijdering,
                    "2027-01-11".to_string(),
                    vec![Evidence::Event { index: 2 }]
                ),
            ]
        );
        let mut card = twente();
        card.rules.overig_verzuim = None;
        let kinds: Vec<SignalKind> = evaluate_with(&card, &record)
            .into_iter()
            .map(|s| s.kind)
            .collect();
        assert_eq!(kinds, [SignalKind::ZorgZiekte, SignalKind::Verwijdering]);
    }
}
