// Our own showcase migrations pass every check, and rollback and schema
// dump/diff work on them, on SQLite and PostgreSQL (the stairway also on
// embedded PostgreSQL, PGlite).

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { cleanup, PG_URL, ROOT, runCli, scratchDatabasesOf, tempDir, writeTree } from "../helpers.ts";

const reports = tempDir();
afterAll(() => cleanup(reports));
const common = ["--config", "tests/migrations/config.yaml", "--report-dir", reports, "--json"];

test("the showcase passes the stairway on SQLite, PostgreSQL and PGlite", async () => {
  const r = await runCli(["test", "--target", "sqlite", "--target", "postgres", "--target", "pglite", ...common], {
    cwd: ROOT,
  });
  const report = r.json();
  expect(
    report.results
      .filter((x: any) => x.status !== "pass")
      .map((x: any) => `${x.target} ${x.migration} ${x.check}: ${x.message}`),
  ).toEqual([]);
  expect(r.code).toBe(0);
  const pg = report.results
    .filter((x: any) => x.target === "postgres" && x.check === "step.redo")
    .map((x: any) => x.migration);
  expect(pg).toEqual([
    "001_create_tools_table",
    "002_add_tools_metadata_columns",
    "003_add_tools_performance_index",
    "004_create_servers_table",
    "005_create_gateways_table",
    "006_add_server_gateway_associations",
    "009_add_tool_usage_statistics",
    "010_partition_logs_table",
  ]);
  // PGlite runs the same PostgreSQL files, every step.
  expect(
    report.results.filter((x: any) => x.target === "pglite" && x.check === "step.redo").map((x: any) => x.migration),
  ).toEqual(pg);
  // 010 is PostgreSQL only (stairway:skip sqlite).
  expect(report.results.some((x: any) => x.target === "sqlite" && x.migration === "010_partition_logs_table")).toBe(
    false,
  );
  // Every step ran over rows: fixtures and generated ones.
  const data = report.results.find(
    (x: any) =>
      x.target === "postgres" && x.migration === "010_partition_logs_table" && x.check === "step.data-preserved",
  );
  expect(Number(/^(\d+) rows kept/.exec(data.message)?.[1])).toBeGreaterThan(200);
}, 120_000);

test("rollback of the whole showcase over fixtures and generated rows loses nothing", async () => {
  const r = await runCli(["rollback", "--target", "sqlite", "--target", "postgres", ...common], { cwd: ROOT });
  const report = r.json();
  expect(
    report.results
      .filter((x: any) => x.status !== "pass")
      .map((x: any) => `${x.target} ${x.migration} ${x.check}: ${x.message}`),
  ).toEqual([]);
  const pg = report.results.filter((x: any) => x.target === "postgres" && x.check === "rollback.data-preserved");
  expect(pg).toHaveLength(8);
  // Rolling back 003 still owes the 100 fixture tools and the generated rows.
  expect(
    Number(
      /^(\d+) rows kept/.exec(pg.find((x: any) => x.migration === "003_add_tools_performance_index").message)?.[1],
    ),
  ).toBeGreaterThanOrEqual(100);
  expect(report.results.every((x: any) => x.check !== "step.down" || typeof x.durationMs === "number")).toBe(true);
  expect(await scratchDatabasesOf(r.pid)).toEqual([]);
}, 120_000);

test("rollback --last 2 rolls back only the newest two", async () => {
  const r = await runCli(["rollback", "--last", "2", "--target", "postgres", ...common], { cwd: ROOT });
  expect(r.code).toBe(0);
  expect(
    r
      .json()
      .results.filter((x: any) => x.check === "step.down")
      .map((x: any) => x.migration),
  ).toEqual(["010_partition_logs_table", "009_add_tool_usage_statistics"]);
}, 60_000);

test("rollback catches a down that loses rows over data loaded at head", async () => {
  const dir = tempDir();
  try {
    writeTree(dir, {
      "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, v text);\n",
      "sql/001_a/down.sql": "DROP TABLE a;\n",
      "sql/002_b/up.sql": "ALTER TABLE a ADD COLUMN w text;\n",
      "sql/002_b/down.sql": "ALTER TABLE a DROP COLUMN w;\nDELETE FROM a WHERE id % 2 = 0;\n",
    });
    const r = await runCli(["rollback", "--last", "1", "--db", `sqlite:${join(dir, "x.db")}`, "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    const fail = r.json().results.find((x: any) => x.status === "fail");
    expect(fail.check).toBe("rollback.data-preserved");
    expect(fail.message).toMatch(/^a: \d+ of \d+ rows missing/);
  } finally {
    cleanup(dir);
  }
});

test("schema dump --at head and schema diff", async () => {
  const dump = await runCli(
    ["schema", "dump", "--at", "head", "--target", "postgres", "--config", "tests/migrations/config.yaml"],
    { cwd: ROOT },
  );
  expect(dump.code).toBe(0);
  expect(dump.stdout).toContain("CREATE TABLE tool_invocation_logs (");
  expect(dump.stdout).toContain("PARTITION BY RANGE (invoked_at)");
  expect(dump.stdout).toContain(
    "CREATE INDEX idx_tools_last_execution ON tools (last_execution_at DESC) WHERE last_execution_at IS NOT NULL;",
  );

  const dir = tempDir();
  try {
    writeTree(dir, {
      "one/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, v text);\n",
      "one/001_a/down.sql": "DROP TABLE a;\n",
      "two/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, v varchar(10));\n",
      "two/001_a/down.sql": "DROP TABLE a;\n",
    });
    const [a, b] = [join(dir, "a.db"), join(dir, "b.db")];
    await runCli(["up", "--sql", "one", "--db", `sqlite:${a}`], { cwd: dir });
    await runCli(["up", "--sql", "two", "--db", `sqlite:${b}`], { cwd: dir });
    const diff = await runCli(["schema", "diff", "--db", `sqlite:${a}`, "--db", `sqlite:${b}`], { cwd: dir });
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("-  v TEXT");
    expect(diff.stdout).toContain("+  v VARCHAR(10)");
    const json = await runCli(["schema", "dump", "--json", "--db", `sqlite:${a}`], { cwd: dir });
    expect(json.json().schemas.sqlite.tables[0].columns.map((c: any) => c.name)).toEqual(["id", "v"]);
  } finally {
    cleanup(dir);
  }
}, 60_000);

test("Ctrl-C during a test drops the scratch database", async () => {
  const dir = tempDir();
  try {
    writeTree(dir, {
      "sql/001_slow/up.sql": "CREATE TABLE s (id int);\nSELECT pg_sleep(30);\n",
      "sql/001_slow/down.sql": "DROP TABLE s;\n",
    });
    const proc = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "test", "--db", PG_URL], {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    for (let i = 0; i < 100 && (await scratchDatabasesOf(proc.pid)).length === 0; i++) await Bun.sleep(100);
    expect(await scratchDatabasesOf(proc.pid)).toHaveLength(1);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(await new Response(proc.stderr).text()).toContain("dropping scratch databases");
    expect(await scratchDatabasesOf(proc.pid)).toEqual([]);
  } finally {
    cleanup(dir);
  }
}, 60_000);
