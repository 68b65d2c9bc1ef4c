-- Issue 10.2: a school's card has a history, PostgreSQL dialect (keep in step with ../sqlite/).
-- `earlier_cards_json` holds the cards that applied before each change of card (a JSON list of
-- {until, card_id}, oldest first); `card_id` is the card in force now.
ALTER TABLE school_settings ADD COLUMN earlier_cards_json TEXT NOT NULL DEFAULT '[]';
