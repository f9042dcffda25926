// Bad input gets one clear sentence naming the file, line or target, the
// contract's exit code, no stack trace, no password, and nothing written.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { passwordServer } from "../password-server.ts";
import { cleanup, runCli, tempDir, writeTree } from "../helpers.ts";

const GOOD = {
  "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
  "sql/001_a/down.sql": "DROP TABLE a;\n",
};
const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

/** The stderr lines a failed command printed, each prefixed "stairway: ". */
function expectCleanFailure(
  r: { code: number; stderr: string; stdout: string },
  code: number,
  message: RegExp,
  dir?: string,
) {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
  for (const line of r.stderr.trim().split("\n")) expect(line).toStartWith("stairway: ");
  if (dir) {
    expect(existsSync(join(dir, "tests/migrations/reports"))).toBe(false);
    expect(existsSync(join(dir, "app.db"))).toBe(false);
  }
}

describe("a broken tree", () => {
  const db = (dir: string) => ["--db", `sqlite:${join(dir, "app.db")}`];

  test("a misnamed file names the file (exit 2)", async () => {
    const dir = project({ ...GOOD, "sql/add_users/up.sql": "select 1;" });
    expectCleanFailure(
      await runCli(["up", ...db(dir)], { cwd: dir }),
      2,
      /sql\/add_users is not named <version>_<name>/,
      dir,
    );
  });

  test("duplicate versions name both files (exit 2)", async () => {
    const dir = project({ ...GOOD, "sql/1_b/up.sql": "select 1;", "sql/1_b/down.sql": "select 1;" });
    expectCleanFailure(
      await runCli(["up", ...db(dir)], { cwd: dir }),
      2,
      /version 001 is used more than once: sql\/001_a\/up\.sql, sql\/1_b\/up\.sql/,
      dir,
    );
  });

  test("an up without a down does not stop up (as dbmate and golang-migrate run it); validate says which file to add", async () => {
    const dir = project({ ...GOOD, "sql/002_b/up.sql": "CREATE TABLE b (id integer);" });
    const up = await runCli(["up", ...db(dir)], { cwd: dir });
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    const v = await runCli(["validate", "--json", ...db(dir)], { cwd: dir });
    expect(v.code).toBe(1);
    const missing = JSON.parse(v.stdout).results.find((r: { check: string }) => r.check === "files.missing-down");
    expect(missing).toMatchObject({ status: "fail", migration: "002_b" });
    expect(missing.message).toMatch(/sql\/002_b\/up\.sql has no down: add sql\/002_b\/down\.sql/);
  });

  test("every problem of the tree is reported at once", async () => {
    const dir = project({
      ...GOOD,
      "sql/x/up.sql": "",
      "sql/003_c/down.sql": "select 1;",
      "sql/004_d/up.sql": "-- stairway:wat\nselect 1;",
      "sql/004_d/down.sql": "select 1;",
    });
    const r = await runCli(["status", ...db(dir)], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(3);
  });
});

describe("targets", () => {
  test("an unreachable host is exit 3, one sentence, password hidden", async () => {
    const dir = project(GOOD);
    const r = await runCli(["up", "--db", "postgres://app:hunter22@127.0.0.1:1/app"], { cwd: dir });
    expectCleanFailure(
      r,
      3,
      /^stairway: cannot connect to target postgres \(postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app\): connection refused/,
      dir,
    );
    expect(r.stderr + r.stdout).not.toContain("hunter22");
  });

  test("an unknown scheme is a usage error (exit 2)", async () => {
    const r = await runCli(["status", "--db", "oracle://root:pw123@localhost/x"]);
    expectCleanFailure(r, 2, /--db: "oracle:\/\/root:\*\*\*@localhost\/x" is not a database URL stairway knows/);
    expect(r.stderr).not.toContain("pw123");
  });

  test("no database at all says how to name one (exit 2)", async () => {
    const dir = project(GOOD);
    expectCleanFailure(
      await runCli(["up"], { cwd: dir }),
      2,
      /no database to act on: pass --db URL, set DATABASE_URL/,
      dir,
    );
  });

  test("DATABASE_URL is used when nothing else names a target", async () => {
    const dir = project(GOOD);
    const r = await runCli(["status", "--json"], { cwd: dir, env: { DATABASE_URL: `sqlite:${join(dir, "env.db")}` } });
    expect(r.code).toBe(0);
    expect(r.json().targets).toEqual([{ name: "sqlite", dialect: "sqlite", url: `sqlite:${join(dir, "env.db")}` }]);
  });

  describe("a server that checks passwords", () => {
    let server: Awaited<ReturnType<typeof passwordServer>>;
    beforeAll(async () => {
      server = await passwordServer();
    }, 60_000);
    afterAll(() => server?.stop());

    test("a wrong password is exit 3, one sentence, password hidden", async () => {
      const dir = project(GOOD);
      const r = await runCli(["up", "--db", `postgres://postgres:wrong-password@127.0.0.1:${server.port}/postgres`], {
        cwd: dir,
      });
      expectCleanFailure(
        r,
        3,
        /cannot connect to target postgres \(postgres:\/\/postgres:\*\*\*@.*\): password authentication failed/,
        dir,
      );
      expect(r.stderr + r.stdout).not.toContain("wrong-password");
    });

    test("the right password works, and never shows", async () => {
      const dir = project(GOOD);
      const r = await runCli(
        ["up", "--json", "--db", `postgres://postgres:right-password@127.0.0.1:${server.port}/postgres`],
        { cwd: dir },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain("right-password");
      expect(r.json().targets[0].url).toBe(`postgres://postgres:***@127.0.0.1:${server.port}/postgres`);
    });
  });
});

describe("config and flags", () => {
  test("an unknown config key names the key and the line (exit 2)", async () => {
    const dir = project({
      ...GOOD,
      "tests/migrations/config.yaml": "databases:\n  sqlite:\n    url: sqlite:app.db\n    max_migraton_time: 5\n",
    });
    expectCleanFailure(
      await runCli(["status"], { cwd: dir }),
      2,
      /tests\/migrations\/config\.yaml:4: unknown key "max_migraton_time" in databases\.sqlite \(known: url, max_migration_time/,
      dir,
    );
  });

  test("a wrong type names the key and line (exit 2)", async () => {
    const dir = project({
      ...GOOD,
      "c.yaml": "databases:\n  sqlite: { url: sqlite:a.db, max_migration_time: fast }\n",
    });
    expectCleanFailure(
      await runCli(["status", "--config", "c.yaml"], { cwd: dir }),
      2,
      /c\.yaml:2: databases\.sqlite\.max_migration_time must be a number, got "fast"/,
      dir,
    );
  });

  test("an unknown command and an unknown flag are usage errors (exit 2)", async () => {
    expectCleanFailure(await runCli(["migrate"]), 2, /unknown command "migrate"/);
    expectCleanFailure(await runCli(["status", "--frobnicate"]), 2, /Unknown option `--frobnicate`/);
  });

  test("--json errors are one object with the code", async () => {
    const r = await runCli(["status", "--json", "--db", "nope://x"]);
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({
      tool: "stairway",
      command: "status",
      ok: false,
      targets: [],
      results: [],
      error: { code: "E_URL" },
    });
  });

  test("a failed run replaces the report an earlier run left, so `report` cannot show a stale pass", async () => {
    const dir = project(GOOD);
    expect((await runCli(["status", "--db", `sqlite:${join(dir, "app.db")}`], { cwd: dir })).code).toBe(0);
    const file = join(dir, "tests/migrations/reports/status.json");
    expect(JSON.parse(readFileSync(file, "utf8")).ok).toBe(true);
    expectCleanFailure(await runCli(["status", "--db", "nope://x"], { cwd: dir }), 2, /nope/);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      command: "status",
      ok: false,
      error: { code: "E_URL" },
    });
  });

  test("--debug shows the stack trace", async () => {
    const r = await runCli(["status", "--debug", "--db", "nope://x"]);
    expect(r.stderr).toMatch(/\n\s+at .*/);
  });
});
