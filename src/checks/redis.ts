// The stairway on a Redis target (DESIGN.md "A Redis transform"), for each
// Redis migration in order, on an empty logical database:
//   seed → snapshot S0 → up (redis.up) → S1: no key lost its TTL (redis.ttl-preserved)
//   → down (step.down) → S2 equals S0: keys, types, values, TTLs (redis.down-restores)
//   → up again while a writer plays the upgraded app (step.redo: S1 again;
//     redis.concurrent-writes: every key the writer wrote holds its last value)
// then every down to the base (step.down-to-base).

import type { RedisDriver } from "../drivers/redis.ts";
import { appliesTo, type Migration } from "../plan/migration.ts";
import { diffDetails, diffIsEmpty, diffKeyspaces, describeDiff, examples, inferRenames, scanKeys, snapshotKeyspace, type Keyspace } from "../redis/keyspace.ts";
import { loadTransform } from "../redis/load.ts";
import { lostWrites, startWriter, type WriterTarget } from "../redis/writer.ts";
import { errorMessage } from "../errors.ts";
import type { CheckResult } from "../results.ts";
import { applyStep, revertAll } from "../runner.ts";
import { plural } from "../plural.ts";

export interface RedisStairwayOptions {
  /** Keys each migration's seed writes. */
  seedCount: number;
  /** Seed of the concurrent writer's choices. */
  seed: number;
  progress?: (line: string) => void;
}

const CHECKS = ["redis.up", "redis.ttl-preserved", "step.down", "redis.down-restores", "step.redo", "redis.concurrent-writes"] as const;
/** TTL of the values the concurrent writer writes, as an app writing sessions would. */
const WRITER_TTL_MS = 600_000;

export async function runRedisStairway(driver: RedisDriver, target: string, all: Migration[], opts: RedisStairwayOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: Omit<CheckResult, "target">) => results.push({ target, ...r });
  const migrations = all.filter((m) => appliesTo(m, "redis"));
  const applied: Migration[] = [];
  let stopped: string | null = null;

  for (const m of migrations) {
    const skipRest = (from: number, message: string) => {
      for (const check of CHECKS.slice(from)) add({ check, migration: m.id, status: "skip", message });
    };
    if (stopped) {
      skipRest(0, stopped);
      continue;
    }
    const say = (what: string) => opts.progress?.(`${target}  ${m.id}  ${what}`);
    driver.log = (line) => say(line);

    say("seeding");
    const seeded = await seedMigration(driver, m, opts.seedCount);
    if (seeded) {
      add({ check: "redis.up", migration: m.id, status: "fail", message: seeded });
      stopped = `not run: ${m.id} could not be seeded`;
      skipRest(1, stopped);
      continue;
    }
    const s0 = await snapshotKeyspace(driver.client);

    say("up");
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      add({ check: "redis.up", migration: m.id, status: "fail", message: up.error ?? "up failed", durationMs: up.durationMs });
      stopped = `not run: ${m.id} failed to apply`;
      skipRest(1, stopped);
      continue;
    }
    applied.push(m);
    const s1 = await snapshotKeyspace(driver.client);
    const renames = inferRenames(s0, s1);
    add({ check: "redis.up", migration: m.id, status: "pass", message: upSummary(s0, s1, renames), durationMs: up.durationMs });
    add(ttlPreserved(m.id, s0, s1, renames));

    say("down");
    const down = await applyStep(driver, m, "down");
    if (down.status !== "done") {
      add({ check: "step.down", migration: m.id, status: "fail", message: down.error ?? "down failed", durationMs: down.durationMs });
      // A transform does not roll back: the keyspace is half-way, later steps would test nothing.
      stopped = `not run: the down of ${m.id} failed halfway (a Redis transform does not roll back)`;
      skipRest(3, `not checked: the down of ${m.id} failed`);
      continue;
    }
    applied.pop();
    add({ check: "step.down", migration: m.id, status: "pass", message: "reverted", durationMs: down.durationMs });
    const s2 = await snapshotKeyspace(driver.client);
    const back = diffKeyspaces(s0, s2, { ttl: "exact" });
    add({
      check: "redis.down-restores",
      migration: m.id,
      status: diffIsEmpty(back) ? "pass" : "fail",
      message: diffIsEmpty(back)
        ? `${plural(s0.keys.size - back.expired.length, "key")} as before up: names, types, values and TTLs`
        : `after down the keyspace differs from before up: ${describeDiff(back)}`,
      ...(diffIsEmpty(back) ? {} : { details: diffDetails(back) }),
    });

    say("up again, with a concurrent writer");
    const redo = await redoWithWriter(driver, m, s0, renames, opts.seed);
    if (redo.error !== undefined) {
      add({ check: "step.redo", migration: m.id, status: "fail", message: redo.error, durationMs: redo.durationMs });
      add({ check: "redis.concurrent-writes", migration: m.id, status: "skip", message: "not checked: up failed the second time" });
      stopped = `not run: ${m.id} could not be applied again`;
      continue;
    }
    applied.push(m);
    const s3 = await snapshotKeyspace(driver.client);
    const again = diffKeyspaces(s1, s3, { ttl: "presence", ignore: (k) => redo.written.has(k) });
    add({
      check: "step.redo",
      migration: m.id,
      status: diffIsEmpty(again) ? "pass" : "fail",
      message: diffIsEmpty(again)
        ? "applied again, same keyspace as the first up (apart from the writer's keys)"
        : `up after down gives another keyspace: ${describeDiff(again)}`,
      durationMs: redo.durationMs,
      ...(diffIsEmpty(again) ? {} : { details: diffDetails(again) }),
    });
    add({ check: "redis.concurrent-writes", migration: m.id, ...redo.verdict });
  }

  results.push({ target, ...(await downToBase(driver, applied, opts)) });
  return results;
}

