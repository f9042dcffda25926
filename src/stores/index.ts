// URL dialect → driver module. The only place that knows every SQL dialect.
// Loaded on first use: commands that open no database (safety, validate's
// parse, report) never load postgres.js or SQLite.

import type { SqlDialect } from "../plan/migration.ts";
import type { DialectModule } from "./contract.ts";

export async function dialectModule(dialect: SqlDialect): Promise<DialectModule> {
  return dialect === "postgres" ? (await import("./postgres/index.ts")).postgresModule : (await import("./sqlite/driver.ts")).sqliteModule;
}
