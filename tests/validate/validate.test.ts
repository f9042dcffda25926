// validate: the tree, SQL that does not parse (at file:line:col), applied
// files edited since, and committed schema dumps — on real databases.

import { afterAll, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, pgDatabase, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
const dbs: { drop: () => Promise<void> }[] = [];
afterAll(async () => {
  dirs.forEach(cleanup);
  for (const d of dbs) await d.drop();
});

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

const checks = (r: { json: () => any }) => r.json().results.map((x: any) => `${x.check} ${x.status}`);

test("the showcase validates on SQLite and PostgreSQL, dumps included", async () => {
  const reports = tempDir();
  dirs.push(reports);
  const r = await runCli(
    ["validate", "--target", "sqlite", "--target", "postgres", "--json", "--report-dir", reports],
    { cwd: ROOT },
  );
  expect(r.json().results.filter((x: any) => x.status === "fail")).toEqual([]);
  expect(r.code).toBe(0);
  expect(checks(r)).toContain("schema.dump-drift pass");
  expect(checks(r)).toContain("files.parse pass");
}, 60_000);

test("a PostgreSQL syntax error is reported at its file, line and column", async () => {
  const dir = project({
    "sql/001_a/up.sql":
      "-- ünïcode comment\nCREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b int NOT NULL DEFAULT;\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
  });
  // Parsing needs no server: the target's database is only opened for --db (applied files).
  const r2 = await runCli(["validate", "--config", "c.yaml", "--json"], {
    cwd: writeTree(dir, {
      "c.yaml": "databases:\n  postgres: { url: 'postgres://postgres@127.0.0.1:5432/postgres' }\n",
    }),
  });
  const parse = r2.json().results.find((x: any) => x.check === "files.parse");
  expect(parse.status).toBe("fail");
  expect(parse.message).toBe('sql/001_a/up.sql:3:48: syntax error at or near ";"');
  expect(r2.code).toBe(1);
});

test("a SQLite syntax error is reported at its file, line and column; a down is checked too", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    "sql/002_b/up.sql": "ALTER TABLE a ADD COLUMN w TEXT;\n",
    "sql/002_b/down.sql": "ALTER TABLE a DROP COLUMN w;\nDELET FROM a;\n",
  });
  const r = await runCli(["validate", "--json", "--report-dir", join(dir, "r")], { cwd: dir });
  const parse = r.json().results.find((x: any) => x.check === "files.parse");
  expect(parse.message).toBe('sql/002_b/down.sql:2:1: near "DELET": syntax error');
  expect(r.code).toBe(1);
});

test("a tree problem, a gap and a missing dump are reported together", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id INTEGER);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    "sql/003_c/up.sql": "CREATE TABLE c (id INTEGER);\n",
    "sql/003_c/down.sql": "\n",
  });
  const r = await runCli(["validate", "--json"], { cwd: dir });
  expect(r.code).toBe(1);
  const messages = r.json().results.map((x: any) => `${x.check} ${x.status}: ${x.message}`);
  expect(messages).toContain("files.empty-down fail: sql/003_c/down.sql is empty: it does not undo sql/003_c/up.sql");
  expect(messages).toContain(
    "files.naming warn: versions 2 are missing from the sequence 1…3 (a deleted or renumbered migration?)",
  );
  expect(messages.find((m: string) => m.startsWith("schema.dump-drift skip"))).toContain(
    "stairway schema dump --target sqlite --at head > sql/schema.sqlite.sql",
  );
});

test("a committed dump that no longer matches fails with a diff; an edited applied file is drift", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
  });
  const dump = await runCli(["schema", "dump", "--at", "head", "--db", "sqlite::memory:"], { cwd: dir });
  writeFileSync(join(dir, "sql/schema.sqlite.sql"), dump.stdout);
  expect(checks(await runCli(["validate", "--json"], { cwd: dir }))).toContain("schema.dump-drift pass");

  writeFileSync(join(dir, "sql/001_a/up.sql"), "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT NOT NULL);\n");
  const r = await runCli(["validate", "--json"], { cwd: dir });
  const drift = r.json().results.find((x: any) => x.check === "schema.dump-drift");
  expect(drift.status).toBe("fail");
  expect(drift.details.diff).toContain("-  v TEXT,");
  expect(drift.details.diff).toContain("+  v TEXT NOT NULL,");

  const db = await pgDatabase();
  dbs.push(db);
  await runCli(["up", "--db", db.url], { cwd: dir });
  appendFileSync(join(dir, "sql/001_a/up.sql"), "-- a comment is a change too\n");
  const v = await runCli(["validate", "--db", db.url, "--json"], { cwd: dir });
  const changed = v.json().results.find((x: any) => x.check === "files.checksum-drift");
  expect(changed.status).toBe("fail");
  expect(changed.message).toMatch(/^001_a was applied on postgres at .* and its file has changed since/);
}, 60_000);

