-- Numbers of every provider in one table, shared by the v1 and v2 families (v1 addresses a
-- number by its uuid, v2 by its integer id), and bridges with the numbers assigned to them.

CREATE TABLE phone_numbers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             BLOB NOT NULL,
    org_id           INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    configuration_id INTEGER NOT NULL REFERENCES provider_configurations (id) ON DELETE CASCADE,
    -- E.164
    phone_number     TEXT NOT NULL,
    -- The carrier's id of the number (Twilio's PN… sid, Telnyx's id, …); NULL for SIP trunks.
    carrier_sid      TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    CONSTRAINT phone_numbers_uuid_key UNIQUE (uuid),
    -- A number is stored once: two configurations or two organizations cannot both claim it.
    CONSTRAINT phone_numbers_phone_number_key UNIQUE (phone_number),
    CONSTRAINT phone_numbers_configuration_sid_key UNIQUE (configuration_id, carrier_sid)
);
CREATE INDEX phone_numbers_org_id_idx ON phone_numbers (org_id, id);

-- The v1 rows keep their uuids. Before this rule a number could sit on two configurations
-- (the same Twilio account stored by two organizations); the first import keeps it.
INSERT INTO phone_numbers (uuid, org_id, configuration_id, phone_number, carrier_sid, created_at)
SELECT p.id, p.org_id, p.configuration_id, p.phone_number, p.phone_number_sid, p.created_at
FROM provider_phone_numbers p
WHERE NOT EXISTS (
    SELECT 1 FROM provider_phone_numbers q
    WHERE q.phone_number = p.phone_number
      AND (q.created_at < p.created_at OR (q.created_at = p.created_at AND q.id < p.id))
)
ORDER BY p.created_at, p.id;
DROP TABLE provider_phone_numbers;

CREATE TABLE bridges (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT bridges_org_slug_key UNIQUE (org_id, slug)
);

-- A number on a bridge (the pages' "number assignment"). A number sits on at most one bridge.
-- The cascades keep nothing half-linked when a number or bridge goes; the API refuses those
-- deletions first unless asked to detach (?force=true).
CREATE TABLE bridge_numbers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    bridge_id   INTEGER NOT NULL REFERENCES bridges (id) ON DELETE CASCADE,
    number_id   INTEGER NOT NULL REFERENCES phone_numbers (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    CONSTRAINT bridge_numbers_number_key UNIQUE (number_id)
);
CREATE INDEX bridge_numbers_bridge_id_idx ON bridge_numbers (bridge_id, id);
