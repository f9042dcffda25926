// The MariaDB/MySQL driver: migrations, bookkeeping, rows and schema over one
// mysql2 connection (connect.ts), which it watches: a lost connection takes
// the run lock (GET_LOCK is the session's) with it. DDL commits by itself on
// these servers, so the runner runs every migration statement by statement
// (capabilities.transactionalDdl is false) and a failure leaves it dirty.
// https://mariadb.com/kb/en/get_lock/  https://dev.mysql.com/doc/refman/8.0/en/implicit-commit.html

import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fingerprintRows } from "../../data/checksum.ts";
import { StairwayError } from "../../errors.ts";
import { splitStatements } from "../../plan/statements.ts";
import {
  BOOKKEEPING_TABLE,
  SqlExecError,
  type AppliedRow,
  type FkViolation,
  type MigrationTimeouts,
  type SqlDriver,
  type Value,
} from "../contract.ts";
import { quoteIdent as q, type MysqlConnection } from "./connect.ts";
import { execError } from "./exec-error.ts";
import { introspectMysql, tableGraphMysql } from "./introspect.ts";

type Field = { type: string; string(encoding?: string): string | null; buffer(): Buffer | null };

const BINARY_CAPABLE = new Set(["BLOB", "TINY_BLOB", "MEDIUM_BLOB", "LONG_BLOB", "STRING", "VAR_STRING"]);

/**
 * Every value as the server writes it as text; binary strings as \x<hex>
 * (as PostgreSQL prints bytea), so rows compare alike on every store.
 */
function asText(field: Field, next: () => unknown): unknown {
  if (field.type === "JSON") return field.string("utf8"); // MySQL sends JSON as binary
  if (field.type === "BIT" || field.type === "GEOMETRY") {
    const b = field.buffer();
    return b === null ? null : "\\x" + b.toString("hex");
  }
  if (BINARY_CAPABLE.has(field.type)) {
    const v = next();
    return Buffer.isBuffer(v) ? "\\x" + v.toString("hex") : v;
  }
  return field.string();
}

function toParam(v: Value): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === "bigint") return String(v);
  return v;
}

/** The GET_LOCK name of a database's run lock (the server's locks are server-wide; names at most 64 characters). */
export function lockName(database: string): string {
  const name = `stairway:${database}`;
  return name.length <= 64 ? name : `stairway:${createHash("sha1").update(database).digest("hex")}`;
}

/** ISO 8601 (…Z) → DATETIME(3) text, and back. */
const toDatetime = (iso: string) => iso.replace("T", " ").replace(/Z$/, "");

