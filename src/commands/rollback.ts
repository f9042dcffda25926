// stairway rollback [--last K]: roll back the newest migrations over real data.

import { runRollback } from "../checks/rollback.ts";
import { configFixtures } from "../data/fixtures.ts";
import { usageError, type ExitCode } from "../errors.ts";
import { renderRollback } from "../report/console.ts";
import type { CheckResult } from "../results.ts";
import type { GlobalFlags } from "../session.ts";
import { finish, progress, withSession } from "./common.ts";
import { treeResults } from "./test.ts";

export default async function rollbackCommand(flags: GlobalFlags & { last?: unknown }): Promise<ExitCode> {
  const last = flags.last === undefined ? undefined : Number(flags.last);
  if (last !== undefined && !(Number.isInteger(last) && last > 0))
    throw usageError(`--last ${flags.last}: expected a positive whole number`);
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const fixtures = configFixtures(session.config);
    const say = progress(session);
    const results: CheckResult[] = [];
    for (const t of targets) {
      const { plan, results: tree } = treeResults(session, t);
      results.push(...tree);
      const { driver } = await session.scratch(t, "", "rollback");
      const rows = Math.max(session.config.test.rows, 50);
      results.push(
        ...(await runRollback(driver, t.name, plan.migrations, {
          last,
          rows,
          keys: session.config.test.rows * 50,
          seed: session.config.test.seed,
          fixtures,
          progress: say,
        })),
      );
      say("");
    }
    return finish(session, {
      command: "rollback",
      targets,
      results,
      junit: true,
      render: (r) => renderRollback(r.results, r.targets),
    });
  });
}
