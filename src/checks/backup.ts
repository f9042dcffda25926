// stairway backup-test: at each step, over generated rows, a backup taken the
// way an operator would (SQLite VACUUM INTO; PostgreSQL pg_dump, else CREATE
// DATABASE … TEMPLATE) must restore to exactly the pre-migration state —
// schema and every row — and the restored copy must take the migration again.

import { tmpdir } from "node:os";
import { join } from "node:path";
import { rmSync } from "node:fs";
import type { DialectModule, SqlDriver } from "../drivers/driver.ts";
import type { TargetUrl } from "../drivers/url.ts";
import { seedTables } from "../data/generator.ts";
import { compareRows, describeLoss, snapshotRows } from "../data/rows.ts";
import { appliesTo, type Migration } from "../plan/migration.ts";
import { diffSchemas, formatDiffs } from "../schema/diff.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import { plural } from "../plural.ts";

export interface BackupOptions {
  module: DialectModule;
  /** The server (or directory) the scratch database lives on. */
  server: TargetUrl;
  /** The scratch database under test. */
  url: TargetUrl;
  /** Prefix for the restored copies (a scratch name, so `clean` finds leftovers). */
  scratchName: string;
  rowsPerTable: number;
  seed: number;
  progress?: (line: string) => void;
}

export async function runBackupTest(driver: SqlDriver, target: string, all: Migration[], opts: BackupOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const counters = new Map<string, number>();
  await driver.ensureBookkeeping();
  let step = 0;
  for (const m of all.filter((x) => appliesTo(x, driver.dialect))) {
    step++;
    const say = (what: string) => opts.progress?.(`${target}  ${m.id}  ${what}`);
    const before = await driver.introspect();
    await seedTables(driver, before, { rowsPerTable: opts.rowsPerTable, seed: opts.seed, counters });
    const rows = await snapshotRows(driver, before);
    const file = join(tmpdir(), `${opts.scratchName}_${step}.backup`);
    say("backup");
    const t0 = performance.now();
    const method = await opts.module.backup(opts.url, file);
    const backupMs = Math.round(performance.now() - t0);

    say("up");
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      results.push({ check: "step.up", target, migration: m.id, status: "fail", message: up.error ?? "up failed", durationMs: up.durationMs });
      rmSync(file, { force: true });
      break;
    }

    say("restore");
    const name = `${opts.scratchName}_r${step}`;
    const r0 = performance.now();
    let restored: TargetUrl | undefined;
    let copy: SqlDriver | undefined;
    try {
      restored = await opts.module.restore(opts.server, file, name);
      copy = await opts.module.open(restored, { name: `${target} restored` });
      const restoreMs = Math.round(performance.now() - r0);
      const schema = await copy.introspect();
      const diffs = diffSchemas(before, schema, ["before the migration", "restored"]);
      const losses = await compareRows(copy, rows, before, schema, []);
      const again = await applyStep(copy, m, "up");
      const problems = [
        ...diffs.flatMap((d) => d.summary),
        ...losses.map(describeLoss),
        ...(again.status === "done" ? [] : [`the restored copy does not take ${m.id} again: ${again.error}`]),
      ];
      let count = 0;
      for (const t of rows.values()) count += t.rows.size;
      results.push({
        check: "backup.restore-identical",
        target,
        migration: m.id,
        status: problems.length ? "fail" : "pass",
        message: problems.length
          ? `the backup taken before ${m.id} does not restore what was there: ${problems.join("; ")}`
          : `${method}: ${plural(count, "row")} and the schema restored exactly (backup ${backupMs} ms, restore ${restoreMs} ms), and ${m.id} applies again`,
        durationMs: backupMs + restoreMs,
        details: { method, backupMs, restoreMs, ...(diffs.length ? { diff: formatDiffs(diffs) } : {}), ...(losses.length ? { losses } : {}) },
      });
    } catch (e) {
      results.push({ check: "backup.restore-identical", target, migration: m.id, status: "fail", message: `restore failed: ${(e as Error).message}` });
    } finally {
      await copy?.close().catch(() => {});
      if (restored) await opts.module.dropScratch(opts.server, restored).catch(() => {});
      rmSync(file, { force: true });
    }
  }
  return results;
}
