// `status` on a SQLite file after a run was killed in the middle of a
// migration (SIGKILL: the journal is left "hot") tells the truth, as every
// SQLite reader must first roll that transaction back. It used to open the
// file read-only and exit 3 with "attempt to write a readonly database".

import { afterAll, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { cleanup, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

// 002 writes 50,000 rows in its transaction, then computes for a long while: killed there, its journal is hot.
const TREE = {
  "sql/001_a/up.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY, note TEXT);\n",
  "sql/001_a/down.sql": "DROP TABLE a;\n",
  "sql/002_fill/up.sql":
    "INSERT INTO a (note) SELECT printf('%0200d', x) FROM (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50000) SELECT x FROM n);\n" +
    "CREATE TABLE b (id INTEGER PRIMARY KEY);\n" +
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300000000) SELECT count(*) FROM n;\n",
  "sql/002_fill/down.sql": "DROP TABLE b;\nDELETE FROM a;\n",
};

async function killedMidMigration(): Promise<{ dir: string; db: string; url: string }> {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, TREE);
  const db = join(dir, "app.db");
  const url = `sqlite:${db}`;
  expect((await runCli(["up", "--to", "1", "--db", url], { cwd: dir })).code).toBe(0);
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "up", "--db", url], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
  });
  // The rows spilled into the file (the journal keeps what was there before): 002 is in its long computation then.
  for (let i = 0; i < 500 && !(existsSync(`${db}-journal`) && Bun.file(db).size > 5_000_000); i++) await Bun.sleep(20);
  await Bun.sleep(200);
  proc.kill("SIGKILL");
  await proc.exited;
  expect(existsSync(`${db}-journal`)).toBe(true);
  return { dir, db, url };
}

test("status after a SIGKILL in the middle of a migration shows the truth", async () => {
  const { dir, url } = await killedMidMigration();
  const status = await runCli(["status", "--db", url, "--json"], { cwd: dir });
  expect(status.stderr).toBe("");
  expect(status.code).toBe(0);
  // The killed transaction rolled back: 002 is pending, and none of its rows are there.
  expect(status.json().migrations.map((m: any) => `${m.version}:${m.state}`)).toEqual(["001:applied", "002:pending"]);
  const { Database } = await import("bun:sqlite");
  const d = new Database(join(dir, "app.db"), { readonly: true });
  expect(d.query("SELECT count(*) AS n FROM a").get()).toEqual({ n: 0 });
  d.close();
}, 60_000);

// As root every file is writable: the read-only case runs as nobody, where setpriv can switch to it.
const nobody =
  spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "true"]).status === 0 &&
  process.getuid?.() === 0;

test.skipIf(!nobody)(
  "status on a file this user may only read, with a hot journal, says so in one sentence (exit 3)",
  async () => {
    const { dir, db, url } = await killedMidMigration();
    // Readable by nobody, writable by root only.
    chmodSync(dir, 0o755);
    chmodSync(db, 0o644);
    chmodSync(`${db}-journal`, 0o644);
    chownSync(db, 0, 0);
    const reports = join(dir, "reports");
    mkdirSync(reports, { mode: 0o777 });
    chmodSync(reports, 0o777);
    const r = spawnSync(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        join(ROOT, "src/cli.ts"),
        "status",
        "--db",
        url,
        "--report-dir",
        reports,
      ],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    expect(r.stderr.trim()).toBe(
      `stairway: target sqlite: SQLite database ${db} is read-only to this user and holds an unfinished transaction of a killed run, which only a writer can roll back: run the command as a user who may write the file`,
    );
    expect(r.status).toBe(3);
    // Nothing was rolled back behind anyone's back: the journal is still there for a writer.
    expect(existsSync(`${db}-journal`)).toBe(true);
  },
  60_000,
);

test.skipIf(!nobody)(
  "up on a file this user may only read stops before anything, naming the file (exit 3)",
  async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeTree(dir, TREE);
    const db = join(dir, "app.db");
    expect((await runCli(["up", "--to", "1", "--db", `sqlite:${db}`], { cwd: dir })).code).toBe(0);
    chmodSync(dir, 0o755);
    chmodSync(db, 0o644);
    const reports = join(dir, "reports");
    mkdirSync(reports, { mode: 0o777 });
    chmodSync(reports, 0o777);
    const r = spawnSync(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        join(ROOT, "src/cli.ts"),
        "up",
        "--db",
        `sqlite:${db}`,
        "--report-dir",
        reports,
      ],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    expect(r.stderr.trim()).toBe(
      `stairway: target sqlite: cannot write SQLite database ${db}: the file is read-only to this user`,
    );
    expect(r.status).toBe(3);
  },
  30_000,
);
