// stairway cross-db: the SQL targets' schemas and behaviour, compared.

import { runCrossDb, type CrossDbTarget } from "../checks/cross-db.ts";
import { usageError, type ExitCode } from "../errors.ts";
import { renderCrossDb } from "../report/cross-db-console.ts";
import { compileEquivalences } from "../schema/equivalences.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { isSqlDialect, STORES } from "../stores/dialects.ts";
import { appliesTo, compareVersions, type Plan } from "../plan/migration.ts";
import { finish, progress, withSession } from "./common.ts";
import { Selector, type SelectionFlags } from "./selection.ts";
import { byVersions, type TargetSelection } from "../plan/selection.ts";
import type { CheckResult } from "../results.ts";
import type { SqlDriver } from "../stores/contract.ts";

/**
 * The versions cross-db goes through and compares after, from each target's
 * selection: a shard's slice and --since are the reference's (the first
 * target); --since-git, every version changed on any target.
 */
function versionRange(
  sels: TargetSelection[],
  plans: Plan[],
): { run: Set<string>; compareAt: Set<string>; results: CheckResult[] } {
  const keyOf = new Map(plans.flatMap((p) => p.migrations.map((m) => [m.id, m.key] as const)));
  const ref = sels[0]!;
  // A shard's slice is cut on the reference; the other targets go through the same versions.
  const compareAt = new Set((ref.slice ? [ref] : sels).flatMap((s) => [...s.checked].map((id) => keyOf.get(id)!)));
  const union = [...new Set(plans.flatMap((p) => p.migrations.filter((m) => m.store === "sql").map((m) => m.key)))];
  const ordered = union.sort(compareVersions);
  const firstIdx = ordered.findIndex((k) => compareAt.has(k));
  const last = ref.after.length && ref.run.length ? ref.run.at(-1)!.key : undefined;
  const lastIdx = last ? ordered.indexOf(last) : ordered.length - 1;
  const run = new Set(firstIdx < 0 ? [] : ordered.slice(firstIdx, lastIdx + 1));
  return { run, compareAt, results: sels.flatMap((s) => s.results) };
}

/**
 * The reference first: --reference, else the config's, else the first target
 * of the dialect listed first in the registry (PostgreSQL: the richest types).
 */
export function orderTargets(targets: Target[], reference: string | undefined): Target[] {
  const rank = (t: Target) => STORES.findIndex((s) => s.dialect === t.dialect);
  const ref = reference ? targets.find((t) => t.name === reference) : [...targets].sort((a, b) => rank(a) - rank(b))[0];
  if (reference && !ref)
    throw usageError(
      `reference target ${reference} is not among the targets (${targets.map((t) => t.name).join(", ")})`,
    );
  return [ref!, ...targets.filter((t) => t !== ref)];
}

export default async function crossDbCommand(
  flags: GlobalFlags & SelectionFlags & { eachStep?: boolean; reference?: string },
): Promise<ExitCode> {
  return withSession(flags, async (session: Session) => {
    const sql = session.targets(false).filter((t) => isSqlDialect(t.dialect));
    if (sql.length < 2)
      throw usageError(
        `cross-db compares two or more SQL targets; got ${sql.length} (configure more databases, or pass --db twice)`,
      );
    const targets = orderTargets(sql, flags.reference ?? session.config.cross_db.reference);
    const selector = new Selector(session, flags, "cross-db");
    if (selector.active && !flags.eachStep)
      throw usageError(
        "--since, --since-git and --shard go with cross-db --each-step (without it, cross-db compares the targets at head only)",
      );
    const plans = targets.map((t) => session.runnablePlan(t));
    const range = selector.active
      ? versionRange(
          targets.map((t, i) => selector.select(t, plans[i]!)),
          plans,
        )
      : undefined;
    const say = progress(session);
    const prepared: CrossDbTarget[] = [];
    const selected: CheckResult[] = [];
    for (const [i, t] of targets.entries()) {
      const plan = plans[i]!;
      say(`${t.name}: creating a scratch database`);
      let driver: SqlDriver;
      if (range) {
        const sel = byVersions(
          plan.migrations.filter((m) => appliesTo(m, t.dialect)),
          range.run,
          range.compareAt,
        );
        selected.push(...range.results.filter((r) => r.target === t.name));
        driver = (await selector.scratch(t, sel, "xdb", { progress: say })).driver as SqlDriver;
      } else driver = (await session.scratch(t, "xdb", "cross-db")).driver;
      prepared.push({
        name: t.name,
        driver,
        migrations: plan.migrations,
        tree: session.flags.sql ?? t.migrations ?? session.config.migrations.sql,
      });
    }
    const run = await runCrossDb(prepared, {
      eachStep: !!flags.eachStep,
      rules: compileEquivalences(session.config.cross_db.types),
      expected: session.config.cross_db.expected,
      seed: session.config.test.seed,
      progress: say,
      ...(range ? { range } : {}),
    });
    say("");
    return finish(session, {
      command: "cross-db",
      targets,
      results: [...selected, ...run.results],
      ...(run.coverage ? { coverage: run.coverage } : {}),
      ...selector.report(),
      render: (r) => renderCrossDb(r.results, r.targets),
    });
  });
}
