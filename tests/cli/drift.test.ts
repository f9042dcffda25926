// Silent green: an applied file edited since, an empty up, a tree that is not
// there. up refuses drift unless --allow-drift; status --exit-code is a CI
// gate; an empty up is a warning; a missing tree is an error unless it is
// empty on purpose. On SQLite files and a PostgreSQL database of the test's own.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, pgDatabase, pgQuery, runCli, tempDir, writeTree } from "../helpers.ts";

const TREE = {
  "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
  "sql/001_a/down.sql": "DROP TABLE a;\n",
  "sql/002_b/up.sql": "CREATE TABLE b (id integer PRIMARY KEY);\n",
  "sql/002_b/down.sql": "DROP TABLE b;\n",
};
const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

describe("up on a drifted tree", () => {
  test("SQLite: refused naming the file (exit 1), nothing applied; --allow-drift applies the pending ones", async () => {
    const dir = project(TREE);
    const db = ["--db", `sqlite:${join(dir, "app.db")}`];
    expect((await runCli(["up", "--to", "001", ...db], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, "sql/001_a/up.sql"), "CREATE TABLE a (id integer PRIMARY KEY, note text);\n");

    const refused = await runCli(["up", ...db], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "stairway: target sqlite: sql/001_a/up.sql was edited after it was applied; restore the applied text (status shows them as drifted), or pass --allow-drift to apply the pending migrations anyway\n",
    );
    const dry = await runCli(["up", "--dry-run", ...db], { cwd: dir });
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe("");
    const status = await runCli(["status", "--json", ...db], { cwd: dir });
    expect(status.json().migrations.map((m: { state: string }) => m.state)).toEqual(["drifted", "pending"]);

    const allowed = await runCli(["up", "--allow-drift", "--json", ...db], { cwd: dir });
    expect(allowed.code).toBe(0);
    expect(
      allowed.json().results.map((r: { migration: string; status: string }) => `${r.migration} ${r.status}`),
    ).toEqual(["002_b pass"]);
  });

  test("PostgreSQL: the same, and redo of the edited last migration still works", async () => {
    const pg = await pgDatabase();
    try {
      const dir = project(TREE);
      const db = ["--db", pg.url];
      expect((await runCli(["up", ...db], { cwd: dir })).code).toBe(0);
      writeFileSync(join(dir, "sql/002_b/up.sql"), "CREATE TABLE b (id integer PRIMARY KEY, note text);\n");
      const refused = await runCli(["up", ...db], { cwd: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("sql/002_b/up.sql was edited after it was applied");
      // redo is how one re-applies the migration being written.
      expect((await runCli(["redo", ...db], { cwd: dir })).code).toBe(0);
      expect(
        await pgQuery(pg.url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'b' ORDER BY 1"),
      ).toEqual([{ column_name: "id" }, { column_name: "note" }]);
      expect((await runCli(["up", ...db], { cwd: dir })).code).toBe(0);
    } finally {
      await pg.drop();
    }
  });
});

describe("status --exit-code", () => {
  test("exit 1 while anything is pending, drifted or missing its file; 0 at head; plain status always 0", async () => {
    const dir = project(TREE);
    const db = ["--db", `sqlite:${join(dir, "app.db")}`];
    const gate = async () => (await runCli(["status", "--exit-code", ...db], { cwd: dir })).code;
    expect(await gate()).toBe(1); // pending (and no database yet: none is created)
    expect((await runCli(["up", ...db], { cwd: dir })).code).toBe(0);
    expect(await gate()).toBe(0);
    writeFileSync(join(dir, "sql/002_b/up.sql"), "CREATE TABLE b (id bigint PRIMARY KEY);\n");
    expect(await gate()).toBe(1); // drifted
    writeFileSync(join(dir, "sql/002_b/up.sql"), TREE["sql/002_b/up.sql"]);
    expect(await gate()).toBe(0);
    cleanup(join(dir, "sql/002_b"));
    expect(await gate()).toBe(1); // missing-file
    expect((await runCli(["status", ...db], { cwd: dir })).code).toBe(0);
  });

  test("--help shows it, and up's --allow-drift, with examples", async () => {
    const status = await runCli(["status", "--help"]);
    expect(status.stdout).toContain("--exit-code");
    expect(status.stdout).toContain("stairway status --exit-code");
    const up = await runCli(["up", "--help"]);
    expect(up.stdout).toContain("--allow-drift");
    expect(up.stdout).toContain("stairway up --allow-drift");
  });
});

describe("an empty up", () => {
  const files = { ...TREE, "sql/003_c/up.sql": "-- to be written\n", "sql/003_c/down.sql": "SELECT 1;\n" };

  test("validate and test: a warn result files.empty-up, the run still passes", async () => {
    const dir = project(files);
    for (const command of ["validate", "test"]) {
      const r = await runCli([command, "--json"], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.json().results.filter((x: { check: string }) => x.check === "files.empty-up")).toEqual([
        {
          check: "files.empty-up",
          target: "sqlite",
          migration: "003_c",
          status: "warn",
          message: "sql/003_c/up.sql is empty: applying it records version 003 and changes nothing",
        },
      ]);
    }
  });

  test("up: one warning line on stderr when it applies it, none after", async () => {
    const dir = project(files);
    const db = ["--db", `sqlite:${join(dir, "app.db")}`];
    const first = await runCli(["up", ...db], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(
      "stairway: warning: sql/003_c/up.sql is empty: applying it records version 003 and changes nothing\n",
    );
    const again = await runCli(["up", ...db], { cwd: dir });
    expect(again.stderr).toBe("");
  });

  test("a file that only says where it is skipped is no empty up", async () => {
    const dir = project({
      ...TREE,
      "sql/003_c/up.sqlite.sql": "-- stairway:skip sqlite\n",
      "sql/003_c/up.sql": "SELECT 1;\n",
      "sql/003_c/down.sql": "SELECT 1;\n",
    });
    const r = await runCli(["validate", "--json"], { cwd: dir });
    expect(r.json().results.filter((x: { check: string }) => x.check === "files.empty-up")).toEqual([]);
  });
});

describe("a tree that is empty on purpose", () => {
  test("an existing empty --sql directory: nothing to do, exit 0", async () => {
    const dir = project({});
    mkdirSync(join(dir, "migrations"));
    const r = await runCli(["up", "--sql", "migrations", "--db", `sqlite:${join(dir, "app.db")}`], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  test("only a Redis tree: the absent default sql/ is fine", async () => {
    const dir = project({ "redis-migrations/001_r.ts": "export default { async up() {}, async down() {} };\n" });
    const r = await runCli(["status", "--db", `sqlite:${join(dir, "app.db")}`], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  test("new in an empty project creates the tree", async () => {
    const dir = project({});
    const r = await runCli(["new", "create_users"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("sql/001_create_users/up.sql");
  });
});
