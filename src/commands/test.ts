// stairway test: the stairway on a scratch copy of every target.

import { runStairway } from "../checks/stairway.ts";
import { configFixtures } from "../data/fixtures.ts";
import { StairwayError, type ExitCode } from "../errors.ts";
import { problemResults, type Plan } from "../plan/migration.ts";
import { renderStairway } from "../report/console.ts";
import type { CheckResult, Coverage } from "../results.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { finish, forEachTarget, progress, withSession } from "./common.ts";
import { Selector, type SelectionFlags } from "./selection.ts";

/** Tree problems become results; those that make the order itself unknowable stop the command. */
export function treeResults(session: Session, t: Target): { plan: Plan; results: CheckResult[] } {
  const plan = session.plan(t);
  const fatal = plan.problems.filter((p) => p.blocking && p.check !== "files.missing-down");
  if (fatal.length)
    throw new StairwayError("E_TREE", fatal[0]!.message, { more: fatal.slice(1).map((p) => p.message) });
  return { plan, results: problemResults(plan, t.name) };
}

export default async function testCommand(flags: GlobalFlags & SelectionFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const selector = new Selector(session, flags, "test");
    // Every tree (and every selection: a git ref that does not exist) checked before the first scratch database is made.
    const selections = targets.map((t) => selector.select(t, treeResults(session, t).plan));
    const fixtures = configFixtures(session.config);
    const say = progress(session);
    const results: CheckResult[] = [];
    const coverage: Record<string, Coverage> = {};
    const stepMs: Record<string, Record<string, number>> = {};
    const runs = await forEachTarget(targets, async (t, i) => {
      const { results: tree } = treeResults(session, t);
      const sel = selections[i]!;
      say(`${t.name}: preparing a scratch database`);
      const { driver } = await selector.scratch(t, sel, "", { progress: say });
      let rebuilt = 0;
      const run = await runStairway(driver, t.name, sel.run, {
        rows: session.config.test.rows,
        seed: session.config.test.seed,
        fixtures,
        progress: say,
        checked: sel.checked,
        rebuild: async (applied) =>
          (
            await session.atVersion(t, [...sel.prefix, ...applied], `r${++rebuilt}`, "test", {
              cached: sel.prefix.length,
            })
          ).driver,
      });
      return {
        results: [...tree, ...sel.results, ...run.results],
        coverage: selector.coverage(run.coverage, sel),
        costs: run.costs,
      };
    });
    say("");
    for (const [i, t] of targets.entries()) {
      results.push(...runs[i]!.results);
      coverage[t.name] = runs[i]!.coverage;
      stepMs[t.name] = Object.fromEntries(runs[i]!.costs);
    }
    return finish(session, {
      command: "test",
      targets,
      results,
      coverage,
      ...selector.report(),
      stepMs,
      junit: true,
      render: (r) => renderStairway(r.results, r.targets, "stairway test"),
    });
  });
}
