// What the linter knows about a file: one finding per dangerous statement at
// its line; the transaction stairway wraps it in; objects the file created;
// what the up created, for its down; SQL inside DO blocks and called functions.

import { describe, expect, test } from "bun:test";
import { lint, type LintInput } from "../../src/lint/lint.ts";

const input = (text: string, more: Partial<LintInput> = {}): LintInput => ({
  path: "m.sql",
  text,
  dialect: "postgres",
  direction: "up",
  ...more,
});
const rules = async (text: string, more: Partial<LintInput> = {}, skip = /timeout/) =>
  (await lint([input(text, more)])).filter((f) => !skip.test(f.rule.id)).map((f) => `${f.line}:${f.col} ${f.rule.id}`);

describe("positions", () => {
  test("several dangerous statements: one finding per statement, at its line", async () => {
    const sql = [
      "-- 014: tidy up tools",
      "CREATE INDEX idx_tools_url ON tools (url);",
      "",
      "ALTER TABLE tools ADD COLUMN owner bigint NOT NULL;",
      "ALTER TABLE tools",
      "    ALTER COLUMN name SET NOT NULL;",
      "DROP TABLE legacy_tools;   DELETE FROM servers;",
    ].join("\n");
    expect(await rules(sql)).toEqual([
      "2:1 require-concurrent-index-creation",
      "4:1 adding-required-field",
      "5:1 adding-not-nullable-field",
      "7:1 ban-drop-table",
      "7:28 ban-delete-without-where",
    ]);
  });

  test("UTF-8 before a statement does not shift its line or column", async () => {
    const sql = "-- ünïcödé ✓ 日本語 😀\nSELECT 'é😀'; DROP TABLE t;\n";
    expect(await rules(sql)).toEqual(["2:15 ban-drop-table"]);
  });

  test("a statement the parser refuses is reported at its line; the others are still linted", async () => {
    const sql = "DROP TABLE a;\nALTER TABLE t ADD COLUMN;\nDROP TABLE b;\n";
    expect(await rules(sql)).toEqual(["1:1 ban-drop-table", "2:25 syntax-error", "3:1 ban-drop-table"]);
  });
});

describe("transactions", () => {
  test("CONCURRENTLY: an error in a transactional file, fine with no-transaction", async () => {
    expect(await rules("CREATE INDEX CONCURRENTLY i ON t (a);")).toEqual(["1:1 require-no-transaction"]);
    expect(await rules("-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);")).toEqual([]);
  });

  test("NOT VALID + VALIDATE: flagged in one transaction, fine in a no-transaction file", async () => {
    const body =
      "ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_fk;\n";
    expect(await rules(body)).toEqual(["2:1 validate-in-same-transaction"]);
    expect(await rules("-- stairway:no-transaction\n" + body)).toEqual([]);
  });

  test("lock_timeout: SET LOCAL counts in a transactional file, not in a no-transaction one", async () => {
    const lock = async (t: string) =>
      (await lint([input(t)])).filter((f) => f.rule.id === "require-lock-timeout").length;
    expect(await lock("ALTER TABLE t ADD COLUMN c text;")).toBe(1);
    expect(await lock("SET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c text;")).toBe(0);
    expect(
      await lock("-- stairway:no-transaction\nSET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c text;"),
    ).toBe(1);
    expect(await lock("-- stairway:no-transaction\nSET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c text;")).toBe(
      0,
    );
    expect(await lock("SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN c text;")).toBe(1);
  });
});

describe("objects created in the same file", () => {
  test("a new table is exempt from lock rules (as squawk does)", async () => {
    const sql =
      "CREATE TABLE logs (id bigint, at timestamptz, note text);\nCREATE INDEX idx_logs_at ON logs (at);\nALTER TABLE logs ALTER COLUMN note SET NOT NULL;\nALTER TABLE logs ADD CONSTRAINT c CHECK (id > 0);\n";
    expect(await rules(sql, {}, /^$/)).toEqual([]);
  });
});

