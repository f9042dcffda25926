// The PostgreSQL driver: migrations, bookkeeping, rows and schema over one
// connection, which it watches: a lost connection takes the session's lock
// and open transaction with it. The client is postgres.js (connect.ts) on a
// server, or the in-process adapter of embedded PostgreSQL (stores/pglite/):
// anything with the small PgClient interface.
// https://github.com/porsager/postgres

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { StairwayError } from "../../errors.ts";
import { introspectPostgres, tableGraphPostgres } from "./introspect.ts";
import {
  BOOKKEEPING_TABLE,
  SqlExecError,
  type AppliedRow,
  type FkViolation,
  type MigrationTimeouts,
  type SqlDriver,
  type Value,
} from "../contract.ts";
import { CONNECTION_GONE, type PgConnection } from "./connect.ts";

/** pg_advisory_lock key: "stairway" on a phone keypad. */
const LOCK_KEY = 78247929;

export function quoteIdent(name: string): string {
  return name
    .split(".")
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join(".");
}
const q = quoteIdent;

function toParam(v: Value): string | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) return "\\x" + Buffer.from(v).toString("hex");
  return String(v);
}

const QUALIFIED = `CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END`;

const COPY_SPECIAL = /[\\\t\n\r]/;

function copyText(v: Value): string {
  if (typeof v === "string")
    return COPY_SPECIAL.test(v)
      ? v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
      : v;
  if (v === null) return "\\N";
  if (v instanceof Uint8Array) return "\\\\x" + Buffer.from(v).toString("hex");
  return String(v);
}

/** Rows in COPY's text format, built with plain concatenation (map/join allocate per row). */
function copyLines(rows: Value[][]): string {
  let text = "";
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) text += i === 0 ? copyText(row[i]!) : "\t" + copyText(row[i]!);
    text += "\n";
  }
  return text;
}

/** Rows read in one go; a table with more is streamed. */
const SMALL_TABLE = 2000;

/** BEGIN, as it goes ahead of a transaction's first statement. */
const OPENING = "BEGIN;\n";

function execError(e: unknown, shift = 0): SqlExecError {
  const err = e as { message?: string; code?: string; position?: string; detail?: string; hint?: string };
  return new SqlExecError(String(err.message ?? e), {
    sqlState: err.code,
    position: err.position && Number(err.position) > shift ? Number(err.position) - shift : undefined,
    detail: err.detail,
    hint: err.hint,
  });
}

