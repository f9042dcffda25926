// The prefix cache: the state after the migrations before the checked ones,
// kept and reused; an entry built from other files is never used, nor one
// whose content does not match what it claims.

import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, PG_URL, pgQuery, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";
import { claimEmptyDb } from "../redis/helpers.ts";
import { cacheTemplates, chain, checkedIds, dropCacheTemplates } from "./trees.ts";

const dirs: string[] = [];
afterAll(async () => {
  await dropCacheTemplates(dirs.map((d) => join(d, "cache")));
  dirs.forEach(cleanup);
});

// 005 indexes the column 002 adds: run over a stale prefix, it fails.
const TREE = {
  ...chain(4),
  "sql/005_index_t1/up.sql": "CREATE INDEX ix_t1_note ON t1 (note);\n",
  "sql/005_index_t1/down.sql": "DROP INDEX ix_t1_note;\n",
};
const EDITED = {
  "sql/002_note_t1/up.sql": "ALTER TABLE t1 ADD COLUMN remark text;\n",
  "sql/002_note_t1/down.sql": "ALTER TABLE t1 DROP COLUMN remark;\n",
  "sql/005_index_t1/up.sql": "CREATE INDEX ix_t1_note ON t1 (remark);\n",
};

const entries = (dir: string) =>
  readdirSync(join(dir, "cache")).filter((n) => existsSync(join(dir, "cache", n, "entry.json")));

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`prefix cache on ${dialect}`, () => {
    const dir = tempDir();
    dirs.push(dir);
    writeTree(dir, TREE);
    const db = dialect === "sqlite" ? `sqlite:${join(dir, "app.db")}` : PG_URL;
    const since = async () => {
      const r = await runCli(["test", "--db", db, "--since", "005", "--cache-dir", "cache", "--json"], { cwd: dir });
      const report = r.json();
      expect(report.results.filter((x: any) => x.status === "fail")).toEqual([]);
      expect(checkedIds(report)).toEqual(["005_index_t1"]);
      return report.selection.targets[dialect].prefix;
    };

    test("kept on the first run, used on the next", async () => {
      expect(await since()).toMatchObject({ migrations: 4, from: "applied", cache: "kept" });
      expect(entries(dir)).toHaveLength(1);
      expect(await since()).toMatchObject({ migrations: 4, from: "cache", cache: "hit" });
      if (dialect === "postgres") {
        const [name] = cacheTemplates(join(dir, "cache"));
        expect(name).toMatch(/^stairway_cache_[0-9a-f]{16}$/);
        const [row] = await pgQuery<{ datistemplate: boolean; datallowconn: boolean }>(
          PG_URL,
          `SELECT datistemplate, datallowconn FROM pg_database WHERE datname = '${name}'`,
        );
        expect(row).toEqual({ datistemplate: true, datallowconn: false });
      }
    });

    test("a prefix file edited: the entry is not used, the prefix is built again", async () => {
      writeTree(dir, EDITED);
      // Over the old prefix 005 would fail: t1 has no column remark there.
      expect(await since()).toMatchObject({ from: "applied", cache: "kept" });
      expect(entries(dir)).toHaveLength(2);
      expect(await since()).toMatchObject({ from: "cache", cache: "hit" });
    });

    test("an entry whose content is not what it claims is rebuilt", async () => {
      // The entry of the tree as it is now: its manifest has the edited 002's checksum.
      const edited = createHash("sha256").update(EDITED["sql/002_note_t1/up.sql"]).digest("hex");
      const entry = join(
        dir,
        "cache",
        entries(dir).find((n) => readFileSync(join(dir, "cache", n, "entry.json"), "utf8").includes(edited))!,
      );
      const manifest = JSON.parse(readFileSync(join(entry, "entry.json"), "utf8"));
      if (dialect === "sqlite") {
        const file = new Database(join(entry, manifest.kept.file));
        file.run("DELETE FROM stairway_migrations WHERE version = '003'");
        file.close();
      } else {
        const name = manifest.kept.template;
        await pgQuery(PG_URL, `ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
        await pgQuery(PG_URL.replace(/\/[^/]*$/, `/${name}`), "DELETE FROM stairway_migrations WHERE version = '003'");
        await pgQuery(PG_URL, `ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      }
      const used = await since();
      expect(used.from).toBe("applied");
      expect(used.cache).toBe("entry not used, rebuilt (it records 3 migrations, the prefix has 4)");
      expect(await since()).toMatchObject({ from: "cache", cache: "hit" });
    });

    if (dialect === "postgres")
      test("a server without the template gets it back from the entry's pg_dump", async () => {
        const names = cacheTemplates(join(dir, "cache"));
        for (const n of names) {
          await pgQuery(PG_URL, `ALTER DATABASE ${n} WITH IS_TEMPLATE false`);
          await pgQuery(PG_URL, `DROP DATABASE ${n}`);
        }
        expect(await since()).toMatchObject({ from: "cache", cache: "hit" });
      });

    test("clean removes the entries (and the templates they name)", async () => {
      const names = cacheTemplates(join(dir, "cache"));
      const r = await runCli(["clean", "--db", db, "--cache-dir", "cache"], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/removed \d+ prefix-cache entr/);
      expect(existsSync(join(dir, "cache"))).toBe(false);
      for (const n of names)
        expect(await pgQuery(PG_URL, `SELECT 1 FROM pg_database WHERE datname = '${n}'`)).toEqual([]);
    });
  });
}

