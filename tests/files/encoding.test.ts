// A migration file that is not UTF-8 is refused where it is wrong (file:line:col
// of the first bad byte) by up, validate and safety, before anything runs: it
// used to be applied with U+FFFD in place of its bytes.

import { afterAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, pgDatabase, pgQuery, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(): string {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, {
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY, name text);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    "sql/002_b/down.sql": "DELETE FROM a WHERE id = 1;\n",
  });
  // "café" saved as Latin-1 by an old editor: 0xE9 is no UTF-8.
  writeFileSync(
    join(dir, "sql/002_b/up.sql"),
    Buffer.concat([Buffer.from("-- seed\nINSERT INTO a VALUES (1, 'caf"), Buffer.from([0xe9]), Buffer.from("');\n")]),
  );
  return dir;
}

const MESSAGE = "sql/002_b/up.sql:2:30: not valid UTF-8 (byte 0xE9): save the file as UTF-8";

test("up refuses the tree on SQLite and PostgreSQL and touches neither", async () => {
  const dir = project();
  const sqlite = await runCli(["up", "--db", `sqlite:${join(dir, "app.db")}`], { cwd: dir });
  expect(sqlite.code).toBe(2);
  expect(sqlite.stderr.trim()).toBe(`stairway: ${MESSAGE}`);
  expect(existsSync(join(dir, "app.db"))).toBe(false);

  const db = await pgDatabase();
  try {
    const pg = await runCli(["up", "--db", db.url], { cwd: dir });
    expect(pg.code).toBe(2);
    expect(pg.stderr.trim()).toBe(`stairway: ${MESSAGE}`);
    expect(await pgQuery(db.url, "SELECT to_regclass('stairway_migrations') AS t, to_regclass('a') AS a")).toEqual([
      { t: null, a: null },
    ]);
  } finally {
    await db.drop();
  }
});

test("validate reports it as files.parse; safety refuses it", async () => {
  const dir = project();
  const v = await runCli(["validate", "--json"], { cwd: dir });
  expect(v.code).toBe(1);
  expect(
    v
      .json()
      .results.filter((r: any) => r.status === "fail")
      .map((r: any) => `${r.check}: ${r.message}`),
  ).toContain(`files.parse: ${MESSAGE}`);

  for (const args of [
    ["safety"],
    ["safety", "sql/002_b/up.sql", "--dialect", "sqlite"],
    ["safety", "--dialect", "postgres"],
  ]) {
    const s = await runCli(args, { cwd: dir });
    expect(s.code).toBe(2);
    expect(s.stderr.trim()).toBe(`stairway: ${MESSAGE}`);
  }
  // A file outside any tree, named on the command line.
  writeFileSync(
    join(dir, "loose.sql"),
    Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xc3, 0x28, 0x27, 0x3b, 0x0a]),
  );
  const loose = await runCli(["safety", "loose.sql"], { cwd: dir });
  expect(loose.code).toBe(2);
  expect(loose.stderr.trim()).toBe("stairway: loose.sql:1:9: not valid UTF-8 (byte 0xC3): save the file as UTF-8");
});
