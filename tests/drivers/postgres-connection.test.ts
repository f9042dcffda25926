// The PostgreSQL driver's one connection on the real server. A lost
// connection is harmless between test steps (the driver opens a new client:
// under Bun, postgres.js's own reconnect sometimes stalls until its connect
// timeout), but not in a migration run, whose advisory lock and open
// transaction belong to the session that is gone: such a run stops without
// sending anything more. The connection is never recycled on a timer either.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { StairwayError } from "../../src/errors.ts";
import type { OpenOptions, SqlDriver } from "../../src/stores/contract.ts";
import { connectPostgres } from "../../src/stores/postgres/connect.ts";
import { postgresModule } from "../../src/stores/postgres/index.ts";
import { parseTargetUrl } from "../../src/stores/index.ts";
import { applyStep } from "../../src/runner.ts";
import { loadPlan } from "../../src/plan/discover.ts";
import type { Migration } from "../../src/plan/migration.ts";
import { cleanup, pgDatabase, pgQuery, PG_URL, tempDir, writeTree } from "../helpers.ts";

let db: Awaited<ReturnType<typeof pgDatabase>>;
beforeAll(async () => {
  db = await pgDatabase();
});
const dirs: string[] = [];
afterAll(async () => {
  await db.drop();
  dirs.forEach(cleanup);
});

