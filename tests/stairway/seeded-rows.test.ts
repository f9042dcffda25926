// Trees that insert rows of their own (a language table's 'und', a default
// setting): the retry of an up on empty tables keeps the rows a table held
// before the generator first filled it, so an up those rows break fails as in
// production; an up that passes only without the generated rows takes its redo
// the same way; and a state rebuilt from the ups alone (no generated rows) that
// fails stops the chain with its reason instead of ending the run.

import { afterAll, expect, test } from "bun:test";
import { cleanup, testTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const stairway = (files: Record<string, string>) => testTree(files, dirs);

const SEEDED = {
  "sql/001_lang/up.sql":
    "CREATE TABLE lang (id integer PRIMARY KEY, code text NOT NULL);\nINSERT INTO lang VALUES (0, 'und');\n",
  "sql/001_lang/down.sql": "DROP TABLE lang;\n",
};

const of = (report: any, id: string, check: string) =>
  report.results.find((r: any) => r.migration === id && r.check === check);

test("an up the tree's own rows break fails, though the generated rows are gone on its retry", async () => {
  const run = await stairway({
    ...SEEDED,
    "sql/002_lang_name/up.sql": "ALTER TABLE lang ADD COLUMN name text NOT NULL;\n",
    "sql/002_lang_name/down.sql": "ALTER TABLE lang DROP COLUMN name;\n",
  });
  expect(run.stderr).toBe("");
  const up = of(run.json(), "002_lang_name", "step.up");
  expect(up).toMatchObject({ status: "fail" });
  expect(up.message).toContain('column "name" of relation "lang" contains null values (on empty tables too)');
});

test("an up that passes only without the generated rows warns, and its redo passes the same way", async () => {
  const run = await stairway({
    ...SEEDED,
    "sql/002_code_short/up.sql": "ALTER TABLE lang ADD CONSTRAINT code_short CHECK (length(code) <= 3);\n",
    "sql/002_code_short/down.sql": "ALTER TABLE lang DROP CONSTRAINT code_short;\n",
  });
  expect(run.stderr).toBe("");
  const report = run.json();
  expect(of(report, "002_code_short", "step.up")).toMatchObject({ status: "warn" });
  expect(of(report, "002_code_short", "step.redo")).toMatchObject({ status: "pass" });
  expect(report.coverage.postgres).toMatchObject({ checked: 2, total: 2 });
});

test("a rebuild that fails on the tree's own rows stops the chain with its reason; the run still reports", async () => {
  // 'und' goes in after the generator first filled lang, so the retry on empty tables cannot tell it from
  // the generated rows: 003 passes there, and the ups alone then fail on it.
  const run = await stairway({
    "sql/001_lang/up.sql": "CREATE TABLE lang (id integer PRIMARY KEY, code text NOT NULL);\n",
    "sql/001_lang/down.sql": "DROP TABLE lang;\n",
    "sql/002_und/up.sql": "INSERT INTO lang VALUES (0, 'und');\n",
    "sql/002_und/down.sql": "DELETE FROM lang WHERE id = 0;\n",
    "sql/003_lang_name/up.sql": "ALTER TABLE lang ADD COLUMN name text NOT NULL;\n",
    "sql/003_lang_name/down.sql": "ALTER TABLE lang DROP COLUMN name;\n",
    "sql/004_halfway/up.sql":
      "-- stairway:no-transaction\nCREATE TABLE notes (id integer PRIMARY KEY);\nSELECT 1 / 0;\n",
    "sql/004_halfway/down.sql": "-- stairway:no-transaction\nDROP TABLE notes;\n",
    "sql/005_more/up.sql": "CREATE TABLE more (id integer PRIMARY KEY);\n",
    "sql/005_more/down.sql": "DROP TABLE more;\n",
  });
  expect(run.code).toBe(1);
  expect(run.stderr).toBe("");
  const report = run.json();
  expect(of(report, "003_lang_name", "step.up")).toMatchObject({ status: "warn" });
  expect(of(report, "004_halfway", "step.up")).toMatchObject({ status: "fail" });
  expect(of(report, "005_more", "step.up")).toMatchObject({ status: "skip" });
  expect(of(report, "005_more", "step.up").message).toContain("rebuilding the state after 003_lang_name failed");
  expect(report.coverage.postgres.checked).toBe(3);
});
