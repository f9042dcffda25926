-- 003: the gateway lists active tools by name, and recently used tools.
-- INPLACE with LOCK=NONE keeps tools writable while the indexes build (the
-- server refuses rather than block writes). MySQL has no partial index: the
-- second one covers every row.
CREATE INDEX idx_tools_active_name ON tools (is_active, name) ALGORITHM=INPLACE LOCK=NONE;
CREATE INDEX idx_tools_last_execution ON tools (last_execution_at DESC) ALGORITHM=INPLACE LOCK=NONE;
