-- stairway:no-transaction
DROP INDEX CONCURRENTLY idx_tools_last_execution;
DROP INDEX CONCURRENTLY idx_tools_active_name;
