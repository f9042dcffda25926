// The runner end to end through the CLI, on SQLite files and PostgreSQL
// databases of its own: up/down/redo/status, drift, dirty, transactions, locks.

import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, pgDatabase, pgQuery, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
const dbs: { drop: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const d of dirs) cleanup(d);
  for (const db of dbs) await db.drop();
});

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

const TREE = {
  "sql/001_users/up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL UNIQUE);\n",
  "sql/001_users/down.sql": "DROP TABLE users;\n",
  "sql/002_posts/up.sql":
    "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id), body text);\nCREATE INDEX idx_posts_user ON posts (user_id);\n",
  "sql/002_posts/down.sql": "DROP TABLE posts;\n",
  "sql/003_users_name/up.sql": "ALTER TABLE users ADD COLUMN name text;\n",
  "sql/003_users_name/down.sql": "ALTER TABLE users DROP COLUMN name;\n",
};

async function dbUrl(dialect: "sqlite" | "postgres", dir: string): Promise<string> {
  if (dialect === "sqlite") return `sqlite:${join(dir, "app.db")}`;
  const db = await pgDatabase();
  dbs.push(db);
  return db.url;
}

/** The tables of a SQLite file, read with its own engine. */
function sqliteTables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .query<{ name: string }, []>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1")
      .all()
      .map((t) => t.name);
  } finally {
    db.close();
  }
}

