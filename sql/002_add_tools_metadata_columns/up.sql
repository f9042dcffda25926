-- 002: metadata the gateway keeps per tool. New columns get defaults, so
-- existing rows stay valid.
ALTER TABLE tools ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));
ALTER TABLE tools ADD COLUMN annotations TEXT CHECK (annotations IS NULL OR json_valid(annotations));
ALTER TABLE tools ADD COLUMN execution_count INTEGER NOT NULL DEFAULT 0 CHECK (execution_count >= 0);
ALTER TABLE tools ADD COLUMN last_execution_at TEXT CHECK (last_execution_at IS strftime('%Y-%m-%dT%H:%M:%fZ', last_execution_at));
