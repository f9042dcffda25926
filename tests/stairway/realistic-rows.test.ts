// Generated rows a real table could hold, on trees of our own modelled on
// public histories whose migrations are right on real data: a migration's own
// INSERT into a serial column, checks that times lie in the past, counts that
// stay small, text ids later cast to uuid. Each up must pass on the generated
// rows (no warning that it only passed on empty tables).

import { afterAll, expect, test } from "bun:test";
import { cleanup, testTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const step = (name: string, up: string, down: string) => ({
  [`sql/${name}/up.sql`]: `${up}\n`,
  [`sql/${name}/down.sql`]: `${down}\n`,
});

async function upOf(files: Record<string, string>, migration: string) {
  const run = await testTree(files, dirs);
  expect(run.stderr).toBe("");
  const report = run.json();
  return report.results.find((r: any) => r.migration === migration && r.check === "step.up");
}

test("a migration's own INSERT into a serial column takes the next id after the generated rows", async () => {
  const up = await upOf(
    {
      // The table exists before the first migration (made by the runner), so the generator fills it from id 1.
      "tests/migrations/config.yaml": "setup:\n  postgres: [setup/users.sql]\n",
      "setup/users.sql": "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);\n",
      ...step(
        "002_deleted_user",
        "INSERT INTO users (name) VALUES ('deleted account');",
        "DELETE FROM users WHERE name = 'deleted account';",
      ),
    },
    "002_deleted_user",
  );
  expect(up).toMatchObject({ status: "pass" });
});

test("generated times and dates lie in the past", async () => {
  const up = await upOf(
    {
      ...step(
        "001_posts",
        "CREATE TABLE posts (id serial PRIMARY KEY, published timestamptz NOT NULL, day date NOT NULL, seen timestamp);",
        "DROP TABLE posts;",
      ),
      ...step(
        "002_not_in_future",
        "ALTER TABLE posts ADD CONSTRAINT posts_past CHECK (published <= now() AND day <= current_date AND seen <= now());",
        "ALTER TABLE posts DROP CONSTRAINT posts_past;",
      ),
    },
    "002_not_in_future",
  );
  expect(up).toMatchObject({ status: "pass" });
});

test("generated integers are small, as counts and limits in real rows are", async () => {
  const up = await upOf(
    {
      ...step(
        "001_workers",
        "CREATE TABLE workers (id serial PRIMARY KEY, max_runs integer NOT NULL, weight bigint);",
        "DROP TABLE workers;",
      ),
      // A slot per run a worker may take, as a real history fills it: millions of rows if max_runs were large.
      ...step(
        "002_slots",
        "CREATE TABLE slots AS SELECT w.id AS worker_id, s FROM workers w CROSS JOIN generate_series(1, w.max_runs) s;\nDO $$ BEGIN IF (SELECT count(*) FROM slots) > 100000 THEN RAISE EXCEPTION 'too many slots'; END IF; END $$;",
        "DROP TABLE slots;",
      ),
    },
    "002_slots",
  );
  expect(up).toMatchObject({ status: "pass" });
});

test("a text column named like an id holds uuids, as a later cast to uuid expects", async () => {
  const up = await upOf(
    {
      ...step(
        "001_events",
        "CREATE TABLE events (id serial PRIMARY KEY, run_id text, job_uuid varchar(64) NOT NULL, name text);",
        "DROP TABLE events;",
      ),
      ...step(
        "002_run_uuid",
        "ALTER TABLE events ADD COLUMN run_uuid uuid;\nUPDATE events SET run_uuid = run_id::uuid;\nALTER TABLE events ALTER COLUMN job_uuid TYPE uuid USING job_uuid::uuid;",
        "ALTER TABLE events ALTER COLUMN job_uuid TYPE varchar(64);\nALTER TABLE events DROP COLUMN run_uuid;",
      ),
    },
    "002_run_uuid",
  );
  expect(up).toMatchObject({ status: "pass" });
});
