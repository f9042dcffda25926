// The compiled binary loads Redis transforms at run time from the user's
// tree, from another directory, without node_modules: transforms import only
// types, which vanish when Bun transpiles them on import.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildBinary, cleanup, runBinaryIn, ROOT, tempDir } from "../helpers.ts";
import { claimEmptyDb, type ClaimedDb } from "./helpers.ts";

const work = tempDir("stairway-bin-");
const project = tempDir("stairway-bin-redis-");
const bin = join(work, "stairway");
let db: ClaimedDb;

beforeAll(async () => {
  db = await claimEmptyDb();
  buildBinary(bin);
  mkdirSync(join(project, "redis-migrations"));
  for (const f of ["007_update_session_key_format.ts", "008_add_tool_response_caching.ts"])
    copyFileSync(join(ROOT, "redis-migrations", f), join(project, "redis-migrations", f));
}, 120_000);
afterAll(async () => {
  [work, project].forEach(cleanup);
  await db.release();
});

const runBinary = (args: string[]) => runBinaryIn(bin, project, args);

test("the compiled binary runs the Redis stairway and the runner on transforms of another tree", async () => {
  const common = ["--db", db.url, "--report-dir", "reports"];
  const t = runBinary(["test", ...common, "--json"]);
  expect(t.stderr).toBe("");
  const report = JSON.parse(t.stdout);
  expect(report.results.filter((x: any) => x.status !== "pass")).toEqual([]);
  expect(report.results.length).toBe(13);
  expect(t.code).toBe(0);
  expect(await db.redis.dbsize()).toBe(0);

  expect(runBinary(["up", ...common]).code).toBe(0);
  expect(await db.redis.get("cache:tool-response:version")).toBe("1");
  expect(runBinary(["down", "--to", "0", ...common]).code).toBe(0);
  expect(await db.redis.dbsize()).toBe(0);
}, 60_000);
