// The bad inputs: each names what a user got wrong, the exit code of the
// contract, and what stderr (or, for a check that failed, stdout) must say —
// the file, flag or target at fault. bad-input.test.ts runs them and checks
// that nothing was written anywhere.

import { Database } from "bun:sqlite";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Ctx {
  /** The case's own project directory (its cwd). */
  dir: string;
  /** sqlite:<dir>/app.db */
  sqlite: string;
  /** A PostgreSQL database made for the suite, which no case may write to. */
  pg: string;
  /** An empty Redis logical database claimed for the suite. */
  redis: string;
  /** A PostgreSQL server that checks passwords (postgres / right-password). */
  pwPort: number;
  /** Per-case resources made by setup (a database, a role), for teardown. */
  extra: Record<string, string>;
}

export interface Case {
  name: string;
  /** The project's files; GOOD when absent. */
  files?: Record<string, string>;
  args: (c: Ctx) => string[];
  env?: (c: Ctx) => Record<string, string>;
  setup?: (c: Ctx) => void | Promise<void>;
  teardown?: (c: Ctx) => void | Promise<void>;
  code: number;
  says: RegExp;
  /** stdout: a check failed and the results say so (stderr stays empty). */
  on?: "stdout";
  /** Lines stderr may hold (default 1; a tree with two problems says both). */
  lines?: number;
  /** Needs the password server. */
  pw?: boolean;
  /** What the run may write in the project: the report of a check that failed. */
  writes?: string[];
}

export const GOOD = {
  "sql/001_a/up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
  "sql/001_a/down.sql": "DROP TABLE a;\n",
  "sql/002_b/up.sql": "CREATE TABLE b (id integer PRIMARY KEY);\n",
  "sql/002_b/down.sql": "DROP TABLE b;\n",
};

const db = (c: Ctx) => ["--db", c.sqlite];
/** A command's report, written by a run whose checks failed (that is its output, not a side effect). */
const report = (command: string) => [
  "tests",
  "tests/migrations",
  "tests/migrations/reports",
  "tests/migrations/reports/.stairway-reports",
  `tests/migrations/reports/${command}.json`,
];
const cfg = (text: string) => ({ ...GOOD, "tests/migrations/config.yaml": text });
/** A SQLite file with stairway's bookkeeping table and these rows (version, checksum, dirty). */
function bookkeeping(c: Ctx, rows: [string, string, number][]): void {
  const d = new Database(join(c.dir, "app.db"));
  d.run(
    "CREATE TABLE stairway_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL, duration_ms REAL NOT NULL, dirty INTEGER NOT NULL DEFAULT 0)",
  );
  for (const [v, sum, dirty] of rows)
    d.run("INSERT INTO stairway_migrations VALUES (?, 'a', ?, '2024-01-01T00:00:00.000Z', 1, ?)", [v, sum, dirty]);
  d.run("CREATE TABLE a (id integer PRIMARY KEY)");
  d.close();
}
const chattr = (flag: "+i" | "-i", path: string) => Bun.spawnSync(["chattr", flag, path]);

