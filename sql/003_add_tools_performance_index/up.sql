-- 003: the gateway lists active tools by name, and recently used tools.
CREATE INDEX idx_tools_active_name ON tools (is_active, name);
CREATE INDEX idx_tools_last_execution ON tools (last_execution_at DESC) WHERE last_execution_at IS NOT NULL;
