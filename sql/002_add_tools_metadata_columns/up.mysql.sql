-- 002: metadata the gateway keeps per tool. ALGORITHM=INSTANT: the server adds
-- each column without copying the table, or refuses the statement instead of
-- copying it behind our back (MariaDB 10.3+, MySQL 8.0.12+).
ALTER TABLE tools ADD COLUMN tags JSON NOT NULL DEFAULT ('[]'), ALGORITHM=INSTANT;
ALTER TABLE tools ADD COLUMN annotations JSON, ALGORITHM=INSTANT;
ALTER TABLE tools ADD COLUMN execution_count BIGINT NOT NULL DEFAULT 0 CHECK (execution_count >= 0), ALGORITHM=INSTANT;
ALTER TABLE tools ADD COLUMN last_execution_at DATETIME(6), ALGORITHM=INSTANT;
