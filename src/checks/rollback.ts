// stairway rollback: a target at head, holding fixtures and generated rows,
// rolled back one migration at a time. Each rollback must keep every row in
// every table and column the previous version had (`rollback.data-preserved`),
// give back the schema recorded on the way up, and is timed.

import type { SqlDriver } from "../stores/contract.ts";
import { insertFixture, type Fixture } from "../data/fixtures.ts";
import { seedTables } from "../data/generator.ts";
import { compareRows, snapshotRows } from "../data/rows.ts";
import { appliesTo, fileFor, versionKey, type Migration } from "../plan/migration.ts";
import { diffSchemas, formatDiffs } from "../schema/diff.ts";
import type { Schema } from "../schema/model.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import { dataResult } from "./stairway.ts";

export interface RollbackOptions {
  /** How many of the newest migrations to roll back; undefined: all. */
  last?: number;
  rowsPerTable: number;
  seed: number;
  fixtures: Fixture[];
  progress?: (line: string) => void;
}

export async function runRollback(driver: SqlDriver, target: string, all: Migration[], opts: RollbackOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const migrations = all.filter((m) => appliesTo(m, driver.dialect));
  const schemaBefore = new Map<string, Schema>();
  await driver.ensureBookkeeping();

  // Up to head, one version at a time: fixtures load at the version they belong to.
  for (const m of migrations) {
    opts.progress?.(`${target}  up  ${m.id}`);
    schemaBefore.set(m.id, await driver.introspect());
    const o = await applyStep(driver, m, "up");
    if (o.status !== "done") {
      results.push({ check: "step.up", target, migration: m.id, status: "fail", message: o.error ?? "up failed", durationMs: o.durationMs });
      return results;
    }
    const s = await driver.introspect();
    for (const f of opts.fixtures.filter((f) => f.version !== undefined && versionKey(f.version) === m.key)) await insertFixture(driver, s, f);
  }
  const head = await driver.introspect();
  for (const f of opts.fixtures.filter((f) => f.version === undefined)) await insertFixture(driver, head, f);
  opts.progress?.(`${target}  generating rows at head`);
  const seeded = await seedTables(driver, head, { rowsPerTable: opts.rowsPerTable, seed: opts.seed });

  const chosen = migrations.slice(opts.last === undefined ? 0 : Math.max(0, migrations.length - opts.last)).reverse();
  for (const m of chosen) {
    opts.progress?.(`${target}  rollback  ${m.id}`);
    const now = await driver.introspect();
    const rows = await snapshotRows(driver, now);
    const o = await applyStep(driver, m, "down");
    if (o.status !== "done") {
      results.push({ check: "step.down", target, migration: m.id, status: "fail", message: o.error ?? "down failed", durationMs: o.durationMs });
      break;
    }
    results.push({ check: "step.down", target, migration: m.id, status: "pass", message: "rolled back", durationMs: o.durationMs });
    const after = await driver.introspect();
    const expected = schemaBefore.get(m.id)!;
    const diffs = diffSchemas(expected, after, ["before its up", "after rollback"]);
    results.push({
      target,
      check: "step.down-restores-schema",
      migration: m.id,
      status: diffs.length ? "fail" : "pass",
      message: diffs.length ? `schema after rollback differs from before its up: ${diffs.flatMap((d) => d.summary).join("; ")}` : "schema as recorded on the way up",
      ...(diffs.length ? { details: { diff: formatDiffs(diffs) } } : {}),
    });
    const lossy = fileFor(m, "down", driver.dialect)?.directives.lossy ?? [];
    const losses = await compareRows(driver, rows, expected, after, lossy);
    let count = 0;
    for (const t of rows.values()) if (expected.tables.some((x) => x.name === t.table)) count += t.rows.size;
    results.push({ target, ...dataResult("rollback.data-preserved", m.id, losses, lossy.length > 0, seeded.skipped, count) });
  }
  return results;
}
