-- 005: the upstream MCP gateways this one federates.
CREATE TABLE gateways (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
    url          TEXT    NOT NULL UNIQUE CHECK (length(url) <= 767),
    transport    TEXT    NOT NULL DEFAULT 'SSE' CHECK (transport IN ('SSE', 'STREAMABLEHTTP', 'STDIO')),
    capabilities TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(capabilities)),
    is_active    INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    last_seen_at TEXT    CHECK (last_seen_at IS strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_at)),
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at))
) STRICT;
