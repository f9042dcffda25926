ALTER TABLE tools DROP COLUMN last_execution_at;
ALTER TABLE tools DROP COLUMN execution_count;
ALTER TABLE tools DROP COLUMN annotations;
ALTER TABLE tools DROP COLUMN tags;
