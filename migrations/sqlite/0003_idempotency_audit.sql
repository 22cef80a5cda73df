-- Idempotent creates: the first answer to a POST with an Idempotency-Key, per organization.
CREATE TABLE idempotency_keys (
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused.
    request_hash TEXT NOT NULL,
    -- NULL while the first request is still running.
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Who changed what, written in the same transaction as the change. Never holds a secret value.
CREATE TABLE audit_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER,
    actor_token_id INTEGER,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    fields         TEXT NOT NULL DEFAULT '[]',
    request_id     TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX audit_events_org_idx ON audit_events (org_id, id);
