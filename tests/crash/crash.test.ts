// Crash consistency: `stairway up` SIGKILLed at random points, on SQLite and
// on PostgreSQL, over a tree of transactional and no-transaction migrations.
// After each kill, `status` must tell the truth (what the database holds),
// and `up` — after `force` where a no-transaction migration was left dirty,
// as a person would — must reach head with every migration applied once.
//
// STAIRWAY_CRASH_KILLS kills per dialect: a few in `make test`, 25 in
// `make test-crash`.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cleanup, pgDatabase, pgQuery, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

const KILLS = Number(process.env.STAIRWAY_CRASH_KILLS ?? 3);
const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const ROWS = 60_000;
const rows = (table: string) =>
  `INSERT INTO ${table} (id, note) WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${ROWS}) SELECT x, 'row ' || x FROM n WHERE true`; // WHERE: SQLite's upsert after INSERT … SELECT needs one
const table = (t: string) => `CREATE TABLE ${t} (id integer PRIMARY KEY, note text NOT NULL)`;
// Every migration logs itself in `runs`, last: run twice, it shows twice. A
// no-transaction migration is written to be run again after a crash (IF NOT
// EXISTS, ON CONFLICT DO NOTHING), as such migrations must be.
const TREE: Record<string, string> = {
  "sql/001_runs/up.sql": `CREATE TABLE runs (version text NOT NULL);\n${table("t1")};\n${rows("t1")};\nINSERT INTO runs VALUES ('001');\n`,
  "sql/001_runs/down.sql": "DROP TABLE t1;\nDROP TABLE runs;\n",
  "sql/002_t2/up.sql": `${table("t2")};\n${rows("t2")};\nCREATE INDEX t2_note ON t2 (note);\nINSERT INTO runs VALUES ('002');\n`,
  "sql/002_t2/down.sql": "DROP TABLE t2;\n",
  "sql/003_t3/up.sql": `-- stairway:no-transaction\nCREATE TABLE IF NOT EXISTS t3 (id integer PRIMARY KEY, note text NOT NULL);\n${rows("t3")} ON CONFLICT DO NOTHING;\nCREATE INDEX IF NOT EXISTS t3_note ON t3 (note);\nINSERT INTO runs VALUES ('003');\n`,
  "sql/003_t3/down.sql": "-- stairway:no-transaction\nDROP TABLE t3;\n",
  "sql/004_t4/up.sql": `${table("t4")};\n${rows("t4")};\nUPDATE t4 SET note = note || '!';\nINSERT INTO runs VALUES ('004');\n`,
  "sql/004_t4/down.sql": "DROP TABLE t4;\n",
  "sql/005_t5/up.sql": `-- stairway:no-transaction\nCREATE TABLE IF NOT EXISTS t5 (id integer PRIMARY KEY, note text NOT NULL);\n${rows("t5")} ON CONFLICT DO NOTHING;\nINSERT INTO runs VALUES ('005');\n`,
  "sql/005_t5/down.sql": "-- stairway:no-transaction\nDROP TABLE t5;\n",
  "sql/006_t6/up.sql": `${table("t6")};\n${rows("t6")};\nDELETE FROM t6 WHERE id % 2 = 0;\nINSERT INTO runs VALUES ('006');\n`,
  "sql/006_t6/down.sql": "DROP TABLE t6;\n",
};
const VERSIONS = ["001", "002", "003", "004", "005", "006"];
const NO_TRANSACTION = new Set(["003", "005"]);

interface Db {
  url: string;
  /** Rows of `runs` per version (none when the table does not exist yet). */
  runs(): Promise<Record<string, number>>;
  tables(): Promise<string[]>;
  drop(): Promise<void>;
}

