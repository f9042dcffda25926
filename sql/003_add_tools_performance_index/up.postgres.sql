-- 003: the gateway lists active tools by name, and recently used tools.
-- CONCURRENTLY keeps tools writable while the indexes build; it cannot run
-- inside a transaction.
-- stairway:no-transaction
CREATE INDEX CONCURRENTLY idx_tools_active_name ON tools (is_active, name);
CREATE INDEX CONCURRENTLY idx_tools_last_execution ON tools (last_execution_at DESC) WHERE last_execution_at IS NOT NULL;
