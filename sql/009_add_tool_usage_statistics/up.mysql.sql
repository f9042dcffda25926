-- 009: daily usage statistics per tool, and the raw invocation log they are
-- computed from. Both tables are new: their indexes are declared with them.
CREATE TABLE tool_usage_stats (
    tool_id           BIGINT NOT NULL,
    day               DATE   NOT NULL,
    invocations       BIGINT NOT NULL DEFAULT 0 CHECK (invocations >= 0),
    errors            BIGINT NOT NULL DEFAULT 0,
    total_duration_ms BIGINT NOT NULL DEFAULT 0 CHECK (total_duration_ms >= 0),
    avg_latency_ms    DOUBLE,
    PRIMARY KEY (tool_id, day),
    KEY idx_tool_usage_stats_day (day),
    FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    CHECK (errors >= 0 AND errors <= invocations)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE tool_invocation_logs (
    id          BIGINT       AUTO_INCREMENT PRIMARY KEY,
    tool_id     BIGINT       NOT NULL,
    gateway_id  BIGINT,
    status      TEXT         NOT NULL CHECK (status IN ('ok', 'error', 'timeout')),
    duration_ms DOUBLE       NOT NULL CHECK (duration_ms >= 0),
    invoked_at  DATETIME(6)  NOT NULL,
    KEY idx_tool_invocation_logs_tool_time (tool_id, invoked_at),
    FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    FOREIGN KEY (gateway_id) REFERENCES gateways (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
