-- Issue 12: the vakantieverlof's employer statement (werkgeversverklaring, Leerplichtwet 1969
-- art. 13a lid 1) as a file the parent uploads with the request: a PDF, JPEG or PNG (the
-- service checks the contents, not the name, and the size), stored with the request and read by
-- the parent and the request's decider. Keep in step with ../postgres/ (same number).
CREATE TABLE leave_documents (
    leave_request_id INTEGER PRIMARY KEY REFERENCES leave_requests (id) ON DELETE CASCADE,
    file_name        TEXT NOT NULL,
    content_type     TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg',
                         'image/png')),
    bytes            BLOB NOT NULL,
    size             INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
);