/** Runs the migration's seed, if any; returns the failure as one sentence. */
export async function seedMigration(driver: RedisDriver, m: Migration, count: number): Promise<string | undefined> {
  let t: Awaited<ReturnType<typeof loadTransform>>;
  try {
    t = await loadTransform(m.module!.path);
  } catch (e) {
    return errorMessage(e); // names the file already
  }
  try {
    await t.seed?.(driver.context(m.version, "seed"), count);
    return undefined;
  } catch (e) {
    return `${m.module!.path}: seed failed: ${errorMessage(e)}`;
  }
}

function upSummary(s0: Keyspace, s1: Keyspace, renames: Map<string, string>): string {
  const removed = [...s0.keys.keys()].filter((k) => !s1.keys.has(k)).length - renames.size;
  const added = [...s1.keys.keys()].filter((k) => !s0.keys.has(k)).length - renames.size;
  const parts = [`${renames.size} renamed`, `${added} added`, `${removed} removed`];
  return `applied: ${parts.join(", ")} (of ${plural(s0.keys.size, "key")})`;
}

export function ttlPreserved(migration: string, s0: Keyspace, s1: Keyspace, renames: Map<string, string>): Omit<CheckResult, "target"> {
  const check = "redis.ttl-preserved";
  if (s0.keys.size === 0) return { check, migration, status: "skip", message: "no keys before up: give the migration a seed to test its data" };
  const withTtl = [...s0.keys].filter(([, s]) => s.pttl >= 0);
  if (withTtl.length === 0) return { check, migration, status: "skip", message: "no key had a TTL before up" };
  const lost: string[] = [];
  let inPlace = 0;
  let renamed = 0;
  let untracked = 0;
  for (const [k] of withTtl) {
    const now = s1.keys.has(k) ? k : renames.get(k);
    const after = now === undefined ? undefined : s1.keys.get(now);
    if (!after) untracked++;
    else if (after.pttl < 0) lost.push(now === k ? k : `${k} → ${now}`);
    else if (now === k) inPlace++;
    else renamed++;
  }
  const note = untracked ? `; ${untracked} removed by up or changed beyond recognition, not followed` : "";
  if (lost.length)
    return { check, migration, status: "fail", message: `${plural(lost.length, "key")} lost their TTL in up: ${examples(lost)}${note}`, details: { lost: lost.slice(0, 100) } };
  if (inPlace + renamed === 0) return { check, migration, status: "skip", message: `every key with a TTL was removed or changed by up${note}` };
  return { check, migration, status: "pass", message: `${plural(inPlace + renamed, "key")} kept their TTL (${renamed.toLocaleString("en-US")} renamed, ${inPlace.toLocaleString("en-US")} in place)${note}` };
}

