import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadPlan } from "../../src/plan/discover.ts";
import { appliesTo, fileFor, type Plan } from "../../src/plan/migration.ts";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Writes `files` (relative path → content) under a fresh temp directory and returns it. */
function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), "stairway-discover-"));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

const ids = (plan: Plan) => plan.migrations.map((m) => m.id);
const checks = (plan: Plan) => plan.problems.map((p) => p.check).sort();
/** Problems as [check, path relative to root], sorted, for readable comparisons. */
const problemsAt = (plan: Plan, root: string) =>
  plan.problems.map((p) => [p.check, p.path.slice(root.length + 1)]).sort((a, b) => a.join().localeCompare(b.join()));

const UP = "CREATE TABLE t (id integer PRIMARY KEY);\n";
const DOWN = "DROP TABLE t;\n";

describe("per-directory layout", () => {
  test("reads up/down pairs and dialect overrides", () => {
    const root = tree({
      "sql/001_create_tools/up.sql": UP,
      "sql/001_create_tools/down.sql": DOWN,
      "sql/001_create_tools/up.postgres.sql": "CREATE TABLE t (id serial PRIMARY KEY);\n",
      "sql/001_create_tools/down.sqlite.sql": "DROP TABLE IF EXISTS t;\n",
      "sql/002_add_index/up.postgresql.sql": "CREATE INDEX i ON t (id);\n",
      "sql/002_add_index/down.postgresql.sql": "DROP INDEX i;\n",
    });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["001_create_tools", "002_add_index"]);
    const [m1, m2] = plan.migrations;
    expect(m1).toMatchObject({ version: "001", key: "1", name: "create_tools", store: "sql" });
    expect(fileFor(m1!, "up", "postgres")!.path).toEndWith("up.postgres.sql");
    expect(fileFor(m1!, "up", "sqlite")!.path).toEndWith("001_create_tools/up.sql");
    expect(fileFor(m1!, "down", "sqlite")!.path).toEndWith("down.sqlite.sql");
    expect(fileFor(m1!, "down", "postgres")!.path).toEndWith("001_create_tools/down.sql");
    expect(fileFor(m1!, "up", "postgres")!.dialect).toBe("postgres");
    expect(m2!.files.up.postgres!.text).toBe("CREATE INDEX i ON t (id);\n");
    expect(appliesTo(m2!, "postgres")).toBe(true);
    expect(appliesTo(m2!, "sqlite")).toBe(false);
  });

  test("a missing or absent sql directory is an empty plan", () => {
    const empty = { migrations: [], problems: [], notes: [], upOnly: false };
    expect(loadPlan({})).toEqual(empty);
    expect(loadPlan({ sqlDir: join(tmpdir(), "stairway-no-such-dir-xyz") })).toEqual(empty);
  });

  test("schema.sqlite.sql, README.md, hidden files and non-SQL files are ignored", () => {
    const root = tree({
      "sql/001_a/up.sql": UP,
      "sql/001_a/down.sql": DOWN,
      "sql/001_a/README.md": "notes",
      "sql/001_a/.up.sql.swp": "junk",
      "sql/schema.sqlite.sql": "CREATE TABLE t (id integer);\n",
      "sql/schema.postgres.sql": "CREATE TABLE t (id integer);\n",
      "sql/README.md": "# migrations",
      "sql/.DS_Store": "junk",
      "sql/.hidden/up.sql": UP,
    });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["001_a"]);
  });

  test("a symlinked migration directory is read; a dangling symlink is no directory", () => {
    const root = tree({
      "sql/001_a/up.sql": UP,
      "sql/001_a/down.sql": DOWN,
      "shared/002_b/up.sql": UP,
      "shared/002_b/down.sql": DOWN,
    });
    symlinkSync(join(root, "shared/002_b"), join(root, "sql/002_b"));
    symlinkSync(join(root, "gone"), join(root, "sql/003_c"));
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(ids(plan)).toEqual(["001_a", "002_b"]);
    expect(plan.problems).toEqual([]);
  });

  test("versions sort as numbers: 2 before 10", () => {
    const root = tree({
      "sql/10_c/up.sql": UP,
      "sql/10_c/down.sql": DOWN,
      "sql/2_b/up.sql": UP,
      "sql/2_b/down.sql": DOWN,
      "sql/1_a/up.sql": UP,
      "sql/1_a/down.sql": DOWN,
    });
    expect(ids(loadPlan({ sqlDir: join(root, "sql") }))).toEqual(["1_a", "2_b", "10_c"]);
  });
});

