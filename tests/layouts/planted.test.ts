// A planted bug in every runner's tree: a small tree per preset, written here,
// whose second migration's down is wrong in its own way (an index forgotten, the
// wrong column dropped, a misnamed column, a syntax error, uuid or timestamptz
// restored as text or timestamp, data lost, a CHECK lost). The compiled binary
// tests it with no configuration, the layout detected or named with --layout:
// the bug is found under its check id, at the file and line where the failure
// has one, and the later migrations are still checked.

import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { LayoutId } from "../../src/plan/layouts/layout.ts";
import { cleanup, pgDatabase, ROOT, scratchDatabasesOf, tempDir, writeTree } from "../helpers.ts";

const BIN = join(ROOT, "dist/stairway");
const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

/** The files under m/ of a fresh project directory (no config). */
function project(files: Record<string, string>): string {
  const dir = tempDir("stairway-planted-");
  dirs.push(dir);
  return writeTree(dir, Object.fromEntries(Object.entries(files).map(([k, v]) => [`m/${k}`, v])));
}

async function stairway(
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; pid: number }> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "DATABASE_URL") env[k] = v;
  const proc = Bun.spawn([BIN, ...args], { cwd, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr, pid: proc.pid };
}

interface Result {
  check: string;
  migration?: string;
  status: string;
  message: string;
}

/** `stairway test --json` on the tree, on SQLite or a scratch PostgreSQL database. */
async function testTree(dir: string, db: "sqlite" | "postgres", layout?: LayoutId) {
  const pg = db === "postgres" ? await pgDatabase() : undefined;
  try {
    const url = pg?.url ?? `sqlite:${join(dir, "app.db")}`;
    const r = await stairway(dir, [
      "test",
      "--sql",
      "m",
      "--db",
      url,
      "--json",
      ...(layout ? ["--layout", layout] : []),
    ]);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout);
    const results: Result[] = report.results;
    if (pg) expect(await scratchDatabasesOf(r.pid)).toEqual([]);
    return {
      code: r.code,
      layout: report.layout,
      coverage: Object.values(report.coverage)[0],
      /** What is not a pass or a skip that follows from it, as "status check migration: message". */
      findings: results
        .filter((x) => x.status === "fail" || x.status === "warn")
        .map((x) => `${x.status} ${x.check} ${x.migration ?? "-"}: ${x.message}`),
      /** Every check of a migration, by status. */
      of: (migration: string) => results.filter((x) => x.migration === migration).map((x) => `${x.check} ${x.status}`),
      /** What is said of the whole tree, not of one migration. */
      tree: results.filter((x) => !x.migration).map((x) => `${x.status} ${x.check}: ${x.message}`),
    };
  } finally {
    await pg?.drop();
  }
}

const STEP = [
  "step.up",
  "step.integrity",
  "step.down",
  "step.down-restores-schema",
  "step.data-preserved",
  "step.redo",
];
const passed = (checks = STEP) => checks.map((c) => `${c} pass`);
/** The generated value a warning names, and its count, vary with the generator: the wording does not. */
const sample = (finding: string) => finding.replace(/, e\.g\. (\w+)=.* \(\d+ rows\);/, ", e.g. $1=… (N rows);");

