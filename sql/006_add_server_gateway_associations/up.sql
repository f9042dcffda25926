-- 006: which gateways serve which virtual server, and which gateway a tool came from.
CREATE TABLE server_gateways (
    server_id  INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    gateway_id INTEGER NOT NULL REFERENCES gateways (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at)),
    PRIMARY KEY (server_id, gateway_id)
) STRICT;
CREATE INDEX idx_server_gateways_gateway ON server_gateways (gateway_id);

ALTER TABLE tools ADD COLUMN gateway_id INTEGER REFERENCES gateways (id) ON DELETE SET NULL;
CREATE INDEX idx_tools_gateway ON tools (gateway_id);
