// cross-db on real SQLite and PostgreSQL: equal intent compares equal, every
// other difference is reported, and behaviour probes catch what schemas hide.

import { afterAll, expect, test } from "bun:test";
import { cleanup, PG_URL, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

const config = (extra = "") => `databases:
  sqlite:   { url: "sqlite:app.db", migrations: lite }
  postgres: { url: "${PG_URL}", migrations: pg }
${extra}`;

test("the showcase: same schema but the declared partitioning, same behaviour (SQLite, PostgreSQL, PGlite)", async () => {
  const reports = tempDir();
  dirs.push(reports);
  const r = await runCli(
    ["cross-db", "--target", "sqlite", "--target", "postgres", "--target", "pglite", "--json", "--report-dir", reports],
    { cwd: ROOT },
  );
  const report = r.json();
  expect(report.results.filter((x: any) => x.status !== "pass").map((x: any) => x.message)).toEqual([]);
  expect(r.code).toBe(0);
  // Embedded PostgreSQL is PostgreSQL: nothing to declare, nothing equivalent, nothing different.
  expect(report.results.find((x: any) => x.check === "cross-db.schema" && x.target === "pglite").message).toBe(
    "pglite has the schema of postgres",
  );
  const schema = report.results.find((x: any) => x.check === "cross-db.schema" && x.target === "sqlite");
  expect(schema.details.declared[0].object).toBe("table tool_invocation_logs");
  expect(schema.details.declared[0].differences).toContain(
    "table tool_invocation_logs: partition key exists only on postgres",
  );
  expect(schema.details.equivalences).toContain(
    "tools.input_schema: jsonb ~ TEXT + CHECK (json_valid(input_schema)) (JSON stored as text)",
  );
  expect(
    report.results
      .filter((x: any) => x.check === "cross-db.behaviour")
      .map((x: any) => x.message.split(":")[0])
      .sort(),
  ).toEqual(["gateways", "server_gateways", "servers", "tool_invocation_logs", "tool_usage_stats", "tools"]);
  expect(report.results.find((x: any) => x.check === "cross-db.behaviour").message).toContain(
    "on postgres and sqlite and pglite",
  );
}, 60_000);

test("a plain SQLite table: over-long VARCHAR and text in INTEGER are accepted where PostgreSQL refuses", async () => {
  const dir = project({
    "stairway.yaml": config(),
    "lite/001_users/up.sql":
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(20) NOT NULL UNIQUE, age INTEGER);\n",
    "lite/001_users/down.sql": "DROP TABLE users;\n",
    "pg/001_users/up.sql":
      "CREATE TABLE users (id integer PRIMARY KEY, email varchar(20) NOT NULL UNIQUE, age integer);\n",
    "pg/001_users/down.sql": "DROP TABLE users;\n",
  });
  const r = await runCli(["cross-db", "--config", "stairway.yaml", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const results = r.json().results;
  expect(results.find((x: any) => x.check === "cross-db.schema").status).toBe("pass");
  const probe = results.find((x: any) => x.check === "cross-db.behaviour");
  expect(probe.status).toBe("fail");
  expect(probe.message).toMatch(
    /text over the declared length \(20\) into email: INSERT INTO users \(.*\) VALUES .*— rejected \(value too long for type character varying\(20\)\) on postgres, accepted on sqlite/,
  );
  expect(probe.message).toMatch(
    /text into number column age: .* rejected \(invalid input syntax for type integer: "not a number"\) on postgres, accepted on sqlite/,
  );
  // SQLite gives an INTEGER PRIMARY KEY an id by itself; PostgreSQL's integer key needs one.
  expect(probe.message).toMatch(
    /NULL into NOT NULL id: .* rejected \(null value in column "id".*\) on postgres, accepted on sqlite/,
  );
  // The rest of NOT NULL and UNIQUE behave alike and are not reported.
  expect(probe.message).not.toContain("NULL into NOT NULL email");
  expect(probe.message).not.toContain("duplicate");
}, 60_000);

test("a real schema difference is named, with a diff; a version missing from one tree is reported", async () => {
  const dir = project({
    "stairway.yaml": config(),
    "lite/001_users/up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL) STRICT;\n",
    "lite/001_users/down.sql": "DROP TABLE users;\n",
    "pg/001_users/up.sql":
      "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text);\nCREATE INDEX idx_users_email ON users (email);\n",
    "pg/001_users/down.sql": "DROP TABLE users;\n",
    "pg/002_extra/up.sql": "CREATE TABLE extra (id integer);\n",
    "pg/002_extra/down.sql": "DROP TABLE extra;\n",
  });
  const r = await runCli(["cross-db", "--config", "stairway.yaml", "--json"], { cwd: dir });
  const fails = r
    .json()
    .results.filter((x: any) => x.status === "fail")
    .map((x: any) => x.message);
  expect(fails).toContain("version 002_extra is in the tree of postgres (pg) but not in the tree of sqlite (lite)");
  const schema = fails.find((m: string) => m.startsWith("sqlite differs from postgres"));
  expect(schema).toContain("table users: column name exists only on postgres");
  expect(schema).toContain("table users: index idx_users_email exists only on postgres");
  expect(schema).toContain("table extra exists only on postgres");
}, 60_000);

test("type equivalences extend from the config; an unused declared difference is a warning", async () => {
  const dir = project({
    "stairway.yaml": config(`cross_db:
  types:
    - { postgres: "^inet$", sqlite: "^TEXT$", note: "addresses as text" }
  expected:
    - { object: "table ghosts", reason: "a difference that no longer exists" }
`),
    "lite/001_hosts/up.sql": "CREATE TABLE hosts (id INTEGER PRIMARY KEY, addr TEXT NOT NULL) STRICT;\n",
    "lite/001_hosts/down.sql": "DROP TABLE hosts;\n",
    "pg/001_hosts/up.sql": "CREATE TABLE hosts (id integer PRIMARY KEY, addr inet NOT NULL);\n",
    "pg/001_hosts/down.sql": "DROP TABLE hosts;\n",
  });
  const r = await runCli(["cross-db", "--config", "stairway.yaml", "--json"], { cwd: dir });
  const results = r.json().results;
  const schema = results.find((x: any) => x.check === "cross-db.schema" && x.status !== "warn");
  expect(schema.status).toBe("pass");
  expect(schema.details.equivalences).toContain("hosts.addr: inet ~ TEXT (addresses as text)");
  expect(results.find((x: any) => x.status === "warn").message).toContain(
    'the declared difference "table ghosts" did not occur',
  );
}, 60_000);

test("--each-step compares after every migration", async () => {
  const reports = tempDir();
  dirs.push(reports);
  const r = await runCli(
    ["cross-db", "--each-step", "--target", "sqlite", "--target", "postgres", "--json", "--report-dir", reports],
    { cwd: ROOT },
  );
  const steps = r
    .json()
    .results.filter((x: any) => x.check === "cross-db.schema")
    .map((x: any) => x.migration);
  expect(steps).toEqual([
    "001_create_tools_table",
    "002_add_tools_metadata_columns",
    "003_add_tools_performance_index",
    "004_create_servers_table",
    "005_create_gateways_table",
    "006_add_server_gateway_associations",
    "009_add_tool_usage_statistics",
    "010_partition_logs_table",
  ]);
  expect(r.code).toBe(0);
}, 60_000);

test("cross-db needs two SQL targets", async () => {
  const r = await runCli(["cross-db", "--db", "sqlite::memory:"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("cross-db compares two or more SQL targets; got 1");
});