describe("each runner's tree with a planted down bug", () => {
  test("golang-migrate (detected, SQLite): a down that forgets the index its up made", async () => {
    const dir = project({
      "000001_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n",
      "000001_users.down.sql": "DROP TABLE users;\n",
      "000002_email_index.up.sql":
        "CREATE INDEX users_email ON users (email);\nALTER TABLE users ADD COLUMN name text;\n",
      "000002_email_index.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
      "000003_posts.up.sql":
        "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id), body text);\n",
      "000003_posts.down.sql": "DROP TABLE posts;\n",
      "000004_title.up.sql": "ALTER TABLE posts ADD COLUMN title text;\n",
      "000004_title.down.sql": "ALTER TABLE posts DROP COLUMN title;\n",
    });
    const r = await testTree(dir, "sqlite");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "golang-migrate", detected: true });
    expect(r.findings).toEqual([
      "fail step.down-restores-schema 000002_email_index: after down the schema differs from before up: table users: index users_email exists only after down",
      "fail step.redo 000002_email_index: m/000002_email_index.up.sql:1:1: index users_email already exists",
    ]);
    expect(r.of("000003_posts")).toEqual(passed());
    expect(r.of("000004_title")).toEqual(passed());
    expect(r.coverage).toEqual({ checked: 4, total: 4, untested: [] });
  });

  test("golang-migrate (detected, PostgreSQL): a file with its own BEGIN … COMMIT blocks runs as written, said once; a later down bug is found", async () => {
    const dir = project({
      "1_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n",
      "1_users.down.sql": "DROP TABLE users;\n",
      "2_names.up.sql":
        "BEGIN;\nALTER TABLE users ADD COLUMN name text;\nCOMMIT;\n\nBEGIN;\nUPDATE users SET name = email;\nCOMMIT;\n",
      "2_names.down.sql": "BEGIN;\nALTER TABLE users DROP COLUMN name;\nCOMMIT;\n",
      "3_posts.up.sql": "CREATE TABLE posts (id integer PRIMARY KEY, created_at timestamptz NOT NULL);\n",
      "3_posts.down.sql": "DROP TABLE IF EXISTS post;\n",
      // Fails over generated rows inside its own transaction block, which the failure leaves aborted.
      "4_team.up.sql":
        "BEGIN;\nALTER TABLE users ADD COLUMN team integer NOT NULL;\nCOMMIT;\nBEGIN;\nSELECT 1;\nCOMMIT;\n",
      "4_team.down.sql": "ALTER TABLE users DROP COLUMN team;\n",
    });
    const r = await testTree(dir, "postgres");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "golang-migrate", detected: true });
    expect(r.layout.notes).toEqual([
      "2 files hold their own BEGIN … COMMIT: run as written, outside stairway's transaction, as golang-migrate sends them",
    ]);
    expect(r.of("2_names")).toEqual(passed());
    expect(r.findings.filter((f) => f.includes("4_team"))).toEqual([
      "warn step.up 4_team: m/4_team.up.sql:2:1: adding users.team NOT NULL without a default fails when users holds rows (it held 20): a NOT NULL column needs a default; it passes on empty tables — a production risk",
    ]);
    expect(r.findings.some((f) => f.startsWith("fail step.down-restores-schema 3_posts:"))).toBe(true);
    expect(r.coverage).toMatchObject({ total: 4 });
  });

  test("sqlx (--layout sqlx, SQLite): a down that drops the wrong column; an up-only <v>_<name>.sql after it", async () => {
    const dir = project({
      "20240101000000_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n",
      "20240101000000_users.down.sql": "DROP TABLE users;\n",
      "20240102000000_display_name.up.sql": "ALTER TABLE users ADD COLUMN display_name text;\n",
      "20240102000000_display_name.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
      "20240103000000_teams.up.sql":
        "-- no-transaction\nCREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL);\n",
      "20240103000000_teams.down.sql": "DROP TABLE teams;\n",
      "20240104000000_seed_teams.sql": "INSERT INTO teams (id, name) VALUES (1000000, 'staff');\n",
    });
    const r = await testTree(dir, "sqlite", "sqlx");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "sqlx", detected: false });
    expect(r.findings).toEqual([
      "fail step.down-restores-schema 20240102000000_display_name: after down the schema differs from before up: table users: column email exists only before up; table users: column display_name exists only after down",
      "fail step.data-preserved 20240102000000_display_name: users.email: column is gone, with 20 non-null values",
      "fail step.redo 20240102000000_display_name: m/20240102000000_display_name.up.sql:1:1: duplicate column name: display_name",
    ]);
    expect(r.of("20240103000000_teams")).toEqual(passed());
    // The irreversible file is applied and checked after up; that it has no down is said once.
    expect(r.of("20240104000000_seed_teams")).toEqual(passed(["step.up", "step.integrity"]));
    expect(r.tree).toEqual([
      "skip step.down: 1 of 4 migrations has no down: down, restore and redo checks do not apply to it",
      "skip step.down-to-base: the tree cannot go back to its base: 20240104000000_seed_teams has no down",
    ]);
    expect(r.coverage).toEqual({ checked: 4, total: 4, untested: [] });
  });

  test("dbmate (detected, SQLite): a down that drops a misnamed column, at its line in the one file", async () => {
    const dir = project({
      "20240101000000_users.sql":
        "-- migrate:up\nCREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n\n-- migrate:down\nDROP TABLE users;\n",
      "20240102000000_nickname.sql":
        "-- migrate:up\nALTER TABLE users ADD COLUMN nickname text;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN nick_name;\n",
      "20240103000000_posts.sql":
        "-- migrate:up\nCREATE TABLE posts (\n  id integer PRIMARY KEY,\n  user_id integer NOT NULL REFERENCES users (id),\n  body text\n);\n\n-- migrate:down\nDROP TABLE posts;\n",
      "20240104000000_posts_index.sql":
        "-- migrate:up transaction:false\nCREATE INDEX posts_user ON posts (user_id);\n\n-- migrate:down transaction:false\nDROP INDEX posts_user;\n",
    });
    const r = await testTree(dir, "sqlite");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "dbmate", detected: true });
    const error = 'm/20240102000000_nickname.sql:5:31: no such column: "nick_name"';
    expect(r.findings).toEqual([
      `fail step.down 20240102000000_nickname: ${error}`,
      `fail step.down-to-base -: stopped at 20240102000000_nickname: ${error}`,
    ]);
    expect(r.of("20240103000000_posts")).toEqual(passed());
    expect(r.of("20240104000000_posts_index")).toEqual(passed());
    expect(r.coverage).toEqual({
      checked: 3,
      total: 4,
      untested: [
        {
          migration: "20240102000000_nickname",
          target: "sqlite",
          reason: "not checked: the down of 20240102000000_nickname failed",
        },
      ],
    });
  });

  test("goose (--layout goose, SQLite): a syntax error in a down; a NO TRANSACTION up that fails over generated rows is a warning", async () => {
    const dir = project({
      "00001_users.sql":
        "-- +goose Up\nCREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n\n-- +goose Down\nDROP TABLE users;\n",
      "00002_audit.sql": [
        "-- +goose Up",
        "CREATE TABLE audit (id integer PRIMARY KEY, user_id integer, note text);",
        "-- +goose StatementBegin",
        "CREATE TRIGGER users_audit AFTER DELETE ON users",
        "BEGIN",
        "  INSERT INTO audit (user_id, note) VALUES (old.id, 'deleted');",
        "END;",
        "-- +goose StatementEnd",
        "",
        "-- +goose Down",
        "DROP TRIGGER users_audit;",
        "DROP TABLE audit",
        "DROP TABLE audit_archive;",
        "",
      ].join("\n"),
      "00003_roles.sql":
        "-- +goose Up\nALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'member';\n\n-- +goose Down\nALTER TABLE users DROP COLUMN role;\n",
      "00004_email_index.sql":
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE UNIQUE INDEX users_email ON users (email);\n\n-- +goose Down\nDROP INDEX users_email;\n",
    });
    const r = await testTree(dir, "sqlite", "goose");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "goose", detected: false });
    const error = 'm/00002_audit.sql:13:1: near "DROP": syntax error';
    expect(r.findings.map(sample)).toEqual([
      `fail step.down 00002_audit: ${error}`,
      "warn step.up 00004_email_index: m/00004_email_index.sql:3:1: adding UNIQUE (email) to users fails when users holds duplicates, e.g. email=… (N rows); it passes on empty tables — a production risk",
      `fail step.down-to-base -: stopped at 00002_audit: ${error}`,
    ]);
    expect(r.of("00003_roles")).toEqual(passed());
    // Outside a transaction, the up that failed over rows ran again on a rebuilt copy, and was checked.
    expect(r.of("00004_email_index")).toEqual(["step.up warn", ...passed(STEP.slice(1))]);
    expect(r.coverage).toEqual({
      checked: 3,
      total: 4,
      untested: [{ migration: "00002_audit", target: "sqlite", reason: "not checked: the down of 00002_audit failed" }],
    });
  });

  test("goose (detected, SQLite): a file with no Down section has no down (goose runs nothing), said once for the tree", async () => {
    const dir = project({
      "00001_users.sql":
        "-- +goose Up\nCREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n\n-- +goose Down\nDROP TABLE users;\n",
      "00002_backfill.sql": "-- +goose Up\nUPDATE users SET email = lower(email);\n",
      "00003_names.sql":
        "-- +goose Up\nALTER TABLE users ADD COLUMN name text;\n\n-- +goose Down\nALTER TABLE users DROP COLUMN email;\n",
    });
    const r = await testTree(dir, "sqlite");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "goose", detected: true });
    expect(r.findings.filter((f) => f.includes("00002_backfill"))).toEqual([]);
    expect(r.of("00002_backfill")).toEqual(passed(["step.up", "step.integrity"]));
    expect(r.findings.some((f) => f.startsWith("fail step.down-restores-schema 00003_names:"))).toBe(true);
    expect(r.tree).toContain(
      "skip step.down: 1 of 3 migrations has no down: down, restore and redo checks do not apply to it",
    );
  });

  test("flyway (detected, PostgreSQL): dotted versions; an undo that restores text where there was uuid", async () => {
    const dir = project({
      "V1__accounts.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, ref uuid NOT NULL, name text);\n",
      "U1__accounts.sql": "DROP TABLE accounts;\n",
      "V1.1__ref_as_varchar.sql":
        "-- refs from the old system are not all uuids\nALTER TABLE accounts ALTER COLUMN ref TYPE varchar(64);\n",
      "U1.1__ref_as_varchar.sql": "-- back as it was\nALTER TABLE accounts ALTER COLUMN ref TYPE text;\n",
      "V1.2__invoices.sql":
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), total numeric(12,2));\n",
      "U1.2__invoices.sql": "DROP TABLE invoices;\n",
      "V2__invoices_index.sql": "CREATE INDEX invoices_account ON invoices (account_id);\n",
      "U2__invoices_index.sql": "DROP INDEX invoices_account;\n",
    });
    const r = await testTree(dir, "postgres");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "flyway", detected: true });
    expect(r.findings).toEqual([
      "fail step.down-restores-schema 1.1_ref_as_varchar: after down the schema differs from before up: table accounts: column ref differs: ref uuid NOT NULL  →  ref text NOT NULL",
    ]);
    expect(r.of("1.2_invoices")).toEqual(passed());
    expect(r.of("2_invoices_index")).toEqual(passed());
    expect(r.coverage).toEqual({ checked: 4, total: 4, untested: [] });
  });

  test("diesel (detected, PostgreSQL): a down that restores timestamp where there was timestamptz", async () => {
    const dir = project({
      "2024-01-10-090000_create_events/up.sql":
        "CREATE TABLE events (\n  id bigserial PRIMARY KEY,\n  kind text NOT NULL,\n  happened_at timestamptz NOT NULL DEFAULT now()\n);\n",
      "2024-01-10-090000_create_events/down.sql": "DROP TABLE events;\n",
      "2024-02-01-120000_optional_time/up.sql": "ALTER TABLE events ALTER COLUMN happened_at DROP NOT NULL;\n",
      "2024-02-01-120000_optional_time/down.sql":
        "-- events without a time get one\nUPDATE events SET happened_at = now() WHERE happened_at IS NULL;\nALTER TABLE events\n  ALTER COLUMN happened_at TYPE timestamp,\n  ALTER COLUMN happened_at SET NOT NULL;\n",
      "2024-02-15-080000_event_tags/up.sql":
        "CREATE TABLE event_tags (\n  event_id bigint NOT NULL REFERENCES events (id),\n  tag text NOT NULL,\n  PRIMARY KEY (event_id, tag)\n);\n",
      "2024-02-15-080000_event_tags/down.sql": "DROP TABLE event_tags;\n",
      "2024-03-01-100000_kind_index/up.sql": "CREATE INDEX events_kind ON events (kind);\n",
      "2024-03-01-100000_kind_index/down.sql": "DROP INDEX events_kind;\n",
    });
    const r = await testTree(dir, "postgres");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "diesel", detected: true });
    const m2 = "2024-02-01-120000_optional_time";
    expect(r.findings.map((f) => f.replace(/e\.g\. .*/, "e.g. …"))).toEqual([
      `fail step.down-restores-schema ${m2}: after down the schema differs from before up: table events: column happened_at differs: happened_at timestamp with time zone NOT NULL DEFAULT now()  →  happened_at timestamp without time zone NOT NULL DEFAULT now()`,
      `fail step.data-preserved ${m2}: events.happened_at: 20 of 20 values changed, e.g. …`,
      `fail step.redo ${m2}: up after down gives another schema: table events: column happened_at differs: happened_at timestamp with time zone DEFAULT now()  →  happened_at timestamp without time zone DEFAULT now()`,
    ]);
    expect(r.of("2024-02-15-080000_event_tags")).toEqual(passed());
    expect(r.of("2024-03-01-100000_kind_index")).toEqual(passed());
    expect(r.coverage).toEqual({ checked: 4, total: 4, untested: [] });
  });

  test("prisma (detected, SQLite, up-only): a UNIQUE index over duplicates is a warning at its line; no downs is said once", async () => {
    const dir = project({
      "migration_lock.toml": 'provider = "sqlite"\n',
      "20240101120000_init/migration.sql":
        '-- CreateTable\nCREATE TABLE "User" (\n    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    "email" TEXT NOT NULL,\n    "name" TEXT\n);\n',
      "20240115093000_unique_email/migration.sql":
        '-- CreateIndex\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
      "20240201100000_posts/migration.sql":
        '-- CreateTable\nCREATE TABLE "Post" (\n    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    "title" TEXT NOT NULL,\n    "authorId" INTEGER NOT NULL,\n    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE\n);\n',
      "20240215110000_published/migration.sql":
        '-- AlterTable\nALTER TABLE "Post" ADD COLUMN "published" BOOLEAN NOT NULL DEFAULT false;\n',
    });
    const r = await testTree(dir, "sqlite");
    // A warning, not a failure: the exit code is 0.
    expect(r.code).toBe(0);
    expect(r.layout).toMatchObject({ preset: "prisma", detected: true });
    expect(r.findings.map(sample)).toEqual([
      "warn step.up 20240115093000_unique_email: m/20240115093000_unique_email/migration.sql:2:1: adding UNIQUE (email) to User fails when User holds duplicates, e.g. email=… (N rows); it passes on empty tables — a production risk",
    ]);
    expect(r.of("20240201100000_posts")).toEqual(passed(["step.up", "step.integrity"]));
    expect(r.of("20240215110000_published")).toEqual(passed(["step.up", "step.integrity"]));
    expect(r.tree).toEqual([
      "skip step.down: the tree has no downs: down, restore and redo checks do not apply to them",
      "skip step.down-to-base: the tree cannot go back to its base: 20240215110000_published has no down",
    ]);
    expect(r.coverage).toEqual({ checked: 4, total: 4, untested: [] });
  });

  test("popx (detected, SQLite): a generic down that loses the data of a dialect up; CockroachDB files left out in one note", async () => {
    const dir = project({
      "20240101000000000000_identities.up.sql":
        "CREATE TABLE identities (id integer PRIMARY KEY, traits text NOT NULL, state text);\n",
      "20240101000000000000_identities.down.sql": "DROP TABLE identities;\n",
      "20240101000000000000_identities.mysql.up.sql":
        "CREATE TABLE identities (id int PRIMARY KEY, traits json NOT NULL, state varchar(32)) ENGINE=InnoDB;\n",
      "20240101000000000000_identities.cockroach.up.sql":
        "CREATE TABLE identities (id INT8 PRIMARY KEY, traits JSONB NOT NULL, state STRING);\n",
      "20240102000000000000_state_renamed.sqlite3.up.sql": "ALTER TABLE identities RENAME COLUMN state TO status;\n",
      "20240102000000000000_state_renamed.mysql.up.sql": "ALTER TABLE identities RENAME COLUMN state TO status;\n",
      "20240102000000000000_state_renamed.down.sql":
        "-- back to the old name\nALTER TABLE identities DROP COLUMN status;\nALTER TABLE identities ADD COLUMN state text;\n",
      "20240103000000000000_credentials.up.sql":
        "CREATE TABLE credentials (id integer PRIMARY KEY, identity_id integer NOT NULL REFERENCES identities (id) ON DELETE CASCADE, config text NOT NULL);\n",
      "20240103000000000000_credentials.down.sql": "DROP TABLE credentials;\n",
      "20240104000000000000_credentials_index.autocommit.up.sql":
        "CREATE INDEX credentials_identity ON credentials (identity_id);\n",
      "20240104000000000000_credentials_index.autocommit.down.sql": "DROP INDEX credentials_identity;\n",
      "20240104000000000000_credentials_index.cockroach.up.sql": "",
    });
    const r = await testTree(dir, "sqlite");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({
      preset: "popx",
      detected: true,
      notes: ["2 files are left out: stairway does not run their dialects (cockroach)"],
    });
    expect(r.findings.map((f) => f.replace(/e\.g\. .*/, "e.g. …"))).toEqual([
      "fail step.data-preserved 20240102000000000000_state_renamed: identities.state: 16 of 20 values changed, e.g. …",
    ]);
    expect(r.of("20240103000000000000_credentials")).toEqual(passed());
    expect(r.of("20240104000000000000_credentials_index")).toEqual(passed());
    expect(r.coverage).toEqual({ checked: 4, total: 4, untested: [] });

    // The console names the layout it detected and the files it left out.
    const text = await stairway(dir, ["test", "--sql", "m", "--db", `sqlite:${join(dir, "app.db")}`]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      "\nlayout: popx (detected)\n  2 files are left out: stairway does not run their dialects (cockroach)\n",
    );
    expect(text.stdout).toContain("coverage · sqlite: 4 of 4 migrations fully checked");
  });

  test("popx (detected, PostgreSQL): an .autocommit up that fails over generated rows runs again on a rebuilt copy; its down, misnamed, fails outside a transaction and the run goes on", async () => {
    const dir = project({
      "20240101000000000000_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
      "20240101000000000000_users.down.sql": "DROP TABLE users;\n",
      "20240102000000000000_email.postgres.autocommit.up.sql":
        "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);\n",
      "20240102000000000000_email.postgres.autocommit.down.sql": "DROP INDEX CONCURRENTLY users_email_idx;\n",
      "20240102000000000000_email.sqlite3.up.sql": "CREATE UNIQUE INDEX users_email ON users (email);\n",
      "20240102000000000000_email.sqlite3.down.sql": "DROP INDEX users_email;\n",
      "20240103000000000000_name.up.sql": "ALTER TABLE users ADD COLUMN name text;\n",
      "20240103000000000000_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
      "20240104000000000000_sessions.up.sql":
        "CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));\n",
      "20240104000000000000_sessions.down.sql": "DROP TABLE sessions;\n",
    });
    const r = await testTree(dir, "postgres");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "popx", detected: true });
    const m2 = "20240102000000000000_email";
    const error = `m/${m2}.postgres.autocommit.down.sql:1:1: index "users_email_idx" does not exist`;
    expect(r.findings.map(sample)).toEqual([
      `warn step.up ${m2}: m/${m2}.postgres.autocommit.up.sql:1:1: adding UNIQUE (email) to users fails when users holds duplicates, e.g. email=… (N rows); it passes on empty tables — a production risk`,
      `fail step.down ${m2}: ${error}`,
      `fail step.down-to-base -: stopped at ${m2}: ${error}`,
    ]);
    expect(r.of("20240103000000000000_name")).toEqual(passed());
    expect(r.of("20240104000000000000_sessions")).toEqual(passed());
    expect(r.coverage).toMatchObject({ checked: 3, total: 4, untested: [{ migration: m2 }] });
  });

  test("popx (detected, SQLite): numbered pieces are checked as one migration (their downs undo the group in reverse); a bug in a piece is named at its file and line", async () => {
    const dir = project({
      // One migration in three pieces; down k is not the undo of up k, the downs in reverse undo the group.
      "20240101000000000000_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n",
      "20240101000000000001_users.up.sql": "CREATE UNIQUE INDEX users_email ON users (email);\n",
      "20240101000000000002_users.up.sql":
        "CREATE TABLE sessions (id integer PRIMARY KEY, user_id integer REFERENCES users (id))",
      "20240101000000000000_users.down.sql": "DROP TABLE users;\n",
      "20240101000000000001_users.down.sql": "DROP TABLE sessions;\n",
      "20240101000000000002_users.down.sql": "",
      "20240102000000000000_names.up.sql": "ALTER TABLE users ADD COLUMN name text;\n",
      "20240102000000000001_names.up.sql": "CREATE INDEX users_name ON users (name);\n",
      "20240102000000000000_names.down.sql": "DROP INDEX users_name;\n",
      "20240102000000000001_names.down.sql": "-- the column\nALTER TABLE users DROP COLUMN nam;\n",
      "20240103000000000000_teams.up.sql": "CREATE TABLE teams (id integer PRIMARY KEY);\n",
      "20240103000000000000_teams.down.sql": "DROP TABLE teams;\n",
    });
    const r = await testTree(dir, "sqlite");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "popx", detected: true });
    const error = 'm/20240102000000000001_names.down.sql:2:31: no such column: "nam"';
    expect(r.findings).toEqual([
      `fail step.down 20240102000000000000_names: ${error}`,
      `fail step.down-to-base -: stopped at 20240102000000000000_names: ${error}`,
    ]);
    expect(r.of("20240101000000000000_users")).toEqual(passed());
    expect(r.of("20240103000000000000_teams")).toEqual(passed());
    expect(r.coverage).toMatchObject({ checked: 2, total: 3 });
  });

  test("stairway's own layout (detected, SQLite): a table rebuilt in a down without its CHECK", async () => {
    const dir = project({
      "001_orders/up.sql":
        "CREATE TABLE orders (\n  id integer PRIMARY KEY,\n  total integer NOT NULL CHECK (total >= 0)\n);\n",
      "001_orders/down.sql": "DROP TABLE orders;\n",
      "002_order_note/up.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
      "002_order_note/down.sql":
        "-- SQLite before 3.35 cannot drop a column: rebuild the table\nCREATE TABLE orders_old (id integer PRIMARY KEY, total integer NOT NULL);\nINSERT INTO orders_old (id, total) SELECT id, total FROM orders;\nDROP TABLE orders;\nALTER TABLE orders_old RENAME TO orders;\n",
      "003_order_lines/up.sql":
        "CREATE TABLE order_lines (\n  order_id integer NOT NULL REFERENCES orders (id),\n  sku text NOT NULL,\n  quantity integer NOT NULL DEFAULT 1,\n  PRIMARY KEY (order_id, sku)\n);\n",
      "003_order_lines/down.sql": "DROP TABLE order_lines;\n",
      "004_sku_index/up.sql": "CREATE INDEX order_lines_sku ON order_lines (sku);\n",
      "004_sku_index/down.sql": "DROP INDEX order_lines_sku;\n",
    });
    const r = await testTree(dir, "sqlite");
    expect(r.code).toBe(1);
    expect(r.layout).toMatchObject({ preset: "stairway", detected: true });
    expect(r.findings).toEqual([
      "fail step.down-restores-schema 002_order_note: after down the schema differs from before up: table orders: check total >= 0 exists only before up",
      "fail step.redo 002_order_note: up after down gives another schema: table orders: check total >= 0 exists only first up",
    ]);
    expect(r.of("003_order_lines")).toEqual(passed());
    expect(r.of("004_sku_index")).toEqual(passed());
    expect(r.coverage).toEqual({ checked: 4, total: 4, untested: [] });
  });
});

