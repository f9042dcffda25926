// SQLite driver: one connection; the lock is each migration's BEGIN IMMEDIATE.

import { accessSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { StairwayError } from "../errors.ts";
import { ColumnChecksum } from "../data/checksum.ts";
import { introspectSqlite, tableGraphSqlite } from "../schema/introspect-sqlite.ts";
import {
  BOOKKEEPING_TABLE,
  SqlExecError,
  type AppliedRow,
  type DialectModule,
  type FkViolation,
  type MigrationTimeouts,
  type OpenOptions,
  type SqlDriver,
  type Value,
} from "./driver.ts";
import { openSqliteEngine, type SqliteEngine, type SqliteValue } from "./sqlite-engine.ts";
import type { TargetUrl } from "./url.ts";

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

export function sqliteDriver(db: SqliteEngine, timeouts: MigrationTimeouts = {}): SqlDriver {
  let inTx = false;
  const driver: SqlDriver = {
    dialect: "sqlite",
    capabilities: { transactionalDdl: true, sessionLock: false, concurrentConnections: false, resumable: false },
    async close() {
      db.close();
    },
    async lock() {},
    async unlock() {},
    async bookkeepingExists() {
      return db.values("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [BOOKKEEPING_TABLE]).length > 0;
    },
    async ensureBookkeeping() {
      db.run(
        `CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (
          version     TEXT PRIMARY KEY,
          name        TEXT NOT NULL,
          checksum    TEXT NOT NULL,
          applied_at  TEXT NOT NULL,
          duration_ms REAL NOT NULL,
          dirty       INTEGER NOT NULL DEFAULT 0
        )`,
      );
    },
    async applied() {
      if (!(await driver.bookkeepingExists())) return [];
      return db
        .all<{ version: string; name: string; checksum: string; applied_at: string; duration_ms: number; dirty: number }>(
          `SELECT version, name, checksum, applied_at, duration_ms, dirty FROM ${BOOKKEEPING_TABLE}`,
        )
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
      db.run(
        `INSERT INTO ${BOOKKEEPING_TABLE} (version, name, checksum, applied_at, duration_ms, dirty) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = excluded.checksum,
           applied_at = excluded.applied_at, duration_ms = excluded.duration_ms, dirty = excluded.dirty`,
        [row.version, row.name, row.checksum, row.appliedAt, row.durationMs, row.dirty ? 1 : 0],
      );
    },
    async forget(version) {
      db.run(`DELETE FROM ${BOOKKEEPING_TABLE} WHERE version = ?`, [version]);
    },
    async begin() {
      // IMMEDIATE takes the write lock now, so two runners serialise here.
      wrap(() => db.run("BEGIN IMMEDIATE"));
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
      const values = (k: number) => Array.from({ length: k }, () => `(${columns.map(() => "?").join(", ")})`).join(", ");
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
      const sums = columns.map(() => new ColumnChecksum());
      let rows = 0;
      for (const row of db.iterate(`SELECT ${columns.map(q).join(", ")} FROM ${q(table)}`)) {
        rows++;
        row.forEach((v, i) => sums[i]!.add(sqliteText(v)));
      }
      return { rows, columns: Object.fromEntries(columns.map((c, i) => [c, sums[i]!.hex()])) };
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
      const v = db.values(`SELECT max(${q(column)}) FROM ${q(table)} WHERE typeof(${q(column)}) IN ('integer', 'real')`)[0]?.[0];
      return v === null || v === undefined ? null : Number(v);
    },
    async rowCount(table) {
      return Number(db.values(`SELECT count(*) FROM ${q(table)}`)[0]![0]);
    },
    async foreignKeyViolations(schema) {
      // https://www.sqlite.org/pragma.html#pragma_foreign_key_check
      const rows = schema
        ? schema.tables.flatMap((t) => db.all<{ table: string; parent: string }>(`PRAGMA foreign_key_check(${q(t.name)})`))
        : db.all<{ table: string; parent: string }>("PRAGMA foreign_key_check");
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

async function open(url: TargetUrl, opts: OpenOptions): Promise<SqlDriver> {
  const path = url.path!;
  if (path !== ":memory:" && !existsSync(path)) {
    // Reading the state of a database that does not exist: an empty one, nothing created.
    if (opts.readOnly) return sqliteDriver(await openSqliteEngine(":memory:"), opts.timeouts);
    if (!existsSync(dirname(path)))
      throw new StairwayError(
        "E_UNREACHABLE",
        `target ${opts.name}: cannot create SQLite database ${path}: directory ${dirname(path)} does not exist`,
      );
  }
  if (path !== ":memory:" && !opts.readOnly) refuseUnwritable(path, opts.name);
  let db: SqliteEngine;
  try {
    db = await openSqliteEngine(path, { readonly: opts.readOnly, create: true });
    db.run(`PRAGMA busy_timeout = ${Number(url.params.busy_timeout ?? 15000)}`);
    db.values("SELECT count(*) FROM sqlite_schema");
  } catch (e) {
    throw new StairwayError("E_UNREACHABLE", `target ${opts.name}: cannot open SQLite database ${path}: ${(e as Error).message}`);
  }
  // Foreign keys are enforced, as an application should have them; ?foreign_keys=off opts out.
  if (!opts.readOnly) db.run(`PRAGMA foreign_keys = ${url.params.foreign_keys === "off" ? "OFF" : "ON"}`);
  return sqliteDriver(db, opts.timeouts);
}

/**
 * A database the runner must write, checked before it is opened: SQLite
 * would open it and fail at the first write ("attempt to write a readonly
 * database", naming nothing). Its directory must take the journal too.
 */
function refuseUnwritable(path: string, name: string): void {
  const cannot = (what: string, e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EISDIR" ? "it is a directory" : `${what} (${code}: read-only or immutable)`;
    return new StairwayError("E_UNREACHABLE", `target ${name}: cannot write SQLite database ${path}: ${why}`);
  };
  if (existsSync(path)) {
    try {
      closeSync(openSync(path, "r+"));
    } catch (e) {
      throw cannot("the file cannot be written", e);
    }
  }
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    throw cannot(`its directory ${dirname(path)} cannot be written`, e);
  }
}

export const sqliteModule: DialectModule = {
  dialect: "sqlite",
  open,
  scratchUrl(url, name) {
    const path = join(tmpdir(), "stairway", `${name}.db`);
    return { ...url, raw: `sqlite:${path}`, redacted: `sqlite:${path}`, path };
  },
  async createScratch(url, name) {
    const scratch = sqliteModule.scratchUrl(url, name);
    mkdirSync(dirname(scratch.path!), { recursive: true });
    rmSync(scratch.path!, { force: true });
    return scratch;
  },
  async dropScratch(_url, scratch) {
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(scratch.path! + suffix, { force: true });
  },
  async backup(url, file) {
    // VACUUM INTO writes a consistent copy while the database stays online.
    // https://www.sqlite.org/lang_vacuum.html#vacuuminto
    rmSync(file, { force: true });
    const db = await openSqliteEngine(url.path!);
    try {
      db.run(`VACUUM INTO '${file.replace(/'/g, "''")}'`);
    } finally {
      db.close();
    }
    return "VACUUM INTO";
  },
  async restore(server, file, name) {
    const scratch = sqliteModule.scratchUrl(server, name);
    mkdirSync(dirname(scratch.path!), { recursive: true });
    copyFileSync(file, scratch.path!);
    return scratch;
  },
};
