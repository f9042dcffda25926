-- stairway schema dump (sqlite); canonical form, not meant to be run

CREATE TABLE gateways (
  id INTEGER NOT NULL AUTOINCREMENT,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  transport TEXT NOT NULL DEFAULT 'SSE',
  capabilities TEXT NOT NULL DEFAULT '{}',
  is_active INTEGER NOT NULL DEFAULT 1,
  last_seen_at TEXT,
  created_at TEXT NOT NULL DEFAULT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  PRIMARY KEY (id),
  CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at)),
  CHECK (is_active IN (0, 1)),
  CHECK (json_valid(capabilities)),
  CHECK (last_seen_at IS strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_at)),
  CHECK (length(name) BETWEEN 1 AND 255),
  CHECK (length(url) <= 767),
  CHECK (transport IN ('SSE', 'STREAMABLEHTTP', 'STDIO')),
  UNIQUE (name),
  UNIQUE (url)
) STRICT;

CREATE TABLE server_gateways (
  server_id INTEGER NOT NULL,
  gateway_id INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  PRIMARY KEY (server_id, gateway_id),
  CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at)),
  FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE CASCADE ON UPDATE NO ACTION,
  FOREIGN KEY (server_id) REFERENCES servers (id) ON DELETE CASCADE ON UPDATE NO ACTION
) STRICT;
CREATE INDEX idx_server_gateways_gateway ON server_gateways (gateway_id);

CREATE TABLE servers (
  id INTEGER NOT NULL AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT,
  icon TEXT,
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  updated_at TEXT NOT NULL DEFAULT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  PRIMARY KEY (id),
  CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at)),
  CHECK (icon IS NULL OR length(icon) <= 767),
  CHECK (is_active IN (0, 1)),
  CHECK (length(name) BETWEEN 1 AND 255),
  CHECK (updated_at IS strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)),
  UNIQUE (name)
) STRICT;

CREATE TABLE tool_invocation_logs (
  id INTEGER NOT NULL AUTOINCREMENT,
  tool_id INTEGER NOT NULL,
  gateway_id INTEGER,
  status TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  invoked_at TEXT NOT NULL,
  PRIMARY KEY (id),
  CHECK (duration_ms >= 0),
  CHECK (invoked_at IS strftime('%Y-%m-%dT%H:%M:%fZ', invoked_at)),
  CHECK (status IN ('ok', 'error', 'timeout')),
  FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE SET NULL ON UPDATE NO ACTION,
  FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE ON UPDATE NO ACTION
) STRICT;
CREATE INDEX idx_tool_invocation_logs_tool_time ON tool_invocation_logs (tool_id, invoked_at);

CREATE TABLE tool_usage_stats (
  tool_id INTEGER NOT NULL,
  day TEXT NOT NULL,
  invocations INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  total_duration_ms INTEGER NOT NULL DEFAULT 0,
  avg_latency_ms REAL,
  PRIMARY KEY (tool_id, day),
  CHECK (day IS date(day)),
  CHECK (errors >= 0 AND errors <= invocations),
  CHECK (invocations >= 0),
  CHECK (total_duration_ms >= 0),
  FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE ON UPDATE NO ACTION
) STRICT;
CREATE INDEX idx_tool_usage_stats_day ON tool_usage_stats (day);

CREATE TABLE tools (
  id INTEGER NOT NULL AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT,
  url TEXT NOT NULL,
  integration_type TEXT NOT NULL DEFAULT 'MCP',
  request_type TEXT NOT NULL DEFAULT 'SSE',
  input_schema TEXT NOT NULL DEFAULT '{}',
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  updated_at TEXT NOT NULL DEFAULT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  tags TEXT NOT NULL DEFAULT '[]',
  annotations TEXT,
  execution_count INTEGER NOT NULL DEFAULT 0,
  last_execution_at TEXT,
  gateway_id INTEGER,
  PRIMARY KEY (id),
  CHECK (annotations IS NULL OR json_valid(annotations)),
  CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at)),
  CHECK (execution_count >= 0),
  CHECK (integration_type IN ('MCP', 'REST')),
  CHECK (is_active IN (0, 1)),
  CHECK (json_valid(input_schema)),
  CHECK (json_valid(tags)),
  CHECK (last_execution_at IS strftime('%Y-%m-%dT%H:%M:%fZ', last_execution_at)),
  CHECK (length(name) BETWEEN 1 AND 255),
  CHECK (length(url) <= 767),
  CHECK (request_type IN ('SSE', 'STDIO', 'STREAMABLEHTTP', 'GET', 'POST')),
  CHECK (updated_at IS strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)),
  FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE SET NULL ON UPDATE NO ACTION,
  UNIQUE (name)
) STRICT;
CREATE INDEX idx_tools_active_name ON tools (is_active, name);
CREATE INDEX idx_tools_gateway ON tools (gateway_id);
CREATE INDEX idx_tools_last_execution ON tools (last_execution_at DESC) WHERE last_execution_at IS NOT NULL;
