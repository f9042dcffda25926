// Adopting a database another runner migrated: its own bookkeeping table,
// written here as that runner writes it (its DDL, its rows: dirty flags,
// failed and undone steps), read by `status`, imported by `baseline --from`
// and `up --from`, and never written — on real SQLite and PostgreSQL.

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { cleanup, pgDatabase, pgQuery, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
const dbs: { drop: () => Promise<void> }[] = [];
afterAll(async () => {
  dirs.forEach(cleanup);
  await Promise.all(dbs.map((d) => d.drop()));
}, 60_000);

type Db = "sqlite" | "postgres";

/** A tree of `versions` in a layout's file names, each creating its own table. */
const flat = (versions: string[]) =>
  Object.fromEntries(
    versions.flatMap((v, i) => [
      [`sql/${v}_t${i}.up.sql`, `CREATE TABLE t${i} (id integer);\n`],
      [`sql/${v}_t${i}.down.sql`, `DROP TABLE t${i};\n`],
    ]),
  );

interface RunnerCase {
  runner: string;
  tree: Record<string, string>;
  /** The runner's DDL and rows, per database: as it writes them. */
  sql: Record<Db, string[]>;
  table: string;
  /** "version state" for each migration of the tree, as the runner's record says. */
  states: string[];
}

const PRISMA_ROWS = `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, rolled_back_at, applied_steps_count) VALUES
  ('a', 'x', '20240101000001_init', '2024-01-01 10:00:00', '2024-01-01 10:00:01', NULL, 1),
  ('b', 'x', '20240101000002_b', '2024-01-01 11:00:00', NULL, '2024-01-01 11:30:00', 0),
  ('c', 'x', '20240101000002_b', '2024-01-01 12:00:00', '2024-01-01 12:00:01', NULL, 1),
  ('d', 'x', '20240101000003_c', '2024-01-01 13:00:00', NULL, NULL, 0)`;

const CASES: RunnerCase[] = [
  {
    // One row: the newest version, dirty (3 failed halfway): 1 and 2 are applied.
    runner: "golang-migrate",
    tree: flat(["1", "2", "3", "4"]),
    table: "schema_migrations",
    sql: {
      sqlite: [
        "CREATE TABLE schema_migrations (version uint64, dirty bool)",
        "CREATE UNIQUE INDEX version_unique ON schema_migrations (version)",
        "INSERT INTO schema_migrations (version, dirty) VALUES (3, 1)",
      ],
      postgres: [
        "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)",
        "INSERT INTO schema_migrations (version, dirty) VALUES (3, true)",
      ],
    },
    states: ["1 applied", "2 applied", "3 dirty", "4 pending"],
  },
  {
    runner: "dbmate",
    tree: flat(["20240101000001", "20240101000002", "20240101000003"]),
    table: "schema_migrations",
    sql: {
      sqlite: [
        "create table if not exists schema_migrations (version varchar(128) primary key)",
        "insert into schema_migrations (version) values ('20240101000001'), ('20240101000003')",
      ],
      postgres: [
        "create table if not exists schema_migrations (version varchar(128) primary key)",
        "insert into schema_migrations (version) values ('20240101000001'), ('20240101000003')",
      ],
    },
    states: ["20240101000001 applied", "20240101000002 pending", "20240101000003 applied"],
  },
  {
    // Version 0 is the table's own; old goose logged a down as a row with is_applied false.
    runner: "goose",
    tree: flat(["1", "2", "3"]),
    table: "goose_db_version",
    sql: {
      sqlite: [
        "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))",
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1), (2, 1), (3, 1), (3, 0)",
      ],
      postgres: [
        "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id))",
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false)",
      ],
    },
    states: ["1 applied", "2 applied", "3 pending"],
  },
  {
    // A baseline at 1, 1.1 applied, 2 failed, a repeatable (no version), 3 applied then undone.
    runner: "flyway",
    tree: {
      "sql/V1__a.sql": "CREATE TABLE a (id integer);\n",
      "sql/V1_1__b.sql": "CREATE TABLE b (id integer);\n",
      "sql/V2__c.sql": "CREATE TABLE c (id integer);\n",
      "sql/V3__d.sql": "CREATE TABLE d (id integer);\n",
      "sql/V4__e.sql": "CREATE TABLE e (id integer);\n",
    },
    table: "flyway_schema_history",
    sql: {
      sqlite: [
        `CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), "execution_time" INT NOT NULL, "success" BOOLEAN NOT NULL)`,
        FLYWAY_ROWS("1", "0"),
      ],
      postgres: [
        `CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL, CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank"))`,
        FLYWAY_ROWS("true", "false"),
      ],
    },
    states: ["1 applied", "1.1 applied", "2 dirty", "3 pending", "4 pending"],
  },
  {
    runner: "sqlx",
    tree: flat(["1", "2", "3"]),
    table: "_sqlx_migrations",
    sql: {
      sqlite: [
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (1, 't0', TRUE, x'00', 10), (2, 't1', FALSE, x'00', 10)",
      ],
      postgres: [
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (1, 't0', TRUE, '\\x00', 10), (2, 't1', FALSE, '\\x00', 10)",
      ],
    },
    states: ["1 applied", "2 dirty", "3 pending"],
  },
  {
    // diesel records a directory's timestamp without its dashes.
    runner: "diesel",
    tree: {
      "sql/2024-01-01-000001_a/up.sql": "CREATE TABLE a (id integer);\n",
      "sql/2024-01-01-000001_a/down.sql": "DROP TABLE a;\n",
      "sql/2024-01-02-000002_b/up.sql": "CREATE TABLE b (id integer);\n",
      "sql/2024-01-02-000002_b/down.sql": "DROP TABLE b;\n",
    },
    table: "__diesel_schema_migrations",
    sql: {
      sqlite: [
        "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000001')",
      ],
      postgres: [
        "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000001')",
      ],
    },
    states: ["2024-01-01-000001 applied", "2024-01-02-000002 pending"],
  },
  {
    // b failed, was resolved as rolled back, then finished; c failed and stays so.
    runner: "prisma",
    tree: {
      "sql/migration_lock.toml": 'provider = "postgresql"\n',
      "sql/20240101000001_init/migration.sql": "CREATE TABLE a (id integer);\n",
      "sql/20240101000002_b/migration.sql": "CREATE TABLE b (id integer);\n",
      "sql/20240101000003_c/migration.sql": "CREATE TABLE c (id integer);\n",
      "sql/20240101000004_d/migration.sql": "CREATE TABLE d (id integer);\n",
    },
    table: "_prisma_migrations",
    sql: {
      sqlite: [
        `CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
        PRISMA_ROWS,
      ],
      postgres: [
        `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0, CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id"))`,
        PRISMA_ROWS,
      ],
    },
    states: ["20240101000001 applied", "20240101000002 applied", "20240101000003 dirty", "20240101000004 pending"],
  },
  {
    runner: "popx",
    tree: flat(["20240101000000000001", "20240101000000000002"]),
    table: "schema_migration",
    sql: {
      sqlite: [
        "CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0)",
        "CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version)",
        "INSERT INTO schema_migration (version) VALUES ('20240101000000000001')",
      ],
      postgres: [
        "CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0)",
        "CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version)",
        "INSERT INTO schema_migration (version) VALUES ('20240101000000000001')",
      ],
    },
    states: ["20240101000000000001 applied", "20240101000000000002 pending"],
  },
];

