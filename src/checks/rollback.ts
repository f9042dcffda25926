// stairway rollback on one target, any store: up to head one migration at a
// time (the model puts its data in place: fixtures at their version and
// generated rows at head, or each transform's seed before its up), then the
// last K rolled back one at a time, each timed; after each, the state must be
// what it was before that migration's up, with nothing lost
// (`rollback.data-preserved`, `redis.down-restores`).
//
// It keeps going (README "Keep going"): an up that fails over the data in
// place is run again without it, and passing then is a warning naming the
// error; a down that fails is reported and the older migrations are still
// rolled back, on a fresh target brought up to just below the failed one the
// same way (its ups, its data). Only an up that fails on empty tables stops.
// Every run ends with its coverage.

import { appliesTo, type Migration } from "../plan/migration.ts";
import type { CheckResult, Coverage } from "../results.ts";
import { applyStep } from "../runner.ts";
import type { Migrator } from "../stores/contract.ts";
import { failed, type DataModel, type Draft, type ModelOptions, stepFailed } from "./model.ts";
import { modelOf } from "./model-of.ts";
import { coverageOf } from "./stairway.ts";
import { overDataMessage } from "./data-blame.ts";

export interface RollbackOptions extends ModelOptions {
  /** How many of the newest migrations to roll back; undefined: all. */
  last?: number;
  /**
   * A new, empty target, for going on below a down that failed: the
   * migrations under it are applied again there, over the same data.
   * Absent: the older migrations are not rolled back.
   */
  fresh?: () => Promise<Migrator>;
}

/** The state each migration's rollback must give back, and the data at the top. */
interface UpPhase {
  beforeUp: Map<string, unknown>;
  skipped: { table: string; reason: string }[];
  /** Why the way up stopped (an up that failed on empty tables too). */
  stopped?: string;
}

export async function runRollback(
  first: Migrator,
  target: string,
  all: Migration[],
  opts: RollbackOptions,
): Promise<{ results: CheckResult[]; coverage: Coverage }> {
  let driver = first;
  let model = modelOf(driver, opts);
  const results: CheckResult[] = [];
  const add = (...drafts: Draft[]) => results.push(...drafts.map((d) => ({ target, ...d })));
  // Going up again after a failed down meets the same warnings: each is said once.
  const addNew = (...drafts: Draft[]) =>
    add(
      ...drafts.filter(
        (d) => !results.some((r) => r.check === d.check && r.migration === d.migration && r.message === d.message),
      ),
    );
  const migrations = all.filter((m) => appliesTo(m, driver.dialect));
  const chosen = migrations.slice(opts.last === undefined ? 0 : Math.max(0, migrations.length - opts.last)).reverse();
  const skip = (m: Migration, check: string, message: string) =>
    add({ check, migration: m.id, status: "skip", message });

  let up = await upTo(driver, model, migrations, target, opts, addNew);
  let stopped = up.stopped;
  for (const [i, m] of chosen.entries()) {
    if (stopped) {
      skip(m, "step.down", stopped);
      continue;
    }
    opts.progress?.(`${target}  rollback  ${m.id}`);
    const kept = await model.beforeRollback(m);
    const o = await applyStep(driver, m, "down");
    if (o.status !== "done") {
      add(stepFailed("step.down", m.id, o, "down failed"));
      skip(m, model.checks.restored[0]!, `not checked: the down of ${m.id} failed`);
      if (i === chosen.length - 1) break;
      // The older migrations need this one reverted, which its down cannot do: a new target just below it.
      if (!opts.fresh) {
        stopped = `not run: the down of ${m.id} failed and the target cannot be rebuilt below it`;
        continue;
      }
      opts.progress?.(`${target}  rebuilding the state below ${m.id}`);
      driver = await opts.fresh();
      model = modelOf(driver, opts);
      up = await upTo(driver, model, migrations.slice(0, migrations.indexOf(m)), target, opts, addNew);
      stopped = up.stopped;
      continue;
    }
    add({ check: "step.down", migration: m.id, status: "pass", message: "rolled back", durationMs: o.durationMs });
    add(
      ...(await model.rolledBack(
        m,
        up.beforeUp.get(m.id),
        kept,
        migrations.slice(migrations.indexOf(m) + 1),
        up.skipped,
      )),
    );
  }
  const coverage = coverageOf(chosen, results, target);
  const notChosen = migrations.length - chosen.length;
  return {
    results,
    coverage: notChosen ? { ...coverage, total: migrations.length, appliedOnly: notChosen } : coverage,
  };
}

/**
 * `migrations` applied one at a time over the model's data, then the data at
 * the top; an up that fails over data is run again without it (a warning).
 */
async function upTo(
  driver: Migrator,
  model: DataModel,
  migrations: Migration[],
  target: string,
  opts: RollbackOptions,
  add: (...drafts: Draft[]) => void,
): Promise<UpPhase> {
  const beforeUp = new Map<string, unknown>();
  await driver.ensureBookkeeping();
  for (const m of migrations) {
    opts.progress?.(`${target}  up  ${m.id}`);
    const before = await model.beforeUp(m);
    if (failed(before)) {
      add({ check: "step.up", migration: m.id, status: "fail", message: before.failed });
      return { beforeUp, skipped: [], stopped: `not run: ${m.id} could not be seeded, head was not reached` };
    }
    beforeUp.set(m.id, before);
    let o = await applyStep(driver, m, "up");
    if (o.status !== "done" && !o.dirty && model.withoutData) {
      // Rolled back: the same schema, emptied of the data, takes the up again.
      opts.progress?.(`${target}  up  ${m.id} again, on empty tables`);
      const { blame } = await model.withoutData(m, o.error ?? "");
      const again = await applyStep(driver, m, "up");
      if (again.status === "done")
        add({
          check: "step.up",
          migration: m.id,
          status: "warn",
          message: overDataMessage(o.error, blame),
          durationMs: again.durationMs,
          details: { failsOverData: o.error },
        });
      o = again.status === "done" ? again : { ...again, error: `${again.error} (on empty tables too)` };
    }
    if (o.status !== "done") {
      add(stepFailed("step.up", m.id, o, "up failed"));
      return { beforeUp, skipped: [], stopped: `not run: ${m.id} failed to apply, head was not reached` };
    }
    await model.afterHeadUp(m);
  }
  return { beforeUp, skipped: await model.atHead() };
}
