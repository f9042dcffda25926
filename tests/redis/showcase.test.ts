// The showcase's Redis migrations (007 session key format, 008 tool response
// cache) through the CLI and the driver, on a logical database of their own:
// the request's cache_migration_with_active_sessions and
// key_format_backward_compatibility scenarios, rollback, the empty-database
// rule of test commands, and Redis versions in the global sequence.

import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openRedis } from "../../src/stores/redis/driver.ts";
import { parseTargetUrl } from "../../src/stores/index.ts";
import type { Migration } from "../../src/plan/migration.ts";
import { loadPlan } from "../../src/plan/discover.ts";
import { applyStep } from "../../src/runner.ts";
import { cleanup, ROOT, runCli, tempDir } from "../helpers.ts";
import { claimEmptyDb, keysOf, pttls, type ClaimedDb } from "./helpers.ts";

let db: ClaimedDb;
const reports = tempDir();
beforeAll(async () => {
  db = await claimEmptyDb();
});
afterAll(async () => {
  cleanup(reports);
  await db.release();
});
beforeEach(async () => {
  await db.redis.flushdb();
});

const common = () => ["--db", db.url, "--redis", "redis-migrations", "--report-dir", reports];
const plan = loadPlan({ redisDir: join(ROOT, "redis-migrations") });
const m007 = plan.migrations.find((m) => m.version === "007") as Migration;
const m008 = plan.migrations.find((m) => m.version === "008") as Migration;

test("cache_migration_with_active_sessions: stairway test passes every check on 007 and 008, and leaves the database empty", async () => {
  const r = await runCli(["test", ...common(), "--json"], { cwd: ROOT });
  const report = r.json();
  expect(
    report.results.filter((x: any) => x.status !== "pass").map((x: any) => `${x.migration} ${x.check}: ${x.message}`),
  ).toEqual([]);
  expect(r.code).toBe(0);
  const checks = (id: string) => report.results.filter((x: any) => x.migration === id).map((x: any) => x.check);
  const all = [
    "step.up",
    "redis.ttl-preserved",
    "step.down",
    "redis.down-restores",
    "step.redo",
    "redis.concurrent-writes",
  ];
  expect(checks("007_update_session_key_format")).toEqual(all);
  expect(checks("008_add_tool_response_caching")).toEqual(all);
  expect(report.results.at(-1)).toMatchObject({ check: "step.down-to-base", status: "pass", target: "redis" });
  // 1,000 sessions (test.rows 20 × 50), 900 with a TTL, all kept; sessions written during up all survived.
  const of = (id: string, check: string) =>
    report.results.find((x: any) => x.migration === id && x.check === check).message;
  expect(of("007_update_session_key_format", "redis.ttl-preserved")).toBe(
    "900 keys kept their TTL (900 renamed, 0 in place)",
  );
  expect(of("007_update_session_key_format", "redis.concurrent-writes")).toMatch(/none lost$/);
  expect(await db.redis.dbsize()).toBe(0);

  const text = await runCli(["test", ...common()], { cwd: ROOT });
  expect(text.stdout).toContain("stairway test · redis");
  expect(text.stdout).toMatch(/migration\s+up\s+ttl\s+down\s+restores\s+redo\s+concurrent/);
}, 60_000);

test("key_format_backward_compatibility: an app reading v2 with a fallback to v1 finds every session during up and down", async () => {
  const driver = await openRedis(parseTargetUrl(db.url), { name: "redis" });
  const r = db.redis;
  try {
    const N = 20_000;
    await (await import(m007.module!.path)).default.seed(driver.context("007", "seed"), N);
    const before = await pttls(
      r,
      Array.from({ length: N }, (_, i) => `session:user:${i + 1}`),
    );
    let reading = true;
    let reads = 0;
    const misses: string[] = [];
    // The upgraded app reads both names in one command (MGET is atomic): two
    // GETs in a row can miss a session that moves between them.
    const reader = (async () => {
      while (reading) {
        const id = 1 + Math.floor(Math.random() * N);
        const [v2, v1] = await r.mget(`session:v2:user:${id}`, `session:user:${id}`);
        if ((v2 ?? v1) === null) misses.push(String(id));
        reads++;
      }
    })();
    const up = await applyStep(driver, m007, "up");
    const down = await applyStep(driver, m007, "down");
    reading = false;
    await reader;
    expect([up.status, down.status]).toEqual(["done", "done"]);
    expect(reads).toBeGreaterThan(100);
    expect(misses).toEqual([]);
    // After down the old app finds every session where it left it, with its TTL.
    const after = await pttls(r, [...before.keys()]);
    for (const [k, t] of before)
      expect(t === -1 ? after.get(k) === -1 : after.get(k)! > 0 && after.get(k)! <= t).toBe(true);
    expect(await keysOf(r, "session:v2:*")).toEqual([]);
  } finally {
    await driver.close();
  }
}, 60_000);

test("008's down removes exactly its namespace: the marker, the config and the gateway's entries, nothing else", async () => {
  const driver = await openRedis(parseTargetUrl(db.url), { name: "redis" });
  const r = db.redis;
  try {
    await (await import(m008.module!.path)).default.seed(driver.context("008", "seed"), 100);
    await r.set("session:v2:user:1", "a session", "PX", 60_000);
    expect((await applyStep(driver, m008, "up")).status).toBe("done");
    expect(await r.get("cache:tool-response:version")).toBe("1");
    expect(await r.hget("cache:tool-response:config", "ttl_ms")).toBe("300000");
    // The gateway caches responses with the configured TTL.
    for (let i = 0; i < 500; i++)
      await r.set(`cache:tool-response:${i % 100}:${i.toString(16).padStart(64, "0")}`, "{}", "PX", 300_000);
    expect((await applyStep(driver, m008, "down")).status).toBe("done");
    expect(await keysOf(r, "cache:tool-response:*")).toEqual([]);
    expect((await keysOf(r, "cache:tool:*")).length).toBe(100);
    expect(await r.get("session:v2:user:1")).toBe("a session");
  } finally {
    await driver.close();
  }
});

