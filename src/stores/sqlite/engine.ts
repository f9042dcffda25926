// One SQLite API over bun:sqlite (Bun, the compiled binary) and
// better-sqlite3@12 (Node 20). Differences handled here: get() returns null vs
// undefined, BLOBs are Uint8Array vs Buffer, better-sqlite3 cannot bind booleans.
// https://bun.sh/docs/api/sqlite  https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md

import { createRequire } from "node:module";

export type SqliteValue = string | number | bigint | null | Uint8Array;

export interface SqliteEngine {
  readonly name: "bun:sqlite" | "better-sqlite3";
  run(sql: string, params?: SqliteValue[]): { changes: number };
  /** Runs a script of several statements. */
  exec(sql: string): void;
  /** Rows as arrays, in column order. */
  values(sql: string, params?: SqliteValue[]): SqliteValue[][];
  /** Rows as objects. */
  all<T = Record<string, SqliteValue>>(sql: string, params?: SqliteValue[]): T[];
  /** Streams rows as arrays. */
  iterate(sql: string, params?: SqliteValue[]): IterableIterator<SqliteValue[]>;
  /** A statement prepared once and run many times (bulk inserts). */
  prepare(sql: string): { run(params: SqliteValue[]): { changes: number } };
  close(): void;
}

export interface SqliteOpenOptions {
  readonly?: boolean;
  create?: boolean;
}

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

export async function openSqliteEngine(path: string, opts: SqliteOpenOptions = {}): Promise<SqliteEngine> {
  return isBun ? openBun(path, opts) : openNode(path, opts);
}

async function openBun(path: string, opts: SqliteOpenOptions): Promise<SqliteEngine> {
  const { Database } = await import("bun:sqlite");
  const db = opts.readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { readwrite: true, create: opts.create !== false, strict: true });
  const fix = (v: unknown): SqliteValue => (v === undefined ? null : (v as SqliteValue));
  const row = (r: unknown[]) => r.map(fix);
  return {
    name: "bun:sqlite",
    run: (sql, params = []) => ({ changes: db.prepare(sql).run(...(params as never[])).changes }),
    exec: (sql) => void db.exec(sql),
    values: (sql, params = []) => (db.prepare(sql).values(...(params as never[])) as unknown[][]).map(row),
    all: <T>(sql: string, params: SqliteValue[] = []) => db.prepare(sql).all(...(params as never[])) as T[],
    iterate: function* (sql, params = []) {
      const stmt = db.prepare(sql);
      // Rows stream as objects, which list integer-like keys ("2024") first:
      // the values are read back by column name, in column order. Two columns
      // of one name would share a key, so such a query is read whole instead.
      const names = stmt.columnNames;
      if (new Set(names).size < names.length) {
        yield* (stmt.values(...(params as never[])) as unknown[][]).map(row);
        return;
      }
      for (const r of stmt.iterate(...(params as never[])))
        yield names.map((n) => fix((r as Record<string, unknown>)[n]));
    },
    prepare: (sql) => {
      const stmt = db.prepare(sql);
      return { run: (params) => ({ changes: stmt.run(...(params as never[])).changes }) };
    },
    close: () => db.close(),
  };
}

async function openNode(path: string, opts: SqliteOpenOptions): Promise<SqliteEngine> {
  // A computed name keeps the native addon out of the Bun bundle.
  const name = ["better", "sqlite3"].join("-");
  const Database = createRequire(import.meta.url)(name) as new (p: string, o?: object) => BetterDb;
  const db = new Database(path, { readonly: !!opts.readonly, fileMustExist: opts.create === false || !!opts.readonly });
  const bind = (params: SqliteValue[]) =>
    params.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v));
  const fix = (v: unknown): SqliteValue =>
    v === undefined ? null : Buffer.isBuffer(v) ? new Uint8Array(v) : (v as SqliteValue);
  return {
    name: "better-sqlite3",
    run: (sql, params = []) => ({ changes: db.prepare(sql).run(...bind(params)).changes }),
    exec: (sql) => void db.exec(sql),
    values: (sql, params = []) => {
      const stmt = db.prepare(sql);
      if (!stmt.reader) {
        stmt.run(...bind(params));
        return [];
      }
      return (stmt.raw(true).all(...bind(params)) as unknown[][]).map((r) => r.map(fix));
    },
    all: <T>(sql: string, params: SqliteValue[] = []) => db.prepare(sql).all(...bind(params)) as T[],
    iterate: function* (sql, params = []) {
      for (const r of db
        .prepare(sql)
        .raw(true)
        .iterate(...bind(params)))
        yield (r as unknown[]).map(fix);
    },
    prepare: (sql) => {
      const stmt = db.prepare(sql);
      return { run: (params) => ({ changes: stmt.run(...bind(params)).changes }) };
    },
    close: () => db.close(),
  };
}

interface BetterStatement {
  reader: boolean;
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  raw(on: boolean): BetterStatement;
}
interface BetterDb {
  prepare(sql: string): BetterStatement;
  exec(sql: string): void;
  close(): void;
}
