// Rows the test adds after an up (for the down to carry back) fire the tree's
// own triggers, which change rows of other tables: a counter of users. That is
// the application's doing, not the down's: a correct down must pass
// step.data-preserved, and a down that really changes the counter must not.

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { cleanup, runCli, tempDir, testTree, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const COUNTED = {
  "sql/001_users/up.sql": `CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE site_stats (id integer PRIMARY KEY, users integer NOT NULL);
INSERT INTO site_stats VALUES (1, 0);
CREATE FUNCTION count_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE site_stats SET users = users + 1 WHERE id = 1; RETURN NEW; END $$;
CREATE TRIGGER users_count AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION count_user();
`,
  "sql/001_users/down.sql": "DROP TABLE users;\nDROP FUNCTION count_user();\nDROP TABLE site_stats;\n",
  "sql/002_bot/up.sql": "ALTER TABLE users ADD COLUMN bot boolean NOT NULL DEFAULT false;\n",
  "sql/002_bot/down.sql": "ALTER TABLE users DROP COLUMN bot;\n",
};

const of = (report: any, id: string, check: string) =>
  report.results.find((r: any) => r.migration === id && r.check === check);

test("a counter the tree's trigger keeps, moved by the rows added after the up, is not the down's loss", async () => {
  const run = await testTree(COUNTED, dirs);
  expect(run.stderr).toBe("");
  expect(of(run.json(), "002_bot", "step.data-preserved")).toMatchObject({ status: "pass" });
});

test("a down that really changes the counter still fails", async () => {
  const run = await testTree(
    {
      ...COUNTED,
      "sql/002_bot/down.sql": "ALTER TABLE users DROP COLUMN bot;\nUPDATE site_stats SET users = 0;\n",
    },
    dirs,
  );
  expect(run.stderr).toBe("");
  const r = of(run.json(), "002_bot", "step.data-preserved");
  expect(r).toMatchObject({ status: "fail" });
  expect(r.message).toContain("site_stats.users");
});

test("sqlite: the same counter, kept by a SQLite trigger", async () => {
  const dir = writeTree(tempDir(), {
    "sql/001_users/up.sql": `CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE site_stats (id integer PRIMARY KEY, users integer NOT NULL);
INSERT INTO site_stats VALUES (1, 0);
CREATE TRIGGER users_count AFTER INSERT ON users BEGIN UPDATE site_stats SET users = users + 1 WHERE id = 1; END;
`,
    "sql/001_users/down.sql": "DROP TABLE users;\nDROP TABLE site_stats;\n",
    "sql/002_bot/up.sql": COUNTED["sql/002_bot/up.sql"],
    "sql/002_bot/down.sql": COUNTED["sql/002_bot/down.sql"],
  });
  dirs.push(dir);
  const run = await runCli(["test", "--db", `sqlite:${join(dir, "app.db")}`, "--json"], { cwd: dir });
  expect(run.stderr).toBe("");
  expect(of(run.json(), "002_bot", "step.data-preserved")).toMatchObject({ status: "pass" });
});