test("test commands refuse a logical database that holds keys, in one sentence, unless --flush", async () => {
  await db.redis.set("someone:else", "data");
  const refused = await runCli(["test", ...common()], { cwd: ROOT });
  expect(refused.code).toBe(2);
  expect(refused.stderr.trim()).toBe(
    `stairway: target redis: logical database ${db.db} at ${db.url} holds 1 key; stairway test only runs on an empty database — point it at an empty one or pass --flush to empty it first`,
  );
  expect(await db.redis.get("someone:else")).toBe("data");
  const rollback = await runCli(["rollback", ...common()], { cwd: ROOT });
  expect(rollback.stderr).toContain("stairway rollback only runs on an empty database");

  const flushed = await runCli(["test", ...common(), "--flush"], { cwd: ROOT });
  expect(flushed.code).toBe(0);
  expect(await db.redis.dbsize()).toBe(0);
}, 60_000);

test("--keep leaves what the test wrote for inspection", async () => {
  const r = await runCli(["test", ...common(), "--keep"], { cwd: ROOT });
  expect(r.code).toBe(0);
  expect(await db.redis.dbsize()).toBeGreaterThan(0);
}, 60_000);

test("rollback at head over seeded keys: every key, value and TTL back as before each up", async () => {
  const r = await runCli(["rollback", ...common(), "--json"], { cwd: ROOT });
  const report = r.json();
  expect(report.results.map((x: any) => `${x.check} ${x.migration} ${x.status}`)).toEqual([
    "step.down 008_add_tool_response_caching pass",
    "redis.down-restores 008_add_tool_response_caching pass",
    "step.down 007_update_session_key_format pass",
    "redis.down-restores 007_update_session_key_format pass",
  ]);
  expect(report.results.every((x: any) => x.check !== "step.down" || typeof x.durationMs === "number")).toBe(true);
  const last = await runCli(["rollback", "--last", "1", ...common(), "--json"], { cwd: ROOT });
  expect(last.json().results.map((x: any) => x.migration)).toEqual([
    "008_add_tool_response_caching",
    "008_add_tool_response_caching",
  ]);
  expect(await db.redis.dbsize()).toBe(0);
}, 60_000);

test("one global sequence: SQL targets skip Redis versions, Redis targets skip SQL ones", async () => {
  const dir = tempDir();
  try {
    const sqlite = `sqlite:${join(dir, "app.db")}`;
    const args = ["--db", sqlite, "--db", db.url, "--config", join(ROOT, "tests/migrations/config.yaml")];
    const versions = (r: { json: () => any }, t: string) =>
      r
        .json()
        .results.filter((x: any) => x.target === t)
        .map((x: any) => x.migration.slice(0, 3));
    // --to names a version of the whole sequence: 008 is Redis's, and stops SQLite before 009.
    const upTo = await runCli(["up", "--to", "008", ...args, "--json"], { cwd: ROOT });
    expect(upTo.code).toBe(0);
    expect(versions(upTo, "sqlite")).toEqual(["001", "002", "003", "004", "005", "006"]);
    expect(versions(upTo, "redis")).toEqual(["007", "008"]);
    const unknown = await runCli(["up", "--to", "404", ...args], { cwd: ROOT });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("404");
    const up = await runCli(["up", ...args, "--json"], { cwd: ROOT });
    expect(up.code).toBe(0);
    expect(versions(up, "sqlite")).toEqual(["009"]);
    expect(versions(up, "redis")).toEqual([]);
    const downTo = await runCli(["down", "--to", "007", ...args, "--json"], { cwd: ROOT });
    expect(downTo.code).toBe(0);
    expect(versions(downTo, "sqlite")).toEqual(["009"]);
    expect(versions(downTo, "redis")).toEqual(["008"]);
    const status = await runCli(["status", ...args, "--json"], { cwd: ROOT });
    expect(
      status
        .json()
        .migrations.filter((m: any) => m.target === "redis")
        .map((m: any) => `${m.version}:${m.state}`),
    ).toEqual(["007:applied", "008:pending"]);
    const down = await runCli(["down", "--to", "0", ...args], { cwd: ROOT });
    expect(down.code).toBe(0);
    expect(await db.redis.dbsize()).toBe(0);
  } finally {
    cleanup(dir);
  }
}, 60_000);

test("Ctrl-C during a Redis test stops the transform and empties the database", async () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, "no-sql")); // an empty SQL tree on purpose
    Bun.write(
      join(dir, "c.yaml"),
      `migrations: { sql: ${join(dir, "no-sql")}, redis: redis-migrations }\ntest: { rows: 600, seed: 1 }\n`,
    );
    const proc = Bun.spawn(
      [
        process.execPath,
        join(ROOT, "src/cli.ts"),
        "test",
        "--config",
        join(dir, "c.yaml"),
        "--db",
        db.url,
        "--report-dir",
        reports,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1" },
        stdout: "ignore",
        stderr: "pipe",
      },
    );
    // Interrupted as soon as the first up starts (30,000 sessions).
    while (!(await db.redis.exists("stairway:migrations"))) {
      if (proc.exitCode !== null)
        throw new Error(`the test ended (exit ${proc.exitCode}) before it could be interrupted`);
      await Bun.sleep(2);
    }
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(await new Response(proc.stderr).text()).toContain("SIGINT");
    expect(await db.redis.dbsize()).toBe(0);
  } finally {
    cleanup(dir);
  }
}, 60_000);
