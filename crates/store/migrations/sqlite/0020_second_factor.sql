-- The second factor (TOTP, RFC 6238) and the login steps, SQLite dialect. Keep in step with
-- ../postgres/ (same number): same tables, columns and constraints; only types differ.
--
-- `organisations.second_factor_required`: the organisation's beheerder requires a second factor
-- of its users. TRUE for every organisation, also those that existed before this migration: their
-- users set one up at their next login. `verzuim serve --demo` turns it off for the demo region.
--
-- `users.must_change_password`: the user chooses a new password at the next login (a new user
-- whose first password someone else set). Existing users: FALSE.
--
-- `second_factors`: a user's TOTP secret (base32; the service must read it back to check codes),
-- unconfirmed until the first code was right; `last_step` is the time step of the last code
-- accepted, so a code is accepted once.
--
-- `recovery_codes`: one-time codes for a lost device, stored as SHA-256 (80 random bits each).
--
-- `sessions_awaiting_code`: a session whose password was right but whose code is still due; it
-- goes with its session.

ALTER TABLE organisations ADD COLUMN second_factor_required BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE second_factors (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id),
    secret       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions_awaiting_code (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE
);
