// Applies and reverts migrations on one SQL target: lock, transaction, record.
// Never throws for a failed migration: it returns the outcome and the caller
// renders it (kysely's migrator). Throws only for what a person must fix first
// (dirty version, lock held, unknown version).

import { StairwayError, usageError } from "./errors.ts";
import {
  isSqlSession,
  SqlExecError,
  type AppliedRow,
  type Migrator,
  type SqlSession,
  type TransformSession,
} from "./stores/contract.ts";
import {
  appliesTo,
  compareVersions,
  fileFor,
  statementsFor,
  versionKey,
  whereIn,
  type Direction,
  type Migration,
  type MigrationFile,
} from "./plan/migration.ts";
import { lineCol, splitStatements, type Statement } from "./plan/statements.ts";
import { txControlOf } from "./plan/transaction-control.ts";
import { round, type CheckResult, type MigrationState } from "./results.ts";

export interface StepOutcome {
  migration: Migration;
  direction: Direction;
  status: "done" | "failed";
  durationMs: number;
  /** One sentence naming file:line. */
  error?: string;
  /** The failure left the version dirty (no-transaction migration). */
  dirty?: boolean;
}

export interface StepHooks {
  /** Called inside the migration's transaction, after its last statement (perf reads pg_locks here). */
  beforeCommit?: () => Promise<void>;
}

/** Reverts `applied` newest first (the stairway's last step); the reason when one down fails. */
export async function revertAll(
  driver: Migrator,
  applied: Migration[],
  progress?: (line: string) => void,
): Promise<string | undefined> {
  for (const m of [...applied].reverse()) {
    progress?.(`down to base  ${m.id}`);
    const o = await applyStep(driver, m, "down");
    if (o.status !== "done") return `stopped at ${m.id}: ${o.error}`;
  }
  return undefined;
}

/** Runs one migration's up or down on the target, with its bookkeeping. */
export async function applyStep(
  driver: Migrator,
  m: Migration,
  direction: Direction,
  hooks: StepHooks = {},
): Promise<StepOutcome> {
  return isSqlSession(driver)
    ? applySqlStep(driver, m, direction, hooks)
    : applyTransformStep(driver as TransformSession, m, direction);
}

/** The checksum recorded for a migration on this store: of its up file, or of its transform module. */
export function upChecksum(m: Migration, driver: Migrator): string | undefined {
  return isSqlSession(driver) ? fileFor(m, "up", driver.dialect)?.checksum : m.module?.checksum;
}

// A transform cannot roll back: it is marked dirty while it runs, and a
// resumable store runs it again to finish (README "Writing a Redis transform": transforms resume).
async function applyTransformStep(driver: TransformSession, m: Migration, direction: Direction): Promise<StepOutcome> {
  const t0 = performance.now();
  const row = (dirty: boolean): AppliedRow => ({
    version: m.version,
    name: m.name,
    checksum: m.module!.checksum,
    appliedAt: new Date().toISOString(),
    durationMs: round(performance.now() - t0),
    dirty,
  });
  await driver.record(row(true));
  try {
    await driver.runTransform(m, direction);
  } catch (e) {
    const where = m.module?.path ?? m.id;
    return {
      migration: m,
      direction,
      status: "failed",
      durationMs: round(performance.now() - t0),
      error: `${where}: ${direction} failed: ${e instanceof Error ? e.message : String(e)}`,
      dirty: true,
    };
  }
  if (direction === "up") await driver.record(row(false));
  else await driver.forget(m.version);
  return { migration: m, direction, status: "done", durationMs: round(performance.now() - t0) };
}