interface Redo {
  error?: string;
  durationMs: number;
  /** Keys the writer wrote: they legitimately differ from the first up. */
  written: Set<string>;
  verdict: Omit<CheckResult, "target" | "check" | "migration">;
}

/**
 * Up again while the writer plays the upgraded app: it writes new values to
 * the NEW names of keys up renames (learned from the first up), and to probe
 * keys, from just before up until up is done.
 */
async function redoWithWriter(driver: RedisDriver, m: Migration, s0: Keyspace, renames: Map<string, string>, seed: number): Promise<Redo> {
  const targets: WriterTarget[] = [];
  for (const [from, to] of renames) {
    const type = s0.keys.get(from)?.type;
    if (type === "string" || type === "hash") targets.push({ key: to, type });
  }
  const conn = await driver.connection();
  try {
    const writer = startWriter(conn, targets, { ttlMs: WRITER_TTL_MS, probePrefix: `stairway-probe:${m.version}:`, seed });
    await writer.ready;
    const o = await applyStep(driver, m, "up");
    const log = await writer.stop();
    const written = new Set(log.last.keys());
    if (o.status !== "done") return { error: o.error ?? "up failed the second time", durationMs: o.durationMs, written, verdict: { status: "skip", message: "" } };
    if (log.error) return { durationMs: o.durationMs, written, verdict: { status: "fail", message: `a write of the concurrent writer failed during up: ${log.error}` } };
    const lost = await lostWrites(conn, log);
    const wrote = `the writer wrote ${plural(log.writes, "value")} to ${plural(log.last.size, "key")} during up (${log.probes} of them to probe keys)`;
    const onlyProbes = targets.length === 0 ? "; up renamed no key, so it wrote only probe keys" : "";
    const verdict: Redo["verdict"] = lost.length
      ? {
          status: "fail",
          message:
            `${plural(lost.length, "key")} of the ${log.last.size.toLocaleString("en-US")} the writer wrote during up lost ${lost.length === 1 ? "its" : "their"} last value: ${examples(lost)}` +
            (targets.length ? " (a stale value of the old name overwrote it: rename with RENAMENX, as ctx.renameKeys does)" : ""),
          details: { lost: lost.slice(0, 100), writes: log.writes },
        }
      : { status: "pass", message: `${wrote}, none lost${onlyProbes}`, details: { writes: log.writes, keys: log.last.size } };
    return { durationMs: o.durationMs, written, verdict };
  } finally {
    await conn.quit().catch(() => conn.disconnect());
  }
}

async function downToBase(driver: RedisDriver, applied: Migration[], opts: RedisStairwayOptions): Promise<Omit<CheckResult, "target">> {
  const t0 = performance.now();
  const stopped = await revertAll(driver, applied, opts.progress);
  if (stopped) return { check: "step.down-to-base", status: "fail", message: stopped, durationMs: Math.round(performance.now() - t0) };
  const rest = (await driver.applied()).map((r) => r.version);
  const checkpoints = await scanKeys(driver.client, "stairway:checkpoint:*");
  const problems = [
    ...(rest.length ? [`versions ${rest.join(", ")} still recorded in stairway:migrations`] : []),
    ...(checkpoints.length ? [`checkpoints left behind: ${examples(checkpoints)}`] : []),
  ];
  return {
    check: "step.down-to-base",
    status: problems.length ? "fail" : "pass",
    message: problems.length ? `after every down: ${problems.join("; ")}` : `${plural(applied.length, "migration")} reverted, nothing left in stairway:migrations`,
    durationMs: Math.round(performance.now() - t0),
  };
}
