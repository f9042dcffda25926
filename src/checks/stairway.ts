// The stairway test on one SQL target (DESIGN.md "What the step checks mean"):
// for each migration, over generated rows: snapshot → up → integrity → more
// rows → down → schema and rows as before → up again; then all the way down.
// One pass, linear in the number of migrations: the chain is never replayed.

import type { SqlDriver } from "../drivers/driver.ts";
import { seedTables } from "../data/generator.ts";
import { insertFixture, type Fixture } from "../data/fixtures.ts";
import { compareRows, describeLoss, snapshotRows } from "../data/rows.ts";
import { appliesTo, fileFor, versionKey, type Migration } from "../plan/migration.ts";
import { diffSchemas, formatDiffs } from "../schema/diff.ts";
import type { Schema } from "../schema/model.ts";
import { schemaObjects } from "../schema/render.ts";
import type { CheckResult } from "../results.ts";
import { applyStep, revertAll } from "../runner.ts";
import { stepScope } from "./scope.ts";
import { plural } from "../plural.ts";

export interface StairwayOptions {
  rowsPerTable: number;
  seed: number;
  fixtures: Fixture[];
  progress?: (line: string) => void;
}

const STEP_CHECKS = ["step.up", "step.integrity", "step.down", "step.down-restores-schema", "step.data-preserved", "step.redo"] as const;

export async function runStairway(driver: SqlDriver, target: string, all: Migration[], opts: StairwayOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: Omit<CheckResult, "target">) => results.push({ target, ...r });
  const migrations = all.filter((m) => appliesTo(m, driver.dialect));
  const counters = new Map<string, number>();
  const base = await driver.introspect();
  let triggersExist = base.triggers.length > 0;
  await driver.ensureBookkeeping();
  let stopped: string | null = null;
  const applied: Migration[] = [];

  for (const m of migrations) {
    if (stopped) {
      for (const check of STEP_CHECKS) add({ check, migration: m.id, status: "skip", message: stopped });
      continue;
    }
    const say = (what: string) => opts.progress?.(`${target}  ${m.id}  ${what}`);

    // Only the tables this step can touch are read (scope.ts): linear, not quadratic, in the tree.
    const scope = await stepScope(driver, m, triggersExist);
    say("seeding");
    const s0 = await driver.introspect(scope);
    const seeded = await seedTables(driver, s0, { rowsPerTable: opts.rowsPerTable, seed: opts.seed, counters });
    const rows0 = await snapshotRows(driver, s0);

    say("up");
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      add({ check: "step.up", migration: m.id, status: "fail", message: up.error ?? "up failed", durationMs: up.durationMs });
      stopped = `not run: ${m.id} failed to apply`;
      for (const check of STEP_CHECKS.slice(1)) add({ check, migration: m.id, status: "skip", message: stopped });
      continue;
    }
    applied.push(m);
    add({ check: "step.up", migration: m.id, status: "pass", message: "applied", durationMs: up.durationMs });

    const s1 = await driver.introspect(scope);
    const fk = await driver.foreignKeyViolations(s1);
    add({
      check: "step.integrity",
      migration: m.id,
      status: fk.length ? "fail" : "pass",
      message: fk.length
        ? fk.map((v) => `${plural(v.rows, "row")} of ${v.table} point${v.rows === 1 ? "s" : ""} at no row of ${v.parent}`).join("; ")
        : "foreign keys hold",
      ...(fk.length ? { details: { violations: fk } } : {}),
    });

    for (const f of opts.fixtures.filter((f) => f.version !== undefined && versionKey(f.version) === m.key)) await insertFixture(driver, s1, f);
    const changed = changedTables(s0, s1);
    const more = await seedTables(driver, s1, {
      rowsPerTable: opts.rowsPerTable,
      seed: opts.seed,
      counters,
      extra: new Map([...changed].map((t) => [t, Math.ceil(opts.rowsPerTable / 2)])),
    });
    const skipped = [...seeded.skipped, ...more.skipped.filter((s) => !seeded.skipped.some((x) => x.table === s.table))];

    say("down");
    const down = await applyStep(driver, m, "down");
    if (down.status !== "done") {
      add({ check: "step.down", migration: m.id, status: "fail", message: down.error ?? "down failed", durationMs: down.durationMs });
      const why = `not checked: the down of ${m.id} failed`;
      for (const check of ["step.down-restores-schema", "step.data-preserved", "step.redo"]) add({ check, migration: m.id, status: "skip", message: why });
      if (down.dirty) stopped = `not run: the down of ${m.id} failed halfway outside a transaction`;
      continue; // a transactional down rolled back: the target is as after up, the next step can run
    }
    applied.pop();
    add({ check: "step.down", migration: m.id, status: "pass", message: "reverted", durationMs: down.durationMs });

    const s2 = await driver.introspect(scope);
    const schemaDiff = diffSchemas(s0, s2, ["before up", "after down"]);
    add({
      check: "step.down-restores-schema",
      migration: m.id,
      status: schemaDiff.length ? "fail" : "pass",
      message: schemaDiff.length
        ? `after down the schema differs from before up: ${schemaDiff.flatMap((d) => d.summary).join("; ")}`
        : "schema after down equals schema before up",
      ...(schemaDiff.length ? { details: { diff: formatDiffs(schemaDiff) } } : {}),
    });

    const lossy = fileFor(m, "down", driver.dialect)?.directives.lossy ?? [];
    const losses = await compareRows(driver, rows0, s0, s2, lossy);
    add(dataResult("step.data-preserved", m.id, losses, lossy.length > 0, skipped, countRows(rows0)));

    say("redo");
    const redo = await applyStep(driver, m, "up");
    if (redo.status !== "done") {
      add({ check: "step.redo", migration: m.id, status: "fail", message: redo.error ?? "up failed the second time", durationMs: redo.durationMs });
      stopped = `not run: ${m.id} could not be applied again`;
      continue;
    }
    applied.push(m);
    const s3 = await driver.introspect(scope);
    triggersExist = s3.triggers.length > 0;
    const redoDiff = diffSchemas(s1, s3, ["first up", "second up"]);
    add({
      check: "step.redo",
      migration: m.id,
      status: redoDiff.length ? "fail" : "pass",
      message: redoDiff.length
        ? `up after down gives another schema: ${redoDiff.flatMap((d) => d.summary).join("; ")}`
        : "applied again, same schema",
      durationMs: redo.durationMs,
      ...(redoDiff.length ? { details: { diff: formatDiffs(redoDiff) } } : {}),
    });
  }

  results.push({ target, ...(await downToBase(driver, applied, base, opts)) });
  return results;
}

