// rollback keeps going on real SQLite and PostgreSQL: a broken down in the
// middle is reported and the older migrations are still rolled back (on a
// fresh target brought up below it); an up that fails over the fixtures runs
// again on empty tables and warns; coverage counts what was checked.

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
  sqlite:   { url: "sqlite:app.db" }
  postgres: { url: "${PG_URL}" }
scenarios:
  - { name: sample, fixtures: [people.json] }
fixtures: fixtures
`,
    // Two people share an email: 002's unique index cannot be built over them.
    "fixtures/people.json": JSON.stringify({
      table: "people",
      version: "001",
      rows: [
        { id: 1, email: "a@example.com" },
        { id: 2, email: "a@example.com" },
      ],
    }),
    "sql/001_people/up.sql": "CREATE TABLE people (id integer PRIMARY KEY, email varchar(200));\n",
    "sql/001_people/down.sql": "DROP TABLE people;\n",
    "sql/002_unique_email/up.sql": "CREATE UNIQUE INDEX people_email ON people (email);\n",
    "sql/002_unique_email/down.sql": "DROP INDEX people_email;\n",
    "sql/003_orders/up.sql": "CREATE TABLE orders (id integer PRIMARY KEY, note varchar(200));\n",
    "sql/004_tags/up.sql": "CREATE TABLE tags (id integer PRIMARY KEY, name varchar(50) NOT NULL);\n",
    "sql/004_tags/down.sql": "DROP TABLE tags;\n",
    ...files,
  });
}

const line = (x: any) => `${x.target} ${x.migration} ${x.check} ${x.status}`;

test("a down that fails in the middle is reported, and the older migrations are still rolled back over their data", async () => {
  const dir = project({ "sql/003_orders/down.sql": "DROP TABLE no_such_table;\n" });
  const r = await runCli(["rollback", "--config", "stairway.yaml", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const report = r.json();
  for (const target of ["sqlite", "postgres"]) {
    const mine = report.results.filter((x: any) => x.target === target && x.migration);
    // 002 fails over the duplicate emails and passes on empty tables: a warning, said once though 001–002 went up twice.
    const up = mine.filter((x: any) => x.check === "step.up");
    expect(up.map(line)).toEqual([`${target} 002_unique_email step.up warn`]);
    // The warning names the data that breaks it, as test's does.
    expect(up[0].message).toMatch(
      /^sql\/002_unique_email\/up\.sql:1:1: .*people.* duplicates, e\.g\. email='[^']+' \(\d+ rows\); it passes on empty tables — a production risk$/,
    );
    expect(mine.filter((x: any) => x.check === "step.down").map(line)).toEqual([
      `${target} 004_tags step.down pass`,
      `${target} 003_orders step.down fail`,
      `${target} 002_unique_email step.down pass`,
      `${target} 001_people step.down pass`,
    ]);
    expect(mine.find((x: any) => x.check === "step.down" && x.status === "fail").message).toMatch(
      /^sql\/003_orders\/down\.sql:1:1: .*no_such_table/,
    );
    // Below the failed down, the rollbacks still ran over rows: generated at the new top.
    const kept = mine.find((x: any) => x.migration === "002_unique_email" && x.check === "rollback.data-preserved");
    expect(kept.status).toBe("pass");
    expect(Number(/^(\d+) rows kept/.exec(kept.message)?.[1])).toBeGreaterThan(0);
    expect(mine.find((x: any) => x.migration === "001_people" && x.check === "step.down-restores-schema").status).toBe(
      "pass",
    );
    expect(report.coverage[target]).toEqual({
      checked: 3,
      total: 4,
      untested: [{ migration: "003_orders", target, reason: "not checked: the down of 003_orders failed" }],
    });
  }
  expect(await scratchDatabasesOf(r.pid)).toEqual([]);

  const human = await runCli(["rollback", "--config", "stairway.yaml", "--target", "sqlite"], { cwd: dir });
  expect(human.stdout).toContain("coverage · sqlite: 3 of 4 migrations fully checked");
  expect(human.stdout).toContain("003_orders: not checked: the down of 003_orders failed");
}, 120_000);

test("an up that fails on empty tables too stops the way up: nothing is rolled back, and coverage says why", async () => {
  const dir = project({
    "sql/003_orders/up.sql": "CREATE TABLE orders (id integer PRIMARY KEY, note text REFERENCES);\n",
    "sql/003_orders/down.sql": "DROP TABLE orders;\n",
  });
  const r = await runCli(["rollback", "--config", "stairway.yaml", "--target", "sqlite", "--json", "--last", "3"], {
    cwd: dir,
  });
  expect(r.code).toBe(1);
  const report = r.json();
  const up = report.results.find((x: any) => x.check === "step.up" && x.status === "fail");
  expect(up.migration).toBe("003_orders");
  expect(up.message).toEndWith("(on empty tables too)");
  expect(report.results.filter((x: any) => x.check === "step.down").map(line)).toEqual([
    "sqlite 004_tags step.down skip",
    "sqlite 003_orders step.down skip",
    "sqlite 002_unique_email step.down skip",
  ]);
  const why = "not run: 003_orders failed to apply, head was not reached";
  expect(report.coverage.sqlite).toEqual({
    checked: 0,
    total: 4,
    appliedOnly: 1,
    untested: ["004_tags", "003_orders", "002_unique_email"].map((migration) => ({
      migration,
      target: "sqlite",
      reason: why,
    })),
  });
}, 60_000);

test("on MariaDB, where DDL commits by itself, the older migrations below a failed down are still rolled back, on a rebuilt target", async () => {
  const dir = project({
    "stairway.yaml": `databases:\n  mariadb: { url: "${MYSQL_URL}" }\n`,
    "sql/002_unique_email/down.mysql.sql": "DROP INDEX people_email ON people;\n",
    "sql/003_orders/down.sql": "DROP TABLE no_such_table;\n",
  });
  const r = await runCli(["rollback", "--config", "stairway.yaml", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const report = r.json();
  expect(report.results.filter((x: any) => x.check === "step.down").map(line)).toEqual([
    "mariadb 004_tags step.down pass",
    "mariadb 003_orders step.down fail",
    "mariadb 002_unique_email step.down pass",
    "mariadb 001_people step.down pass",
  ]);
  expect(report.results.filter((x: any) => x.status === "fail").map(line)).toEqual([
    "mariadb 003_orders step.down fail",
  ]);
  expect(report.coverage.mariadb).toMatchObject({ checked: 3, total: 4 });
  expect(await mysqlScratchDatabasesOf(r.pid)).toEqual([]);
}, 120_000);