/** `reopen` gives a new connection after a loss outside a run's lock and outside a transaction. */
export function mysqlDriver(
  first: MysqlConnection,
  name: string,
  database: string,
  timeouts: MigrationTimeouts = {},
  reopen?: () => Promise<MysqlConnection>,
): SqlDriver {
  let c = first;
  let locked = false;
  let lossesAtLock = 0;
  /** Set while a transaction is open: how many connections were lost when it began. */
  let lossesAtBegin: number | undefined;
  const lock = lockName(database);
  const stillLocked = () => {
    if (locked && c.lost.count !== lossesAtLock)
      throw new StairwayError(
        "E_LOCKED",
        `target ${name}: the connection to the server was lost during the run, and the migration lock with it: run again`,
      );
  };
  const stillInTransaction = () => {
    if (lossesAtBegin !== undefined && c.lost.count !== lossesAtBegin)
      throw new SqlExecError(
        "the connection to the server was lost in the middle of the migration, and the server rolled back what was not committed",
      );
  };
  const fresh = async () => {
    if (c.lost.count === 0 || locked || lossesAtBegin !== undefined || !reopen) return;
    const old = c;
    c = await reopen();
    old.conn.destroy();
  };
  /** The error of a statement; a lost connection counted at once (its "end" event may come later). */
  const failure = (e: unknown, sql: string) => {
    const err = execError(e, sql);
    if (err.connectionLost && c.lost.count === 0) c.lost.count++;
    return err;
  };
  const rows = async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
    await fresh();
    try {
      const [r] = await c.conn.query(sql, params);
      return r as T[];
    } catch (e) {
      throw failure(e, sql);
    }
  };
  const run = async (sql: string, params?: unknown[]): Promise<number> => {
    await fresh();
    try {
      const [r] = await c.conn.query(sql, params);
      return (r as { affectedRows?: number }).affectedRows ?? 0;
    } catch (e) {
      throw failure(e, sql);
    }
  };
  /** Bookkeeping of a locked run: a connection found lost on the way is the lock lost. */
  const underLock = async (sql: string, params: unknown[]) => {
    stillLocked();
    try {
      await run(sql, params);
    } catch (e) {
      stillLocked();
      throw e;
    }
  };
  const textRows = async (sql: string): Promise<(string | null)[][]> => {
    await fresh();
    try {
      const [r] = await c.conn.query({ sql, rowsAsArray: true, typeCast: asText as never, jsonStrings: true } as never);
      return r as unknown as (string | null)[][];
    } catch (e) {
      throw execError(e, sql);
    }
  };
  const bookkeepingExists = async () =>
    (
      await rows<{ n: number }>(
        "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
        [BOOKKEEPING_TABLE],
      )
    )[0]!.n > 0;
  const recordSql = (row: AppliedRow): [string, unknown[]] => [
    `INSERT INTO ${BOOKKEEPING_TABLE} (version, name, checksum, applied_at, duration_ms, dirty) VALUES (?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE name = VALUES(name), checksum = VALUES(checksum), applied_at = VALUES(applied_at),
       duration_ms = VALUES(duration_ms), dirty = VALUES(dirty)`,
    [row.version, row.name, row.checksum, toDatetime(row.appliedAt), row.durationMs, row.dirty],
  ];
  const insertHead = (table: string, columns: string[]) =>
    `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES `;

  const driver: SqlDriver = {
    dialect: "mysql",
    capabilities: {
      transactionalDdl: false,
      concurrentConnections: true,
      resumable: false,
      data: "rows",
      lockInsight: false,
    },
    async close() {
      if (c.lost.count) c.conn.destroy();
      else await c.conn.end().catch(() => c.conn.destroy());
    },
    async lock(timeoutMs) {
      await fresh();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await rows<{ ok: number | null }>("SELECT GET_LOCK(?, 0) AS ok", [lock]);
        if (Number(row!.ok) === 1) {
          locked = true;
          lossesAtLock = c.lost.count;
          return;
        }
        if (Date.now() >= deadline) {
          const [holder] = await rows<{ id: number | null }>("SELECT IS_USED_LOCK(?) AS id", [lock]);
          throw new StairwayError(
            "E_LOCKED",
            `target ${name} is locked by another stairway run${holder?.id ? ` (connection id ${holder.id})` : ""}: wait for it to finish, or stop it`,
          );
        }
        await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
      }
    },
    async unlock() {
      if (!locked) return;
      locked = false;
      if (c.lost.count !== lossesAtLock) return; // the lock went with the lost session
      await rows("SELECT RELEASE_LOCK(?)", [lock]);
    },
    async ensureBookkeeping() {
      if (await bookkeepingExists()) return;
      await run(`CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (
        version     VARCHAR(255) NOT NULL PRIMARY KEY,
        name        TEXT NOT NULL,
        checksum    VARCHAR(64) NOT NULL,
        applied_at  DATETIME(3) NOT NULL,
        duration_ms DOUBLE NOT NULL,
        dirty       BOOLEAN NOT NULL DEFAULT FALSE
      ) ENGINE=InnoDB`);
    },
    async applied() {
      if (!(await bookkeepingExists())) return [];
      const list = await rows<{
        version: string;
        name: string;
        checksum: string;
        applied_at: string;
        duration_ms: number | string;
        dirty: number;
      }>(`SELECT version, name, checksum, DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%s.%f') AS applied_at,
                 duration_ms, dirty FROM ${BOOKKEEPING_TABLE}`);
      return list.map((r) => ({
        version: r.version,
        name: r.name,
        checksum: r.checksum,
        appliedAt: `${r.applied_at.slice(0, 23)}Z`,
        durationMs: Number(r.duration_ms),
        dirty: Number(r.dirty) === 1,
      }));
    },
    async record(row) {
      await underLock(...recordSql(row));
    },
    async forget(version) {
      await underLock(`DELETE FROM ${BOOKKEEPING_TABLE} WHERE version = ?`, [version]);
    },
    async begin() {
      stillLocked();
      await run("START TRANSACTION");
      lossesAtBegin = c.lost.count;
    },
    async commit(change) {
      stillInTransaction();
      if (change && "record" in change) await run(...recordSql(change.record));
      else if (change) await run(`DELETE FROM ${BOOKKEEPING_TABLE} WHERE version = ?`, [change.forget]);
      await run("COMMIT");
      lossesAtBegin = undefined;
    },
    async rollback() {
      const gone = lossesAtBegin !== undefined && c.lost.count !== lossesAtBegin;
      lossesAtBegin = undefined;
      if (gone) return;
      await c.conn.query("ROLLBACK").catch(() => {});
    },
    timeouts,
    // MySQL has no SET LOCAL: the runner sets them for the session and resets them after each migration.
    async setTimeouts() {
      const sets: string[] = [];
      if (timeouts.lockMs !== undefined) {
        // Whole seconds only (1 at least): the metadata lock DDL waits for, and row locks.
        const s = Math.max(1, Math.ceil(timeouts.lockMs / 1000));
        sets.push(`lock_wait_timeout = ${s}`, `innodb_lock_wait_timeout = ${s}`);
      }
      if (timeouts.statementMs !== undefined)
        // MariaDB bounds any statement; MySQL's max_execution_time bounds SELECTs only.
        sets.push(
          c.mariadb
            ? `max_statement_time = ${timeouts.statementMs / 1000}`
            : `max_execution_time = ${Math.round(timeouts.statementMs)}`,
        );
      if (sets.length) await run(`SET SESSION ${sets.join(", ")}`);
    },
    async resetTimeouts() {
      if (locked && c.lost.count !== lossesAtLock) return; // the settings went with the session
      const resets: string[] = [];
      if (timeouts.lockMs !== undefined)
        resets.push("lock_wait_timeout = DEFAULT", "innodb_lock_wait_timeout = DEFAULT");
      if (timeouts.statementMs !== undefined)
        resets.push(c.mariadb ? "max_statement_time = DEFAULT" : "max_execution_time = DEFAULT");
      if (resets.length) await run(`SET SESSION ${resets.join(", ")}`);
    },
    async execute(statement) {
      stillLocked();
      stillInTransaction();
      await fresh();
      try {
        await c.conn.query(statement);
      } catch (e) {
        throw failure(e, statement);
      }
    },
    // No multi-statement protocol: the script's statements one by one, a failure placed in the script.
    async executeScript(script) {
      for (const s of splitStatements(script, Infinity, "mysql-lexical")) {
        try {
          await driver.execute(s.text);
        } catch (e) {
          if (!(e instanceof SqlExecError) || !e.position) throw e;
          throw new SqlExecError(e.message, { sqlState: e.sqlState, position: s.offset + e.position });
        }
      }
    },
    async introspect(scope) {
      await fresh();
      return introspectMysql(c.conn, scope);
    },
    async tableGraph() {
      await fresh();
      return tableGraphMysql(c.conn);
    },
    async *readRows(table, columns) {
      await fresh();
      const sql = `SELECT ${columns.map(q).join(", ")} FROM ${q(table)}`;
      // The callback connection under the promise one: only it streams rows.
      const core = (c.conn as unknown as { connection: { query(o: object): { stream(): AsyncIterable<unknown> } } })
        .connection;
      const stream = core.query({ sql, rowsAsArray: true, typeCast: asText, jsonStrings: true }).stream();
      try {
        for await (const row of stream as AsyncIterable<(string | null)[]>) yield row;
      } catch (e) {
        throw execError(e, sql);
      }
    },
    async insertRow(table, columns, row) {
      const sql = columns.length
        ? `${insertHead(table, columns)}(${columns.map(() => "?").join(", ")})`
        : `INSERT INTO ${q(table)} () VALUES ()`;
      await run(sql, row.map(toParam));
    },
    async insertRows(table, columns, list) {
      if (list.length === 0) return 0;
      if (columns.length === 0) {
        for (const _ of list) await run(`INSERT INTO ${q(table)} () VALUES ()`);
        return list.length;
      }
      // A row that clashes with a unique key changes nothing (and counts 0: the connection does not count found rows).
      const tail = ` ON DUPLICATE KEY UPDATE ${q(columns[0]!)} = ${q(columns[0]!)}`;
      const per = Math.max(1, Math.min(1000, Math.floor(20_000 / columns.length)));
      let n = 0;
      for (let i = 0; i < list.length; i += per)
        n += await run(`${insertHead(table, columns)}?${tail}`, [list.slice(i, i + per).map((r) => r.map(toParam))]);
      return n;
    },
    async bulkLoad(table, columns, chunks) {
      // Multi-row INSERTs in one transaction: as fast as LOAD DATA here, and LOAD DATA LOCAL is off on MySQL 8.
      const per = Math.max(1, Math.min(1000, Math.floor(20_000 / Math.max(1, columns.length))));
      let n = 0;
      await run("START TRANSACTION");
      try {
        for await (const chunk of chunks) {
          for (let i = 0; i < chunk.length; i += per)
            await run(`${insertHead(table, columns)}?`, [chunk.slice(i, i + per).map((r) => r.map(toParam))]);
          n += chunk.length;
        }
        await run("COMMIT");
      } catch (e) {
        await c.conn.query("ROLLBACK").catch(() => {});
        throw e;
      }
      return n;
    },
    async fingerprint(table, columns) {
      // Streamed and hashed here: the values as readRows gives them, whatever their type.
      if (columns.length === 0) return { rows: await driver.rowCount(table), columns: {} };
      return fingerprintRows(columns, driver.readRows(table, columns), (v) => v);
    },
    async heldLocks() {
      return [];
    },
    async sampleRows(table, columns, limit) {
      const cols = columns.map(q).join(", ");
      const notNull = columns.map((col) => `${q(col)} IS NOT NULL`).join(" AND ");
      return textRows(`SELECT DISTINCT ${cols} FROM ${q(table)} WHERE ${notNull} ORDER BY ${cols} LIMIT ${limit}`);
    },
    async maxValue(table, column) {
      const [row] = await textRows(`SELECT MAX(${q(column)}) FROM ${q(table)}`);
      const v = row?.[0];
      return v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v);
    },
    async deleteRows(table) {
      await driver.execute(`DELETE FROM ${q(table)}`);
    },
    async rowCount(table) {
      const [row] = await rows<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${q(table)}`);
      return Number(row!.n);
    },
    async foreignKeyViolations(given) {
      const schema = given ?? (await driver.introspect());
      const out: FkViolation[] = [];
      for (const t of schema.tables)
        for (const fk of t.foreignKeys) {
          const notNull = fk.columns.map((col) => `c.${q(col)} IS NOT NULL`).join(" AND ");
          const match = fk.columns.map((col, i) => `p.${q(fk.refColumns[i]!)} = c.${q(col)}`).join(" AND ");
          const [row] = await rows<{ n: number | string }>(
            `SELECT COUNT(*) AS n FROM ${q(t.name)} c WHERE ${notNull}
               AND NOT EXISTS (SELECT 1 FROM ${q(fk.refTable)} p WHERE ${match})`,
          );
          if (Number(row!.n) > 0) out.push({ table: t.name, parent: fk.refTable, rows: Number(row!.n) });
        }
      return out;
    },
  };
  return driver;
}
