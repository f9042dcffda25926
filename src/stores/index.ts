// The one registry of stores: which URL schemes, dialect names and labels
// each has, and where its module is. The rest of the code asks here (or asks
// a driver's capabilities) and never compares store names itself. Modules
// load on first use: commands that open no database (safety, report) never
// load postgres.js, SQLite or ioredis.

import { StairwayError } from "../errors.ts";
import type { Migrator, StoreModule } from "./contract.ts";
import { parseFileUrl, parseNetworkUrl, redactUrl, type TargetUrl } from "./url.ts";

/** The dialect of each store below: SQL dialects, then stores of keys. */
export type SqlDialect = "postgres" | "sqlite";
export type Dialect = SqlDialect | "redis";

export interface StoreEntry {
  /** The dialect of its migration files and targets: what --dialect, skip directives and file names say. */
  readonly dialect: Dialect;
  /** For people: "PostgreSQL". */
  readonly label: string;
  /** URL schemes, lower case. */
  readonly schemes: readonly string[];
  /** Other spellings of the dialect in file names, --dialect and directives. */
  readonly aliases: readonly string[];
  /** SQL files over tables (linted, compared by cross-db), or transform programs over keys. */
  readonly kind: "sql" | "keys";
  /** A URL to show in messages. */
  readonly example: string;
  parseUrl(raw: string, where: string): TargetUrl;
  load(): Promise<StoreModule>;
}

export const STORES: readonly StoreEntry[] = [
  {
    dialect: "postgres",
    label: "PostgreSQL",
    schemes: ["postgres", "postgresql"],
    aliases: ["postgresql", "pg"],
    kind: "sql",
    example: "postgres://user@host:5432/db",
    parseUrl: (raw, where) => parseNetworkUrl(raw, "postgres", where),
    load: () => import("./postgres/index.ts").then((m) => m.postgresModule),
  },
  {
    dialect: "sqlite",
    label: "SQLite",
    schemes: ["sqlite", "sqlite3"],
    aliases: ["sqlite3"],
    kind: "sql",
    example: "sqlite:path.db",
    parseUrl: (raw, where) => parseFileUrl(raw, "sqlite", where),
    load: () => import("./sqlite/index.ts").then((m) => m.sqliteModule),
  },
  {
    dialect: "redis",
    label: "Redis",
    schemes: ["redis", "rediss", "redis+cluster"],
    aliases: [],
    kind: "keys",
    example: "redis://host:6379/15",
    parseUrl: (raw, where) => parseNetworkUrl(raw, "redis", where),
    load: () => import("./redis/index.ts").then((m) => m.redisModule),
  },
];

/** Every SQL dialect, in registry order. */
export const SQL_DIALECTS: SqlDialect[] = STORES.filter((s) => s.kind === "sql").map((s) => s.dialect as SqlDialect);

export function storeOf(dialect: Dialect): StoreEntry {
  return STORES.find((s) => s.dialect === dialect)!;
}

export function isSqlDialect(dialect: Dialect): dialect is SqlDialect {
  return storeOf(dialect).kind === "sql";
}

/** The dialect a name means ("pg", "postgresql", "sqlite3", …), in any case; undefined when none. */
export function dialectNamed(name: string): Dialect | undefined {
  const n = name.toLowerCase();
  return STORES.find((s) => s.dialect === n || s.aliases.includes(n))?.dialect;
}

/** "sqlite or postgres" — for messages that list what is known. */
export function dialectList(kind?: StoreEntry["kind"]): string {
  return orList(STORES.filter((s) => !kind || s.kind === kind).map((s) => s.dialect));
}

/** The store's module; D narrows the driver it opens for callers that know the kind (a SqlDriver for a SQL dialect). */
export function loadStore<D extends Migrator = Migrator>(dialect: Dialect): Promise<StoreModule<D>> {
  return storeOf(dialect).load() as Promise<StoreModule<D>>;
}

export function parseTargetUrl(raw: string, where = "--db"): TargetUrl {
  const trimmed = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  const store = STORES.find((s) => scheme && s.schemes.includes(scheme));
  if (store) return store.parseUrl(trimmed, where);
  throw new StairwayError(
    "E_URL",
    `${where}: "${redactUrl(trimmed)}" is not a database URL stairway knows (use ${orList(STORES.map((s) => s.example))})`,
  );
}

function orList(items: string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
