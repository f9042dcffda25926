// lock_timeout / statement_timeout from the config: the runner sets them around
// every migration on PostgreSQL, and the linter counts them as in force.

import { afterAll, expect, test } from "bun:test";
import postgres from "postgres";
import { cleanup, pgDatabase, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
const dbs: { drop: () => Promise<void> }[] = [];
afterAll(async () => {
  dirs.forEach(cleanup);
  for (const d of dbs) await d.drop();
});

test("a migration waiting for a lock gives up after lock_timeout, and leaves no trace", async () => {
  const db = await pgDatabase();
  dbs.push(db);
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, {
    "c.yaml": `databases:\n  postgres: { url: "${db.url}", lock_timeout: 300 }\n`,
    "sql/001_t/up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
    "sql/001_t/down.sql": "DROP TABLE t;\n",
    "sql/002_col/up.sql": "ALTER TABLE t ADD COLUMN note text;\n",
    "sql/002_col/down.sql": "ALTER TABLE t DROP COLUMN note;\n",
  });
  expect((await runCli(["up", "--to", "1", "--config", "c.yaml"], { cwd: dir })).code).toBe(0);
  // Another session holds the table, as a long transaction of the application would.
  const other = postgres(db.url, { max: 1, onnotice: () => {} });
  const held = other.begin(async (tx) => {
    await tx.unsafe("LOCK TABLE t IN ACCESS SHARE MODE");
    await tx.unsafe("SELECT pg_sleep(3)");
  });
  await Bun.sleep(200);
  const t0 = Date.now();
  const r = await runCli(["up", "--config", "c.yaml", "--json"], { cwd: dir });
  const took = Date.now() - t0;
  await held;
  await other.end();
  expect(r.code).toBe(1);
  expect(r.json().results[0].message).toBe("sql/002_col/up.sql:1:1: canceling statement due to lock timeout");
  expect(took).toBeLessThan(2500);
  const status = await runCli(["status", "--config", "c.yaml", "--json"], { cwd: dir });
  expect(status.json().migrations.map((m: any) => m.state)).toEqual(["applied", "pending"]);
}, 30_000);

test("the linter counts the configured timeouts as in force", async () => {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, {
    "sql/001_t/up.postgres.sql": "ALTER TABLE tools ADD COLUMN note text;\n",
    "sql/001_t/down.postgres.sql": "ALTER TABLE tools DROP COLUMN note;\n",
    "with.yaml": `databases:\n  postgres: { url: "postgres://x@127.0.0.1/db", lock_timeout: 5000 }\n`,
    "without.yaml": `databases:\n  postgres: { url: "postgres://x@127.0.0.1/db" }\n`,
  });
  const rules = async (config: string) =>
    (await runCli(["safety", "--config", config, "--json"], { cwd: dir })).json().results.map((x: any) => x.check);
  expect(await rules("without.yaml")).toContain("safety.require-lock-timeout");
  expect(await rules("with.yaml")).not.toContain("safety.require-lock-timeout");
});

test("the linter leaves out the targets of a store that never enforces timeouts (PGlite), and counts on no timeout from them", async () => {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, {
    "sql/001_t/up.postgres.sql": "ALTER TABLE tools ADD COLUMN note text;\n",
    "sql/001_t/down.postgres.sql": "ALTER TABLE tools DROP COLUMN note;\n",
    // The server sets lock_timeout; the embedded copy for tests cannot (and may not say it does).
    "both.yaml": `databases:\n  postgres: { url: "postgres://x@127.0.0.1/db", lock_timeout: 5000 }\n  pglite: { url: "pglite:" }\n`,
    "embedded.yaml": `databases:\n  pglite: { url: "pglite:" }\n`,
  });
  const rules = async (config: string) =>
    (await runCli(["safety", "--config", config, "--json"], { cwd: dir })).json().results.map((x: any) => x.check);
  expect(await rules("both.yaml")).not.toContain("safety.require-lock-timeout");
  expect(await rules("embedded.yaml")).toContain("safety.require-lock-timeout");
});