describe("flat golang-migrate layout", () => {
  test("reads NNN_name.up.sql / .down.sql and NNN_name.postgres.up.sql", () => {
    const root = tree({
      "m/001_create_tools.up.sql": UP,
      "m/001_create_tools.down.sql": DOWN,
      "m/001_create_tools.postgres.up.sql": "CREATE TABLE t (id serial PRIMARY KEY);\n",
      "m/002_add.more.columns.up.sql": "ALTER TABLE t ADD c int;\n",
      "m/002_add.more.columns.down.sql": "ALTER TABLE t DROP c;\n",
    });
    const plan = loadPlan({ sqlDir: join(root, "m") });
    expect(plan.problems).toEqual([]);
    expect(ids(plan)).toEqual(["001_create_tools", "002_add.more.columns"]);
    const m = plan.migrations[0]!;
    expect(m.files.up.postgres!.path).toEndWith("001_create_tools.postgres.up.sql");
    expect(fileFor(m, "up", "sqlite")!.path).toEndWith("001_create_tools.up.sql");
    expect(fileFor(m, "down", "postgres")!.path).toEndWith("001_create_tools.down.sql");
  });

  test("a flat up without a down names the down file to add", () => {
    const root = tree({ "m/003_w.up.sql": UP, "m/003_w.down.sql": DOWN, "m/004_x.up.sql": UP });
    const plan = loadPlan({ sqlDir: join(root, "m") });
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]).toMatchObject({ check: "files.missing-down", blocking: false });
    expect(plan.problems[0]!.message).toContain("004_x.down.sql");
  });
});

describe("layout.pattern", () => {
  test("a Flyway-like pattern reads V<version>__<name>.<direction>.sql", () => {
    const root = tree({
      "db/V1__init.up.sql": UP,
      "db/V1__init.down.sql": DOWN,
      "db/V10__later.up.sql": "SELECT 10;\n",
      "db/V10__later.down.sql": "SELECT -10;\n",
      "db/V2__next.up.sql": "SELECT 2;\n",
      "db/V2__next.down.sql": "SELECT -2;\n",
      "db/README.md": "docs",
      "db/notes.sql": "SELECT 'not a migration';\n",
    });
    const pattern = /^V(?<version>\d+)__(?<name>\w+)\.(?<direction>up|down)\.sql$/;
    const plan = loadPlan({ sqlDir: join(root, "db"), pattern });
    expect(ids(plan)).toEqual(["1_init", "2_next", "10_later"]);
    expect(problemsAt(plan, root)).toEqual([["files.naming", "db/notes.sql"]]);
    expect(plan.problems[0]!.message).toContain("layout.pattern");
  });

  test("versions with a V prefix and dots compare chunk by chunk (V1.2 < V1.10)", () => {
    const root = tree({
      "db/V1.10__c.up.sql": UP,
      "db/V1.10__c.down.sql": DOWN,
      "db/V1.2__b.up.sql": UP,
      "db/V1.2__b.down.sql": DOWN,
    });
    const pattern = /^(?<version>V\d+(?:\.\d+)*)__(?<name>\w+)\.(?<direction>up|down)\.sql$/;
    expect(ids(loadPlan({ sqlDir: join(root, "db"), pattern }))).toEqual(["V1.2_b", "V1.10_c"]);
  });

  test("date-stamped directories, with dialect overrides and a schema dump", () => {
    const root = tree({
      "db/2024-02-01-add_users/up.sql": UP,
      "db/2024-02-01-add_users/down.sql": DOWN,
      "db/2024-02-01-add_users/up.postgresql.sql": "CREATE TABLE t (id serial);\n",
      "db/2023-12-24-init/up.sql": UP,
      "db/2023-12-24-init/down.sql": DOWN,
      "db/2023-12-24-init/down.oracle.sql": DOWN,
      "db/schema.sqlite.sql": "CREATE TABLE t (id integer);\n",
    });
    const pattern = /^(?<version>\d{4}-\d{2}-\d{2})-(?<name>\w+)\/(?<direction>up|down)(?:\.(?<dialect>\w+))?\.sql$/;
    const plan = loadPlan({ sqlDir: join(root, "db"), pattern });
    expect(ids(plan)).toEqual(["2023-12-24_init", "2024-02-01_add_users"]);
    expect(plan.migrations[1]!.files.up.postgres!.path).toEndWith("up.postgresql.sql");
    // An unknown dialect from the pattern is a naming problem, not a silent default.
    expect(problemsAt(plan, root)).toEqual([["files.naming", "db/2023-12-24-init/down.oracle.sql"]]);
  });

  test("a pattern that yields no up/down direction is a naming problem", () => {
    const root = tree({ "db/V1__x.sql": UP });
    const plan = loadPlan({ sqlDir: join(root, "db"), pattern: /^V(?<version>\d+)__(?<name>\w+)\.sql$/ });
    expect(plan.migrations).toEqual([]);
    expect(checks(plan)).toEqual(["files.naming"]);
  });
});

