// stairway perf: what each migration costs, per scenario of the config
// (empty, sample fixtures, N generated rows): up and down timed, peak memory,
// on PostgreSQL the locks it takes per relation (read from pg_locks inside its
// transaction) and the longest stall a concurrent probe sees while it runs.
// Limits from the config → perf.threshold / perf.lock; a saved baseline →
// perf.regression.

import type { Scenario, TargetConfig } from "../config.ts";
import type { SqlDriver } from "../drivers/driver.ts";
import { loadTables } from "../data/bulk.ts";
import { insertFixture, type Fixture } from "../data/fixtures.ts";
import { appliesTo, fileFor, versionKey, type Migration } from "../plan/migration.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import { relationsOf, startProbe, type ProbeResult } from "./lock-probe.ts";
import { plural } from "../plural.ts";

export interface PerfOptions {
  scenario: Scenario;
  /** Fixtures this scenario names. */
  fixtures: Fixture[];
  limits: Omit<TargetConfig, "url" | "migrations">;
  seed: number;
  /** Opens a second connection to the same database, for the probe (PostgreSQL). */
  openProbe?: () => Promise<SqlDriver>;
  progress?: (line: string) => void;
}

export interface PerfTiming {
  scenario: string;
  target: string;
  migration: string;
  upMs: number;
  downMs: number;
  peakRssMb: number;
  locks: { relation: string; mode: string }[];
  /** Locks that block writes, on tables that held rows: what the application would feel. */
  blocking: string[];
  stallMs?: number;
  stallTable?: string;
  rows: number;
}

/** Locks that stop the application's writes (or reads) while they are held. */
const BLOCKING = new Set(["ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]);

export async function runPerf(driver: SqlDriver, target: string, all: Migration[], opts: PerfOptions): Promise<{ results: CheckResult[]; timings: PerfTiming[] }> {
  const results: CheckResult[] = [];
  const timings: PerfTiming[] = [];
  const scenario = opts.scenario.name;
  await driver.ensureBookkeeping();
  const probe = driver.capabilities.concurrentConnections && opts.openProbe ? await opts.openProbe() : undefined;
  const maxTime = opts.scenario.max_migration_time ?? opts.limits.max_migration_time;
  try {
    for (const m of all.filter((x) => appliesTo(x, driver.dialect))) {
      const say = (what: string) => opts.progress?.(`${scenario} · ${target}  ${m.id}  ${what}`);
      const before = await driver.introspect();
      const counts = await rowCounts(driver, before.tables.map((t) => t.name));
      const rows = [...counts.values()].reduce((a, b) => a + b, 0);

      say("up");
      const touched = probe ? await probeTables(driver, fileFor(m, "up", driver.dialect)?.text ?? "") : [];
      const running = probe && touched.length ? startProbe(probe, touched) : undefined;
      let locks: { relation: string; mode: string }[] = [];
      const mem = sampleMemory();
      const up = await applyStep(driver, m, "up", { beforeCommit: async () => void (locks = await driver.heldLocks()) });
      const peak = mem.stop();
      const stall: ProbeResult | undefined = await running?.stop();
      if (up.status !== "done") {
        results.push({ check: "perf.threshold", target, migration: m.id, status: "fail", message: `${scenario}: up failed: ${up.error}`, durationMs: up.durationMs });
        break;
      }

      say("down");
      const down = await applyStep(driver, m, "down");
      if (down.status !== "done") {
        results.push({ check: "perf.threshold", target, migration: m.id, status: "fail", message: `${scenario}: down failed: ${down.error}`, durationMs: down.durationMs });
        break;
      }
      const again = await applyStep(driver, m, "up");
      if (again.status !== "done") {
        results.push({ check: "perf.threshold", target, migration: m.id, status: "fail", message: `${scenario}: up after down failed: ${again.error}` });
        break;
      }
      // The data that belongs to this version, for the migrations after it to run over.
      say("loading data");
      await loadScenarioData(driver, m, opts, new Set(before.tables.map((t) => t.name)));

      const withRows = new Set([...counts].filter(([, n]) => n > 0).map(([name]) => name));
      const t: PerfTiming = {
        scenario,
        target,
        migration: m.id,
        upMs: up.durationMs,
        downMs: down.durationMs,
        peakRssMb: peak,
        locks,
        blocking: locks.filter((l) => BLOCKING.has(l.mode) && withRows.has(l.relation)).map((l) => `${l.mode} on ${l.relation}`),
        rows,
        ...(stall ? { stallMs: stall.stallMs, stallTable: stall.stallTable } : {}),
      };
      timings.push(t);
      results.push(thresholdResult(t, maxTime));
      if (driver.capabilities.concurrentConnections) results.push(lockResult(t, opts.limits));
    }
  } finally {
    await probe?.close();
  }
  return { results, timings };
}

async function rowCounts(driver: SqlDriver, tables: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) out.set(t, await driver.rowCount(t));
  return out;
}

/** The scenario's data, once the tables it belongs to exist: fixtures at their version, N rows in new tables. */
async function loadScenarioData(driver: SqlDriver, m: Migration, opts: PerfOptions, existed: Set<string>): Promise<void> {
  const schema = await driver.introspect();
  for (const f of opts.fixtures.filter((f) => f.version !== undefined && versionKey(f.version) === m.key)) await insertFixture(driver, schema, f);
  const rows = opts.scenario.rows;
  if (!rows) return;
  const fresh = new Set(schema.tables.map((t) => t.name).filter((t) => !existed.has(t)));
  if (fresh.size)
    await loadTables(driver, schema, rows, {
      seed: opts.seed,
      only: fresh,
      progress: (table, done, total) => opts.progress?.(`${opts.scenario.name} · loading ${table} ${done.toLocaleString("en")}/${total.toLocaleString("en")}`),
    });
}

/** Tables the migration names that exist and hold rows, with a column to write. */
async function probeTables(driver: SqlDriver, sql: string): Promise<{ name: string; column: string }[]> {
  const names = await relationsOf(sql);
  const schema = await driver.introspect();
  const out: { name: string; column: string }[] = [];
  for (const name of names) {
    const t = schema.tables.find((x) => x.name === name);
    const col = t?.columns.find((c) => !c.generated && c.identity !== "always");
    if (t && col && (await driver.rowCount(name)) > 0) out.push({ name, column: col.name });
  }
  return out;
}

function sampleMemory(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 1e6);
    },
  };
}

