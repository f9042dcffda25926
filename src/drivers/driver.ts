// THE contract between the core and a SQL database. Drivers are deliberately
// dumb: they lock, run one statement, record, read and write rows. Ordering,
// transactions policy and every verdict live in runner.ts and checks/.
//
// To add a dialect:
//  1. src/drivers/<name>.ts exporting a DialectModule;
//  2. src/schema/introspect-<name>.ts returning the canonical model;
//  3. register it in src/drivers/index.ts;
//  4. make tests/drivers/conformance.test.ts pass against a real server.

import type { Dialect, Direction, Migration, SqlDialect } from "../plan/migration.ts";
import type { Schema, TableGraph, TableScope } from "../schema/model.ts";
import type { TargetUrl } from "./url.ts";

export interface Capabilities {
  /** DDL rolls back with its transaction (both SQLite and PostgreSQL; not Redis). */
  transactionalDdl: boolean;
  /** A second connection can work while a migration runs (concurrent probes). */
  concurrentConnections: boolean;
  /** A migration that stopped halfway may simply be run again (Redis transforms resume). */
  resumable: boolean;
}

export interface AppliedRow {
  version: string;
  name: string;
  checksum: string;
  /** ISO 8601. */
  appliedAt: string;
  durationMs: number;
  dirty: boolean;
}

/** A value written by the generator or a fixture. */
export type Value = string | number | bigint | boolean | null | Uint8Array;

export interface TableFingerprint {
  rows: number;
  /** Column → checksum (hex), the same whatever the row order. */
  columns: Record<string, string>;
}

export interface FkViolation {
  table: string;
  /** The referenced table. */
  parent: string;
  /** Number of rows pointing at no parent. */
  rows: number;
}

/** A failed statement, as the database described it. */
export class SqlExecError extends Error {
  readonly sqlState?: string;
  /** 1-based character position in the statement, when the database gives one. */
  readonly position?: number;
  readonly detail?: string;
  readonly hint?: string;
  /** The connection went, not the statement: running the file again statement by statement would find nothing. */
  readonly connectionLost?: boolean;
  constructor(message: string, opts: { sqlState?: string; position?: number; detail?: string; hint?: string; connectionLost?: boolean } = {}) {
    super(message);
    this.name = "SqlExecError";
    Object.assign(this, opts);
  }
}

/** Timeouts the runner sets for each migration (PostgreSQL lock_timeout / statement_timeout), in ms. */
export interface MigrationTimeouts {
  lockMs?: number;
  statementMs?: number;
}

export interface OpenOptions {
  /** Do not create anything (SQLite: do not create a missing file). */
  readOnly?: boolean;
  /** A scratch copy only this run uses: no run lock (SQLite: no lock file beside it). */
  scratch?: boolean;
  /** Give up connecting after this many ms (retrying while the server starts). */
  waitMs?: number;
  /** Target name for messages. */
  name: string;
  /** Set around every migration this connection runs. */
  timeouts?: MigrationTimeouts;
}

/** What every store offers the runner: lock and bookkeeping. */
/** What a step changes in the bookkeeping when it commits. */
export type BookkeepingChange = { record: AppliedRow } | { forget: string };

export interface StoreDriver {
  readonly dialect: Dialect;
  readonly capabilities: Capabilities;
  close(): Promise<void>;

  /**
   * Takes the run lock, held until unlock() (no-transaction migrations
   * included), or throws E_LOCKED after timeoutMs. Released by the server or
   * the kernel when the process dies. A no-op where no other run can reach
   * the database (SQLite in memory, scratch copies).
   */
  lock(timeoutMs: number): Promise<void>;
  unlock(): Promise<void>;

  /** Bookkeeping (`stairway_migrations` table, `stairway:migrations` hash); created on first use. */
  bookkeepingExists(): Promise<boolean>;
  ensureBookkeeping(): Promise<void>;
  applied(): Promise<AppliedRow[]>;
  record(row: AppliedRow): Promise<void>;
  forget(version: string): Promise<void>;
}

/** A store whose migrations are programs (Redis transforms) rather than SQL. */
export interface TransformDriver extends StoreDriver {
  /** Runs the migration's up or down; throws on failure (the runner marks it dirty). */
  runTransform(m: Migration, direction: Direction): Promise<void>;
}

