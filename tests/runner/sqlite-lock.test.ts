// Two `stairway up` processes on one SQLite file: the run lock (a lock file
// beside the database, held through an OS lock) covers no-transaction
// migrations too, so each version is applied once and none is marked dirty by
// the run that lost the race. The lock dies with its process (SIGKILL).

import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

// Every migration leaves a row in `runs` each time it runs: applied twice shows as two rows.
const TREE = {
  "sql/001_runs/up.sql": "CREATE TABLE runs (version TEXT NOT NULL);\nINSERT INTO runs VALUES ('001');\n",
  "sql/001_runs/down.sql": "DROP TABLE runs;\n",
  "sql/002_a/up.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);\nINSERT INTO runs VALUES ('002');\n",
  "sql/002_a/down.sql": "DROP TABLE a;\n",
  // Outside a transaction, a CREATE TABLE that fails when run twice (the loser used to mark it dirty).
  "sql/003_b/up.sql":
    "-- stairway:no-transaction\nINSERT INTO runs VALUES ('003');\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n",
  "sql/003_b/down.sql": "-- stairway:no-transaction\nDROP TABLE b;\n",
  "sql/004_c/up.sql": "CREATE TABLE c (id INTEGER PRIMARY KEY);\nINSERT INTO runs VALUES ('004');\n",
  "sql/004_c/down.sql": "DROP TABLE c;\n",
  "sql/005_d/up.sql":
    "-- stairway:no-transaction\nINSERT INTO runs VALUES ('005');\nCREATE TABLE d (id INTEGER PRIMARY KEY);\n",
  "sql/005_d/down.sql": "-- stairway:no-transaction\nDROP TABLE d;\n",
};

async function runsPerVersion(db: string): Promise<Record<string, number>> {
  const { Database } = await import("bun:sqlite");
  const d = new Database(db, { readonly: true });
  try {
    return Object.fromEntries(
      (
        d.query("SELECT version, count(*) AS n FROM runs GROUP BY version ORDER BY 1").all() as {
          version: string;
          n: number;
        }[]
      ).map((r) => [r.version, r.n]),
    );
  } finally {
    d.close();
  }
}

test("two up runs racing on one SQLite file, 15 times: each version applied exactly once, none dirty", async () => {
  for (let trial = 0; trial < 15; trial++) {
    const dir = project(TREE);
    const url = `sqlite:${join(dir, "app.db")}`;
    const [a, b] = await Promise.all([
      runCli(["up", "--db", url, "--json"], { cwd: dir }),
      runCli(["up", "--db", url, "--json"], { cwd: dir }),
    ]);
    expect([a.code, b.code, a.stderr + b.stderr]).toEqual([0, 0, ""]);
    // Between them, each migration passed once; the run that waited found nothing left to do.
    const passed = [...a.json().results, ...b.json().results].map((r: any) => `${r.migration} ${r.status}`).sort();
    expect(passed).toEqual(["001_runs pass", "002_a pass", "003_b pass", "004_c pass", "005_d pass"]);
    expect(await runsPerVersion(join(dir, "app.db"))).toEqual({ "001": 1, "002": 1, "003": 1, "004": 1, "005": 1 });
    const status = await runCli(["status", "--db", url, "--json"], { cwd: dir });
    expect(status.json().migrations.map((m: any) => m.state)).toEqual([
      "applied",
      "applied",
      "applied",
      "applied",
      "applied",
    ]);
    cleanup(dir);
  }
}, 120_000);

test("a run killed while it holds the lock leaves no stale lock: the next up goes on at once", async () => {
  const dir = project({
    ...TREE,
    // Long enough to be killed in the middle: a no-transaction migration that is running.
    "sql/003_b/up.sql":
      "-- stairway:no-transaction\nINSERT INTO runs VALUES ('003');\nWITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000000) SELECT count(*) FROM n;\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n",
  });
  const db = join(dir, "app.db");
  const url = `sqlite:${db}`;
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "up", "--db", url], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
  });
  // Killed once 003 is marked dirty, that is, in the middle of it.
  for (let i = 0; i < 200; i++) {
    const s = await runCli(["status", "--db", url, "--json"], { cwd: dir });
    if (s.code === 0 && s.json().migrations.some((m: any) => m.state === "dirty")) break;
    await Bun.sleep(50);
  }
  proc.kill("SIGKILL");
  await proc.exited;
  expect(existsSync(`${db}-stairway.lock`)).toBe(true);
  const status = await runCli(["status", "--db", url, "--json"], { cwd: dir });
  expect(status.json().migrations.map((m: any) => `${m.version}:${m.state}`)).toEqual([
    "001:applied",
    "002:applied",
    "003:dirty",
    "004:pending",
    "005:pending",
  ]);
  // The dead run's lock went with it: `up` is not kept waiting, and says what a person must do.
  const t0 = performance.now();
  const up = await runCli(["up", "--db", url], { cwd: dir });
  expect(performance.now() - t0).toBeLessThan(10_000);
  expect(up.code).toBe(1);
  expect(up.stderr).toMatch(/version 003 is dirty/);
}, 60_000);
