// stairway data-test on one target, any store: production-sized data (N
// generated rows in every table as soon as a migration creates it, or each
// transform's seed), then every migration to head. Around each up, nothing
// may be lost (`data.integrity`): row counts, checksums of the columns the
// migration does not set out to change, foreign keys; keys and their TTLs.
// Fingerprints are computed in the database where it can, so this stays
// linear in rows and flat in memory.

import { appliesTo, type Migration } from "../plan/migration.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import type { Migrator } from "../stores/contract.ts";
import { failed, type Draft, type ModelOptions } from "./model.ts";
import { modelOf } from "./model-of.ts";

export async function runDataTest(
  driver: Migrator,
  target: string,
  all: Migration[],
  opts: ModelOptions,
): Promise<CheckResult[]> {
  const model = modelOf(driver, { ...opts, progress: (l) => opts.progress?.(`${target}  ${l}`) });
  const results: CheckResult[] = [];
  const add = (...drafts: Draft[]) => results.push(...drafts.map((d) => ({ target, ...d })));
  await driver.ensureBookkeeping();
  const t0 = performance.now();
  for (const m of all.filter((x) => appliesTo(x, driver.dialect))) {
    const before = await model.dataBefore(m);
    if (failed(before)) {
      add({ check: "data.integrity", migration: m.id, status: "fail", message: before.failed });
      return stopped(results, target, m, t0);
    }
    opts.progress?.(`${target}  ${m.id}  up`);
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      add({
        check: "data.integrity",
        migration: m.id,
        status: "fail",
        message: `up failed: ${up.error}`,
        durationMs: up.durationMs,
      });
      return stopped(results, target, m, t0);
    }
    const verdict = await model.dataAfter(m, before);
    add({ ...verdict, durationMs: up.durationMs, details: { ...verdict.details, upMs: up.durationMs } });
    add(...(await model.dataLoad(m, before)));
  }
  const summary = model.dataSummary(performance.now() - t0);
  if (summary) add(summary);
  return results;
}

function stopped(results: CheckResult[], target: string, m: Migration, t0: number): CheckResult[] {
  results.push({
    check: "data.integrity",
    target,
    status: "skip",
    message: `head not reached: stopped at ${m.id}`,
    durationMs: Math.round(performance.now() - t0),
  });
  return results;
}
