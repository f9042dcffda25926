// An up that runs outside a transaction and fails on the generated rows after
// some of its statements ran is taken again on a fresh copy of the state before
// it, emptied of generated rows (and so is its redo): it is a warning that
// names what broke it, and the migrations after it are still checked.

import { afterAll, expect, test } from "bun:test";
import { cleanup, testTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const of = (report: any, id: string, check: string) =>
  report.results.find((r: any) => r.migration === id && r.check === check);

test("a no-transaction up that fails halfway on generated rows passes on a fresh copy without them", async () => {
  const run = await testTree(
    {
      "sql/001_items/up.sql": "CREATE TABLE items (id integer PRIMARY KEY, name text);\n",
      "sql/001_items/down.sql": "DROP TABLE items;\n",
      "sql/002_code/up.sql":
        "-- stairway:no-transaction\nCREATE TABLE codes (id integer PRIMARY KEY);\nALTER TABLE items ADD COLUMN code text NOT NULL;\n",
      "sql/002_code/down.sql": "-- stairway:no-transaction\nALTER TABLE items DROP COLUMN code;\nDROP TABLE codes;\n",
      "sql/003_note/up.sql": "ALTER TABLE items ADD COLUMN note text;\n",
      "sql/003_note/down.sql": "ALTER TABLE items DROP COLUMN note;\n",
    },
    dirs,
  );
  expect(run.stderr).toBe("");
  const report = run.json();
  expect(of(report, "002_code", "step.up")).toMatchObject({ status: "warn" });
  expect(of(report, "002_code", "step.up").message).toContain(
    "adding items.code NOT NULL without a default fails when items holds rows",
  );
  expect(of(report, "002_code", "step.redo")).toMatchObject({ status: "pass" });
  expect(of(report, "003_note", "step.redo")).toMatchObject({ status: "pass" });
  expect(report.coverage.postgres).toMatchObject({ checked: 3, total: 3 });
});
