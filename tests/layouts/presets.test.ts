// Each runner's tree, read as it is: a small tree per preset written here
// (never a real project's SQL), read with the preset named and by detection.

import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadPlan } from "../../src/plan/discover.ts";
import { LAYOUTS } from "../../src/plan/layouts/index.ts";
import { LAYOUT_IDS, type LayoutId } from "../../src/plan/layouts/layout.ts";
import { appliesTo, fileFor, placeOf, type Migration, type Plan } from "../../src/plan/migration.ts";
import { splitStatements } from "../../src/plan/statements.ts";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "stairway-layouts-"));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

/** The tree read by detection and with the preset named: both readings must agree. */
function read(root: string, preset: LayoutId): Plan {
  const detected = loadPlan({ sqlDir: root });
  expect(detected.layout).toMatchObject({ preset, detected: true });
  const given = loadPlan({ sqlDir: root, preset: { id: preset, given: "--layout" } });
  expect(given.layout).toMatchObject({ preset, detected: false });
  expect(summary(given)).toEqual(summary(detected));
  return given;
}

const summary = (plan: Plan) => ({
  ids: ids(plan),
  problems: plan.problems.map((p) => p.message),
  notes: plan.notes,
  upOnly: plan.upOnly,
});
const ids = (plan: Plan) => plan.migrations.map((m) => m.id);
const rel = (root: string, path: string | undefined) => path?.slice(root.length + 1);
const problemsAt = (plan: Plan, root: string) =>
  plan.problems.map((p) => [p.check, rel(root, p.path)]).sort((a, b) => a.join().localeCompare(b.join()));
const noTx = (m: Migration, direction: "up" | "down", dialect: "sqlite" | "postgres" = "sqlite") =>
  fileFor(m, direction, dialect)!.directives.noTransaction;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("golang-migrate", () => {
  const files = {
    "000001_create_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
    "000001_create_users.down.sql": "DROP TABLE users;\n",
    "000002_add_email.up.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    "000002_drop_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
    "000010_index.up.sql": "CREATE INDEX CONCURRENTLY idx_email ON users (email);\n",
    "000010_index.down.sql": "DROP INDEX CONCURRENTLY idx_email;\n",
  };

  test("ups and downs pair by version, whatever their names; versions compare as numbers", () => {
    const root = tree(files);
    const plan = read(root, "golang-migrate");
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["000001_create_users", "000002_add_email", "000010_index"]);
    const m2 = plan.migrations[1]!;
    expect(rel(root, m2.files.down.default!.path)).toBe("000002_drop_email.down.sql");
    expect(m2.files.up.default!.direction).toBe("up");
  });

  test("a file PostgreSQL refuses in a transaction runs outside one, as golang-migrate sends it unwrapped", () => {
    const plan = read(tree(files), "golang-migrate");
    expect(plan.migrations.map((m) => noTx(m, "up"))).toEqual([false, false, true]);
    expect(noTx(plan.migrations[2]!, "down")).toBe(true);
  });

  test("a file with its own BEGIN … COMMIT blocks runs as written (golang-migrate sends it so), said once; stairway's layout refuses it", () => {
    const own =
      "BEGIN;\nALTER TABLE users ADD COLUMN name text;\nCOMMIT;\nBEGIN;\nUPDATE users SET name = 'x';\nCOMMIT;\n";
    const root = tree({
      ...files,
      "000003_names.up.sql": own,
      "000003_names.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
    });
    const plan = read(root, "golang-migrate");
    expect(plan.problems).toEqual([]);
    expect(plan.migrations.map((m) => noTx(m, "up"))).toEqual([false, false, true, true]);
    expect(noTx(plan.migrations[2]!, "down")).toBe(false);
    expect(plan.notes).toEqual([
      "1 file holds its own BEGIN … COMMIT: run as written, outside stairway's transaction, as golang-migrate sends it",
    ]);
    const ours = loadPlan({ sqlDir: root, preset: { id: "stairway", given: "--layout" } });
    expect(ours.notes).toEqual([]);
    expect(ours.problems.filter((p) => p.path.endsWith("000003_names.up.sql")).map((p) => p.message)).toEqual([
      expect.stringContaining(
        `${join(root, "000003_names.up.sql")}:3:1: COMMIT in a file stairway runs in a transaction would end that transaction early`,
      ),
    ]);
  });

  test("a plain flat tree is read alike by stairway, sqlx and popx, and named golang-migrate", () => {
    const plan = loadPlan({ sqlDir: tree({ "1_a.up.sql": "SELECT 1;\n", "1_a.down.sql": "SELECT 1;\n" }) });
    expect(plan.layout).toEqual({ preset: "golang-migrate", detected: true, alike: ["stairway", "sqlx", "popx"] });
  });

  test("a file not named like the others names itself and the preset read", () => {
    const root = tree({ ...files, "notes.sql": "SELECT 1;\n" });
    const plan = loadPlan({ sqlDir: root });
    expect(problemsAt(plan, root)).toEqual([["files.naming", "notes.sql"]]);
    expect(plan.problems[0]!.message).toBe(
      `${join(root, "notes.sql")} is not named {version}_{title}.up.sql or .down.sql; layout: golang-migrate (detected)`,
    );
  });
});