export const CASES: Case[] = [
  // ── the migration tree ──
  {
    name: "a misnamed directory",
    files: { ...GOOD, "sql/add_users/up.sql": "SELECT 1;" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/add_users is not named <version>_<name>/,
  },
  {
    name: "a misnamed file in a migration",
    files: { ...GOOD, "sql/003_c/upp.sql": "SELECT 1;" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/003_c\/upp\.sql is not up\.sql, down\.sql/,
  },
  {
    name: "a misnamed flat file",
    files: { ...GOOD, "sql/3-c.up.sql": "SELECT 1;" },
    args: (c) => ["status", ...db(c)],
    code: 2,
    says: /sql\/3-c\.up\.sql is not named <version>_<name>\.up\.sql/,
  },
  {
    name: "a duplicate version",
    files: { ...GOOD, "sql/1_x/up.sql": "SELECT 1;", "sql/1_x/down.sql": "SELECT 1;" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    lines: 2,
    says: /version 00?1 is used more than once: sql\/001_a\/up\.sql, sql\/1_x\/up\.sql/,
  },
  {
    name: "two up files of one version",
    files: { ...GOOD, "sql/001_a.up.sql": "SELECT 1;", "sql/001_a.down.sql": "SELECT 1;" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    lines: 2,
    says: /are both the up of version 001/,
  },
  // up runs a tree with a missing down, as dbmate and golang-migrate do; validate reports it.
  {
    name: "an up without a down",
    files: { ...GOOD, "sql/003_c/up.sql": "SELECT 1;" },
    args: (c) => ["validate", ...db(c)],
    code: 1,
    on: "stdout",
    writes: report("validate"),
    says: /sql\/003_c\/up\.sql has no down: add sql\/003_c\/down\.sql/,
  },
  {
    name: "a down without an up",
    files: { ...GOOD, "sql/003_c/down.sql": "SELECT 1;" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/003_c\/down\.sql has no matching up file/,
  },
  {
    name: "an unknown directive",
    files: { ...GOOD, "sql/003_c/up.sql": "-- stairway:no-transacton\nSELECT 1;", "sql/003_c/down.sql": "SELECT 1;" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/003_c\/up\.sql:1: unknown directive "stairway:no-transacton"/,
  },
  {
    name: "a skip of an unknown dialect",
    files: { ...GOOD, "sql/003_c/up.sql": "-- stairway:skip oracle\nSELECT 1;", "sql/003_c/down.sql": "SELECT 1;" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/003_c\/up\.sql:1: stairway:skip names an unknown dialect "oracle"/,
  },
  {
    name: "an up.sql that is a directory",
    setup: (c) => mkdirSync(join(c.dir, "sql/003_c/up.sql"), { recursive: true }),
    args: (c) => ["status", ...db(c)],
    code: 2,
    says: /sql\/003_c\/up\.sql is a directory, not a file/,
  },
  {
    name: "a Redis transform that is a directory",
    setup: (c) => mkdirSync(join(c.dir, "redis-migrations/003_r.ts"), { recursive: true }),
    args: (c) => ["status", ...db(c)],
    code: 2,
    says: /redis-migrations\/003_r\.ts is a directory, not a file/,
  },
  {
    name: "a misnamed Redis transform",
    files: { ...GOOD, "redis-migrations/x.ts": "export default {};" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /redis-migrations\/x\.ts is not named <version>_<name>\.ts/,
  },
  {
    name: "a Redis transform that does not load",
    files: { ...GOOD, "redis-migrations/003_r.ts": "export default { up( };" },
    args: (c) => ["up", "--db", c.redis],
    code: 2,
    says: /redis-migrations\/003_r\.ts cannot be loaded/,
  },
  {
    name: "a Redis transform with no down",
    files: { ...GOOD, "redis-migrations/003_r.ts": "export default { async up() {} };" },
    args: (c) => ["up", "--db", c.redis],
    code: 2,
    says: /redis-migrations\/003_r\.ts exports no down\(\)/,
  },
  {
    name: "SQL that does not parse (validate)",
    files: {
      ...GOOD,
      "sql/003_c/up.sql": "CREATE TABLE c (id integer PRIMARY KEY;",
      "sql/003_c/down.sql": "DROP TABLE c;",
    },
    args: (c) => ["validate", ...db(c)],
    code: 1,
    on: "stdout",
    writes: report("validate"),
    says: /✗ files\.parse +sqlite +sql\/003_c\/up\.sql:1:\d+: /,
  },
  {
    name: "SQL that does not parse (safety)",
    files: {
      ...GOOD,
      "sql/003_c/up.sql": "CREATE TABLE c (id integer PRIMARY KEY;",
      "sql/003_c/down.sql": "DROP TABLE c;",
    },
    args: () => ["safety", "--dialect", "postgres"],
    code: 1,
    on: "stdout",
    writes: report("safety"),
    says: /sql\/003_c\/up\.sql:1:\d+: .*syntax-error/,
  },
  {
    name: "a symlink loop in the tree",
    setup: (c) => symlinkSync("loop", join(c.dir, "sql/loop")),
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/loop is a symbolic link loop/,
  },
  {
    name: "a symlink back up the tree (layout.pattern walks it)",
    files: cfg('layout:\n  pattern: "^(?<version>\\\\d+)_(?<name>\\\\w+)/(?<direction>up|down)\\\\.sql$"\n'),
    setup: (c) => symlinkSync("..", join(c.dir, "sql/001_a/back")),
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/001_a\/back is a symbolic link to a directory the tree already holds/,
  },

  // ── where the tree is ──
  {
    name: "up --sql naming no directory",
    args: (c) => ["up", "--sql", "./nosuch", ...db(c)],
    code: 2,
    says: /migration directory \.\/nosuch \(--sql\) does not exist/,
  },
  {
    name: "test --sql naming no directory",
    args: () => ["test", "--sql", "./nosuch"],
    code: 2,
    says: /migration directory \.\/nosuch \(--sql\) does not exist/,
  },
  {
    name: "validate --sql naming no directory",
    args: () => ["validate", "--sql", "./nosuch"],
    code: 2,
    says: /migration directory \.\/nosuch \(--sql\) does not exist/,
  },
  {
    name: "status --sql naming no directory",
    args: (c) => ["status", "--sql", "./nosuch", ...db(c)],
    code: 2,
    says: /migration directory \.\/nosuch \(--sql\) does not exist/,
  },
  {
    name: "safety --sql naming no directory",
    args: () => ["safety", "--sql", "./nosuch"],
    code: 2,
    says: /migration directory \.\/nosuch \(--sql\) does not exist/,
  },
  {
    name: "--sql naming a file",
    args: (c) => ["up", "--sql", "sql/001_a/up.sql", ...db(c)],
    code: 2,
    says: /migration directory sql\/001_a\/up\.sql \(--sql\) is a file, not a directory/,
  },
  {
    name: "--sql naming a symlink loop",
    setup: (c) => symlinkSync("lp", join(c.dir, "lp")),
    args: (c) => ["up", "--sql", "lp", ...db(c)],
    code: 2,
    says: /migration directory lp \(--sql\) is a symbolic link loop/,
  },
  {
    name: "--redis naming no directory",
    args: (c) => ["up", "--redis", "redis-migratons", ...db(c)],
    code: 2,
    says: /migration directory redis-migratons \(--redis\) does not exist/,
  },
  {
    name: "the config's migrations.sql naming no directory",
    files: cfg("migrations: { sql: db/migratons }\n"),
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /migration directory db\/migratons \(migrations\.sql in tests\/migrations\/config\.yaml\) does not exist/,
  },
  {
    name: "a target's migrations: naming no directory",
    files: cfg("databases:\n  lite: { url: sqlite:app.db, migrations: sqlite-tree }\n"),
    args: () => ["up"],
    code: 2,
    says: /migration directory sqlite-tree \(databases\.lite\.migrations in tests\/migrations\/config\.yaml\) does not exist/,
  },
  {
    name: "no tree at all (up)",
    files: {},
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /no migrations here: neither sql nor redis-migrations exists in /,
  },
  {
    name: "no tree at all (test)",
    files: {},
    args: () => ["test"],
    code: 2,
    says: /no migrations here: neither sql nor redis-migrations exists in /,
  },
  {
    name: "a path with spaces and unicode that does not exist",
    args: (c) => ["up", "--sql", "my migrations/ünïcødé", ...db(c)],
    code: 2,
    says: /migration directory my migrations\/ünïcødé \(--sql\) does not exist/,
  },
  {
    name: "a misnamed file under a path with spaces and unicode",
    files: {
      "my tree ü/001_a/up.sql": "SELECT 1;",
      "my tree ü/001_a/down.sql": "SELECT 1;",
      "my tree ü/zwei/up.sql": "SELECT 1;",
    },
    args: (c) => ["up", "--sql", "my tree ü", ...db(c)],
    code: 2,
    says: /my tree ü\/zwei is not named <version>_<name>/,
  },

  // ── the report dir ──
  {
    name: "--report-dir naming a file",
    files: { ...GOOD, "out.txt": "x" },
    args: (c) => ["up", "--report-dir", "out.txt", ...db(c)],
    code: 2,
    says: /report dir out\.txt: it is a file, not a directory/,
  },
  {
    name: "--report-dir under a file",
    files: { ...GOOD, "out.txt": "x" },
    args: (c) => ["up", "--report-dir", "out.txt/reports", ...db(c)],
    code: 2,
    says: /report dir out\.txt\/reports: \/.*\/out\.txt is a file, not a directory/,
  },
  {
    name: "the default report dir under a file",
    files: { ...GOOD, tests: "x" },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /report dir tests\/migrations\/reports \(the default; --report-dir names another\): \/.*\/tests is a file/,
  },
  {
    name: "--report-dir in a directory that cannot be written",
    setup: (c) => {
      mkdirSync(join(c.dir, "locked"));
      chattr("+i", join(c.dir, "locked"));
    },
    teardown: (c) => void chattr("-i", join(c.dir, "locked")),
    args: (c) => ["test", "--report-dir", "locked/reports", ...db(c)],
    code: 2,
    says: /report dir locked\/reports: \/.*\/locked is not writable/,
  },

  // ── arguments ──
  {
    name: "up --to a version that does not exist",
    args: (c) => ["up", "--to", "999", ...db(c)],
    code: 2,
    says: /--to 999: no such migration \(known: 001, 002\)/,
  },
  {
    name: "up --to a word",
    args: (c) => ["up", "--to", "latest", ...db(c)],
    code: 2,
    says: /--to latest: no such migration/,
  },
  {
    name: "down --to a word",
    args: (c) => ["down", "--to", "nonsense", ...db(c)],
    code: 2,
    says: /--to nonsense: no such migration/,
  },
  {
    name: "down --steps 0",
    args: (c) => ["down", "--steps", "0", ...db(c)],
    code: 2,
    says: /--steps 0: expected a positive whole number/,
  },
  {
    name: "down --steps 1.5",
    args: (c) => ["down", "--steps", "1.5", ...db(c)],
    code: 2,
    says: /--steps 1\.5: expected a positive whole number/,
  },
  {
    name: "down --steps a word",
    args: (c) => ["down", "--steps", "all", ...db(c)],
    code: 2,
    says: /--steps all: expected a positive whole number/,
  },
  {
    name: "down --steps and --to together",
    args: (c) => ["down", "--steps", "1", "--to", "0", ...db(c)],
    code: 2,
    says: /--steps and --to cannot be used together/,
  },
  {
    name: "force a version that does not exist",
    args: (c) => ["force", "7", ...db(c)],
    code: 2,
    says: /force 7: no such migration/,
  },
  {
    name: "--wait a word",
    args: (c) => ["status", "--wait", "soon", ...db(c)],
    code: 2,
    says: /--wait soon: expected a number of seconds/,
  },
  {
    name: "--wait negative",
    args: (c) => ["status", "--wait=-5", ...db(c)],
    code: 2,
    says: /--wait -5: expected a number of seconds/,
  },
  {
    name: "--shard past its count",
    args: (c) => ["test", "--shard", "5/4", ...db(c)],
    code: 2,
    says: /--shard 5\/4: expected K\/N with 1 ≤ K ≤ N/,
  },
  {
    name: "--since a version the tree does not have",
    args: (c) => ["test", "--since", "9", ...db(c)],
    code: 2,
    says: /--since 9: no migration has that version \(the tree's versions run from 001 to 002\)/,
  },
  {
    name: "--since-git outside a git checkout",
    args: (c) => ["backup-test", "--since-git", "origin/main", ...db(c)],
    env: (c) => ({ GIT_CEILING_DIRECTORIES: join(c.dir, "..") }),
    code: 2,
    says: /--since-git origin\/main: sql is not in a git checkout/,
  },
  {
    name: "--since with --shard",
    args: (c) => ["perf", "--since", "2", "--shard", "1/2", ...db(c)],
    code: 2,
    says: /--since and --shard cannot be used together: pick one/,
  },
  {
    name: "cross-db --since without --each-step",
    args: (c) => ["cross-db", "--since", "2", "--db", c.sqlite, "--db", c.pg],
    code: 2,
    says: /--since, --since-git and --shard go with cross-db --each-step/,
  },
  {
    name: "report --from a directory that does not exist",
    args: () => ["report", "--from", "shards/one"],
    code: 2,
    says: /--from shards\/one: no such directory/,
  },
  {
    name: "report --from a glob that matches nothing",
    args: () => ["report", "--from", "shards/*"],
    code: 2,
    says: /--from shards\/\*: matches no directory/,
  },
  {
    name: "an unknown flag",
    args: (c) => ["status", "--frobnicate", ...db(c)],
    code: 2,
    says: /Unknown option `--frobnicate`/,
  },
  { name: "an unknown command", args: () => ["migrate"], code: 2, says: /unknown command "migrate"/ },
  {
    name: "validate --dialect that is no SQL dialect",
    args: () => ["validate", "--dialect", "oracle"],
    code: 2,
    says: /--dialect oracle: expected postgres, sqlite or mysql/,
  },
  {
    name: "new with a name that is no name",
    args: () => ["new", "add users"],
    code: 2,
    says: /"add users" is not a migration name/,
  },
  { name: "new with no name", args: () => ["new"], code: 2, says: /missing required args for command `new <name>`/ },
  {
    name: "schema with an unknown action",
    args: (c) => ["schema", "drop", ...db(c)],
    code: 2,
    says: /schema drop: expected "schema dump" or "schema diff"/,
  },
  {
    name: "schema diff of one target",
    args: (c) => ["schema", "diff", ...db(c)],
    code: 2,
    says: /schema diff compares two targets; got 1/,
  },
  {
    name: "safety --format xml",
    args: () => ["safety", "--format", "xml"],
    code: 2,
    says: /--format xml: expected text, json or sarif/,
  },
  {
    name: "safety --dialect oracle",
    args: () => ["safety", "--dialect", "oracle"],
    code: 2,
    says: /--dialect oracle: expected postgres, sqlite or mysql/,
  },
  {
    name: "safety of a file that does not exist",
    args: () => ["safety", "sql/009_x/up.sql"],
    code: 2,
    says: /sql\/009_x\/up\.sql does not exist/,
  },
  {
    name: "--target naming no target",
    files: cfg("databases:\n  lite: { url: sqlite:app.db }\n"),
    args: () => ["status", "--target", "lit"],
    code: 2,
    says: /--target lit: no such target \(known: lite\)/,
  },
  {
    name: "perf --rows a word",
    args: (c) => ["perf", "--rows", "many", ...db(c)],
    code: 2,
    says: /--rows many: expected a positive whole number/,
  },
  {
    name: "rollback --last 0",
    args: (c) => ["rollback", "--last", "0", ...db(c)],
    code: 2,
    says: /--last 0: expected a positive whole number/,
  },
  {
    name: "perf --scenario unknown",
    args: (c) => ["perf", "--scenario", "huge", ...db(c)],
    code: 2,
    says: /--scenario huge: no such scenario/,
  },
  {
    name: "perf --baseline that does not exist",
    args: (c) => ["perf", "--baseline", "base.json", ...db(c)],
    code: 2,
    says: /--baseline base\.json: cannot read it/,
  },
  {
    name: "report with no reports",
    args: () => ["report"],
    code: 2,
    says: /tests\/migrations\/reports does not exist: run the test commands first/,
  },

  // ── adopting a database another runner migrated ──
  {
    name: "--from a runner stairway does not read",
    args: (c) => ["status", "--from", "liquibase", ...db(c)],
    code: 2,
    says: /--from liquibase: not a runner whose bookkeeping stairway reads \(known: golang-migrate, dbmate, goose, flyway, sqlx, diesel, prisma, popx\)/,
  },
  {
    name: "--table without --from",
    args: (c) => ["up", "--table", "versions", ...db(c)],
    code: 2,
    says: /--table versions: name the runner that wrote it with --from/,
  },
  {
    name: "baseline with a version that is not in the tree",
    args: (c) => ["baseline", "003", "--db", c.pg],
    code: 2,
    says: /baseline 003: no such migration \(known: 001, 002\)/,
  },
  {
    name: "baseline with neither a version nor --from",
    args: (c) => ["baseline", ...db(c)],
    code: 2,
    says: /baseline needs a version \(every migration up to it is marked applied\) or --from RUNNER/,
  },
  {
    name: "baseline with both a version and --from",
    args: (c) => ["baseline", "001", "--from", "goose", ...db(c)],
    code: 2,
    says: /baseline takes a version or --from, not both/,
  },
  {
    name: "up --from naming a runner whose table the database does not have",
    args: (c) => ["up", "--from", "goose", "--db", c.pg],
    code: 2,
    says: /target postgres: postgres:\/\/.* has no table goose_db_version, so goose has recorded nothing there \(--table names another table\)/,
  },
  {
    name: "baseline --from with a --table the database does not have",
    args: (c) => ["baseline", "--from", "dbmate", "--table", "versions", "--db", c.pg],
    code: 2,
    says: /has no table versions, so dbmate has recorded nothing there$/m,
  },
  {
    name: "up on a database another runner migrated, without --from",
    setup: (c) => {
      const d = new Database(join(c.dir, "app.db"));
      d.run("CREATE TABLE a (id integer PRIMARY KEY)");
      d.run(
        "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))",
      );
      d.run("INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1)");
      d.close();
    },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /target sqlite: goose_db_version \(goose\) says goose applied 1 migration of this tree here \(the newest 001_a\), and stairway has recorded none: adopt that history with "stairway baseline --from goose"/,
  },

  // ── the config ──
  {
    name: "a setup file that does not exist",
    files: cfg("setup:\n  sqlite: [setup/runner.sql]\n"),
    args: (c) => ["test", ...db(c)],
    code: 2,
    says: /config\.yaml:2: setup\.sqlite\[0\]: setup\/runner\.sql does not exist \(paths are read from the working directory, /,
  },
  {
    name: "setup for a dialect stairway does not know",
    files: { ...cfg("setup:\n  oracle: [setup.sql]\n"), "setup.sql": "SELECT 1;\n" },
    args: (c) => ["test", ...db(c)],
    code: 2,
    says: /config\.yaml:2: setup\.oracle: "oracle" is not a SQL dialect \(postgres, sqlite/,
  },
  {
    name: "a setup file that fails (PostgreSQL)",
    files: {
      ...cfg("setup:\n  postgres: [setup.sql]\n"),
      "setup.sql": "CREATE TABLE t (id int);\nCREATE INDEX ON nope (id);\n",
    },
    args: (c) => ["test", "--db", c.pg],
    code: 2,
    says: /setup file setup\.sql:2:\d+ failed on target postgres: relation "nope" does not exist \(setup\.postgres in tests\/migrations\/config\.yaml\)/,
  },
  {
    name: "a setup file that fails (SQLite)",
    files: {
      ...cfg("setup:\n  sqlite: [setup.sql]\n"),
      "setup.sql": "CREATE TABLE t (id int);\nCREATE TABLE t (id int);\n",
    },
    args: (c) => ["test", ...db(c)],
    code: 2,
    says: /setup file setup\.sql:2:14 failed on target sqlite: table t already exists \(setup\.sqlite in tests\/migrations\/config\.yaml\)/,
  },
  {
    name: "a config key with a typo",
    files: cfg("databases:\n  lite:\n    url: sqlite:app.db\n    max_migraton_time: 5\n"),
    args: () => ["status"],
    code: 2,
    says: /config\.yaml:4: unknown key "max_migraton_time" in databases\.lite/,
  },
  {
    name: "a config value of the wrong type",
    files: cfg("databases:\n  lite: { url: sqlite:app.db, max_migration_time: fast }\n"),
    args: () => ["status"],
    code: 2,
    says: /config\.yaml:2: databases\.lite\.max_migration_time must be a number, got "fast"/,
  },
  {
    name: "a config that is not YAML",
    files: cfg("databases:\n  lite: [unclosed\n"),
    args: () => ["status"],
    code: 2,
    says: /config\.yaml:\d+: /,
  },
  {
    name: "--config naming a directory",
    args: () => ["status", "--config", "sql"],
    code: 2,
    says: /config file sql cannot be read: it is a directory/,
  },
  {
    name: "--config naming no file",
    args: () => ["status", "--config", "stairway.yml"],
    code: 2,
    says: /config file stairway\.yml does not exist/,
  },
  {
    name: "a ${VAR} that is not set",
    files: cfg('databases:\n  pg: { url: "${STAIRWAY_NO_SUCH_VAR}" }\n'),
    args: () => ["status"],
    code: 2,
    says: /\$\{STAIRWAY_NO_SUCH_VAR\} is not set and has no default/,
  },
  {
    name: "a layout.pattern that is no regex",
    files: cfg('layout: { pattern: "(?<version>\\\\d+" }\n'),
    args: (c) => ["status", ...db(c)],
    code: 2,
    says: /layout\.pattern is not a valid regular expression/,
  },
  {
    name: "a config URL stairway does not know",
    files: cfg('databases:\n  my: { url: "oracle://root:hunter22@db/x" }\n'),
    args: () => ["status"],
    code: 2,
    says: /databases\.my\.url: "oracle:\/\/root:\*\*\*@db\/x" is not a database URL stairway knows/,
  },

  // ── URLs ──
  {
    name: "an unknown scheme",
    args: () => ["status", "--db", "oracle://root:hunter22@localhost/x"],
    code: 2,
    says: /--db: "oracle:\/\/root:\*\*\*@localhost\/x" is not a database URL stairway knows/,
  },
  {
    name: "sqlite: with no file",
    args: () => ["status", "--db", "sqlite:"],
    code: 2,
    says: /--db: "sqlite:" names no file/,
  },
  {
    name: "a port that is no number",
    args: () => ["status", "--db", "postgres://u:hunter22@127.0.0.1:fivefour/db"],
    code: 2,
    says: /--db: "postgres:\/\/u:\*\*\*@127\.0\.0\.1:fivefour\/db" is not a valid URL/,
  },
  {
    name: "a password with a bad %",
    args: () => ["status", "--db", "postgres://u:100%sure@127.0.0.1/db"],
    code: 2,
    says: /"postgres:\/\/u:\*\*\*@127\.0\.0\.1\/db" has a "%" in its password that starts no percent-encoding: write % as %25/,
  },
  {
    name: "a password with a raw /",
    args: () => ["status", "--db", "postgres://u:ab/cd@127.0.0.1/db"],
    code: 2,
    says: /"postgres:\/\/u:\*\*\*@127\.0\.0\.1\/db" has an "@" after the host/,
  },
  {
    name: "a password with a raw #",
    args: () => ["status", "--db", "postgres://u:ab#cd@127.0.0.1/db"],
    code: 2,
    says: /"postgres:\/\/u:\*\*\*@127\.0\.0\.1\/db" has an "@" after the host/,
  },
  {
    name: "sslrootcert=<file>",
    args: () => ["status", "--db", "postgres://u@127.0.0.1/db?sslmode=verify-full&sslrootcert=/etc/ca.pem"],
    code: 2,
    says: /sslrootcert=<file> is not supported/,
  },
  {
    name: "a Redis database that is no number",
    args: () => ["status", "--db", "redis://127.0.0.1:6379/cache"],
    code: 2,
    says: /names logical database "cache": expected a number/,
  },
  {
    name: "a Redis URL with ?password=",
    args: () => ["status", "--db", "redis://127.0.0.1:6379/0?password=hunter22"],
    code: 2,
    says: /"redis:\/\/127\.0\.0\.1:6379\/0\?password=\*\*\*" has a password= parameter/,
  },
  {
    name: "a Redis cluster URL with no host",
    args: () => ["status", "--db", "redis+cluster://"],
    code: 2,
    says: /"redis\+cluster:\/\/" names no host/,
  },
  {
    name: "a bad DATABASE_URL",
    args: () => ["status"],
    env: () => ({ DATABASE_URL: "postgress://u@h/db" }),
    code: 2,
    says: /DATABASE_URL: "postgress:\/\/u@h\/db" is not a database URL/,
  },
  {
    name: "no database at all",
    args: () => ["up"],
    code: 2,
    says: /no database to act on: pass --db URL, set DATABASE_URL/,
  },

  // ── targets that cannot be reached or refuse us ──
  {
    name: "PostgreSQL on a closed port",
    args: () => ["up", "--db", "postgres://postgres@127.0.0.1:1/postgres"],
    code: 3,
    says: /cannot connect to target postgres \(postgres:\/\/postgres@127\.0\.0\.1:1\/postgres\): connection refused/,
  },
  {
    name: "Redis on a closed port",
    files: { ...GOOD, "redis-migrations/003_r.ts": "export default { async up() {}, async down() {} };" },
    args: () => ["up", "--db", "redis://127.0.0.1:1/0"],
    code: 3,
    says: /cannot connect to target redis \(redis:\/\/127\.0\.0\.1:1\/0\)/,
  },
  {
    name: "a host that does not exist",
    args: () => ["status", "--db", "postgres://u@no-such-host.invalid/db"],
    code: 3,
    says: /target postgres \(postgres:\/\/u@no-such-host\.invalid\/db\): host not found/,
  },
  {
    name: "a PostgreSQL database that does not exist",
    args: (c) => ["up", "--db", c.pg.replace(/\/[^/]*$/, "/stairway_no_such_db")],
    code: 3,
    says: /database "stairway_no_such_db" does not exist/,
  },
  {
    name: "a PostgreSQL role that does not exist",
    args: (c) => ["up", "--db", c.pg.replace("postgres@", "stairway_no_such_role@")],
    code: 3,
    says: /target postgres \(.*stairway_no_such_role@.*\): /,
  },
  {
    name: "a wrong password",
    pw: true,
    args: (c) => ["up", "--db", `postgres://postgres:Wr0ng"pw@127.0.0.1:${c.pwPort}/postgres`],
    code: 3,
    says: /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\): password authentication failed/,
  },
  {
    name: "a user that may not create the bookkeeping table",
    setup: async (c) => {
      c.extra.role = `stairway_bi_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
      await pgAdmin(c, `CREATE ROLE ${c.extra.role} LOGIN`);
    },
    teardown: (c) => pgAdmin(c, `DROP ROLE IF EXISTS ${c.extra.role}`),
    args: (c) => ["up", "--db", c.pg.replace("postgres@", `${c.extra.role}@`)],
    code: 3,
    says: /target postgres: cannot create stairway's bookkeeping: permission denied for schema public/,
  },
  {
    name: "a stairway_migrations table that is not ours (PostgreSQL)",
    setup: async (c) => {
      c.extra.db = `stairway_bi_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
      await pgAdmin(c, `CREATE DATABASE ${c.extra.db}`);
      await pgAdmin(c, "CREATE TABLE stairway_migrations (id integer PRIMARY KEY, script text)", c.extra.db);
    },
    teardown: (c) => pgAdmin(c, `DROP DATABASE IF EXISTS ${c.extra.db} WITH (FORCE)`),
    args: (c) => ["validate", "--db", c.pg.replace(/\/[^/]*$/, `/${c.extra.db}`)],
    code: 2,
    says: /target postgres: the table stairway_migrations in .* is not stairway's \(column "\w+" does not exist\)/,
  },
  {
    name: "a stairway_migrations table that is not ours (SQLite)",
    setup: (c) => {
      const d = new Database(join(c.dir, "app.db"));
      d.run("CREATE TABLE stairway_migrations (id integer PRIMARY KEY)");
      d.close();
    },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /target sqlite: the table stairway_migrations in sqlite:.*app\.db is not stairway's \(no such column: (version|checksum)/,
  },
  {
    name: "an immutable SQLite file",
    setup: (c) => {
      bookkeeping(c, []);
      chattr("+i", join(c.dir, "app.db"));
    },
    teardown: (c) => void chattr("-i", join(c.dir, "app.db")),
    args: (c) => ["up", ...db(c)],
    code: 3,
    says: /target sqlite: cannot write SQLite database \/.*\/app\.db: the file cannot be written \(EPERM/,
  },
  {
    name: "a SQLite file that is no database",
    files: { ...GOOD, "app.db": "this is not a database, it is a note\n" },
    args: (c) => ["status", ...db(c)],
    code: 3,
    says: /target sqlite: cannot open SQLite database \/.*\/app\.db: file is not a database/,
  },
  {
    name: "a SQLite database in a directory that does not exist",
    args: () => ["up", "--db", "sqlite:no dir/ü.db"],
    code: 3,
    says: /cannot create SQLite database \/.*\/no dir\/ü\.db: directory \/.*\/no dir does not exist/,
  },
  {
    name: "a SQLite path that is a directory",
    args: () => ["up", "--db", "sqlite:sql"],
    code: 3,
    says: /target sqlite: cannot write SQLite database \/.*\/sql: it is a directory/,
  },
  {
    name: "a PGlite directory whose parent does not exist",
    args: () => ["up", "--db", "pglite:no dir/ü"],
    code: 3,
    says: /target pglite: cannot open PGlite database \/.*\/no dir\/ü: directory \/.*\/no dir does not exist/,
  },
  {
    name: "a PGlite directory that cannot be created (in an immutable directory)",
    setup: (c) => {
      mkdirSync(join(c.dir, "frozen"));
      chattr("+i", join(c.dir, "frozen"));
    },
    teardown: (c) => void chattr("-i", join(c.dir, "frozen")),
    args: () => ["up", "--db", "pglite:frozen/db"],
    code: 3,
    says: /target pglite: cannot open PGlite database \/.*\/frozen\/db: cannot create the directory \(EPERM\)/,
  },
  {
    name: "a PGlite path that is a file",
    args: () => ["up", "--db", "pglite:sql/001_a/up.sql"],
    code: 3,
    says: /target pglite: cannot open PGlite database \/.*\/up\.sql: it is a file, not a directory/,
  },
  {
    name: "a PGlite directory that holds something else",
    files: { ...GOOD, "data/notes.txt": "mine\n" },
    args: () => ["up", "--db", "pglite:data"],
    code: 3,
    says: /cannot open PGlite database \/.*\/data: the directory holds files but no PostgreSQL database \(no PG_VERSION\)/,
  },
  {
    name: "a PGlite directory another stairway run holds",
    setup: async (c) => {
      // Another process takes the directory's lock, as a stairway run does from open to close.
      mkdirSync(join(c.dir, "held"));
      const lock = join(import.meta.dir, "../../src/stores/pglite/dir-lock.ts");
      const holder = Bun.spawn(
        [
          process.execPath,
          "-e",
          `const { lockDirectory } = await import(${JSON.stringify(lock)}); const release = await lockDirectory(${JSON.stringify(join(c.dir, "held"))}, "holder"); console.log("locked"); setInterval(() => release, 1000);`,
        ],
        { stdout: "pipe" },
      );
      c.extra.holder = String(holder.pid);
      for await (const chunk of holder.stdout) if (new TextDecoder().decode(chunk).includes("locked")) break;
    },
    teardown: (c) => {
      // Teardowns run again at the end of the suite: the holder may be gone by then.
      if (c.extra.holder) process.kill(Number(c.extra.holder));
      delete c.extra.holder;
    },
    args: () => ["up", "--db", "pglite:held"],
    code: 1,
    says: /target pglite: PGlite database \/.*\/held is open in another stairway run \(it holds .*held\/stairway\.lock\): wait for it to finish/,
  },
  {
    name: "lock_timeout on a PGlite target (never enforced there)",
    files: cfg('databases:\n  embedded: { url: "pglite:", lock_timeout: 5000 }\n'),
    args: () => ["up"],
    code: 2,
    says: /config\.yaml: databases\.embedded\.lock_timeout: PGlite \(embedded PostgreSQL\) never enforces lock_timeout or statement_timeout/,
  },

  // ── the state of a target ──
  {
    name: "up on a tree edited since it was applied",
    setup: (c) => bookkeeping(c, [["001", "0".repeat(64), 0]]),
    args: (c) => ["up", ...db(c)],
    code: 1,
    says: /target sqlite: sql\/001_a\/up\.sql was edited after it was applied; .* --allow-drift/,
  },
  {
    name: "up on a dirty version",
    setup: (c) => bookkeeping(c, [["001", "0".repeat(64), 1]]),
    args: (c) => ["up", ...db(c)],
    code: 1,
    // A dirty version is judged under the run lock (another run may be applying it): its lock file, empty, stays.
    writes: ["app.db-stairway.lock"],
    says: /target sqlite: version 001 is dirty: .*stairway force 001/,
  },
  // Issue 14's items that first landed elsewhere: their bad inputs, here too.
  {
    name: "a migration file that is not UTF-8 (up)",
    files: { ...GOOD, "sql/003_c/down.sql": "DROP TABLE c;\n" },
    setup: (c) =>
      writeFileSync(
        join(c.dir, "sql/003_c/up.sql"),
        Buffer.from([...Buffer.from("CREATE TABLE c (id integer);\n-- caf"), 0xe9, 0x0a]),
      ),
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/003_c\/up\.sql:2:7: not valid UTF-8 \(byte 0xE9\): save the file as UTF-8/,
  },
  {
    name: "a migration file that is not UTF-8 (safety)",
    files: { ...GOOD, "sql/003_c/down.sql": "DROP TABLE c;\n" },
    setup: (c) => writeFileSync(join(c.dir, "sql/003_c/up.sql"), Buffer.from([0x53, 0x45, 0x4c, 0xff, 0x3b])),
    args: () => ["safety", "--dialect", "postgres"],
    code: 2,
    says: /sql\/003_c\/up\.sql:1:4: not valid UTF-8 \(byte 0xFF\)/,
  },
  {
    name: "a COMMIT in the middle of a file run in a transaction",
    files: {
      ...GOOD,
      "sql/003_c/up.sql": "CREATE TABLE c (id integer);\nCOMMIT;\nCREATE INDEX c_id ON c (id);\n",
      "sql/003_c/down.sql": "DROP TABLE c;\n",
    },
    args: (c) => ["up", ...db(c)],
    code: 2,
    says: /sql\/003_c\/up\.sql:2:1: COMMIT in a file stairway runs in a transaction would end that transaction early: .*stairway:no-transaction/,
  },
  {
    name: "clean --report-dir naming a file",
    files: { ...GOOD, "notes.txt": "mine\n" },
    args: () => ["clean", "--report-dir", "notes.txt"],
    code: 2,
    says: /report dir notes\.txt: it is a file, not a directory/,
  },
  {
    name: "new with an unknown --store",
    args: () => ["new", "add_owner", "--store", "mongo"],
    code: 2,
    says: /--store mongo: expected sql or redis/,
  },
];

/** Runs SQL as the server's admin, on the suite's database or another. */
async function pgAdmin(c: Ctx, sql: string, database?: string): Promise<void> {
  const { pgQuery } = await import("../helpers.ts");
  await pgQuery(database ? c.pg.replace(/\/[^/]*$/, `/${database}`) : c.pg, sql);
}
