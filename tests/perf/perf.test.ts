// perf, data-test and backup-test on real databases: what a migration costs,
// and that the numbers catch what they must.

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { cleanup, PG_URL, runCli, tempDir, writeTree, type CliRun } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

const ROWS = 200_000;
const BIG = {
  "c.yaml": `databases:\n  postgres: { url: "${PG_URL}", max_lock_duration: 100, max_downtime: 100 }\nscenarios:\n  - { name: big, rows: ${ROWS} }\n`,
  "sql/001_events/up.sql": "CREATE TABLE events (id integer PRIMARY KEY, kind integer NOT NULL, note text);\n",
  "sql/001_events/down.sql": "DROP TABLE events;\n",
};

test("a table rewrite under ACCESS EXCLUSIVE shows the lock and a stall of about its duration; a concurrent index build neither", async () => {
  const dir = project({
    ...BIG,
    "sql/002_rewrite/up.sql": "ALTER TABLE events ALTER COLUMN kind TYPE bigint;\n",
    "sql/002_rewrite/down.sql": "ALTER TABLE events ALTER COLUMN kind TYPE integer;\n",
    "sql/003_index/up.sql": "-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY idx_events_kind ON events (kind);\n",
    "sql/003_index/down.sql": "-- stairway:no-transaction\nDROP INDEX CONCURRENTLY idx_events_kind;\n",
  });
  const r = await runCli(["perf", "--config", "c.yaml", "--json"], { cwd: dir });
  const results = r.json().results;
  const lock = (m: string) => results.find((x: any) => x.check === "perf.lock" && x.migration === m);
  const rewrite = lock("002_rewrite");
  expect(rewrite.details.locks).toContainEqual({ relation: "events", mode: "AccessExclusiveLock" });
  const up = results.find((x: any) => x.check === "perf.threshold" && x.migration === "002_rewrite").details.upMs;
  expect(up).toBeGreaterThan(100);
  // The probe waited for (most of) the rewrite.
  expect(rewrite.details.stallMs).toBeGreaterThan(up * 0.5);
  expect(rewrite.status).toBe("fail");
  expect(rewrite.message).toMatch(
    /holds AccessExclusiveLock on events(, [A-Za-z]+ on events)* for [\d.]+ ms \(max_lock_duration 100 ms\); a concurrent events query waited [\d.]+ ms/,
  );
  const index = lock("003_index");
  expect(index.details.locks.filter((l: any) => l.mode !== "AccessShareLock")).toEqual([]);
  expect(index.details.stallMs).toBeLessThan(100);
  expect(index.status).toBe("pass");
  expect(r.code).toBe(1);
}, 180_000);

test("pglite: the locks a migration takes are read, and the missing concurrent probe is said once per scenario, not failed", async () => {
  const dir = project({
    "c.yaml":
      'databases:\n  pglite: { url: "pglite:", max_downtime: 100 }\nscenarios:\n  - { name: empty }\n  - { name: rows, rows: 500 }\n',
    "sql/001_events/up.sql": "CREATE TABLE events (id integer PRIMARY KEY, kind integer NOT NULL);\n",
    "sql/001_events/down.sql": "DROP TABLE events;\n",
    "sql/002_rewrite/up.sql": "ALTER TABLE events ALTER COLUMN kind TYPE bigint;\n",
    "sql/002_rewrite/down.sql": "ALTER TABLE events ALTER COLUMN kind TYPE integer;\n",
  });
  const r = await runCli(["perf", "--config", "c.yaml", "--json"], { cwd: dir });
  const results = r.json().results;
  expect(
    results.filter((x: any) => x.status === "skip").map((x: any) => `${x.check} ${x.migration ?? "-"}: ${x.message}`),
  ).toEqual([
    "perf.lock -: empty: no concurrent probe: pglite serves one connection, so the stall an application would see is not measured (max_downtime not checked)",
    "perf.lock -: rows: no concurrent probe: pglite serves one connection, so the stall an application would see is not measured (max_downtime not checked)",
  ]);
  const rewrite = results.find(
    (x: any) => x.check === "perf.lock" && x.migration === "002_rewrite" && x.message.startsWith("rows:"),
  );
  expect(rewrite.details.locks).toContainEqual({ relation: "events", mode: "AccessExclusiveLock" });
  expect(rewrite.details.stallMs).toBeUndefined();
  expect(rewrite.status).toBe("warn");
  expect(r.code).toBe(0);
  const human = await runCli(["perf", "--config", "c.yaml", "--scenario", "empty"], { cwd: dir });
  expect(human.stdout).toContain(
    "\n  no concurrent probe: pglite serves one connection, so the stall an application would see is not measured (max_downtime not checked)\n",
  );
}, 60_000);

