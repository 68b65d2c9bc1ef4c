-- Leerplicht's actions on a melding and GGD-JGZ's invitations, SQLite dialect. Keep in step with
-- ../postgres/ (same number): same tables, columns and constraints; only types differ.
--
-- `leerplicht_actions`: what the leerplichtambtenaar did on a melding to its municipality (a
-- conversation, a warning letter, a formal warning, a HALT referral, a proces-verbaal). Rows are
-- only added (the history of the melding's handling). `municipality` repeats the melding's, so
-- that every read names the municipality.
--
-- `referral_invitations`: the appointments GGD-JGZ invited a referred pupil to. Readable by that
-- GGD-JGZ organisation only (every read names `ggd_id`). No health data: a date and a time.
--
-- Both cascade with their melding or referral (retention removes those).

CREATE TABLE leerplicht_actions (
    id             INTEGER PRIMARY KEY,
    melding_id     INTEGER NOT NULL REFERENCES meldingen (id) ON DELETE CASCADE,
    municipality   TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('gesprek', 'waarschuwingsbrief',
                       'officiele_waarschuwing', 'halt', 'proces_verbaal')),
    action_date    TEXT NOT NULL,
    with_whom      TEXT CHECK (with_whom IN ('ouders', 'leerling', 'school', 'anders')),
    summary        TEXT,
    parents_how    TEXT CHECK (parents_how IN ('gesprek', 'telefoon', 'brief', 'email', 'anders')),
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    CHECK (kind <> 'gesprek' OR with_whom IS NOT NULL)
);
CREATE INDEX leerplicht_actions_melding ON leerplicht_actions (melding_id);

CREATE TABLE referral_invitations (
    id               INTEGER PRIMARY KEY,
    referral_id      INTEGER NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    ggd_id           TEXT NOT NULL REFERENCES organisations (id),
    appointment_date TEXT NOT NULL,
    appointment_time INTEGER NOT NULL CHECK (appointment_time >= 0 AND appointment_time < 1440),
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
);
CREATE INDEX referral_invitations_referral ON referral_invitations (referral_id);
