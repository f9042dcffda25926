// stairway cross-db: the SQL targets' schemas and behaviour, compared.

import { runCrossDb, type CrossDbTarget } from "../checks/cross-db.ts";
import { usageError, type ExitCode } from "../errors.ts";
import { renderCrossDb } from "../report/cross-db-console.ts";
import { compileEquivalences } from "../schema/equivalences.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { isSqlDialect, STORES } from "../stores/dialects.ts";
import { finish, progress, withSession } from "./common.ts";

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
  flags: GlobalFlags & { eachStep?: boolean; reference?: string },
): Promise<ExitCode> {
  return withSession(flags, async (session: Session) => {
    const sql = session.targets(false).filter((t) => isSqlDialect(t.dialect));
    if (sql.length < 2)
      throw usageError(
        `cross-db compares two or more SQL targets; got ${sql.length} (configure more databases, or pass --db twice)`,
      );
    const targets = orderTargets(sql, flags.reference ?? session.config.cross_db.reference);
    const say = progress(session);
    const prepared: CrossDbTarget[] = [];
    for (const t of targets) {
      const plan = session.runnablePlan(t);
      say(`${t.name}: creating a scratch database`);
      const { driver } = await session.scratch(t, "xdb", "cross-db");
      prepared.push({
        name: t.name,
        driver,
        migrations: plan.migrations,
        tree: session.flags.sql ?? t.migrations ?? session.config.migrations.sql,
      });
    }
    const results = await runCrossDb(prepared, {
      eachStep: !!flags.eachStep,
      rules: compileEquivalences(session.config.cross_db.types),
      expected: session.config.cross_db.expected,
      seed: session.config.test.seed,
      progress: say,
    });
    say("");
    return finish(session, {
      command: "cross-db",
      targets,
      results,
      render: (r) => renderCrossDb(r.results, r.targets),
    });
  });
}
