// The stairway test on one target, any store (README "What it checks"): for
// each migration, over data the model puts in place: snapshot → up → checks
// after up → more data → down → the state as before → up again; then all the
// way down. One pass, linear in the number of migrations: the chain is never
// replayed. What "data" and "the same state" mean is the model's (model.ts).
//
// It keeps going (README "Keep going"): a down or redo that fails is rolled
// back, or the state is rebuilt when it ran outside a transaction, and the
// next migration is checked; an up that fails over generated rows is run
// again without them, and passing then is a warning that names the data.
// Only an up that fails on empty tables stops the chain. Every run ends with
// its coverage: how many migrations were fully checked, and why not the rest.

import type { Migration } from "../plan/migration.ts";
import { appliesTo, versionKey } from "../plan/migration.ts";
import type { CheckResult, Coverage } from "../results.ts";
import { applyStep, revertAll, type StepOutcome } from "../runner.ts";
import type { Migrator } from "../stores/contract.ts";
import { failed, type DataModel, type Draft, type ModelOptions, stepFailed } from "./model.ts";
import { modelOf } from "./model-of.ts";
import { plural } from "../plural.ts";
import { overDataMessage } from "./data-blame.ts";

export interface StairwayOptions extends ModelOptions {
  /**
   * Ids of the migrations to check (--since-git: the new and changed ones);
   * the others are only applied on the way (ups, nothing checked). All when absent.
   */
  checked?: Set<string>;
  /**
   * A fresh target with `prefix` applied (ups only, nothing checked), for
   * going on after a step that failed outside a transaction left the target
   * in a state nobody knows.
   */
  rebuild?: (prefix: Migration[]) => Promise<Migrator>;
}

export async function runStairway(
  first: Migrator,
  target: string,
  all: Migration[],
  opts: StairwayOptions,
): Promise<{ results: CheckResult[]; coverage: Coverage; costs: Map<string, number> }> {
  let driver = first;
  let model = modelOf(driver, opts);
  const results: CheckResult[] = [];
  const add = (...drafts: Draft[]) => results.push(...drafts.map((d) => ({ target, ...d })));
  const order = stepChecks(model);
  const skip = (m: Migration, from: string, message: string) =>
    add(
      ...order.slice(order.indexOf(from)).map((check): Draft => ({ check, migration: m.id, status: "skip", message })),
    );
  const migrations = all.filter((x) => appliesTo(x, driver.dialect));
  const base = await model.base();
  await driver.ensureBookkeeping();
  // A prefix applied before (--since, a shard) stays recorded at the end.
  const recorded = new Set((await driver.applied()).map((r) => versionKey(r.version)));
  /** Wall time of each checked migration, checks included: what --shard balances next time. */
  const costs = new Map<string, number>();
  const isChecked = (m: Migration) => !opts.checked || opts.checked.has(m.id);
  let stopped: string | null = null;
  const applied: Migration[] = [];
  /** After a failure outside a transaction: a fresh target at `prefix`, or the reason the chain stops. */
  const rebuild = async (prefix: Migration[], why: string): Promise<string | null> => {
    if (!opts.rebuild) return `not run: ${why}`;
    const at = prefix.at(-1)?.id ?? "the base";
    opts.progress?.(`${target}  rebuilding the state after ${at}`);
    try {
      driver = await opts.rebuild(prefix);
    } catch (e) {
      // The ups alone, without generated rows, can fail where the checked run passed (the up that only
      // passed on empty tables meets rows the tree inserted itself): the chain stops here, the run goes on.
      return `not run: ${why}, and rebuilding the state after ${at} failed: ${(e as Error).message}`;
    }
    model = modelOf(driver, opts);
    return null;
  };

  for (const m of migrations) {
    if (!isChecked(m)) {
      if (!stopped) stopped = await applyOnly(m);
      continue;
    }
    if (stopped) {
      skip(m, "step.up", stopped);
      continue;
    }
    const started = performance.now();
    try {
      await checkStep(m);
    } finally {
      costs.set(m.id, Math.round((performance.now() - started) * 10) / 10);
    }
  }

  /** A migration left out of the checks, applied on the way to the next checked one; why the chain stops when it fails. */
  async function applyOnly(m: Migration): Promise<string | null> {
    opts.progress?.(`${target}  ${m.id}  up (not checked)`);
    const o = await applyStep(driver, m, "up");
    model.schemaChanged?.();
    if (o.status === "done") {
      applied.push(m);
      return null;
    }
    add(stepFailed("step.up", m.id, o, "up failed"));
    return `not run: ${m.id}, applied on the way, failed`;
  }

  async function checkStep(m: Migration): Promise<void> {
    const say = (what: string) => opts.progress?.(`${target}  ${m.id}  ${what}`);
    say("seeding");
    let before = await model.prepare(m);
    if (failed(before)) {
      add({ check: "step.up", migration: m.id, status: "fail", message: before.failed });
      stopped = `not run: ${m.id} could not be seeded`;
      skip(m, order[1]!, stopped);
      return;
    }

    say("up");
    let up = await applyStep(driver, m, "up");
    let overData: { error?: string; blame?: string } | undefined;
    let lost: string | null = null;
    if (up.status !== "done" && model.withoutData) {
      // The same schema, emptied of the generated rows, takes the up again: rolled back, or, where it failed
      // halfway outside a transaction, on a fresh copy of the state before it (the rows that broke it are
      // read first, where they are, for the warning).
      let blame: string | undefined;
      if (up.dirty) {
        if (opts.rebuild) blame = (await model.withoutData(m, up.error ?? "")).blame;
        lost = await rebuild(applied, `${m.id} failed halfway outside a transaction`);
        if (lost === null) await model.prepare(m);
      }
      if (lost === null) {
        say("up again, on empty tables");
        const empty = await model.withoutData(m, up.error ?? "");
        const again = await applyStep(driver, m, "up");
        if (again.status === "done") {
          overData = { error: up.error, blame: blame ?? empty.blame };
          before = empty;
          up = again;
        } else up = { ...again, error: `${again.error} (on empty tables too)` };
      }
    }
    if (up.status !== "done") {
      add(stepFailed("step.up", m.id, up, "up failed"));
      stopped = `not run: ${m.id} failed to apply`;
      skip(m, order[1]!, stopped);
      // Halfway outside a transaction, what it left is nobody's: the way down to the base starts from a fresh copy.
      if (up.dirty)
        stopped = lost ?? (await rebuild(applied, `${m.id} failed halfway outside a transaction`)) ?? stopped;
      return;
    }
    applied.push(m);
    const after = await model.observe(m);
    const checked = await model.afterUp(m, before.state, after);
    add(
      overData
        ? {
            check: "step.up",
            migration: m.id,
            status: "warn",
            message: overDataMessage(overData.error, overData.blame),
            durationMs: up.durationMs,
            details: { failsOverData: overData.error, tables: model.filled() },
          }
        : { check: "step.up", migration: m.id, status: "pass", message: checked.message, durationMs: up.durationMs },
      ...checked.results,
    );
    if (m.irreversible) return; // no down: said once at the end
    // Over data the up fails on, the redo would fail again for the same rows (already the warning):
    // down and redo follow the up onto the emptied tables.
    if (!overData) await model.enrich(m, before, after);

    say("down");
    const down = await applyStep(driver, m, "down");
    if (down.status !== "done") {
      add(stepFailed("step.down", m.id, down, "down failed"));
      skip(m, model.checks.restored[0]!, `not checked: the down of ${m.id} failed`);
      // A down that rolled back leaves the target as after up: the next step can run.
      if (down.dirty) stopped = await rebuild(applied, `the down of ${m.id} failed halfway outside a transaction`);
      return;
    }
    applied.pop();
    add({ check: "step.down", migration: m.id, status: "pass", message: "reverted", durationMs: down.durationMs });
    add(...(await model.restored(m, before, await model.observe(m))));

    say("redo");
    const redo = await model.redo(m, before.state, after, () => applyStep(driver, m, "up"));
    add(...redoResults(m, redo.outcome, redo.results));
    if (redo.outcome.status !== "done") {
      // The target is as after down, or halfway: the next migration needs this one's up.
      stopped = await rebuild([...applied, m], `${m.id} could not be applied again`);
      if (!stopped) applied.push(m);
      return;
    }
    applied.push(m);
  }

  const noDown = migrations.filter((m) => m.irreversible);
  if (noDown.length)
    add({
      check: "step.down",
      status: "skip",
      message: `${noDown.length === migrations.length ? "the tree has no downs" : `${noDown.length} of ${migrations.length} migrations ${noDown.length === 1 ? "has" : "have"} no down`}: down, restore and redo checks do not apply to ${noDown.length === 1 ? "it" : "them"}`,
    });
  add(await downToBase(driver, model, applied, base, recorded, opts));
  return { results, coverage: coverageOf(migrations.filter(isChecked), results, target), costs };
}

