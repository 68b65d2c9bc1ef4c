//! A school's card has a history (issue 10.2, migration `0131_card_history`): a change of card
//! applies from a date on, and the days before it keep the card that applied then, as the
//! lesson times keep theirs (`School::earlier_times`). `school_settings.card_id` is the card in
//! force now; `earlier_cards_json` holds the cards that applied before each change, oldest first.
//!
//! Kept apart from [`crate::SchoolSettings`]: the settings are written as a whole by pages, the
//! API and the import; the history is written only when the card changes.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::{args, json_text};
use crate::{Result, StoreError, Tx};

/// A card that applied before a change: `card_id` on the days before `until` (and on or after
/// the previous entry's `until`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierCard {
    pub until: Date,
    pub card_id: String,
}

impl Tx {
    /// The cards the school used before its current one, oldest first (empty: one card all
    /// along, or a school without settings).
    pub async fn earlier_cards(&mut self, school_id: &str) -> Result<Vec<EarlierCard>> {
        let Some(r) = self
            .c()
            .fetch_optional(
                "SELECT earlier_cards_json FROM school_settings WHERE organisation_id = ?",
                args![school_id],
            )
            .await?
        else {
            return Ok(Vec::new());
        };
        r.json("earlier_cards_json")
    }

    /// Replaces the school's card history (its settings must exist).
    pub async fn set_earlier_cards(
        &mut self,
        school_id: &str,
        earlier: &[EarlierCard],
    ) -> Result<()> {
        let n = self
            .c()
            .execute(
                "UPDATE school_settings SET earlier_cards_json = ? WHERE organisation_id = ?",
                args![json_text(earlier)?, school_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