describe("bad input about the layout (an unknown preset: cli.test.ts)", () => {
  const FLYWAY = {
    "V1__a.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
    "U1__a.sql": "DROP TABLE a;\n",
    "V1.1__b.sql": "CREATE TABLE b (id integer PRIMARY KEY);\n",
  };

  test("a preset that disagrees with the files is one sentence naming the preset's shape and the one that reads them (exit 2)", async () => {
    const dir = project(FLYWAY);
    const r = await stairway(dir, ["test", "--sql", "m", "--db", `sqlite:${join(dir, "app.db")}`, "--layout", "goose"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "stairway: m does not look like a goose tree (--layout goose): no file is named <version>_<name>.sql with -- +goose Up and -- +goose Down sections; its files look like flyway (flyway reads 3 of them): pass --layout flyway, or leave --layout out to detect it\n",
    );
  });

  test("a file that matches no preset beside a detected tree is one sentence naming it and the layout (exit 2)", async () => {
    const dir = project({ ...FLYWAY, "add_c.sql": "CREATE TABLE c (id integer);\n" });
    const r = await stairway(dir, ["test", "--sql", "m", "--db", `sqlite:${join(dir, "app.db")}`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "stairway: m/add_c.sql is not named V<version>__<description>.sql, U<version>__… or R__…; layout: flyway (detected)\n",
    );
  });
});
