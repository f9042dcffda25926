// SQLite driver: one connection to the database, and, while a run holds the
// run lock, a second one to a lock file beside it (see lock()).

import { realpathSync } from "node:fs";
import { fingerprintRows } from "../../data/checksum.ts";
import { StairwayError } from "../../errors.ts";
import {
  BOOKKEEPING_TABLE,
  SqlExecError,
  type AppliedRow,
  type FkViolation,
  type MigrationTimeouts,
  type SqlDriver,
  type Value,
} from "../contract.ts";
import type { SqliteEngine, SqliteValue } from "./engine.ts";
import { introspectSqlite, tableGraphSqlite } from "./introspect.ts";
import { holdLockFile } from "./lock-file.ts";

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Text a value is compared by: the same for both engines. */
export function sqliteText(v: SqliteValue): string | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) return "\\x" + Buffer.from(v).toString("hex");
  return String(v);
}

function toSqlite(v: Value): SqliteValue {
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

function wrap<T>(fn: () => T, statement?: string): T {
  try {
    return fn();
  } catch (e) {
    const err = e as { message?: string; code?: string; byteOffset?: number };
    // bun:sqlite reports sqlite3_error_offset() as a UTF-8 byte offset (-1: none).
    const position =
      statement && typeof err.byteOffset === "number" && err.byteOffset >= 0
        ? Buffer.from(statement, "utf8").subarray(0, err.byteOffset).toString("utf8").length + 1
        : undefined;
    throw new SqlExecError(String(err.message ?? e), { sqlState: err.code, position });
  }
}

/** Where the run lock of a database file is taken: `<file>-stairway.lock`, beside it. */
export function lockFileOf(path: string): string {
  // Through symlinks: two runs naming one file by two paths must meet at one lock.
  return `${realpathSync(path)}-stairway.lock`;
}

export interface SqliteDriverOptions {
  timeouts?: MigrationTimeouts;
  /** Target name and database file, for messages. */
  name?: string;
  file?: string;
  /** Take the run lock beside `file`; not for a database no other run can reach (in memory, a scratch copy). */
  runLock?: boolean;
}

export function sqliteDriver(db: SqliteEngine, opts: SqliteDriverOptions = {}): SqlDriver {
  const { timeouts = {}, name = "sqlite", file = ":memory:", runLock = false } = opts;
  let inTx = false;
  let release: (() => void) | undefined;
  // The database itself stayed locked by another connection longer than busy_timeout: say so, not "database is locked".
  const locked = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith("SQLITE_BUSY"))
        throw new StairwayError(
          "E_LOCKED",
          `target ${name}: SQLite database ${file} is locked by another connection that kept it busy longer than busy_timeout: wait for it to finish, or raise ?busy_timeout= (ms) in the URL`,
        );
      throw e;
    }
  };
  const bookkeepingExists = () =>
    db.values("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [BOOKKEEPING_TABLE]).length > 0;
  const driver: SqlDriver = {
    dialect: "sqlite",
    capabilities: {
      transactionalDdl: true,
      concurrentConnections: false,
      resumable: false,
      data: "rows",
      lockInsight: false,
    },
    async close() {
      await driver.unlock();
      db.close();
    },
    /**
     * The run lock: a lock file beside the database (lock-file.ts), held by a
     * second connection for the whole run, so no-transaction migrations are
     * covered too.
     */
    async lock(timeoutMs) {
      if (!runLock || release) return;
      const path = lockFileOf(file);
      release = await holdLockFile(
        path,
        name,
        timeoutMs,
        () =>
          new StairwayError(
            "E_LOCKED",
            `target ${name}: SQLite database ${file} is locked by another stairway run (it holds ${path}; waited ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}): wait for it to finish, or stop it`,
          ),
      );
    },
    async unlock() {
      const held = release;
      release = undefined;
      held?.();
    },
    async ensureBookkeeping() {
      if (bookkeepingExists()) return;
      locked(() =>
        db.run(
          `CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (
          version     TEXT PRIMARY KEY,
          name        TEXT NOT NULL,
          checksum    TEXT NOT NULL,
          applied_at  TEXT NOT NULL,
          duration_ms REAL NOT NULL,
          dirty       INTEGER NOT NULL DEFAULT 0
        )`,
        ),
      );
    },
    async applied() {
      if (!bookkeepingExists()) return [];
      return db
        .all<{
          version: string;
          name: string;
          checksum: string;
          applied_at: string;
          duration_ms: number;
          dirty: number;
        }>(`SELECT version, name, checksum, applied_at, duration_ms, dirty FROM ${BOOKKEEPING_TABLE}`)
        .map((r) => ({
          version: String(r.version),
          name: r.name,
          checksum: r.checksum,
          appliedAt: r.applied_at,
          durationMs: Number(r.duration_ms),
          dirty: r.dirty === 1,
        }));
    },
    async record(row: AppliedRow) {
      locked(() =>
        db.run(
          `INSERT INTO ${BOOKKEEPING_TABLE} (version, name, checksum, applied_at, duration_ms, dirty) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = excluded.checksum,
           applied_at = excluded.applied_at, duration_ms = excluded.duration_ms, dirty = excluded.dirty`,
          [row.version, row.name, row.checksum, row.appliedAt, row.durationMs, row.dirty ? 1 : 0],
        ),
      );
    },
    async forget(version) {
      locked(() => db.run(`DELETE FROM ${BOOKKEEPING_TABLE} WHERE version = ?`, [version]));
    },
    async begin() {
      // IMMEDIATE takes the write lock now: another writer (an application) is waited for here, not halfway through.
      locked(() => db.run("BEGIN IMMEDIATE"));
      inTx = true;
    },
    async commit(change) {
      if (change && "record" in change) await driver.record(change.record);
      else if (change) await driver.forget(change.forget);
      wrap(() => db.run("COMMIT"));
      inTx = false;
    },
    async rollback() {
      inTx = false;
      try {
        db.run("ROLLBACK");
      } catch {
        // Some errors (e.g. SQLITE_FULL) roll back by themselves.
      }
    },
    timeouts,
    async setTimeouts() {},
    async resetTimeouts() {},
    async execute(statement) {
      wrap(() => db.values(statement), statement);
    },
    async executeScript(script) {
      // SQLite says where in the script only for syntax errors; the runner locates the rest.
      wrap(() => db.exec(script));
    },
    async introspect(scope) {
      return introspectSqlite(db, scope);
    },
    async tableGraph() {
      return tableGraphSqlite(db);
    },
    async *readRows(table, columns) {
      const sql = `SELECT ${columns.map(q).join(", ")} FROM ${q(table)}`;
      for (const row of db.iterate(sql)) yield row.map(sqliteText);
    },
    async insertRow(table, columns, row) {
      const sql = `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
      wrap(() => db.run(sql, row.map(toSqlite)), sql);
    },
    async insertRows(table, columns, rows) {
      if (rows.length === 0) return 0;
      // No column to give (a table of one INTEGER PRIMARY KEY, which SQLite numbers itself): one row of defaults each.
      const sql = columns.length
        ? `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`
        : `INSERT INTO ${q(table)} DEFAULT VALUES`;
      const stmt = wrap(() => db.prepare(sql), sql);
      const own = !inTx;
      if (own) db.run("BEGIN");
      let n = 0;
      try {
        for (const r of rows) n += wrap(() => stmt.run(r.map(toSqlite))).changes;
        if (own) db.run("COMMIT");
      } catch (e) {
        if (own) db.run("ROLLBACK");
        throw e;
      }
      return n;
    },
    async bulkLoad(table, columns, chunks) {
      // Many rows per statement: far fewer calls into SQLite than one insert per row.
      const per = Math.max(1, Math.min(200, Math.floor(30_000 / columns.length)));
      const values = (k: number) =>
        Array.from({ length: k }, () => `(${columns.map(() => "?").join(", ")})`).join(", ");
      const head = `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES `;
      const full = db.prepare(head + values(per));
      const one = db.prepare(head + values(1));
      let n = 0;
      let inBatch = 0;
      db.run("BEGIN");
      try {
        for await (const chunk of chunks) {
          let i = 0;
          for (; i + per <= chunk.length; i += per) {
            const params: SqliteValue[] = [];
            for (let k = i; k < i + per; k++) for (const v of chunk[k]!) params.push(toSqlite(v));
            wrap(() => full.run(params));
          }
          for (; i < chunk.length; i++) wrap(() => one.run(chunk[i]!.map(toSqlite)));
          n += chunk.length;
          inBatch += chunk.length;
          if (inBatch >= 100_000) {
            db.run("COMMIT");
            db.run("BEGIN");
            inBatch = 0;
          }
        }
        db.run("COMMIT");
      } catch (e) {
        db.run("ROLLBACK");
        throw e;
      }
      return n;
    },
    async fingerprint(table, columns) {
      if (columns.length === 0) return { rows: await driver.rowCount(table), columns: {} };
      return fingerprintRows(columns, db.iterate(`SELECT ${columns.map(q).join(", ")} FROM ${q(table)}`), sqliteText);
    },
    async heldLocks() {
      return [];
    },
    async sampleRows(table, columns, limit) {
      const notNull = columns.map((c) => `${q(c)} IS NOT NULL`).join(" AND ");
      return db.values(
        `SELECT DISTINCT ${columns.map(q).join(", ")} FROM ${q(table)} WHERE ${notNull} ORDER BY ${columns.map(q).join(", ")} LIMIT ${limit}`,
      );
    },
    async maxValue(table, column) {
      const v = db.values(
        `SELECT max(${q(column)}) FROM ${q(table)} WHERE typeof(${q(column)}) IN ('integer', 'real')`,
      )[0]?.[0];
      return v === null || v === undefined ? null : Number(v);
    },
    async deleteRows(table) {
      wrap(() => db.run(`DELETE FROM ${q(table)}`));
    },
    async rowCount(table) {
      return Number(db.values(`SELECT count(*) FROM ${q(table)}`)[0]![0]);
    },
    async foreignKeyViolations(schema) {
      // https://www.sqlite.org/pragma.html#pragma_foreign_key_check
      const rows = schema
        ? schema.tables.flatMap((t) =>
            // A foreign key to columns that are no key ("foreign key mismatch") is the tree's error, not ours.
            wrap(() => db.all<{ table: string; parent: string }>(`PRAGMA foreign_key_check(${q(t.name)})`)),
          )
        : wrap(() => db.all<{ table: string; parent: string }>("PRAGMA foreign_key_check"));
      const counts = new Map<string, FkViolation>();
      for (const r of rows) {
        const key = `${r.table}\u0000${r.parent}`;
        const v = counts.get(key) ?? { table: r.table, parent: r.parent, rows: 0 };
        v.rows++;
        counts.set(key, v);
      }
      return [...counts.values()];
    },
  };
  return driver;
}