function FLYWAY_ROWS(t: string, f: string): string {
  return `INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES
    (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', 'me', 0, ${t}),
    (2, '1.1', 'b', 'SQL', 'V1_1__b.sql', 'me', 3, ${t}),
    (3, '2', 'c', 'SQL', 'V2__c.sql', 'me', 3, ${f}),
    (4, NULL, 'views', 'SQL', 'R__views.sql', 'me', 3, ${t}),
    (5, '3', 'd', 'SQL', 'V3__d.sql', 'me', 3, ${t}),
    (6, '3', 'd', 'UNDO_SQL', 'U3__d.sql', 'me', 3, ${t})`;
}

/** A project with the tree and a database (SQLite file or PostgreSQL database) holding `sql`. */
async function setUp(db: Db, tree: Record<string, string>, sql: string[]) {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, tree);
  if (db === "sqlite") {
    const file = join(dir, "app.db");
    const d = new Database(file);
    for (const s of sql) d.run(s);
    d.close();
    const query = (q: string) => {
      const d = new Database(file, { readonly: true });
      try {
        return d.query(q).all();
      } finally {
        d.close();
      }
    };
    return { dir, url: `sqlite:${file}`, query: async (q: string) => query(q) };
  }
  const pg = await pgDatabase();
  dbs.push(pg);
  for (const s of sql) await pgQuery(pg.url, s);
  return { dir, url: pg.url, query: (q: string) => pgQuery(pg.url, q) };
}