/** Ends every session on the test's database (the driver's), as a server restart or an operator would. */
async function killSessions(): Promise<void> {
  const [row] = await pgQuery<{ n: number }>(
    PG_URL,
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = '${db.name}'`,
  );
  expect(row!.n).toBeGreaterThanOrEqual(1);
}

/** One migration of a tree written for the test. */
function migration(id: string, up: string): Migration {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, { [`sql/${id}/up.sql`]: up, [`sql/${id}/down.sql`]: "SELECT 1;\n" });
  const plan = loadPlan({ sqlDir: join(dir, "sql") });
  expect(plan.problems).toEqual([]);
  return plan.migrations[0]!;
}

/** A driver on the test's database, closed at the end whatever happens. */
async function withDriver(fn: (driver: SqlDriver) => Promise<void>, opts: Partial<OpenOptions> = {}): Promise<void> {
  const driver = await postgresModule.open(parseTargetUrl(db.url), { name: "pg", ...opts });
  try {
    await fn(driver);
  } finally {
    await driver.close();
  }
}

/** What `p` failed with; undefined when it succeeded. */
function failureOf(p: Promise<unknown>): Promise<Error | undefined> {
  return p.then(
    () => undefined,
    (err: Error) => err,
  );
}

async function errorOf(p: Promise<unknown>): Promise<StairwayError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StairwayError);
    return e as StairwayError;
  }
  throw new Error("expected a StairwayError");
}

test("a connection lost while the run holds the migration lock stops the run at its next migration", async () => {
  await withDriver(async (driver) => {
    await driver.lock(1000);
    await driver.ensureBookkeeping();
    await killSessions();
    // The next statement sees the loss: by the socket's close, or by failing on it.
    await driver.execute("SELECT 1").catch(() => {});
    const e = await errorOf(driver.begin());
    expect(e.code).toBe("E_LOCKED");
    expect(e.message).toBe(
      "target pg: the connection to the server was lost during the run, and the migration lock with it: run again",
    );
    const r = await errorOf(
      driver.record({
        version: "001",
        name: "a",
        checksum: "x",
        appliedAt: new Date().toISOString(),
        durationMs: 1,
        dirty: true,
      }),
    );
    expect(r.code).toBe("E_LOCKED");
    expect(await pgQuery(db.url, "SELECT * FROM stairway_migrations")).toEqual([]);
    await driver.unlock(); // nothing to release: the lock went with the session
  });
});

test("a connection lost inside a migration's transaction: nothing more runs as if it were open, and nothing is recorded", async () => {
  await withDriver(async (driver) => {
    await driver.ensureBookkeeping();
    await driver.begin();
    await driver.executeScript("CREATE TABLE t_lost (a int); CREATE INDEX ix_t_lost ON t_lost (a)");
    await killSessions();
    await driver.execute("SELECT 1").catch(() => {});
    const e = await failureOf(
      driver.commit({
        record: {
          version: "001",
          name: "a",
          checksum: "x",
          appliedAt: new Date().toISOString(),
          durationMs: 1,
          dirty: false,
        },
      }),
    );
    expect(e?.message).toBe(
      "the connection to the server was lost in the middle of the migration, and the server rolled it back",
    );
    await driver.rollback();
    expect(await pgQuery(db.url, "SELECT * FROM stairway_migrations")).toEqual([]);
    expect(await pgQuery(db.url, "SELECT to_regclass('t_lost') AS t")).toEqual([{ t: null }]);
  });
});

test("outside a run and a transaction, the next step after a lost connection gets a new one at once", async () => {
  await withDriver(async (driver) => {
    for (let i = 0; i < 20; i++) {
      await driver.execute("SELECT 1");
      await killSessions();
      // Sent at once, it may leave on the dying socket and fail: the case where
      // postgres.js's reconnect stalled.
      await driver.execute("SELECT 1").catch(() => {});
      const t0 = performance.now();
      await driver.begin();
      await driver.executeScript(`CREATE TABLE t_again_${i} (a int); INSERT INTO t_again_${i} VALUES (${i})`);
      await driver.commit();
      expect(performance.now() - t0).toBeLessThan(2000); // a stalled reconnect waits out the 10 s connect timeout
    }
    expect(await pgQuery(db.url, "SELECT a FROM t_again_19")).toEqual([{ a: 19 }]);
  });
}, 60_000);

test("a locked run without a transaction stops at the statement after the loss", async () => {
  await withDriver(async (driver) => {
    await driver.lock(1000);
    await driver.execute("CREATE TABLE nt_one (a int)");
    await killSessions();
    const e = await failureOf(driver.execute("CREATE TABLE nt_two (a int)"));
    expect(e).toBeDefined();
    expect(
      await pgQuery(
        db.url,
        "SELECT to_regclass('nt_one') IS NOT NULL AS one, to_regclass('nt_two') IS NOT NULL AS two",
      ),
    ).toEqual([{ one: true, two: false }]);
    await driver.unlock();
  });
});

test("a migration whose connection is cut is reported failed, not run again statement by statement", async () => {
  await withDriver(async (driver) => {
    await driver.ensureBookkeeping();
    const m = migration(
      "050_cut",
      "CREATE TABLE cut_one (a int);\nSELECT pg_sleep(2);\nCREATE TABLE cut_two (a int);\n",
    );
    const step = applyStep(driver, m, "up");
    await Bun.sleep(500);
    await killSessions();
    const o = await step;
    expect(o.status).toBe("failed");
    expect(o.error).toStartWith(`${m.files.up.default!.path}: the connection to the server was lost (`);
    expect(
      await pgQuery(
        db.url,
        "SELECT to_regclass('cut_one') IS NOT NULL AS one, to_regclass('cut_two') IS NOT NULL AS two",
      ),
    ).toEqual([{ one: false, two: false }]);
    expect(await pgQuery(db.url, "SELECT version FROM stairway_migrations WHERE version = '050'")).toEqual([]);
  });
});

test("the timeouts of a migration without a transaction are set on the connection it runs on, after a loss too", async () => {
  await withDriver(
    async (driver) => {
      await driver.ensureBookkeeping();
      await driver.execute("SELECT 1");
      await killSessions();
      await driver.execute("SELECT 1").catch(() => {});
      const m = migration(
        "060_st",
        "-- stairway:no-transaction\nCREATE TABLE st_seen AS SELECT current_setting('statement_timeout') AS v;\n",
      );
      const o = await applyStep(driver, m, "up");
      expect(o.error).toBeUndefined();
      expect(o.status).toBe("done");
      expect(await pgQuery(db.url, "SELECT v FROM st_seen")).toEqual([{ v: "12345ms" }]);
    },
    { timeouts: { statementMs: 12345 } },
  );
});

test("the connection is never recycled on a timer (postgres.js's default max_lifetime is 30-60 min)", async () => {
  const { sql } = await connectPostgres(parseTargetUrl(db.url), { name: "pg" });
  try {
    expect((sql as unknown as { options: { max_lifetime: unknown } }).options.max_lifetime).toBeNull();
  } finally {
    await sql.end();
  }
});
