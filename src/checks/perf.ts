// stairway perf on one target, any store: what each migration costs, per
// scenario of the config (empty, sample fixtures, N generated rows or keys):
// up and down timed, peak memory; where the store can tell, the locks it takes
// per relation (PostgreSQL: pg_locks inside its transaction) and the longest
// stall a concurrent probe sees while it runs (MySQL: and what it waited for,
// a table's metadata lock).
// Limits from the config → perf.threshold / perf.lock; a saved baseline →
// perf.regression.

import type { Scenario, TargetConfig } from "../config.ts";
import { appliesTo, type Migration } from "../plan/migration.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import type { Migrator, ProbeResult, ScratchRef } from "../stores/contract.ts";
import { failed, type ModelOptions } from "./model.ts";
import { modelOf } from "./model-of.ts";
import { listed } from "../plural.ts";

export interface PerfOptions extends ModelOptions {
  scenario: Scenario;
  limits: Omit<TargetConfig, "url" | "migrations">;
  /** The scratch database, for a second connection (the concurrent probe). */
  scratch?: ScratchRef;
  /** Ids of the migrations to time; the others are only applied on the way. All when absent. */
  checked?: Set<string>;
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

export async function runPerf(
  driver: Migrator,
  target: string,
  all: Migration[],
  opts: PerfOptions,
): Promise<{ results: CheckResult[]; timings: PerfTiming[] }> {
  const scenario = opts.scenario.name;
  const model = modelOf(driver, {
    ...opts,
    rows: opts.scenario.rows ?? opts.rows,
    keys: opts.scenario.rows,
    scenario: opts.scenario,
    progress: (l) => opts.progress?.(`${scenario} · ${l}`),
  });
  const results: CheckResult[] = [];
  const timings: PerfTiming[] = [];
  const maxTime = opts.scenario.max_migration_time ?? opts.limits.max_migration_time;
  const fail = (m: Migration, message: string, durationMs?: number) =>
    results.push({
      check: "perf.threshold",
      target,
      migration: m.id,
      status: "fail",
      message: `${scenario}: ${message}`,
      ...(durationMs !== undefined ? { durationMs } : {}),
    });
  await driver.ensureBookkeeping();
  const s = opts.scratch;
  const prober =
    driver.capabilities.concurrentConnections && s?.module.openProber
      ? await s.module.openProber(s.url, { ...s.openOptions, name: `${target} probe` })
      : undefined;
  // Its locks are read, but no second connection can feel them: said once, not failed.
  if (driver.capabilities.lockInsight && !driver.capabilities.concurrentConnections)
    results.push({
      check: "perf.lock",
      target,
      status: "skip",
      message: `${scenario}: no concurrent probe: ${target} serves one connection, so the stall an application would see is not measured${opts.limits.max_downtime !== undefined ? " (max_downtime not checked)" : ""}`,
    });
  try {
    for (const m of all.filter((x) => appliesTo(x, driver.dialect))) {
      if (opts.checked && !opts.checked.has(m.id)) {
        // Applied with the scenario's data, so the timed ones run over what they would have.
        opts.progress?.(`${scenario} · ${target}  ${m.id}  up (not timed)`);
        const before = await model.perfBefore(m);
        const o = failed(before) ? undefined : await applyStep(driver, m, "up");
        if (o?.status === "done") {
          await model.perfAfter(m);
          continue;
        }
        fail(m, failed(before) ? before.failed : `up failed: ${o?.error}`, o?.durationMs);
        break;
      }
      const say = (what: string) => opts.progress?.(`${scenario} · ${target}  ${m.id}  ${what}`);
      say("data");
      const before = await model.perfBefore(m);
      if (failed(before)) {
        fail(m, before.failed);
        break;
      }
      say("up");
      const running = prober && before.probe.length ? prober.start(before.probe) : undefined;
      let locks: { relation: string; mode: string }[] = [];
      const mem = sampleMemory();
      const up = await applyStep(
        driver,
        m,
        "up",
        model.perfHooks((held) => (locks = held)),
      );
      const peak = mem.stop();
      const stall: ProbeResult | undefined = await running?.stop();
      if (up.status !== "done") {
        fail(m, `up failed: ${up.error}`, up.durationMs);
        break;
      }
      say("down");
      const down = await applyStep(driver, m, "down");
      if (down.status !== "done") {
        fail(m, `down failed: ${down.error}`, down.durationMs);
        break;
      }
      const again = await applyStep(driver, m, "up");
      if (again.status !== "done") {
        fail(m, `up after down failed: ${again.error}`);
        break;
      }
      await model.perfAfter(m);

      const t: PerfTiming = {
        scenario,
        target,
        migration: m.id,
        upMs: up.durationMs,
        downMs: down.durationMs,
        peakRssMb: peak,
        locks,
        // Without a list of its locks (MySQL), what the concurrent probe was seen waiting for.
        blocking: driver.capabilities.lockInsight
          ? locks
              .filter((l) => BLOCKING.has(l.mode) && before.withData.has(l.relation))
              .map((l) => `${l.mode} on ${l.relation}`)
          : (stall?.waitedFor ?? []),
        rows: before.size,
        ...(stall ? { stallMs: stall.stallMs, stallTable: stall.stallTable } : {}),
      };
      timings.push(t);
      results.push(thresholdResult(t, maxTime, model.unit));
      if (driver.capabilities.lockInsight || stall) results.push(lockResult(t, opts.limits));
    }
  } finally {
    await prober?.close();
  }
  return { results, timings };
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

function thresholdResult(t: PerfTiming, maxMs: number | undefined, unit: string): CheckResult {
  const over = `${t.rows.toLocaleString("en")} ${t.rows === 1 ? unit.replace(/s$/, "") : unit}`;
  const times = `up ${t.upMs} ms, down ${t.downMs} ms over ${over}`;
  const details = { ...t };
  if (maxMs === undefined)
    return {
      check: "perf.threshold",
      target: t.target,
      migration: t.migration,
      status: "pass",
      message: `${t.scenario}: ${times} (no max_migration_time set)`,
      durationMs: t.upMs,
      details,
    };
  const slow = [
    t.upMs > maxMs ? `up took ${t.upMs} ms` : "",
    t.downMs > maxMs ? `down took ${t.downMs} ms` : "",
  ].filter(Boolean);
  return {
    check: "perf.threshold",
    target: t.target,
    migration: t.migration,
    status: slow.length ? "fail" : "pass",
    message: slow.length
      ? `${t.scenario}: ${listed(slow)}, over max_migration_time ${maxMs} ms (${over})`
      : `${t.scenario}: ${times}, within ${maxMs} ms`,
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
  const lockText = blocking.length
    ? `${blocking.join(", ")} for ${t.upMs} ms`
    : "no lock that blocks writes on tables with rows";
  const stallText =
    t.stallMs !== undefined
      ? `; longest stall of a concurrent query ${t.stallMs} ms${t.stallTable ? ` (${t.stallTable})` : ""}`
      : "";
  return {
    check: "perf.lock",
    target: t.target,
    migration: t.migration,
    status: problems.length ? "fail" : blocking.length ? "warn" : "pass",
    message: `${t.scenario}: ${problems.length ? problems.join("; ") : lockText + stallText}`,
    details: {
      scenario: t.scenario,
      locks: t.locks,
      blocking: t.blocking,
      stallMs: t.stallMs,
      stallTable: t.stallTable,
    },
  };
}
