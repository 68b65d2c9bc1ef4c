-- verzuim-service additions, SQLite dialect. Keep in step with ../postgres/ (same number):
-- same tables, columns and constraints; only types differ.
--
-- The school's GGD-JGZ organisation, the links between tasks, meldingen, referrals and the
-- signals they come from, the persoonsgebonden nummer a melding was made with, leerplicht's
-- afspraken, and the case timeline. Every reference to a pupil-bound row cascades on delete, so
-- retention (which deletes the parents) never leaves an orphan; the service's retention wrapper
-- deletes and counts these rows first anyway.

CREATE TABLE school_ggd (
    school_id  TEXT PRIMARY KEY REFERENCES organisations (id),
    ggd_id     TEXT NOT NULL REFERENCES organisations (id),
    updated_at TEXT NOT NULL
);

CREATE TABLE task_links (
    task_id     INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('card', 'judge_no_show', 'feedback',
                    'ggd_feedback', 'review_melding')),
    signal_id   INTEGER REFERENCES signals (id) ON DELETE CASCADE,
    melding_id  INTEGER REFERENCES meldingen (id) ON DELETE CASCADE,
    referral_id INTEGER REFERENCES referrals (id) ON DELETE CASCADE,
    detail      TEXT
);
CREATE INDEX task_links_melding ON task_links (melding_id);
CREATE INDEX task_links_referral ON task_links (referral_id);

CREATE TABLE melding_links (
    melding_id  INTEGER PRIMARY KEY REFERENCES meldingen (id) ON DELETE CASCADE,
    signal_id   INTEGER REFERENCES signals (id) ON DELETE CASCADE,
    task_id     INTEGER REFERENCES tasks (id) ON DELETE CASCADE,
    number_kind TEXT NOT NULL CHECK (number_kind IN ('bsn', 'onderwijsnummer')),
    number      TEXT NOT NULL,
    afspraken   TEXT
);
CREATE INDEX melding_links_signal ON melding_links (signal_id);

CREATE TABLE referral_links (
    referral_id INTEGER PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    signal_id   INTEGER REFERENCES signals (id) ON DELETE CASCADE,
    task_id     INTEGER REFERENCES tasks (id) ON DELETE CASCADE
);
CREATE INDEX referral_links_signal ON referral_links (signal_id);

CREATE TABLE case_timeline (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    entry     TEXT NOT NULL,
    signal_id INTEGER REFERENCES signals (id) ON DELETE CASCADE,
    detail    TEXT
);
CREATE INDEX case_timeline_case ON case_timeline (case_id);

-- Indexes for the service's queries on the store's tables: a case's signals, a signal's tasks,
-- a case's meldingen and referrals.
CREATE INDEX signals_case ON signals (case_id);
CREATE INDEX tasks_signal ON tasks (signal_id);
CREATE INDEX meldingen_case ON meldingen (case_id);
CREATE INDEX referrals_case ON referrals (case_id);
