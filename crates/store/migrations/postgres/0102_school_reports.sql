-- What the school records when it completes two actions of the card, PostgreSQL dialect. Keep in
-- step with ../sqlite/ (same number): same tables, columns and constraints; only types differ.
-- Issue 11; kaart Twente PO, "Verwijdering": "Meldt bij de Onderwijsinspectie"; "Langdurig
-- relatief verzuim": "Meldt/gaat in overleg met het samenwerkingsverband".
--
-- `school_reports`: one row per completed task of those kinds.
--   `inspectie`: the date of the decision to remove the pupil, the school that accepts the pupil,
--   the reason, and the date the school reported to the inspectie (`report_date`).
--   `swv_overleg`: with whom at the samenwerkingsverband, when (`report_date`), the outcome.
-- Readable by the school only (every read names `school_id`). Goes with its task (retention).

CREATE TABLE school_reports (
    task_id          BIGINT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    case_id          BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    school_id        TEXT NOT NULL REFERENCES organisations (id),
    kind             TEXT NOT NULL CHECK (kind IN ('inspectie', 'swv_overleg')),
    report_date      TEXT NOT NULL,
    decision_date    TEXT,
    accepting_school TEXT,
    reason           TEXT,
    with_whom        TEXT,
    outcome          TEXT,
    CHECK (kind <> 'inspectie' OR (decision_date IS NOT NULL AND accepting_school IS NOT NULL
        AND reason IS NOT NULL)),
    CHECK (kind <> 'swv_overleg' OR (with_whom IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX school_reports_case ON school_reports (case_id);