test("prefix cache on Redis: the keys after the prefix, dumped and restored", async () => {
  const claimed = await claimEmptyDb();
  const reports = tempDir();
  dirs.push(reports);
  try {
    const run = async () => {
      const r = await runCli(
        [
          "test",
          "--db",
          claimed.url,
          "--redis",
          "redis-migrations",
          "--report-dir",
          reports,
          "--since",
          "008",
          "--cache-dir",
          join(reports, "cache"),
          "--json",
        ],
        { cwd: ROOT },
      );
      const report = r.json();
      expect(report.results.filter((x: any) => x.status === "fail")).toEqual([]);
      expect(r.code).toBe(0);
      return report.selection.targets.redis.prefix;
    };
    expect(await run()).toMatchObject({ migrations: 1, from: "applied", cache: "kept" });
    expect(await run()).toMatchObject({ migrations: 1, from: "cache", cache: "hit" });
    expect(await claimed.redis.dbsize()).toBe(0);
  } finally {
    await claimed.release();
  }
});

test("setup files are in an entry's key: an edited one rebuilds the prefix, and a hit holds what setup made", async () => {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, {
    "stairway.yaml": "setup:\n  sqlite: [setup.sql]\n",
    "setup.sql": "CREATE TABLE app_settings (k text PRIMARY KEY);\n",
    ...chain(2),
    // Needs what setup made: over a prefix without it, it fails.
    "sql/003_index_settings/up.sql": "CREATE INDEX ix_settings_v ON app_settings (v);\n",
    "sql/003_index_settings/down.sql": "DROP INDEX ix_settings_v;\n",
  });
  const since = async () => {
    const r = await runCli(
      ["test", "--config", "stairway.yaml", "--db", `sqlite:${join(dir, "app.db")}`, "--since", "003", "--json"],
      { cwd: dir },
    );
    const report = r.json();
    return {
      failed: report.results.filter((x: any) => x.status === "fail").map((x: any) => x.message),
      ...report.selection.targets.sqlite.prefix,
    };
  };
  const first = await since();
  expect(first.failed).toEqual([expect.stringContaining("no such column: v")]);
  writeTree(dir, { "setup.sql": "CREATE TABLE app_settings (k text PRIMARY KEY, v text);\n" });
  // The entry kept with the old setup is not used: the index finds the column.
  expect(await since()).toMatchObject({ failed: [], from: "applied", cache: "kept" });
  expect(await since()).toMatchObject({ failed: [], from: "cache", cache: "hit" });
});