test("a slower version of a migration is flagged against a saved baseline; an unchanged one is not", async () => {
  const dir = project({
    "c.yaml": `databases:\n  postgres: { url: "${PG_URL}" }\n`,
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\nSELECT pg_sleep(0.02);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    "sql/002_b/up.sql": "CREATE TABLE b (id integer PRIMARY KEY);\nSELECT pg_sleep(0.02);\n",
    "sql/002_b/down.sql": "DROP TABLE b;\n",
  });
  const baseline = join(dir, "baseline.json");
  expect((await runCli(["perf", "--config", "c.yaml", "--save-baseline", baseline], { cwd: dir })).code).toBe(0);
  writeFileSync(join(dir, "sql/002_b/up.sql"), "CREATE TABLE b (id integer PRIMARY KEY);\nSELECT pg_sleep(0.4);\n");
  const r = await runCli(["perf", "--config", "c.yaml", "--baseline", baseline, "--json"], { cwd: dir });
  const reg = r.json().results.filter((x: any) => x.check === "perf.regression");
  expect(reg.find((x: any) => x.migration === "001_a").status).toBe("pass");
  const slow = reg.find((x: any) => x.migration === "002_b");
  expect(slow.status).toBe("fail");
  expect(slow.message).toMatch(
    /slower than the baseline beyond the noise margin .*: up \d+(\.\d)? ms \(baseline \d+(\.\d)? ms\)/,
  );
  expect(r.code).toBe(1);
  const bad = await runCli(["perf", "--config", "c.yaml", "--baseline", join(dir, "nope.json")], { cwd: dir });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--baseline");
}, 120_000);

test("a baseline saved over another data size is not compared: no regression flagged, the sizes said", async () => {
  const dir = project({
    "c.yaml": `databases:\n  sqlite: { url: "sqlite:x.db" }\nscenarios:\n  - { name: big, rows: 2000 }\n`,
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, v integer);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    "sql/002_b/up.sql": "CREATE INDEX a_v ON a (v);\n",
    "sql/002_b/down.sql": "DROP INDEX a_v;\n",
  });
  const baseline = join(dir, "baseline.json");
  expect(
    (await runCli(["perf", "--config", "c.yaml", "--rows", "50", "--save-baseline", baseline], { cwd: dir })).code,
  ).toBe(0);
  // The index on 2,000 rows against its time on 50 (made 0 ms: any time is slower): not compared, the sizes said.
  const saved = JSON.parse(readFileSync(baseline, "utf8"));
  for (const k of Object.keys(saved.timings)) if (k.includes("/002_b/")) saved.timings[k] = 0;
  writeFileSync(baseline, JSON.stringify(saved));
  const other = await runCli(["perf", "--config", "c.yaml", "--baseline", baseline, "--json"], { cwd: dir });
  const status = (r: CliRun) =>
    Object.fromEntries(
      r
        .json()
        .results.filter((x: any) => x.check === "perf.regression")
        .map((x: any) => [x.migration, x]),
    );
  expect(status(other)["002_b"]).toMatchObject({
    status: "skip",
    message: expect.stringMatching(
      /^big: not compared: the data size differs from the baseline's \(2,\d{3} rows or keys here, 50 there\): save a baseline at this size, or run at that one$/,
    ),
  });
  // 001_a ran over empty tables both times: compared.
  expect(status(other)["001_a"].status).not.toBe("skip");
  // At the baseline's size the same baseline is compared.
  const same = await runCli(["perf", "--config", "c.yaml", "--rows", "50", "--baseline", baseline, "--json"], {
    cwd: dir,
  });
  expect(status(same)["002_b"].status).not.toBe("skip");
}, 120_000);

