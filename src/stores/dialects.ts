// The stores stairway knows, as data: each one's id (a store: a way to run a
// database), the dialect its migration files are written in (what file
// names, --dialect and directives say; two stores may share one), its URL
// schemes, other spellings, label and kind. The rest of the code asks here
// (or asks a driver's capabilities) and never compares store names itself;
// stores/index.ts loads each one's module.

import { listed } from "../plural.ts";

export const STORES = [
  {
    id: "postgres",
    dialect: "postgres",
    label: "PostgreSQL",
    schemes: ["postgres", "postgresql"],
    aliases: ["postgresql", "pg"],
    kind: "sql",
    url: "server",
    example: "postgres://user@host:5432/db",
  },
  {
    // PostgreSQL itself compiled to WebAssembly, run inside stairway: no server.
    id: "pglite",
    dialect: "postgres",
    label: "PGlite (embedded PostgreSQL)",
    schemes: ["pglite"],
    aliases: [],
    kind: "sql",
    url: "file",
    example: "pglite:path/to/dir",
    bareIsMemory: true,
    ignoresTimeouts: true,
  },
  {
    id: "sqlite",
    dialect: "sqlite",
    label: "SQLite",
    schemes: ["sqlite", "sqlite3"],
    aliases: ["sqlite3"],
    kind: "sql",
    url: "file",
    example: "sqlite:path.db",
  },
  {
    id: "mysql",
    dialect: "mysql",
    label: "MariaDB/MySQL",
    schemes: ["mysql", "mariadb"],
    aliases: ["mariadb"],
    kind: "sql",
    url: "server",
    example: "mysql://user@host:3306/db",
    syntax: "mysql-lexical",
    ddlCommits: true,
  },
  {
    id: "redis",
    dialect: "redis",
    label: "Redis",
    schemes: ["redis", "rediss", "redis+cluster"],
    aliases: [],
    kind: "keys",
    url: "server",
    example: "redis://host:6379/15",
  },
] as const satisfies readonly StoreEntry[];

export interface StoreEntry {
  /** The store: what a target URL's scheme names, and whose module runs it. */
  readonly id: string;
  /** The dialect of its migration files and targets: what --dialect, skip directives and file names say. */
  readonly dialect: string;
  /** For people: "PostgreSQL". */
  readonly label: string;
  /** URL schemes, lower case. */
  readonly schemes: readonly string[];
  /** Other spellings of the dialect in file names, --dialect and directives. */
  readonly aliases: readonly string[];
  /** SQL files over tables (linted, compared by cross-db), or transform programs over keys. */
  readonly kind: "sql" | "keys";
  /** scheme://user:password@host:port/db, or scheme:path/to/file. */
  readonly url: "server" | "file";
  /** A URL to show in messages. */
  readonly example: string;
  /** How its SQL splits into statements, where it is not the standard's: MySQL's # comments, backslash escapes, DELIMITER. */
  readonly syntax?: "mysql-lexical";
  /** DDL commits any open transaction (MySQL): its files run as written, statement by statement, never inside stairway's transaction. */
  readonly ddlCommits?: true;
  /** A file URL with no path (`pglite:`) is a database in memory. */
  readonly bareIsMemory?: boolean;
  /**
   * lock_timeout and statement_timeout are accepted and never fire (PGlite:
   * one backend, no timers): a target may not set them, and the linter does
   * not count such a target's as in force.
   */
  readonly ignoresTimeouts?: boolean;
}

export type StoreId = (typeof STORES)[number]["id"];
export type Dialect = (typeof STORES)[number]["dialect"];
export type SqlDialect = Extract<(typeof STORES)[number], { kind: "sql" }>["dialect"];

/** Every SQL dialect, in registry order (the first is the richest: cross-db's default reference). */
export const SQL_DIALECTS = [...new Set(STORES.filter((s) => s.kind === "sql").map((s) => s.dialect as SqlDialect))];

/** The first store of a dialect: what the dialect is (its kind, label). */
export function storeOf(dialect: Dialect): StoreEntry {
  return STORES.find((s) => s.dialect === dialect)!;
}

export function storeById(id: StoreId): StoreEntry {
  return STORES.find((s) => s.id === id)!;
}

export function isSqlDialect(dialect: Dialect): dialect is SqlDialect {
  return storeOf(dialect).kind === "sql";
}

/** The dialect a name means ("pg", "postgresql", "sqlite3", …), in any case; undefined when none. */
export function dialectNamed(name: string): Dialect | undefined {
  const n = name.toLowerCase();
  return STORES.find((s) => s.dialect === n || (s.aliases as readonly string[]).includes(n))?.dialect;
}

/** "postgres or sqlite" — for messages that list what is known. */
export function dialectList(kind?: StoreEntry["kind"]): string {
  return listed([...new Set(STORES.filter((s) => !kind || s.kind === kind).map((s) => s.dialect))], "or");
}
