-- Call routing (issue 18): service tokens for the machines that place and answer calls, the
-- shared per-second windows of CPS limits, and what tells every instance that routing data
-- (tokens, organizations, numbers, bridges, agent links, configurations) changed, so their
-- in-process caches can be dropped.

-- A machine's token: routes calls of every organization (all_orgs) or of those listed in
-- service_token_orgs. Only the SHA-256 of the token is stored, as for api_tokens.
CREATE TABLE service_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label        TEXT,
    token_hash   TEXT NOT NULL,
    token_prefix TEXT NOT NULL,
    all_orgs     BOOLEAN NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    CONSTRAINT service_tokens_token_hash_key UNIQUE (token_hash)
);

CREATE TABLE service_token_orgs (
    token_id BIGINT NOT NULL REFERENCES service_tokens (id) ON DELETE CASCADE,
    org_id   BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    CONSTRAINT service_token_orgs_pkey PRIMARY KEY (token_id, org_id)
);

-- Calls counted in the current one-second window of a CPS key (`cpsKey`, or the credential's
-- own key): one row per key, updated in place by every instance (the limit is shared).
CREATE TABLE cps_windows (
    cps_key      TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    calls        BIGINT NOT NULL
);

-- Kept for symmetry with SQLite (which polls it); PostgreSQL servers LISTEN instead.
CREATE TABLE routing_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO routing_generation (id, value) VALUES (1, 0);

-- NOTIFY is delivered at commit, and repeated payloads of one transaction are folded into one.
CREATE FUNCTION patchbay_routing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('patchbay_routing', '');
    RETURN NULL;
END $$;
CREATE TRIGGER api_tokens_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER service_tokens_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER service_token_orgs_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_token_orgs
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER organizations_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER phone_numbers_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON phone_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER bridges_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bridges
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER bridge_numbers_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bridge_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER agent_links_routing AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agent_links
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
-- Configurations: not the verifier's lease and schedule columns, which change every round.
CREATE TRIGGER provider_configurations_routing_update AFTER UPDATE ON provider_configurations
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.provider IS DISTINCT FROM NEW.provider OR OLD.account_sid IS DISTINCT FROM NEW.account_sid OR OLD.settings IS DISTINCT FROM NEW.settings OR OLD.secret_key_id IS DISTINCT FROM NEW.secret_key_id OR OLD.secret_ciphertext IS DISTINCT FROM NEW.secret_ciphertext OR OLD.version IS DISTINCT FROM NEW.version OR OLD.verification_status IS DISTINCT FROM NEW.verification_status OR OLD.trunk_sid IS DISTINCT FROM NEW.trunk_sid OR OLD.termination_uri IS DISTINCT FROM NEW.termination_uri)
    EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER provider_configurations_routing_delete AFTER DELETE ON provider_configurations
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
