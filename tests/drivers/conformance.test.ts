// The store conformance suite on SQLite (bun:sqlite, and better-sqlite3
// under Node), PostgreSQL and Redis (the runner's part: Redis runs no SQL),
// plus what only one store does (scratch databases, connection errors).

import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { StairwayError } from "../../src/errors.ts";
import { listScratchDatabases, postgresModule } from "../../src/stores/postgres/index.ts";
import { openRedis } from "../../src/stores/redis/driver.ts";
import { sqliteModule } from "../../src/stores/sqlite/index.ts";
import { parseTargetUrl } from "../../src/stores/url.ts";
import { mysqlModule } from "../../src/stores/mysql/index.ts";
import { cleanup, mysqlDatabase, PG_URL, pgDatabase, ROOT, tempDir } from "../helpers.ts";
import { claimEmptyDb } from "../redis/helpers.ts";
import { migratorCases, runConformance, sqlCases } from "./conformance.ts";

const dir = tempDir();
afterAll(() => cleanup(dir));
let n = 0;

/** A fresh database and, through `again`, more connections to it, all closed by close(). */
function opener(url: string, dropDb?: () => Promise<void>) {
  const modules = { sqlite: sqliteModule, postgres: postgresModule, mysql: mysqlModule };
  const dialect = parseTargetUrl(url).store as keyof typeof modules;
  const open = (d: keyof typeof modules) => modules[d].open(parseTargetUrl(url), { name: d });
  return async () => {
    const driver = await open(dialect);
    const others: Awaited<ReturnType<typeof open>>[] = [];
    return {
      driver,
      again: async () => {
        const d = await open(dialect);
        others.push(d);
        return d;
      },
      close: async () => {
        for (const d of [driver, ...others]) await d.close();
        await dropDb?.();
      },
    };
  };
}

const openSqlite = () => opener(`sqlite:${join(dir, `c${n++}.db`)}`)();
async function openPostgres() {
  const db = await pgDatabase();
  return opener(db.url, db.drop)();
}
async function openMysql() {
  const db = await mysqlDatabase();
  return opener(db.url, db.drop)();
}

for (const [dialect, open] of [
  ["sqlite", openSqlite],
  ["postgres", openPostgres],
  ["mariadb", openMysql],
] as const) {
  describe(`conformance: ${dialect}`, () => {
    for (const c of sqlCases)
      test(c.name, async () => {
        const { driver, again, close } = await open();
        try {
          await c.run(driver, again);
        } finally {
          await close();
        }
      });
  });
}

describe("conformance: redis", () => {
  for (const c of migratorCases)
    test(c.name, async () => {
      const db = await claimEmptyDb();
      const open = () => openRedis(parseTargetUrl(db.url), { name: "redis" });
      const drivers = [await open()];
      try {
        await c.run(drivers[0]!, async () => {
          drivers.push(await open());
          return drivers.at(-1)!;
        });
      } finally {
        for (const d of drivers) await d.close();
        await db.release();
      }
    });
});

test("conformance: sqlite through better-sqlite3 under Node", async () => {
  const out = join(dir, "node-conformance.mjs");
  const build = Bun.spawnSync([
    process.execPath,
    "build",
    join(ROOT, "tests/drivers/node-entry.ts"),
    "--target=node",
    "--outfile",
    out,
    "--external",
    "better-sqlite3",
  ]);
  expect(build.exitCode).toBe(0);
  const run = Bun.spawnSync(["node", out, join(dir, "node")], {
    cwd: ROOT,
    env: { ...process.env, NODE_PATH: join(ROOT, "node_modules") },
  });
  const report = JSON.parse(run.stdout.toString());
  expect(report.engine).toBe("better-sqlite3");
  expect(report.failures).toEqual([]);
  expect(report.cases).toBe(sqlCases.length);
}, 60_000);

describe("postgres only", () => {
  test("scratch databases are created, listed and dropped", async () => {
    const url = parseTargetUrl(PG_URL);
    const name = `stairway_conf_${Date.now().toString(36)}`;
    const scratch = await postgresModule.createScratch(url, name, {
      name: "pg",
      command: "test",
      runId: "conformance",
    });
    expect(scratch.raw).toEndWith(`/${name}`);
    expect(await listScratchDatabases(url, "stairway_conf_")).toContain(name);
    const d = await postgresModule.open(scratch, { name: "pg" });
    await d.execute("CREATE TABLE x (id int)");
    await d.close();
    await postgresModule.dropScratch(url, scratch);
    expect(await listScratchDatabases(url, name)).toEqual([]);
  });

  test("connection errors are one sentence naming the target, exit code 3, password hidden", async () => {
    const cases: [string, RegExp][] = [
      [
        "postgres://postgres:s3cret@127.0.0.1:1/postgres",
        /cannot connect to target pg \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres\): connection refused/,
      ],
      [PG_URL.replace(/\/[^/]*$/, "/no_such_db_stairway"), /database "no_such_db_stairway" does not exist/],
    ];
    for (const [raw, re] of cases) {
      const err = await postgresModule.open(parseTargetUrl(raw), { name: "pg" }).catch((e) => e);
      expect(err).toBeInstanceOf(StairwayError);
      expect(err.exitCode).toBe(3);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain("s3cret");
    }
  });
});

