// --shard K/N: contiguous slices of about equal cost, each checked by its own
// job; `report --from` merges their report dirs into the unsharded run's
// results, and says when a shard is missing.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Migration } from "../../src/plan/migration.ts";
import { selectMigrations, sliceBounds } from "../../src/plan/selection.ts";
import { cleanup, PG_URL, runCli, tempDir, writeTree } from "../helpers.ts";
import { chain, checkedIds, dropCacheTemplates } from "./trees.ts";

const dirs: string[] = [];
afterAll(async () => {
  await dropCacheTemplates(dirs.flatMap((d) => [1, 2, 3].map((k) => join(d, `shard-${k}`, "cache"))));
  dirs.forEach(cleanup);
});

describe("slices", () => {
  test("equal costs: equal counts; the rest goes to the last ones", () => {
    expect(sliceBounds(Array(12).fill(1), 4)).toEqual([
      [0, 3],
      [3, 6],
      [6, 9],
      [9, 12],
    ]);
    expect(sliceBounds(Array(10).fill(1), 3).map(([a, b]) => b - a)).toEqual([3, 4, 3]);
  });

  test("measured costs move the cuts: one slow migration gets a slice to itself", () => {
    expect(sliceBounds([1, 1, 1, 1, 30, 1, 1, 1, 1, 1], 3)).toEqual([
      [0, 4],
      [4, 5],
      [5, 10],
    ]);
  });

  test("the last run's timings: a far slower migration still gets its own slice; unmeasured ones cost the average", () => {
    const ms = Array.from({ length: 10 }, (_, i) => ({ id: `00${i}_m`, key: String(i) }) as Migration);
    const costs = new Map(ms.map((m, i) => [m.id, i === 4 ? 300 : 10]));
    costs.delete("009_m");
    const slices = [1, 2, 3].map((k) =>
      selectMigrations(ms, { name: "pg", dialect: "postgres" }, { shard: { index: k, count: 3 }, costs }).run.map(
        (m) => m.id,
      ),
    );
    expect(slices).toEqual([
      ["000_m", "001_m", "002_m", "003_m"],
      ["004_m"],
      ["005_m", "006_m", "007_m", "008_m", "009_m"],
    ]);
  });

  test("fewer migrations than shards: one each, the rest empty; none at all: every slice empty", () => {
    expect(sliceBounds([1, 1], 4)).toEqual([
      [0, 1],
      [1, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(sliceBounds([], 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});

const comparable = (report: any) =>
  report.results
    .filter((r: any) => r.migration)
    .map((r: any) => `${r.target} ${r.migration} ${r.check} ${r.status}`)
    .sort();

for (const dialect of ["sqlite", "postgres"] as const) {
  test(`three shards on ${dialect} check every migration once, and merge into the unsharded run's results`, async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeTree(dir, chain(dialect === "sqlite" ? 12 : 7));
    const total = dialect === "sqlite" ? 12 : 7;
    const db = dialect === "sqlite" ? `sqlite:${join(dir, "app.db")}` : PG_URL;
    const whole = (await runCli(["test", "--db", db, "--report-dir", "whole", "--json"], { cwd: dir })).json();
    expect(whole.ok).toBe(true);

    const seen: string[] = [];
    for (const k of [1, 2, 3]) {
      const r = await runCli(["test", "--db", db, "--shard", `${k}/3`, "--report-dir", `shard-${k}`, "--json"], {
        cwd: dir,
      });
      expect(r.code).toBe(0);
      const report = r.json();
      expect(report.selection.shard).toEqual({ index: k, count: 3, basis: "counts (no earlier report)" });
      seen.push(...checkedIds(report));
    }
    expect(seen).toEqual(checkedIds(whole));

    const merged = await runCli(["report", "--from", "shard-*", "--report-dir", "merged", "--json"], { cwd: dir });
    expect(merged.code).toBe(0);
    expect(merged.json().results.map((r: any) => r.message)).toContain("merged 3 shards of test");
    const test = JSON.parse(readFileSync(join(dir, "merged/test.json"), "utf8"));
    expect(comparable(test)).toEqual(comparable(whole));
    expect(test.coverage[dialect]).toEqual({ checked: total, total, untested: [] });
    expect(test.results.filter((r: any) => r.check === "step.down-to-base")).toHaveLength(1);
    expect(test.shards).toEqual({ count: 3, merged: [1, 2, 3] });
    for (const f of ["migration-summary.md", "report.html", "junit.xml"])
      expect(existsSync(join(dir, "merged", f))).toBe(true);

    // Shard 2 lost: said, and the merged verdict fails.
    const lost = await runCli(["report", "--from", "shard-1", "--from", "shard-3", "--report-dir", "lost"], {
      cwd: dir,
    });
    expect(lost.code).toBe(1);
    expect(lost.stdout).toContain("test: shard 2/3 is missing (after ");
    expect(readFileSync(join(dir, "lost/migration-summary.md"), "utf8")).toContain("shard 2/3 is missing");
  });
}

test("the slices follow the last run's timings in the report dir", async () => {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, chain(6));
  const db = `sqlite:${join(dir, "app.db")}`;
  expect((await runCli(["test", "--db", db, "--report-dir", "r"], { cwd: dir })).code).toBe(0);
  const costs = JSON.parse(readFileSync(join(dir, "r/test.json"), "utf8")).stepMs.sqlite;
  expect(Object.keys(costs)).toHaveLength(6);
  const r = await runCli(["test", "--db", db, "--shard", "1/2", "--report-dir", "r", "--json"], { cwd: dir });
  expect(r.json().selection.shard.basis).toMatch(/^timings of r\/test\.json \(/);
});

test("rollback cannot be sharded: it starts at head", async () => {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, chain(2));
  const r = await runCli(["rollback", "--db", `sqlite:${join(dir, "a.db")}`, "--shard", "1/2"], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("Unknown option `--shard`");
});
