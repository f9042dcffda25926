// perf, data-test and backup-test on a Redis target, over keys each
// migration's seed writes: its up and down timed (perf.threshold); no key lost
// and no TTL dropped on the way to head (data.integrity); and a backup made
// with DUMP + PTTL before each up restoring exactly (backup.restore-identical).

import type { RedisDriver } from "../drivers/redis.ts";
import { appliesTo, type Migration } from "../plan/migration.ts";
import { OWN_PREFIX } from "../redis/context.ts";
import { describeDiff, diffDetails, diffIsEmpty, diffKeyspaces, inferRenames, snapshotKeyspace } from "../redis/keyspace.ts";
import { masters } from "../redis/scripts.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import type { PerfTiming } from "./perf.ts";
import { seedMigration, ttlPreserved } from "./redis.ts";
import { plural } from "../plural.ts";

interface Common {
  seedCount: number;
  progress?: (line: string) => void;
}

const redisMigrations = (all: Migration[]) => all.filter((m) => appliesTo(m, "redis"));

export async function runRedisPerf(
  driver: RedisDriver,
  target: string,
  all: Migration[],
  opts: Common & { scenario: string; maxMs?: number },
): Promise<{ results: CheckResult[]; timings: PerfTiming[] }> {
  const results: CheckResult[] = [];
  const timings: PerfTiming[] = [];
  for (const m of redisMigrations(all)) {
    opts.progress?.(`${opts.scenario} · ${target}  ${m.id}  seeding ${plural(opts.seedCount, "key")}`);
    const failed = await seedMigration(driver, m, opts.seedCount);
    const keys = await driver.keyCount();
    const up = failed ? undefined : await applyStep(driver, m, "up");
    const down = up?.status === "done" ? await applyStep(driver, m, "down") : undefined;
    const again = down?.status === "done" ? await applyStep(driver, m, "up") : undefined;
    const error = failed ?? [up, down, again].find((o) => o && o.status !== "done")?.error;
    if (error || !up || !down) {
      results.push({ check: "perf.threshold", target, migration: m.id, status: "fail", message: `${opts.scenario}: ${error ?? "did not run"}` });
      break;
    }
    const t: PerfTiming = { scenario: opts.scenario, target, migration: m.id, upMs: up.durationMs, downMs: down.durationMs, peakRssMb: Math.round(process.memoryUsage.rss() / 1e6), locks: [], blocking: [], rows: keys };
    timings.push(t);
    const slow = opts.maxMs !== undefined && Math.max(t.upMs, t.downMs) > opts.maxMs;
    results.push({
      check: "perf.threshold",
      target,
      migration: m.id,
      status: slow ? "fail" : "pass",
      message: `${opts.scenario}: up ${t.upMs} ms, down ${t.downMs} ms over ${plural(keys, "key")}${opts.maxMs === undefined ? "" : slow ? `, over max_migration_time ${opts.maxMs} ms` : `, within ${opts.maxMs} ms`}`,
      durationMs: t.upMs,
      details: { ...t },
    });
  }
  return { results, timings };
}

export async function runRedisDataTest(driver: RedisDriver, target: string, all: Migration[], opts: Common): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const m of redisMigrations(all)) {
    opts.progress?.(`${target}  ${m.id}  seeding ${plural(opts.seedCount, "key")}`);
    const failed = await seedMigration(driver, m, opts.seedCount);
    if (failed) {
      results.push({ check: "data.integrity", target, migration: m.id, status: "fail", message: failed });
      break;
    }
    const s0 = await snapshotKeyspace(driver.client);
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      results.push({ check: "data.integrity", target, migration: m.id, status: "fail", message: up.error ?? "up failed", durationMs: up.durationMs });
      break;
    }
    const s1 = await snapshotKeyspace(driver.client);
    const ttl = ttlPreserved(m.id, s0, s1, inferRenames(s0, s1));
    const lost = s0.keys.size - s1.keys.size;
    const problems = [...(lost > 0 ? [`${plural(lost, "key")} fewer after up (${s0.keys.size} → ${s1.keys.size})`] : []), ...(ttl.status === "fail" ? [ttl.message] : [])];
    results.push({
      check: "data.integrity",
      target,
      migration: m.id,
      status: problems.length ? "fail" : "pass",
      message: problems.length ? problems.join("; ") : `${plural(s0.keys.size, "key")} kept through up, no TTL lost`,
      durationMs: up.durationMs,
    });
  }
  return results;
}

