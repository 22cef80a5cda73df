-- Organizations, API tokens and provider configurations (shared by the v1 and v2 API families).
CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    handle      TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT organizations_handle_key UNIQUE (handle)
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    label        TEXT,
    -- SHA-256 of the whole token: tokens are 256-bit random, so a fast hash is enough.
    token_hash   TEXT NOT NULL,
    token_prefix TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_org_id_idx ON api_tokens (org_id);

CREATE TABLE provider_configurations (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                   BLOB NOT NULL,
    org_id                 INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    provider               TEXT NOT NULL,
    account_sid            TEXT NOT NULL,
    name                   TEXT,
    settings               TEXT NOT NULL DEFAULT '{}',
    secret_key_id          TEXT NOT NULL,
    secret_ciphertext      BLOB NOT NULL,
    version                INTEGER NOT NULL DEFAULT 1,
    verification_status    TEXT NOT NULL DEFAULT 'pending',
    last_verified_at       TEXT,
    verification_details   TEXT,
    next_verification_at   TEXT,
    region                 TEXT,
    supports_call_transfer BOOLEAN NOT NULL DEFAULT FALSE,
    trunk_sid              TEXT,
    termination_uri        TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    CONSTRAINT provider_configurations_uuid_key UNIQUE (uuid),
    CONSTRAINT provider_configurations_org_provider_account_key UNIQUE (org_id, provider, account_sid)
);
CREATE INDEX provider_configurations_next_verification_idx ON provider_configurations (next_verification_at);
