// The stairway test on one target, any store (README "What it checks"): for
// each migration, over data the model puts in place: snapshot → up → checks
// after up → more data → down → the state as before → up again; then all the
// way down. One pass, linear in the number of migrations: the chain is never
// replayed. What "data" and "the same state" mean is the model's (model.ts).

import type { Migration } from "../plan/migration.ts";
import { appliesTo } from "../plan/migration.ts";
import type { CheckResult } from "../results.ts";
import { applyStep, revertAll } from "../runner.ts";
import type { Migrator } from "../stores/contract.ts";
import { failed, type DataModel, type Draft, type ModelOptions } from "./model.ts";
import { modelOf } from "./model-of.ts";

export async function runStairway(driver: Migrator, target: string, all: Migration[], opts: ModelOptions): Promise<CheckResult[]> {
  const model = modelOf(driver, opts);
  const results: CheckResult[] = [];
  const add = (...drafts: Draft[]) => results.push(...drafts.map((d) => ({ target, ...d })));
  const order = stepChecks(model);
  const skip = (m: Migration, from: string, message: string) => add(...order.slice(order.indexOf(from)).map((check): Draft => ({ check, migration: m.id, status: "skip", message })));
  const base = await model.base();
  await driver.ensureBookkeeping();
  let stopped: string | null = null;
  const applied: Migration[] = [];

  for (const m of all.filter((x) => appliesTo(x, driver.dialect))) {
    if (stopped) {
      skip(m, "step.up", stopped);
      continue;
    }
    const say = (what: string) => opts.progress?.(`${target}  ${m.id}  ${what}`);
    say("seeding");
    const before = await model.prepare(m);
    if (failed(before)) {
      add({ check: "step.up", migration: m.id, status: "fail", message: before.failed });
      stopped = `not run: ${m.id} could not be seeded`;
      skip(m, order[1]!, stopped);
      continue;
    }

    say("up");
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      add({ check: "step.up", migration: m.id, status: "fail", message: up.error ?? "up failed", durationMs: up.durationMs });
      stopped = `not run: ${m.id} failed to apply`;
      skip(m, order[1]!, stopped);
      continue;
    }
    applied.push(m);
    const first = await model.observe(m);
    const checked = await model.afterUp(m, before.state, first);
    add({ check: "step.up", migration: m.id, status: "pass", message: checked.message, durationMs: up.durationMs }, ...checked.results);
    await model.enrich(m, before, first);

    say("down");
    const down = await applyStep(driver, m, "down");
    if (down.status !== "done") {
      add({ check: "step.down", migration: m.id, status: "fail", message: down.error ?? "down failed", durationMs: down.durationMs });
      skip(m, model.checks.restored[0]!, `not checked: the down of ${m.id} failed`);
      // A down that rolled back leaves the target as after up: the next step can run.
      if (down.dirty) stopped = `not run: the down of ${m.id} failed halfway and did not roll back`;
      continue;
    }
    applied.pop();
    add({ check: "step.down", migration: m.id, status: "pass", message: "reverted", durationMs: down.durationMs });
    add(...(await model.restored(m, before, await model.observe(m))));

    say("redo");
    const redo = await model.redo(m, before.state, first, () => applyStep(driver, m, "up"));
    if (redo.outcome.status !== "done") {
      add({ check: "step.redo", migration: m.id, status: "fail", message: redo.outcome.error ?? "up failed the second time", durationMs: redo.outcome.durationMs });
      add(...redo.results);
      stopped = `not run: ${m.id} could not be applied again`;
      continue;
    }
    applied.push(m);
    add(...redo.results);
  }

  add(await downToBase(driver, model, applied, base, opts));
  return results;
}

/** The checks of one migration, in the order the stairway reports them. */
function stepChecks(model: DataModel): string[] {
  const { afterUp, restored, redo } = model.checks;
  return ["step.up", ...afterUp, "step.down", ...restored, "step.redo", ...redo];
}

async function downToBase(driver: Migrator, model: DataModel, applied: Migration[], base: unknown, opts: ModelOptions): Promise<Draft> {
  const t0 = performance.now();
  const stopped = await revertAll(driver, applied, opts.progress);
  const durationMs = Math.round(performance.now() - t0);
  if (stopped) return { check: "step.down-to-base", status: "fail", message: stopped, durationMs };
  const problems = await model.leftAtBase(base);
  return {
    check: "step.down-to-base",
    status: problems.length ? "fail" : "pass",
    message: problems.length ? `left behind after every down: ${problems.join("; ")}` : `${applied.length} migrations reverted, nothing left but ${model.bookkeeping}`,
    durationMs,
  };
}