const states = (r: { json: () => any }) =>
  r.json().migrations.map((m: any) => `${m.version} ${m.state}${m.recordedBy ? ` (${m.recordedBy})` : ""}`);

const hasTable = async (query: (q: string) => Promise<unknown[]>, db: Db, table: string) =>
  (
    await query(
      db === "sqlite"
        ? `SELECT name FROM sqlite_schema WHERE name = '${table}'`
        : `SELECT relname FROM pg_class WHERE relname = '${table}'`,
    )
  ).length > 0;

for (const db of ["sqlite", "postgres"] as const) {
  describe(`another runner's bookkeeping on ${db}`, () => {
    for (const c of CASES)
      test(`${c.runner}: status reads it, baseline --from imports it, its table is not touched`, async () => {
        const { dir, url, query } = await setUp(db, c.tree, c.sql[db]);
        const before = await query(`SELECT * FROM ${c.table}`);

        const shown = await runCli(["status", "--db", url, "--json"], { cwd: dir });
        expect(shown.code).toBe(0);
        expect(states(shown)).toEqual(c.states.map((s) => (s.endsWith("pending") ? s : `${s} (${c.runner})`)));
        expect(await hasTable(query, db, "stairway_migrations")).toBe(false);

        const adopted = await runCli(["baseline", "--from", c.runner, "--db", url], { cwd: dir });
        const applied = c.states.filter((s) => !s.endsWith("pending")).length;
        expect(adopted.stdout).toContain(
          `${applied} migration${applied === 1 ? "" : "s"} ${c.runner} recorded in ${c.table} marked applied in stairway_migrations`,
        );
        expect(adopted.code).toBe(0);
        expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual(c.states);
        expect(await query(`SELECT * FROM ${c.table}`)).toEqual(before);

        // Adopted once: stairway's own table is the history now, the other is not read again.
        const again = await runCli(["baseline", "--from", c.runner, "--db", url], { cwd: dir });
        expect(again.stdout).toContain(`stairway keeps this database's history already (${applied} migration`);
      }, 30_000);

    test("up refuses to run again what another runner applied, adopts it with --from, then applies the rest", async () => {
      const tree = flat(["1", "2", "3"]);
      const { dir, url, query } = await setUp(db, tree, [
        "CREATE TABLE t0 (id integer)",
        "CREATE TABLE t1 (id integer)",
        ...CASES.find((c) => c.runner === "goose")!.sql[db].map((s) =>
          s.replace(/, \(3, (1|true)\), \(3, (0|false)\)/, ""),
        ),
      ]);
      const refused = await runCli(["up", "--db", url], { cwd: dir });
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim()).toBe(
        `stairway: target ${db}: goose_db_version (goose) says goose applied 2 migrations of this tree here (the newest 2_t1), and stairway has recorded none: adopt that history with "stairway baseline --from goose" (or "stairway up --from goose"), so they are not run again`,
      );
      expect(await hasTable(query, db, "stairway_migrations")).toBe(false);

      const dry = await runCli(["up", "--from", "goose", "--dry-run", "--db", url], { cwd: dir });
      expect(dry.stdout).toBe(`-- ${db}: 3_t2 up: sql/3_t2.up.sql\nCREATE TABLE t2 (id integer);\n\n`);

      const r = await runCli(["up", "--from", "goose", "--db", url], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`✓ ${db}: 2 migrations goose recorded in goose_db_version marked applied`);
      expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual([
        "1 applied",
        "2 applied",
        "3 applied",
      ]);
      expect(await hasTable(query, db, "t2")).toBe(true);
    }, 30_000);

    test("baseline VERSION marks every migration up to it applied, and leaves the ones recorded as they are", async () => {
      const { dir, url } = await setUp(db, flat(["1", "2", "3", "4"]), []);
      expect((await runCli(["up", "--to", "1", "--db", url], { cwd: dir })).code).toBe(0);
      const before = (await runCli(["status", "--db", url, "--json"], { cwd: dir })).json().migrations[0];
      const r = await runCli(["baseline", "3", "--db", url], { cwd: dir });
      expect(r.stdout.trim()).toBe(`✓ ${db}: 2 migrations up to 3_t2 marked applied`);
      const after = (await runCli(["status", "--db", url, "--json"], { cwd: dir })).json().migrations;
      expect(after.map((m: any) => `${m.version} ${m.state}`)).toEqual([
        "1 applied",
        "2 applied",
        "3 applied",
        "4 pending",
      ]);
      expect(after[0].appliedAt).toBe(before.appliedAt);
      expect((await runCli(["baseline", "2", "--db", url], { cwd: dir })).stdout.trim()).toBe(
        `– ${db}: every migration up to 2_t1 is recorded already`,
      );
      // up then runs only what is left.
      const up = await runCli(["up", "--db", url, "--json"], { cwd: dir });
      expect(up.json().results.map((x: any) => x.migration)).toEqual(["4_t3"]);
    }, 30_000);
  });
}

