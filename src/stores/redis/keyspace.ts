// Snapshots of a logical database (src/keyspace/model.ts): every key but
// stairway's own, its type, PTTL and a digest of its value read per type.
// Read with SCAN per master and one pipeline per batch, never KEYS.

import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { DEFAULT_COUNT, OWN_PREFIX } from "./context.ts";
import { masters, type Client } from "./scripts.ts";
import type { KeyState, Keyspace } from "../../keyspace/model.ts";

export async function snapshotKeyspace(client: Client): Promise<Keyspace> {
  const keys = new Map<string, KeyState>();
  for (const node of masters(client)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "COUNT", DEFAULT_COUNT);
      cursor = next;
      const mine = [...new Set(batch)].filter((k) => !k.startsWith(OWN_PREFIX));
      if (mine.length) await readBatch(node, mine, keys);
    } while (cursor !== "0");
  }
  return { keys, at: Date.now() };
}

async function readBatch(node: Redis, batch: string[], into: Map<string, KeyState>): Promise<void> {
  // One round trip for the common case: TYPE, PTTL and GET together (GET
  // fails harmlessly on other types, which a second pipeline reads).
  const first = node.pipeline();
  for (const k of batch) first.type(k).pttl(k).getBuffer(k);
  const m = (await first.exec()) ?? [];
  const at = Date.now();
  const others: [string, string, number][] = [];
  const values = node.pipeline();
  batch.forEach((k, i) => {
    const type = String(m[3 * i]?.[1] ?? "none");
    const pttl = Number(m[3 * i + 1]?.[1] ?? -2);
    if (type === "none" || pttl === -2) return; // expired or deleted meanwhile
    if (type === "string") {
      const v = m[3 * i + 2];
      if (!v?.[0]) into.set(k, { type, pttl, digest: digest(type, v?.[1]), at });
      return;
    }
    others.push([k, type, pttl]);
    if (type === "hash") values.hgetall(k);
    else if (type === "list") values.lrange(k, 0, -1);
    else if (type === "set") values.smembers(k);
    else if (type === "zset") values.zrange(k, "0", "-1", "WITHSCORES");
    else if (type === "stream") values.xrange(k, "-", "+");
    else values.dumpBuffer(k); // module types: their serialized form
  });
  if (!others.length) return;
  const v = (await values.exec()) ?? [];
  others.forEach(([k, type, pttl], i) => into.set(k, { type, pttl, digest: digest(type, v[i]?.[1]), at }));
}

function digest(type: string, value: unknown): string {
  let canonical: unknown = value;
  if (Buffer.isBuffer(value)) canonical = value.toString("base64");
  else if (type === "hash")
    canonical = Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  else if (type === "set") canonical = [...(value as string[])].sort();
  return createHash("sha1").update(type).update("\0").update(JSON.stringify(canonical)).digest("hex");
}

/** Every key matching `pattern` on every master (SCAN, never KEYS). */
export async function scanKeys(client: Client, pattern: string): Promise<string[]> {
  const out = new Set<string>();
  for (const node of masters(client)) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", DEFAULT_COUNT);
      cursor = next;
      for (const k of keys) out.add(k);
    } while (cursor !== "0");
  }
  return [...out];
}