describe("sqlx", () => {
  const files = {
    "20220101000000_create_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
    "20220101000000_create_users.down.sql": "DROP TABLE users;\n",
    "20220102000000_seed.sql": "INSERT INTO users (id) VALUES (1);\n",
    "20220103000000_index.up.sql": "-- no-transaction\nCREATE INDEX CONCURRENTLY idx ON users (id);\n",
    "20220103000000_index.down.sql": "DROP INDEX idx;\n",
  };

  test("reversible pairs and an irreversible <v>_<name>.sql, which wants no down", () => {
    const plan = read(tree(files), "sqlx");
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["20220101000000_create_users", "20220102000000_seed", "20220103000000_index"]);
    expect(plan.migrations.map((m) => !!m.irreversible)).toEqual([false, true, false]);
    expect(plan.upOnly).toBe(false);
  });

  test("-- no-transaction as the first line runs that file outside a transaction", () => {
    const plan = read(tree(files), "sqlx");
    expect(plan.migrations.map((m) => noTx(m, "up"))).toEqual([false, false, true]);
    expect(noTx(plan.migrations[2]!, "down")).toBe(false);
  });

  test("reversible files only: the -- no-transaction first line makes it sqlx, not golang-migrate", () => {
    const { "20220102000000_seed.sql": _, ...reversible } = files;
    const plan = loadPlan({ sqlDir: tree(reversible) });
    expect(plan.layout).toEqual({ preset: "sqlx", detected: true });
    expect(noTx(plan.migrations[1]!, "up")).toBe(true);
  });

  test("irreversible files only: an up-only tree", () => {
    const plan = read(
      tree({ "1_a.sql": "CREATE TABLE a (id int);\n", "2_b.sql": "CREATE TABLE b (id int);\n" }),
      "sqlx",
    );
    expect(plan.upOnly).toBe(true);
    expect(plan.problems).toEqual([]);
  });
});