test("max_migration_time fails a step that takes longer", async () => {
  const dir = project({
    "c.yaml": `databases:\n  sqlite: { url: "sqlite:x.db", max_migration_time: 50 }\n`,
    "sql/001_a/up.sql":
      "CREATE TABLE a (id integer PRIMARY KEY);\nWITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3000000) SELECT count(*) FROM r;\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
  });
  const r = await runCli(["perf", "--config", "c.yaml", "--json"], { cwd: dir });
  const t = r.json().results.find((x: any) => x.check === "perf.threshold");
  expect(t.status).toBe("fail");
  expect(t.message).toMatch(/^empty_database: up took [\d.]+ ms, over max_migration_time 50 ms/);
});

test("data-test: counts, untouched checksums and foreign keys over N rows; an up that rewrites a column it does not name fails", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, v text, w text);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    // An intended change (UPDATE … SET v) and a rebuild that swaps two columns with SELECT *.
    "sql/002_trim/up.sql": [
      "UPDATE a SET v = upper(v);",
      "CREATE TABLE a_new (id integer PRIMARY KEY, w text, v text);",
      "INSERT INTO a_new SELECT * FROM a;",
      "DROP TABLE a;",
      "ALTER TABLE a_new RENAME TO a;",
    ].join("\n"),
    "sql/002_trim/down.sql": "SELECT 1;\n",
    "sql/003_b/up.sql": "ALTER TABLE a ADD COLUMN x integer;\nDELETE FROM a WHERE id % 10 = 0;\n",
    "sql/003_b/down.sql": "ALTER TABLE a DROP COLUMN x;\n",
  });
  for (const db of [`sqlite:${join(dir, "x.db")}`, PG_URL]) {
    const r = await runCli(["data-test", "--rows", "5000", "--db", db, "--json"], { cwd: dir });
    const results = r.json().results;
    const m = (id: string) => results.find((x: any) => x.migration === id && x.check === "data.integrity");
    expect(m("002_trim").status).toBe("fail");
    expect(m("002_trim").message).toBe("a.w: values changed, though 002_trim does not set out to change the column");
    expect(m("003_b").status).toBe("fail");
    expect(m("003_b").message).toMatch(/a: 5,000 rows before, 4,500 after/);
    expect(results.at(-1).message).toMatch(/^head reached with [\d,]+ generated rows in [\d.]+ s/);
  }
}, 120_000);

test("backup-test restores exactly on SQLite and PostgreSQL (pg_dump), and without pg_dump through a template copy", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, v text, at timestamp);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    "sql/002_b/up.sql": "ALTER TABLE a ADD COLUMN w numeric(10,3);\nCREATE INDEX idx_a_v ON a (v);\n",
    "sql/002_b/down.sql": "DROP INDEX idx_a_v;\nALTER TABLE a DROP COLUMN w;\n",
  });
  for (const [db, method, env] of [
    [`sqlite:${join(dir, "x.db")}`, "VACUUM INTO", {}],
    [PG_URL, "pg_dump --format=custom", {}],
    [PG_URL, "CREATE DATABASE … TEMPLATE (pg_dump: pg_dump is not installed)", { PATH: tempDir() }],
  ] as const) {
    const r = await runCli(["backup-test", "--db", db, "--json"], { cwd: dir, env });
    const results = r.json().results;
    expect(results.map((x: any) => `${x.migration} ${x.check} ${x.status}`)).toEqual([
      "001_a backup.restore-identical pass",
      "002_b backup.restore-identical pass",
    ]);
    expect(results[1].message).toStartWith(`${method}: 20 rows and the schema restored exactly`);
  }
}, 120_000);
