-- A melding as sent and what changed after it, SQLite dialect. Keep in step with ../postgres/
-- (same number): same tables, columns and constraints; only types differ.
--
-- `melding_evidence`: the registrations (id, version, minutes) and events a melding reported,
-- computed when the school made it (issue 10.1: the absence as known then), so that a later
-- correction can be recognised as touching a melding's evidence (issue 10.3).
-- `melding_changes`: a correction after the melding that touched its evidence: what changed, by
-- whom, why. The melding itself stays as sent; these rows mark it "gewijzigd na melding".
-- `correction_reasons`: the reason a coordinator gave for correcting a registration older than
-- the previous lesweek, per version.
-- `task_links` gets two kinds: leerplicht takes note of a change after a melding
-- (`melding_changed`), the school passes it on to DUO (`tell_duo`). SQLite cannot alter a CHECK,
-- so the table is rebuilt (nothing references it).

CREATE TABLE melding_evidence (
    melding_id      INTEGER NOT NULL REFERENCES meldingen (id) ON DELETE CASCADE,
    registration_id INTEGER REFERENCES registrations (id) ON DELETE CASCADE,
    event_id        INTEGER REFERENCES events (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    minutes         INTEGER,
    CHECK ((registration_id IS NULL) <> (event_id IS NULL))
);
CREATE INDEX melding_evidence_melding ON melding_evidence (melding_id);
CREATE INDEX melding_evidence_registration ON melding_evidence (registration_id);
CREATE INDEX melding_evidence_event ON melding_evidence (event_id);

CREATE TABLE melding_changes (
    id         INTEGER PRIMARY KEY,
    melding_id INTEGER NOT NULL REFERENCES meldingen (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    what       TEXT NOT NULL,
    reason     TEXT
);
CREATE INDEX melding_changes_melding ON melding_changes (melding_id);

CREATE TABLE correction_reasons (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    PRIMARY KEY (registration_id, version)
);

CREATE TABLE task_links_new (
    task_id     INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('card', 'judge_no_show', 'feedback',
                    'ggd_feedback', 'review_melding', 'melding_changed', 'tell_duo')),
    signal_id   INTEGER REFERENCES signals (id) ON DELETE CASCADE,
    melding_id  INTEGER REFERENCES meldingen (id) ON DELETE CASCADE,
    referral_id INTEGER REFERENCES referrals (id) ON DELETE CASCADE,
    detail      TEXT
);
INSERT INTO task_links_new (task_id, kind, signal_id, melding_id, referral_id, detail)
    SELECT task_id, kind, signal_id, melding_id, referral_id, detail FROM task_links;
DROP TABLE task_links;
ALTER TABLE task_links_new RENAME TO task_links;
CREATE INDEX task_links_melding ON task_links (melding_id);
CREATE INDEX task_links_referral ON task_links (referral_id);
