// The RedisContext a transform gets (src/types.ts): the client, a SCAN over
// every master with cursor checkpoints kept in Redis, and renameKeys, which
// does the common move the safe way. Research behind every choice here:
// shared/research/redis-and-bun.md (A.3 throughput, A.4 concurrent writers,
// A.5 cluster, A.6 resume).

import type { Redis } from "ioredis";
import type { RedisContext, RenameOptions, RenameResult, ScanOptions } from "../../types.ts";
import { globToRegExp } from "./glob.ts";
import { evalScript, isCluster, masters, nodeId, RENAME_BATCH, type Client } from "./scripts.ts";
import { keySlot } from "./slot.ts";
import { plural } from "../../plural.ts";

/** Keys of stairway itself (bookkeeping, lock, checkpoints): never handed to a transform. */
export const OWN_PREFIX = "stairway:";
/** SCAN COUNT: ~1 ms of server time per call; 10,000 stalls Redis 13–35 ms for no gain (research A.3). */
export const DEFAULT_COUNT = 1000;
/** renameKeys gives up when keys of the old format keep appearing: an old writer is still running. */
const MAX_PASSES = 10;

export const checkpointKey = (version: string, phase: string) => `${OWN_PREFIX}checkpoint:${version}:${phase}`;

export interface ContextOptions {
  client: Client;
  version: string;
  /** up, down or seed: checkpoints of one phase never resume another. */
  phase: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

type NodeBatch = (keys: string[], node: Redis) => Promise<void>;

export function createContext(o: ContextOptions): RedisContext {
  const { client, signal, log } = o;
  const cpKey = checkpointKey(o.version, o.phase);
  const names = new Map<string, number>();
  // A transform that scans twice with the same name gets two checkpoints:
  // both runs of the transform call them in the same order.
  const unique = (name: string) => {
    const n = (names.get(name) ?? 0) + 1;
    names.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  };

  async function scanNodes(pattern: string, fn: NodeBatch, opts: ScanOptions = {}): Promise<number> {
    const count = opts.count ?? DEFAULT_COUNT;
    const name = unique(opts.checkpoint ?? `scan ${pattern}`);
    const saved = await client.hget(cpKey, name);
    const cursors: Record<string, string> = saved ? JSON.parse(saved) : {};
    if (saved) log(`${pattern}: resuming from the checkpoint of an interrupted run`);
    let seen = 0;
    let lastLog = performance.now();
    const nodes = masters(client).sort((a, b) => nodeId(a).localeCompare(nodeId(b)));
    for (const node of nodes) {
      const id = nodeId(node);
      let cursor = cursors[id] ?? "0";
      if (cursor === "done") continue;
      let batch: string[] = [];
      // One batch is worked on while the next is scanned and gathered: Redis
      // runs one script while we build the next (200k keys: ~130k → ~190k keys/s).
      let working: Promise<void> = Promise.resolve();
      const save = (after: string) => {
        cursors[id] = after === "0" ? "done" : after;
        return client.hset(cpKey, name, JSON.stringify(cursors));
      };
      // The next SCAN is sent while the batch is being worked on (one round
      // trip saved per batch; SCAN's guarantees do not depend on timing).
      const scan = (from: string) => {
        const p = node.scan(from, "MATCH", pattern, "COUNT", count);
        p.catch(() => {}); // awaited below; not unhandled when the batch before it fails
        return p;
      };
      let scanning = scan(cursor);
      do {
        signal.throwIfAborted();
        const [next, keys] = await scanning;
        cursor = next;
        if (cursor !== "0") scanning = scan(cursor);
        for (const k of keys) if (!k.startsWith(OWN_PREFIX)) batch.push(k);
        // Sparse matches come back a few per call: gather about `count` keys
        // per batch so each batch is still one round trip's worth of work.
        if (batch.length < count && cursor !== "0") continue;
        await working; // the batch before is done, its checkpoint saved
        const keysOfBatch = batch;
        const after = cursor;
        // Saved once its batch is done: a crash redoes at most the batch in flight and the next.
        working = (async () => {
          if (keysOfBatch.length) await fn(keysOfBatch, node);
          await save(after);
        })();
        working.catch(() => {}); // awaited on the next batch or below
        seen += batch.length;
        batch = [];
        if (performance.now() - lastLog > 1000) {
          lastLog = performance.now();
          log(`${pattern}: ${plural(seen, "key")} so far`);
        }
      } while (cursor !== "0");
      await working;
    }
    await client.hdel(cpKey, name);
    return seen;
  }

  async function renameKeys(
    pattern: string,
    map: (key: string) => string,
    opts: RenameOptions = {},
  ): Promise<RenameResult> {
    const ttl = opts.ttl ?? "keep";
    const ttlArgs = typeof ttl === "number" ? ["ms", Math.round(ttl)] : [ttl, 0];
    const matches = globToRegExp(pattern);
    const total: RenameResult = { moved: 0, dropped: 0 };
    const t0 = performance.now();
    /** src1, dst1, src2, dst2, …: the script's KEYS, built without intermediate pairs. */
    const pairsOf = (keys: string[]) => {
      const flat: string[] = new Array(keys.length * 2);
      for (let i = 0; i < keys.length; i++) {
        const src = keys[i]!;
        const dst = map(src);
        if (typeof dst !== "string" || dst === "" || dst === src)
          throw new Error(
            `renameKeys("${pattern}"): the new name of ${src} is ${JSON.stringify(dst)}, not another key name`,
          );
        if (matches.test(dst))
          throw new Error(
            `renameKeys("${pattern}"): the new name ${dst} of ${src} matches the pattern too, so it would be renamed again: narrow the pattern`,
          );
        if (dst.startsWith(OWN_PREFIX))
          throw new Error(`renameKeys("${pattern}"): ${dst} is a name stairway keeps for itself`);
        flat[2 * i] = src;
        flat[2 * i + 1] = dst;
      }
      return flat;
    };

    for (let pass = 1; ; pass++) {
      const before = { ...total };
      const seen = await scanNodes(
        pattern,
        async (keys, node) => {
          const r = await moveBatch(client, node, pairsOf(keys), ttl, ttlArgs);
          total.moved += r.moved;
          total.dropped += r.dropped;
        },
        { count: opts.count, checkpoint: `${opts.checkpoint ?? `rename ${pattern}`} pass ${pass}` },
      );
      const s = (performance.now() - t0) / 1000;
      log(
        `${pattern}: pass ${pass}: ${total.moved - before.moved} moved, ${total.dropped - before.dropped} stale dropped` +
          ` (${Math.round((total.moved + total.dropped) / Math.max(s, 0.001)).toLocaleString("en-US")} keys/s)`,
      );
      if (seen === 0) return total;
      if (pass > 1) log(`${pattern}: ${plural(seen, "key")} of the old format appeared during pass ${pass - 1}`);
      if (pass >= MAX_PASSES)
        throw new Error(
          `renameKeys("${pattern}"): keys of the old format still appear after ${pass} passes: something still writes them; ` +
            `stop the old application's writers, then run again (it resumes)`,
        );
    }
  }

  return {
    redis: client,
    scan: (pattern, fn, opts) => scanNodes(pattern, (keys) => fn(keys), opts),
    renameKeys,
    log,
    signal,
  };
}

/** `pairs` is src1, dst1, src2, dst2, …, as RENAME_BATCH takes them. */
async function moveBatch(
  client: Client,
  node: Redis,
  pairs: string[],
  ttl: RenameOptions["ttl"],
  ttlArgs: (string | number)[],
): Promise<RenameResult> {
  const sum = (rs: unknown[]) =>
    rs.reduce<RenameResult>(
      (a, r) => {
        const [m, d] = r as [number, number];
        return { moved: a.moved + m, dropped: a.dropped + d };
      },
      { moved: 0, dropped: 0 },
    );
  // One Lua script per batch: atomic per batch, ~3 ms of server time for ~1,300 keys (research A.3 (c)).
  if (!isCluster(client)) return sum([await evalScript(client, RENAME_BATCH, pairs, ttlArgs)]);

  // A cluster runs a script only over keys of one slot: one script per slot,
  // sent together (auto-pipelined per node); names in different slots move
  // with DUMP/RESTORE.
  const bySlot = new Map<number, string[]>();
  const across: [string, string][] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const src = pairs[i]!;
    const dst = pairs[i + 1]!;
    const slot = keySlot(src);
    if (slot !== keySlot(dst)) across.push([src, dst]);
    else {
      const group = bySlot.get(slot);
      if (group) group.push(src, dst);
      else bySlot.set(slot, [src, dst]);
    }
  }
  const same = await Promise.all([...bySlot.values()].map((g) => evalScript(client, RENAME_BATCH, g, ttlArgs)));
  const r = sum(same);
  if (across.length) {
    const x = await moveAcrossSlots(client, node, across, ttl);
    r.moved += x.moved;
    r.dropped += x.dropped;
  }
  return r;
}

