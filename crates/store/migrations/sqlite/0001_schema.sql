-- verzuim store schema, SQLite dialect. Keep in step with ../postgres/0001_schema.sql:
-- same tables, columns and constraints; only types, identity columns and triggers differ.
-- Dates are TEXT 'YYYY-MM-DD'; timestamps TEXT 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (UTC), so text order
-- is time order. JSON columns are TEXT.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('school', 'gemeente', 'ggd_jgz')),
    name        TEXT NOT NULL,
    street      TEXT,
    postcode    TEXT,
    city        TEXT,
    phone       TEXT,
    email       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE school_settings (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    card_id         TEXT NOT NULL,
    holiday_region  TEXT,
    lesson_times    TEXT NOT NULL,
    groups_json     TEXT NOT NULL,
    closed_json     TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id         INTEGER NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role            TEXT NOT NULL CHECK (role IN ('leerkracht', 'verzuimcoordinator',
                        'leerplichtambtenaar', 'jgz', 'beheerder')),
    groups_json     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);
CREATE INDEX memberships_org ON memberships (organisation_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_throttle (
    key_kind     TEXT NOT NULL CHECK (key_kind IN ('account', 'address')),
    key          TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    last_failure TEXT NOT NULL,
    PRIMARY KEY (key_kind, key)
);

CREATE TABLE api_tokens (
    id               INTEGER PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    permissions_json TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    last_used_at     TEXT,
    revoked_at       TEXT
);
CREATE INDEX api_tokens_org ON api_tokens (organisation_id);

CREATE TABLE pupils (
    id              INTEGER PRIMARY KEY,
    school_id       TEXT NOT NULL REFERENCES organisations (id),
    pupil_id        TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    group_name      TEXT NOT NULL,
    municipality    TEXT NOT NULL,
    enrolled_from   TEXT NOT NULL,
    enrolled_until  TEXT,
    next_school     TEXT,
    name            TEXT,
    bsn             TEXT,
    onderwijsnummer TEXT,
    parent_name     TEXT,
    parent_email    TEXT,
    parent_phone    TEXT,
    street          TEXT,
    postcode        TEXT,
    city            TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (school_id, pupil_id)
);
CREATE INDEX pupils_until ON pupils (enrolled_until);

-- Registrations: one head row per registration (its stable id and current version), and one
-- immutable row per version. A correction or deletion adds a version; nothing is overwritten.
CREATE TABLE registrations (
    id              INTEGER PRIMARY KEY,
    pupil           INTEGER NOT NULL REFERENCES pupils (id),
    current_version INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX registrations_pupil ON registrations (pupil);

CREATE TABLE registration_versions (
    registration_id INTEGER NOT NULL REFERENCES registrations (id),
    version         INTEGER NOT NULL,
    code            TEXT NOT NULL CHECK (code IN ('ongeoorloofd', 'luxe', 'ziek', 'te_laat',
                        'verlof', 'geoorloofd', 'schorsing')),
    span_kind       TEXT NOT NULL CHECK (span_kind IN ('days', 'times')),
    date_from       TEXT NOT NULL,
    date_until      TEXT NOT NULL,
    time_from       INTEGER,
    time_until      INTEGER,
    minutes_late    INTEGER,
    note            TEXT,
    deleted         BOOLEAN NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    PRIMARY KEY (registration_id, version),
    CHECK (code <> 'ziek' OR note IS NULL)
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    pupil           INTEGER NOT NULL REFERENCES pupils (id),
    current_version INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX events_pupil ON events (pupil);

CREATE TABLE event_versions (
    event_id   INTEGER NOT NULL REFERENCES events (id),
    version    INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('verwijdering', 'zorg_ziekte', 'overig_verzuim')),
    date       TEXT NOT NULL,
    note       TEXT,
    deleted    BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (event_id, version),
    CHECK (kind <> 'zorg_ziekte' OR note IS NULL)
);

CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    pupil         INTEGER NOT NULL REFERENCES pupils (id),
    kinds_json    TEXT NOT NULL,
    opened_on     TEXT NOT NULL,
    opened_at     TEXT NOT NULL,
    closed_at     TEXT,
    closed_reason TEXT
);
CREATE INDEX cases_pupil ON cases (pupil);
CREATE UNIQUE INDEX cases_one_open ON cases (pupil) WHERE closed_at IS NULL;

CREATE TABLE signals (
    id                 INTEGER PRIMARY KEY,
    pupil              INTEGER NOT NULL REFERENCES pupils (id),
    case_id            INTEGER REFERENCES cases (id),
    kind               TEXT NOT NULL,
    date               TEXT NOT NULL,
    count              INTEGER,
    stage              TEXT,
    minutes            INTEGER,
    period_from        TEXT,
    period_to          TEXT,
    evidence_json      TEXT NOT NULL,
    actions_json       TEXT NOT NULL,
    pupil_participates BOOLEAN NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
    created_at         TEXT NOT NULL,
    withdrawn_at       TEXT,
    withdrawn_reason   TEXT
);
CREATE INDEX signals_pupil ON signals (pupil);
CREATE UNIQUE INDEX signals_one_active ON signals (pupil, kind, date, COALESCE(stage, ''))
    WHERE status = 'active';

CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    signal_id       INTEGER REFERENCES signals (id),
    party           TEXT NOT NULL CHECK (party IN ('school', 'leerplicht', 'ggd_jgz')),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    text            TEXT NOT NULL,
    melding         BOOLEAN NOT NULL,
    referral        BOOLEAN NOT NULL,
    trigger_kind    TEXT,
    due             TEXT,
    status          TEXT NOT NULL CHECK (status IN ('open', 'done', 'not_needed')),
    status_reason   TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX tasks_org_status ON tasks (organisation_id, status, due);
CREATE INDEX tasks_case ON tasks (case_id);

CREATE TABLE task_history (
    id      INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    status  TEXT NOT NULL,
    reason  TEXT
);
CREATE INDEX task_history_task ON task_history (task_id);

CREATE TABLE meldingen (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    pupil            INTEGER NOT NULL REFERENCES pupils (id),
    school_id        TEXT NOT NULL REFERENCES organisations (id),
    municipality     TEXT NOT NULL,
    verzuim_kind     TEXT NOT NULL,
    period_from      TEXT NOT NULL,
    period_to        TEXT NOT NULL,
    minutes          INTEGER NOT NULL,
    suspected_reason TEXT NOT NULL,
    school_actions   TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('geregistreerd', 'in_behandeling',
                         'afgesloten', 'ingetrokken', 'ter_kennisgeving_aangenomen')),
    status_reason    TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX meldingen_school ON meldingen (school_id);
CREATE INDEX meldingen_municipality ON meldingen (municipality);
CREATE INDEX meldingen_pupil ON meldingen (pupil);

CREATE TABLE melding_history (
    id         INTEGER PRIMARY KEY,
    melding_id INTEGER NOT NULL REFERENCES meldingen (id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT
);
CREATE INDEX melding_history_melding ON melding_history (melding_id);

CREATE TABLE referrals (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    pupil      INTEGER NOT NULL REFERENCES pupils (id),
    school_id  TEXT NOT NULL REFERENCES organisations (id),
    ggd_id     TEXT NOT NULL REFERENCES organisations (id),
    status     TEXT NOT NULL CHECK (status IN ('aangemeld', 'in_behandeling',
                   'niet_verschenen_zonder_tegenbericht', 'afgerond', 'ingetrokken')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX referrals_ggd ON referrals (ggd_id);
CREATE INDEX referrals_pupil ON referrals (pupil);

CREATE TABLE referral_history (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    status      TEXT NOT NULL
);
CREATE INDEX referral_history_referral ON referral_history (referral_id);

-- GGD-JGZ's own notes: readable by the GGD-JGZ organisation only (every query names ggd_id).
CREATE TABLE jgz_notes (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    ggd_id      TEXT NOT NULL REFERENCES organisations (id),
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX jgz_notes_referral ON jgz_notes (referral_id);

CREATE TABLE parent_information (
    id          INTEGER PRIMARY KEY,
    pupil       INTEGER NOT NULL REFERENCES pupils (id),
    case_id     INTEGER REFERENCES cases (id),
    task_id     INTEGER REFERENCES tasks (id),
    informed_on TEXT NOT NULL,
    how         TEXT NOT NULL CHECK (how IN ('gesprek', 'telefoon', 'brief', 'email', 'anders')),
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX parent_information_pupil ON parent_information (pupil);

-- Append-only. The pupil column is text (school/pupil_id), not a reference: audit rows outlive
-- the pupil data that retention removes.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    user_id         INTEGER,
    actor           TEXT NOT NULL,
    organisation_id TEXT,
    action          TEXT NOT NULL,
    object          TEXT NOT NULL,
    pupil           TEXT,
    address         TEXT,
    outcome         TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (organisation_id, id);
CREATE INDEX audit_log_pupil ON audit_log (pupil);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
