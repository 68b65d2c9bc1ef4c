-- Leerplicht's "verwijzing zorg" and a conversation with parents and pupil together, SQLite
-- dialect. Keep in step with ../postgres/ (same number): same tables, columns and constraints;
-- only types differ. Issue 11; kaart Twente PO, "* TE LAAT KOMEN": "Geeft een verwijzing zorg of
-- een formele waarschuwing", "Gaat in gesprek met ouders (en leerling vanaf 12 jaar)".
--
-- `leerplicht_actions` gets the kind `verwijzing_zorg` with the organisation referred to
-- (`referred_to`, required for that kind), and `with_whom` the value `ouders_en_leerling`.
-- SQLite cannot alter a CHECK, so the table is rebuilt (nothing references it); ids are kept.

CREATE TABLE leerplicht_actions_new (
    id             INTEGER PRIMARY KEY,
    melding_id     INTEGER NOT NULL REFERENCES meldingen (id) ON DELETE CASCADE,
    municipality   TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('gesprek', 'waarschuwingsbrief',
                       'officiele_waarschuwing', 'halt', 'proces_verbaal', 'verwijzing_zorg')),
    action_date    TEXT NOT NULL,
    with_whom      TEXT CHECK (with_whom IN ('ouders', 'leerling', 'ouders_en_leerling', 'school',
                       'anders')),
    summary        TEXT,
    parents_how    TEXT CHECK (parents_how IN ('gesprek', 'telefoon', 'brief', 'email', 'anders')),
    referred_to    TEXT,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    CHECK (kind <> 'gesprek' OR with_whom IS NOT NULL),
    CHECK (kind <> 'verwijzing_zorg' OR referred_to IS NOT NULL)
);
INSERT INTO leerplicht_actions_new (id, melding_id, municipality, kind, action_date, with_whom,
        summary, parents_how, created_at, created_by)
    SELECT id, melding_id, municipality, kind, action_date, with_whom, summary, parents_how,
        created_at, created_by FROM leerplicht_actions;
DROP TABLE leerplicht_actions;
ALTER TABLE leerplicht_actions_new RENAME TO leerplicht_actions;
CREATE INDEX leerplicht_actions_melding ON leerplicht_actions (melding_id);