describe("tree problems", () => {
  test("duplicate versions (3_x and 003_y) are one problem naming both files, said once", () => {
    const root = tree({
      "sql/3_x/up.sql": UP,
      "sql/3_x/down.sql": DOWN,
      "sql/003_y/up.sql": UP,
      "sql/003_y/down.sql": DOWN,
      "sql/4_z/up.sql": UP,
      "sql/4_z/down.sql": DOWN,
      "sql/04_w/up.sql": UP,
      "sql/04_w/down.sql": DOWN,
    });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(plan.problems.map((p) => [p.check, p.blocking, p.message.replaceAll(root + "/", "")])).toEqual([
      ["files.duplicate-version", true, "version 003 is used more than once: sql/003_y/up.sql, sql/3_x/up.sql"],
      ["files.duplicate-version", true, "version 04 is used more than once: sql/04_w/up.sql, sql/4_z/up.sql"],
    ]);
  });

  test("the same up written twice (directory and flat) is a duplicate", () => {
    const root = tree({ "sql/001_a/up.sql": UP, "sql/001_a.up.sql": UP, "sql/001_a/down.sql": DOWN });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(checks(plan)).toEqual(["files.duplicate-version"]);
  });

  test("an up without a down names the missing file, and does not block the runner", () => {
    const root = tree({
      "sql/001_a/up.sql": UP,
      "sql/002_b/up.postgres.sql": UP,
      "sql/003_c/up.sql": UP,
      "sql/003_c/down.sql": DOWN,
    });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(problemsAt(plan, root)).toEqual([
      ["files.missing-down", "sql/001_a/up.sql"],
      ["files.missing-down", "sql/002_b/up.postgres.sql"],
    ]);
    expect(plan.problems.some((p) => p.blocking)).toBe(false);
    expect(plan.problems.map((p) => p.message).join("\n")).toContain("down.postgres.sql");
    expect(plan.upOnly).toBe(false);
    // A down missing where the tree has downs is a problem (step.down fails), not a migration declared irreversible.
    expect(plan.migrations.map((m) => !!m.irreversible)).toEqual([false, false, false]);
  });

  test("a tree with no down at all is up-only: no missing-down per file", () => {
    const root = tree({ "sql/001_a/up.sql": UP, "sql/002_b/up.postgres.sql": UP });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(plan.problems).toEqual([]);
    expect(plan.upOnly).toBe(true);
    expect(plan.migrations.every((m) => m.irreversible)).toBe(true);
  });

  test("pairs are complete per dialect: a generic down completes dialect ups, a dialect down completes the generic up there", () => {
    const root = tree({
      "sql/001_a/up.postgres.sql": UP,
      "sql/001_a/up.sqlite.sql": UP,
      "sql/001_a/down.sql": DOWN,
      "sql/002_b/up.sql": UP,
      "sql/002_b/down.postgres.sql": DOWN,
      "sql/002_b/down.sqlite.sql": DOWN,
      "sql/003_c/up.sql": UP,
      "sql/003_c/down.postgres.sql": DOWN,
    });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    // 003_c has a down for PostgreSQL only: on SQLite its up has none.
    expect(problemsAt(plan, root)).toEqual([["files.missing-down", "sql/003_c/up.sql"]]);
    const [a, b] = plan.migrations;
    expect(fileFor(a!, "down", "postgres")!.path).toEndWith("001_a/down.sql");
    expect(fileFor(b!, "down", "sqlite")!.path).toEndWith("002_b/down.sqlite.sql");
  });

  test("a dialect up override is covered by the default down", () => {
    const root = tree({ "sql/001_a/up.sql": UP, "sql/001_a/up.sqlite.sql": UP, "sql/001_a/down.sql": DOWN });
    expect(loadPlan({ sqlDir: join(root, "sql") }).problems).toEqual([]);
  });

  test("a down without an up is blocking", () => {
    const root = tree({ "sql/001_a/down.sql": DOWN });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(problemsAt(plan, root)).toEqual([["files.naming", "sql/001_a/down.sql"]]);
    expect(plan.problems[0]!.blocking).toBe(true);
    expect(plan.problems[0]!.message).toContain("no matching up");
  });

  test("misnamed directories and files are each reported", () => {
    const root = tree({
      "sql/create_users/up.sql": UP,
      "sql/001-dash/up.sql": UP,
      "sql/002_ok/upgrade.sql": UP,
      "sql/002_ok/up.sql": UP,
      "sql/002_ok/down.sql": DOWN,
      "sql/add_column.sql": UP,
      "sql/003_flat.sql": UP,
    });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(ids(plan)).toEqual(["002_ok"]);
    expect(problemsAt(plan, root)).toEqual([
      ["files.naming", "sql/001-dash"],
      ["files.naming", "sql/002_ok/upgrade.sql"],
      ["files.naming", "sql/003_flat.sql"],
      ["files.naming", "sql/add_column.sql"],
      ["files.naming", "sql/create_users"],
    ]);
    expect(plan.problems.every((p) => p.blocking)).toBe(true);
  });

  test("an empty down is reported but does not block", () => {
    const root = tree({ "sql/001_a/up.sql": UP, "sql/001_a/down.sql": "-- nothing to do\n\n" });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]).toMatchObject({ check: "files.empty-down", blocking: false });
    expect(plan.migrations).toHaveLength(1);
  });

  test("an empty down that declares its loss is not reported", () => {
    const root = tree({ "sql/001_a/up.sql": UP, "sql/001_a/down.sql": "-- stairway:lossy t\n" });
    expect(loadPlan({ sqlDir: join(root, "sql") }).problems).toEqual([]);
  });

  test("a bad directive is a files.parse problem with its line", () => {
    const root = tree({ "sql/001_a/up.sql": "SELECT 1;\n-- stairway:skip oracle\n", "sql/001_a/down.sql": DOWN });
    const plan = loadPlan({ sqlDir: join(root, "sql") });
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]).toMatchObject({ check: "files.parse", line: 2, blocking: true });
    expect(plan.problems[0]!.message).toContain("001_a/up.sql:2");
  });

  test("every problem of a tree is reported together", () => {
    const root = tree({
      "sql/001_a/up.sql": UP,
      "sql/1_b/up.sql": UP,
      "sql/1_b/down.sql": DOWN,
      "sql/002_c/up.sql": UP,
      "sql/002_c/down.sql": "",
      "sql/003_d/down.sql": DOWN,
      "sql/004_e/up.sql": "-- stairway:wat\nSELECT 1;\n",
      "sql/004_e/down.sql": DOWN,
      "sql/bad name/up.sql": UP,
      "redis/not-a-migration.ts": "export default {};\n",
    });
    const plan = loadPlan({ sqlDir: join(root, "sql"), redisDir: join(root, "redis") });
    expect(problemsAt(plan, root)).toEqual([
      ["files.duplicate-version", "sql/001_a/up.sql"],
      ["files.empty-down", "sql/002_c/down.sql"],
      ["files.missing-down", "sql/001_a/up.sql"],
      ["files.naming", "redis/not-a-migration.ts"],
      ["files.naming", "sql/003_d/down.sql"],
      ["files.naming", "sql/bad name"],
      ["files.parse", "sql/004_e/up.sql"],
    ]);
  });
});

