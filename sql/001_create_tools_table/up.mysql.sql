-- 001: the tools an MCP gateway exposes.
-- MariaDB/MySQL: a unique key needs a declared length (MySQL cannot index TEXT
-- whole), so name is VARCHAR(255); other text is TEXT with its CHECK, as on
-- PostgreSQL. Defaults of TEXT and JSON columns are expressions (MySQL 8 takes
-- no literal there). Times are DATETIME(6) in UTC, not TIMESTAMP: MariaDB
-- stores the current time for a NULL given to a NOT NULL TIMESTAMP (stairway
-- cross-db's probes show it), and TIMESTAMP ends in 2038. BOOLEAN is TINYINT(1).
-- utf8mb4_bin compares text byte by byte: a unique name is case-sensitive as on
-- PostgreSQL, and the schema does not depend on the server's default collation.
CREATE TABLE tools (
    id               BIGINT       AUTO_INCREMENT PRIMARY KEY,
    name             VARCHAR(255) NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 255),
    description      TEXT,
    url              TEXT         NOT NULL CHECK (char_length(url) <= 767),
    integration_type TEXT         NOT NULL DEFAULT ('MCP') CHECK (integration_type IN ('MCP', 'REST')),
    request_type     TEXT         NOT NULL DEFAULT ('SSE') CHECK (request_type IN ('SSE', 'STDIO', 'STREAMABLEHTTP', 'GET', 'POST')),
    input_schema     JSON         NOT NULL DEFAULT ('{}'),
    is_active        BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at       DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at       DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
