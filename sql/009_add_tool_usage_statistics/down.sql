DROP TABLE tool_invocation_logs;
DROP TABLE tool_usage_stats;
