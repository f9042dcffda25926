import type { RedisMigration } from "stairwaydb";

// Sessions move from session:user:<id> to session:v2:user:<id>. Deploy order
// (expand → migrate → contract): first the app that writes v2 and reads v2
// with a fallback to v1 (both names in one MGET: two GETs can miss a session
// moving between them); then this migration; then drop the fallback.
// renameKeys keeps each TTL, never overwrites a v2 session the new app wrote
// meanwhile (the stale v1 copy is dropped), and makes passes until no v1 key is left.

const V1 = "session:user:";
const V2 = "session:v2:user:";

export default {
  description: "session:user:<id> -> session:v2:user:<id> (TTL kept)",
  async up(ctx) {
    const r = await ctx.renameKeys(`${V1}*`, (key) => V2 + key.slice(V1.length));
    ctx.log(`${r.moved} sessions moved to ${V2}<id>, ${r.dropped} stale copies dropped`);
  },
  async down(ctx) {
    const r = await ctx.renameKeys(`${V2}*`, (key) => V1 + key.slice(V2.length));
    ctx.log(`${r.moved} sessions moved back to ${V1}<id>, ${r.dropped} stale copies dropped`);
  },
  async seed(ctx, count) {
    // Live sessions: most expire within 1-2 hours; one in ten is a "remember
    // me" session without a TTL, which must stay without one.
    // Commands sent together without awaiting each: pipelined on one
    // connection, and routed per node on a cluster.
    for (let start = 0; start < count; start += 1000) {
      const writes: Promise<unknown>[] = [];
      for (let id = start + 1; id <= Math.min(count, start + 1000); id++) {
        const value = JSON.stringify({ userId: id, token: `tok-${id.toString(36)}`, createdAt: 1_700_000_000_000 + id });
        writes.push(id % 10 === 0 ? ctx.redis.set(`${V1}${id}`, value) : ctx.redis.set(`${V1}${id}`, value, "PX", 3_600_000 + id * 1000));
      }
      await Promise.all(writes);
    }
  },
} satisfies RedisMigration;