async function applySqlStep(
  driver: SqlSession,
  m: Migration,
  direction: Direction,
  hooks: StepHooks,
): Promise<StepOutcome> {
  const file = fileFor(m, direction, driver.dialect);
  if (!file)
    return {
      migration: m,
      direction,
      status: "failed",
      durationMs: 0,
      error: `${m.id} has no ${direction} file for ${driver.dialect}`,
    };
  const upFile = fileFor(m, "up", driver.dialect)!;
  const transactional = driver.capabilities.transactionalDdl && !file.directives.noTransaction;
  const t0 = performance.now();
  const row = (dirty: boolean): AppliedRow => ({
    version: m.version,
    name: m.name,
    checksum: upFile.checksum,
    appliedAt: new Date().toISOString(),
    durationMs: round(performance.now() - t0),
    dirty,
  });
  const done = (): StepOutcome => ({
    migration: m,
    direction,
    status: "done",
    durationMs: round(performance.now() - t0),
  });

  if (transactional) {
    await driver.begin();
    try {
      await driver.setTimeouts(true);
      await runScript(driver, file);
      await hooks.beforeCommit?.();
      await driver.commit(direction === "up" ? { record: row(false) } : { forget: m.version });
      return done();
    } catch (e) {
      await driver.rollback();
      return {
        migration: m,
        direction,
        status: "failed",
        durationMs: round(performance.now() - t0),
        error: describe(e, file),
      };
    }
  }

  // Outside a transaction: mark dirty first, so a failure halfway is visible (golang-migrate's dirty flag).
  await driver.record(row(true));
  try {
    await driver.setTimeouts(false);
    for (const s of statementsFor(file, driver.dialect)) await runStatement(driver, file, s);
  } catch (e) {
    // A failure inside a transaction the file began itself (golang-migrate's `BEGIN; … COMMIT;` blocks)
    // leaves it open and aborted: end it, as the runner would by closing its connection.
    if (statementsFor(file, driver.dialect).some((s) => txControlOf(s.text) === "begin"))
      await driver.execute("ROLLBACK").catch(() => {});
    return {
      migration: m,
      direction,
      status: "failed",
      durationMs: round(performance.now() - t0),
      error: describe(e, file),
      dirty: true,
    };
  } finally {
    // Session settings would outlive this migration on the shared connection.
    await driver.resetTimeouts().catch(() => {});
  }
  if (direction === "up") await driver.record(row(false));
  else await driver.forget(m.version);
  return done();
}

class StatementError extends Error {
  constructor(
    override readonly cause: SqlExecError,
    readonly where: string,
  ) {
    super(cause.message);
  }
}

/**
 * The whole file in one round trip (as psql -f or dbmate would send it). When
 * it fails without a position (a constraint, a missing table…), the
 * transaction is rolled back and the file run again statement by statement,
 * which stops at the same statement: its line is what the error must name.
 * A file of one statement runs as that statement (only the first two are
 * looked for: a seed file of 600k statements is not split to learn it has more).
 */
async function runScript(driver: SqlSession, file: MigrationFile): Promise<void> {
  const head = splitStatements(file.sql, 2);
  if (head.length <= 1) {
    for (const s of head) await runStatement(driver, file, s);
    return;
  }
  try {
    await driver.executeScript(file.sql);
    return;
  } catch (e) {
    if (!(e instanceof SqlExecError) || e.connectionLost) throw e;
    if (e.position) throw new StatementError(e, whereIn(file, lineCol(file.text, e.position - 1)));
  }
  await driver.rollback();
  await driver.begin();
  await driver.setTimeouts(true);
  for (const s of statementsFor(file, driver.dialect)) await runStatement(driver, file, s);
  // Should the file succeed the second time (it depends on time or randomness), it stays done.
}

async function runStatement(driver: SqlSession, file: MigrationFile, s: Statement) {
  try {
    await driver.execute(s.text);
  } catch (e) {
    if (!(e instanceof SqlExecError)) throw e;
    const at = e.position ? lineCol(file.text, s.offset + e.position - 1) : { line: s.line, col: s.col };
    throw new StatementError(e, whereIn(file, at));
  }
}

function describe(e: unknown, file: MigrationFile): string {
  if (e instanceof StatementError) {
    const extra = e.cause.detail ? ` (${e.cause.detail.replace(/\.$/, "")})` : "";
    return `${e.where}: ${e.cause.message}${extra}`;
  }
  if (e instanceof SqlExecError) return `${file.path}: ${e.message}`;
  return `${file.path}: ${e instanceof Error ? e.message : String(e)}`;
}

