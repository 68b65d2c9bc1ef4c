-- The referral's "digitaal aanmeldingsformulier" and GGD-JGZ's afspraken for the school, SQLite
-- dialect. Keep in step with ../postgres/ (same number): same tables, columns and constraints;
-- only types differ. Issue 11; kaart Twente PO, "** ZIEKTE": "verwijst de (chronisch) zieke
-- leerling naar de GGD-JGZ via het digitaal aanmeldingsformulier"; "GGD-JGZ … (koppelt afspraken
-- terug aan school)".
--
-- `referral_forms`: what the school filled in when it referred (one row per referral): its
-- question to GGD-JGZ, what it already did, whether the parents consented, and when and how they
-- were informed. Readable by the school that referred and the GGD-JGZ it went to (never
-- leerplicht: the visibility rules, crates/service/src/visibility/rules.rs).
-- `referral_afspraken`: the agreements GGD-JGZ feeds back to the school, exactly as typed; the
-- school sees these texts (never GGD-JGZ's notes, `jgz_notes`).
-- `task_links` gets the kind `ggd_afspraken` (the school takes note of GGD-JGZ's afspraken).
-- SQLite cannot alter a CHECK, so the table is rebuilt (nothing references it).
-- Both new tables go with their referral (retention deletes referrals).

CREATE TABLE referral_forms (
    referral_id          INTEGER PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    question             TEXT NOT NULL,
    school_actions       TEXT NOT NULL,
    parents_consent      BOOLEAN NOT NULL,
    parents_informed_on  TEXT NOT NULL,
    parents_informed_how TEXT NOT NULL CHECK (parents_informed_how IN ('gesprek', 'telefoon',
                             'brief', 'email', 'anders'))
);

CREATE TABLE referral_afspraken (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    ggd_id      TEXT NOT NULL REFERENCES organisations (id),
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX referral_afspraken_referral ON referral_afspraken (referral_id);

CREATE TABLE task_links_new (
    task_id     INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('card', 'judge_no_show', 'feedback',
                    'ggd_feedback', 'review_melding', 'melding_changed', 'tell_duo',
                    'ggd_afspraken')),
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
