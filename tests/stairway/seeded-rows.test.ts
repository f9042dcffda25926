// Trees that insert rows of their own (a language table's 'und', a default
// setting): an up that passes only on empty tables takes its redo on empty
// tables too when the rows stop it again, and a state rebuilt from the ups alone (no generated rows) that
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
  "sql/002_lang_name/up.sql": "ALTER TABLE lang ADD COLUMN name text NOT NULL;\n",
  "sql/002_lang_name/down.sql": "ALTER TABLE lang DROP COLUMN name;\n",
};

const of = (report: any, id: string, check: string) =>
  report.results.find((r: any) => r.migration === id && r.check === check);

test("the redo of an up that passed only on empty tables runs again on empty tables when the rows stop it", async () => {
  const run = await stairway(SEEDED);
  expect(run.stderr).toBe("");
  const report = run.json();
  expect(of(report, "002_lang_name", "step.up")).toMatchObject({ status: "warn" });
  expect(of(report, "002_lang_name", "step.redo")).toMatchObject({ status: "pass" });
  expect(report.coverage.postgres).toMatchObject({ checked: 2, total: 2 });
});

test("a rebuild that fails on the tree's own rows stops the chain with its reason; the run still reports", async () => {
  const run = await stairway({
    ...SEEDED,
    "sql/003_halfway/up.sql":
      "-- stairway:no-transaction\nCREATE TABLE notes (id integer PRIMARY KEY);\nSELECT 1 / 0;\n",
    "sql/003_halfway/down.sql": "-- stairway:no-transaction\nDROP TABLE notes;\n",
    "sql/004_more/up.sql": "CREATE TABLE more (id integer PRIMARY KEY);\n",
    "sql/004_more/down.sql": "DROP TABLE more;\n",
  });
  expect(run.code).toBe(1);
  expect(run.stderr).toBe("");
  const report = run.json();
  expect(of(report, "003_halfway", "step.up")).toMatchObject({ status: "fail" });
  expect(of(report, "004_more", "step.up")).toMatchObject({ status: "skip" });
  expect(of(report, "004_more", "step.up").message).toContain("rebuilding the state after 002_lang_name failed");
  expect(report.coverage.postgres.checked).toBe(2);
});
