-- 001: the tools an MCP gateway exposes.
-- SQLite: a STRICT table, so a wrong type is rejected as PostgreSQL would;
-- lengths, JSON and timestamps are checked by CHECK constraints for the same
-- reason (timestamps are ISO-8601 text in UTC, sortable as text).
CREATE TABLE tools (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
    description      TEXT,
    url              TEXT    NOT NULL CHECK (length(url) <= 767),
    integration_type TEXT    NOT NULL DEFAULT 'MCP' CHECK (integration_type IN ('MCP', 'REST')),
    request_type     TEXT    NOT NULL DEFAULT 'SSE' CHECK (request_type IN ('SSE', 'STDIO', 'STREAMABLEHTTP', 'GET', 'POST')),
    input_schema     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(input_schema)),
    is_active        INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at)),
    updated_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (updated_at IS strftime('%Y-%m-%dT%H:%M:%fZ', updated_at))
) STRICT;
