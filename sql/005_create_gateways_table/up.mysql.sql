-- 005: the upstream MCP gateways this one federates.
-- VARCHAR(767) in utf8mb4 is 3,068 bytes: within InnoDB's 3,072-byte key.
CREATE TABLE gateways (
    id           BIGINT       AUTO_INCREMENT PRIMARY KEY,
    name         VARCHAR(255) NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 255),
    url          VARCHAR(767) NOT NULL UNIQUE CHECK (char_length(url) <= 767),
    transport    TEXT         NOT NULL DEFAULT ('SSE') CHECK (transport IN ('SSE', 'STREAMABLEHTTP', 'STDIO')),
    capabilities JSON         NOT NULL DEFAULT ('{}'),
    is_active    BOOLEAN      NOT NULL DEFAULT TRUE,
    last_seen_at DATETIME(6),
    created_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
