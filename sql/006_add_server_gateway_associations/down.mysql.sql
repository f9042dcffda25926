-- The key first: its index cannot go while the key needs it.
ALTER TABLE tools DROP FOREIGN KEY tools_gateway_id_fkey, ALGORITHM=INSTANT;
ALTER TABLE tools DROP INDEX idx_tools_gateway, ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE tools DROP COLUMN gateway_id, ALGORITHM=INSTANT;
DROP TABLE server_gateways;