describe("dbmate", () => {
  const USERS = [
    "-- the users of the app", // 1
    "-- migrate:up", // 2
    "CREATE TABLE users (", // 3
    "  id integer PRIMARY KEY", // 4
    ");", // 5
    "", // 6
    "-- migrate:down", // 7
    "DROP TABLE users;", // 8
    "",
  ].join("\n");
  const INDEX =
    "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY idx ON users (id);\n\n-- migrate:down\nDROP INDEX idx;\n";

  test("one file, two sections: each is the whole file with the other blanked, so lines are the file's", () => {
    const root = tree({ "20151129054053_create_users.sql": USERS, "20151129054054_add_index.sql": INDEX });
    const plan = read(root, "dbmate");
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["20151129054053_create_users", "20151129054054_add_index"]);
    const m = plan.migrations[0]!;
    const up = m.files.up.default!;
    const down = m.files.down.default!;
    expect(up.path).toBe(join(root, "20151129054053_create_users.sql"));
    expect(down.path).toBe(up.path);
    expect(up.text).toHaveLength(USERS.length);
    expect(down.text).toHaveLength(USERS.length);
    expect(splitStatements(up.text).map((s) => [s.line, s.text])).toEqual([
      [3, "CREATE TABLE users (\n  id integer PRIMARY KEY\n)"],
    ]);
    expect(splitStatements(down.text).map((s) => [s.line, s.col, s.text])).toEqual([[8, 1, "DROP TABLE users"]]);
    expect(up.text.split("\n").slice(6)).toEqual(["               ", "                 ", ""]);
  });

  test("the checksum is of the up section: editing the down does not make an applied up drift", () => {
    const a = read(tree({ "1_users.sql": USERS }), "dbmate").migrations[0]!;
    const b = read(tree({ "1_users.sql": USERS.replace("DROP TABLE users;", "DROP TABLE IF EXISTS users;") }), "dbmate")
      .migrations[0]!;
    expect(a.files.up.default!.checksum).toBe(sha256(USERS.slice(0, USERS.indexOf("-- migrate:down"))));
    expect(b.files.up.default!.checksum).toBe(a.files.up.default!.checksum);
  });

  test("transaction:false is per section", () => {
    const plan = read(
      tree({ "20151129054053_create_users.sql": USERS, "20151129054054_add_index.sql": INDEX }),
      "dbmate",
    );
    expect(plan.migrations.map((m) => [noTx(m, "up"), noTx(m, "down")])).toEqual([
      [false, false],
      [true, false],
    ]);
  });

  test("a file without -- migrate:up, one with the down first, and one without a down", () => {
    const root = tree({
      "1_users.sql": USERS,
      "2_no_up.sql": "CREATE TABLE x (id int);\n",
      "3_swapped.sql": "-- migrate:down\nDROP TABLE y;\n-- migrate:up\nCREATE TABLE y (id int);\n",
      "4_no_down.sql": "-- migrate:up\nCREATE TABLE z (id int);\n",
      "5_stray.sql": "CREATE TABLE w (id int);\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n",
    });
    const plan = loadPlan({ sqlDir: root, preset: { id: "dbmate", given: "--layout" } });
    expect(plan.problems.map((p) => [p.check, rel(root, p.path), p.line, p.blocking])).toEqual([
      ["files.parse", "2_no_up.sql", 1, true],
      ["files.parse", "3_swapped.sql", 1, true],
      ["files.parse", "5_stray.sql", 1, true],
      ["files.missing-down", "4_no_down.sql", undefined, false],
    ]);
    expect(plan.problems[0]!.message).toBe(
      `${join(root, "2_no_up.sql")}:1: no "-- migrate:up" line: dbmate reads the up from there to "-- migrate:down"`,
    );
    // The files whose sections cannot be read are no migrations; the others are.
    expect(ids(plan)).toEqual(["1_users", "4_no_down", "5_stray"]);
    expect(plan.problems[3]!.message).toBe(
      `${join(root, "4_no_down.sql")} has no down: add a -- migrate:down section that undoes it`,
    );
  });

  test("an empty down section is said of the section, not as if the file undid itself", () => {
    const root = tree({ "1_users.sql": "-- migrate:up\nCREATE TABLE u (id int);\n\n-- migrate:down\n" });
    const plan = read(root, "dbmate");
    expect(plan.problems.map((p) => [p.check, p.message])).toEqual([
      ["files.empty-down", `the down section of ${join(root, "1_users.sql")} is empty: it does not undo its up`],
    ]);
  });

  test("dashes after the version, as supabase writes them", () => {
    const plan = read(tree({ "00000000000000-initial-schema.sql": USERS }), "dbmate");
    expect(plan.migrations[0]).toMatchObject({ version: "00000000000000", name: "initial-schema" });
  });
});

