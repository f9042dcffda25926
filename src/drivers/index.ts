// URL dialect → driver module. The only place that knows every SQL dialect.

import type { SqlDialect } from "../plan/migration.ts";
import type { DialectModule } from "./driver.ts";
import { postgresModule } from "./postgres.ts";
import { sqliteModule } from "./sqlite.ts";

const modules: Record<SqlDialect, DialectModule> = {
  sqlite: sqliteModule,
  postgres: postgresModule,
};

export function dialectModule(dialect: SqlDialect): DialectModule {
  return modules[dialect];
}
