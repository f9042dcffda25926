// The store conformance suite on SQLite (bun:sqlite, and better-sqlite3
// under Node), PostgreSQL, PGlite (embedded PostgreSQL) and Redis (the
// runner's part: Redis runs no SQL), plus what only one store does (scratch
// databases, connection errors, PGlite's directory lock).

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { StairwayError } from "../../src/errors.ts";
import { SqlExecError } from "../../src/stores/contract.ts";
import { storeById } from "../../src/stores/dialects.ts";
import { pgliteModule } from "../../src/stores/pglite/index.ts";
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

// PGlite: every case but the run lock's, whose second run opens a second
// connection to the same database; one in memory has no second connection,
// and a directory is locked from open to close (tested below). Each case
// gets a new instance (~0.3 s, ~120 MB): the suite runs them one at a time.
describe("conformance: pglite", () => {
  for (const c of sqlCases.filter((x) => !x.name.startsWith("run lock")))
    test(c.name, async () => {
      const driver = await pgliteModule.open(parseTargetUrl("pglite:"), { name: "pglite" });
      try {
        await c.run(driver, () => Promise.reject(new Error("pglite: no second connection")));
      } finally {
        await driver.close();
      }
    });
});

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

describe("pglite only", () => {
  const opts = { name: "pglite" };

  test("pglite:dir is made from the empty database, kept across opens, and locked while open", async () => {
    const path = join(dir, "pgdir");
    const url = parseTargetUrl(`pglite:${path}`);
    const d = await pgliteModule.open(url, opts);
    await d.execute("CREATE TABLE kept (id integer PRIMARY KEY)");
    await d.insertRows("kept", ["id"], [[1], [2]]);
    const held = await pgliteModule.open(url, opts).catch((e) => e);
    expect(held).toBeInstanceOf(StairwayError);
    expect(held.code).toBe("E_LOCKED");
    expect(held.message).toBe(
      `target pglite: PGlite database ${path} is open in another stairway run (it holds ${path}/stairway.lock): wait for it to finish, or stop it`,
    );
    await d.close();
    const again = await pgliteModule.open(url, opts);
    try {
      expect(await again.rowCount("kept")).toBe(2);
    } finally {
      await again.close();
    }
  });

  test("reading a pglite:dir that holds no database yet (status) creates nothing, not even the lock file", async () => {
    const absent = join(dir, "pg-absent");
    const empty = join(dir, "pg-empty");
    mkdirSync(empty);
    for (const path of [absent, empty]) {
      const d = await pgliteModule.open(parseTargetUrl(`pglite:${path}`), { ...opts, readOnly: true });
      expect(await d.applied()).toEqual([]);
      await d.close();
    }
    expect(existsSync(absent)).toBe(false);
    expect(readdirSync(empty)).toEqual([]);
  });

  test("scratch databases are instances of their own; a backup restores into a new one", async () => {
    const target = parseTargetUrl("pglite:");
    const make = (name: string) =>
      pgliteModule.createScratch(target, name, { ...opts, command: "test", runId: "conformance" });
    const [a, b] = [await make("stairway_conf_a"), await make("stairway_conf_b")];
    const [da, db] = [await pgliteModule.open(a, opts), await pgliteModule.open(b, opts)];
    await da.execute("CREATE TABLE only_a (id integer PRIMARY KEY)");
    await da.insertRows("only_a", ["id"], [[1], [2], [3]]);
    expect((await db.introspect()).tables).toEqual([]);
    const file = join(dir, "a.backup");
    expect(await pgliteModule.backup!(a, file)).toBe("PGlite dumpDataDir");
    const r = await pgliteModule.restore!(target, file, "stairway_conf_r");
    const dr = await pgliteModule.open(r, opts);
    expect(await dr.rowCount("only_a")).toBe(3);
    for (const [url, driver] of [
      [a, da],
      [b, db],
      [r, dr],
    ] as const) {
      await pgliteModule.dropScratch(target, url);
      await driver.close();
    }
    expect((await pgliteModule.open(a, opts).catch((e) => e)).message).toMatch(/no scratch database stairway_conf_a/);
  });

  test("COPY … FROM STDIN is refused in words (PGlite would wait for its rows forever), and nothing of the script runs", async () => {
    const d = await pgliteModule.open(parseTargetUrl("pglite:"), opts);
    try {
      const err = await d
        .executeScript("CREATE TABLE c (id integer);\nCOPY c (id) FROM STDIN;\n1\n\\.\n")
        .catch((e) => e);
      expect(err).toBeInstanceOf(SqlExecError);
      expect(err.sqlState).toBe("0A000");
      expect(err.message).toMatch(/^COPY … FROM STDIN cannot run on pglite/);
      expect((await d.introspect()).tables).toEqual([]);
    } finally {
      await d.close();
    }
  });

  test("the catalog query, prepared once it comes again, sees each change, and survives a DEALLOCATE ALL in a migration", async () => {
    const d = await pgliteModule.open(parseTargetUrl("pglite:"), opts);
    try {
      const names = async () => (await d.introspect()).tables.map((t) => t.name);
      expect(await names()).toEqual([]);
      await d.execute("CREATE TABLE one (id integer)");
      expect(await names()).toEqual(["one"]);
      await d.execute("CREATE TABLE two (id integer)");
      expect(await names()).toEqual(["one", "two"]);
      await d.execute("DEALLOCATE ALL");
      expect(await names()).toEqual(["one", "two"]);
    } finally {
      await d.close();
    }
  });

  test("statement_timeout never fires on PGlite, as the registry says (a target may not set it)", async () => {
    expect(storeById("pglite").ignoresTimeouts).toBe(true);
    const d = await pgliteModule.open(parseTargetUrl("pglite:"), opts);
    try {
      await d.execute("SET statement_timeout = '50ms'");
      const t0 = performance.now();
      await d.execute("SELECT pg_sleep(0.3)");
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    } finally {
      await d.close();
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
