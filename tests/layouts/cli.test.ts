// Other runners' trees through the command line, on real databases: errors
// point into the real file, each runner's no-transaction marker holds on
// PostgreSQL, and a wrong preset is one sentence.

import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { cleanup, pgDatabase, pgQuery, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

const DBMATE = {
  "db/migrations/20240101000000_users.sql":
    "-- migrate:up\nCREATE TABLE users (\n  id integer PRIMARY KEY,\n  email text\n);\n\n-- migrate:down\nDROP TABLE users;\n",
  // The down forgets a semicolon: the error is on line 7 of the real file.
  "db/migrations/20240102000000_name.sql":
    "-- migrate:up\nALTER TABLE users ADD COLUMN name text;\n\n-- migrate:down\n-- forgot a semicolon\nALTER TABLE users DROP COLUMN name\nALTER TABLE users DROP COLUMN email;\n",
};

describe("dbmate, detected", () => {
  test("validate on SQLite reports the down section's error at the real file's line", async () => {
    const dir = project(DBMATE);
    const r = await runCli(["validate", "--sql", "db/migrations", "--db", `sqlite:${join(dir, "app.db")}`, "--json"], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    const report = r.json();
    expect(report.layout).toEqual({ preset: "dbmate", detected: true, tree: "db/migrations" });
    const parse = report.results.filter(
      (x: { check: string; status: string }) => x.check === "files.parse" && x.status === "fail",
    );
    expect(parse.map((x: { message: string }) => x.message)).toEqual([
      'db/migrations/20240102000000_name.sql:7:1: near "ALTER": syntax error',
    ]);
  });

  test("test names the failed down at file:line, and the console says which layout it read", async () => {
    const dir = project(DBMATE);
    const r = await runCli(["test", "--sql", "db/migrations", "--db", `sqlite:${join(dir, "unused.db")}`], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('db/migrations/20240102000000_name.sql:7:1: near "ALTER": syntax error');
    expect(r.stdout).toContain("\nlayout: dbmate (detected)\n");
  });
});

describe("goose", () => {
  const GOOSE = {
    "m/00001_a.sql": "-- +goose Up\nCREATE TABLE a (id integer PRIMARY KEY);\n-- +goose Down\nDROP TABLE a;\n",
    "m/00002_b.sql":
      "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE b (id integer)\n-- +goose StatementEnd\nINSERT INTO nope VALUES (1);\n-- +goose Down\nDROP TABLE b;\n",
  };

  test("up on a SQLite file: the up section's error at its line and column, the earlier migration applied", async () => {
    const dir = project(GOOSE);
    const db = join(dir, "app.db");
    const r = await runCli(["up", "--sql", "m", "--layout", "goose", "--db", `sqlite:${db}`, "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    const report = r.json();
    expect(report.layout).toEqual({ preset: "goose", detected: false, tree: "m" });
    expect(
      report.results.map((x: { migration: string; status: string; message: string }) => [
        x.migration,
        x.status,
        x.message,
      ]),
    ).toEqual([
      ["00001_a", "pass", "applied"],
      ["00002_b", "fail", "m/00002_b.sql:5:1: no such table: nope"],
    ]);
    const sqlite = new Database(db, { readonly: true });
    expect(
      sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b') ORDER BY name").all(),
    ).toEqual([{ name: "a" }]);
    sqlite.close();
  });

  test("a wrong --layout is one sentence that names what the files look like (exit 2)", async () => {
    const dir = project(GOOSE);
    const r = await runCli(["up", "--sql", "m", "--layout", "dbmate", "--db", `sqlite:${join(dir, "app.db")}`], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'stairway: m does not look like a dbmate tree (--layout dbmate): none of its files has a "-- migrate:up" line; its files look like goose (goose reads 2 of them): pass --layout goose, or leave --layout out to detect it\n',
    );
  });
});

describe("no-transaction markers on PostgreSQL", () => {
  test("popx .autocommit, goose NO TRANSACTION, dbmate transaction:false and diesel metadata.toml run CREATE INDEX CONCURRENTLY", async () => {
    const trees: Record<string, Record<string, string>> = {
      popx: {
        "20240101000000000000_t.up.sql": "CREATE TABLE t (id integer);\n",
        "20240101000000000000_t.down.sql": "DROP TABLE t;\n",
        "20240102000000000000_i.postgres.autocommit.up.sql": "CREATE INDEX CONCURRENTLY i ON t (id);\n",
        "20240102000000000000_i.postgres.autocommit.down.sql": "DROP INDEX CONCURRENTLY i;\n",
        "20240102000000000000_i.mysql.up.sql": "CREATE INDEX i ON t (id);\n",
      },
      goose: {
        "1_t.sql": "-- +goose Up\nCREATE TABLE t (id integer);\n-- +goose Down\nDROP TABLE t;\n",
        "2_i.sql":
          "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (id);\n-- +goose Down\nDROP INDEX CONCURRENTLY i;\n",
      },
      dbmate: {
        "1_t.sql": "-- migrate:up\nCREATE TABLE t (id integer);\n-- migrate:down\nDROP TABLE t;\n",
        "2_i.sql":
          "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (id);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n",
      },
      diesel: {
        "2024-01-01-000000_t/up.sql": "CREATE TABLE t (id integer);\n",
        "2024-01-01-000000_t/down.sql": "DROP TABLE t;\n",
        "2024-01-02-000000_i/up.sql": "CREATE INDEX CONCURRENTLY i ON t (id);\n",
        "2024-01-02-000000_i/down.sql": "DROP INDEX CONCURRENTLY i;\n",
        "2024-01-02-000000_i/metadata.toml": "run_in_transaction = false\n",
      },
    };
    for (const [preset, files] of Object.entries(trees)) {
      const dir = project(Object.fromEntries(Object.entries(files).map(([k, v]) => [`m/${k}`, v])));
      const pg = await pgDatabase();
      try {
        const up = await runCli(["up", "--sql", "m", "--db", pg.url, "--json"], { cwd: dir });
        expect([preset, up.code, up.stderr]).toEqual([preset, 0, ""]);
        expect(up.json().layout.preset).toBe(preset);
        expect(await pgQuery(pg.url, "SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([
          { indexname: "i" },
        ]);
        const down = await runCli(["down", "--sql", "m", "--db", pg.url], { cwd: dir });
        expect([preset, down.code, down.stderr]).toEqual([preset, 0, ""]);
        expect(await pgQuery(pg.url, "SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([]);
      } finally {
        await pg.drop();
      }
    }
  });
});

describe("choosing a layout", () => {
  test("--layout with an unknown preset lists the known ones (exit 2)", async () => {
    const r = await runCli(["status", "--layout", "liquibase"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "stairway: --layout liquibase: not a known preset (known: stairway, golang-migrate, sqlx, dbmate, goose, flyway, diesel, prisma, popx)\n",
    );
  });

  test("layout.preset in the config is read; an unknown one, or both preset and pattern, is a config error with its line", async () => {
    const dir = project({
      "tests/migrations/config.yaml": "layout: { preset: flyway }\n",
      "sql/V1__a.sql": "CREATE TABLE a (id integer);\n",
      "sql/V2__b.sql": "CREATE TABLE b (id integer);\n",
    });
    const ok = await runCli(["up", "--db", `sqlite:${join(dir, "app.db")}`, "--json"], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.json().layout).toEqual({ preset: "flyway", detected: false, tree: "sql" });

    writeTree(dir, { "tests/migrations/config.yaml": "migrations: { sql: sql }\nlayout:\n  preset: liquibase\n" });
    const bad = await runCli(["status", "--db", `sqlite:${join(dir, "app.db")}`], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'stairway: tests/migrations/config.yaml:3: layout.preset "liquibase" is not one of stairway, golang-migrate, sqlx, dbmate, goose, flyway, diesel, prisma or popx\n',
    );

    writeTree(dir, {
      "tests/migrations/config.yaml":
        "layout: { preset: flyway, pattern: '^V(?<version>\\d+)__(?<name>\\w+)\\.sql$' }\n",
    });
    const both = await runCli(["status", "--db", `sqlite:${join(dir, "app.db")}`], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'stairway: tests/migrations/config.yaml:1: layout needs either "preset" or "pattern", not both\n',
    );
  });

  test("--layout wins over the config; --help lists the presets", async () => {
    const dir = project({
      "tests/migrations/config.yaml": "layout: { preset: goose }\n",
      "sql/1_a.up.sql": "CREATE TABLE a (id integer);\n",
      "sql/1_a.down.sql": "DROP TABLE a;\n",
    });
    const r = await runCli(["up", "--layout", "golang-migrate", "--db", `sqlite:${join(dir, "app.db")}`, "--json"], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(r.json().layout).toEqual({ preset: "golang-migrate", detected: false, tree: "sql" });
    const help = await runCli(["--help"]);
    expect(help.stdout).toContain("--layout <preset>");
    expect(help.stdout).toContain(
      "stairway, golang-migrate, sqlx, dbmate, goose, flyway, diesel, prisma, popx (default: detected from the files)",
    );
  });

  test("an up-only tree (Prisma) runs with up, with no missing-down anywhere", async () => {
    const dir = project({
      "prisma/migrations/20230101120000_init/migration.sql": 'CREATE TABLE "User" ("id" TEXT NOT NULL);\n',
      "prisma/migrations/20230214093000_email/migration.sql": 'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n',
      "prisma/migrations/migration_lock.toml": 'provider = "sqlite"\n',
    });
    const db = `sqlite:${join(dir, "app.db")}`;
    const up = await runCli(["up", "--sql", "prisma/migrations", "--db", db], { cwd: dir });
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("layout: prisma (detected)");
    const v = await runCli(["validate", "--sql", "prisma/migrations", "--db", db, "--json"], { cwd: dir });
    expect(v.json().results.filter((x: { check: string }) => x.check === "files.missing-down")).toEqual([]);
  });
});

describe("safety on a single-file layout", () => {
  test("both sections of a dbmate file are linted, at the real file's lines, with transaction:false honoured", async () => {
    const dir = project({
      "m/1_users.sql":
        "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- migrate:down\nDROP TABLE users;\n",
      "m/2_idx.sql":
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY idx ON users (email);\n\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n",
    });
    const r = await runCli(["safety", "m", "--dialect", "postgres", "--json"], { cwd: dir });
    const found = r
      .json()
      .results.filter((x: { status: string }) => x.status !== "pass")
      .map(
        (x: { check: string; details: { file: string; line: number } }) =>
          `${x.details.file}:${x.details.line} ${x.check}`,
      );
    expect(found.sort()).toEqual([
      "m/1_users.sql:4 safety.require-lock-timeout",
      "m/2_idx.sql:5 safety.ban-drop-column",
      "m/2_idx.sql:5 safety.require-lock-timeout",
    ]);
  });
});
