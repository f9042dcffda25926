// The contracts between the core and the stores (one folder each under
// src/stores/). Stores are deliberately dumb: they lock, run one statement or
// one transform, record, read and write data. Ordering, transaction policy
// and every verdict live in runner.ts and checks/. Each consumer takes only
// the part it uses: the runner a Migrator, the data layer a RowStore, the
// checks an Inspector or a KeyspaceDriver. docs/ARCHITECTURE.md says how to
// add a store.

import type { Keyspace } from "../keyspace/model.ts";
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
  /**
   * What its migrations change, and so what the checks compare: SQL files
   * over tables and rows (a SqlDriver), or transform programs over keys (a
   * KeyspaceDriver).
   */
  data: "rows" | "keys";
  /** It can list the locks a migration holds inside its transaction (perf.lock). */
  lockInsight: boolean;
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
  constructor(
    message: string,
    opts: { sqlState?: string; position?: number; detail?: string; hint?: string; connectionLost?: boolean } = {},
  ) {
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
  /**
   * A scratch copy whose loss in a crash costs nothing: commits do not wait
   * for the disk (SQLite synchronous = OFF, PostgreSQL synchronous_commit =
   * off). Not for perf, whose timings must be what production would see.
   */
  unsynced?: boolean;
  /** Give up connecting after this many ms (retrying while the server starts). */
  waitMs?: number;
  /** Told how long it has waited so far before each retry, and null once it stops waiting. */
  onWait?: (waitedMs: number | null) => void;
  /** Target name for messages. */
  name: string;
  /** Set around every migration this connection runs. */
  timeouts?: MigrationTimeouts;
}

/** What a step changes in the bookkeeping when it commits. */
export type BookkeepingChange = { record: AppliedRow } | { forget: string };

/** What every store offers the runner: lock and bookkeeping. */
export interface Migrator {
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
  ensureBookkeeping(): Promise<void>;
  applied(): Promise<AppliedRow[]>;
  record(row: AppliedRow): Promise<void>;
  forget(version: string): Promise<void>;
  /** Stops work in flight at its next safe point (Ctrl-C during a transform). */
  abort?(reason: Error): void;
}

/** A store whose migrations are programs (Redis transforms) rather than SQL. */
export interface TransformSession extends Migrator {
  /** Runs the migration's up or down; throws on failure (the runner marks it dirty). */
  runTransform(m: Migration, direction: Direction): Promise<void>;
}

/** What the runner needs of a SQL store: transactions and statements. */
export interface SqlSession extends Migrator {
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
}

export function isSqlSession(d: Migrator): d is SqlSession {
  return d.capabilities.data === "rows";
}

/** What the checks read of a SQL store's schema. */
export interface Inspector {
  /**
   * The canonical schema; with a scope (the step's words), only those tables
   * are read in full, other objects always — except what no such word can
   * change (PostgreSQL's functions, when the words name none: postgres/introspect.ts).
   */
  introspect(scope?: TableScope): Promise<Schema>;
  /** Table names and foreign-key edges, cheaply. */
  tableGraph(): Promise<TableGraph>;
  /** Rows whose foreign keys point at nothing; in the tables of `schema` when given, else everywhere. */
  foreignKeyViolations(schema?: Schema): Promise<FkViolation[]>;
  /** Relation locks this connection holds now (inside a migration's transaction); [] without lockInsight. */
  heldLocks(): Promise<{ relation: string; mode: string }[]>;
}

/** What the data layer (generator, fixtures, snapshots, probes) reads and writes. */
export interface RowStore {
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
  /** Up to `limit` existing value tuples of `columns` (for foreign keys). */
  sampleRows(table: string, columns: string[], limit: number): Promise<Value[][]>;
  /** Largest value of a numeric column, or null on an empty table. */
  maxValue(table: string, column: string): Promise<number | null>;
  rowCount(table: string): Promise<number>;
  /** Empties a table (the stairway runs an up that failed over generated rows again without them). */
  deleteRows(table: string): Promise<void>;
}

/** A SQL store's connection: all three parts. */
export interface SqlDriver extends SqlSession, Inspector, RowStore {}

/** Keys the concurrent writer keeps writing while a transform runs (redis.concurrent-writes). */
export interface WriterTarget {
  key: string;
  type: "string" | "hash";
}

export interface WriterOptions {
  /** TTL of the values written to targets (ms). */
  ttlMs: number;
  /** Probe keys are `${probePrefix}<n>`. */
  probePrefix: string;
  seed: number;
}

export interface WriterLog {
  writes: number;
  probes: number;
  /** Key → the last value written there. */
  last: Map<string, { type: WriterTarget["type"]; value: string }>;
  /** Why the writer stopped early (a write failed). */
  error?: string;
}

/** The writer at work, on its own connection. */
export interface RunningWriter {
  /** Resolves once the first round is written, so the transform starts among live writes. */
  ready: Promise<void>;
  stop(): Promise<WriterLog>;
  /** Keys of the log that do not hold the last value written there. */
  lost(log: WriterLog): Promise<string[]>;
  close(): Promise<void>;
}

/** A backup of every key, with its time to live. */
export interface KeyDump {
  keys: { key: string; pttl: number; payload: Uint8Array }[];
}

