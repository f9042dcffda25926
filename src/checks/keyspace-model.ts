// The data model of a store of keys (Redis) for the checks (model.ts): a
// state is a snapshot of every key — type, value digest, time to live. Data
// comes from each transform's own seed(ctx, count); renames are learned from
// the data; the redo runs under a writer that plays the upgraded app.

import {
  describeDiff,
  diffDetails,
  diffIsEmpty,
  diffKeyspaces,
  examples,
  inferRenames,
  type Keyspace,
} from "../keyspace/model.ts";
import { plural } from "../plural.ts";
import { versionKey, type Migration } from "../plan/migration.ts";
import type { KeyspaceDriver, WriterTarget } from "../stores/contract.ts";
import type { DataModel, Draft, ModelOptions } from "./model.ts";

/** Keys a Redis seed writes per generated SQL row (test.rows): 20 rows → 1,000 keys. */
export const KEYS_PER_ROW = 50;
/** TTL of the values the concurrent writer writes, as an app writing sessions would. */
const WRITER_TTL_MS = 600_000;

export function keyspaceModel(driver: KeyspaceDriver, opts: ModelOptions): DataModel<Keyspace> {
  const seedCount = opts.keys ?? opts.rows * KEYS_PER_ROW;
  driver.log = (line) => opts.progress?.(line);
  /** Keys each migration's seed wrote (rollback: a later migration's seed may stay). */
  const seededBy = new Map<string, Set<string>>();
  const seedThenSnapshot = async (m: Migration): Promise<Keyspace | { failed: string }> => {
    const failed = await driver.seed(m, seedCount);
    return failed ? { failed } : driver.snapshot();
  };

  return {
    checks: { afterUp: ["redis.ttl-preserved"], restored: ["redis.down-restores"], redo: ["redis.concurrent-writes"] },
    unit: "keys",
    bookkeeping: "the bookkeeping hash",

    base: () => driver.snapshot(),

    async prepare(m) {
      const state = await seedThenSnapshot(m);
      return "failed" in state ? state : { state, skipped: [] };
    },

    observe: () => driver.snapshot(),
    filled: () => [],

    async afterUp(m, s0, s1) {
      const renames = inferRenames(s0, s1);
      return { message: upSummary(s0, s1, renames), results: [ttlPreserved(m.id, s0, s1, renames)] };
    },

    async enrich() {},

    async restored(m, s0, s2) {
      return [restores(m, s0.state, s2, "down", "before up")];
    },

    async redo(m, s0, s1, up) {
      // The writer plays the upgraded app: it writes new values to the NEW
      // names of the keys the first up renamed, and to probe keys, from just
      // before up until up is done.
      const renames = inferRenames(s0, s1);
      const targets: WriterTarget[] = [];
      for (const [from, to] of renames) {
        const type = s0.keys.get(from)?.type;
        if (type === "string" || type === "hash") targets.push({ key: to, type });
      }
      const writer = await driver.startWriter(targets, {
        ttlMs: WRITER_TTL_MS,
        probePrefix: `stairway-probe:${m.version}:`,
        seed: opts.seed,
      });
      try {
        await writer.ready;
        const outcome = await up();
        const log = await writer.stop();
        if (outcome.status !== "done")
          return {
            outcome,
            results: [
              {
                check: "redis.concurrent-writes",
                migration: m.id,
                status: "skip",
                message: "not checked: up failed the second time",
              },
            ],
          };
        const written = new Set(log.last.keys());
        const s3 = await driver.snapshot();
        const again = diffKeyspaces(s1, s3, { ttl: "presence", ignore: (k) => written.has(k) });
        const redo: Draft = {
          check: "step.redo",
          migration: m.id,
          status: diffIsEmpty(again) ? "pass" : "fail",
          message: diffIsEmpty(again)
            ? "applied again, same keyspace as the first up (apart from the writer's keys)"
            : `up after down gives another keyspace: ${describeDiff(again)}`,
          durationMs: outcome.durationMs,
          ...(diffIsEmpty(again) ? {} : { details: diffDetails(again) }),
        };
        if (log.error)
          return {
            outcome,
            results: [
              redo,
              {
                check: "redis.concurrent-writes",
                migration: m.id,
                status: "fail",
                message: `a write of the concurrent writer failed during up: ${log.error}`,
              },
            ],
          };
        const lost = await writer.lost(log);
        const wrote = `the writer wrote ${plural(log.writes, "value")} to ${plural(log.last.size, "key")} during up (${log.probes} of them to probe keys)`;
        const onlyProbes = targets.length === 0 ? "; up renamed no key, so it wrote only probe keys" : "";
        const verdict: Draft = lost.length
          ? {
              check: "redis.concurrent-writes",
              migration: m.id,
              status: "fail",
              message:
                `${plural(lost.length, "key")} of the ${log.last.size.toLocaleString("en-US")} the writer wrote during up lost ${lost.length === 1 ? "its" : "their"} last value: ${examples(lost)}` +
                (targets.length
                  ? " (a stale value of the old name overwrote it: rename with RENAMENX, as ctx.renameKeys does)"
                  : ""),
              details: { lost: lost.slice(0, 100), writes: log.writes },
            }
          : {
              check: "redis.concurrent-writes",
              migration: m.id,
              status: "pass",
              message: `${wrote}, none lost${onlyProbes}`,
              details: { writes: log.writes, keys: log.last.size },
            };
        return { outcome, results: [redo, verdict] };
      } finally {
        await writer.close();
      }
    },

    async leftAtBase(_base, recorded) {
      const rest = (await driver.applied()).map((r) => r.version).filter((v) => !recorded.has(versionKey(v)));
      const checkpoints = await driver.leftovers();
      return [
        ...(rest.length ? [`versions ${rest.join(", ")} still recorded in stairway:migrations`] : []),
        ...(checkpoints.length ? [`checkpoints left behind: ${examples(checkpoints)}`] : []),
      ];
    },

    async beforeUp(m) {
      const pre = await driver.snapshot();
      const s = await seedThenSnapshot(m);
      if (!("failed" in s)) seededBy.set(m.id, new Set([...s.keys.keys()].filter((k) => !pre.keys.has(k))));
      return s;
    },

    async afterHeadUp() {},
    async atHead() {
      return [];
    },
    beforeRollback: () => driver.snapshot(),

    async rolledBack(m, expected, _kept, later) {
      // Keys a later migration's seed wrote may stay: they were not there before this up.
      const laterSeeds = new Set(later.flatMap((x) => [...(seededBy.get(x.id) ?? [])]));
      const r = restores(
        m,
        expected,
        await driver.snapshot(),
        "rollback",
        "before its up",
        (k) => !expected.keys.has(k) && laterSeeds.has(k),
      );
      return [
        laterSeeds.size && r.status === "pass"
          ? { ...r, message: `${r.message} (${plural(laterSeeds.size, "key")} seeded by later migrations left aside)` }
          : r,
      ];
    },

    async backup() {
      const t0 = performance.now();
      const dump = await driver.dump();
      const backupMs = Math.round(performance.now() - t0);
      return {
        method: "DUMP/RESTORE with PTTL",
        backupMs,
        inPlace: true,
        dispose: async () => {},
        async restore() {
          const r0 = performance.now();
          await driver.restore(dump);
          const restoreMs = Math.round(performance.now() - r0);
          return { state: await driver.snapshot(), driver, restoreMs, dispose: async () => {} };
        },
      };
    },

    async sameAsBefore(b, restored) {
      const diff = diffKeyspaces(b.state, restored.state, { ttl: "exact" });
      return {
        problems: diffIsEmpty(diff) ? [] : [describeDiff(diff)],
        summary: `${plural(b.state.keys.size, "key")} restored exactly`,
        details: diffIsEmpty(diff) ? {} : { diff: diffDetails(diff) },
      };
    },

    async dataBefore(m) {
      return seedThenSnapshot(m);
    },

    async dataAfter(m, s0) {
      const s1 = await driver.snapshot();
      const ttl = ttlPreserved(m.id, s0, s1, inferRenames(s0, s1));
      const lost = s0.keys.size - s1.keys.size;
      const problems = [
        ...(lost > 0 ? [`${plural(lost, "key")} fewer after up (${s0.keys.size} → ${s1.keys.size})`] : []),
        ...(ttl.status === "fail" ? [ttl.message] : []),
      ];
      return {
        check: "data.integrity",
        migration: m.id,
        status: problems.length ? "fail" : "pass",
        message: problems.length ? problems.join("; ") : `${plural(s0.keys.size, "key")} kept through up, no TTL lost`,
      };
    },

    async dataLoad() {
      return [];
    },
    dataSummary: () => undefined,

    async perfBefore(m) {
      const failed = await driver.seed(m, seedCount);
      if (failed) return { failed };
      return { size: await driver.keyCount(), withData: new Set(), probe: [] };
    },
    async perfAfter() {},
    perfHooks: () => ({}),
  };
}

