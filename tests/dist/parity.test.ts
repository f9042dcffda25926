// The npm package's Node.js build (bin/stairway.mjs → dist/node) and the
// compiled binary (dist/stairway) give the same JSON for the same commands,
// on real SQLite, PostgreSQL, PGlite, MariaDB and Redis.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { cleanup, ROOT, runBinaryIn, tempDir } from "../helpers.ts";
import { claimEmptyDb, type ClaimedDb } from "../redis/helpers.ts";

let redis: ClaimedDb;
const reports = tempDir();
// Both builds are brought up to date with the sources (make rebuilds only what is
// older than them): run on its own, the test must not compare yesterday's builds.
beforeAll(async () => {
  const make = Bun.spawnSync(["make", "build", "build-node"], { cwd: ROOT });
  if (make.exitCode !== 0) throw new Error(`make build build-node failed: ${make.stderr.toString()}`);
  redis = await claimEmptyDb();
}, 300_000);
afterAll(async () => {
  await redis.release();
  cleanup(reports);
});

function run(kind: "binary" | "node", args: string[]) {
  const cmd = kind === "binary" ? [join(ROOT, "dist/stairway")] : ["node", join(ROOT, "bin/stairway.mjs")];
  const r = Bun.spawnSync([...cmd, ...args, "--report-dir", join(reports, kind)], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** What legitimately differs between two runs: times, dates, the run's scratch names. */
function normalise(json: string): unknown {
  return JSON.parse(json, (key, value) => {
    if (key === "durationMs" || key === "appliedAt" || /Ms$/.test(key)) return undefined;
    if (typeof value === "string")
      return value
        .replace(/\d+(\.\d+)? ?(ms|s)\b/g, "<t>")
        .replace(/stairway_[0-9a-z]{11}_/g, "stairway_<run>_")
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<date>");
    return value;
  });
}

const cases: [string, string[]][] = [
  ["test on SQLite, PostgreSQL and Redis", ["test", "--target", "sqlite", "--target", "postgres", "--json"]],
  ["validate", ["validate", "--target", "sqlite", "--target", "postgres", "--json"]],
  ["safety", ["safety", "--json"]],
  ["test on MariaDB (mysql2 in both builds)", ["test", "--target", "mariadb", "--json"]],
  ["cross-db", ["cross-db", "--target", "sqlite", "--target", "postgres", "--target", "mariadb", "--json"]],
  [
    "test on PGlite (embedded PostgreSQL: WASM and the empty database carried by each build)",
    ["test", "--target", "pglite", "--json"],
  ],
  [
    "cross-db on SQLite and PGlite",
    ["cross-db", "--target", "sqlite", "--target", "pglite", "--reference", "pglite", "--json"],
  ],
  ["status of a database that does not exist", ["status", "--db", "sqlite:/nonexistent/dir/x.db", "--json"]],
  ["an error: unreachable PostgreSQL", ["up", "--db", "postgres://u:secret@127.0.0.1:1/x", "--json"]],
  ["an error: unreachable MariaDB", ["up", "--db", "mysql://u:secret@127.0.0.1:1/x", "--json"]],
  ["an error: unknown command", ["frobnicate"]],
];

for (const [name, args] of cases)
  test(`same result under the binary and Node: ${name}`, () => {
    const b = run("binary", args);
    const n = run("node", args);
    expect(n.code).toBe(b.code);
    expect(n.err).toBe(b.err);
    if (args.includes("--json")) expect(normalise(n.out)).toEqual(normalise(b.out));
    else expect(n.out).toBe(b.out);
  }, 120_000);

test("same result under the binary and Node: the Redis stairway (transforms loaded from TypeScript)", () => {
  const args = ["test", "--db", redis.url, "--json"];
  const b = run("binary", args);
  const n = run("node", args);
  expect(b.code).toBe(0);
  expect(n.code).toBe(0);
  // The concurrent writer writes as many keys as up gives it time for: compare the verdicts.
  const verdicts = (out: string) =>
    JSON.parse(out).results.map(
      (r: { check: string; migration?: string; status: string }) => `${r.migration} ${r.check} ${r.status}`,
    );
  expect(verdicts(n.out)).toEqual(verdicts(b.out));
  expect(verdicts(b.out).length).toBeGreaterThan(10);
}, 120_000);

test("the binary runs MariaDB with no node_modules in sight: mysql2 is inside it", () => {
  const r = runBinaryIn(join(ROOT, "dist/stairway"), ROOT, [
    "test",
    "--target",
    "mariadb",
    "--json",
    "--report-dir",
    join(reports, "hidden"),
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).results.length).toBeGreaterThan(30);
}, 120_000);

test("the npm package ships the Node.js build and the types", async () => {
  const pkg = await Bun.file(join(ROOT, "package.json")).json();
  expect(pkg.bin.stairway).toBe("bin/stairway.mjs");
  expect(pkg.files).toEqual(expect.arrayContaining(["bin/stairway.mjs", "dist/node/", "src/types.ts"]));
  expect(pkg.exports["."].types).toBe("./src/types.ts");
  expect(pkg.engines.node).toBe("^20.19.0 || >=22");
});
