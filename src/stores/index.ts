// Each store's module, loaded on first use: commands that open no database
// (safety, report) never load postgres.js, SQLite or ioredis. What the stores
// are (names, schemes, kinds) is stores/dialects.ts.

import type { Migrator, StoreModule } from "./contract.ts";
import type { StoreId } from "./dialects.ts";

export { parseTargetUrl } from "./url.ts";

const MODULES: Record<StoreId, () => Promise<StoreModule>> = {
  postgres: () => import("./postgres/index.ts").then((m) => m.postgresModule as StoreModule),
  pglite: () => import("./pglite/index.ts").then((m) => m.pgliteModule as StoreModule),
  sqlite: () => import("./sqlite/index.ts").then((m) => m.sqliteModule as StoreModule),
  redis: () => import("./redis/index.ts").then((m) => m.redisModule as StoreModule),
  mysql: () => import("./mysql/index.ts").then((m) => m.mysqlModule as StoreModule),
};

/** The store's module; D narrows the driver it opens for callers that know the kind (a SqlDriver for a SQL dialect). */
export function loadStore<D extends Migrator = Migrator>(store: StoreId): Promise<StoreModule<D>> {
  return MODULES[store]() as Promise<StoreModule<D>>;
}