/** redis.down-restores: every key of `expected` back after `after`'s step, with its type, value and TTL. */
function restores(
  m: Migration,
  expected: Keyspace,
  after: Keyspace,
  step: string,
  when: string,
  ignore?: (key: string) => boolean,
): Draft {
  const d = diffKeyspaces(expected, after, { ttl: "exact", ignore });
  const ok = diffIsEmpty(d);
  return {
    check: "redis.down-restores",
    migration: m.id,
    status: ok ? "pass" : "fail",
    message: ok
      ? `${plural(expected.keys.size - d.expired.length, "key")} as ${when}: names, types, values and TTLs`
      : `after ${step} the keyspace differs from ${when}: ${describeDiff(d)}`,
    ...(ok ? {} : { details: diffDetails(d) }),
  };
}

function upSummary(s0: Keyspace, s1: Keyspace, renames: Map<string, string>): string {
  const removed = [...s0.keys.keys()].filter((k) => !s1.keys.has(k)).length - renames.size;
  const added = [...s1.keys.keys()].filter((k) => !s0.keys.has(k)).length - renames.size;
  const parts = [`${renames.size} renamed`, `${added} added`, `${removed} removed`];
  return `applied: ${parts.join(", ")} (of ${plural(s0.keys.size, "key")})`;
}

export function ttlPreserved(migration: string, s0: Keyspace, s1: Keyspace, renames: Map<string, string>): Draft {
  const check = "redis.ttl-preserved";
  if (s0.keys.size === 0)
    return {
      check,
      migration,
      status: "skip",
      message: "no keys before up: give the migration a seed to test its data",
    };
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
    return {
      check,
      migration,
      status: "fail",
      message: `${plural(lost.length, "key")} lost their TTL in up: ${examples(lost)}${note}`,
      details: { lost: lost.slice(0, 100) },
    };
  if (inPlace + renamed === 0)
    return { check, migration, status: "skip", message: `every key with a TTL was removed or changed by up${note}` };
  return {
    check,
    migration,
    status: "pass",
    message: `${plural(inPlace + renamed, "key")} kept their TTL (${renamed.toLocaleString("en-US")} renamed, ${inPlace.toLocaleString("en-US")} in place)${note}`,
  };
}