describe("redis-migrations", () => {
  test("NNN_name.ts transforms join the one global sequence; .d.ts and other files are ignored", () => {
    const root = tree({
      "sql/001_a/up.sql": UP,
      "sql/001_a/down.sql": DOWN,
      "sql/009_c/up.sql": UP,
      "sql/009_c/down.sql": DOWN,
      "redis/007_update_session_key_format.ts": "export default { async up() {}, async down() {} };\n",
      "redis/types.d.ts": "export {};\n",
      "redis/README.md": "docs",
      "redis/helpers.js": "",
    });
    const plan = loadPlan({ sqlDir: join(root, "sql"), redisDir: join(root, "redis") });
    expect(plan.problems).toEqual([]);
    expect(plan.migrations.map((m) => [m.id, m.store])).toEqual([
      ["001_a", "sql"],
      ["007_update_session_key_format", "keys"],
      ["009_c", "sql"],
    ]);
    const r = plan.migrations[1]!;
    expect(r.module!.path).toEndWith("007_update_session_key_format.ts");
    expect(appliesTo(r, "redis")).toBe(true);
    expect(appliesTo(r, "sqlite")).toBe(false);
  });

  test("a version used by both stores is a duplicate, one problem naming both", () => {
    const root = tree({
      "sql/007_a/up.sql": UP,
      "sql/007_a/down.sql": DOWN,
      "redis/7_b.ts": "export default {};\n",
    });
    const plan = loadPlan({ sqlDir: join(root, "sql"), redisDir: join(root, "redis") });
    expect(plan.problems.map((p) => [p.check, p.message.replaceAll(root + "/", "")])).toEqual([
      ["files.duplicate-version", "version 007 is used more than once: sql/007_a/up.sql, redis/7_b.ts"],
    ]);
  });
});