/** Tables an up created or changed (new columns get rows too). */
function changedTables(before: Schema, after: Schema): Set<string> {
  const tables = (s: Schema) =>
    new Map(schemaObjects(s, { canonical: true }).filter((o) => o.kind === "table").map((o) => [o.name, o.text]));
  const a = tables(before);
  return new Set([...tables(after)].filter(([name, text]) => a.get(name) !== text).map(([name]) => name));
}

function countRows(rows: Awaited<ReturnType<typeof snapshotRows>>): number {
  let n = 0;
  for (const t of rows.values()) n += t.rows.size;
  return n;
}

export function dataResult(
  check: string,
  migration: string,
  losses: Awaited<ReturnType<typeof compareRows>>,
  hasLossy: boolean,
  skipped: { table: string; reason: string }[],
  rows: number,
): Omit<CheckResult, "target"> {
  const undeclared = losses.filter((l) => !l.declared);
  const declared = losses.filter((l) => l.declared);
  const skipNote = skipped.length ? ` (no generated rows for ${skipped.map((s) => `${s.table}: ${s.reason}`).join("; ")})` : "";
  const details: Record<string, unknown> = {};
  if (losses.length) details.losses = losses;
  if (declared.length) details.declaredLoss = declared.map(describeLoss);
  if (skipped.length) details.skippedTables = skipped;
  const withDetails = Object.keys(details).length ? { details } : {};
  if (undeclared.length)
    return { check, migration, status: "fail", message: undeclared.map(describeLoss).join("; ") + skipNote, ...withDetails };
  if (declared.length)
    return { check, migration, status: "warn", message: `declared loss (stairway:lossy): ${declared.map(describeLoss).join("; ")}${skipNote}`, ...withDetails };
  if (rows === 0 && skipped.length)
    return { check, migration, status: "skip", message: `no rows to check${skipNote}`, ...withDetails };
  return {
    check,
    migration,
    status: "pass",
    message: `${plural(rows, "row")} kept${hasLossy ? " (nothing lost that the lossy directive allows)" : ""}${skipNote}`,
    ...withDetails,
  };
}

async function downToBase(driver: SqlDriver, applied: Migration[], base: Schema, opts: StairwayOptions): Promise<Omit<CheckResult, "target">> {
  const t0 = performance.now();
  const stopped = await revertAll(driver, applied, opts.progress);
  if (stopped) return { check: "step.down-to-base", status: "fail", message: stopped, durationMs: Math.round(performance.now() - t0) };
  const end = await driver.introspect();
  const left = diffSchemas(base, end, ["base", "after all downs"]);
  const rest = (await driver.applied()).length;
  const problems = [...left.flatMap((d) => d.summary), ...(rest ? [`${plural(rest, "version")} still recorded in stairway_migrations`] : [])];
  return {
    check: "step.down-to-base",
    status: problems.length ? "fail" : "pass",
    message: problems.length ? `left behind after every down: ${problems.join("; ")}` : `${plural(applied.length, "migration")} reverted, nothing left but the bookkeeping table`,
    durationMs: Math.round(performance.now() - t0),
    ...(left.length ? { details: { diff: formatDiffs(left) } } : {}),
  };
}
