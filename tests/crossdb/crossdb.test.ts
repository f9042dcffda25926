// cross-db on real SQLite, PostgreSQL and MariaDB: equal intent compares
// equal, every other difference is reported, and behaviour probes catch what
// schemas hide.

import { afterAll, expect, test } from "bun:test";
import { cleanup, MYSQL_URL, mysqlScratchDatabasesOf, PG_URL, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

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

test("the showcase four ways: SQLite, PostgreSQL, MariaDB and PGlite, with the declared differences and the same behaviour", async () => {
  const reports = tempDir();
  dirs.push(reports);
  const r = await runCli(["cross-db", "--json", "--report-dir", reports], { cwd: ROOT });
  const report = r.json();
  expect(report.results.filter((x: any) => x.status !== "pass").map((x: any) => x.message)).toEqual([]);
  expect(r.code).toBe(0);
  expect(report.targets.map((t: any) => t.name)).toEqual(["postgres", "sqlite", "mariadb", "pglite"]);
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
  const maria = report.results.find((x: any) => x.check === "cross-db.schema" && x.target === "mariadb");
  expect(maria.details.declared.map((d: any) => d.object).sort()).toEqual([
    "table gateways",
    "table servers",
    "table tool_invocation_logs",
    "table tools",
  ]);
  expect(maria.details.equivalences).toEqual(
    expect.arrayContaining([
      "tools.input_schema: jsonb ~ json (JSON stored as text)",
      "tools.is_active: boolean ~ tinyint(1) (booleans stored as 0/1 (SQLite, MySQL's TINYINT(1)))",
      "tools.created_at: timestamp with time zone ~ datetime(6) (SQLite stores times as text, julian days or Unix time; MySQL's TIMESTAMP is UTC, its DATETIME has no zone)",
    ]),
  );
  const probes = report.results.filter((x: any) => x.check === "cross-db.behaviour");
  expect(probes.map((x: any) => x.message.split(":")[0]).sort()).toEqual([
    "gateways",
    "server_gateways",
    "servers",
    "tool_invocation_logs",
    "tool_usage_stats",
    "tools",
  ]);
  expect(probes.map((x: any) => x.target)).toEqual(Array(6).fill("sqlite,mariadb,pglite"));
  expect(probes[0].message).toContain("on postgres, sqlite, mariadb and pglite");
  expect(await mysqlScratchDatabasesOf(r.pid)).toEqual([]);
}, 120_000);

test("MariaDB without strict mode cuts over-long text and stores 0 for 'not a number', where PostgreSQL and strict MariaDB refuse", async () => {
  const dir = project({
    "stairway.yaml": `databases:
  postgres: { url: "${PG_URL}", migrations: pg }
  strict:   { url: "${MYSQL_URL}", migrations: my }
  lax:      { url: "${MYSQL_URL}?sql_mode=", migrations: my }
`,
    "pg/001_users/up.sql":
      "CREATE TABLE users (id integer PRIMARY KEY, email varchar(20) NOT NULL UNIQUE, age integer);\n",
    "pg/001_users/down.sql": "DROP TABLE users;\n",
    "my/001_users/up.sql": "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(20) NOT NULL UNIQUE, age INT);\n",
    "my/001_users/down.sql": "DROP TABLE users;\n",
  });
  const r = await runCli(["cross-db", "--config", "stairway.yaml", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const results = r.json().results;
  expect(results.filter((x: any) => x.check === "cross-db.schema").map((x: any) => x.status)).toEqual(["pass", "pass"]);
  const probe = results.find((x: any) => x.check === "cross-db.behaviour");
  expect(probe.status).toBe("fail");
  expect(probe.message).toMatch(
    /text over the declared length \(20\) into email: .* rejected \(value too long for type character varying\(20\)\) on postgres, rejected \(Data too long for column 'email' at row 1\) on strict, accepted on lax/,
  );
  expect(probe.message).toMatch(
    /text into number column age: .* rejected \(invalid input syntax for type integer: "not a number"\) on postgres, rejected \(Incorrect integer value: 'not a number' for column .*\) on strict, accepted on lax/,
  );
  // A NULL into a NOT NULL column is refused even without strict mode (a one-row INSERT).
  expect(probe.message).not.toContain("NULL into NOT NULL");
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
