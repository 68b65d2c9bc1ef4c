-- Issue 10.9, starting mid-year, SQLite dialect. Keep in step with ../postgres/ (same number).
--
-- `import_reviews`: a signal that an import raised with a date before the import's cut-off
-- (`review_before`, by default the day of the import) waits here, without a case or tasks, until
-- the school's verzuimcoordinator decides: `buiten_verzuim_afgehandeld` (already handled outside
-- verzuim: the date it was handled, `handled_on`, and an optional note; kept as history, never a
-- task) or `actie_nodig` (the signal is placed in a case then, with the card's tasks counted from
-- the decision day). One row per signal: a second import of the same files holds nothing twice.

CREATE TABLE import_reviews (
    signal_id     INTEGER PRIMARY KEY REFERENCES signals (id) ON DELETE CASCADE,
    school_id     TEXT NOT NULL,
    held_at       TEXT NOT NULL,
    held_by       TEXT NOT NULL,
    review_before TEXT NOT NULL,
    status        TEXT NOT NULL
        CHECK (status IN ('te_beoordelen', 'buiten_verzuim_afgehandeld', 'actie_nodig')),
    decided_at    TEXT,
    decided_by    TEXT,
    decided_on    TEXT,
    handled_on    TEXT,
    note          TEXT,
    CHECK ((status = 'buiten_verzuim_afgehandeld') = (handled_on IS NOT NULL)),
    CHECK ((status = 'te_beoordelen') = (decided_at IS NULL))
);
CREATE INDEX import_reviews_school ON import_reviews (school_id, status);
