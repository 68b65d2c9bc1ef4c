-- The letters made for a case, SQLite dialect. Keep in step with ../postgres/ (same number):
-- same tables, columns and constraints; only types differ.
--
-- `case_letters`: a letter as it was made (the PDF and its text), by which organisation, so that
-- reading it again (a GET) shows the same letter and changes nothing; making one is a POST
-- (issue 8: a GET wrote to a child's dossier). Readable by the organisation that made it only
-- (every read names `organisation_id`). Goes with its case (retention).

CREATE TABLE case_letters (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind            TEXT NOT NULL,
    reference       TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    pdf             BLOB NOT NULL,
    text            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX case_letters_case ON case_letters (case_id);
