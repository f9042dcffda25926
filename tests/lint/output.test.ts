// What a person (or code scanning) reads from `stairway safety`: text, the
// JSON contract and SARIF 2.1.0, with paths relative to the project.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

function project(): string {
  const dir = tempDir("stairway-lint-");
  dirs.push(dir);
  return writeTree(dir, {
    "sql/001_a/up.sql": "CREATE TABLE a (id bigint PRIMARY KEY, name text);\n",
    "sql/001_a/down.sql": "DROP TABLE a;\n",
    "sql/002_b/up.sql":
      "-- stairway:allow ban-drop-column the column was never read\nSET LOCAL lock_timeout = '5s';\nALTER TABLE a DROP COLUMN name;\nCREATE INDEX idx_a_id ON a (id);\n",
    "sql/002_b/down.sql": "ALTER TABLE a ADD COLUMN name text;\nDROP INDEX idx_a_id;\n",
  });
}

const TEXT = `sql/002_b/up.sql:4:1: error require-concurrent-index-creation (postgres)
  4 | CREATE INDEX idx_a_id ON a (id);
    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  CREATE INDEX idx_a_id on existing table a without CONCURRENTLY: writes to a wait for the whole build
  hint: Use CREATE INDEX CONCURRENTLY in a file with \`-- stairway:no-transaction\` (ideally alone in its migration); a table created in the same file needs no CONCURRENTLY.

sql/002_b/up.sql:4:1: warning require-statement-timeout (postgres)
  4 | CREATE INDEX idx_a_id ON a (id);
    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  CREATE INDEX idx_a_id ON a (id) holds SHARE on a while it scans or rewrites it, with no statement_timeout: nothing bounds how long the table stays blocked
  hint: SET LOCAL statement_timeout = '...' to the longest outage you accept (SET in a no-transaction file); better, make the statement non-blocking (CONCURRENTLY, NOT VALID + VALIDATE, batches).

allowed by -- stairway:allow (1):
  sql/002_b/up.sql:3:1 ban-drop-column (postgres): the column was never read

✗ safety: 1 error, 1 warning, 1 allowed in 1 file (postgres)
layout: stairway (detected)
`;

