// After an interrupted run (SIGKILL: no cleanup at all), `stairway clean`
// removes every scratch database, file and key it left, and nothing else.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cleanup,
  PG_URL,
  pgDatabase,
  pgQuery,
  ROOT,
  runCli,
  scratchDatabasesOf,
  tempDir,
  writeTree,
} from "../helpers.ts";
import { claimEmptyDb, type ClaimedDb } from "../redis/helpers.ts";

let redis: ClaimedDb;
let bystander: ClaimedDb;
const dir = tempDir();
beforeAll(async () => {
  redis = await claimEmptyDb();
  bystander = await claimEmptyDb();
});
afterAll(async () => {
  await redis.release();
  await bystander.release();
  cleanup(dir);
});

const scratchFiles = () =>
  existsSync(join(tmpdir(), "stairway"))
    ? readdirSync(join(tmpdir(), "stairway")).filter((f) => f.startsWith("stairway_"))
    : [];

test("clean removes what a SIGKILLed test left on PostgreSQL, SQLite and Redis, and touches nothing else", async () => {
  writeTree(dir, {
    // PostgreSQL last: its slow migration holds the run while the others' scratch state is still there.
    "c.yaml": `databases:\n  sqlite: { url: "sqlite:app.db" }\n  redis: { url: "${redis.url}" }\n  postgres: { url: "${PG_URL}" }\nmigrations: { sql: sql, redis: ${join(ROOT, "redis-migrations")} }\n`,
    "sql/001_slow/up.sql": "CREATE TABLE s (id int);\n",
    "sql/001_slow/down.sql": "DROP TABLE s;\n",
    "sql/001_slow/up.postgres.sql": "CREATE TABLE s (id int);\nSELECT pg_sleep(60);\n",
    "sql/001_slow/down.postgres.sql": "DROP TABLE s;\n",
  });
  // Things that are not stairway's: a database, a key, a file, a report the user keeps.
  const mine = await pgDatabase();
  await bystander.redis.set("app:session:1", "keep me");
  mkdirSync(join(dir, "tests/migrations/reports"), { recursive: true });
  writeFileSync(join(dir, "tests/migrations/reports/notes.txt"), "mine");
  writeFileSync(join(dir, "tests/migrations/reports/test.json"), "{}"); // named like a report, but not written by stairway

  const before = { files: scratchFiles() };
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "test", "--config", "c.yaml"], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
  });
  // Wait until the run is inside PostgreSQL's slow migration: Redis and SQLite are done by then.
  for (let i = 0; i < 300 && (await scratchDatabasesOf(proc.pid)).length === 0; i++) await Bun.sleep(100);
  await Bun.sleep(500);
  proc.kill("SIGKILL");
  await proc.exited;
  // What the killed run left: a PostgreSQL scratch database, a SQLite scratch file, keys in the Redis database.
  // Only its own: other runs on this machine (other checkouts' tests) make scratch files meanwhile.
  const pidTail = proc.pid.toString(36).padStart(5, "0").slice(-5);
  const left = {
    dbs: await scratchDatabasesOf(proc.pid),
    files: scratchFiles().filter((f) => !before.files.includes(f) && f.slice(15, 20) === pidTail),
  };
  expect(left.dbs).toHaveLength(1);
  expect(left.files.length).toBeGreaterThan(0);
  expect(await redis.redis.get("stairway:scratch")).not.toBeNull();

  // The server notices the dead client within client_connection_check_interval (1 s).
  const busy = async () =>
    (
      await pgQuery(
        PG_URL,
        `SELECT 1 FROM pg_stat_activity WHERE datname IN (${left.dbs.map((d) => `'${d}'`).join(", ")})`,
      )
    ).length;
  for (let i = 0; i < 50 && (await busy()) > 0; i++) await Bun.sleep(100);
  const r = await runCli(["clean", "--config", "c.yaml"], { cwd: dir });
  expect(r.code).toBe(0);
  // Everything the killed run left is gone (another run going on meanwhile keeps its own).
  expect(await scratchDatabasesOf(proc.pid)).toEqual([]);
  expect(await redis.redis.dbsize()).toBe(0);
  expect(scratchFiles().filter((f) => left.files.includes(f))).toEqual([]);
  expect(readdirSync(join(dir, "tests/migrations/reports")).sort()).toEqual(["notes.txt", "test.json"]);
  // Untouched: the user's database, key and file.
  expect((await pgQuery(PG_URL, `SELECT 1 FROM pg_database WHERE datname = '${mine.name}'`)).length).toBe(1);
  expect(await bystander.redis.get("app:session:1")).toBe("keep me");
  await mine.drop();
}, 120_000);

test("clean --report-dir removes exactly the files stairway wrote there, says which, and keeps the user's", async () => {
  const project = tempDir();
  const reports = join(project, "out");
  writeTree(project, {
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, name text);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    // What a user keeps in the directory they point --report-dir at.
    "out/package.json": '{ "name": "app" }\n',
    "out/tsconfig.json": "{}\n",
    "out/junit.xml": "<testsuites name='the app'/>\n",
    "out/data-export.json": "[1, 2, 3]\n",
    "out/notes.md": "mine\n",
  });
  const mine = Object.fromEntries(readdirSync(reports).map((f) => [f, readFileSync(join(reports, f), "utf8")]));
  try {
    for (const command of ["test", "validate", "safety"])
      expect((await runCli([command, "--report-dir", "out"], { cwd: project })).code).toBe(0);
    const written = ["safety.json", "test.json", "test.junit.xml", "validate.json"];
    expect(readdirSync(reports).sort()).toEqual([".stairway-reports", ...Object.keys(mine), ...written].sort());

    const r = await runCli(["clean", "--report-dir", "out", "--json"], { cwd: project });
    expect(r.code).toBe(0);
    const said = r.json().results.find((x: any) => x.target === "reports");
    expect([...said.details.removed].sort()).toEqual(written);
    expect(said.message).toBe(`out: removed ${said.details.removed.join(", ")}`);
    // Every file of the user's is there, byte for byte; nothing of stairway's is.
    expect(Object.fromEntries(readdirSync(reports).map((f) => [f, readFileSync(join(reports, f), "utf8")]))).toEqual(
      mine,
    );
    expect((await runCli(["clean", "--report-dir", "out"], { cwd: project })).stdout).toContain(
      "out: no report file of stairway's left",
    );

    // `report` writes its three files (its junit.xml replaces one of the same name): clean removes them too.
    const other = join(project, "out2");
    expect((await runCli(["validate", "--report-dir", "out2"], { cwd: project })).code).toBe(0);
    expect((await runCli(["report", "--report-dir", "out2"], { cwd: project })).code).toBe(0);
    writeFileSync(join(other, "keep.json"), "{}");
    const again = await runCli(["clean", "--report-dir", "out2", "--json"], { cwd: project });
    expect(
      again
        .json()
        .results.find((x: any) => x.target === "reports")
        .details.removed.sort(),
    ).toEqual(["junit.xml", "migration-summary.md", "report.html", "validate.json"]);
    expect(readdirSync(other)).toEqual(["keep.json"]);
  } finally {
    cleanup(project);
  }
}, 60_000);
