-- Call routing, per organization (issue 18): the caches of every instance are emptied for the
-- organization a write concerns, not for all of them. Migration 0009's single counter made the
-- background verifier's writes (hourly for every configuration: hundreds a second at a million
-- rows) empty every cache of every organization several times a second.
--
-- Each write that can change a routing answer, a cached read or who may ask appends the
-- organization it concerns (NULL: it may concern any, e.g. service tokens); servers poll the
-- rows after the last they saw and prune those older than a minute.
CREATE TABLE routing_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER,
    changed_at BIGINT NOT NULL
);

DROP TRIGGER api_tokens_routing_insert;
DROP TRIGGER api_tokens_routing_update;
DROP TRIGGER api_tokens_routing_delete;
DROP TRIGGER service_tokens_routing_insert;
DROP TRIGGER service_tokens_routing_update;
DROP TRIGGER service_tokens_routing_delete;
DROP TRIGGER service_token_orgs_routing_insert;
DROP TRIGGER service_token_orgs_routing_update;
DROP TRIGGER service_token_orgs_routing_delete;
DROP TRIGGER organizations_routing_insert;
DROP TRIGGER organizations_routing_update;
DROP TRIGGER organizations_routing_delete;
DROP TRIGGER phone_numbers_routing_insert;
DROP TRIGGER phone_numbers_routing_update;
DROP TRIGGER phone_numbers_routing_delete;
DROP TRIGGER bridges_routing_insert;
DROP TRIGGER bridges_routing_update;
DROP TRIGGER bridges_routing_delete;
DROP TRIGGER bridge_numbers_routing_insert;
DROP TRIGGER bridge_numbers_routing_update;
DROP TRIGGER bridge_numbers_routing_delete;
DROP TRIGGER agent_links_routing_insert;
DROP TRIGGER agent_links_routing_update;
DROP TRIGGER agent_links_routing_delete;
DROP TRIGGER provider_configurations_routing_update;
DROP TRIGGER provider_configurations_routing_delete;
DROP TABLE routing_generation;

CREATE TRIGGER api_tokens_changes_insert AFTER INSERT ON api_tokens
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER api_tokens_changes_update AFTER UPDATE ON api_tokens
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER api_tokens_changes_update_new AFTER UPDATE ON api_tokens
WHEN OLD.org_id IS NOT NEW.org_id
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER api_tokens_changes_delete AFTER DELETE ON api_tokens
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER organizations_changes_insert AFTER INSERT ON organizations
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.id, unixepoch()); END;
CREATE TRIGGER organizations_changes_update AFTER UPDATE ON organizations
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.id, unixepoch()); END;
CREATE TRIGGER organizations_changes_update_new AFTER UPDATE ON organizations
WHEN OLD.id IS NOT NEW.id
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.id, unixepoch()); END;
CREATE TRIGGER organizations_changes_delete AFTER DELETE ON organizations
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.id, unixepoch()); END;
CREATE TRIGGER phone_numbers_changes_insert AFTER INSERT ON phone_numbers
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER phone_numbers_changes_update AFTER UPDATE ON phone_numbers
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER phone_numbers_changes_update_new AFTER UPDATE ON phone_numbers
WHEN OLD.org_id IS NOT NEW.org_id
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER phone_numbers_changes_delete AFTER DELETE ON phone_numbers
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER bridges_changes_insert AFTER INSERT ON bridges
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER bridges_changes_update AFTER UPDATE ON bridges
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER bridges_changes_update_new AFTER UPDATE ON bridges
WHEN OLD.org_id IS NOT NEW.org_id
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER bridges_changes_delete AFTER DELETE ON bridges
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER agent_links_changes_insert AFTER INSERT ON agent_links
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER agent_links_changes_update AFTER UPDATE ON agent_links
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER agent_links_changes_update_new AFTER UPDATE ON agent_links
WHEN OLD.org_id IS NOT NEW.org_id
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER agent_links_changes_delete AFTER DELETE ON agent_links
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
-- A bridge's numbers: the bridge's organization (NULL, so everyone's, once the bridge is gone).
CREATE TRIGGER bridge_numbers_changes_insert AFTER INSERT ON bridge_numbers
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES ((SELECT org_id FROM bridges WHERE id = NEW.bridge_id), unixepoch()); END;
CREATE TRIGGER bridge_numbers_changes_update AFTER UPDATE ON bridge_numbers
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES ((SELECT org_id FROM bridges WHERE id = OLD.bridge_id), unixepoch()); END;
CREATE TRIGGER bridge_numbers_changes_update_new AFTER UPDATE ON bridge_numbers
WHEN OLD.bridge_id IS NOT NEW.bridge_id
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES ((SELECT org_id FROM bridges WHERE id = NEW.bridge_id), unixepoch()); END;
CREATE TRIGGER bridge_numbers_changes_delete AFTER DELETE ON bridge_numbers
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES ((SELECT org_id FROM bridges WHERE id = OLD.bridge_id), unixepoch()); END;
-- Service tokens may route any organization's calls.
CREATE TRIGGER service_tokens_changes_insert AFTER INSERT ON service_tokens
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NULL, unixepoch()); END;
CREATE TRIGGER service_tokens_changes_update AFTER UPDATE ON service_tokens
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NULL, unixepoch()); END;
CREATE TRIGGER service_tokens_changes_delete AFTER DELETE ON service_tokens
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NULL, unixepoch()); END;
CREATE TRIGGER service_token_orgs_changes_insert AFTER INSERT ON service_token_orgs
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NULL, unixepoch()); END;
CREATE TRIGGER service_token_orgs_changes_update AFTER UPDATE ON service_token_orgs
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NULL, unixepoch()); END;
CREATE TRIGGER service_token_orgs_changes_delete AFTER DELETE ON service_token_orgs
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NULL, unixepoch()); END;
-- Configurations: a new one changes its organization's lists (0009 left inserts out); updates
-- as 0009, not the verifier's lease and schedule columns, which change every round.
CREATE TRIGGER provider_configurations_changes_insert AFTER INSERT ON provider_configurations
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER provider_configurations_changes_update AFTER UPDATE ON provider_configurations
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.provider IS NOT NEW.provider OR OLD.account_sid IS NOT NEW.account_sid OR OLD.settings IS NOT NEW.settings OR OLD.secret_key_id IS NOT NEW.secret_key_id OR OLD.secret_ciphertext IS NOT NEW.secret_ciphertext OR OLD.version IS NOT NEW.version OR OLD.verification_status IS NOT NEW.verification_status OR OLD.trunk_sid IS NOT NEW.trunk_sid OR OLD.termination_uri IS NOT NEW.termination_uri
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
CREATE TRIGGER provider_configurations_changes_update_new AFTER UPDATE ON provider_configurations
WHEN OLD.org_id IS NOT NEW.org_id
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (NEW.org_id, unixepoch()); END;
CREATE TRIGGER provider_configurations_changes_delete AFTER DELETE ON provider_configurations
BEGIN INSERT INTO routing_changes (org_id, changed_at) VALUES (OLD.org_id, unixepoch()); END;
