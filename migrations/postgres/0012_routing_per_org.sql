-- Call routing, per organization (issue 18): the caches of every instance are emptied for the
-- organization a write concerns, not for all of them. Migration 0009's notification carried no
-- payload, so the background verifier's writes (hourly for every configuration: hundreds a
-- second at a million rows) emptied every cache of every organization.
--
-- The payload is the organization's id ('' when a change may concern any, e.g. service
-- tokens). NOTIFY is delivered at commit, and a transaction's repeated payloads are folded into
-- one, so a bulk import notifies once per organization.
DROP TABLE routing_generation;

-- TG_ARGV[0]: the column holding the organization's id (none: any organization).
CREATE OR REPLACE FUNCTION patchbay_routing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_org text;
    new_org text;
BEGIN
    IF TG_NARGS = 0 OR TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('patchbay_routing', '');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_org := to_jsonb(OLD) ->> TG_ARGV[0];
        PERFORM pg_notify('patchbay_routing', COALESCE(old_org, ''));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_org := to_jsonb(NEW) ->> TG_ARGV[0];
        IF TG_OP = 'INSERT' OR new_org IS DISTINCT FROM old_org THEN
            PERFORM pg_notify('patchbay_routing', COALESCE(new_org, ''));
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- A bridge's numbers: the bridge's organization ('' once the bridge is gone).
CREATE FUNCTION patchbay_bridge_numbers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bridge bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN bridge := OLD.bridge_id; ELSE bridge := NEW.bridge_id; END IF;
    PERFORM pg_notify('patchbay_routing',
        COALESCE((SELECT org_id::text FROM bridges WHERE id = bridge), ''));
    IF TG_OP = 'UPDATE' AND OLD.bridge_id IS DISTINCT FROM NEW.bridge_id THEN
        PERFORM pg_notify('patchbay_routing',
            COALESCE((SELECT org_id::text FROM bridges WHERE id = OLD.bridge_id), ''));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER api_tokens_routing ON api_tokens;
DROP TRIGGER organizations_routing ON organizations;
DROP TRIGGER phone_numbers_routing ON phone_numbers;
DROP TRIGGER bridges_routing ON bridges;
DROP TRIGGER bridge_numbers_routing ON bridge_numbers;
DROP TRIGGER agent_links_routing ON agent_links;
DROP TRIGGER provider_configurations_routing_update ON provider_configurations;
DROP TRIGGER provider_configurations_routing_delete ON provider_configurations;

CREATE TRIGGER api_tokens_routing AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION patchbay_routing_changed('org_id');
CREATE TRIGGER organizations_routing AFTER INSERT OR UPDATE OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION patchbay_routing_changed('id');
CREATE TRIGGER phone_numbers_routing AFTER INSERT OR UPDATE OR DELETE ON phone_numbers
    FOR EACH ROW EXECUTE FUNCTION patchbay_routing_changed('org_id');
CREATE TRIGGER bridges_routing AFTER INSERT OR UPDATE OR DELETE ON bridges
    FOR EACH ROW EXECUTE FUNCTION patchbay_routing_changed('org_id');
CREATE TRIGGER bridge_numbers_routing AFTER INSERT OR UPDATE OR DELETE ON bridge_numbers
    FOR EACH ROW EXECUTE FUNCTION patchbay_bridge_numbers_changed();
CREATE TRIGGER agent_links_routing AFTER INSERT OR UPDATE OR DELETE ON agent_links
    FOR EACH ROW EXECUTE FUNCTION patchbay_routing_changed('org_id');
-- TRUNCATE has no rows: everyone's.
CREATE TRIGGER routing_truncate AFTER TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER routing_truncate AFTER TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER routing_truncate AFTER TRUNCATE ON phone_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER routing_truncate AFTER TRUNCATE ON bridges
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER routing_truncate AFTER TRUNCATE ON bridge_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER routing_truncate AFTER TRUNCATE ON agent_links
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
CREATE TRIGGER routing_truncate AFTER TRUNCATE ON provider_configurations
    FOR EACH STATEMENT EXECUTE FUNCTION patchbay_routing_changed();
-- Configurations: a new one changes its organization's lists (0009 left inserts out); updates
-- as 0009, not the verifier's lease and schedule columns, which change every round.
CREATE TRIGGER provider_configurations_routing_insert AFTER INSERT ON provider_configurations
    FOR EACH ROW EXECUTE FUNCTION patchbay_routing_changed('org_id');
CREATE TRIGGER provider_configurations_routing_update AFTER UPDATE ON provider_configurations
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.provider IS DISTINCT FROM NEW.provider OR OLD.account_sid IS DISTINCT FROM NEW.account_sid OR OLD.settings IS DISTINCT FROM NEW.settings OR OLD.secret_key_id IS DISTINCT FROM NEW.secret_key_id OR OLD.secret_ciphertext IS DISTINCT FROM NEW.secret_ciphertext OR OLD.version IS DISTINCT FROM NEW.version OR OLD.verification_status IS DISTINCT FROM NEW.verification_status OR OLD.trunk_sid IS DISTINCT FROM NEW.trunk_sid OR OLD.termination_uri IS DISTINCT FROM NEW.termination_uri)
    EXECUTE FUNCTION patchbay_routing_changed('org_id');
CREATE TRIGGER provider_configurations_routing_delete AFTER DELETE ON provider_configurations
    FOR EACH ROW EXECUTE FUNCTION patchbay_routing_changed('org_id');
