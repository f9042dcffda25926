// The compiled binary loads Redis transforms at run time from the user's
// tree, from another directory, without node_modules: transforms import only
// types, which vanish when Bun transpiles them on import.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, tempDir } from "../helpers.ts";
import { claimEmptyDb, type ClaimedDb } from "./helpers.ts";

const work = tempDir("stairway-bin-");
const project = tempDir("stairway-bin-redis-");
const bin = join(work, "stairway");
let db: ClaimedDb;

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

beforeAll(async () => {
  db = await claimEmptyDb();
  const dist = join(ROOT, "dist/stairway");
  if (existsSync(dist) && statSync(dist).mtimeMs > newest(join(ROOT, "src"))) copyFileSync(dist, bin);
  else {
    const r = spawnSync(process.execPath, ["build", "--compile", "--minify", "--bytecode", join(ROOT, "src/cli.ts"), "--outfile", bin], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`bun build failed: ${r.stderr}`);
  }
  spawnSync("chmod", ["+x", bin]);
  mkdirSync(join(project, "redis-migrations"));
  for (const f of ["007_update_session_key_format.ts", "008_add_tool_response_caching.ts"])
    copyFileSync(join(ROOT, "redis-migrations", f), join(project, "redis-migrations", f));
}, 120_000);
afterAll(async () => {
  [work, project].forEach(cleanup);
  await db.release();
});

/** Runs the binary in the project dir, with the repository's node_modules hidden when this machine lets us. */
function runBinary(args: string[]): { code: number; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.DATABASE_URL;
  const empty = join(work, "empty");
  mkdirSync(empty, { recursive: true });
  const probe = spawnSync("unshare", ["-m", "sh", "-c", `mount --bind ${empty} ${join(ROOT, "node_modules")}`], { encoding: "utf8" });
  const hiding = `mount --bind ${empty} ${join(ROOT, "node_modules")} && exec "$0" "$@"`;
  const r =
    probe.status === 0
      ? spawnSync("unshare", ["-m", "sh", "-c", hiding, bin, ...args], { cwd: project, env, encoding: "utf8" })
      : spawnSync(bin, args, { cwd: project, env, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("the compiled binary runs the Redis stairway and the runner on transforms of another tree", async () => {
  const common = ["--db", db.url, "--sql", "none", "--report-dir", "reports"];
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
