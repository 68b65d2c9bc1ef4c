-- Leerplicht's "verwijzing zorg" and a conversation with parents and pupil together,
-- PostgreSQL dialect. Keep in step with ../sqlite/ (same number). See the SQLite file.

ALTER TABLE leerplicht_actions ADD COLUMN referred_to TEXT;
ALTER TABLE leerplicht_actions DROP CONSTRAINT leerplicht_actions_kind_check;
ALTER TABLE leerplicht_actions ADD CONSTRAINT leerplicht_actions_kind_check CHECK (kind IN (
    'gesprek', 'waarschuwingsbrief', 'officiele_waarschuwing', 'halt', 'proces_verbaal',
    'verwijzing_zorg'));
ALTER TABLE leerplicht_actions DROP CONSTRAINT leerplicht_actions_with_whom_check;
ALTER TABLE leerplicht_actions ADD CONSTRAINT leerplicht_actions_with_whom_check CHECK (
    with_whom IN ('ouders', 'leerling', 'ouders_en_leerling', 'school', 'anders'));
ALTER TABLE leerplicht_actions ADD CONSTRAINT leerplicht_actions_referred_to_check CHECK (
    kind <> 'verwijzing_zorg' OR referred_to IS NOT NULL);
