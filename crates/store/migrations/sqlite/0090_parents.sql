-- The parents' portal, SQLite dialect. Keep in step with ../postgres/ (same number): same
-- tables, columns and constraints; only types differ.
--
-- `memberships.role` gains `directeur`: the school's director, who decides on leave requests
-- (Leerplichtwet 1969 art. 13a and art. 14 lid 1) and advises leerplicht on longer ones
-- (art. 14 lid 3). SQLite cannot change a CHECK: the table is rebuilt with the same rows.
--
-- `parent_links`: a user who is a parent, and the pupils (children) they may see. A parent has
-- no membership: what they see is their own children, at any school (docs/parents.md).
--
-- `parent_invitations`: a school's invitation to a pupil's parent (the e-mail address of the
-- pupil's data), a one-time link valid for 7 days; only the SHA-256 of the link's token is kept.
--
-- `sick_reports`: a parent's ziekmelding "until further notice", and the `ziek` registration it
-- keeps up to date (covered_until: the last day the report wrote; a school correction of the
-- registration ends the report). No reason: the nature of an illness is never stored.
--
-- `leave_requests`: a verlofaanvraag (art. 13a vakantieverlof, art. 14 gewichtige
-- omstandigheden), its decider, the director's advice, the decision and its letter.

CREATE TABLE memberships_new (
    user_id         INTEGER NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role            TEXT NOT NULL CHECK (role IN ('leerkracht', 'verzuimcoordinator',
                        'leerplichtambtenaar', 'jgz', 'beheerder', 'directeur')),
    groups_json     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);
INSERT INTO memberships_new (user_id, organisation_id, role, groups_json, created_at)
    SELECT user_id, organisation_id, role, groups_json, created_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE INDEX memberships_org ON memberships (organisation_id);

CREATE TABLE parent_links (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    pupil      INTEGER NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (user_id, pupil)
);
CREATE INDEX parent_links_pupil ON parent_links (pupil);

CREATE TABLE parent_invitations (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    pupil      INTEGER NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    INTEGER REFERENCES users (id)
);
CREATE INDEX parent_invitations_pupil ON parent_invitations (pupil);

CREATE TABLE sick_reports (
    id              INTEGER PRIMARY KEY,
    pupil           INTEGER NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
    registration_id INTEGER REFERENCES registrations (id) ON DELETE CASCADE,
    date_from       TEXT NOT NULL,
    covered_until   TEXT,
    recovered_on    TEXT,
    closed_reason   TEXT CHECK (closed_reason IN ('beter', 'gecorrigeerd')),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE INDEX sick_reports_pupil ON sick_reports (pupil);
CREATE UNIQUE INDEX sick_reports_one_open ON sick_reports (pupil) WHERE closed_at IS NULL;

CREATE TABLE leave_requests (
    id                 INTEGER PRIMARY KEY,
    pupil              INTEGER NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind IN ('vakantieverlof', 'gewichtige_omstandigheden')),
    date_from          TEXT NOT NULL,
    date_until         TEXT NOT NULL,
    lesson_days        INTEGER NOT NULL,
    circumstance       TEXT NOT NULL,
    explanation        TEXT,
    employer_statement TEXT,
    decider            TEXT NOT NULL CHECK (decider IN ('directeur', 'leerplichtambtenaar')),
    municipality       TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('ingediend', 'advies_gegeven',
                           'toegekend', 'afgewezen')),
    advice             TEXT,
    advice_by          TEXT,
    decision_ground    TEXT,
    decided_at         TEXT,
    decided_by         TEXT,
    decider_name       TEXT,
    letter_pdf         BLOB,
    letter_text        TEXT,
    registration_id    INTEGER REFERENCES registrations (id) ON DELETE SET NULL,
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX leave_requests_pupil ON leave_requests (pupil);
CREATE INDEX leave_requests_municipality ON leave_requests (municipality, status);