const states = (r: { json: () => any }) => r.json().migrations.map((m: any) => `${m.version}:${m.state}`);

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`runner on ${dialect}`, () => {
    test("up, status, down, redo and --to", async () => {
      const dir = project(TREE);
      const url = await dbUrl(dialect, dir);
      const cli = (...args: string[]) => runCli([...args, "--db", url], { cwd: dir });

      expect(states(await cli("status", "--json"))).toEqual(["001:pending", "002:pending", "003:pending"]);
      const up = await cli("up", "--to", "2", "--json");
      expect(up.code).toBe(0);
      expect(up.json().results.map((r: any) => `${r.check} ${r.migration} ${r.status}`)).toEqual([
        "step.up 001_users pass",
        "step.up 002_posts pass",
      ]);
      expect(states(await cli("status", "--json"))).toEqual(["001:applied", "002:applied", "003:pending"]);
      expect((await cli("up")).code).toBe(0);
      expect((await cli("redo")).stdout).toMatch(/003_users_name\s+down[\s\S]*003_users_name\s+up/);
      const down = await cli("down", "--steps", "2", "--json");
      expect(down.json().results.map((r: any) => r.migration)).toEqual(["003_users_name", "002_posts"]);
      expect(states(await cli("status", "--json"))).toEqual(["001:applied", "002:pending", "003:pending"]);
      expect((await cli("down", "--to", "0")).code).toBe(0);
      expect(states(await cli("status", "--json"))).toEqual(["001:pending", "002:pending", "003:pending"]);
      // Every command leaves its JSON in the report dir.
      expect(JSON.parse(readFileSync(join(dir, "tests/migrations/reports/status.json"), "utf8")).command).toBe(
        "status",
      );
    });

    test("an edited applied file is drifted; a deleted one is missing-file", async () => {
      const dir = project(TREE);
      const url = await dbUrl(dialect, dir);
      await runCli(["up", "--db", url], { cwd: dir });
      appendFileSync(join(dir, "sql/002_posts/up.sql"), "-- reformatted\n");
      cleanup(join(dir, "sql/003_users_name"));
      const r = await runCli(["status", "--db", url, "--json"], { cwd: dir });
      expect(states(r)).toEqual(["001:applied", "002:drifted", "003:missing-file"]);
      const text = await runCli(["status", "--db", url], { cwd: dir });
      expect(text.stdout).toContain("its up file changed after it was applied");
    });

    test("a migration failing halfway leaves no trace, and names its file and line", async () => {
      const dir = project({
        ...TREE,
        "sql/002_posts/up.sql":
          "CREATE TABLE posts (id integer PRIMARY KEY);\nINSERT INTO posts VALUES (1);\n\nINSERT INTO posts VALUES (1);\n",
      });
      const url = await dbUrl(dialect, dir);
      const r = await runCli(["up", "--db", url, "--json"], { cwd: dir });
      expect(r.code).toBe(1);
      const failed = r.json().results.find((x: any) => x.status === "fail");
      expect(failed.migration).toBe("002_posts");
      expect(failed.message).toMatch(/^sql\/002_posts\/up\.sql:4:1: .*(unique|UNIQUE|duplicate)/);
      expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual([
        "001:applied",
        "002:pending",
        "003:pending",
      ]);
      const tables =
        dialect === "postgres"
          ? (
              await pgQuery<{ name: string }>(
                url,
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
              )
            ).map((t) => t.name)
          : sqliteTables(join(dir, "app.db"));
      expect(tables).toEqual(["stairway_migrations", "users"]);
    });

    test("a syntax error names the line in the file", async () => {
      const dir = project({
        "sql/001_bad/up.sql":
          "-- a comment\nCREATE TABLE ok1 (id integer);\n\nCREATE TABLE bad (\n  id integer,\n  name text NOT NULL DEFAULT\n);\n",
        "sql/001_bad/down.sql": "DROP TABLE bad;\n",
      });
      const url = await dbUrl(dialect, dir);
      const r = await runCli(["up", "--db", url], { cwd: dir });
      expect(r.code).toBe(1);
      // Both point at the offending token: PostgreSQL's error position, SQLite's sqlite3_error_offset().
      expect(r.stdout).toMatch(/sql\/001_bad\/up\.sql:7:1: .*syntax error/);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    });

    test("two runs started at once apply each version exactly once", async () => {
      const files: Record<string, string> = {};
      for (let i = 1; i <= 12; i++) {
        const v = String(i).padStart(3, "0");
        files[`sql/${v}_t${i}/up.sql`] =
          `CREATE TABLE t${i} (id integer PRIMARY KEY);\nINSERT INTO t${i} VALUES (${i});\n`;
        files[`sql/${v}_t${i}/down.sql`] = `DROP TABLE t${i};\n`;
      }
      const dir = project(files);
      const url = await dbUrl(dialect, dir);
      const [a, b] = await Promise.all([
        runCli(["up", "--db", url, "--json"], { cwd: dir }),
        runCli(["up", "--db", url, "--json"], { cwd: dir }),
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const applied = [...a.json().results, ...b.json().results]
        .filter((r: any) => r.status === "pass")
        .map((r: any) => r.migration);
      expect(applied.sort()).toEqual(
        Object.keys(files)
          .filter((f) => f.endsWith("up.sql"))
          .map((f) => f.split("/")[1])
          .sort(),
      );
      expect(
        states(await runCli(["status", "--db", url, "--json"], { cwd: dir })).every((s: string) =>
          s.endsWith(":applied"),
        ),
      ).toBe(true);
    });

    test("--dry-run prints the SQL and touches nothing", async () => {
      const dir = project(TREE);
      const url = await dbUrl(dialect, dir);
      const r = await runCli(["up", "--dry-run", "--db", url], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("-- " + dialect + ": 001_users up: sql/001_users/up.sql");
      expect(r.stdout).toContain("CREATE TABLE posts");
      if (dialect === "sqlite") expect(existsSync(join(dir, "app.db"))).toBe(false);
      else expect(await pgQuery(url, "SELECT to_regclass('stairway_migrations') AS t")).toEqual([{ t: null }]);
      expect(existsSync(join(dir, "tests/migrations/reports"))).toBe(false);
    });
  });
}

describe("no-transaction migrations", () => {
  test("a failure halfway leaves the version dirty; status says so; force recovers", async () => {
    const dir = project({
      "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
      "sql/001_a/down.sql": "DROP TABLE a;\n",
      "sql/002_idx/up.sql":
        "-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON a (id);\nCREATE INDEX CONCURRENTLY idx_b ON nope (id);\n",
      "sql/002_idx/down.sql": "-- stairway:no-transaction\nDROP INDEX CONCURRENTLY idx_a;\n",
    });
    const url = await dbUrl("postgres", dir);
    const up = await runCli(["up", "--db", url], { cwd: dir });
    expect(up.code).toBe(1);
    expect(up.stdout).toMatch(/sql\/002_idx\/up\.sql:3:\d+: relation "nope" does not exist — version 002 is now dirty/);
    // The first index stays: outside a transaction nothing rolls back.
    expect(await pgQuery(url, "SELECT indexname FROM pg_indexes WHERE indexname = 'idx_a'")).toHaveLength(1);
    expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual(["001:applied", "002:dirty"]);
    const again = await runCli(["up", "--db", url], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/version 002 is dirty: .*stairway force 002/);
    writeFileSync(
      join(dir, "sql/002_idx/up.sql"),
      "-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON a (id);\n",
    );
    expect((await runCli(["force", "002", "--db", url], { cwd: dir })).code).toBe(0);
    expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual([
      "001:applied",
      "002:applied",
    ]);
    expect((await runCli(["down", "--db", url], { cwd: dir })).code).toBe(0);
  });
});

test("stairway new creates the next numbered pair", async () => {
  const dir = project(TREE);
  const r = await runCli(["new", "add_avatar"], { cwd: dir });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("sql/004_add_avatar/up.sql");
  expect(existsSync(join(dir, "sql/004_add_avatar/down.sql"))).toBe(true);
  const status = await runCli(["status", "--db", `sqlite:${join(dir, "x.db")}`, "--json"], { cwd: dir });
  expect(states(status).at(-1)).toBe("004:pending");
  expect((await runCli(["new", "bad name!"], { cwd: dir })).code).toBe(2);
  void ROOT;
});

test("stairway new NAME --redis (no directory) and --store redis create a Redis transform; --redis DIR one in DIR", async () => {
  const dir = project(TREE);
  const alone = await runCli(["new", "rename_keys", "--redis"], { cwd: dir });
  expect(alone.stderr).toBe("");
  expect(alone.stdout).toBe("created redis-migrations/004_rename_keys.ts\n");
  expect(readFileSync(join(dir, "redis-migrations/004_rename_keys.ts"), "utf8")).toContain(
    'import type { RedisMigration } from "stairwaydb";',
  );
  const store = await runCli(["new", "--store", "redis", "cache_keys"], { cwd: dir });
  expect(store.stdout).toContain("created redis-migrations/005_cache_keys.ts");
  const inDir = await runCli(["new", "other_keys", "--redis", "kv"], { cwd: dir });
  expect(inDir.stdout).toBe("created kv/004_other_keys.ts\n");
  expect(await runCli(["new", "x", "--store", "mongo"], { cwd: dir })).toMatchObject({
    code: 2,
    stderr: "stairway: --store mongo: expected sql or redis\n",
  });
  // Every other command still needs the directory of --redis.
  const status = await runCli(["status", "--redis"], { cwd: dir });
  expect(status.code).toBe(2);
  expect(status.stderr).toContain("option `--redis <dir>` value is missing");
});

test("--to and --at take the version as typed: 1.10 is not 1.1", async () => {
  const dir = project({
    "sql/V1_1__a.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
    "sql/V1_2__b.sql": "CREATE TABLE b (id integer PRIMARY KEY);\n",
    "sql/V1_10__c.sql": "CREATE TABLE c (id integer PRIMARY KEY);\n",
  });
  const cli = (...args: string[]) => runCli([...args, "--db", `sqlite:${join(dir, "a.db")}`], { cwd: dir });
  expect((await cli("up", "--to", "1.2")).code).toBe(0);
  const up = await cli("up", "--to", "1.10", "--json");
  expect(up.json().results.map((r: any) => r.migration)).toEqual(["1.10_c"]);
  expect((await cli("schema", "dump", "--at=1.10")).stdout).toContain("CREATE TABLE c");
});