/** A SQL string literal (standard_conforming_strings, on since PostgreSQL 9.1). */
function literal(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function recordSql(row: AppliedRow): string {
  const values = [
    literal(row.version),
    literal(row.name),
    literal(row.checksum),
    literal(row.appliedAt),
    literal(String(row.durationMs)),
    String(row.dirty),
  ];
  return `INSERT INTO ${BOOKKEEPING_TABLE} (version, name, checksum, applied_at, duration_ms, dirty) VALUES (${values.join(", ")})
   ON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = excluded.checksum,
     applied_at = excluded.applied_at, duration_ms = excluded.duration_ms, dirty = excluded.dirty`;
}

function forgetSql(version: string): string {
  return `DELETE FROM ${BOOKKEEPING_TABLE} WHERE version = ${literal(version)}`;
}

/** `reopen` gives a new client after a loss (see fresh()); without it the driver stays on postgres.js's own reconnect. */
export function postgresDriver(
  conn: PgConnection,
  name: string,
  timeouts: MigrationTimeouts = {},
  reopen?: () => Promise<PgConnection>,
): SqlDriver {
  let { sql, lost } = conn;
  let locked = false;
  let closesAtLock = 0;
  /** The lock is the session's: once the connection was lost, another run may hold it. */
  const stillLocked = () => {
    if (locked && lost.count !== closesAtLock)
      throw new StairwayError(
        "E_LOCKED",
        `target ${name}: the connection to the server was lost during the run, and the migration lock with it: run again`,
      );
  };
  /**
   * After a lost connection, outside a locked run and outside a transaction
   * (a test step after backup's template copy ended our session, a server
   * restart): a new client. Under Bun, postgres.js's own reconnect can keep
   * the dead socket and wait out its connect timeout, again and again.
   */
  const fresh = async () => {
    if (lost.count === 0 || locked || closesAtBegin !== undefined || !reopen) return;
    const old = sql;
    ({ sql, lost } = await reopen());
    await old.end({ timeout: 0 }).catch(() => {});
  };
  /** A statement failed because the connection went: counted as lost even when its socket never reports the close (Bun). */
  const noteLoss = (e: unknown): boolean => {
    if (!CONNECTION_GONE.has((e as { code?: string }).code ?? "")) return false;
    lost.count++;
    return true;
  };
  /** The error of a statement: the database's (its position in the statement, `shift` characters sent before it), or the lost connection's. */
  const statementError = (e: unknown, shift = 0): SqlExecError => {
    if (!noteLoss(e)) return execError(e, shift);
    const err = e as { code?: string; message?: string };
    return new SqlExecError(`the connection to the server was lost (${String(err.message ?? e)})`, {
      sqlState: err.code,
      connectionLost: true,
    });
  };
  /** Set while a transaction is open: how many connections were lost when it began. */
  let closesAtBegin: number | undefined;
  /**
   * BEGIN waits to go with the transaction's first statement, in the same
   * round trip (the simple protocol takes several): one round trip less for
   * each of the stairway's steps.
   */
  let pendingBegin = false;
  const opening = () => {
    if (!pendingBegin) return "";
    pendingBegin = false;
    return OPENING;
  };
  /** A query that cannot carry it (one with parameters) inside the transaction: BEGIN goes first, alone. */
  const flushBegin = async () => {
    if (!pendingBegin) return;
    pendingBegin = false;
    await sql.unsafe("BEGIN").catch((e: unknown) => {
      noteLoss(e);
      throw e;
    });
  };
  /** The server rolled back the transaction of a lost connection: nothing more may run as if it were open. */
  const stillInTransaction = () => {
    if (closesAtBegin !== undefined && lost.count !== closesAtBegin)
      throw new SqlExecError(
        "the connection to the server was lost in the middle of the migration, and the server rolled it back",
      );
  };
  const bookkeepingExists = async () => {
    const [row] = await sql.unsafe<{ ok: boolean }[]>(`SELECT to_regclass('${BOOKKEEPING_TABLE}') IS NOT NULL AS ok`);
    return row!.ok;
  };
  const driver: SqlDriver = {
    dialect: "postgres",
    capabilities: {
      transactionalDdl: true,
      concurrentConnections: true,
      resumable: false,
      data: "rows",
      lockInsight: true,
    },
    async close() {
      // After a loss there is nothing to finish, and a socket that never reported its close would hold end() for its whole timeout.
      await sql.end({ timeout: lost.count ? 0 : 5 });
    },
    async lock(timeoutMs) {
      await fresh();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await sql.unsafe<{ ok: boolean }[]>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`);
        if (row!.ok) {
          locked = true;
          closesAtLock = lost.count;
          return;
        }
        if (Date.now() >= deadline) {
          const [holder] = await sql.unsafe<{ pid: number; since: string | null }[]>(
            `SELECT l.pid, a.backend_start::text AS since FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.objid = ${LOCK_KEY} AND l.granted LIMIT 1`,
          );
          throw new StairwayError(
            "E_LOCKED",
            `target ${name} is locked by another stairway run${holder ? ` (backend pid ${holder.pid})` : ""}: wait for it to finish, or stop it`,
          );
        }
        await sleep(100);
      }
    },
    async unlock() {
      if (!locked) return;
      locked = false;
      if (lost.count !== closesAtLock) return; // the lock went with the lost session
      await sql.unsafe(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    },
    async ensureBookkeeping() {
      if (await bookkeepingExists()) return;
      await sql.unsafe(`CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (
        version     text PRIMARY KEY,
        name        text NOT NULL,
        checksum    text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now(),
        duration_ms double precision NOT NULL,
        dirty       boolean NOT NULL DEFAULT false
      )`);
    },
    async applied() {
      await flushBegin();
      if (!(await bookkeepingExists())) return [];
      const rows = await sql.unsafe<
        { version: string; name: string; checksum: string; applied_at: string; duration_ms: number; dirty: boolean }[]
      >(`SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS applied_at,
                duration_ms, dirty FROM ${BOOKKEEPING_TABLE}`);
      return rows.map((r) => ({
        version: r.version,
        name: r.name,
        checksum: r.checksum,
        appliedAt: r.applied_at,
        durationMs: Number(r.duration_ms),
        dirty: r.dirty,
      }));
    },
    async record(row: AppliedRow) {
      stillLocked();
      await fresh();
      await sql.unsafe(opening() + recordSql(row));
    },
    async forget(version) {
      stillLocked();
      await fresh();
      await sql.unsafe(opening() + forgetSql(version));
    },
    async begin() {
      stillLocked();
      await fresh();
      pendingBegin = true;
      closesAtBegin = lost.count;
    },
    async commit(change) {
      stillInTransaction();
      // Bookkeeping and COMMIT in one simple-protocol round trip: the values are
      // literals (no parameters), and a failed INSERT makes COMMIT roll back.
      const first = change ? ("record" in change ? recordSql(change.record) : forgetSql(change.forget)) + ";\n" : "";
      try {
        await sql.unsafe(opening() + first + "COMMIT");
        closesAtBegin = undefined;
      } catch (e) {
        throw statementError(e);
      }
    },
    async rollback() {
      const gone = closesAtBegin !== undefined && lost.count !== closesAtBegin; // the server rolled it back when the connection went
      closesAtBegin = undefined;
      const sent = !pendingBegin;
      pendingBegin = false;
      if (gone || !sent) return;
      await sql.unsafe("ROLLBACK").catch(() => {});
    },
    timeouts,
    // Both settings in one round trip (the simple protocol takes several statements).
    async setTimeouts(local) {
      const scope = local ? "SET LOCAL" : "SET";
      const sets = [
        ...(timeouts.lockMs !== undefined ? [`${scope} lock_timeout = '${Math.round(timeouts.lockMs)}ms'`] : []),
        ...(timeouts.statementMs !== undefined
          ? [`${scope} statement_timeout = '${Math.round(timeouts.statementMs)}ms'`]
          : []),
      ];
      if (!sets.length) return;
      await fresh();
      await sql.unsafe(opening() + sets.join("; "));
    },
    async resetTimeouts() {
      if (locked && lost.count !== closesAtLock) return; // the settings went with the session
      const resets = [
        ...(timeouts.lockMs !== undefined ? ["RESET lock_timeout"] : []),
        ...(timeouts.statementMs !== undefined ? ["RESET statement_timeout"] : []),
      ];
      if (resets.length) await sql.unsafe(resets.join("; "));
    },
    async execute(statement) {
      stillLocked();
      stillInTransaction();
      await fresh();
      const head = opening();
      try {
        await sql.unsafe(head + statement);
      } catch (e) {
        throw statementError(e, head.length);
      }
    },
    // Without parameters postgres.js uses the simple query protocol: every statement of the script, one round trip.
    executeScript: (script) => driver.execute(script),
    async introspect(scope) {
      await flushBegin();
      await fresh();
      return introspectPostgres(sql, scope);
    },
    async tableGraph() {
      await flushBegin();
      return tableGraphPostgres(sql);
    },
    async *readRows(table, columns) {
      await flushBegin();
      const select = columns.map((c, i) => `${q(c)}::text AS c${i}`).join(", ");
      const values = (r: Record<string, string | null>) => columns.map((_, i) => r[`c${i}`] ?? null);
      // A small table (the stairway's) in one round trip; a large one streamed by a cursor, memory flat.
      const head = await sql.unsafe<Record<string, string | null>[]>(
        `SELECT ${select} FROM ${q(table)} LIMIT ${SMALL_TABLE + 1}`,
      );
      if (head.length <= SMALL_TABLE) {
        for (const r of head) yield values(r);
        return;
      }
      const cursor = sql.unsafe(`SELECT ${select} FROM ${q(table)}`).cursor(2000);
      for await (const rows of cursor) for (const r of rows as Record<string, string | null>[]) yield values(r);
    },
    async insertRow(table, columns, row) {
      await flushBegin();
      try {
        await sql.unsafe(
          `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
          row.map(toParam),
        );
      } catch (e) {
        throw execError(e);
      }
    },
    async insertRows(table, columns, rows) {
      await flushBegin();
      if (rows.length === 0) return 0;
      const perBatch = Math.max(1, Math.min(1000, Math.floor(60000 / columns.length)));
      let n = 0;
      for (let start = 0; start < rows.length; start += perBatch) {
        const batch = rows.slice(start, start + perBatch);
        const params: (string | null)[] = [];
        const tuples = batch.map((r) => `(${r.map((v) => (params.push(toParam(v)), `$${params.length}`)).join(", ")})`);
        try {
          const res = await sql.unsafe(
            `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`,
            params,
          );
          n += res.count;
        } catch (e) {
          throw execError(e);
        }
      }
      return n;
    },
    async bulkLoad(table, columns, chunks) {
      await flushBegin();
      // COPY's text format: tab-separated, \N for NULL, backslash escapes.
      // https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
      let n = 0;
      async function* lines() {
        for await (const chunk of chunks) {
          n += chunk.length;
          // A Buffer goes to the socket as it is; a string would be converted on the way.
          yield Buffer.from(copyLines(chunk));
        }
      }
      try {
        const writable = await sql.unsafe(`COPY ${q(table)} (${columns.map(q).join(", ")}) FROM STDIN`).writable();
        await pipeline(Readable.from(lines()), writable);
      } catch (e) {
        throw execError(e);
      }
      return n;
    },
    async fingerprint(table, columns) {
      await flushBegin();
      // hashtextextended (PostgreSQL 11+) summed as numeric: exact, any row order.
      const parts = columns.map(
        (c, i) => `sum(hashtextextended(coalesce(${q(c)}::text, E'\\x01NULL'), 0)::numeric)::text AS c${i}`,
      );
      const [row] = await sql.unsafe<Record<string, string | null>[]>(
        `SELECT count(*)::text AS rows${parts.length ? ", " + parts.join(", ") : ""} FROM ${q(table)}`,
      );
      return { rows: Number(row!.rows), columns: Object.fromEntries(columns.map((c, i) => [c, row![`c${i}`] ?? "0"])) };
    },
    async heldLocks() {
      await flushBegin();
      const rows = await sql.unsafe<{ relation: string; mode: string }[]>(
        `SELECT ${QUALIFIED} AS relation, l.mode
           FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relkind IN ('r', 'p', 'm')
            AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
      );
      return rows.map((r) => ({ relation: r.relation, mode: r.mode }));
    },
    async sampleRows(table, columns, limit) {
      await flushBegin();
      const cols = columns.map(q);
      const rows = await sql.unsafe<Record<string, string>[]>(
        `SELECT DISTINCT ${cols.map((c, i) => `${c}::text AS c${i}`).join(", ")}, ${cols.join(", ")} FROM ${q(table)}
          WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(" AND ")} ORDER BY ${cols.join(", ")} LIMIT ${limit}`,
      );
      return rows.map((r) => columns.map((_, i) => r[`c${i}`] ?? null));
    },
    async maxValue(table, column) {
      await flushBegin();
      const [row] = await sql.unsafe<{ m: number | null }[]>(`SELECT max(${q(column)})::float8 AS m FROM ${q(table)}`);
      return row?.m ?? null;
    },
    async deleteRows(table) {
      await driver.execute(`DELETE FROM ${q(table)}`);
    },
    async rowCount(table) {
      await flushBegin();
      const [row] = await sql.unsafe<{ n: string }[]>(`SELECT count(*)::text AS n FROM ${q(table)}`);
      return Number(row!.n);
    },
    async foreignKeyViolations(given) {
      await flushBegin();
      const schema = given ?? (await introspectPostgres(sql));
      // Every foreign key's orphans counted in one query, one row each.
      const parts: string[] = [];
      const keys: { table: string; parent: string }[] = [];
      for (const t of schema.tables)
        for (const fk of t.foreignKeys) {
          const notNull = fk.columns.map((c) => `c.${q(c)} IS NOT NULL`).join(" AND ");
          const match = fk.columns.map((c, i) => `p.${q(fk.refColumns[i]!)} = c.${q(c)}`).join(" AND ");
          parts.push(
            `SELECT ${keys.length} AS k, count(*)::text AS n FROM ${q(t.name)} c WHERE ${notNull}
               AND NOT EXISTS (SELECT 1 FROM ${q(fk.refTable)} p WHERE ${match})`,
          );
          keys.push({ table: t.name, parent: fk.refTable });
        }
      if (!parts.length) return [];
      const rows = await sql.unsafe<{ k: number; n: string }[]>(parts.join("\nUNION ALL\n"));
      const out: FkViolation[] = [];
      for (const r of [...rows].sort((a, b) => Number(a.k) - Number(b.k)))
        if (Number(r.n) > 0) out.push({ ...keys[Number(r.k)]!, rows: Number(r.n) });
      return out;
    },
  };
  return driver;
}
