//! Signals from events the school records by hand.
//!
//! - `zorg_ziekte`: card "** Ziekte", row "Leerling voldoet niet aan bovengenoemde criteria, maar
//!   ziekmelding is reden tot zorg" (referral to GGD-JGZ).
//! - `overig_verzuim`: card "Overig verzuim", "Elk verzuim gerelateerd aan (vermoedelijk)
//!   achterliggende problematiek"; Leerplichtwet 1969 art. 21a.
//! - `verwijdering`: card "Verwijdering"; Wet op het primair onderwijs art. 40 (removal only
//!   once another school has agreed to admit the pupil); Leerplichtwet 1969 art. 18.
//!
//! rules.md §2: each arises on the event's date.

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
