//! The chains of the card: which signal kinds belong to one line of escalation, so that one case
//! (dossier) follows one chain and a signal of another chain opens its own case (issue 10.6,
//! docs/workflow.md "Cases and their chains").
//!
//! The chains are the card's own blocks (docs/spec/card-twente-po.txt): "WETTELIJK VERZUIM"
//! has three rows that escalate on their own (absoluut verzuim; relatief verzuim and langdurig
//! relatief verzuim (thuiszitter), Lpw art. 21 and 21a; luxe verzuim, Lpw art. 13a, with the
//! engine's "mogelijk luxe verzuim" around holidays); "OVERIG VERZUIM"; "VERWIJDERING";
//! "* TE LAAT KOMEN" (5 x, 10 x, meer dan 10 x, bij herhaling); "** ZIEKTE" (elke ziekmelding,
//! > 2 weken, 3e ziekmelding in 3 maanden, ziekmelding is reden tot zorg).

use crate::model::SignalKind;

/// One line of escalation of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Chain {
    /// Card row "Absoluut verzuim" (Lpw art. 2).
    Absoluut,
    /// Card rows "Relatief verzuim" and "Langdurig relatief verzuim (thuiszitter)".
    Relatief,
    /// Card row "Luxe verzuim" (and the engine's possible luxe verzuim around holidays).
    Luxe,
    /// Card block "OVERIG VERZUIM": verzuim related to underlying problems.
    Overig,
    /// Card block "* TE LAAT KOMEN": 5 x, 10 x, meer dan 10 x, bij herhaling.
    TeLaat,
    /// Card block "** ZIEKTE": every sick report, > 2 weken, 3e in 3 maanden, reden tot zorg.
    Ziekte,
    /// Card block "VERWIJDERING".
    Verwijdering,
}

impl Chain {
    /// The chain a signal kind belongs to.
    pub fn of(kind: SignalKind) -> Chain {
        match kind {
            SignalKind::AbsoluutVerzuim => Chain::Absoluut,
            SignalKind::RelatiefVerzuim | SignalKind::LangdurigRelatiefVerzuim => Chain::Relatief,
            SignalKind::LuxeVerzuim | SignalKind::MogelijkLuxeVerzuim => Chain::Luxe,
            SignalKind::OverigVerzuim => Chain::Overig,
            SignalKind::TeLaat => Chain::TeLaat,
            SignalKind::Ziekmelding
            | SignalKind::ZiekLangerDan2Weken
            | SignalKind::Ziek3eMeldingIn3Maanden
            | SignalKind::ZorgZiekte => Chain::Ziekte,
            SignalKind::Verwijdering => Chain::Verwijdering,
        }
    }

    /// Whether a case with these kinds follows this chain.
    pub fn holds(self, kinds: &[SignalKind]) -> bool {
        kinds.iter().any(|k| Chain::of(*k) == self)
    }

    /// The chain's name in Dutch, as the card heads it.
    pub fn label(self) -> &'static str {
        match self {
            Chain::Absoluut => "absoluut verzuim",
            Chain::Relatief => "relatief verzuim",
            Chain::Luxe => "luxe verzuim",
            Chain::Overig => "overig verzuim",
            Chain::TeLaat => "te laat komen",
            Chain::Ziekte => "ziekte",
            Chain::Verwijdering => "verwijdering",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_chain_and_the_card_blocks_hold() {
        for k in SignalKind::ALL {
            let c = Chain::of(k);
            assert!(c.holds(&[k]));
        }
        assert_eq!(
            Chain::of(SignalKind::Ziekmelding),
            Chain::of(SignalKind::ZorgZiekte)
        );
        assert_ne!(
            Chain::of(SignalKind::Ziekmelding),
            Chain::of(SignalKind::RelatiefVerzuim)
        );
        assert_eq!(
            Chain::of(SignalKind::RelatiefVerzuim),
            Chain::of(SignalKind::LangdurigRelatiefVerzuim)
        );
        assert!(!Chain::TeLaat.holds(&[SignalKind::Ziekmelding, SignalKind::LuxeVerzuim]));
    }
}
