// Transaction control inside a migration file, on SQLite and PostgreSQL: a
// whole-file BEGIN … COMMIT wrapper (golang-migrate trees) runs in stairway's
// own transaction, bookkeeping included; any other BEGIN/COMMIT/ROLLBACK in a
// transactional file is refused before anything runs; a no-transaction file
// runs them as written.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cleanup, pgDatabase, pgQuery, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
const dbs: { drop: () => Promise<void> }[] = [];
afterAll(async () => {
  dirs.forEach(cleanup);
  await Promise.all(dbs.map((d) => d.drop()));
}, 30_000);

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, {
    "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    ...files,
  });
}

async function dbUrl(dialect: "sqlite" | "postgres", dir: string): Promise<string> {
  if (dialect === "sqlite") return `sqlite:${join(dir, "app.db")}`;
  const db = await pgDatabase();
  dbs.push(db);
  return db.url;
}

const states = (r: { json: () => any }) => r.json().migrations.map((m: any) => `${m.version}:${m.state}`);

async function tables(dialect: "sqlite" | "postgres", url: string, dir: string): Promise<string[]> {
  if (dialect === "postgres")
    return (
      await pgQuery<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    ).map((r) => r.t);
  const { Database } = await import("bun:sqlite");
  const db = new Database(join(dir, "app.db"), { readonly: true });
  try {
    return (db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1").all() as { name: string }[]).map(
      (r) => r.name,
    );
  } finally {
    db.close();
  }
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`transaction control on ${dialect}`, () => {
    test("a whole-file BEGIN … COMMIT runs in stairway's transaction: applied with its row, or not at all, errors at the right line", async () => {
      const wrapped = (body: string) => `-- golang-migrate style\nBEGIN TRANSACTION;\n\n${body}\nCOMMIT;\n`;
      const dir = project({
        "sql/002_b/up.sql": wrapped("CREATE TABLE b (id integer PRIMARY KEY);\nINSERT INTO b VALUES (1);"),
        "sql/002_b/down.sql": "BEGIN;\nDROP TABLE b;\nEND;\n",
        // Fails at its 3rd statement, on line 6: the 2 before it must roll back.
        "sql/003_c/up.sql": wrapped(
          "CREATE TABLE c (id integer PRIMARY KEY);\nINSERT INTO c VALUES (1);\nINSERT INTO c VALUES (1);",
        ),
        "sql/003_c/down.sql": "DROP TABLE c;\n",
      });
      const url = await dbUrl(dialect, dir);
      const up = await runCli(["up", "--db", url, "--json"], { cwd: dir });
      expect(up.code).toBe(1);
      const results = up.json().results.map((r: any) => `${r.migration} ${r.status}`);
      expect(results).toEqual(["001_a pass", "002_b pass", "003_c fail"]);
      expect(up.json().results[2].message).toMatch(/^sql\/003_c\/up\.sql:6:1: .*(UNIQUE|unique|duplicate)/);
      expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual([
        "001:applied",
        "002:applied",
        "003:pending",
      ]);
      expect(await tables(dialect, url, dir)).toEqual(["a", "b", "stairway_migrations"]);
      // A syntax error inside the wrapper points at its own line and column.
      writeTree(dir, {
        "sql/003_c/up.sql": wrapped("CREATE TABLE c (id integer PRIMARY KEY);\nCREATE TABLE d (id integer,);"),
      });
      const syntax = await runCli(["up", "--db", url, "--json"], { cwd: dir });
      expect(syntax.json().results[0].message).toMatch(/^sql\/003_c\/up\.sql:5:28: .*syntax error/);
      expect(await tables(dialect, url, dir)).toEqual(["a", "b", "stairway_migrations"]);
      // The wrapped down, too.
      expect((await runCli(["down", "--db", url], { cwd: dir })).code).toBe(0);
      expect(await tables(dialect, url, dir)).toEqual(["a", "stairway_migrations"]);
      // The linter agrees: no transaction-nesting finding for a wrapper.
      const lint = await runCli(["safety", "--dialect", dialect, "--json", "sql/002_b/up.sql", "sql/002_b/down.sql"], {
        cwd: dir,
      });
      expect(lint.json().results.map((r: any) => r.check)).not.toContain("safety.transaction-nesting");
    });

    test("a COMMIT halfway, a ROLLBACK, or two BEGIN … COMMIT blocks: refused before anything runs, naming the line", async () => {
      const cases: [string, string][] = [
        [
          "CREATE TABLE b (id integer);\nCOMMIT;\nCREATE TABLE c (id integer);\n",
          "sql/002_b/up.sql:2:1: COMMIT in a file",
        ],
        [
          "BEGIN;\nCREATE TABLE b (id integer);\nCOMMIT;\nBEGIN;\nCREATE TABLE c (id integer);\nCOMMIT;\n",
          "sql/002_b/up.sql:3:1: COMMIT in a file",
        ],
        ["BEGIN;\nCREATE TABLE b (id integer);\nROLLBACK;\n", "sql/002_b/up.sql:1:1: BEGIN in a file"],
        [
          "CREATE TABLE b (id integer);\n  start transaction;\nCREATE TABLE c (id integer);\n",
          "sql/002_b/up.sql:2:3: START TRANSACTION in a file",
        ],
      ];
      for (const [sql, where] of cases) {
        const dir = project({ "sql/002_b/up.sql": sql, "sql/002_b/down.sql": "DROP TABLE b;\n" });
        const url = await dbUrl(dialect, dir);
        const up = await runCli(["up", "--db", url], { cwd: dir });
        expect(up.code).toBe(2);
        expect(up.stderr).toStartWith(
          `stairway: ${where} stairway runs in a transaction would end that transaction early`,
        );
        expect(up.stderr).toContain('"-- stairway:no-transaction"');
        // Nothing ran, not even 001: the tree is refused as a whole.
        if (dialect === "sqlite") expect(existsSync(join(dir, "app.db"))).toBe(false);
        else expect(await tables(dialect, url, dir)).toEqual([]);
        const v = await runCli(["validate", "--json"], { cwd: dir });
        expect(
          v.json().results.find((r: any) => r.check === "files.parse" && r.status === "fail")?.message,
        ).toStartWith(where);
        // SQLite has no START TRANSACTION (a syntax error there, which the linter leaves to validate).
        if (dialect === "sqlite" && sql.includes("start")) continue;
        const lint = await runCli(["safety", "--dialect", dialect, "--json", "sql/002_b/up.sql"], { cwd: dir });
        expect(lint.json().results.filter((r: any) => r.check === "safety.transaction-nesting")).toHaveLength(1);
      }
    });

    test("a no-transaction file runs its own BEGIN … COMMIT blocks as written", async () => {
      const dir = project({
        "sql/002_b/up.sql":
          "-- stairway:no-transaction\nBEGIN;\nCREATE TABLE b (id integer);\nCOMMIT;\nBEGIN;\nCREATE TABLE c (id integer);\nCOMMIT;\n",
        "sql/002_b/down.sql": "-- stairway:no-transaction\nDROP TABLE c;\nDROP TABLE b;\n",
      });
      const url = await dbUrl(dialect, dir);
      const up = await runCli(["up", "--db", url], { cwd: dir });
      expect(up.code).toBe(0);
      expect(await tables(dialect, url, dir)).toEqual(["a", "b", "c", "stairway_migrations"]);
      expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual([
        "001:applied",
        "002:applied",
      ]);
    });
  });
}