/**
 * DUMP + PTTL on the source's node, RESTORE (never REPLACE: a new name that
 * exists holds newer data) with that TTL, then UNLINK the source. Not atomic
 * per key, unlike the Lua path; with hash-tagged names (session:{user:1}) a
 * rename stays in one slot and avoids this path.
 */
async function moveAcrossSlots(
  client: Client,
  node: Redis,
  pairs: [string, string][],
  ttl: RenameOptions["ttl"],
): Promise<RenameResult> {
  const p = node.pipeline();
  for (const [src] of pairs) p.dumpBuffer(src).pttl(src);
  const res = (await p.exec()) ?? [];
  const outcomes = await Promise.all(
    pairs.map(async ([src, dst], i): Promise<"moved" | "dropped" | "gone"> => {
      const [e1, payload] = res[2 * i] ?? [];
      const [e2, pttl] = res[2 * i + 1] ?? [];
      // Gone since the SCAN, or moved to another node by resharding: the next pass sees it.
      if (e1 || e2 || payload == null || pttl === -2) return "gone";
      const ms = ttl === "persist" ? 0 : typeof ttl === "number" ? Math.round(ttl) : Math.max(0, Number(pttl));
      try {
        await client.restore(dst, ms, payload as Buffer);
      } catch (e) {
        if (!String((e as Error).message).startsWith("BUSYKEY")) throw e;
        await client.unlink(src);
        return "dropped";
      }
      await client.unlink(src);
      return "moved";
    }),
  );
  return {
    moved: outcomes.filter((o) => o === "moved").length,
    dropped: outcomes.filter((o) => o === "dropped").length,
  };
}
