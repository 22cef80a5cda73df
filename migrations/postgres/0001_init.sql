-- Organizations, API tokens and provider configurations (shared by the v1 and v2 API families).
CREATE TABLE organizations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle      TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT organizations_handle_key UNIQUE (handle)
);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    label        TEXT,
    -- SHA-256 of the whole token: tokens are 256-bit random, so a fast hash is enough.
    token_hash   TEXT NOT NULL,
    token_prefix TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_org_id_idx ON api_tokens (org_id);

CREATE TABLE provider_configurations (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                   UUID NOT NULL,
    org_id                 BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    provider               TEXT NOT NULL,
    account_sid            TEXT NOT NULL,
    name                   TEXT,
    settings               JSONB NOT NULL DEFAULT '{}',
    secret_key_id          TEXT NOT NULL,
    secret_ciphertext      BYTEA NOT NULL,
    version                BIGINT NOT NULL DEFAULT 1,
    verification_status    TEXT NOT NULL DEFAULT 'pending',
    last_verified_at       TIMESTAMPTZ,
    verification_details   JSONB,
    next_verification_at   TIMESTAMPTZ,
    region                 TEXT,
    supports_call_transfer BOOLEAN NOT NULL DEFAULT FALSE,
    trunk_sid              TEXT,
    termination_uri        TEXT,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    CONSTRAINT provider_configurations_uuid_key UNIQUE (uuid),
    CONSTRAINT provider_configurations_org_provider_account_key UNIQUE (org_id, provider, account_sid)
);
CREATE INDEX provider_configurations_next_verification_idx ON provider_configurations (next_verification_at);
