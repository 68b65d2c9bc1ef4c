-- What DUO's verzuimregister asks beyond the melding's legal core, and the school's record of
-- its submission there, SQLite dialect. Keep in step with ../postgres/ (same number): same
-- tables, columns and constraints; only types differ. (docs/duo-export.md)
--
-- `school_contacts`: the school's contact person for leerplicht in the register (name,
-- function, phone, e-mail), one per school.
-- `duo_meldingen`: per melding, what the school adds for the register (a stay address only
-- where it differs from the BRP, the phone number of a parent or the pupil, "alle lessen
-- gemist", "actie door gemeente gewenst" with the reason for "nee", the location), the einddatum
-- of a langdurig relatief verzuim once the pupil is back or deregistered, DUO's closing reason,
-- and DUO's meldingsnummer with the dates the school submitted the melding and its update.
-- Cascades with its melding (retention removes those).

CREATE TABLE school_contacts (
    school_id  TEXT PRIMARY KEY REFERENCES organisations (id),
    name       TEXT NOT NULL,
    function   TEXT NOT NULL,
    phone      TEXT NOT NULL,
    email      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE duo_meldingen (
    melding_id           INTEGER PRIMARY KEY REFERENCES meldingen (id) ON DELETE CASCADE,
    stay_street          TEXT,
    stay_postcode        TEXT,
    stay_city            TEXT,
    phone                TEXT,
    phone_of             TEXT CHECK (phone_of IN ('ouder', 'leerling')),
    all_lessons_missed   BOOLEAN NOT NULL,
    action_wanted        BOOLEAN NOT NULL,
    no_action_reason     TEXT,
    location             TEXT,
    end_date             TEXT,
    duo_closing_reason   TEXT CHECK (duo_closing_reason IN ('terug_naar_school',
                             'inschrijving_beeindigd_andere_opleiding',
                             'inschrijving_beeindigd_werk',
                             'inschrijving_beeindigd_overige_redenen',
                             'inschrijving_beeindigd_overleden',
                             'geen_verzuim_langdurig_ziek',
                             'geen_verzuim_legitiem_afwezig')),
    meldingsnummer       TEXT,
    submitted_on         TEXT,
    update_submitted_on  TEXT,
    updated_at           TEXT NOT NULL,
    updated_by           TEXT NOT NULL,
    CHECK (action_wanted OR no_action_reason IS NOT NULL),
    CHECK ((meldingsnummer IS NULL) = (submitted_on IS NULL))
);
