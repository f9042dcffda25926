// validate reads a tree in the dialect it is written for: the targets', else
// --dialect, else what the tree says of itself, else SQLite's.

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { cleanup, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

async function validate(dir: string, ...args: string[]) {
  const r = await runCli(["validate", ...args, "--report-dir", join(dir, "r")], { cwd: dir });
  const json = await runCli(["validate", ...args, "--json", "--report-dir", join(dir, "r")], { cwd: dir });
  const report = json.json();
  return {
    code: json.code,
    stdout: r.stdout,
    dialects: report.targets.map((t: any) => `${t.name} ${t.dialect} ${t.url}`),
    parse: report.results.filter((x: any) => x.check === "files.parse").map((x: any) => `${x.status} ${x.message}`),
  };
}

// PostgreSQL's syntax, which SQLite refuses: read as SQLite, every file would fail.
const PG_TREE = {
  "sql/1_accounts.up.sql":
    "CREATE TABLE accounts (id bigserial PRIMARY KEY, made timestamptz NOT NULL DEFAULT now(), doc jsonb);\n",
  "sql/1_accounts.down.sql": "DROP TABLE accounts;\n",
  "sql/2_index.up.sql": "CREATE INDEX CONCURRENTLY accounts_made ON accounts (made);\n",
  "sql/2_index.down.sql": "DROP INDEX CONCURRENTLY accounts_made;\n",
  "sql/3_kind.up.sql": "ALTER TABLE accounts ALTER COLUMN doc TYPE json USING doc::json;\n",
  "sql/3_kind.down.sql": "ALTER TABLE accounts ALTER COLUMN doc TYPE jsonb USING doc::jsonb;\n",
};

test("with no target, a tree whose SQL only PostgreSQL has is parsed as PostgreSQL, with no database", async () => {
  const dir = project(PG_TREE);
  const r = await validate(dir);
  expect(r.dialects).toEqual(["postgres postgres (no database)"]);
  expect(r.parse).toEqual(["pass 6 files parse as PostgreSQL"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("read as PostgreSQL: 5 of its 6 files use words only PostgreSQL has");
});

test("--dialect names the dialect; a PostgreSQL tree read as SQLite fails as it did before", async () => {
  const dir = project(PG_TREE);
  const r = await validate(dir, "--dialect", "sqlite");
  expect(r.dialects).toEqual(["sqlite sqlite sqlite::memory:"]);
  expect(r.parse[0]).toMatch(/^fail sql\/1_accounts\.up\.sql:1:\d+: /);
  expect(r.stdout).toContain("read as SQLite: --dialect");
  expect(r.code).toBe(1);
});

test("a tree with no word of either dialect is read as SQLite, saying that nothing said otherwise", async () => {
  const dir = project({
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
  });
  const r = await validate(dir);
  expect(r.dialects).toEqual(["sqlite sqlite sqlite::memory:"]);
  expect(r.stdout).toContain(
    "read as SQLite: nothing in sql says which dialect it is written for (--dialect names it)",
  );
  expect(r.code).toBe(0);
});

test("files of a dialect (popx) are read in each dialect they are written for", async () => {
  const dir = project({
    "sql/20240101000000000000_a.postgres.up.sql": "CREATE TABLE a (id uuid PRIMARY KEY, at timestamptz);\n",
    "sql/20240101000000000000_a.sqlite3.up.sql": "CREATE TABLE a (id TEXT PRIMARY KEY, at DATETIME);\n",
    "sql/20240101000000000000_a.mysql.up.sql": "CREATE TABLE a (id CHAR(36) PRIMARY KEY) ENGINE=InnoDB;\n",
    "sql/20240101000000000000_a.down.sql": "DROP TABLE a;\n",
    "sql/20240102000000000000_b.sqlite3.up.sql": "CREATE TABLE b (x INTEGER PRIMARY KEY AUTOINCREMENT;\n",
    "sql/20240102000000000000_b.up.sql": "CREATE TABLE b (x serial PRIMARY KEY);\n",
    "sql/20240102000000000000_b.down.sql": "DROP TABLE b;\n",
  });
  const r = await validate(dir);
  expect(r.dialects).toEqual([
    "postgres postgres (no database)",
    "sqlite sqlite sqlite::memory:",
    "mysql mysql (no database)",
  ]);
  expect(r.parse).toEqual([
    "pass 4 files parse as PostgreSQL",
    'fail sql/20240102000000000000_b.sqlite3.up.sql:1:52: near ";": syntax error',
    "skip no MariaDB/MySQL database to run the files on: name one with --db",
  ]);
});

test("Prisma's migration_lock.toml names the dialect", async () => {
  const dir = project({
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
    "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "User" ("id" TEXT NOT NULL);\n',
  });
  const r = await validate(dir, "--sql", "prisma/migrations");
  expect(r.dialects).toEqual(["postgres postgres (no database)"]);
  expect(r.stdout).toContain("read as PostgreSQL: prisma/migrations/migration_lock.toml says PostgreSQL");
});

test("targets named decide; --dialect keeps those of its dialect, or parses only when none is", async () => {
  const dir = project(PG_TREE);
  const sqlite = await validate(dir, "--db", "sqlite::memory:");
  expect(sqlite.dialects).toEqual(["sqlite sqlite sqlite::memory:"]);
  expect(sqlite.code).toBe(1);
  const pg = await validate(dir, "--db", "sqlite::memory:", "--dialect", "pg");
  expect(pg.dialects).toEqual(["postgres postgres (no database)"]);
  expect(pg.parse).toEqual(["pass 6 files parse as PostgreSQL"]);
  expect(pg.code).toBe(0);
});