describe("stairway safety output", () => {
  test("text: file:line:col, the statement with carets, rule, message, hint; exit 1 on an error", async () => {
    const dir = project();
    const r = await runCli(["safety", "sql/002_b/up.sql"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(TEXT);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, "tests/migrations/reports/safety.json"))).toBe(true);
  });

  test("text: a fault in the middle of a line is shown in its line as written, carets under the part at fault only", async () => {
    const dir = tempDir("stairway-lint-");
    dirs.push(dir);
    writeTree(dir, {
      "sql/001_u/up.sql": "CREATE TABLE u (id bigint PRIMARY KEY);\n",
      "sql/001_u/down.sql": "DROP TABLE u;\n",
      "sql/002_x/up.sql": "SET LOCAL lock_timeout = '1s';\nSELECT 1; ALTER TABLE u ADD COLUMN x integer NOT NUL;\n",
      "sql/003_i/up.sql":
        "SET LOCAL lock_timeout = '1s'; SET LOCAL statement_timeout = '1s';\nSELECT 1;\tCREATE INDEX i ON u\n  (id);\n",
      "sql/004_long/up.sql": `${"SELECT 1; ".repeat(15)}ALTER TABLE u ADD COLUMN y integer NOT NULL, ADD COLUMN z text;\n`,
    });
    const pg = await runCli(["safety", "sql/002_x/up.sql", "sql/003_i/up.sql"], { cwd: dir });
    expect(pg.stdout).toBe(`sql/002_x/up.sql:2:50: error syntax-error (postgres)
  2 | SELECT 1; ALTER TABLE u ADD COLUMN x integer NOT NUL;
    |                                                  ^^^
  PostgreSQL cannot parse this: syntax error at or near "NUL"
  hint: Fix the statement; if the file is meant for SQLite, name it up.sqlite.sql (or pass --dialect sqlite).

sql/003_i/up.sql:2:11: error require-concurrent-index-creation (postgres)
  2 | SELECT 1; CREATE INDEX i ON u …
    |           ^^^^^^^^^^^^^^^^^^^
  CREATE INDEX i on existing table u without CONCURRENTLY: writes to u wait for the whole build
  hint: Use CREATE INDEX CONCURRENTLY in a file with \`-- stairway:no-transaction\` (ideally alone in its migration); a table created in the same file needs no CONCURRENTLY.

✗ safety: 2 errors, 0 warnings, 0 allowed in 2 files (postgres)
layout: stairway (detected)
`);
    // A line longer than 100 characters: a window that holds the part at fault.
    const sqlite = await runCli(["safety", "sql/004_long/up.sql", "--dialect", "sqlite"], { cwd: dir });
    const [head, shown, carets] = sqlite.stdout.split("\n");
    expect(head).toBe("sql/004_long/up.sql:1:151: error sqlite-unsupported-alter (sqlite)");
    expect(shown).toBe(
      `  1 | …${`${"SELECT 1; ".repeat(15)}ALTER TABLE u ADD COLUMN y integer NOT NULL, ADD COLUMN z text;`.slice(-100)}`,
    );
    expect(carets).toBe(
      `    | ${" ".repeat(shown!.indexOf("ALTER") - 6)}${"^".repeat("ALTER TABLE u ADD COLUMN y integer NOT NULL, ADD COLUMN z text".length)}`,
    );
  });

  test("a SQLite message quotes names as written (not upper-cased)", async () => {
    const dir = tempDir("stairway-lint-");
    dirs.push(dir);
    writeTree(dir, { "sql/001_u/up.sql": "ALTER TABLE u ALTER COLUMN emailAddr TYPE int;\n" });
    const r = await runCli(["safety", "sql/001_u/up.sql", "--dialect", "sqlite", "--json", "--report-dir", "out"], {
      cwd: dir,
    });
    expect(r.json().results.map((x: { message: string }) => x.message)).toEqual([
      "ALTER TABLE u ALTER COLUMN emailAddr TYPE: SQLite has no such ALTER TABLE form",
    ]);
  });

  test("lint is an alias, and warnings alone exit 0", async () => {
    const dir = project();
    const r = await runCli(["lint", "sql/001_a/down.sql", "--report-dir", "out"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("warning require-lock-timeout");
    expect(r.stdout).toContain("✓ safety: 0 errors, 1 warning, 0 allowed in 1 file (postgres)");
  });

  test("a directory: a migration's own directory lints its files; a tree lints the tree", async () => {
    const dir = project();
    const one = await runCli(["safety", "sql/002_b", "--json", "--report-dir", "out"], { cwd: dir });
    expect([...new Set(one.json().results.map((x: { details: { file: string } }) => x.details.file))].sort()).toEqual([
      "sql/002_b/down.sql",
      "sql/002_b/up.sql",
    ]);
    const tree = await runCli(["safety", "sql", "--json", "--report-dir", "out"], { cwd: dir });
    expect(
      tree.json().results.some((x: { details: { file: string } }) => x.details.file === "sql/001_a/down.sql"),
    ).toBe(true);
  });

  test("json: the contract object, also written to <report-dir>/safety.json", async () => {
    const dir = project();
    const r = await runCli(["safety", "sql/002_b/up.sql", "--format", "json", "--report-dir", "out"], { cwd: dir });
    expect(r.code).toBe(1);
    const report = r.json();
    expect(JSON.parse(readFileSync(join(dir, "out/safety.json"), "utf8"))).toEqual(report);
    expect(report).toMatchObject({ tool: "stairway", command: "safety", ok: false, targets: [] });
    expect(report.results).toEqual([
      {
        check: "safety.ban-drop-column",
        target: "postgres",
        migration: "002_b",
        status: "skip",
        message:
          "DROP COLUMN a.name deletes its values for good, and queries of the running application that name it fail (allowed: the column was never read)",
        details: expect.objectContaining({
          file: "sql/002_b/up.sql",
          line: 3,
          col: 1,
          rule: "ban-drop-column",
          severity: "error",
          allowed: { reason: "the column was never read", line: 1 },
        }),
      },
      {
        check: "safety.require-concurrent-index-creation",
        target: "postgres",
        migration: "002_b",
        status: "fail",
        message: "CREATE INDEX idx_a_id on existing table a without CONCURRENTLY: writes to a wait for the whole build",
        details: {
          file: "sql/002_b/up.sql",
          line: 4,
          col: 1,
          rule: "require-concurrent-index-creation",
          severity: "error",
          hint: expect.stringContaining("CONCURRENTLY"),
          statement: "CREATE INDEX idx_a_id ON a (id)",
          source: "CREATE INDEX idx_a_id ON a (id);",
          endCol: 32,
        },
      },
      expect.objectContaining({ check: "safety.require-statement-timeout", status: "warn" }),
    ]);
    // --json means the same
    const again = await runCli(["safety", "sql/002_b/up.sql", "--json", "--report-dir", "out"], { cwd: dir });
    expect(again.json().results).toEqual(report.results);
  });

  test("sarif: valid SARIF 2.1.0 with rules, locations relative to the project, suppressions for allowed findings", async () => {
    const dir = project();
    const r = await runCli(["safety", "--format", "sarif", "--report-dir", "out"], { cwd: dir });
    expect(r.code).toBe(1);
    const sarif = r.json();
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toContain("sarif-2.1.0");
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe("stairway");
    const rules = run.tool.driver.rules;
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z-]+$/);
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(["error", "warning"]).toContain(rule.defaultConfiguration.level);
    }
    expect(run.results.length).toBeGreaterThan(0);
    for (const res of run.results) {
      expect(rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(["error", "warning"]).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uriBaseId).toBe("SRCROOT");
      expect(loc.artifactLocation.uri).toMatch(/^sql\/00\d_[ab]\/(up|down)\.sql$/);
      expect(loc.region.startLine).toBeGreaterThan(0);
      expect(loc.region.startColumn).toBeGreaterThan(0);
    }
    const index = run.results.find((x: { ruleId: string }) => x.ruleId === "require-concurrent-index-creation");
    expect(index.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: "sql/002_b/up.sql" },
      region: { startLine: 4, startColumn: 1, endColumn: 32 },
    });
    const allowed = run.results.find((x: { ruleId: string }) => x.ruleId === "ban-drop-column");
    expect(allowed.suppressions).toEqual([{ kind: "inSource", justification: "the column was never read" }]);
    expect(run.originalUriBaseIds.SRCROOT.uri).toMatch(/^file:\/\/.*\/$/);
  });

  test("usage errors exit 2 with one sentence", async () => {
    const dir = project();
    for (const [args, message] of [
      [["safety", "--format", "xml"], /--format xml: expected text, json or sarif/],
      [["safety", "--dialect", "oracle"], /--dialect oracle: expected postgres, sqlite or mysql/],
      [["safety", "nope.sql"], /nope\.sql does not exist/],
      // A tree file named with a trailing slash is no file: not linted as if it were.
      [["safety", "sql/001_a/up.sql/", "sql/001_a/down.sql"], /sql\/001_a\/up\.sql\/ does not exist/],
    ] as const) {
      const r = await runCli([...args], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  test("a directory of migrations lints without reading the configured tree, whatever state that is in", async () => {
    const dir = project();
    writeTree(dir, {
      "other/001_c/up.sql": "CREATE TABLE c (id bigint PRIMARY KEY);\n",
      "other/001_c/down.sql": "DROP TABLE c;\n",
      "not-a-dir": "x\n",
    });
    const r = await runCli(["safety", "other", "--sql", "not-a-dir", "--format", "json"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results.map((x: { details: { file: string } }) => x.details.file)).toEqual([
      "other/001_c/down.sql",
    ]);
  });
});
