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

/// The ids of the built-in cards.
pub fn card_ids() -> Vec<&'static str> {
    BUILTIN.iter().map(|(id, _)| *id).collect()
}