export async function runRedisBackupTest(driver: RedisDriver, target: string, all: Migration[], opts: Common): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const m of redisMigrations(all)) {
    opts.progress?.(`${target}  ${m.id}  seeding`);
    const failed = await seedMigration(driver, m, opts.seedCount);
    if (failed) {
      results.push({ check: "backup.restore-identical", target, migration: m.id, status: "fail", message: failed });
      break;
    }
    const s0 = await snapshotKeyspace(driver.client);
    const t0 = performance.now();
    const backup = await dumpAll(driver);
    const backupMs = Math.round(performance.now() - t0);
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      results.push({ check: "step.up", target, migration: m.id, status: "fail", message: up.error ?? "up failed" });
      break;
    }
    const r0 = performance.now();
    await restoreAll(driver, backup);
    const restoreMs = Math.round(performance.now() - r0);
    const restored = await snapshotKeyspace(driver.client);
    const diff = diffKeyspaces(s0, restored, { ttl: "exact" });
    const again = await applyStep(driver, m, "up");
    const problems = [...(diffIsEmpty(diff) ? [] : [describeDiff(diff)]), ...(again.status === "done" ? [] : [`${m.id} does not apply again: ${again.error}`])];
    results.push({
      check: "backup.restore-identical",
      target,
      migration: m.id,
      status: problems.length ? "fail" : "pass",
      message: problems.length
        ? `the backup taken before ${m.id} does not restore what was there: ${problems.join("; ")}`
        : `DUMP/RESTORE with PTTL: ${plural(backup.length, "key")} restored exactly (backup ${backupMs} ms, restore ${restoreMs} ms), and ${m.id} applies again`,
      durationMs: backupMs + restoreMs,
      details: { method: "DUMP/RESTORE with PTTL", backupMs, restoreMs, ...(diffIsEmpty(diff) ? {} : { diff: diffDetails(diff) }) },
    });
    if (again.status !== "done") break;
  }
  return results;
}

/** Every key (the bookkeeping hash included; locks, checkpoints and markers not), with its PTTL. */
async function dumpAll(driver: RedisDriver): Promise<{ key: string; pttl: number; payload: Buffer }[]> {
  const out: { key: string; pttl: number; payload: Buffer }[] = [];
  for (const node of masters(driver.client)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "COUNT", 1000);
      cursor = next;
      const keys = [...new Set(batch)].filter(kept);
      const p = node.pipeline();
      for (const k of keys) p.dumpBuffer(k).pttl(k);
      const res = (await p.exec()) ?? [];
      keys.forEach((key, i) => {
        const payload = res[2 * i]?.[1] as Buffer | null;
        const pttl = Number(res[2 * i + 1]?.[1] ?? -2);
        if (payload && pttl !== -2) out.push({ key, pttl, payload });
      });
    } while (cursor !== "0");
  }
  return out;
}

/** Empties the database but stairway's own run keys, then RESTOREs every key with its remaining TTL. */
async function restoreAll(driver: RedisDriver, keys: { key: string; pttl: number; payload: Buffer }[]): Promise<void> {
  for (const node of masters(driver.client)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "COUNT", 1000);
      cursor = next;
      const gone = [...new Set(batch)].filter(kept);
      if (gone.length) await Promise.all(gone.map((k) => driver.client.unlink(k)));
    } while (cursor !== "0");
  }
  for (let i = 0; i < keys.length; i += 1000) {
    await Promise.all(keys.slice(i, i + 1000).map((k) => driver.client.restore(k.key, Math.max(0, k.pttl), k.payload, "REPLACE")));
  }
}

/** The migrated keys and stairway's bookkeeping; not the run's own lock, checkpoints or scratch marker. */
function kept(key: string): boolean {
  return !key.startsWith(OWN_PREFIX) || key === `${OWN_PREFIX}migrations`;
}
