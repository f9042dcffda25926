// The RedisContext a transform gets, on the real server: renameKeys keeps
// TTLs and never overwrites, scan resumes from its checkpoint, stairway's own
// keys stay hidden, and KEYS is never sent.

import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import type { Redis } from "ioredis";
import { checkpointKey, createContext } from "../../src/stores/redis/context.ts";
import type { RedisContext } from "../../src/types.ts";
import { claimEmptyDb, keysOf, pttls, seedSessions, type ClaimedDb } from "./helpers.ts";

let db: ClaimedDb;
let r: Redis;
beforeAll(async () => {
  db = await claimEmptyDb();
  r = db.redis;
});
afterAll(async () => {
  await db.release();
});
beforeEach(async () => {
  await r.flushdb();
});

const lines: string[] = [];
function ctxFor(phase = "up", signal = new AbortController().signal): RedisContext {
  return createContext({ client: r, version: "007", phase, signal, log: (l) => lines.push(l) });
}

const V1 = "session:user:";
const V2 = "session:v2:user:";
const toV2 = (k: string) => V2 + k.slice(V1.length);

async function keysCalls(): Promise<number> {
  const m = /cmdstat_keys:calls=(\d+)/.exec(await r.info("commandstats"));
  return Number(m?.[1] ?? 0);
}

test("renameKeys moves every key, keeps each TTL (none stays none), and never sends KEYS", async () => {
  await seedSessions(r, 5000);
  const before = await pttls(r, await keysOf(r, `${V1}*`));
  const keysBefore = await keysCalls();
  const t0 = Date.now();
  const res = await ctxFor().renameKeys(`${V1}*`, toV2);
  const elapsed = Date.now() - t0;
  expect(res).toEqual({ moved: 5000, dropped: 0 });
  expect(await keysOf(r, `${V1}*`)).toEqual([]);
  const after = await pttls(r, [...before.keys()].map(toV2));
  for (const [k, t] of before) {
    const now = after.get(toV2(k))!;
    if (t === -1) expect(now).toBe(-1);
    else {
      expect(now).toBeLessThanOrEqual(t);
      expect(t - now).toBeLessThanOrEqual(elapsed + 1000);
    }
  }
  expect(await keysCalls()).toBe(keysBefore);
  expect(await r.exists(checkpointKey("007", "up"))).toBe(0);
});

test("a new name that already exists wins: the stale source is dropped, not renamed over it", async () => {
  await r.set(`${V1}1`, "old", "PX", 100_000);
  await r.set(`${V1}2`, "old");
  await r.set(`${V2}1`, "new from the upgraded app", "PX", 50_000);
  const res = await ctxFor().renameKeys(`${V1}*`, toV2);
  expect(res).toEqual({ moved: 1, dropped: 1 });
  expect(await r.get(`${V2}1`)).toBe("new from the upgraded app");
  expect(await r.pttl(`${V2}1`)).toBeLessThanOrEqual(50_000);
  expect(await r.get(`${V2}2`)).toBe("old");
  expect(await r.exists(`${V1}1`, `${V1}2`)).toBe(0);
});

test("ttl option: persist removes the TTL, a number sets it", async () => {
  await r.set("a:1", "x", "PX", 100_000);
  await ctxFor().renameKeys("a:*", (k) => `b:${k.slice(2)}`, { ttl: "persist" });
  expect(await r.pttl("b:1")).toBe(-1);
  await ctxFor().renameKeys("b:*", (k) => `c:${k.slice(2)}`, { ttl: 5000 });
  const t = await r.pttl("c:1");
  expect(t).toBeGreaterThan(4000);
  expect(t).toBeLessThanOrEqual(5000);
});

test("renameKeys refuses a map whose new names match its own pattern, or give the same name", async () => {
  await r.set("session:user:1", "x");
  await expect(ctxFor().renameKeys("session:*", (k) => k.replace("session:", "session:v2:"))).rejects.toThrow(
    'renameKeys("session:*"): the new name session:v2:user:1 of session:user:1 matches the pattern too, so it would be renamed again: narrow the pattern',
  );
  await expect(ctxFor().renameKeys("session:*", (k) => k)).rejects.toThrow("not another key name");
  expect(await r.get("session:user:1")).toBe("x");
});

test("keys written in the old format during a pass are moved by the next pass", async () => {
  await seedSessions(r, 30_000);
  lines.length = 0;
  let next = 100_000;
  let late = 0;
  // An old application instance still writing v1 sessions until the first pass ends.
  const writer = (async () => {
    while (!lines.some((l) => l.includes("pass 1:"))) {
      await r.set(`${V1}${next++}`, "late", "PX", 60_000);
      late++;
      await Bun.sleep(1);
    }
  })();
  const res = await ctxFor().renameKeys(`${V1}*`, toV2);
  await writer;
  expect(late).toBeGreaterThan(0);
  expect(await keysOf(r, `${V1}*`)).toEqual([]);
  expect(res.moved).toBe(30_000 + late);
  expect(lines.some((l) => /appeared during pass 1/.test(l))).toBe(true);
});

test("an old writer that never stops: renameKeys gives up after 10 passes and says why", async () => {
  await seedSessions(r, 100);
  let writing = true;
  let next = 100_000;
  const writer = (async () => {
    while (writing) await r.set(`${V1}${next++}`, "late");
  })();
  try {
    await expect(ctxFor().renameKeys(`${V1}*`, toV2)).rejects.toThrow(
      'renameKeys("session:user:*"): keys of the old format still appear after 10 passes: something still writes them; stop the old application\'s writers, then run again (it resumes)',
    );
  } finally {
    writing = false;
    await writer;
  }
});

test("scan hides stairway's own keys and gathers sparse matches into batches of about COUNT", async () => {
  for (let i = 0; i < 3000; i++) await r.set(i % 3 === 0 ? `m:${i}` : `other:${i}`, "1");
  await r.hset("stairway:migrations", "007", "{}");
  const batches: number[] = [];
  const seen = await ctxFor().scan("*", async (keys) => {
    batches.push(keys.length);
    expect(keys.some((k) => k.startsWith("stairway:"))).toBe(false);
  });
  expect(seen).toBe(3000);
  const sparse: number[] = [];
  expect(await ctxFor().scan("m:*", async (keys) => void sparse.push(keys.length), { count: 500 })).toBe(1000);
  expect(sparse.length).toBeLessThanOrEqual(3);
});

test("a scan stopped halfway resumes from its checkpoint, and the checkpoint goes when it finishes", async () => {
  await seedSessions(r, 20_000);
  const stop = new AbortController();
  const first = new Set<string>();
  let batches = 0;
  const run1 = ctxFor("up", stop.signal).scan(`${V1}*`, async (keys) => {
    for (const k of keys) first.add(k);
    if (++batches === 5) stop.abort(new Error("killed"));
  });
  await expect(run1).rejects.toThrow("killed");
  const saved = await r.hget(checkpointKey("007", "up"), `scan ${V1}*`);
  expect(JSON.parse(saved!)).toEqual({ [`127.0.0.1:${r.options.port}`]: expect.stringMatching(/^[1-9]\d*$/) });

  const second = new Set<string>();
  const n = await ctxFor("up").scan(`${V1}*`, async (keys) => void keys.forEach((k) => second.add(k)));
  expect(n).toBeLessThan(20_000 - 4000);
  expect(new Set([...first, ...second]).size).toBe(20_000);
  expect(await r.exists(checkpointKey("007", "up"))).toBe(0);
  expect(lines.some((l) => l.includes("resuming from the checkpoint"))).toBe(true);
});
