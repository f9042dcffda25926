// The compiled binary runs embedded PostgreSQL (PGlite) on a machine without
// node_modules: PGlite's WebAssembly, its file system image and the empty
// database it starts from are embedded (scripts/pglite-assets.ts). Without
// them, PGlite would read node_modules by the path it was built at and work
// only on the machine that built it. Run from another directory, with the
// repository's node_modules hidden (helpers.ts runBinaryIn).

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildBinary, cleanup, runBinaryIn, tempDir, writeTree } from "../helpers.ts";

const work = tempDir("stairway-bin-");
const project = tempDir("stairway-bin-pglite-");
const bin = join(work, "stairway");

beforeAll(() => {
  buildBinary(bin);
  writeTree(project, {
    "sql/001_users/up.sql":
      "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n",
    "sql/001_users/down.sql": "DROP TABLE users;\n",
    "sql/002_email_index/up.sql": "CREATE INDEX idx_users_email ON users (email);\n",
    "sql/002_email_index/down.sql": "DROP INDEX idx_users_email;\n",
  });
}, 120_000);
afterAll(() => [work, project].forEach(cleanup));

const runBinary = (args: string[]) => runBinaryIn(bin, project, args);

test("the compiled binary runs the stairway on pglite: (in memory) without node_modules", () => {
  const r = runBinary(["test", "--db", "pglite:", "--json", "--report-dir", "reports"]);
  expect(r.stderr).toBe("");
  const report = JSON.parse(r.stdout);
  expect(report.targets).toEqual([{ name: "pglite", dialect: "postgres", url: "pglite:" }]);
  expect(report.results.filter((x: any) => x.status !== "pass")).toEqual([]);
  expect(report.results.filter((x: any) => x.check === "step.redo").map((x: any) => x.migration)).toEqual([
    "001_users",
    "002_email_index",
  ]);
  expect(r.code).toBe(0);
}, 60_000);

test("pglite:dir keeps its database from one run to the next", () => {
  const db = ["--db", "pglite:data", "--report-dir", "reports"];
  expect(runBinary(["up", "--to", "1", ...db]).code).toBe(0);
  expect(existsSync(join(project, "data/PG_VERSION"))).toBe(true);
  const states = () =>
    JSON.parse(runBinary(["status", "--json", ...db]).stdout).migrations.map((m: any) => `${m.version} ${m.state}`);
  expect(states()).toEqual(["001 applied", "002 pending"]);
  expect(runBinary(["up", ...db]).code).toBe(0);
  expect(states()).toEqual(["001 applied", "002 applied"]);
}, 60_000);
