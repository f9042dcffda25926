// Passwords never reach output: not in a URL, and not where a database puts
// them itself — a migration failing on SELECT '<password>'::int has the
// server repeat the password in its error message. Real roles with real
// passwords, on a server that checks them (the machine's own trusts
// everyone), and a Redis that asks for one.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { passwordServer } from "../password-server.ts";
import { cleanup, pgQuery, runCli, tempDir, writeTree, type CliRun } from "../helpers.ts";

/** Every URL-special character, and whether a URL may hold it unencoded in its password. */
const SPECIAL: [string, boolean][] = [
  ['"', true],
  ["'", true],
  ["@", true],
  [":", true],
  ["/", false],
  ["?", false],
  ["#", false],
  ["%", false],
  ["&", true],
  ["=", true],
  ["+", true],
  [" ", true],
];
/** All of them in one password (item: a failing migration repeats it). */
const ALL = `Pw${SPECIAL.map(([c]) => c).join("x")}Z9`;

const dirs: string[] = [];
let server: Awaited<ReturnType<typeof passwordServer>>;
let admin: string;
const roles: string[] = [];

beforeAll(async () => {
  server = await passwordServer();
  admin = `postgres://postgres:right-password@127.0.0.1:${server.port}/postgres`;
}, 60_000);
afterAll(async () => {
  for (const r of roles) {
    await pgQuery(admin, `DROP DATABASE IF EXISTS ${r} WITH (FORCE)`).catch(() => {});
    await pgQuery(admin, `DROP ROLE IF EXISTS ${r}`).catch(() => {});
  }
  server?.stop();
  dirs.forEach(cleanup);
});

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A login role with this password on the password server, and a database of the same name it owns; dropped after the file. */
async function role(password: string): Promise<string> {
  const name = `stairway_pw_${roles.length}`;
  roles.push(name);
  await pgQuery(admin, `CREATE ROLE ${name} LOGIN CREATEDB PASSWORD ${sqlString(password)}`);
  await pgQuery(admin, `CREATE DATABASE ${name} OWNER ${name}`);
  return name;
}

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

/** Everything a run left: stdout, stderr and every file in its report dir. */
function everything(r: CliRun, reportDir: string): string {
  const files = existsSync(reportDir)
    ? readdirSync(reportDir).map((f) => readFileSync(join(reportDir, f), "utf8"))
    : [];
  return [r.stdout, r.stderr, ...files].join("\n");
}

/** The password as it may show: as is, JSON-, XML- or HTML-escaped, percent-encoded. */
function expectHidden(text: string, password: string): void {
  for (const form of [
    password,
    JSON.stringify(password).slice(1, -1),
    encodeURIComponent(password),
    Bun.escapeHTML(password),
  ])
    expect(text).not.toContain(form);
}

