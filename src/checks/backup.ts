// stairway backup-test on one target, any store: before each migration, over
// data the model puts in place, a backup taken the way an operator would
// (SQLite VACUUM INTO; PostgreSQL pg_dump, else CREATE DATABASE … TEMPLATE;
// Redis DUMP with PTTL) must restore exactly the state before — and the
// restored copy must take the migration again.

import { appliesTo, type Migration } from "../plan/migration.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import type { Migrator, ScratchRef } from "../stores/contract.ts";
import { failed, type Draft, type ModelOptions, stepFailed } from "./model.ts";
import { modelOf } from "./model-of.ts";

export async function runBackupTest(
  driver: Migrator,
  target: string,
  all: Migration[],
  opts: ModelOptions & {
    scratch: ScratchRef;
    /** Ids of the migrations to check; the others are only applied on the way. All when absent. */
    checked?: Set<string>;
  },
): Promise<CheckResult[]> {
  const model = modelOf(driver, opts);
  const results: CheckResult[] = [];
  const add = (d: Draft) => results.push({ target, ...d });
  await driver.ensureBookkeeping();
  let step = 0;
  for (const m of all.filter((x) => appliesTo(x, driver.dialect))) {
    if (opts.checked && !opts.checked.has(m.id)) {
      const o = await applyStep(driver, m, "up");
      if (o.status === "done") continue;
      add(stepFailed("step.up", m.id, o, "up failed"));
      break;
    }
    step++;
    const say = (what: string) => opts.progress?.(`${target}  ${m.id}  ${what}`);
    say("seeding");
    const before = await model.prepare(m, { whole: true });
    if (failed(before)) {
      add({ check: "backup.restore-identical", migration: m.id, status: "fail", message: before.failed });
      break;
    }
    say("backup");
    const backup = await model.backup(m, step);
    try {
      say("up");
      const up = await applyStep(driver, m, "up");
      if (up.status !== "done") {
        add(stepFailed("step.up", m.id, up, "up failed"));
        break;
      }
      say("restore");
      let again: Awaited<ReturnType<typeof applyStep>> | undefined;
      try {
        const restored = await backup.restore();
        try {
          const same = await model.sameAsBefore(before, restored);
          again = await applyStep(restored.driver, m, "up");
          const problems = [
            ...same.problems,
            ...(again.status === "done" ? [] : [`the restored copy does not take ${m.id} again: ${again.error}`]),
          ];
          add({
            check: "backup.restore-identical",
            migration: m.id,
            status: problems.length ? "fail" : "pass",
            message: problems.length
              ? `the backup taken before ${m.id} does not restore what was there: ${problems.join("; ")}`
              : `${backup.method}: ${same.summary} (backup ${backup.backupMs} ms, restore ${restored.restoreMs} ms), and ${m.id} applies again`,
            durationMs: backup.backupMs + restored.restoreMs,
            details: {
              method: backup.method,
              backupMs: backup.backupMs,
              restoreMs: restored.restoreMs,
              ...same.details,
            },
          });
        } finally {
          await restored.dispose();
        }
      } catch (e) {
        add({
          check: "backup.restore-identical",
          migration: m.id,
          status: "fail",
          message: `restore failed: ${(e as Error).message}`,
        });
      }
      // Restored in place (a store of keys), the target is the copy: one that did not migrate again ends the run.
      if (backup.inPlace && again?.status !== "done") break;
    } finally {
      await backup.dispose();
    }
  }
  return results;
}