/** How long a run waits for another run's migration lock before it gives up (E_LOCKED). */
export const LOCK_TIMEOUT_MS = 60_000;

export interface RunnerContext {
  driver: Migrator;
  target: string;
  /** The whole plan; the runner keeps what applies to this dialect. */
  migrations: Migration[];
  lockTimeoutMs: number;
  /** Called after each step, for progress. */
  onStep?: (o: StepOutcome) => void;
}

function applicable(ctx: RunnerContext): Migration[] {
  return ctx.migrations.filter((m) => appliesTo(m, ctx.driver.dialect));
}

/** The migration a version names (as given on the command line: --to, force); a usage error naming the known ones otherwise. */
export function findVersion(list: Migration[], version: string, what: string): Migration {
  const m = list.find((x) => x.key === versionKey(version) || x.id === version);
  if (!m)
    throw usageError(
      `${what} ${version}: no such migration (known: ${list.map((x) => x.version).join(", ") || "none"})`,
    );
  return m;
}

function refuseDirty(ctx: RunnerContext, rows: AppliedRow[]): void {
  const dirty = rows.find((r) => r.dirty);
  if (!dirty || ctx.driver.capabilities.resumable) return;
  throw new StairwayError(
    "E_DIRTY",
    `target ${ctx.target}: version ${dirty.version} is dirty: a migration outside a transaction failed halfway; ` +
      `check what it changed, finish or undo it by hand, then run "stairway force ${dirty.version}" (done) or "stairway force ${dirty.version} --pending" (undone)`,
  );
}

/**
 * Applied files edited since (Flyway's validate): `up` would build on a
 * history the tree no longer tells. Refused naming the files, unless
 * --allow-drift.
 */
function refuseDrift(ctx: RunnerContext, rows: AppliedRow[]): void {
  const byKey = new Map(rows.filter((r) => !r.dirty).map((r) => [versionKey(r.version), r]));
  const files = applicable(ctx)
    .filter((m) => byKey.has(m.key) && byKey.get(m.key)!.checksum !== upChecksum(m, ctx.driver))
    .map((m) => (isSqlSession(ctx.driver) ? fileFor(m, "up", ctx.driver.dialect)!.path : m.module!.path));
  if (!files.length) return;
  throw new StairwayError(
    "E_DRIFT",
    `target ${ctx.target}: ${files.join(", ")} ${files.length === 1 ? "was" : "were"} edited after ${files.length === 1 ? "it was" : "they were"} applied; ` +
      `restore the applied text (status shows them as drifted), or pass --allow-drift to apply the pending migrations anyway`,
  );
}

export function outcomeResult(target: string, o: StepOutcome): CheckResult {
  const check = o.direction === "up" ? "step.up" : "step.down";
  if (o.status === "failed")
    return {
      check,
      target,
      migration: o.migration.id,
      status: "fail",
      message: o.error! + (o.dirty ? ` — version ${o.migration.version} is now dirty` : ""),
      durationMs: o.durationMs,
      ...(o.dirty ? { details: { dirty: true } } : {}),
    };
  return {
    check,
    target,
    migration: o.migration.id,
    status: "pass",
    message: o.direction === "up" ? "applied" : "reverted",
    durationMs: o.durationMs,
  };
}

/**
 * Runs `fn` holding the target's run lock. Everything a run decides (what is
 * pending, what is dirty) is read inside `fn`, after the lock is held: a
 * second run that waited for the lock sees what the first one did, so it
 * neither runs a migration again nor marks one it did not run dirty.
 */
