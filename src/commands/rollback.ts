// stairway rollback [--last K]: roll back the newest migrations over real data.

import { runRollback } from "../checks/rollback.ts";
import { configFixtures } from "../data/fixtures.ts";
import { usageError, type ExitCode } from "../errors.ts";
import { renderRollback } from "../report/console.ts";
import type { CheckResult, Coverage } from "../results.ts";
import type { GlobalFlags } from "../session.ts";
import { isSqlDialect } from "../stores/dialects.ts";
import { finish, forEachTarget, progress, withSession } from "./common.ts";
import { Selector, type SelectionFlags } from "./selection.ts";
import { treeResults } from "./test.ts";

export default async function rollbackCommand(
  flags: GlobalFlags & SelectionFlags & { last?: unknown },
): Promise<ExitCode> {
  const last = flags.last === undefined ? undefined : Number(flags.last);
  if (last !== undefined && !(Number.isInteger(last) && last > 0))
    throw usageError(`--last ${flags.last}: expected a positive whole number`);
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    // Rolling back starts at head (so it takes no --shard): the whole tree goes up, fixtures at their
    // versions, and --since or --since-git picks how far back it rolls.
    const selector = new Selector(session, flags, "rollback");
    if (selector.active && last !== undefined)
      throw usageError("--last and --since or --since-git cannot be used together: pick one");
    const selections = targets.map((t) => selector.select(t, treeResults(session, t).plan));
    const fixtures = configFixtures(session.config);
    const say = progress(session);
    const perTarget = await forEachTarget(targets, async (t, i) => {
      const { plan, results: tree } = treeResults(session, t);
      const sel = selections[i]!;
      selector.note(t, sel, { migrations: sel.prefix.length, from: "applied", ms: 0 });
      const { driver } = await session.scratch(t, "", "rollback");
      const rows = Math.max(session.config.test.rows, 50);
      let rebuilt = 0;
      const run = await runRollback(driver, t.name, plan.migrations, {
        last: selector.active ? sel.run.length : last,
        rows,
        keys: session.config.test.rows * 50,
        seed: session.config.test.seed,
        fixtures,
        progress: say,
        // A Redis target's scratch is its one logical database: there is no second one to start again in.
        ...(isSqlDialect(t.dialect)
          ? { fresh: async () => (await session.scratch(t, `r${++rebuilt}`, "rollback")).driver }
          : {}),
      });
      return { results: [...tree, ...sel.results, ...run.results], coverage: run.coverage };
    });
    const results: CheckResult[] = perTarget.flatMap((r) => r.results);
    const coverage: Record<string, Coverage> = Object.fromEntries(
      targets.map((t, i) => [t.name, perTarget[i]!.coverage]),
    );
    say("");
    return finish(session, {
      command: "rollback",
      targets,
      results,
      coverage,
      ...selector.report(),
      junit: true,
      render: (r) => renderRollback(r.results, r.targets),
    });
  });
}
