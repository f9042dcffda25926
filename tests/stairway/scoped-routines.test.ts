// A scoped snapshot (the tables a step can touch) leaves PostgreSQL's
// functions out when the step's words cannot change one (introspect.ts
// ROUTINE_WORDS): the ways a step can still change one must be seen.

import { afterAll, expect, test } from "bun:test";
import { cleanup, testTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const stairway = async (files: Record<string, string>) => (await testTree(files, dirs)).json();

const restored = (report: any, id: string) =>
  report.results.find((x: any) => x.migration === id && x.check === "step.down-restores-schema");

const BASE = {
  "sql/001_t/up.sql":
    "CREATE TABLE t (id integer PRIMARY KEY, name text);\nCREATE FUNCTION t_name(r t) RETURNS text LANGUAGE sql AS $$ SELECT r.name $$;\n",
  "sql/001_t/down.sql": "DROP FUNCTION t_name(t);\nDROP TABLE t;\n",
};

test("a function renamed and not renamed back is caught", async () => {
  const report = await stairway({
    ...BASE,
    "sql/002_rename/up.sql": "ALTER FUNCTION t_name(t) RENAME TO t_label;\n",
    "sql/002_rename/down.sql": "SELECT 1;\n",
  });
  expect(restored(report, "002_rename")).toMatchObject({ status: "fail" });
  expect(restored(report, "002_rename").message).toContain("t_label");
});

test("a function dropped with its table (CASCADE) and not brought back is caught", async () => {
  const report = await stairway({
    ...BASE,
    "sql/002_rebuild/up.sql": "DROP TABLE t CASCADE;\nCREATE TABLE t (id integer PRIMARY KEY, name text);\n",
    "sql/002_rebuild/down.sql": "SELECT 1;\n",
  });
  expect(restored(report, "002_rebuild")).toMatchObject({ status: "fail" });
  expect(restored(report, "002_rebuild").message).toContain("t_name");
});

test("a step that cannot touch a function passes, and its neighbours' functions do not get in its way", async () => {
  const report = await stairway({
    ...BASE,
    "sql/002_note/up.sql": "ALTER TABLE t ADD COLUMN note text;\n",
    "sql/002_note/down.sql": "ALTER TABLE t DROP COLUMN note;\n",
  });
  expect(report.results.filter((x: any) => x.status === "fail")).toEqual([]);
});