export function isSqlDriver(d: StoreDriver): d is SqlDriver {
  return d.dialect === "sqlite" || d.dialect === "postgres";
}

export interface SqlDriver extends StoreDriver {
  readonly dialect: SqlDialect;

  /** Transaction control; SQLite's begin takes the write lock (BEGIN IMMEDIATE). */
  begin(): Promise<void>;
  /** Commits, first recording or forgetting a version when asked (PostgreSQL: one round trip for both). */
  commit(change?: BookkeepingChange): Promise<void>;
  rollback(): Promise<void>;
  /** Runs one statement; throws SqlExecError. */
  execute(statement: string): Promise<void>;
  /**
   * Runs a whole script in one round trip (a transactional migration file);
   * throws SqlExecError, with a position in the script where the database gives one.
   */
  executeScript(script: string): Promise<void>;
  /** The timeouts to set around each migration (from the target's config). */
  readonly timeouts: MigrationTimeouts;
  /**
   * Sets the timeouts for the migration about to run: for its transaction
   * (`local`), or for the session until resetTimeouts(). No-op where the
   * database has no such setting (SQLite waits by busy_timeout).
   */
  setTimeouts(local: boolean): Promise<void>;
  resetTimeouts(): Promise<void>;

  /** The canonical schema; with a scope, only those tables are read in full (other objects always). */
  introspect(scope?: TableScope): Promise<Schema>;
  /** Table names and foreign-key edges, cheaply. */
  tableGraph(): Promise<TableGraph>;
  /** Rows of `columns`, each value as canonical text (null stays null). */
  readRows(table: string, columns: string[]): AsyncIterable<(string | null)[]>;
  /** Inserts one row as given; throws SqlExecError when the database refuses it (behaviour probes). */
  insertRow(table: string, columns: string[], row: Value[]): Promise<void>;
  /** Inserts rows, skipping those that clash with a unique key; returns how many went in. */
  insertRows(table: string, columns: string[], rows: Value[][]): Promise<number>;
  /**
   * Loads many rows fast (PostgreSQL COPY … FROM STDIN, SQLite prepared
   * inserts in large transactions), chunk by chunk so memory stays flat.
   * All or nothing: a refused row fails the load (callers fall back to insertRows).
   */
  bulkLoad(table: string, columns: string[], chunks: AsyncIterable<Value[][]> | Iterable<Value[][]>): Promise<number>;
  /**
   * Row count and an order-independent checksum per column, computed in the
   * database where it can (PostgreSQL), streamed otherwise; linear in rows.
   */
  fingerprint(table: string, columns: string[]): Promise<TableFingerprint>;
  /** Relation locks this connection holds now (inside a migration's transaction), PostgreSQL only. */
  heldLocks(): Promise<{ relation: string; mode: string }[]>;
  /** Up to `limit` existing value tuples of `columns` (for foreign keys). */
  sampleRows(table: string, columns: string[], limit: number): Promise<Value[][]>;
  /** Largest value of a numeric column, or null on an empty table. */
  maxValue(table: string, column: string): Promise<number | null>;
  rowCount(table: string): Promise<number>;
  /** Rows whose foreign keys point at nothing; in the tables of `schema` when given, else everywhere. */
  foreignKeyViolations(schema?: Schema): Promise<FkViolation[]>;
}

/** Everything a dialect offers the core beyond an open connection. */
export interface DialectModule {
  readonly dialect: SqlDialect;
  open(url: TargetUrl, opts: OpenOptions): Promise<SqlDriver>;
  /** The URL a scratch database `name` beside `url` has; pure, creates nothing. */
  scratchUrl(url: TargetUrl, name: string): TargetUrl;
  /** Creates an empty scratch database next to `url` and returns its URL. */
  createScratch(url: TargetUrl, name: string, opts: OpenOptions): Promise<TargetUrl>;
  dropScratch(url: TargetUrl, scratch: TargetUrl): Promise<void>;
  /** Backs the database at `url` up into `file`, the way an operator would; says how. */
  backup(url: TargetUrl, file: string): Promise<string>;
  /** Restores `file` into a new scratch database `name` beside `server`, and returns its URL. */
  restore(server: TargetUrl, file: string, name: string): Promise<TargetUrl>;
}

export const BOOKKEEPING_TABLE = "stairway_migrations";
