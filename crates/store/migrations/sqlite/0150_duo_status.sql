-- DUO's status of a melding as the school reads it in the verzuimregister, SQLite dialect.
-- Keep in step with ../postgres/ (same number): same tables, columns and constraints; only
-- types differ. (docs/duo-export.md, "DUO's status")
--
-- `duo_status_history`: each status the school recorded, with the day DUO gave it (`on_date`)
-- and, for `afgesloten`, DUO's closing reason. Only ever added to; the last row is the current
-- status. The submission itself is the first row (`geregistreerd` on the day of submission);
-- submissions recorded before this migration get theirs here. Cascades with its melding.

CREATE TABLE duo_status_history (
    id                 INTEGER PRIMARY KEY,
    melding_id         INTEGER NOT NULL REFERENCES meldingen (id) ON DELETE CASCADE,
    status             TEXT NOT NULL CHECK (status IN ('geregistreerd', 'in_behandeling',
                           'afgesloten', 'ter_kennisgeving_aangenomen', 'ingetrokken')),
    on_date            TEXT NOT NULL,
    duo_closing_reason TEXT CHECK (duo_closing_reason IN ('terug_naar_school',
                           'inschrijving_beeindigd_andere_opleiding',
                           'inschrijving_beeindigd_werk',
                           'inschrijving_beeindigd_overige_redenen',
                           'inschrijving_beeindigd_overleden',
                           'geen_verzuim_langdurig_ziek',
                           'geen_verzuim_legitiem_afwezig')),
    recorded_at        TEXT NOT NULL,
    recorded_by        TEXT NOT NULL,
    CHECK ((status = 'afgesloten') = (duo_closing_reason IS NOT NULL))
);

CREATE INDEX duo_status_history_melding ON duo_status_history (melding_id, id);

INSERT INTO duo_status_history (melding_id, status, on_date, recorded_at, recorded_by)
SELECT melding_id, 'geregistreerd', submitted_on, updated_at, updated_by
FROM duo_meldingen WHERE submitted_on IS NOT NULL;