describe("sqlite only", () => {
  test("a database another connection keeps busy past busy_timeout: E_LOCKED naming it, not 'database is locked'", async () => {
    const path = join(dir, "busy.db");
    const { openSqliteEngine } = await import("../../src/stores/sqlite/engine.ts");
    const app = await openSqliteEngine(path, { create: true });
    app.run("CREATE TABLE x (id integer)");
    app.run("BEGIN IMMEDIATE"); // an application holding the write lock
    const d = await sqliteModule.open(parseTargetUrl(`sqlite:${path}?busy_timeout=100`), { name: "sqlite" });
    try {
      const err = await d.ensureBookkeeping().catch((e) => e);
      expect(err).toBeInstanceOf(StairwayError);
      expect(err.code).toBe("E_LOCKED");
      expect(err.message).toBe(
        `target sqlite: SQLite database ${path} is locked by another connection that kept it busy longer than busy_timeout: wait for it to finish, or raise ?busy_timeout= (ms) in the URL`,
      );
    } finally {
      app.run("ROLLBACK");
      app.close();
      await d.close();
    }
  });

  test("scratch and in-memory databases take no lock file", async () => {
    const path = join(dir, "scratch.db");
    for (const [url, opts] of [
      [`sqlite:${path}`, { scratch: true }],
      ["sqlite::memory:", {}],
    ] as const) {
      const d = await sqliteModule.open(parseTargetUrl(url), { name: "sqlite", ...opts });
      await d.lock(100);
      await d.unlock();
      await d.close();
    }
    expect(readdirSync(dir).filter((f) => f.endsWith("-stairway.lock") && f.startsWith("scratch"))).toEqual([]);
  });

  test("status of a database that does not exist creates nothing", async () => {
    const path = join(dir, "absent.db");
    const d = await sqliteModule.open(parseTargetUrl(`sqlite:${path}`), { name: "sqlite", readOnly: true });
    expect(await d.applied()).toEqual([]);
    await d.close();
    expect(await Bun.file(path).exists()).toBe(false);
  });

  test("a missing directory is a clear unreachable-target error", async () => {
    const err = await sqliteModule
      .open(parseTargetUrl(`sqlite:${join(dir, "no/such/dir/x.db")}`), { name: "sqlite" })
      .catch((e) => e);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/target sqlite: cannot create SQLite database .*directory .* does not exist/);
  });

  test("foreign keys are enforced unless the URL says foreign_keys=off", async () => {
    for (const [q, enforced] of [
      ["", true],
      ["?foreign_keys=off", false],
    ] as const) {
      const path = join(dir, `fk${q ? "off" : "on"}.db`);
      rmSync(path, { force: true });
      const d = await sqliteModule.open(parseTargetUrl(`sqlite:${path}${q}`), { name: "sqlite" });
      await d.execute("CREATE TABLE p (id integer PRIMARY KEY)");
      await d.execute("CREATE TABLE c (p_id integer REFERENCES p (id))");
      const r = await d.execute("INSERT INTO c VALUES (7)").then(
        () => "ok",
        () => "refused",
      );
      expect(r).toBe(enforced ? "refused" : "ok");
      await d.close();
    }
  });
});

// Keeps runConformance referenced for the Node entry's type check.
void runConformance;

test("bun:sqlite rows stream in column order: integer-like names, and two columns of one name", async () => {
  const { openSqliteEngine } = await import("../../src/stores/sqlite/engine.ts");
  const db = await openSqliteEngine(":memory:");
  try {
    expect([...db.iterate(`SELECT 'a' AS z, 'b' AS "10", 'c' AS "2"`)]).toEqual([["a", "b", "c"]]);
    expect([...db.iterate("SELECT 1 AS x, 2 AS x UNION ALL SELECT 3, 4")]).toEqual([
      [1, 2],
      [3, 4],
    ]);
  } finally {
    db.close();
  }
});
