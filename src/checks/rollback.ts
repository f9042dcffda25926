// stairway rollback on one target, any store: up to head one migration at a
// time (the model puts its data in place: fixtures at their version and
// generated rows at head, or each transform's seed before its up), then the
// last K rolled back one at a time, each timed; after each, the state must be
// what it was before that migration's up, with nothing lost
// (`rollback.data-preserved`, `redis.down-restores`).

import { appliesTo, type Migration } from "../plan/migration.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import type { Migrator } from "../stores/contract.ts";
import { failed, type Draft, type ModelOptions } from "./model.ts";
import { modelOf } from "./model-of.ts";

export interface RollbackOptions extends ModelOptions {
  /** How many of the newest migrations to roll back; undefined: all. */
  last?: number;
}

export async function runRollback(
  driver: Migrator,
  target: string,
  all: Migration[],
  opts: RollbackOptions,
): Promise<CheckResult[]> {
  const model = modelOf(driver, opts);
  const results: CheckResult[] = [];
  const add = (...drafts: Draft[]) => results.push(...drafts.map((d) => ({ target, ...d })));
  const migrations = all.filter((m) => appliesTo(m, driver.dialect));
  const beforeUp = new Map<string, unknown>();
  await driver.ensureBookkeeping();

  for (const m of migrations) {
    opts.progress?.(`${target}  up  ${m.id}`);
    const before = await model.beforeUp(m);
    if (failed(before)) {
      add({ check: "step.up", migration: m.id, status: "fail", message: before.failed });
      return results;
    }
    beforeUp.set(m.id, before);
    const o = await applyStep(driver, m, "up");
    if (o.status !== "done") {
      add({
        check: "step.up",
        migration: m.id,
        status: "fail",
        message: o.error ?? "up failed",
        durationMs: o.durationMs,
      });
      return results;
    }
    await model.afterHeadUp(m);
  }
  const skipped = await model.atHead();

  const chosen = migrations.slice(opts.last === undefined ? 0 : Math.max(0, migrations.length - opts.last)).reverse();
  for (const m of chosen) {
    opts.progress?.(`${target}  rollback  ${m.id}`);
    const kept = await model.beforeRollback(m);
    const o = await applyStep(driver, m, "down");
    if (o.status !== "done") {
      add({
        check: "step.down",
        migration: m.id,
        status: "fail",
        message: o.error ?? "down failed",
        durationMs: o.durationMs,
      });
      break;
    }
    add({ check: "step.down", migration: m.id, status: "pass", message: "rolled back", durationMs: o.durationMs });
    add(...(await model.rolledBack(m, beforeUp.get(m.id), kept, migrations.slice(migrations.indexOf(m) + 1), skipped)));
  }
  return results;
}