describe("a migration whose error message holds the password", () => {
  const failing = (password: string) =>
    project({
      "sql/001_leak/up.sql": `SELECT ${sqlString(password)}::int;\n`,
      "sql/001_leak/down.sql": "SELECT 1;\n",
    });

  test("test --json: stdout, stderr, test.json and test.junit.xml show *** where the server said the password", async () => {
    const user = await role(ALL);
    const dir = failing(ALL);
    const reports = join(dir, "reports");
    const url = `postgres://${user}:${encodeURIComponent(ALL)}@127.0.0.1:${server.port}/postgres`;
    const r = await runCli(["test", "--json", "--report-dir", reports, "--db", url], { cwd: dir });
    expect(r.code).toBe(1);
    // The server did repeat it: the message names the value it could not read.
    const up = r.json().results.find((x: { check: string }) => x.check === "step.up");
    expect(up.message).toContain('invalid input syntax for type integer: "***"');
    expect(readFileSync(join(reports, "test.junit.xml"), "utf8")).toContain(
      "invalid input syntax for type integer: &quot;***&quot;",
    );
    expect(readFileSync(join(reports, "test.json"), "utf8")).toContain(
      'invalid input syntax for type integer: \\"***\\"',
    );
    expectHidden(everything(r, reports), ALL);
  }, 30_000);

  test("up (text), then report: stdout, up.json, report.html, migration-summary.md and junit.xml hide it", async () => {
    const user = await role(ALL);
    const dir = failing(ALL);
    const reports = join(dir, "reports");
    const url = `postgres://${user}:${encodeURIComponent(ALL)}@127.0.0.1:${server.port}/${user}`;
    const r = await runCli(["up", "--report-dir", reports, "--db", url], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('invalid input syntax for type integer: "***"');
    const rep = await runCli(["report", "--report-dir", reports], { cwd: dir });
    expect(rep.code).toBe(0);
    expect(readFileSync(join(reports, "report.html"), "utf8")).toContain("integer: &quot;***&quot;");
    expectHidden(everything(r, reports) + rep.stdout + rep.stderr, ALL);
  }, 30_000);

  test("an error on stderr, with --debug's stack trace: *** where the server said it", async () => {
    const user = await role(ALL);
    const dir = failing(ALL);
    const url = `postgres://${user}:${encodeURIComponent(ALL)}@127.0.0.1:${server.port}/${user}`;
    const r = await runCli(["schema", "dump", "--at", "head", "--debug", "--db", url], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'cannot build the schema at head: 001_leak failed: sql/001_leak/up.sql:1:8: invalid input syntax for type integer: "***"',
    );
    expect(r.stderr).toMatch(/\n\s+at /); // the stack trace is there, and hides it too
    expectHidden(r.stderr + r.stdout, ALL);
  }, 30_000);
});

describe("every URL-special character in a PostgreSQL password", () => {
  const tree = { "sql/001_a/up.sql": "SELECT 1;\n", "sql/001_a/down.sql": "SELECT 1;\n" };

  test("written percent-encoded, and raw where a URL allows it: the password works, and shows nowhere", async () => {
    const dir = project(tree);
    const runs: Promise<void>[] = [];
    for (const [char, raw] of SPECIAL) {
      const password = `pw${char}q${char}Z9`;
      const user = await role(password);
      const forms = [encodeURIComponent(password), ...(raw ? [password] : [])];
      for (const form of forms)
        runs.push(
          (async () => {
            const reports = join(dir, `reports-${runs.length}`);
            const r = await runCli(
              [
                "status",
                "--json",
                "--report-dir",
                reports,
                "--db",
                `postgres://${user}:${form}@127.0.0.1:${server.port}/postgres`,
              ],
              { cwd: dir },
            );
            expect({ form, code: r.code, stderr: r.stderr }).toEqual({ form, code: 0, stderr: "" });
            expect(r.json().targets[0].url).toBe(`postgres://${user}:***@127.0.0.1:${server.port}/postgres`);
            expectHidden(everything(r, reports), password);
          })(),
        );
    }
    await Promise.all(runs);
  }, 60_000);

  test("libpq's ?password= works and shows nowhere", async () => {
    const password = `pw&=+"x#Z9`;
    const user = await role(password);
    const dir = project(tree);
    const reports = join(dir, "reports");
    const r = await runCli(
      [
        "status",
        "--json",
        "--report-dir",
        reports,
        "--db",
        `postgres://${user}@127.0.0.1:${server.port}/postgres?password=${encodeURIComponent(password)}`,
      ],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    expect(r.json().targets[0].url).toBe(`postgres://${user}@127.0.0.1:${server.port}/postgres?password=***`);
    expectHidden(everything(r, reports), password);
  }, 30_000);

  test("a raw / ? # or bad % is refused in one sentence (exit 2), nothing of the password shown, nothing written", async () => {
    const dir = project(tree);
    for (const char of ["/", "?", "#", "%"]) {
      const r = await runCli(
        ["up", "--json", "--db", `postgres://u:se${char}cr3tZ9@127.0.0.1:${server.port}/postgres`],
        { cwd: dir },
      );
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`"postgres://u:***@127.0.0.1:${server.port}/postgres"`);
      expect(r.stderr + r.stdout).not.toContain("cr3t");
      expect(existsSync(join(dir, "tests/migrations/reports"))).toBe(false);
    }
  }, 30_000);

  test("a wrong password with special characters: exit 3, shown nowhere", async () => {
    const dir = project(tree);
    const wrong = `wr"ng@pw:Z9`;
    const r = await runCli(
      [
        "status",
        "--json",
        "--db",
        `postgres://postgres:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}/postgres`,
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("password authentication failed");
    expectHidden(everything(r, join(dir, "tests/migrations/reports")), wrong);
  }, 30_000);
});

describe("a Redis that asks for a password", () => {
  const password = `Rp"x'y@z:&=+ %#/?Z9`;
  let redis: ReturnType<typeof Bun.spawn> | undefined;
  let port = 0;
  beforeAll(async () => {
    port = 56000 + Math.floor(Math.random() * 900);
    redis = Bun.spawn(
      [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--requirepass",
        password,
      ],
      {
        stdout: "ignore",
        stderr: "ignore",
      },
    );
    for (let i = 0; i < 50; i++) {
      const probe = Bun.spawnSync(["redis-cli", "-p", String(port), "ping"]);
      if (probe.stdout.toString().includes("NOAUTH") || probe.stdout.toString().includes("PONG")) break;
      await Bun.sleep(100);
    }
  });
  afterAll(() => redis?.kill());

  test("the right password, percent-encoded: it works, and shows nowhere", async () => {
    const dir = project({ "redis-migrations/007_a.ts": "export default { async up() {}, async down() {} };\n" });
    const reports = join(dir, "reports");
    const r = await runCli(
      [
        "status",
        "--json",
        "--report-dir",
        reports,
        "--db",
        `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0`,
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.json().migrations).toMatchObject([{ version: "007", state: "pending" }]);
    expect(r.json().targets[0].url).toBe(`redis://:***@127.0.0.1:${port}/0`);
    expectHidden(everything(r, reports), password);
  }, 30_000);

  test("a wrong one: exit 3, shown nowhere", async () => {
    const dir = project({ "redis-migrations/007_a.ts": "export default { async up() {}, async down() {} };\n" });
    const wrong = `wr"ng@pw:Z9`;
    const r = await runCli(["status", "--json", "--db", `redis://:${encodeURIComponent(wrong)}@127.0.0.1:${port}/0`], {
      cwd: dir,
    });
    expect(r.code).toBe(3);
    expectHidden(everything(r, join(dir, "tests/migrations/reports")), wrong);
  }, 30_000);
});
