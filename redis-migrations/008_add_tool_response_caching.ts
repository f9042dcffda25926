import type { RedisMigration } from "stairwaydb";

// A cache of tool responses: entries cache:tool-response:<tool_id>:<args sha256>
// written by the gateway with their own TTL (config.ttl_ms), a version marker
// the gateway checks before using the cache, and its config. Additive: up
// writes the marker and the config; down removes the whole namespace (marker,
// config and every entry the gateway wrote) and nothing else.

const NS = "cache:tool-response:";
const TTL_MS = 300_000;

export default {
  description: "new namespace cache:tool-response:* (entries live 5 min) with a version marker",
  async up(ctx) {
    await ctx.redis.hset(`${NS}config`, { ttl_ms: String(TTL_MS), max_entry_bytes: "65536", key_format: `${NS}<tool_id>:<sha256 of arguments>` });
    await ctx.redis.set(`${NS}version`, "1");
  },
  async down(ctx) {
    // The marker goes first, so the gateway stops using the cache before its entries go.
    await ctx.redis.unlink(`${NS}version`);
    const removed = await ctx.scan(`${NS}*`, async (keys) => {
      // One UNLINK per key, sent together: keys of a cluster sit in different slots.
      await Promise.all(keys.map((k) => ctx.redis.unlink(k)));
    });
    ctx.log(`${removed} keys of ${NS}* removed`);
  },
  async seed(ctx, count) {
    // What the gateway already caches before this version: tool definitions
    // (cache:tool:<id>, 15-45 min). They share a prefix with the new
    // namespace and must survive both up and down.
    const writes: Promise<unknown>[] = [];
    for (let id = 1; id <= count; id++) {
      const key = `cache:tool:${id}`;
      writes.push(ctx.redis.hset(key, { name: `tool_${id}`, server_id: String((id % 50) + 1), schema: `{"type":"object","title":"tool ${id}"}` }));
      writes.push(ctx.redis.pexpire(key, 900_000 + (id % 60) * 30_000));
      if (writes.length >= 2000) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
  },
} satisfies RedisMigration;
