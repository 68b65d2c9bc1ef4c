-- Issue 10.3 for events, SQLite dialect. Keep in step with ../postgres/ (same number).
--
-- `event_correction_reasons`: the reason a verzuimcoördinator gave for correcting or deleting an
-- event (verwijdering, zorg_ziekte, overig_verzuim) dated before the previous lesweek, per
-- version, as `correction_reasons` holds them for registrations.

CREATE TABLE event_correction_reasons (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (event_id, version)
);
