-- Webhooks (issue 15): endpoints per organization, the outbox of events, and their deliveries.
-- Events and deliveries are written in the transaction of the change they describe (see
-- storage/webhooks.rs), so an event is never lost and never sent for a change that rolled back.
CREATE TABLE webhook_endpoints (
    id                          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                        UUID NOT NULL,
    org_id                      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url                         TEXT NOT NULL,
    description                 TEXT,
    -- JSON array of subscribed event types, matched by the outbox with LIKE on '"type"'.
    event_types                 TEXT NOT NULL,
    enabled                     BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason             TEXT,
    -- The signing secrets (current, and the previous one during its grace period), sealed.
    secret_key_id               TEXT NOT NULL,
    secret_ciphertext           BYTEA NOT NULL,
    previous_secret_expires_at  TIMESTAMPTZ,
    -- When deliveries to it started failing (cleared by a success).
    failing_since               TIMESTAMPTZ,
    version                     BIGINT NOT NULL DEFAULT 1,
    created_at                  TIMESTAMPTZ NOT NULL,
    updated_at                  TIMESTAMPTZ NOT NULL,
    CONSTRAINT webhook_endpoints_uuid_key UNIQUE (uuid)
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, id);

CREATE TABLE webhook_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The `webhook-id` receivers dedupe by (msg_…).
    uuid        TEXT NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    -- The exact body sent (signed as is).
    payload     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT webhook_events_uuid_key UNIQUE (uuid)
);

CREATE TABLE webhook_deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         BIGINT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id      BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    org_id           BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    -- Due when pending; a claimed delivery's lease moves it past the claim.
    next_attempt_at  TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      BIGINT NOT NULL,
    status_code  BIGINT,
    latency_ms   BIGINT NOT NULL,
    error        TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    -- One row per attempt number: a second sender of the same attempt fails here.
    CONSTRAINT webhook_attempts_delivery_attempt_key UNIQUE (delivery_id, attempt)
);
