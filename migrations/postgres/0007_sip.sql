-- The v1 SIP families. A SIP credential is a provider configuration (provider 'sip', or the
-- trunk credential of a v1 Twilio provider): its password is the configuration's sealed
-- auth_token, so no new sealed column. SIP phone numbers are rows of phone_numbers, which
-- gain the caller-id name, a description and a last-change time; agent links are new.
ALTER TABLE phone_numbers ADD COLUMN display_name TEXT;
ALTER TABLE phone_numbers ADD COLUMN description TEXT;
ALTER TABLE phone_numbers ADD COLUMN updated_at TIMESTAMPTZ;

-- An agent (an opaque id of the calling platform) linked to a number: 'inbound' (the one agent
-- answering the number) or 'outbound' (the one number an agent calls from).
CREATE TABLE agent_links (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    number_id   BIGINT NOT NULL REFERENCES phone_numbers (id) ON DELETE CASCADE,
    agent_id    TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('inbound', 'outbound')),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX agent_links_inbound_key ON agent_links (number_id) WHERE mode = 'inbound';
CREATE UNIQUE INDEX agent_links_outbound_key ON agent_links (org_id, agent_id) WHERE mode = 'outbound';
CREATE INDEX agent_links_number_id_idx ON agent_links (number_id);
