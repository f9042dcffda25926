DROP INDEX idx_tools_last_execution;
DROP INDEX idx_tools_active_name;
