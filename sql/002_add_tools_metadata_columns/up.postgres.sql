-- 002: metadata the gateway keeps per tool. Constant defaults: PostgreSQL 11+
-- adds these columns without rewriting the table. The CHECK is added NOT VALID
-- and validated in its own transaction, so writes wait only for the first step.
-- stairway:no-transaction
ALTER TABLE tools ADD COLUMN tags jsonb NOT NULL DEFAULT '[]';
ALTER TABLE tools ADD COLUMN annotations jsonb;
ALTER TABLE tools ADD COLUMN execution_count bigint NOT NULL DEFAULT 0;
ALTER TABLE tools ADD CONSTRAINT tools_execution_count_check CHECK (execution_count >= 0) NOT VALID;
ALTER TABLE tools VALIDATE CONSTRAINT tools_execution_count_check;
ALTER TABLE tools ADD COLUMN last_execution_at timestamptz;
