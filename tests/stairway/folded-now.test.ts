// PostgreSQL stores 'now'::timestamp in a view or a default as the time the
// statement ran, so a down that rebuilds such a view, or an up run again,
// stores another constant: that is not a schema the down failed to restore.
// A constant that is not today's (a real change) is still caught.

import { afterAll, expect, test } from "bun:test";
import { cleanup, testTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const stairway = async (files: Record<string, string>) => (await testTree(files, dirs)).json();

const VIEW = (extra: string, since: string) =>
  `CREATE VIEW recent AS SELECT id${extra} FROM events WHERE at > ${since} - interval '1 month';\n`;

const TREE = {
  "sql/001_events/up.sql": `CREATE TABLE events (id integer PRIMARY KEY, at timestamp, kind text, seen timestamp DEFAULT 'now');\n${VIEW("", "'now'::timestamp")}`,
  "sql/001_events/down.sql": "DROP VIEW recent;\nDROP TABLE events;\n",
};

test("a view or default that folded 'now' compares equal after its down and its redo", async () => {
  const report = await stairway({
    ...TREE,
    "sql/002_kind/up.sql": `DROP VIEW recent;\n${VIEW(", kind", "'now'::timestamp")}ALTER TABLE events ALTER COLUMN seen SET DEFAULT 'now';\n`,
    "sql/002_kind/down.sql": `DROP VIEW recent;\n${VIEW("", "'now'::timestamp")}ALTER TABLE events ALTER COLUMN seen SET DEFAULT 'now';\n`,
  });
  expect(report.results.filter((x: any) => x.status === "fail")).toEqual([]);
});

test("a down that puts back another fixed time is still caught", async () => {
  const report = await stairway({
    ...TREE,
    "sql/002_kind/up.sql": `DROP VIEW recent;\n${VIEW(", kind", "'now'::timestamp")}`,
    "sql/002_kind/down.sql": `DROP VIEW recent;\n${VIEW("", "'2001-01-01 00:00:00'::timestamp")}`,
  });
  const restored = report.results.find(
    (x: any) => x.migration === "002_kind" && x.check === "step.down-restores-schema",
  );
  expect(restored).toMatchObject({ status: "fail" });
  expect(restored.message).toContain("2001-01-01");
});
