-- SQLite refuses DROP COLUMN on a column with a foreign key, so tools is
-- rebuilt without gateway_id, copying every row and recreating its indexes.
-- https://www.sqlite.org/lang_altertable.html#otheralter
DROP INDEX idx_tools_gateway;
CREATE TABLE tools_rebuild (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
    description       TEXT,
    url               TEXT    NOT NULL CHECK (length(url) <= 767),
    integration_type  TEXT    NOT NULL DEFAULT 'MCP' CHECK (integration_type IN ('MCP', 'REST')),
    request_type      TEXT    NOT NULL DEFAULT 'SSE' CHECK (request_type IN ('SSE', 'STDIO', 'STREAMABLEHTTP', 'GET', 'POST')),
    input_schema      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(input_schema)),
    is_active         INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at)),
    updated_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (updated_at IS strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)),
    tags              TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    annotations       TEXT    CHECK (annotations IS NULL OR json_valid(annotations)),
    execution_count   INTEGER NOT NULL DEFAULT 0 CHECK (execution_count >= 0),
    last_execution_at TEXT    CHECK (last_execution_at IS strftime('%Y-%m-%dT%H:%M:%fZ', last_execution_at))
) STRICT;
INSERT INTO tools_rebuild (id, name, description, url, integration_type, request_type, input_schema, is_active,
                           created_at, updated_at, tags, annotations, execution_count, last_execution_at)
SELECT id, name, description, url, integration_type, request_type, input_schema, is_active,
       created_at, updated_at, tags, annotations, execution_count, last_execution_at
  FROM tools;
DROP TABLE tools;
ALTER TABLE tools_rebuild RENAME TO tools;
CREATE INDEX idx_tools_active_name ON tools (is_active, name);
CREATE INDEX idx_tools_last_execution ON tools (last_execution_at DESC) WHERE last_execution_at IS NOT NULL;

DROP INDEX idx_server_gateways_gateway;
DROP TABLE server_gateways;