test("a table in another schema is found (dbmate's ?search_path=dbmate), and --table names a renamed one", async () => {
  const { dir, url } = await setUp("postgres", flat(["1", "2"]), [
    "CREATE SCHEMA dbmate",
    "CREATE TABLE dbmate.schema_migrations (version varchar(128) primary key)",
    "INSERT INTO dbmate.schema_migrations VALUES ('1')",
    "CREATE TABLE my_versions (version varchar(128) primary key)",
    "INSERT INTO my_versions VALUES ('1'), ('2')",
  ]);
  const found = await runCli(["status", "--db", url, "--json"], { cwd: dir });
  expect(states(found)).toEqual(["1 applied (dbmate)", "2 pending"]);
  const renamed = await runCli(["status", "--from", "dbmate", "--table", "my_versions", "--db", url, "--json"], {
    cwd: dir,
  });
  expect(states(renamed)).toEqual(["1 applied (dbmate)", "2 applied (dbmate)"]);
  const human = await runCli(["status", "--db", url], { cwd: dir });
  expect(human.stdout).toContain(
    `read from dbmate.schema_migrations, dbmate's record: stairway has recorded nothing here yet; "stairway baseline --from dbmate" adopts it`,
  );
}, 30_000);

test("a table of another shape than the runner's is refused, naming it", async () => {
  const { dir, url } = await setUp("sqlite", flat(["1"]), ["CREATE TABLE schema_migrations (version text)"]);
  const r = await runCli(["status", "--from", "golang-migrate", "--db", url], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(
    /^stairway: target sqlite: the table schema_migrations in sqlite:.*app\.db is not golang-migrate's \(it has no dirty column\): name its runner with --from, or its table with --table\n$/,
  );
  // Read as dbmate's (the same name, no dirty flag) when nobody says.
  expect(states(await runCli(["status", "--db", url, "--json"], { cwd: dir }))).toEqual(["1 pending"]);
});
