// Redis test helpers, on the real server (127.0.0.1:6379 unless
// STAIRWAY_REDIS_URL says otherwise). A test only works in a logical database
// it claimed and found empty (10–14), and leaves it empty. Claims are keys
// `stairway-test:claim:<db>` in database 0 (SET NX, expiring), so two test
// runs on one machine never share a database.

import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createConnection } from "node:net";
import { REDIS_URL } from "../helpers.ts";

const server = new URL(REDIS_URL);
export const REDIS_HOST = server.hostname || "127.0.0.1";
export const REDIS_PORT = Number(server.port || 6379);
const CANDIDATES = [10, 11, 12, 13, 14];
const CLAIM_MS = 15 * 60_000;

export const redisUrl = (db: number) => `redis://${REDIS_HOST}:${REDIS_PORT}/${db}`;

export function client(db: number): Redis {
  return new Redis({ host: REDIS_HOST, port: REDIS_PORT, db, lazyConnect: false, maxRetriesPerRequest: 1 });
}

export interface ClaimedDb {
  db: number;
  url: string;
  redis: Redis;
  /** Empties the database (only keys this test wrote are there) and gives it back. */
  release(): Promise<void>;
}

/** An empty logical database for one test file; throws when none of 10–14 is free and empty. */
export async function claimEmptyDb(): Promise<ClaimedDb> {
  const registry = client(0);
  const token = `${process.pid}:${randomUUID()}`;
  try {
    for (const db of CANDIDATES) {
      const claim = `stairway-test:claim:${db}`;
      if ((await registry.set(claim, token, "PX", CLAIM_MS, "NX")) !== "OK") continue;
      const redis = client(db);
      if ((await redis.dbsize()) === 0)
        return {
          db,
          url: redisUrl(db),
          redis,
          async release() {
            await redis.flushdb();
            await redis.quit();
            const r = client(0);
            await r.eval(
              "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
              1,
              claim,
              token,
            );
            await r.quit();
          },
        };
      await redis.quit();
      await registry.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        claim,
        token,
      );
    }
  } finally {
    await registry.quit();
  }
  throw new Error(
    `no empty logical database among ${CANDIDATES.join(", ")} on ${REDIS_HOST}:${REDIS_PORT}: tests only use empty ones`,
  );
}

/** Every key matching `pattern` (SCAN). */
export async function keysOf(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== "0");
  return out;
}

/** Writes session:user:1..n: nine in ten with a TTL of about an hour, one in ten without. */
export async function seedSessions(redis: Redis, n: number, prefix = "session:user:"): Promise<void> {
  for (let start = 1; start <= n; start += 5000) {
    const p = redis.pipeline();
    for (let id = start; id < start + 5000 && id <= n; id++) {
      const value = JSON.stringify({ userId: id, token: `t${id}` });
      if (id % 10 === 0) p.set(`${prefix}${id}`, value);
      else p.set(`${prefix}${id}`, value, "PX", 3_600_000 + id);
    }
    await p.exec();
  }
}

/** PTTL of many keys, in one pipeline per 5000. */
export async function pttls(redis: Redis, keys: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 5000) {
    const chunk = keys.slice(i, i + 5000);
    const p = redis.pipeline();
    for (const k of chunk) p.pttl(k);
    const res = (await p.exec()) ?? [];
    chunk.forEach((k, j) => out.set(k, Number(res[j]?.[1])));
  }
  return out;
}

/** Nothing listens on 127.0.0.1:`port` (for the servers a test starts itself). */
export const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(false)));
    s.once("error", () => resolve(true));
  });
