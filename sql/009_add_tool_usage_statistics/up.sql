-- 009: daily usage statistics per tool, and the raw invocation log they are
-- computed from.
CREATE TABLE tool_usage_stats (
    tool_id           INTEGER NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    day               TEXT    NOT NULL CHECK (day IS date(day)),
    invocations       INTEGER NOT NULL DEFAULT 0 CHECK (invocations >= 0),
    errors            INTEGER NOT NULL DEFAULT 0 CHECK (errors >= 0 AND errors <= invocations),
    total_duration_ms INTEGER NOT NULL DEFAULT 0 CHECK (total_duration_ms >= 0),
    avg_latency_ms    REAL,
    PRIMARY KEY (tool_id, day)
) STRICT;
CREATE INDEX idx_tool_usage_stats_day ON tool_usage_stats (day);

CREATE TABLE tool_invocation_logs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tool_id     INTEGER NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    gateway_id  INTEGER REFERENCES gateways (id) ON DELETE SET NULL,
    status      TEXT    NOT NULL CHECK (status IN ('ok', 'error', 'timeout')),
    duration_ms REAL    NOT NULL CHECK (duration_ms >= 0),
    invoked_at  TEXT    NOT NULL CHECK (invoked_at IS strftime('%Y-%m-%dT%H:%M:%fZ', invoked_at))
) STRICT;
CREATE INDEX idx_tool_invocation_logs_tool_time ON tool_invocation_logs (tool_id, invoked_at);