async function sqliteDb(dir: string): Promise<Db> {
  const path = join(dir, "app.db");
  const query = async <T>(sql: string): Promise<T[]> => {
    if (!existsSync(path)) return []; // killed before it was created
    const { Database } = await import("bun:sqlite");
    const db = new Database(path, { readonly: true });
    try {
      return db.query(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  const tables = async () =>
    (await query<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1")).map(
      (r) => r.name,
    );
  return {
    url: `sqlite:${path}`,
    tables,
    async runs() {
      if (!(await tables()).includes("runs")) return {};
      return Object.fromEntries(
        (await query<{ v: string; n: number }>("SELECT version AS v, count(*) AS n FROM runs GROUP BY 1")).map((r) => [
          r.v,
          r.n,
        ]),
      );
    },
    drop: async () => {},
  };
}

async function postgresDb(): Promise<Db> {
  const db = await pgDatabase();
  const tables = async () =>
    (
      await pgQuery<{ t: string }>(
        db.url,
        "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
      )
    ).map((r) => r.t);
  return {
    url: db.url,
    tables,
    async runs() {
      if (!(await tables()).includes("runs")) return {};
      return Object.fromEntries(
        (
          await pgQuery<{ v: string; n: string }>(db.url, "SELECT version AS v, count(*) AS n FROM runs GROUP BY 1")
        ).map((r) => [r.v, Number(r.n)]),
      );
    },
    drop: db.drop,
  };
}

function upProcess(dir: string, url: string) {
  return Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "up", "--db", url], {
    cwd: dir,
    stdout: "ignore",
    stderr: "pipe",
  });
}

async function states(dir: string, url: string): Promise<string[]> {
  const r = await runCli(["status", "--db", url, "--json"], { cwd: dir });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return r.json().migrations.map((m: any) => m.state);
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`crash consistency on ${dialect}`, () => {
    test(
      `${KILLS} SIGKILLs at random points of up: status tells the truth, up reaches head, every migration applied once`,
      async () => {
        const open = (dir: string) => (dialect === "sqlite" ? sqliteDb(dir) : postgresDb());
        // How long a whole `up` takes here (the faster of two: the first pays for cold caches): kills land anywhere in it, start-up included.
        let span = Infinity;
        for (let i = 0; i < 2; i++) {
          const dir0 = writeTree(tempDir(), TREE);
          dirs.push(dir0);
          const db0 = await open(dir0);
          const t0 = performance.now();
          const full = upProcess(dir0, db0.url);
          expect(await full.exited).toBe(0);
          span = Math.min(span, performance.now() - t0);
          expect(await db0.runs()).toEqual(Object.fromEntries(VERSIONS.map((v) => [v, 1])));
          await db0.drop();
        }

        const seen: Record<string, number> = {};
        for (let k = 0; k < KILLS; k++) {
          const dir = writeTree(tempDir(), TREE);
          dirs.push(dir);
          const db = await open(dir);
          const at = Math.round(Math.random() * span);
          try {
            const proc = upProcess(dir, db.url);
            await Bun.sleep(at);
            proc.kill("SIGKILL");
            await proc.exited;

            // The truth: a version is applied when its rows are there, pending when nothing of it is;
            // a no-transaction one cut halfway is dirty. Applied versions come first, in order.
            const s = await states(dir, db.url);
            const runs = await db.runs();
            const tables = await db.tables();
            const label = `kill ${k + 1} at ${at} ms of ${Math.round(span)}: ${VERSIONS.map((v, i) => `${v}:${s[i]}`).join(" ")}`;
            seen[s.join(" ")] = (seen[s.join(" ")] ?? 0) + 1;
            const firstNotApplied = s.findIndex((x) => x !== "applied");
            for (const [i, v] of VERSIONS.entries()) {
              const made = tables.includes(`t${Number(v)}`);
              if (s[i] === "applied") expect([label, runs[v], made]).toEqual([label, 1, true]);
              else if (s[i] === "pending")
                expect([label, runs[v] ?? 0, made, i >= firstNotApplied]).toEqual([label, 0, false, true]);
              else expect([label, s[i], NO_TRANSACTION.has(v), i]).toEqual([label, "dirty", true, firstNotApplied]);
            }

            // What a person does with a dirty version: it logs itself last, so its row says whether it finished.
            const dirty = VERSIONS.find((_, i) => s[i] === "dirty");
            if (dirty) {
              const done = runs[dirty] === 1;
              const f = await runCli(["force", dirty, ...(done ? [] : ["--pending"]), "--db", db.url], { cwd: dir });
              expect([label, f.code, f.stderr]).toEqual([label, 0, ""]);
            }
            const up = await runCli(["up", "--db", db.url], { cwd: dir });
            expect([label, up.code, up.stderr]).toEqual([label, 0, ""]);
            expect([label, await states(dir, db.url)]).toEqual([label, VERSIONS.map(() => "applied")]);
            expect([label, await db.runs()]).toEqual([label, Object.fromEntries(VERSIONS.map((v) => [v, 1]))]);
          } finally {
            await db.drop();
          }
        }
        // Which states the kills left, for the record (a run of many kills should see most of them).
        console.log(`${dialect}: ${KILLS} kills over ${Math.round(span)} ms of up: ${JSON.stringify(seen)}`);
      },
      60_000 + KILLS * 15_000,
    );
  });
}