async function withLock<T>(ctx: RunnerContext, fn: () => Promise<T>): Promise<T> {
  await ctx.driver.lock(ctx.lockTimeoutMs);
  try {
    await ctx.driver.ensureBookkeeping().catch((e: unknown) => {
      // Most often a user that may not create tables ("permission denied for schema public").
      throw new StairwayError(
        "E_UNREACHABLE",
        `target ${ctx.target}: cannot create stairway's bookkeeping: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    });
    return await fn();
  } finally {
    await ctx.driver.unlock();
  }
}

/**
 * Pending migrations up to `to` (inclusive), oldest first. `to` is a version
 * of the global sequence: it may belong to another store (up --to 008 on a
 * SQL target applies SQL versions up to 008).
 */
export async function pendingUp(
  ctx: RunnerContext,
  to?: string,
  opts: { allowDrift?: boolean } = {},
): Promise<Migration[]> {
  const limit = to === undefined ? undefined : findVersion(ctx.migrations, to, "--to");
  const rows = await ctx.driver.applied();
  if (!opts.allowDrift) refuseDrift(ctx, rows);
  // A dirty version of a resumable store is pending: running it again finishes it.
  const done = new Set(
    rows.filter((r) => !r.dirty || !ctx.driver.capabilities.resumable).map((r) => versionKey(r.version)),
  );
  return applicable(ctx).filter((m) => !done.has(m.key) && (!limit || compareVersions(m.version, limit.version) <= 0));
}

/** Applied migrations to revert, newest first. `to` stays applied; "0" reverts all. */
export async function pendingDown(
  ctx: RunnerContext,
  opts: { to?: string; steps?: number },
): Promise<(Migration | AppliedRow)[]> {
  const list = applicable(ctx);
  const rows = (await ctx.driver.applied()).sort((a, b) => compareVersions(b.version, a.version));
  let chosen = rows;
  if (opts.to !== undefined) {
    if (versionKey(opts.to) !== "0") findVersion(ctx.migrations, opts.to, "--to");
    chosen = rows.filter((r) => compareVersions(r.version, opts.to!) > 0);
  } else chosen = rows.slice(0, opts.steps ?? 1);
  return chosen.map((r) => list.find((m) => m.key === versionKey(r.version)) ?? r);
}

export interface UpOptions {
  to?: string;
  allowDrift?: boolean;
  /**
   * Rows to record first, under the lock, when stairway has recorded nothing
   * on the target yet: the history another runner kept (`up --from`).
   */
  adopt?: AppliedRow[];
}

export async function up(ctx: RunnerContext, opts: UpOptions = {}): Promise<CheckResult[]> {
  // Drifted files are refused before the lock too, so such a run leaves nothing behind (no SQLite
  // lock file). A dirty version is judged under the lock only: another run may be applying it now.
  if (!opts.allowDrift) refuseDrift(ctx, await ctx.driver.applied());
  return withLock(ctx, async () => {
    if (opts.adopt) await adoptLocked(ctx, opts.adopt);
    return upLocked(ctx, opts);
  });
}

/**
 * Records another runner's history as stairway's own, when stairway has
 * recorded nothing on the target: the number of rows recorded, or undefined
 * when it already keeps a history (which is then the only one).
 */
export async function adopt(ctx: RunnerContext, rows: AppliedRow[]): Promise<number | undefined> {
  return withLock(ctx, () => adoptLocked(ctx, rows));
}

async function adoptLocked(ctx: RunnerContext, rows: AppliedRow[]): Promise<number | undefined> {
  if ((await ctx.driver.applied()).length) return undefined;
  for (const r of rows) await ctx.driver.record(r);
  return rows.length;
}

/**
 * Marks every migration up to `version` applied without running it (a
 * database migrated by other means: golang-migrate's and Flyway's baseline).
 * Versions already recorded are left as they are. Returns those it marked.
 */
export async function baseline(ctx: RunnerContext, version: string): Promise<Migration[]> {
  const limit = findVersion(ctx.migrations, version, "baseline");
  return withLock(ctx, async () => {
    const recorded = new Set((await ctx.driver.applied()).map((r) => versionKey(r.version)));
    const marked = applicable(ctx).filter(
      (m) => compareVersions(m.version, limit.version) <= 0 && !recorded.has(m.key),
    );
    for (const m of marked) await markApplied(ctx, m);
    return marked;
  });
}

/** Records `m` applied and clean without running it (baseline, force). */
function markApplied(ctx: RunnerContext, m: Migration): Promise<void> {
  return ctx.driver.record({
    version: m.version,
    name: m.name,
    checksum: upChecksum(m, ctx.driver)!,
    appliedAt: new Date().toISOString(),
    durationMs: 0,
    dirty: false,
  });
}

async function upLocked(ctx: RunnerContext, opts: UpOptions): Promise<CheckResult[]> {
  refuseDirty(ctx, await ctx.driver.applied());
  const results: CheckResult[] = [];
  for (const m of await pendingUp(ctx, opts.to, opts)) {
    const o = await applyStep(ctx.driver, m, "up");
    ctx.onStep?.(o);
    results.push(outcomeResult(ctx.target, o));
    if (o.status === "failed") break;
  }
  return results;
}

export async function down(ctx: RunnerContext, opts: { to?: string; steps?: number } = {}): Promise<CheckResult[]> {
  return withLock(ctx, () => downLocked(ctx, opts));
}

async function downLocked(ctx: RunnerContext, opts: { to?: string; steps?: number }): Promise<CheckResult[]> {
  refuseDirty(ctx, await ctx.driver.applied());
  const results: CheckResult[] = [];
  for (const m of await pendingDown(ctx, opts)) {
    if (!("files" in m)) {
      results.push({
        check: "step.down",
        target: ctx.target,
        migration: `${m.version}_${m.name}`,
        status: "fail",
        message: `version ${m.version} (${m.name}) is applied but its files are missing: restore them to revert it`,
      });
      break;
    }
    const o = await applyStep(ctx.driver, m, "down");
    ctx.onStep?.(o);
    results.push(outcomeResult(ctx.target, o));
    if (o.status === "failed") break;
  }
  return results;
}

/** The last migration down and up again, under one lock: no other run can step in between. */
export async function redo(ctx: RunnerContext): Promise<CheckResult[]> {
  return withLock(ctx, async () => {
    const reverted = await downLocked(ctx, { steps: 1 });
    if (reverted.length === 0 || reverted.some((r) => r.status === "fail")) return reverted;
    const m = applicable(ctx).find((x) => x.id === reverted[0]!.migration)!;
    // Editing the last migration and redoing it is the point of redo: an older drifted file must not stop it halfway.
    return [...reverted, ...(await upLocked(ctx, { to: m.version, allowDrift: true }))];
  });
}

/**
 * Marks a version applied and clean, or forgets it (--pending), after a person
 * fixed a dirty state. Undefined when the version belongs to another store.
 */
export async function force(ctx: RunnerContext, version: string, pending: boolean): Promise<Migration | undefined> {
  const m = findVersion(ctx.migrations, version, "force");
  if (!applicable(ctx).includes(m)) return undefined;
  return withLock(ctx, async () => {
    if (pending) await ctx.driver.forget(m.version);
    else await markApplied(ctx, m);
    return m;
  });
}

/**
 * Each migration's state on the target; `recorded`: another runner's
 * history read in place of stairway's empty one (each state then says who
 * recorded it).
 */
export async function status(
  ctx: RunnerContext,
  recorded?: { rows: AppliedRow[]; by: string },
): Promise<MigrationState[]> {
  const rows = recorded?.rows ?? (await ctx.driver.applied());
  const by = recorded ? { recordedBy: recorded.by } : {};
  const byKey = new Map(rows.map((r) => [versionKey(r.version), r]));
  const out: MigrationState[] = [];
  for (const m of applicable(ctx)) {
    const r = byKey.get(m.key);
    byKey.delete(m.key);
    if (!r) {
      out.push({ target: ctx.target, version: m.version, name: m.name, state: "pending" });
      continue;
    }
    const checksum = upChecksum(m, ctx.driver);
    const state = r.dirty ? "dirty" : r.checksum !== checksum ? "drifted" : "applied";
    out.push({
      target: ctx.target,
      version: m.version,
      name: m.name,
      state,
      appliedAt: r.appliedAt,
      ...(recorded ? by : { durationMs: r.durationMs }),
    });
  }
  for (const r of byKey.values())
    out.push({
      target: ctx.target,
      version: r.version,
      name: r.name,
      state: "missing-file",
      appliedAt: r.appliedAt,
      ...by,
    });
  return out.sort((a, b) => compareVersions(a.version, b.version));
}