function thresholdResult(t: PerfTiming, maxMs: number | undefined): CheckResult {
  const times = `up ${t.upMs} ms, down ${t.downMs} ms over ${plural(t.rows, "row")}`;
  const details = { ...t };
  if (maxMs === undefined)
    return { check: "perf.threshold", target: t.target, migration: t.migration, status: "pass", message: `${t.scenario}: ${times} (no max_migration_time set)`, durationMs: t.upMs, details };
  const slow = [t.upMs > maxMs ? `up took ${t.upMs} ms` : "", t.downMs > maxMs ? `down took ${t.downMs} ms` : ""].filter(Boolean);
  return {
    check: "perf.threshold",
    target: t.target,
    migration: t.migration,
    status: slow.length ? "fail" : "pass",
    message: slow.length ? `${t.scenario}: ${slow.join(" and ")}, over max_migration_time ${maxMs} ms (${plural(t.rows, "row")})` : `${t.scenario}: ${times}, within ${maxMs} ms`,
    durationMs: t.upMs,
    details,
  };
}

function lockResult(t: PerfTiming, limits: PerfOptions["limits"]): CheckResult {
  // A blocking lock is held until commit: for the whole migration.
  const blocking = t.blocking;
  const problems: string[] = [];
  if (limits.max_lock_duration !== undefined && blocking.length && t.upMs > limits.max_lock_duration)
    problems.push(`holds ${blocking.join(", ")} for ${t.upMs} ms (max_lock_duration ${limits.max_lock_duration} ms)`);
  if (limits.max_downtime !== undefined && (t.stallMs ?? 0) > limits.max_downtime)
    problems.push(`a concurrent ${t.stallTable} query waited ${t.stallMs} ms (max_downtime ${limits.max_downtime} ms)`);
  const lockText = blocking.length ? `${blocking.join(", ")} for ${t.upMs} ms` : "no lock that blocks writes on tables with rows";
  const stallText = t.stallMs !== undefined ? `; longest stall of a concurrent query ${t.stallMs} ms${t.stallTable ? ` (${t.stallTable})` : ""}` : "";
  return {
    check: "perf.lock",
    target: t.target,
    migration: t.migration,
    status: problems.length ? "fail" : blocking.length ? "warn" : "pass",
    message: `${t.scenario}: ${problems.length ? problems.join("; ") : lockText + stallText}`,
    details: { scenario: t.scenario, locks: t.locks, blocking: t.blocking, stallMs: t.stallMs, stallTable: t.stallTable },
  };
}
