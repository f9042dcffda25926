-- stairway:no-transaction
DROP INDEX CONCURRENTLY idx_tools_gateway;
ALTER TABLE tools DROP COLUMN gateway_id;
DROP TABLE server_gateways;
