-- Lists page through one organization's rows in id order: without this, every page sorted all
-- of the organization's rows (the benchmark's 1M-row page was 1.85x its small-database cost).
CREATE INDEX provider_configurations_org_id_idx ON provider_configurations (org_id, id);
-- The start-up key check asks whether any row is sealed with a key that is not loaded: a range
-- probe on this index instead of a scan of every row.
CREATE INDEX provider_configurations_secret_key_id_idx ON provider_configurations (secret_key_id);
