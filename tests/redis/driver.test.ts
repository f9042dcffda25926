// The Redis driver on the real server: lock (SET NX PX, renewal, release by
// the holder only), bookkeeping hash, connection errors in one sentence, and
// the client-side helpers it relies on (hash slots, glob patterns).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { StairwayError } from "../../src/errors.ts";
import { LOCK_KEY, LOCK_TTL_MS, openRedis, type RedisDriver } from "../../src/stores/redis/driver.ts";
import { parseTargetUrl } from "../../src/stores/index.ts";
import { globToRegExp } from "../../src/stores/redis/glob.ts";
import { keySlot } from "../../src/stores/redis/slot.ts";
import { claimEmptyDb, type ClaimedDb } from "./helpers.ts";

let db: ClaimedDb;
const drivers: RedisDriver[] = [];
beforeAll(async () => {
  db = await claimEmptyDb();
});
afterAll(async () => {
  for (const d of drivers) await d.close();
  await db.release();
});

async function open(url = db.url): Promise<RedisDriver> {
  const d = await openRedis(parseTargetUrl(url), { name: "redis" });
  drivers.push(d);
  return d;
}

async function errorOf(p: Promise<unknown>): Promise<StairwayError> {
  try {
    await p;
  } catch (e) {
    return e as StairwayError;
  }
  throw new Error("expected an error");
}

describe("lock", () => {
  test("a second runner waits, then gets E_LOCKED naming the holder; the holder's unlock frees it", async () => {
    const a = await open();
    const b = await open();
    await a.lock(1000);
    expect(await db.redis.pttl(LOCK_KEY)).toBeGreaterThan(LOCK_TTL_MS - 1000);
    const t0 = Date.now();
    const e = await errorOf(b.lock(600));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(e.code).toBe("E_LOCKED");
    expect(e.message).toContain(`pid ${process.pid}`);
    expect(e.message).toMatch(/^target redis is locked by another stairway run .*expires within 5 s\)$/);
    await a.unlock();
    expect(await db.redis.exists(LOCK_KEY)).toBe(0);
    await b.lock(1000);
    await b.unlock();
  });

  test("the lock is renewed while held: still there after longer than its TTL", async () => {
    const a = await open();
    await a.lock(1000);
    await Bun.sleep(LOCK_TTL_MS + 1500);
    expect(await db.redis.exists(LOCK_KEY)).toBe(1);
    await a.unlock();
  }, 15_000);

  test("release only by the holder: a runner whose lock expired does not delete another's", async () => {
    const a = await open();
    await a.lock(1000);
    // Another runner took over (as after a's lock expired while it was stalled).
    await db.redis.set(LOCK_KEY, "otherhost:4242:x", "PX", 10_000);
    await a.unlock();
    expect(await db.redis.get(LOCK_KEY)).toBe("otherhost:4242:x");
    await db.redis.del(LOCK_KEY);
  });

  test("a lock left by a dead run expires, and a waiting runner gets it", async () => {
    await db.redis.set(LOCK_KEY, "deadhost:1:x", "PX", 800);
    const a = await open();
    const t0 = Date.now();
    await a.lock(5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    await a.unlock();
  });
});

test("bookkeeping: the hash stairway:migrations holds version → JSON row", async () => {
  const d = await open();
  expect(await db.redis.exists("stairway:migrations")).toBe(0);
  const row = {
    version: "007",
    name: "x",
    checksum: "abc",
    appliedAt: "2024-01-01T00:00:00.000Z",
    durationMs: 1.5,
    dirty: true,
  };
  await d.record(row);
  expect(JSON.parse((await db.redis.hget("stairway:migrations", "007"))!)).toEqual({
    name: "x",
    checksum: "abc",
    appliedAt: row.appliedAt,
    durationMs: 1.5,
    dirty: true,
  });
  expect(await d.applied()).toEqual([row]);
  await d.forget("007");
  expect(await d.applied()).toEqual([]);
  expect(await db.redis.exists("stairway:migrations")).toBe(0);
});

test("capabilities: no transactional DDL; resumable", async () => {
  const d = await open();
  expect(d.capabilities).toEqual({
    transactionalDdl: false,
    concurrentConnections: true,
    resumable: true,
    data: "keys",
    lockInsight: false,
  });
});

describe("connection errors are one sentence naming the target and the redacted URL", () => {
  test("refused", async () => {
    const e = await errorOf(open("redis://:hunter22@127.0.0.1:1/3"));
    expect(e.code).toBe("E_UNREACHABLE");
    expect(e.message).toBe(
      "cannot connect to target redis (redis://:***@127.0.0.1:1/3): connection refused: is Redis running there? (--wait waits for a server that is starting)",
    );
  });
  test("a logical database the server does not have", async () => {
    const e = await errorOf(open("redis://127.0.0.1:6379/4096"));
    expect(e.message).toContain("logical database 4096 does not exist there");
  });
  test("a cluster URL for a server that is not a cluster", async () => {
    const e = await errorOf(open("redis+cluster://127.0.0.1:6379"));
    expect(e.message).toContain("it is not a Redis Cluster: use redis://host:port/db");
  });
  test("a database that is not a number", async () => {
    const e = await errorOf(open("redis://127.0.0.1:6379/sessions"));
    expect(e.code).toBe("E_URL");
    expect(e.message).toContain('names logical database "sessions": expected a number');
  });
});

test("hash slots match Redis Cluster's (CLUSTER KEYSLOT), hash tags included", () => {
  // Values from CLUSTER KEYSLOT on a Redis 7 cluster.
  expect(keySlot("session:user:1")).toBe(5389);
  expect(keySlot("session:v2:user:1")).toBe(2944);
  expect(keySlot("a")).toBe(15495);
  expect(keySlot("123456789")).toBe(12739); // the CRC16 check value 0x31C3 mod 16384
  expect(keySlot("session:{user:1}")).toBe(keySlot("session:v2:{user:1}"));
  expect(keySlot("x{}y")).not.toBe(keySlot("")); // an empty tag hashes the whole key
});

test("glob patterns as Redis reads them", () => {
  const m = (p: string, k: string) => globToRegExp(p).test(k);
  expect(m("session:user:*", "session:user:42")).toBe(true);
  expect(m("session:user:*", "session:v2:user:42")).toBe(false);
  expect(m("session:*", "session:v2:user:42")).toBe(true);
  expect(m("h?llo", "hallo")).toBe(true);
  expect(m("h[ae]llo", "hillo")).toBe(false);
  expect(m("h[^e]llo", "hallo")).toBe(true);
  expect(m("a\\*b", "a*b")).toBe(true);
  expect(m("a\\*b", "axb")).toBe(false);
  expect(m("a.b", "axb")).toBe(false);
});