/** What the checks need of a store of keys (Redis). */
export interface KeyspaceDriver extends TransformSession {
  /** "logical database 15 at redis://…", for messages. */
  readonly where: string;
  /** Where a transform's ctx.log goes (progress on a terminal). */
  log: (line: string) => void;
  /** Every key but stairway's own. */
  snapshot(): Promise<Keyspace>;
  /** Runs the migration's seed(ctx, count), if it has one; its failure as one sentence naming the file. */
  seed(m: Migration, count: number): Promise<string | undefined>;
  startWriter(targets: WriterTarget[], opts: WriterOptions): Promise<RunningWriter>;
  /** Stairway's own keys a finished run must not leave behind (checkpoints). */
  leftovers(): Promise<string[]>;
  /** Keys in the store, stairway's own included. */
  keyCount(): Promise<number>;
  /** Empties the store: only for one a test command was allowed to empty. */
  flush(): Promise<void>;
  /** Every migrated key and the bookkeeping (not the run's lock or checkpoints), with its PTTL. */
  dump(): Promise<KeyDump>;
  /** Puts back exactly what `dump` held, removing every other such key. */
  restore(dump: KeyDump): Promise<void>;
}

export function isKeyspaceDriver(d: Migrator): d is KeyspaceDriver {
  return d.capabilities.data === "keys";
}

export interface ProbeResult {
  /** Longest single probe wait, ms. */
  stallMs: number;
  /** The table whose probe waited longest. */
  stallTable?: string;
  samples: number;
  /** What the probe was seen waiting for, where the store can tell (MySQL: "table metadata lock on tools"). */
  waitedFor?: string[];
}

/** A second connection that plays the application while a migration runs (perf.lock). */
export interface Prober {
  /** Reads and writes `tables` until stopped; the longest wait is the stall the application would see. */
  start(tables: { name: string; column: string }[]): { stop(): Promise<ProbeResult> };
  close(): Promise<void>;
}

export interface ScratchOptions extends OpenOptions {
  /** The command that asks (for messages). */
  command: string;
  /** A store that can only work in place (a Redis logical database) may empty it first. */
  flush?: boolean;
  /** The run that makes it (a marker for `clean`). */
  runId: string;
}

/** Everything a store offers the core beyond an open connection. */
export interface StoreModule<D extends Migrator = Migrator> {
  /**
   * A scratch "database" is the target itself, claimed while it is empty (a
   * Redis logical database): its connection is closed before it is emptied,
   * so that nothing still in flight lands after.
   */
  readonly inPlace?: boolean;
  open(url: TargetUrl, opts: OpenOptions): Promise<D>;
  /** The URL a scratch database `name` beside `url` has; pure, creates nothing. */
  scratchUrl(url: TargetUrl, name: string): TargetUrl;
  /** Makes an empty scratch database next to `url` (or claims an empty namespace) and returns its URL. */
  createScratch(url: TargetUrl, name: string, opts: ScratchOptions): Promise<TargetUrl>;
  /** Loads and checks what the migrations need before anything runs (a transform that does not load stops the command, naming its file). */
  check?(migrations: Migration[]): Promise<void>;
  /** Drops it; a store that works in place empties it only when `runId` made it. */
  dropScratch(url: TargetUrl, scratch: TargetUrl, runId?: string): Promise<void>;
  /** Backs the database at `url` up into `file`, the way an operator would; says how. */
  backup?(url: TargetUrl, file: string): Promise<string>;
  /** Restores `file` into a new scratch database `name` beside `server`, and returns its URL. */
  restore?(server: TargetUrl, file: string, name: string): Promise<TargetUrl>;
  /**
   * Drops the scratch databases (or empties the namespace) that runs no longer
   * going left on the server of `url`; says what it did, in one sentence.
   */
  clean?(url: TargetUrl, stale: (runId: string) => boolean): Promise<string>;
  /** A prober on a second connection to `url` (stores with concurrentConnections whose locks can stall an application). */
  openProber?(url: TargetUrl, opts: OpenOptions): Promise<Prober>;
  /**
   * The prefix cache (src/prefix-cache.ts): keeps what the scratch database
   * `scratch` (closed, still there afterwards) holds as the cache entry
   * `entry` — files in `entry.dir`, or beside the server (a PostgreSQL
   * template) — and says what it kept, for fromSnapshot. A store without
   * these hooks is not cached: every run applies the prefix.
   */
  keepSnapshot?(server: TargetUrl, scratch: TargetUrl, entry: SnapshotEntry): Promise<Record<string, string>>;
  /**
   * A new scratch database `name` beside `server` holding what keepSnapshot
   * kept (`entry.kept` is what it said); undefined when that is gone (the
   * entry is then rebuilt). Throws when the copy cannot be made.
   */
  fromSnapshot?(
    server: TargetUrl,
    entry: SnapshotEntry,
    name: string,
    opts: ScratchOptions,
  ): Promise<TargetUrl | undefined>;
  /** Drops what keepSnapshot kept beside the server for this entry (an entry the cache no longer keeps). */
  dropSnapshot?(server: TargetUrl, entry: SnapshotEntry): Promise<void>;
  /** Drops everything keepSnapshot kept beside the server (`clean`); says what it did. */
  cleanSnapshots?(url: TargetUrl): Promise<string>;
}

/** A prefix-cache entry as a store sees it. */
export interface SnapshotEntry {
  /** sha256 of what made it (hex): a name for what the store keeps beside the server. */
  key: string;
  /** The entry's own directory, for the store's files. */
  dir: string;
  /** What keepSnapshot returned. */
  kept: Record<string, string>;
}

export type SqlStoreModule = StoreModule<SqlDriver>;

/** A scratch database a test command made, for what needs more than its connection (backups, a second connection). */
export interface ScratchRef {
  module: StoreModule;
  /** The server (or directory) it lives on: the target's URL. */
  server: TargetUrl;
  url: TargetUrl;
  /** Its scratch name: a prefix for copies, so `clean` finds leftovers. */
  name: string;
  openOptions: OpenOptions;
}

export const BOOKKEEPING_TABLE = "stairway_migrations";
