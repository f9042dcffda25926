// cross-db keeps going on real SQLite, PostgreSQL and MariaDB: a migration
// that fails on one dialect stops that target only; the others are still
// migrated and compared after it, and the coverage says which versions each
// target was compared at.

import { afterAll, expect, test } from "bun:test";
import {
  cleanup,
  MYSQL_URL,
  mysqlScratchDatabasesOf,
  PG_URL,
  runCli,
  scratchDatabasesOf,
  tempDir,
  writeTree,
} from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, {
    "stairway.yaml": `databases:
  postgres: { url: "${PG_URL}" }
  sqlite:   { url: "sqlite:app.db" }
  mariadb:  { url: "${MYSQL_URL}" }
`,
    "sql/001_people/up.sql": "CREATE TABLE people (id integer PRIMARY KEY, email varchar(200));\n",
    "sql/001_people/down.sql": "DROP TABLE people;\n",
    "sql/002_orders/up.sql": "CREATE TABLE orders (id integer PRIMARY KEY, note varchar(200));\n",
    "sql/002_orders/down.sql": "DROP TABLE orders;\n",
    "sql/003_tags/up.sql": "CREATE TABLE tags (id integer PRIMARY KEY, name varchar(50) NOT NULL);\n",
    "sql/003_tags/down.sql": "DROP TABLE tags;\n",
    ...files,
  });
}

const schemaLines = (results: any[]) =>
  results
    .filter((x) => x.check === "cross-db.schema" || x.check === "step.up")
    .map((x) => `${x.migration} ${x.target} ${x.check} ${x.status}`);

/** What schemaLines gives when 002 fails on `failing` (of postgres and sqlite): mariadb is still compared after it. */
const stoppedAt002 = (failing: string) => [
  "001_people sqlite cross-db.schema pass",
  "001_people mariadb cross-db.schema pass",
  `002_orders ${failing} step.up fail`,
  `002_orders ${failing} cross-db.schema skip`,
  "002_orders mariadb cross-db.schema pass",
  `003_tags ${failing} cross-db.schema skip`,
  "003_tags mariadb cross-db.schema pass",
];

test("--each-step: a migration that fails on SQLite only stops SQLite; PostgreSQL and MariaDB are still compared after it", async () => {
  const dir = project({
    "sql/002_orders/up.sqlite.sql": "CREATE TABLE orders (id integer PRIMARY KEY, note text REFERENCES);\n",
  });
  const r = await runCli(["cross-db", "--each-step", "--config", "stairway.yaml", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const report = r.json();
  expect(schemaLines(report.results)).toEqual(stoppedAt002("sqlite"));
  expect(report.results.find((x: any) => x.check === "step.up").message).toMatch(
    /^sql\/002_orders\/up\.sqlite\.sql:1:\d+: /,
  );
  const why = "not compared: 002_orders failed to apply on sqlite";
  expect(report.coverage).toEqual({
    postgres: { checked: 3, total: 3, untested: [] },
    sqlite: {
      checked: 1,
      total: 3,
      untested: [
        { migration: "002_orders", target: "sqlite", reason: why },
        { migration: "003_tags", target: "sqlite", reason: why },
      ],
    },
    mariadb: { checked: 3, total: 3, untested: [] },
  });
  // The probes run on the targets at head.
  const probes = report.results.filter((x: any) => x.check === "cross-db.behaviour");
  expect(probes.map((x: any) => x.message.split(":")[0]).sort()).toEqual(["orders", "people", "tags"]);
  expect(probes.every((x: any) => x.target === "mariadb")).toBe(true);
  expect(await scratchDatabasesOf(r.pid)).toEqual([]);
  expect(await mysqlScratchDatabasesOf(r.pid)).toEqual([]);

  const human = await runCli(["cross-db", "--each-step", "--config", "stairway.yaml"], { cwd: dir });
  expect(human.stdout).toContain(`– schema 002_orders  sqlite: ${why} (and 1 later version)`);
  expect(human.stdout).toContain("coverage · sqlite: 1 of 3 migrations fully checked");
  expect(human.stdout).toContain("coverage · mariadb: 3 of 3 migrations fully checked");
}, 120_000);

test("--each-step: when the reference fails, the targets still going are compared with each other", async () => {
  const dir = project({
    "sql/002_orders/up.postgres.sql": "CREATE TABLE orders (id integer PRIMARY KEY, note no_such_type);\n",
  });
  const r = await runCli(["cross-db", "--each-step", "--config", "stairway.yaml", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const report = r.json();
  expect(schemaLines(report.results)).toEqual(stoppedAt002("postgres"));
  expect(report.results.find((x: any) => x.migration === "003_tags" && x.target === "mariadb").message).toMatch(
    /^mariadb has the schema of sqlite/,
  );
  expect(report.coverage.postgres.checked).toBe(1);
  expect(report.coverage.sqlite).toEqual({ checked: 3, total: 3, untested: [] });
}, 120_000);

test("without --each-step, the target that did not reach head is named, and the others are compared", async () => {
  const dir = project({
    "sql/002_orders/up.sqlite.sql": "CREATE TABLE orders (id integer PRIMARY KEY, note text REFERENCES);\n",
  });
  const r = await runCli(["cross-db", "--config", "stairway.yaml", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const report = r.json();
  expect(report.coverage).toBeUndefined();
  const schema = report.results.filter((x: any) => x.check === "cross-db.schema");
  expect(schema.map((x: any) => `${x.target} ${x.status}: ${x.message.split(" (")[0]}`)).toEqual([
    "sqlite skip: sqlite did not reach head",
    "mariadb pass: mariadb has the schema of postgres",
  ]);
  expect(schema[0].message).toBe("sqlite did not reach head (002_orders failed to apply there): not compared");
}, 120_000);

test("--each-step --since: the coverage is over the whole tree, the versions before the selection only applied", async () => {
  const dir = project({
    "sql/002_orders/up.sqlite.sql": "CREATE TABLE orders (id integer PRIMARY KEY, note text REFERENCES);\n",
  });
  const r = await runCli(
    [
      "cross-db",
      "--each-step",
      "--since",
      "002",
      "--config",
      "stairway.yaml",
      "--target",
      "postgres",
      "--target",
      "sqlite",
      "--json",
    ],
    { cwd: dir },
  );
  expect(r.code).toBe(1);
  const coverage = r.json().coverage;
  expect(coverage.postgres).toMatchObject({ checked: 0, total: 3, appliedOnly: 1 });
  // Alone once SQLite stopped, PostgreSQL has nothing to be compared with.
  expect(coverage.postgres.untested.map((u: any) => u.reason)).toEqual([
    "not compared: no other target got this far",
    "not compared: no other target got this far",
  ]);
  expect(coverage.sqlite.checked).toBe(0);
  expect(coverage.sqlite.appliedOnly).toBe(1);
}, 120_000);