describe("file contents", () => {
  test("a skip directive in either file applies to the whole migration", () => {
    const root = tree({
      "sql/010_logs/up.sql": "CREATE TABLE logs (id int);\n",
      "sql/010_logs/down.sql": "-- stairway:skip sqlite\nDROP TABLE logs;\n",
    });
    const m = loadPlan({ sqlDir: join(root, "sql") }).migrations[0]!;
    expect(m.files.up.default!.directives.skip).toEqual(["sqlite"]);
    expect(appliesTo(m, "sqlite")).toBe(false);
    expect(appliesTo(m, "postgres")).toBe(true);
  });

  test("checksums are the sha256 hex of the file's bytes; text is the file as read", () => {
    const bytes = Buffer.from("\uFEFFCREATE TABLE t (id int);\r\n-- ünïcode\r\n", "utf8");
    const root = tree({ "sql/001_a/up.sql": bytes, "sql/001_a/down.sql": DOWN });
    const m = loadPlan({ sqlDir: join(root, "sql") }).migrations[0]!;
    const up = m.files.up.default!;
    expect(up.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(up.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(m.files.down.default!.checksum).toBe(createHash("sha256").update(DOWN).digest("hex"));
    expect(up.text).toContain("CREATE TABLE t (id int);\r\n");
  });
});
