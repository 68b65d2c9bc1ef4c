//! The cards a school can use: the built-in cards, parsed once per process.

use std::sync::{Arc, LazyLock};

use verzuim_engine::Card;
use verzuim_engine::card::BUILTIN;

use crate::error::{Result, ServiceError};

static CARDS: LazyLock<Vec<Arc<Card>>> = LazyLock::new(|| {
    BUILTIN
        .iter()
        .filter_map(|(id, _)| verzuim_engine::card::builtin(id))
        .map(Arc::new)
        .collect()
});

/// A built-in card by id (`twente-po`), parsed once.
pub fn card(id: &str) -> Result<Arc<Card>> {
    CARDS
        .iter()
        .find(|c| c.id == id)
        .cloned()
        .ok_or_else(|| ServiceError::invalid(format!("onbekende verzuimkaart \"{id}\"")))
}

/// A built-in card by id, borrowed for as long as the process runs: what an evaluator kept
/// between requests holds ([`crate::school_state`]).
pub(crate) fn forever(id: &str) -> Result<&'static Card> {
    let cards: &'static [Arc<Card>] = &CARDS;
    cards
        .iter()
        .find(|c| c.id == id)
        .map(|c| &**c)
        .ok_or_else(|| ServiceError::invalid(format!("onbekende verzuimkaart \"{id}\"")))
}

/// The ids of the built-in cards.
pub fn card_ids() -> Vec<&'static str> {
    BUILTIN.iter().map(|(id, _)| *id).collect()
}

/// The cards a school applies, by date (issue 10.2: "a school's card has a valid-from date"):
/// its current card, and the cards that applied before each change of card
/// (`verzuim_store::card_history`). The card of a day is the one that applied on it; a signal is
/// the card's that applied on the signal's date.
#[derive(Debug, Clone)]
pub struct CardHistory {
    pub current: Arc<Card>,
    /// `(until, card)`: `card` applied on the days before `until`, oldest first.
    pub earlier: Vec<(jiff::civil::Date, Arc<Card>)>,
}

impl CardHistory {
    /// One card all along.
    pub fn single(current: Arc<Card>) -> CardHistory {
        CardHistory {
            current,
            earlier: Vec::new(),
        }
    }

    /// The school's cards: `card_id` now, and its stored history.
    pub async fn of_school(
        tx: &mut verzuim_store::Tx,
        school_id: &str,
        card_id: &str,
    ) -> Result<CardHistory> {
        let mut earlier = Vec::new();
        for e in tx.earlier_cards(school_id).await? {
            earlier.push((e.until, card(&e.card_id)?));
        }
        Ok(CardHistory {
            current: card(card_id)?,
            earlier,
        })
    }

    /// The card that applied on `date`.
    pub fn on(&self, date: jiff::civil::Date) -> &Arc<Card> {
        self.earlier
            .iter()
            .find(|(until, _)| date < *until)
            .map_or(&self.current, |(_, c)| c)
    }

    /// Each card with the days it applied: `(card, from, until)`, `from` inclusive and `until`
    /// exclusive, `None` for open ends; oldest first.
    pub fn periods(
        &self,
    ) -> Vec<(
        &Arc<Card>,
        Option<jiff::civil::Date>,
        Option<jiff::civil::Date>,
    )> {
        let mut out = Vec::new();
        let mut from = None;
        for (until, card) in &self.earlier {
            out.push((card, from, Some(*until)));
            from = Some(*until);
        }
        out.push((&self.current, from, None));
        out
    }
}