test("counts of one are singular: 1 migration, 1 applied file (never 1 migrations)", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
  });
  const url = `sqlite:${join(dir, "app.db")}`;
  expect((await runCli(["up", "--db", url], { cwd: dir })).code).toBe(0);
  const r = await runCli(["validate", "--db", url, "--json"], { cwd: dir });
  const messages = r.json().results.map((x: any) => `${x.check}: ${x.message}`);
  expect(messages).toContain("files.naming: 1 migration, well named, each up with its down");
  expect(messages).toContain("files.parse: 2 files parse and apply in order on SQLite");
  expect(messages).toContain("files.checksum-drift: 1 applied file unchanged");
});

const parseMessages = (r: { json: () => any }) =>
  r
    .json()
    .results.filter((x: any) => x.check === "files.parse")
    .map((x: any) => `${x.status} ${x.message}`);

test("SQLite: every error of a file is reported, statement by statement, against the state built so far", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    // Three syntax errors and a table that does not exist; the statements between them still run.
    "sql/002_b/up.sql": "CREATE TABLE b (id INTEGER PRIMARY KEY);\nCREATE INDEX b_id ON b (id);\n",
    "sql/002_b/down.sql":
      "DROP INDEX b_id;\nDELET FROM b;\nALTER TABLE b ADD COLUMN;\nDROP TABLE nope;\n  SELEC 1;\nDROP TABLE b;\n",
    // The up's second statement fails; its third runs, so 004 finds table c.
    "sql/003_c/up.sql":
      "CREATE TABLE c (id INTEGER PRIMARY KEY);\nINSERT INTO missing VALUES (1);\nCREATE TABLE d (id INTEGER);\n",
    "sql/003_c/down.sql": "DROP TABLE d;\nDROP TABLE c;\n",
    "sql/004_d/up.sql": "ALTER TABLE d ADD COLUMN w TEXT;\n",
    "sql/004_d/down.sql": "ALTER TABLE d DROP COLUMN w;\n",
  });
  const r = await runCli(["validate", "--json", "--report-dir", join(dir, "r")], { cwd: dir });
  expect(parseMessages(r)).toEqual([
    'fail sql/002_b/down.sql:2:1: near "DELET": syntax error',
    'fail sql/002_b/down.sql:3:25: near ";": syntax error',
    "warn sql/002_b/down.sql:4:1: no such table: nope (it parses, but does not apply in order on an empty database)",
    'fail sql/002_b/down.sql:5:3: near "SELEC": syntax error',
    "warn sql/003_c/up.sql:2:1: no such table: missing (it parses, but does not apply in order on an empty database)",
  ]);
  expect(r.code).toBe(1);
});

test("SQLite: the down of an up that failed is read for syntax errors only (its other errors would be the up's)", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABL a (id INTEGER);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\nDROP TABLE a a;\n",
  });
  const r = await runCli(["validate", "--json", "--report-dir", join(dir, "r")], { cwd: dir });
  expect(parseMessages(r)).toEqual([
    'fail sql/001_a/up.sql:1:8: near "TABL": syntax error',
    'fail sql/001_a/down.sql:2:14: near "a": syntax error',
  ]);
});

test("PostgreSQL: after the first syntax error of a file, each following statement is parsed on its own", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int,);\nCREATE INDEX ON a (id);\n",
    "sql/001_a/down.sql":
      "DROP TABLE b;\nALTER TABLE a DROP COLUMN x DROP COLUMN y;\nDROP TABLE a;\n\nSELEC 1;\nDROP TABLE a a;\n",
  });
  const r = await runCli(["validate", "--dialect", "postgres", "--json", "--report-dir", join(dir, "r")], {
    cwd: dir,
  });
  expect(parseMessages(r)).toEqual([
    'fail sql/001_a/up.sql:2:24: syntax error at or near ")"',
    'fail sql/001_a/down.sql:2:29: syntax error at or near "DROP"',
    'fail sql/001_a/down.sql:5:1: syntax error at or near "SELEC"',
    'fail sql/001_a/down.sql:6:14: syntax error at or near "a"',
  ]);
  expect(r.json().targets).toEqual([{ name: "postgres", dialect: "postgres", url: "(no database)" }]);
  expect(r.code).toBe(1);
});
