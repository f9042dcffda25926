// The compiled binary lints on a machine without node_modules: the
// libpg-query WASM is embedded. The binary (dist/stairway, as `make build`
// leaves it) is copied to a temp dir and run from another one; where the test
// may (root, mount namespaces), the repository's node_modules is hidden from
// it for good measure, without renaming anything. It also reads none of Bun's
// own files (bunfig.toml, .env) from the directory it runs in.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, tempDir, writeTree } from "../helpers.ts";

const work = tempDir("stairway-bin-");
const project = tempDir("stairway-bin-project-");
const bin = join(work, "stairway");
afterAll(() => [work, project].forEach(cleanup));

beforeAll(() => {
  // make rebuilds dist/stairway when src/ or the build flags changed, else does nothing.
  const r = spawnSync("make", ["build"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`make build failed: ${r.stderr}`);
  copyFileSync(join(ROOT, "dist/stairway"), bin);
  spawnSync("chmod", ["+x", bin]);
  writeTree(project, {
    "migrations/014_tidy.up.sql":
      "-- stairway:allow ban-drop-table replaced by tools_v2 in 013\nCREATE INDEX idx_tools_url ON tools (url);\nDO $$ BEGIN UPDATE tools SET url = lower(url); END $$;\nDROP TABLE legacy_tools;\n",
  });
}, 120_000);

/** Runs the binary in the project dir, with the repository's node_modules hidden when this machine lets us. */
function runBinary(args: string[]): { code: number; stdout: string; stderr: string; hidden: boolean } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.DATABASE_URL;
  const empty = join(work, "empty");
  mkdirSync(empty, { recursive: true });
  const hiding = `mount --bind ${empty} ${join(ROOT, "node_modules")} && exec "$0" "$@"`;
  const probe = spawnSync("unshare", ["-m", "sh", "-c", `mount --bind ${empty} ${join(ROOT, "node_modules")}`], { encoding: "utf8" });
  const hidden = probe.status === 0;
  const r = hidden
    ? spawnSync("unshare", ["-m", "sh", "-c", hiding, bin, ...args], { cwd: project, env, encoding: "utf8" })
    : spawnSync(bin, args, { cwd: project, env, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, hidden };
}

test("the compiled binary parses PostgreSQL (WASM embedded) from another directory without node_modules", () => {
  const r = runBinary(["safety", "migrations/014_tidy.up.sql", "--format", "json", "--report-dir", "reports"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(1);
  const results = JSON.parse(r.stdout).results as { check: string; status: string; details: { line: number } }[];
  expect(results.filter((x) => !x.check.includes("timeout")).map((x) => `${x.details.line} ${x.check} ${x.status}`)).toEqual([
    "2 safety.require-concurrent-index-creation fail",
    "3 safety.do-block-data-change warn",
    "3 safety.ban-update-without-where warn",
    "4 safety.ban-drop-table skip",
  ]);
  if (!r.hidden) console.warn("binary test: could not hide node_modules (no mount namespace); ran from a temp dir only");
}, 60_000);

test("the binary reads no bunfig.toml and no .env where it runs (a checkout under review cannot preload code or pick targets)", () => {
  writeTree(project, {
    "bunfig.toml": 'preload = ["./preload.ts"]\n',
    "preload.ts": 'require("node:fs").writeFileSync("preloaded", "yes");\n',
    ".env": "DATABASE_URL=sqlite:from-dotenv.db\n",
  });
  try {
    const r = runBinary(["status", "--json", "--report-dir", "reports"]);
    expect(existsSync(join(project, "preloaded"))).toBe(false);
    expect(r.stdout + r.stderr).not.toContain("from-dotenv");
    expect(existsSync(join(project, "from-dotenv.db"))).toBe(false);
  } finally {
    for (const f of ["bunfig.toml", "preload.ts", ".env", "preloaded", "from-dotenv.db"]) cleanup(join(project, f));
  }
}, 60_000);
