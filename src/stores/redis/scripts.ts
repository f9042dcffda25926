// The Lua scripts stairway runs, and one way to run them: EVALSHA, falling
// back to EVAL when the server's script cache does not hold it (restart,
// failover, SCRIPT FLUSH). Every key a script touches is declared in KEYS, as
// Redis Cluster requires. https://redis.io/docs/latest/develop/interact/programmability/eval-intro/

import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";

export type Client = Redis | Cluster;

export interface Script {
  lua: string;
  sha: string;
}

export const script = (lua: string): Script => ({ lua, sha: createHash("sha1").update(lua).digest("hex") });

/**
 * KEYS = src1, dst1, src2, dst2, …; ARGV = ttl mode ("keep" | "persist" | "ms"), ms.
 * Per pair, atomically: RENAMENX, which keeps the TTL; a source already gone
 * is skipped (SCAN repeats keys, a re-run repeats batches: RENAMENX fails with
 * "no such key", caught by pcall); when the new name exists, it was written
 * by an upgraded application and is newer, so the stale source is dropped.
 * One command per key: EXISTS src, EXISTS dst, RENAMENX took 1.4× the server time.
 * Returns { moved, dropped }.
 */
export const RENAME_BATCH = script(`
local moved, dropped, mode = 0, 0, ARGV[1]
for i = 1, #KEYS, 2 do
  local src, dst = KEYS[i], KEYS[i + 1]
  local r = redis.pcall('RENAMENX', src, dst)
  if type(r) == 'table' and r.err and not string.find(r.err, 'no such key', 1, true) then
    return redis.error_reply(r.err)
  elseif r == 1 then
    if mode == 'persist' then redis.call('PERSIST', dst)
    elseif mode == 'ms' then redis.call('PEXPIRE', dst, ARGV[2]) end
    moved = moved + 1
  elseif r == 0 then
    redis.call('UNLINK', src)
    dropped = dropped + 1
  end
end
return { moved, dropped }
`);

/** KEYS = lock; ARGV = token, ttl ms. Extends the lock only while we hold it. */
export const LOCK_RENEW = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** KEYS = lock; ARGV = token. Releases the lock only when it is ours. */
export const LOCK_RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export async function evalScript(
  client: Client,
  s: Script,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (e) {
    if (!String((e as Error)?.message).startsWith("NOSCRIPT")) throw e;
    return await client.eval(s.lua, keys.length, ...keys, ...args);
  }
}

/** The masters to SCAN: every master of a cluster (a plain cluster SCAN sees one node), else the server itself. */
export function masters(client: Client): Redis[] {
  return isCluster(client) ? client.nodes("master") : [client];
}

export function isCluster(client: Client): client is Cluster {
  return client.isCluster;
}

/** host:port of a node: names its cursor in a checkpoint. */
export function nodeId(node: Redis): string {
  return `${node.options.host ?? "127.0.0.1"}:${node.options.port ?? 6379}`;
}
