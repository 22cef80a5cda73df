-- Call routing (issue 18): service tokens for the machines that place and answer calls, the
-- shared per-second windows of CPS limits, and what tells every instance that routing data
-- (tokens, organizations, numbers, bridges, agent links, configurations) changed, so their
-- in-process caches can be dropped.

-- A machine's token: routes calls of every organization (all_orgs) or of those listed in
-- service_token_orgs. Only the SHA-256 of the token is stored, as for api_tokens.
CREATE TABLE service_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    label        TEXT,
    token_hash   TEXT NOT NULL,
    token_prefix TEXT NOT NULL,
    all_orgs     BOOLEAN NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    CONSTRAINT service_tokens_token_hash_key UNIQUE (token_hash)
);

CREATE TABLE service_token_orgs (
    token_id INTEGER NOT NULL REFERENCES service_tokens (id) ON DELETE CASCADE,
    org_id   INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    CONSTRAINT service_token_orgs_pkey PRIMARY KEY (token_id, org_id)
);

-- Calls counted in the current one-second window of a CPS key (`cpsKey`, or the credential's
-- own key): one row per key, updated in place.
CREATE TABLE cps_windows (
    cps_key      TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    calls        BIGINT NOT NULL
);

-- Bumped in the transaction of every write that can change a routing answer or who may ask:
-- the CLI writes from another process, so servers poll this one row to drop their caches.
CREATE TABLE routing_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO routing_generation (id, value) VALUES (1, 0);
CREATE TRIGGER api_tokens_routing_insert AFTER INSERT ON api_tokens
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER api_tokens_routing_update AFTER UPDATE ON api_tokens
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER api_tokens_routing_delete AFTER DELETE ON api_tokens
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER service_tokens_routing_insert AFTER INSERT ON service_tokens
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER service_tokens_routing_update AFTER UPDATE ON service_tokens
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER service_tokens_routing_delete AFTER DELETE ON service_tokens
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER service_token_orgs_routing_insert AFTER INSERT ON service_token_orgs
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER service_token_orgs_routing_update AFTER UPDATE ON service_token_orgs
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER service_token_orgs_routing_delete AFTER DELETE ON service_token_orgs
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_routing_insert AFTER INSERT ON organizations
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_routing_update AFTER UPDATE ON organizations
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_routing_delete AFTER DELETE ON organizations
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER phone_numbers_routing_insert AFTER INSERT ON phone_numbers
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER phone_numbers_routing_update AFTER UPDATE ON phone_numbers
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER phone_numbers_routing_delete AFTER DELETE ON phone_numbers
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER bridges_routing_insert AFTER INSERT ON bridges
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER bridges_routing_update AFTER UPDATE ON bridges
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER bridges_routing_delete AFTER DELETE ON bridges
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER bridge_numbers_routing_insert AFTER INSERT ON bridge_numbers
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER bridge_numbers_routing_update AFTER UPDATE ON bridge_numbers
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER bridge_numbers_routing_delete AFTER DELETE ON bridge_numbers
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER agent_links_routing_insert AFTER INSERT ON agent_links
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER agent_links_routing_update AFTER UPDATE ON agent_links
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER agent_links_routing_delete AFTER DELETE ON agent_links
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
-- Configurations: not the verifier's lease and schedule columns, which change every round.
CREATE TRIGGER provider_configurations_routing_update AFTER UPDATE ON provider_configurations
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.provider IS NOT NEW.provider OR OLD.account_sid IS NOT NEW.account_sid OR OLD.settings IS NOT NEW.settings OR OLD.secret_key_id IS NOT NEW.secret_key_id OR OLD.secret_ciphertext IS NOT NEW.secret_ciphertext OR OLD.version IS NOT NEW.version OR OLD.verification_status IS NOT NEW.verification_status OR OLD.trunk_sid IS NOT NEW.trunk_sid OR OLD.termination_uri IS NOT NEW.termination_uri
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER provider_configurations_routing_delete AFTER DELETE ON provider_configurations
BEGIN UPDATE routing_generation SET value = value + 1 WHERE id = 1; END;
