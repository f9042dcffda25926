// `setup:` in the config: SQL a tree's own runner runs before migrating (its
// bookkeeping table, a schema), run on every scratch database of the dialect
// before the first migration — on real SQLite and PostgreSQL.

import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { cleanup, PG_URL, runCli, scratchDatabasesOf, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

// The tree's first migration alters the table its runner (pop, diesel…) made before migrating.
const TREE = {
  "sql/001_a/up.sql":
    "ALTER TABLE schema_migrations ADD COLUMN note text;\nCREATE TABLE a (id integer PRIMARY KEY, v text);\n",
  "sql/001_a/down.sql": "DROP TABLE a;\nALTER TABLE schema_migrations DROP COLUMN note;\n",
  "sql/002_b/up.sql": "CREATE INDEX a_v ON a (v);\n",
  "sql/002_b/down.sql": "DROP INDEX a_v;\n",
};

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

const CONFIG = "setup:\n  sqlite: [setup/runner.sql]\n  postgresql: [setup/runner.sql]\n";
const SETUP =
  "-- what the runner makes before it migrates\nCREATE TABLE schema_migrations (version text PRIMARY KEY);\n";

for (const db of ["sqlite", "postgres"] as const) {
  describe(`setup on ${db}`, () => {
    const url = (dir: string) => (db === "sqlite" ? `sqlite:${join(dir, "app.db")}` : PG_URL);

    test("without it, the first up fails; with it, every migration is checked", async () => {
      const bare = project(TREE);
      const without = await runCli(["test", "--db", url(bare), "--json"], { cwd: bare });
      expect(without.code).toBe(1);
      expect(without.json().coverage[db].checked).toBe(0);

      const dir = project({ ...TREE, "tests/migrations/config.yaml": CONFIG, "setup/runner.sql": SETUP });
      const r = await runCli(["test", "--db", url(dir), "--json"], { cwd: dir });
      expect(r.json().results.filter((x: any) => x.status === "fail")).toEqual([]);
      expect(r.json().coverage[db]).toMatchObject({ checked: 2, total: 2 });
      expect(r.code).toBe(0);
      if (db === "postgres") expect(await scratchDatabasesOf(r.pid)).toEqual([]);

      // validate runs the files on a scratch database too: the setup comes first there as well.
      const v = await runCli(["validate", "--db", url(dir), "--json"], { cwd: dir });
      expect(v.json().results.filter((x: any) => x.status === "fail" || x.status === "warn")).toEqual([]);
    }, 60_000);

    test("a setup file that fails stops the command in one sentence naming file:line:col", async () => {
      const dir = project({
        ...TREE,
        "tests/migrations/config.yaml": CONFIG,
        "setup/runner.sql": `${SETUP}\nALTER TABLE nowhere ADD COLUMN x int;\n`,
      });
      const r = await runCli(["test", "--db", url(dir)], { cwd: dir });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^stairway: setup file setup/runner\\.sql:4:\\d+ failed on target ${db}: .*nowhere.* \\(setup\\.${db} in tests/migrations/config\\.yaml\\)$`,
        ),
      );
      if (db === "postgres") expect(await scratchDatabasesOf(r.pid)).toEqual([]);
    }, 60_000);
  });
}

test("the setup of one dialect does not run on the other's targets", async () => {
  const dir = project({
    ...TREE,
    "tests/migrations/config.yaml": "setup:\n  postgres: [setup/runner.sql]\n",
    "setup/runner.sql": SETUP,
  });
  const r = await runCli(["test", "--db", `sqlite:${join(dir, "app.db")}`, "--json"], { cwd: dir });
  expect(r.json().results.find((x: any) => x.check === "step.up").message).toContain(
    "no such table: schema_migrations",
  );
});

test("a session setting a setup file makes (search_path) holds for the migrations on that connection", async () => {
  const dir = project({
    "tests/migrations/config.yaml": "setup:\n  postgres: [setup.sql]\n",
    "setup.sql": "CREATE SCHEMA app;\nSET search_path TO app, public;\n",
    // Unqualified, as a runner whose URL sets search_path writes them; the down names the schema.
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
    "sql/001_a/down.sql": "DROP TABLE app.a;\n",
  });
  const r = await runCli(["test", "--db", PG_URL, "--json"], { cwd: dir });
  expect(r.json().results.filter((x: any) => x.status === "fail")).toEqual([]);
  expect(r.json().coverage.postgres).toMatchObject({ checked: 1, total: 1 });
}, 60_000);
