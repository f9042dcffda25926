// perf, data-test and backup-test on a Redis target (the showcase transforms),
// on a logical database of the test's own, left empty.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runCli, tempDir, cleanup } from "../helpers.ts";
import { claimEmptyDb, type ClaimedDb } from "./helpers.ts";

let db: ClaimedDb;
const reports = tempDir();
const noSql = join(reports, "no-sql"); // an empty SQL tree on purpose
mkdirSync(noSql);
beforeAll(async () => {
  db = await claimEmptyDb();
});
afterAll(async () => {
  await db.release();
  cleanup(reports);
});

const run = (command: string, ...extra: string[]) =>
  runCli(
    [
      command,
      "--db",
      db.url,
      "--redis",
      join(ROOT, "redis-migrations"),
      "--sql",
      noSql,
      "--report-dir",
      reports,
      "--json",
      ...extra,
    ],
    { cwd: ROOT },
  );

test("perf times each transform over the seeded keys", async () => {
  const r = await run("perf", "--scenario", "large_dataset", "--rows", "3000");
  expect(r.code).toBe(0);
  const t = r.json().results.filter((x: any) => x.check === "perf.threshold");
  expect(t.map((x: any) => x.migration)).toEqual(["007_update_session_key_format", "008_add_tool_response_caching"]);
  expect(t[0].details.upMs).toBeGreaterThan(0);
  expect(t[0].message).toMatch(/^large_dataset: up [\d.]+ ms, down [\d.]+ ms over 3,00\d keys/);
  expect(await db.redis.dbsize()).toBe(0);
});

test("data-test: no key lost, no TTL dropped on the way to head", async () => {
  const r = await run("data-test", "--rows", "5000");
  expect(r.code).toBe(0);
  expect(r.json().results[0].message).toBe("5,000 keys kept through up, no TTL lost");
  expect(await db.redis.dbsize()).toBe(0);
});

test("backup-test: DUMP/RESTORE with PTTL brings back every key before each migration", async () => {
  const r = await run("backup-test");
  expect(r.code).toBe(0);
  const results = r.json().results;
  expect(results.map((x: any) => `${x.check} ${x.status}`)).toEqual([
    "backup.restore-identical pass",
    "backup.restore-identical pass",
  ]);
  expect(results[0].message).toMatch(/^DUMP\/RESTORE with PTTL: 1,00\d keys restored exactly/);
  expect(await db.redis.dbsize()).toBe(0);
});