describe("goose", () => {
  const FILE = [
    "-- +goose Up", // 1
    "-- +goose StatementBegin", // 2
    "CREATE TABLE a (id integer)", // 3
    "-- +goose StatementEnd", // 4
    "-- +goose StatementBegin", // 5
    "CREATE TRIGGER t AFTER INSERT ON a BEGIN", // 6
    "  UPDATE a SET id = id;", // 7
    "END;", // 8
    "-- +goose StatementEnd", // 9
    "", // 10
    "-- +goose Down", // 11
    "DROP TABLE a;", // 12
    "",
  ].join("\n");

  test("Up and Down sections; a StatementBegin/End block without a semicolon still ends there; positions hold", () => {
    const root = tree({
      "00001_create_a.sql": FILE,
      "00002_noop.sql": "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 1;\n",
    });
    const plan = read(root, "goose");
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["00001_create_a", "00002_noop"]);
    const m = plan.migrations[0]!;
    const up = m.files.up.default!;
    expect(up.text).toHaveLength(FILE.length);
    expect(splitStatements(up.text).map((s) => [s.line, s.text.split("\n")[0]])).toEqual([
      [3, "CREATE TABLE a (id integer)"],
      [6, "CREATE TRIGGER t AFTER INSERT ON a BEGIN"],
    ]);
    expect(up.text.split("\n")[3]).toBe(";--+goose StatementEnd");
    expect(splitStatements(m.files.down.default!.text).map((s) => s.line)).toEqual([12]);
    // The checksum is of the up as written, not of the text run.
    expect(up.checksum).toBe(sha256(FILE.slice(0, FILE.indexOf("-- +goose Down"))));
  });

  test("-- +goose NO TRANSACTION applies to both directions, wherever it is; Go migrations are said once", () => {
    const root = tree({
      "00001_create_a.sql": FILE,
      "00002_index.sql":
        "-- +goose Up\nCREATE INDEX CONCURRENTLY i ON a (id);\n-- +goose Down\n-- +goose no transaction\nDROP INDEX i;\n",
      "00003_backfill.go": "package migrations\n",
      "00004_more_go.go": "package migrations\n",
    });
    const plan = read(root, "goose");
    expect(plan.migrations.map((m) => [noTx(m, "up"), noTx(m, "down")])).toEqual([
      [false, false],
      [true, true],
    ]);
    expect(plan.notes).toEqual(["2 Go migrations (.go files) are not run"]);
  });

  test("no Up line, an unclosed StatementBegin, and a file with no Down section (no down by design, as goose reads it)", () => {
    const root = tree({
      "1_a.sql": FILE,
      "2_no_up.sql": "CREATE TABLE b (id int);\n",
      "3_open.sql": "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE c (id int);\n",
      "4_up_only.sql": "-- +goose Up\nCREATE TABLE d (id int);\n",
    });
    const plan = loadPlan({ sqlDir: root, preset: { id: "goose", given: "--layout" } });
    expect(plan.problems.map((p) => [p.check, rel(root, p.path), p.line])).toEqual([
      ["files.parse", "2_no_up.sql", 1],
      ["files.parse", "3_open.sql", 2],
    ]);
    expect(plan.problems[1]!.message).toContain('"-- +goose StatementBegin" has no StatementEnd');
    expect(plan.migrations.map((m) => [m.id, !!m.irreversible])).toEqual([
      ["1_a", false],
      ["3_open", true],
      ["4_up_only", true],
    ]);
    expect(plan.upOnly).toBe(false);
  });
});

describe("flyway", () => {
  const files = {
    "V1__create_users.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
    "V1.1__add_email.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    "U1.1__remove_email.sql": "ALTER TABLE users DROP COLUMN email;\n",
    "V1_2__add_name.sql": "ALTER TABLE users ADD COLUMN name text;\n",
    "V1.10__add_age.sql": "ALTER TABLE users ADD COLUMN age int;\n",
    "V2__index.sql": "CREATE INDEX CONCURRENTLY idx ON users (email);\n",
    "V3__configured.sql": "UPDATE users SET age = 0;\n",
    "V3__configured.sql.conf": "executeInTransaction=false\n",
    "R__users_view.sql": "CREATE OR REPLACE VIEW v AS SELECT * FROM users;\n",
    "R__other_view.sql": "CREATE OR REPLACE VIEW w AS SELECT * FROM users;\n",
    "later/V4__in_a_subdirectory.sql": "ALTER TABLE users ADD COLUMN x int;\n",
  };

  test("dotted and underscored versions in order (1.2 is V1_2, 1.10 after 1.2), subdirectories read, undo pairs by version", () => {
    const root = tree(files);
    const plan = read(root, "flyway");
    expect(ids(plan)).toEqual([
      "1_create_users",
      "1.1_add_email",
      "1.2_add_name",
      "1.10_add_age",
      "2_index",
      "3_configured",
      "4_in_a_subdirectory",
    ]);
    expect(rel(root, plan.migrations[1]!.files.down.default!.path)).toBe("U1.1__remove_email.sql");
    expect(plan.notes).toEqual(["2 repeatable migrations (R__*.sql) are not run: stairway tests the versioned ones"]);
    // Some undo files: the others lack theirs (reported, not blocking).
    expect(plan.upOnly).toBe(false);
    expect(plan.problems.filter((p) => p.check === "files.missing-down")).toHaveLength(6);
    expect(plan.problems.every((p) => !p.blocking)).toBe(true);
    expect(plan.problems.find((p) => p.path.endsWith("V1__create_users.sql"))!.message).toBe(
      `${join(root, "V1__create_users.sql")} has no down: add ${join(root, "U1__create_users.sql")} (a Flyway undo migration) that undoes it`,
    );
  });

  test("CONCURRENTLY (Flyway detects it) and executeInTransaction=false run outside a transaction", () => {
    const plan = read(tree(files), "flyway");
    expect(plan.migrations.filter((m) => noTx(m, "up")).map((m) => m.version)).toEqual(["2", "3"]);
  });

  test("without undo files, the tree is up-only: no missing down", () => {
    const { "U1.1__remove_email.sql": _, ...noUndo } = files;
    const plan = read(tree(noUndo), "flyway");
    expect(plan.upOnly).toBe(true);
    expect(plan.problems).toEqual([]);
  });
});

