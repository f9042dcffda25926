// How the checks see a target's data, whatever the store: tables and rows
// (relational-model.ts) or keys (keyspace-model.ts). Each testing command is
// one loop (stairway.ts, rollback.ts, backup.ts, data-test.ts, perf.ts) that
// asks a DataModel what to fill, what to snapshot and how two snapshots
// differ; the store's capabilities.data picks the model (model-of.ts). Policy (order,
// stop or go on, which check fails) stays in the loops; what "the same data"
// means for a store stays in its model.

import type { Fixture } from "../data/fixtures.ts";
import type { Migration } from "../plan/migration.ts";
import type { CheckResult } from "../results.ts";
import type { StepHooks, StepOutcome } from "../runner.ts";
import type { Migrator } from "../stores/contract.ts";

/** A result before the loop stamps it with its target. */
export type Draft = Omit<CheckResult, "target">;

/** A step the runner could not take: its error (file:line:col), or `fallback` when it gave none. */
export function stepFailed(check: string, migration: string, o: StepOutcome, fallback: string): Draft {
  return { check, migration, status: "fail", message: o.error ?? fallback, durationMs: o.durationMs };
}

export interface ModelOptions {
  /** Generated rows per table (SQL); a seed of keys writes KEYS_PER_ROW keys per row unless `keys` says. */
  rows: number;
  /** Keys a seed writes, when not rows × KEYS_PER_ROW (perf and data-test name the size). */
  keys?: number;
  seed: number;
  fixtures: Fixture[];
  progress?: (line: string) => void;
}

/** What a migration's up ran over, and the state just before it. */
export interface Prepared<S> {
  state: S;
  /** Tables (or the seed) that got no data, with why. */
  skipped: { table: string; reason: string }[];
}

/** A restored copy of the target (backup-test), to compare and migrate again. */
export interface Restored<S> {
  state: S;
  driver: Migrator;
  restoreMs: number;
  dispose(): Promise<void>;
}

export interface Backup<S> {
  method: string;
  /** Restored over the target itself (a Redis logical database), not into a copy beside it. */
  inPlace: boolean;
  backupMs: number;
  restore(): Promise<Restored<S>>;
  dispose(): Promise<void>;
}

export interface PerfBefore {
  /** Rows (or keys) the up ran over. */
  size: number;
  /** Tables that held rows (for perf.lock: a blocking lock matters only there). */
  withData: Set<string>;
  /** Tables a concurrent probe should read and write while the up runs (stores with a second connection). */
  probe: { name: string; column: string }[];
}

export interface DataModel<S = unknown> {
  /** Check ids the stairway reports for one migration, in order, beyond step.up, step.down and step.redo. */
  readonly checks: { afterUp: string[]; restored: string[]; redo: string[] };
  /** What a snapshot counts ("rows", "keys"), for messages. */
  readonly unit: string;
  /** Where stairway records versions ("the bookkeeping table"), for messages. */
  readonly bookkeeping: string;

  // ---- the stairway (test) ----
  /** The state before the first migration, to compare with after every down. */
  base(): Promise<S>;
  /**
   * Fills what `m` can touch (everything, with `whole`) with data, then
   * snapshots it; a failure (a seed that throws) as one sentence.
   */
  prepare(m: Migration, opts?: { whole?: boolean }): Promise<Prepared<S> | { failed: string }>;
  /** A snapshot of what `m` can touch, for comparisons. */
  observe(m: Migration): Promise<S>;
  /**
   * Empties what `m` can touch of the data `prepare` put there, and snapshots
   * it: an up that failed over generated rows (and rolled back) runs again
   * without them. Absent where a failed up does not roll back (transforms).
   * `error` is the up's failure; `blame` names the data it failed on, read
   * before the data goes (data-blame.ts), when the model can tell.
   */
  withoutData?(m: Migration, error: string): Promise<Prepared<S> & { blame?: string }>;
  /**
   * The schema changed outside the model's own steps (a migration applied
   * without checks): what it carries from one step to the next is stale.
   */
  schemaChanged?(): void;
  /** The tables (or keys) that held data for the last `prepare`, for messages. */
  filled(): string[];
  /** Checks right after up (foreign keys hold, no TTL lost), and the up's own message. */
  afterUp(m: Migration, before: S, after: S): Promise<{ message: string; results: Draft[] }>;
  /** More data after up (rows in what the up created, fixtures of its version), so the down runs over it. */
  enrich(m: Migration, before: Prepared<S>, after: S): Promise<void>;
  /** Whether the down gave back `before`: schema and rows, or every key. */
  restored(m: Migration, before: Prepared<S>, after: S): Promise<Draft[]>;
  /** The up again (for a store of keys, under a concurrent writer); whether it gives `first` again. */
  redo(
    m: Migration,
    before: S,
    first: S,
    up: () => Promise<StepOutcome>,
  ): Promise<{ outcome: StepOutcome; results: Draft[] }>;
  /** What is left after every down, compared with `base`; versions in `recorded` were recorded at base (a prefix) and stay. */
  leftAtBase(base: S, recorded: Set<string>): Promise<string[]>;

  // ---- rollback ----
  /** Before `m`'s up on the way to head: the state its rollback must give back. */
  beforeUp(m: Migration): Promise<S | { failed: string }>;
  /** After `m`'s up on the way to head (fixtures of its version). */
  afterHeadUp(m: Migration): Promise<void>;
  /** At head: the data the rollbacks run over; tables that got none. */
  atHead(): Promise<{ table: string; reason: string }[]>;
  /** Just before a rollback: what it must keep. */
  beforeRollback(m: Migration): Promise<S>;
  /** Whether the rollback of `m` gave back `beforeUp` and kept `kept`; `later` are the migrations after it. */
  rolledBack(
    m: Migration,
    beforeUp: S,
    kept: S,
    later: Migration[],
    skipped: { table: string; reason: string }[],
  ): Promise<Draft[]>;

  // ---- backup-test ----
  /** Backs the target up the way an operator would. */
  backup(m: Migration, step: number): Promise<Backup<S>>;
  /** Whether a restored copy equals the state before; problems as sentences. */
  sameAsBefore(
    before: Prepared<S>,
    restored: Restored<S>,
  ): Promise<{ problems: string[]; summary: string; details: Record<string, unknown> }>;

  // ---- data-test ----
  /** Before `m`'s up over production-sized data. */
  dataBefore(m: Migration): Promise<S | { failed: string }>;
  /** The data.integrity verdict of `m`'s up. */
  dataAfter(m: Migration, before: S): Promise<Draft>;
  /** Data for what `m` created (tables), so the migrations after it run over it. */
  dataLoad(m: Migration, before: S): Promise<Draft[]>;
  /** The closing data.integrity line, when head was reached. */
  dataSummary(ms: number): Draft | undefined;

  // ---- perf ----
  /** Data for `m`'s up in this scenario, and what it ran over. */
  perfBefore(m: Migration): Promise<PerfBefore | { failed: string }>;
  /** After the up, down and up again: the scenario's data for what `m` created. */
  perfAfter(m: Migration): Promise<void>;
  /** Hooks for the timed up (perf.lock reads the locks held before commit). */
  perfHooks(locks: (held: { relation: string; mode: string }[]) => void): StepHooks;
}

/** A model's way of saying it could not put its data in place (a seed that throws). */
export function failed<T>(x: T | { failed: string }): x is { failed: string } {
  return typeof x === "object" && x !== null && "failed" in x;
}
