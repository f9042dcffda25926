-- 006: which gateways serve which virtual server, and which gateway a tool came from.
-- tools is live: its foreign key is added NOT VALID and validated separately,
-- and its index built concurrently, so neither blocks writes for long.
-- stairway:no-transaction
CREATE TABLE server_gateways (
    server_id  bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    gateway_id bigint      NOT NULL REFERENCES gateways (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (server_id, gateway_id)
);
CREATE INDEX idx_server_gateways_gateway ON server_gateways (gateway_id);

ALTER TABLE tools ADD COLUMN gateway_id bigint;
ALTER TABLE tools ADD CONSTRAINT tools_gateway_id_fkey
    FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE SET NULL NOT VALID;
ALTER TABLE tools VALIDATE CONSTRAINT tools_gateway_id_fkey;
CREATE INDEX CONCURRENTLY idx_tools_gateway ON tools (gateway_id);