describe("diesel", () => {
  const files = {
    "00000000000000_diesel_initial_setup/up.sql": "SELECT 1;\n",
    "00000000000000_diesel_initial_setup/down.sql": "SELECT 1;\n",
    "2018-04-22-093322_create_posts/up.sql": "CREATE TABLE posts (id integer PRIMARY KEY);\n",
    "2018-04-22-093322_create_posts/down.sql": "DROP TABLE posts;\n",
    "2018-04-23-000000_index/up.sql": "CREATE INDEX CONCURRENTLY idx ON posts (id);\n",
    "2018-04-23-000000_index/down.sql": "DROP INDEX CONCURRENTLY idx;\n",
    "2018-04-23-000000_index/metadata.toml": "run_in_transaction = false\n",
    "2026-03-08-202630-0000_later/up.sql": "ALTER TABLE posts ADD COLUMN title text;\n",
    "2026-03-08-202630-0000_later/down.sql": "ALTER TABLE posts DROP COLUMN title;\n",
    "20160815133237_older_style/up.sql": "SELECT 2;\n",
    "20160815133237_older_style/down.sql": "SELECT 2;\n",
    "README.md": "migrations",
    "seed_data.sql": "SELECT 3;\n",
  };

  test("timestamp directories of every shape, in diesel's order; metadata.toml run_in_transaction = false", () => {
    const plan = read(tree(files), "diesel");
    expect(ids(plan)).toEqual([
      "00000000000000_diesel_initial_setup",
      "20160815133237_older_style",
      "2018-04-22-093322_create_posts",
      "2018-04-23-000000_index",
      "2026-03-08-202630-0000_later",
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.migrations.map((m) => [noTx(m, "up"), noTx(m, "down")])[3]).toEqual([true, true]);
    expect(plan.migrations.filter((m) => noTx(m, "up"))).toHaveLength(1);
    expect(plan.notes).toEqual([
      "1 .sql files outside migration directories are not read: diesel reads <timestamp>_<name>/ directories",
    ]);
  });
});

describe("prisma", () => {
  test("<timestamp>_<name>/migration.sql, up-only; migration_lock.toml is Prisma's", () => {
    const root = tree({
      "20230101120000_init/migration.sql": '-- CreateTable\nCREATE TABLE "User" ("id" TEXT NOT NULL);\n',
      "20230214093000_add_email/migration.sql": '/* Warnings: none */\nALTER TABLE "User" ADD COLUMN "email" TEXT;\n',
      "migration_lock.toml": 'provider = "postgresql"\n',
    });
    const plan = read(root, "prisma");
    expect(ids(plan)).toEqual(["20230101120000_init", "20230214093000_add_email"]);
    expect(plan.upOnly).toBe(true);
    expect(plan.migrations.every((m) => m.irreversible)).toBe(true);
    expect(plan.problems).toEqual([]);
    expect(plan.notes).toEqual([]);
    // Its provider says the tree's dialect (validate reads the files as PostgreSQL).
    expect(plan.layout).toEqual({
      preset: "prisma",
      detected: false,
      dialect: { dialect: "postgres", from: join(root, "migration_lock.toml") },
    });
  });

  test("any directory holding a migration.sql is one (Prisma runs them in the order of their names): 01_init/", () => {
    const root = tree({
      "01_init/migration.sql": 'CREATE TABLE "User" ("id" TEXT NOT NULL);\n',
      "02_add_email/migration.sql": 'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n',
      "10_add_name/migration.sql": 'ALTER TABLE "User" ADD COLUMN "name" TEXT;\n',
      "migration_lock.toml": 'provider = "postgresql"\n',
    });
    const plan = read(root, "prisma");
    expect(plan.migrations.map((m) => [m.version, m.name, m.id])).toEqual([
      ["01", "init", "01_init"],
      ["02", "add_email", "02_add_email"],
      ["10", "add_name", "10_add_name"],
    ]);
    expect(plan.upOnly).toBe(true);
    expect(plan.problems).toEqual([]);
    // A directory with SQL but no migration.sql is named.
    writeFileSync(join(root, "x.sql"), "");
    mkdirSync(join(root, "notes"));
    writeFileSync(join(root, "notes/readme.sql"), "-- not a migration\n");
    const misnamed = loadPlan({ sqlDir: root });
    expect(misnamed.problems.map((p) => p.message)).toEqual([
      `${join(root, "notes")} holds no migration.sql; layout: prisma (detected)`,
      `${join(root, "x.sql")} is not in a migration's directory (<timestamp>_<name>/migration.sql); layout: prisma (detected)`,
    ]);
  });
});

describe("popx", () => {
  const files = {
    "20150100000001000000_networks.postgres.up.sql": "CREATE TABLE networks (id UUID PRIMARY KEY);\n",
    "20150100000001000000_networks.sqlite3.up.sql": "CREATE TABLE networks (id TEXT PRIMARY KEY);\n",
    "20150100000001000000_networks.mysql.up.sql": "CREATE TABLE networks (id CHAR(36) PRIMARY KEY);\n",
    "20150100000001000000_networks.cockroach.up.sql": "CREATE TABLE networks (id UUID PRIMARY KEY);\n",
    "20150100000001000000_networks.down.sql": "DROP TABLE networks;\n",
    "20150100000002000000_index.postgres.autocommit.up.sql": "CREATE INDEX CONCURRENTLY idx ON networks (id);\n",
    "20150100000002000000_index.postgres.autocommit.down.sql": "DROP INDEX CONCURRENTLY idx;\n",
    "20150100000002000000_index.sqlite3.up.sql": "",
    "20150100000002000000_index.sqlite3.down.sql": "",
    "20150100000002000000_index.mysql.up.sql": "",
    "20150100000002000000_index.cockroach.up.sql": "CREATE INDEX idx ON networks (id);\n",
    "20150100000003000000_rename.up.sql": "ALTER TABLE networks ADD COLUMN name text;\n",
    "20150100000003000000_rename.sqlite.down.sql": "ALTER TABLE networks DROP COLUMN name;\n",
    "20150100000003000000_rename.postgres.down.sql": "ALTER TABLE networks DROP COLUMN name;\n",
    "20150100000004000000_mysql_fix.mysql.up.sql": "SELECT 1;\n",
    "20150100000004000000_mysql_fix.mysql.down.sql": "SELECT 1;\n",
  };

  test("dialect files win for their dialect, a generic down completes dialect ups, other dialects are left out in one note", () => {
    const root = tree(files);
    const plan = read(root, "popx");
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual([
      "20150100000001000000_networks",
      "20150100000002000000_index",
      "20150100000003000000_rename",
      "20150100000004000000_mysql_fix",
    ]);
    expect(plan.notes).toEqual(["2 files are left out: stairway does not run their dialects (cockroach)"]);
    const [net, , ren, fix] = plan.migrations;
    expect(rel(root, fileFor(net!, "up", "mysql")!.path)).toBe("20150100000001000000_networks.mysql.up.sql");
    expect(rel(root, fileFor(net!, "down", "mysql")!.path)).toBe("20150100000001000000_networks.down.sql");
    expect(appliesTo(fix!, "mysql")).toBe(true);
    expect(appliesTo(fix!, "postgres")).toBe(false);
    expect(rel(root, fileFor(net!, "up", "sqlite")!.path)).toBe("20150100000001000000_networks.sqlite3.up.sql");
    expect(rel(root, fileFor(net!, "down", "sqlite")!.path)).toBe("20150100000001000000_networks.down.sql");
    expect(rel(root, fileFor(net!, "down", "postgres")!.path)).toBe("20150100000001000000_networks.down.sql");
    expect(rel(root, fileFor(ren!, "down", "sqlite")!.path)).toBe("20150100000003000000_rename.sqlite.down.sql");
    expect(rel(root, fileFor(ren!, "up", "postgres")!.path)).toBe("20150100000003000000_rename.up.sql");
  });

  test("numbered pieces of one timestamp and name are one migration: ups joined in order, downs in reverse, per dialect", () => {
    const root = tree({
      "20240101000000000000_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY)",
      "20240101000000000001_users.postgres.autocommit.up.sql": "CREATE INDEX CONCURRENTLY u ON users (id);\n",
      "20240101000000000001_users.sqlite3.up.sql": "CREATE INDEX u ON users (id);\n",
      "20240101000000000002_users.up.sql": "CREATE TABLE s (id integer);\n",
      "20240101000000000000_users.down.sql": "DROP TABLE s;\n",
      "20240101000000000001_users.down.sql": "DROP TABLE users;\n",
      "20240101000000000002_users.down.sql": "",
      "20240101000000000003_other.up.sql": "SELECT 1;\n",
      "20240101000000000003_other.down.sql": "SELECT 1;\n",
    });
    const plan = read(root, "popx");
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["20240101000000000000_users", "20240101000000000003_other"]);
    const m = plan.migrations[0]!;
    const pg = fileFor(m, "up", "postgres")!;
    expect(pg.text).toBe(
      "CREATE TABLE users (id integer PRIMARY KEY)\n;\nCREATE INDEX CONCURRENTLY u ON users (id);\nCREATE TABLE s (id integer);\n",
    );
    expect(fileFor(m, "up", "sqlite")!.text).toBe(
      "CREATE TABLE users (id integer PRIMARY KEY)\n;\nCREATE INDEX u ON users (id);\nCREATE TABLE s (id integer);\n",
    );
    // The down runs the pieces' downs in reverse: the group's, not piece by piece.
    expect(fileFor(m, "down", "postgres")!.text).toBe("\nDROP TABLE users;\nDROP TABLE s;\n");
    // An .autocommit piece runs its direction of the group outside a transaction.
    expect([noTx(m, "up", "postgres"), noTx(m, "up", "sqlite"), noTx(m, "down", "postgres")]).toEqual([
      true,
      false,
      false,
    ]);
    // Lines name the piece they come from.
    expect([3, 4].map((line) => placeOf(pg, line)).map((p) => [rel(root, p.path), p.line])).toEqual([
      ["20240101000000000001_users.postgres.autocommit.up.sql", 1],
      ["20240101000000000002_users.up.sql", 1],
    ]);
    expect(rel(root, placeOf(pg, 1).path)).toBe("20240101000000000000_users.up.sql");
  });

  test("groups of one name that follow each other are one change over several timestamps, and one migration", () => {
    const root = tree({
      "20240101000000000000_methods.up.sql": "CREATE TABLE m (id integer);\n",
      "20240101000000000000_methods.down.sql": "ALTER TABLE f ADD COLUMN form text;\n",
      "20240101000001000000_methods.up.sql": "ALTER TABLE f DROP COLUMN form;\n",
      "20240101000001000000_methods.down.sql": "DROP TABLE m;\n",
      "20240102000000000000_other.up.sql": "SELECT 1;\n",
      "20240102000000000000_other.down.sql": "SELECT 1;\n",
      "20240103000000000000_methods.up.sql": "SELECT 2;\n",
      "20240103000000000000_methods.down.sql": "SELECT 2;\n",
    });
    const plan = read(root, "popx");
    expect(ids(plan)).toEqual([
      "20240101000000000000_methods",
      "20240102000000000000_other",
      "20240103000000000000_methods",
    ]);
    const m = plan.migrations[0]!;
    expect(fileFor(m, "up", "sqlite")!.text).toBe("CREATE TABLE m (id integer);\nALTER TABLE f DROP COLUMN form;\n");
    expect(fileFor(m, "down", "sqlite")!.text).toBe("DROP TABLE m;\nALTER TABLE f ADD COLUMN form text;\n");
  });

  test(".autocommit runs outside a transaction; empty files are fine", () => {
    const plan = read(tree(files), "popx");
    const idx = plan.migrations[1]!;
    expect([noTx(idx, "up", "postgres"), noTx(idx, "down", "postgres"), noTx(idx, "up", "sqlite")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(fileFor(idx, "up", "sqlite")!.text).toBe("");
  });

  test("a flat tree whose only popx names are a dialect and .autocommit is popx, not golang-migrate (which would run the postgres file on SQLite)", () => {
    const root = tree({
      "1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
      "1_users.down.sql": "DROP TABLE users;\n",
      "2_email.postgres.autocommit.up.sql": "CREATE INDEX CONCURRENTLY users_email ON users (email);\n",
      "2_email.postgres.autocommit.down.sql": "DROP INDEX CONCURRENTLY users_email;\n",
    });
    const plan = read(root, "popx");
    expect(plan.layout).toEqual({ preset: "popx", detected: false });
    expect(loadPlan({ sqlDir: root }).layout).toEqual({ preset: "popx", detected: true });
    expect(ids(plan)).toEqual(["1_users", "2_email"]);
    expect(appliesTo(plan.migrations[1]!, "sqlite")).toBe(false);
    expect(noTx(plan.migrations[1]!, "up", "postgres")).toBe(true);
  });

  test("an empty down beside a non-empty up is popx's way of saying nothing to undo: no files.empty-down", () => {
    const plan = read(tree({ ...files, "20150100000003000000_rename.sqlite.down.sql": "" }), "popx");
    expect(plan.problems).toEqual([]);
  });
});

describe("stairway", () => {
  test("its own per-directory layout is detected, alone", () => {
    const plan = read(
      tree({
        "001_a/up.sql": "SELECT 1;\n",
        "001_a/down.sql": "SELECT 1;\n",
        "002_b/up.postgres.sql": "SELECT 1;\n",
        "002_b/down.sql": "SELECT 1;\n",
      }),
      "stairway",
    );
    expect(plan.layout).toEqual({ preset: "stairway", detected: false });
    expect(loadPlan({ sqlDir: dirname(plan.migrations[0]!.files.up.default!.path) + "/.." }).layout).toEqual({
      preset: "stairway",
      detected: true,
    });
  });
});

describe("detection", () => {
  test("every preset's own examples are detected as that preset", () => {
    expect(LAYOUTS.map((l) => l.id).sort()).toEqual([...LAYOUT_IDS].sort());
    for (const layout of LAYOUTS) {
      const body = layout.marker ? `${layout.marker.text}\nSELECT 1;\n` : "SELECT 1;\n";
      const plan = loadPlan({ sqlDir: tree(Object.fromEntries(layout.examples.map((f) => [f, body]))) });
      expect([layout.id, plan.layout?.preset]).toEqual([layout.id, layout.id]);
    }
  });

  test("goose and dbmate files are told apart by their marker lines, and from sqlx's up-only files without them", () => {
    const names = ["1_a.sql", "2_b.sql", "3_c.sql"];
    const with_ = (body: string) =>
      loadPlan({ sqlDir: tree(Object.fromEntries(names.map((n) => [n, body]))) }).layout?.preset;
    expect(with_("-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n")).toBe("goose");
    expect(with_("-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n")).toBe("dbmate");
    expect(with_("SELECT 1;\n")).toBe("sqlx");
  });

  test("an empty tree, or one no preset reads, is read as stairway's own", () => {
    expect(loadPlan({ sqlDir: tree({ "README.md": "x" }) }).layout).toEqual({ preset: "stairway", detected: true });
    const root = tree({ "add_users.sql": "SELECT 1;\n" });
    const plan = loadPlan({ sqlDir: root });
    expect(plan.layout).toEqual({ preset: "stairway", detected: true });
    expect(plan.problems[0]!.message).toMatch(
      /add_users\.sql is not named <version>_<name>\.up\.sql or \.down\.sql .*; layout: stairway \(detected\)$/,
    );
  });

  test("a preset that disagrees with the files is one sentence that names what the files look like", () => {
    const root = tree({
      "1_a.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
      "2_b.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
    });
    const plan = loadPlan({ sqlDir: root, preset: { id: "goose", given: "--layout" } });
    expect(plan.migrations).toEqual([]);
    expect(plan.problems.map((p) => [p.check, p.blocking, p.message])).toEqual([
      [
        "files.naming",
        true,
        `${root} does not look like a goose tree (--layout goose): none of its files has a "-- +goose Up" line; its files look like dbmate (dbmate reads 2 of them): pass --layout dbmate, or leave --layout out to detect it`,
      ],
    ]);
    const flyway = loadPlan({ sqlDir: root, preset: { id: "flyway", given: "layout.preset" } }).problems[0]!.message;
    expect(flyway).toContain("no file is named V<version>__<description>.sql, undo U<version>__<description>.sql");
    expect(flyway).toEndWith("set layout.preset: dbmate in the config, or remove it to detect the layout");
  });
});
