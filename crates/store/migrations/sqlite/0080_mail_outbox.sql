-- E-mail (issue 12, docs/email.md): the outbox and each user's choice per kind of mail.
-- Keep in step with ../postgres/ (same number).
--
-- A mail is a row of mail_outbox, written in the same transaction as the action that causes it
-- (so a crash loses none); the delivery worker of `verzuim serve` claims due rows (a lease:
-- claimed_by and claimed_until), sends them over SMTP with the row's own Message-ID, and marks a
-- row sent only after the SMTP server accepted it. A row holds no child's name, no BSN and no
-- reason: the kind of thing that waits and the path of the page it waits on.
--
-- status: pending (to send), held (for the recipient's daily summary), summarised (taken into
-- one), sent, failed (refused by the server, or out of attempts).

CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    user_id         INTEGER,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT,
    message_id      TEXT NOT NULL UNIQUE,
    dedup_key       TEXT UNIQUE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_by      TEXT,
    claimed_until   TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_outbox_held ON mail_outbox (recipient) WHERE status = 'held';
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient, id);

-- A user's choice per kind of mail: direct (at once), dagelijks (in the daily summary) or uit.
-- No row: direct. Deadline mail (kind termijn) is always sent at once.
CREATE TABLE mail_preferences (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    mode        TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