/** Migrations whose every check ran (passed, failed or warned); the others, with the first reason one was skipped. */
export function coverageOf(migrations: Pick<Migration, "id">[], results: CheckResult[], target: string): Coverage {
  const untested: Coverage["untested"] = [];
  for (const m of migrations) {
    const skipped = results.find((r) => r.migration === m.id && r.status === "skip");
    if (skipped) untested.push({ migration: m.id, target, reason: skipped.message });
  }
  return { checked: migrations.length - untested.length, total: migrations.length, untested };
}

/** The checks of one migration, in the order the stairway reports them. */
function stepChecks(model: DataModel): string[] {
  const { afterUp, restored, redo } = model.checks;
  return ["step.up", ...afterUp, "step.down", ...restored, "step.redo", ...redo];
}

/** step.redo when the up failed the second time, then the model's own. */
function redoResults(m: Migration, o: StepOutcome, own: Draft[]): Draft[] {
  if (o.status === "done") return own;
  return [stepFailed("step.redo", m.id, o, "up failed the second time"), ...own];
}

async function downToBase(
  driver: Migrator,
  model: DataModel,
  applied: Migration[],
  base: unknown,
  recorded: Set<string>,
  opts: ModelOptions,
): Promise<Draft> {
  const t0 = performance.now();
  const last = applied.findLastIndex((m) => m.irreversible);
  if (last >= 0) {
    const stopped = await revertAll(driver, applied.slice(last + 1), opts.progress);
    return {
      check: "step.down-to-base",
      status: stopped ? "fail" : "skip",
      message: stopped ?? `the tree cannot go back to its base: ${applied[last]!.id} has no down`,
      durationMs: Math.round(performance.now() - t0),
    };
  }
  const stopped = await revertAll(driver, applied, opts.progress);
  const durationMs = Math.round(performance.now() - t0);
  if (stopped) return { check: "step.down-to-base", status: "fail", message: stopped, durationMs };
  const problems = await model.leftAtBase(base, recorded);
  return {
    check: "step.down-to-base",
    status: problems.length ? "fail" : "pass",
    message: problems.length
      ? `left behind after every down: ${problems.join("; ")}`
      : recorded.size
        ? `${plural(applied.length, "migration")} reverted, back to the ${plural(recorded.size, "migration")} applied before them`
        : `${plural(applied.length, "migration")} reverted, nothing left but ${model.bookkeeping}`,
    durationMs,
  };
}
