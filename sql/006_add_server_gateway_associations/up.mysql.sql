-- 006: which gateways serve which virtual server, and which gateway a tool came from.
-- tools is live: the column is added instantly and indexed without blocking
-- writes. Adding a foreign key copies the table unless foreign_key_checks is
-- off (the server then only records it); the column is new and all NULL, so
-- there is nothing to check. The index comes first, so the key uses it.
CREATE TABLE server_gateways (
    server_id  BIGINT       NOT NULL,
    gateway_id BIGINT       NOT NULL,
    created_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (server_id, gateway_id),
    KEY idx_server_gateways_gateway (gateway_id),
    FOREIGN KEY (server_id) REFERENCES servers (id) ON DELETE CASCADE,
    FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE tools ADD COLUMN gateway_id BIGINT, ALGORITHM=INSTANT;
CREATE INDEX idx_tools_gateway ON tools (gateway_id) ALGORITHM=INPLACE LOCK=NONE;
SET foreign_key_checks = 0;
ALTER TABLE tools ADD CONSTRAINT tools_gateway_id_fkey
    FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE SET NULL, ALGORITHM=INPLACE, LOCK=NONE;
SET foreign_key_checks = 1;
