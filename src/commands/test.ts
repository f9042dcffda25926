// stairway test: the stairway on a scratch copy of every target.

import { runStairway } from "../checks/stairway.ts";
import { configFixtures } from "../data/fixtures.ts";
import { StairwayError, type ExitCode } from "../errors.ts";
import { problemResults, type Plan } from "../plan/migration.ts";
import { renderStairway } from "../report/console.ts";
import type { CheckResult, Coverage } from "../results.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { finish, progress, withSession } from "./common.ts";

/** Tree problems become results; those that make the order itself unknowable stop the command. */
export function treeResults(session: Session, t: Target): { plan: Plan; results: CheckResult[] } {
  const plan = session.plan(t);
  const fatal = plan.problems.filter((p) => p.blocking && p.check !== "files.missing-down");
  if (fatal.length)
    throw new StairwayError("E_TREE", fatal[0]!.message, { more: fatal.slice(1).map((p) => p.message) });
  return { plan, results: problemResults(plan, t.name) };
}

export default async function testCommand(flags: GlobalFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    for (const t of targets) treeResults(session, t); // every tree checked before the first scratch database is made
    const fixtures = configFixtures(session.config);
    const say = progress(session);
    const results: CheckResult[] = [];
    const coverage: Record<string, Coverage> = {};
    for (const t of targets) {
      const { plan, results: tree } = treeResults(session, t);
      results.push(...tree);
      say(`${t.name}: preparing a scratch database`);
      const { driver } = await session.scratch(t, "", "test");
      let rebuilt = 0;
      const run = await runStairway(driver, t.name, plan.migrations, {
        rows: session.config.test.rows,
        seed: session.config.test.seed,
        fixtures,
        progress: say,
        rebuild: async (prefix) => (await session.atVersion(t, prefix, `r${++rebuilt}`, "test")).driver,
      });
      results.push(...run.results);
      coverage[t.name] = run.coverage;
      say("");
    }
    return finish(session, {
      command: "test",
      targets,
      results,
      coverage,
      junit: true,
      render: (r) => renderStairway(r.results, r.targets, "stairway test"),
    });
  });
}
