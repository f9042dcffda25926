// --since VERSION and --since-git REF: only the migrations a change adds are
// checked; the ones before are applied, not checked.

import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { cleanup, PG_URL, runCli, scratchDatabasesOf, tempDir, writeTree } from "../helpers.ts";
import { chain, checkedIds, dropCacheTemplates } from "./trees.ts";

const dirs: string[] = [];
afterAll(async () => {
  await dropCacheTemplates(dirs.map((d) => join(d, "tests/migrations/reports/cache")));
  dirs.forEach(cleanup);
});

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    cwd,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
};

// A released migration's broken down: caught when checked, not when it is in the prefix.
const BROKEN_DOWN = { "sql/002_note_t1/down.sql": "SELECT 1;\n" };

for (const dialect of ["sqlite", "postgres"] as const) {
  const db = (dir: string) => (dialect === "sqlite" ? `sqlite:${join(dir, "app.db")}` : PG_URL);

  describe(`--since on ${dialect}`, () => {
    test("checks that version and the later ones; the prefix is applied, not checked", async () => {
      const dir = project({ ...chain(6), ...BROKEN_DOWN });
      const full = await runCli(["test", "--db", db(dir), "--json"], { cwd: dir });
      expect(full.json().results.some((r: any) => r.migration === "002_note_t1" && r.status === "fail")).toBe(true);

      const r = await runCli(["test", "--db", db(dir), "--since", "005", "--json"], { cwd: dir });
      const report = r.json();
      expect(r.code).toBe(0);
      expect(checkedIds(report)).toEqual(["005_create_t3", "006_note_t3"]);
      expect(report.results.filter((x: any) => x.check === "step.up").map((x: any) => x.migration)).toEqual([
        "005_create_t3",
        "006_note_t3",
      ]);
      // Back down to the prefix, which stays recorded: nothing else left.
      const down = report.results.find((x: any) => x.check === "step.down-to-base");
      expect(down).toMatchObject({ status: "pass" });
      expect(down.message).toBe("2 migrations reverted, back to the 4 migrations applied before them");
      expect(report.coverage[dialect]).toEqual({ checked: 2, total: 6, untested: [], appliedOnly: 4 });
      expect(report.selection).toMatchObject({
        since: "005",
        targets: { [dialect]: { total: 6, from: 4, to: 6, first: "005_create_t3", last: "006_note_t3", checked: 2 } },
      });
      expect(report.selection.targets[dialect].prefix).toMatchObject({ migrations: 4 });
      if (dialect === "postgres") expect(await scratchDatabasesOf(r.pid)).toEqual([]);
    });

    test("a version the tree does not have is a usage error", async () => {
      const dir = project(chain(3));
      const r = await runCli(["test", "--db", db(dir), "--since", "9"], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--since 9: no migration has that version (the tree's versions run from 001 to 003)");
    });
  });

  describe(`--since-git on ${dialect}`, () => {
    test("checks exactly the migrations a branch adds, committed or not", async () => {
      const dir = project({ ...chain(4), ...BROKEN_DOWN });
      git(dir, "init", "-q", "-b", "main");
      git(dir, "add", ".");
      git(dir, "commit", "-qm", "four migrations");
      git(dir, "checkout", "-qb", "feature");
      writeTree(dir, chain(1, 5));
      git(dir, "add", ".");
      git(dir, "commit", "-qm", "a fifth");
      writeTree(dir, chain(1, 6)); // not committed yet
      const r = await runCli(["test", "--db", db(dir), "--since-git", "main", "--json"], { cwd: dir });
      const report = r.json();
      expect(r.code).toBe(0);
      expect(checkedIds(report)).toEqual(["005_create_t3", "006_note_t3"]);
      expect(report.coverage[dialect]).toMatchObject({ checked: 2, total: 6, appliedOnly: 4 });
      expect(report.selection.sinceGit).toEqual({ ref: "main", base: git(dir, "rev-parse", "main") });
    });

    test("an edited released up fails files.checksum-drift; an edited down is checked", async () => {
      const dir = project(chain(4));
      git(dir, "init", "-q", "-b", "main");
      git(dir, "add", ".");
      git(dir, "commit", "-qm", "four migrations");
      writeTree(dir, {
        "sql/002_note_t1/up.sql": "ALTER TABLE t1 ADD COLUMN note varchar(200);\n",
        "sql/003_create_t2/down.sql": "DROP TABLE IF EXISTS t2;\n",
      });
      const r = await runCli(["test", "--db", db(dir), "--since-git", "main", "--json"], { cwd: dir });
      const report = r.json();
      expect(r.code).toBe(1);
      expect(checkedIds(report)).toEqual(["002_note_t1", "003_create_t2"]);
      const drift = report.results.filter((x: any) => x.check === "files.checksum-drift");
      expect(drift).toHaveLength(1);
      expect(drift[0]).toMatchObject({ migration: "002_note_t1", status: "fail" });
      expect(drift[0].message).toContain("sql/002_note_t1/up.sql changed since main");
      expect(drift[0].message).toContain("an applied migration must not change");
      // 004 is between two checked ones: applied on the way.
      expect(report.coverage[dialect]).toMatchObject({ checked: 2, total: 4, appliedOnly: 2 });
    });
  });
}

test("a migration applied on the way between two checked ones is in the next one's view of the tables", async () => {
  // 002 (unchanged, applied on the way) makes c reference p; 003's down loses that foreign key, which only a
  // snapshot that includes c (it references p, which 003 names) can see.
  const dir = project({
    "sql/001_p/up.sql": "CREATE TABLE p (id integer PRIMARY KEY);\n",
    "sql/001_p/down.sql": "DROP TABLE p;\n",
    "sql/002_c/up.sql": "CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));\n",
    "sql/002_c/down.sql": "DROP TABLE c;\n",
  });
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", ".");
  git(dir, "commit", "-qm", "two");
  writeTree(dir, {
    "sql/001_p/down.sql": "-- p goes last\nDROP TABLE p;\n",
    "sql/003_p_note/up.sql": "ALTER TABLE p ADD COLUMN note text;\n",
    "sql/003_p_note/down.sql": "DROP TABLE p CASCADE;\nCREATE TABLE p (id integer PRIMARY KEY);\n",
  });
  const r = await runCli(["test", "--db", PG_URL, "--since-git", "main", "--json"], { cwd: dir });
  const report = r.json();
  expect(checkedIds(report)).toEqual(["001_p", "003_p_note"]);
  const restored = report.results.find(
    (x: any) => x.migration === "003_p_note" && x.check === "step.down-restores-schema",
  );
  expect(restored.status).toBe("fail");
  expect(restored.message).toContain("table c");
});

test("--since takes the version as typed: 1.10 is not 1.1", async () => {
  const dir = project({
    "sql/V1_2__a.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
    "sql/U1_2__a.sql": "DROP TABLE a;\n",
    "sql/V1_10__b.sql": "CREATE TABLE b (id integer PRIMARY KEY);\n",
    "sql/U1_10__b.sql": "DROP TABLE b;\n",
  });
  const r = await runCli(["test", "--db", `sqlite:${join(dir, "a.db")}`, "--since", "1.10", "--json"], { cwd: dir });
  expect(r.code).toBe(0);
  expect(checkedIds(r.json())).toEqual(["1.10_b"]);
});

describe("--since-git says what is wrong", () => {
  test("outside a git checkout", async () => {
    const dir = project(chain(2));
    const r = await runCli(["test", "--db", `sqlite:${join(dir, "a.db")}`, "--since-git", "main"], {
      cwd: dir,
      env: { GIT_CEILING_DIRECTORIES: dir.slice(0, dir.lastIndexOf("/")) },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--since-git main: sql is not in a git checkout");
  });

  test("a ref that does not exist", async () => {
    const dir = project(chain(2));
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "two");
    const r = await runCli(["test", "--db", `sqlite:${join(dir, "a.db")}`, "--since-git", "origin/main"], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--since-git origin/main: no such commit in the git repository at");
    expect(r.stderr).toContain("fetch-depth: 0");
  });

  test("--since and --shard together", async () => {
    const dir = project(chain(2));
    const r = await runCli(["test", "--db", `sqlite:${join(dir, "a.db")}`, "--since", "1", "--shard", "1/2"], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--since and --shard cannot be used together: pick one");
  });
});

describe("--since on the other testing commands", () => {
  const sqlite = (dir: string) => `sqlite:${join(dir, "app.db")}`;
  const ids = (report: any, check: string) =>
    report.results.filter((x: any) => x.check === check).map((x: any) => x.migration);

  test("rollback rolls back from head through that version", async () => {
    const dir = project(chain(4));
    const r = await runCli(["rollback", "--db", sqlite(dir), "--since", "3", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(ids(r.json(), "step.down")).toEqual(["004_note_t2", "003_create_t2"]);
  });

  test("backup-test and perf check only the selected migrations", async () => {
    const dir = project(chain(4));
    const b = await runCli(["backup-test", "--db", sqlite(dir), "--since", "3", "--json"], { cwd: dir });
    expect(b.code).toBe(0);
    expect(ids(b.json(), "backup.restore-identical")).toEqual(["003_create_t2", "004_note_t2"]);
    const p = await runCli(["perf", "--db", sqlite(dir), "--since", "4", "--json"], { cwd: dir });
    expect(p.code).toBe(0);
    expect(ids(p.json(), "perf.threshold")).toEqual(["004_note_t2"]);
  });

  test("cross-db compares after the selected versions, with --each-step only", async () => {
    const dir = project(chain(4));
    const args = ["cross-db", "--db", sqlite(dir), "--db", PG_URL, "--since", "3"];
    const plain = await runCli(args, { cwd: dir });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("go with cross-db --each-step");
    const r = await runCli([...args, "--each-step", "--json"], { cwd: dir });
    expect(ids(r.json(), "cross-db.schema")).toEqual(["003_create_t2", "004_note_t2"]);
    expect(await scratchDatabasesOf(r.pid)).toEqual([]);
  });
});
