// stairway rollback on a Redis target: up to head, each migration seeded just
// before its up, then the last K rolled back one at a time (step.down, timed).
// After each rollback every key that existed before that migration's up must
// be back with its type, value and TTL (redis.down-restores); the only other
// keys allowed are those later migrations' seeds wrote.

import type { RedisDriver } from "../drivers/redis.ts";
import { appliesTo, type Migration } from "../plan/migration.ts";
import { describeDiff, diffDetails, diffIsEmpty, diffKeyspaces, snapshotKeyspace, type Keyspace } from "../redis/keyspace.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import { seedMigration } from "./redis.ts";
import { plural } from "../plural.ts";

export interface RedisRollbackOptions {
  /** How many of the newest migrations to roll back; undefined: all. */
  last?: number;
  seedCount: number;
  progress?: (line: string) => void;
}

export async function runRedisRollback(driver: RedisDriver, target: string, all: Migration[], opts: RedisRollbackOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const migrations = all.filter((m) => appliesTo(m, "redis"));
  const beforeUp = new Map<string, Keyspace>();
  /** Keys each migration's seed wrote. */
  const seededBy = new Map<string, Set<string>>();

  for (const m of migrations) {
    driver.log = (line) => opts.progress?.(`${target}  ${m.id}  ${line}`);
    opts.progress?.(`${target}  up  ${m.id}`);
    const pre = await snapshotKeyspace(driver.client);
    const failed = await seedMigration(driver, m, opts.seedCount);
    if (failed) {
      results.push({ check: "step.up", target, migration: m.id, status: "fail", message: failed });
      return results;
    }
    const s = await snapshotKeyspace(driver.client);
    beforeUp.set(m.id, s);
    seededBy.set(m.id, new Set([...s.keys.keys()].filter((k) => !pre.keys.has(k))));
    const o = await applyStep(driver, m, "up");
    if (o.status !== "done") {
      results.push({ check: "step.up", target, migration: m.id, status: "fail", message: o.error ?? "up failed", durationMs: o.durationMs });
      return results;
    }
  }

  const chosen = migrations.slice(opts.last === undefined ? 0 : Math.max(0, migrations.length - opts.last)).reverse();
  for (const m of chosen) {
    opts.progress?.(`${target}  rollback  ${m.id}`);
    const o = await applyStep(driver, m, "down");
    if (o.status !== "done") {
      results.push({ check: "step.down", target, migration: m.id, status: "fail", message: o.error ?? "down failed", durationMs: o.durationMs });
      break;
    }
    results.push({ check: "step.down", target, migration: m.id, status: "pass", message: "rolled back", durationMs: o.durationMs });
    const expected = beforeUp.get(m.id)!;
    const later = new Set(migrations.slice(migrations.indexOf(m) + 1).flatMap((x) => [...seededBy.get(x.id)!]));
    const after = await snapshotKeyspace(driver.client);
    const d = diffKeyspaces(expected, after, { ttl: "exact", ignore: (k) => !expected.keys.has(k) && later.has(k) });
    const ok = diffIsEmpty(d);
    results.push({
      check: "redis.down-restores",
      target,
      migration: m.id,
      status: ok ? "pass" : "fail",
      message: ok
        ? `${plural(expected.keys.size - d.expired.length, "key")} as before its up: names, types, values and TTLs` +
          (later.size ? ` (${plural(later.size, "key")} seeded by later migrations left aside)` : "")
        : `after rollback the keyspace differs from before its up: ${describeDiff(d)}`,
      ...(ok ? {} : { details: diffDetails(d) }),
    });
  }
  return results;
}
