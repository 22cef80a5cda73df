-- v1 Twilio providers: the phone numbers imported onto a provider's trunk, and the journal of
-- trunk provisioning sagas (see src/twilio_provider.rs for the recovery rule).
CREATE TABLE provider_phone_numbers (
    id               UUID NOT NULL PRIMARY KEY,
    configuration_id BIGINT NOT NULL REFERENCES provider_configurations (id) ON DELETE CASCADE,
    org_id           BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    phone_number_sid TEXT NOT NULL,
    -- E.164
    phone_number     TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT provider_phone_numbers_configuration_sid_key UNIQUE (configuration_id, phone_number_sid)
);

-- One row per provisioning in flight (or crashed). No foreign key to organizations: a journal
-- must outlive its organization until what it created at Twilio is cleaned up.
CREATE TABLE twilio_provisioning (
    -- The provisioning id, which is also the uuid of the configuration it becomes.
    id                   UUID NOT NULL PRIMARY KEY,
    org_id               BIGINT NOT NULL,
    account_sid          TEXT NOT NULL,
    -- The auth token (and SIP password), sealed exactly as the configuration row will hold them.
    secret_key_id        TEXT NOT NULL,
    secret_ciphertext    BYTEA NOT NULL,
    stage                TEXT NOT NULL,
    domain_name          TEXT NOT NULL,
    credential_list_name TEXT NOT NULL,
    trunk_sid            TEXT,
    credential_list_sid  TEXT,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX twilio_provisioning_updated_at_idx ON twilio_provisioning (updated_at);
