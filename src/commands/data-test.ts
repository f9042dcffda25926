// stairway data-test [--rows N]: every migration over production-sized tables.

import { runDataTest } from "../checks/data-test.ts";
import { usageError, type ExitCode } from "../errors.ts";
import { renderMatrixSimple } from "../report/simple-console.ts";
import type { CheckResult } from "../results.ts";
import type { GlobalFlags } from "../session.ts";
import { finish, progress, withSession } from "./common.ts";
import { plural } from "../plural.ts";

export default async function dataTestCommand(flags: GlobalFlags & { rows?: unknown }): Promise<ExitCode> {
  const rows = flags.rows === undefined ? 10_000 : Number(flags.rows);
  if (!(Number.isInteger(rows) && rows > 0)) throw usageError(`--rows ${flags.rows}: expected a positive whole number`);
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const say = progress(session);
    const results: CheckResult[] = [];
    for (const t of targets) {
      const plan = session.runnablePlan(t);
      say(`${t.name}: preparing a scratch database`);
      const { driver } = await session.scratch(t, "data", "data-test");
      results.push(
        ...(await runDataTest(driver, t.name, plan.migrations, {
          rows,
          keys: rows,
          seed: session.config.test.seed,
          fixtures: [],
          progress: say,
        })),
      );
    }
    say("");
    return finish(session, {
      command: "data-test",
      targets,
      results,
      junit: true,
      render: (r) => renderMatrixSimple(`stairway data-test · ${plural(rows, "row")} per table`, r.results),
    });
  });
}
