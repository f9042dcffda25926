-- stairway schema dump (mysql); canonical form, not meant to be run

CREATE TABLE gateways (
  id bigint NOT NULL AUTOINCREMENT,
  name varchar(255) NOT NULL,
  url varchar(767) NOT NULL,
  transport text NOT NULL DEFAULT 'SSE',
  capabilities json NOT NULL DEFAULT '{}',
  is_active tinyint(1) NOT NULL DEFAULT 1,
  last_seen_at datetime(6),
  created_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (id),
  CONSTRAINT name CHECK (char_length(name) between 1 and 255),
  CONSTRAINT transport CHECK (transport in ('SSE', 'STREAMABLEHTTP', 'STDIO')),
  CONSTRAINT url CHECK (char_length(url) <= 767),
  CONSTRAINT name UNIQUE (name),
  CONSTRAINT url UNIQUE (url)
) ENGINE=InnoDB, COLLATE=utf8mb4_bin;

CREATE TABLE server_gateways (
  server_id bigint NOT NULL,
  gateway_id bigint NOT NULL,
  created_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (server_id, gateway_id),
  CONSTRAINT server_gateways_ibfk_1 FOREIGN KEY (server_id) REFERENCES servers (id) ON DELETE CASCADE ON UPDATE NO ACTION,
  CONSTRAINT server_gateways_ibfk_2 FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE CASCADE ON UPDATE NO ACTION
) ENGINE=InnoDB, COLLATE=utf8mb4_bin;
CREATE INDEX idx_server_gateways_gateway ON server_gateways (gateway_id);

CREATE TABLE servers (
  id bigint NOT NULL AUTOINCREMENT,
  name varchar(255) NOT NULL,
  description text,
  icon text,
  is_active tinyint(1) NOT NULL DEFAULT 1,
  created_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  updated_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (id),
  CONSTRAINT icon CHECK (icon is null or char_length(icon) <= 767),
  CONSTRAINT name CHECK (char_length(name) between 1 and 255),
  CONSTRAINT name UNIQUE (name)
) ENGINE=InnoDB, COLLATE=utf8mb4_bin;

CREATE TABLE tool_invocation_logs (
  id bigint NOT NULL AUTOINCREMENT,
  tool_id bigint NOT NULL,
  gateway_id bigint,
  status text NOT NULL,
  duration_ms double NOT NULL,
  invoked_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT duration_ms CHECK (duration_ms >= 0),
  CONSTRAINT status CHECK (status in ('ok', 'error', 'timeout')),
  CONSTRAINT tool_invocation_logs_ibfk_1 FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE ON UPDATE NO ACTION,
  CONSTRAINT tool_invocation_logs_ibfk_2 FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE SET NULL ON UPDATE NO ACTION
) ENGINE=InnoDB, COLLATE=utf8mb4_bin;
CREATE INDEX idx_tool_invocation_logs_tool_time ON tool_invocation_logs (tool_id, invoked_at);

CREATE TABLE tool_usage_stats (
  tool_id bigint NOT NULL,
  day date NOT NULL,
  invocations bigint NOT NULL DEFAULT 0,
  errors bigint NOT NULL DEFAULT 0,
  total_duration_ms bigint NOT NULL DEFAULT 0,
  avg_latency_ms double,
  PRIMARY KEY (tool_id, day),
  CONSTRAINT CONSTRAINT_1 CHECK (errors >= 0 and errors <= invocations),
  CONSTRAINT invocations CHECK (invocations >= 0),
  CONSTRAINT total_duration_ms CHECK (total_duration_ms >= 0),
  CONSTRAINT tool_usage_stats_ibfk_1 FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE ON UPDATE NO ACTION
) ENGINE=InnoDB, COLLATE=utf8mb4_bin;
CREATE INDEX idx_tool_usage_stats_day ON tool_usage_stats (day);

CREATE TABLE tools (
  id bigint NOT NULL AUTOINCREMENT,
  name varchar(255) NOT NULL,
  description text,
  url text NOT NULL,
  integration_type text NOT NULL DEFAULT 'MCP',
  request_type text NOT NULL DEFAULT 'SSE',
  input_schema json NOT NULL DEFAULT '{}',
  is_active tinyint(1) NOT NULL DEFAULT 1,
  created_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  updated_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  tags json NOT NULL DEFAULT '[]',
  annotations json,
  execution_count bigint NOT NULL DEFAULT 0,
  last_execution_at datetime(6),
  gateway_id bigint,
  PRIMARY KEY (id),
  CONSTRAINT execution_count CHECK (execution_count >= 0),
  CONSTRAINT integration_type CHECK (integration_type in ('MCP', 'REST')),
  CONSTRAINT name CHECK (char_length(name) between 1 and 255),
  CONSTRAINT request_type CHECK (request_type in ('SSE', 'STDIO', 'STREAMABLEHTTP', 'GET', 'POST')),
  CONSTRAINT url CHECK (char_length(url) <= 767),
  CONSTRAINT tools_gateway_id_fkey FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE SET NULL ON UPDATE NO ACTION,
  CONSTRAINT name UNIQUE (name)
) ENGINE=InnoDB, COLLATE=utf8mb4_bin;
CREATE INDEX idx_tools_active_name ON tools (is_active, name);
CREATE INDEX idx_tools_gateway ON tools (gateway_id);
CREATE INDEX idx_tools_last_execution ON tools (last_execution_at DESC);
