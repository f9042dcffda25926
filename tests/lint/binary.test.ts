// The compiled binary lints on a machine without node_modules: the
// libpg-query WASM is embedded. The binary (built as `make build` builds it)
// is put in a temp dir and run from another one, with the repository's
// node_modules hidden (helpers.ts runBinaryIn: a failure where it cannot be). It also reads none of
// Bun's own files (bunfig.toml, .env) from the directory it runs in.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildBinary, cleanup, runBinaryIn, tempDir, writeTree } from "../helpers.ts";

const work = tempDir("stairway-bin-");
const project = tempDir("stairway-bin-project-");
const bin = join(work, "stairway");
afterAll(() => [work, project].forEach(cleanup));

beforeAll(() => {
  buildBinary(bin);
  writeTree(project, {
    "migrations/014_tidy.up.sql":
      "-- stairway:allow ban-drop-table replaced by tools_v2 in 013\nCREATE INDEX idx_tools_url ON tools (url);\nDO $$ BEGIN UPDATE tools SET url = lower(url); END $$;\nDROP TABLE legacy_tools;\n",
  });
}, 120_000);

const runBinary = (args: string[]) => runBinaryIn(bin, project, args);

test("the compiled binary parses PostgreSQL (WASM embedded) from another directory without node_modules", () => {
  const r = runBinary(["safety", "migrations/014_tidy.up.sql", "--format", "json", "--report-dir", "reports"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(1);
  const results = JSON.parse(r.stdout).results as { check: string; status: string; details: { line: number } }[];
  expect(
    results.filter((x) => !x.check.includes("timeout")).map((x) => `${x.details.line} ${x.check} ${x.status}`),
  ).toEqual([
    "2 safety.require-concurrent-index-creation fail",
    "3 safety.do-block-data-change warn",
    "3 safety.ban-update-without-where warn",
    "4 safety.ban-drop-table skip",
  ]);
}, 60_000);

test("the binary reads no bunfig.toml and no .env where it runs (a checkout under review cannot preload code or pick targets)", () => {
  writeTree(project, {
    "bunfig.toml": 'preload = ["./preload.ts"]\n',
    "preload.ts": 'require("node:fs").writeFileSync("preloaded", "yes");\n',
    ".env": "DATABASE_URL=sqlite:from-dotenv.db\n",
  });
  try {
    const r = runBinary(["status", "--json", "--report-dir", "reports"]);
    expect(r.code).toBe(2); // it ran, and found no target
    expect(r.stderr).toContain("no database to act on");
    expect(existsSync(join(project, "preloaded"))).toBe(false);
    expect(r.stdout + r.stderr).not.toContain("from-dotenv");
    expect(existsSync(join(project, "from-dotenv.db"))).toBe(false);
  } finally {
    for (const f of ["bunfig.toml", "preload.ts", ".env", "preloaded", "from-dotenv.db"]) cleanup(join(project, f));
  }
}, 60_000);
