// Planted defects in Redis transforms, through the CLI as a user runs it: each
// must fail exactly the check that exists to catch it, and the correct
// transform must pass every check over the same data.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";
import { claimEmptyDb, type ClaimedDb } from "./helpers.ts";

let db: ClaimedDb;
const dirs: string[] = [];
beforeAll(async () => {
  db = await claimEmptyDb();
});
afterAll(async () => {
  for (const d of dirs) cleanup(d);
  await db.release();
});

const SHOWCASE_007 = readFileSync(join(ROOT, "redis-migrations/007_update_session_key_format.ts"), "utf8");
// The showcase's seed, reused so every planted transform runs over the same sessions.
const SEED = SHOWCASE_007.slice(
  SHOWCASE_007.indexOf("  async seed(ctx, count)"),
  SHOWCASE_007.lastIndexOf("} satisfies"),
);

function transform(up: string, down: string): string {
  return `import type { RedisMigration } from "stairwaydb";
const V1 = "session:user:";
const V2 = "session:v2:user:";
export default {
  async up(ctx) {
${up}
  },
  async down(ctx) {
${down}
  },
${SEED}} satisfies RedisMigration;
`;
}

const CORRECT_DOWN = `    await ctx.renameKeys(V2 + "*", (k) => V1 + k.slice(V2.length));`;

/** Runs `stairway test` on the claimed database over a tree holding one transform; `rows` × 50 keys are seeded. */
async function stairwayTest(source: string, rows: number) {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, {
    "redis-migrations/007_sessions.ts": source,
    "stairway.yaml": `migrations: { sql: sql, redis: redis-migrations }\ntest: { rows: ${rows}, seed: 1 }\n`,
  });
  const r = await runCli(["test", "--config", "stairway.yaml", "--db", db.url, "--json"], { cwd: dir });
  expect(await db.redis.dbsize()).toBe(0); // the test empties what it wrote
  const results = r.json().results as { check: string; status: string; message: string }[];
  return { code: r.code, status: (check: string) => results.find((x) => x.check === check)!, results };
}

test("a rename with GET/SET/DEL loses TTLs: redis.ttl-preserved fails and names the keys", async () => {
  const getSetDel = (from: string, to: string) => `    await ctx.scan(${from} + "*", async (keys) => {
      for (const k of keys) {
        const v = await ctx.redis.get(k);
        if (v === null) continue;
        await ctx.redis.set(${to} + k.slice(${from}.length), v);
        await ctx.redis.del(k);
      }
    });`;
  const r = await stairwayTest(transform(getSetDel("V1", "V2"), getSetDel("V2", "V1")), 20);
  expect(r.code).toBe(1);
  const ttl = r.status("redis.ttl-preserved");
  expect(ttl.status).toBe("fail");
  expect(ttl.message).toStartWith(
    "900 keys lost their TTL in up: session:user:1 → session:v2:user:1, session:user:2 → session:v2:user:2, session:user:3 → session:v2:user:3, …",
  );
  // The values moved, so up itself "worked" (and SET over the new names also loses the writer's values).
  expect(r.status("step.up").status).toBe("pass");
  // Its down loses them too: the keyspace is not the one before up.
  expect(r.status("redis.down-restores").message).toContain("900 keys lost their TTL");
}, 60_000);

test("RENAME while the upgraded app writes new-format keys: redis.concurrent-writes fails", async () => {
  const rename = `    await ctx.scan(V1 + "*", async (keys) => {
      const p = ctx.redis.pipeline();
      for (const k of keys) p.rename(k, V2 + k.slice(V1.length));
      await p.exec();
    });`;
  const r = await stairwayTest(transform(rename, CORRECT_DOWN), 600); // 30,000 sessions
  expect(r.code).toBe(1);
  const cw = r.status("redis.concurrent-writes");
  expect(cw.status).toBe("fail");
  expect(cw.message).toMatch(
    /^[\d,]+ keys? of the [\d,]+ the writer wrote during up lost (its|their) last value: session:v2:user:\d+/,
  );
  expect(cw.message).toContain("rename with RENAMENX, as ctx.renameKeys does");
  // Without a writer the same transform keeps every TTL and value: only the concurrent check sees the defect.
  for (const check of ["step.up", "redis.ttl-preserved", "step.down", "redis.down-restores"])
    expect(r.status(check).status).toBe("pass");
}, 120_000);

test("the correct transform (the showcase's 007) passes every check over the same 30,000 sessions", async () => {
  const r = await stairwayTest(SHOWCASE_007, 600);
  expect(r.results.filter((x) => x.status !== "pass").map((x) => `${x.check}: ${x.message}`)).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.status("redis.ttl-preserved").message).toBe("27,000 keys kept their TTL (27,000 renamed, 0 in place)");
  expect(r.status("redis.concurrent-writes").message).toMatch(
    /^the writer wrote [\d,]+ values to [\d,]+ keys during up \([\d,]+ of them to probe keys\), none lost$/,
  );
}, 120_000);

test("a transform that does not load fails before touching anything, naming its file", async () => {
  const r = await stairwayTest(`export default { async up() {} };\n`, 1);
  expect(r.code).toBe(1);
  expect(r.status("step.up").message).toBe(
    "redis-migrations/007_sessions.ts exports no down() function: a Redis transform is `export default { async up(ctx) {…}, async down(ctx) {…} } satisfies RedisMigration`",
  );
}, 30_000);