describe("downs", () => {
  const up =
    "CREATE TABLE audit (id bigint);\nALTER TABLE tools ADD COLUMN note text;\nALTER TABLE tools RENAME COLUMN url TO endpoint;\n";
  test("dropping what the up created is normal in a down; dropping anything else is not", async () => {
    const down =
      "ALTER TABLE tools RENAME COLUMN endpoint TO url;\nALTER TABLE tools DROP COLUMN note;\nDROP TABLE audit;\nDROP TABLE servers;\nALTER TABLE tools DROP COLUMN name;\n";
    expect(await rules(down, { direction: "down", upText: up })).toEqual(["4:1 ban-drop-table", "5:1 ban-drop-column"]);
    // Without the up, every one of them is a finding.
    expect(await rules(down, { direction: "down" })).toEqual([
      "1:1 renaming-column",
      "2:1 ban-drop-column",
      "3:1 ban-drop-table",
      "4:1 ban-drop-table",
      "5:1 ban-drop-column",
    ]);
  });
});

describe("rebuilds and swaps", () => {
  test("SQLite's rebuild that copies the rows passes; one that does not is one finding, at the rename", async () => {
    const copy =
      "CREATE TABLE t_new (id INTEGER PRIMARY KEY);\nINSERT INTO t_new (id) SELECT id FROM t;\nDROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n";
    expect(await rules(copy, { dialect: "sqlite" })).toEqual([]);
    const lose = "CREATE TABLE t_new (id INTEGER PRIMARY KEY);\nDROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n";
    expect(await rules(lose, { dialect: "sqlite" })).toEqual(["3:1 table-rebuild-without-copy"]);
  });

  test("rows copied only into a temporary table, or into a table dropped later, are still lost", async () => {
    for (const dialect of ["postgres", "sqlite"] as const) {
      expect(await rules("CREATE TEMP TABLE keep AS SELECT * FROM t;\nDROP TABLE t;\n", { dialect })).toEqual([
        "2:1 ban-drop-table",
      ]);
      expect(
        await rules("CREATE TABLE keep AS SELECT * FROM t;\nDROP TABLE t;\nDROP TABLE keep;\n", { dialect }),
      ).toEqual(["2:1 ban-drop-table"]);
      expect(await rules("CREATE TABLE keep AS SELECT * FROM t;\nDROP TABLE t;\n", { dialect })).toEqual([]);
    }
  });

  test("a rename swapped for a new table in one transaction breaks no client; outside one it does", async () => {
    const swap =
      "ALTER TABLE logs RENAME TO logs_old;\nCREATE TABLE logs (id bigint);\nINSERT INTO logs SELECT id FROM logs_old;\nDROP TABLE logs_old;\n";
    expect(await rules(swap)).toEqual([]);
    expect(await rules("-- stairway:no-transaction\n" + swap)).toEqual(["2:1 renaming-table"]);
  });
});

describe("SQL the other linters do not see", () => {
  test("statements inside a DO block are linted at their own lines, and the DO block is reported", async () => {
    const sql =
      "DO $$\nBEGIN\n  ALTER TABLE tools ADD COLUMN owner bigint NOT NULL;\n  UPDATE tools SET is_active = true;\nEND $$;\n";
    expect(await rules(sql)).toEqual([
      "1:1 do-block-data-change",
      "3:3 adding-required-field",
      "4:3 ban-update-without-where",
    ]);
  });

  test("a function the migration calls is linted where its body is", async () => {
    const sql =
      "CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS $f$\n  DELETE FROM sessions;\n$f$;\nSELECT purge();\n";
    const found = (await lint([input(sql)])).filter((f) => f.rule.id === "ban-delete-without-where");
    expect(found.map((f) => [f.line, f.message])).toEqual([
      [2, "DELETE FROM sessions without WHERE deletes every row (in function purge, called at line 4)"],
    ]);
  });
});
