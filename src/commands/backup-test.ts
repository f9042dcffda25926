// stairway backup-test: a backup before each migration restores exactly.

import { runBackupTest } from "../checks/backup.ts";
import type { ExitCode } from "../errors.ts";
import { renderMatrixSimple } from "../report/simple-console.ts";
import type { CheckResult } from "../results.ts";
import type { GlobalFlags } from "../session.ts";
import { finish, forEachTarget, progress, withSession } from "./common.ts";
import { Selector, type SelectionFlags } from "./selection.ts";

export default async function backupTestCommand(flags: GlobalFlags & SelectionFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const selector = new Selector(session, flags, "backup-test");
    const selections = targets.map((t) => selector.select(t, session.runnablePlan(t)));
    const say = progress(session);
    const perTarget = await forEachTarget(targets, async (t, i) => {
      const sel = selections[i]!;
      say(`${t.name}: preparing a scratch database`);
      const scratch = await selector.scratch(t, sel, "bak", { progress: say });
      const { rows, seed } = session.config.test;
      const run = await runBackupTest(scratch.driver, t.name, sel.run, {
        rows,
        seed,
        fixtures: [],
        scratch,
        checked: sel.checked,
        progress: say,
      });
      return [...sel.results, ...run];
    });
    const results: CheckResult[] = perTarget.flat();
    say("");
    return finish(session, {
      command: "backup-test",
      targets,
      results,
      ...selector.report(),
      junit: true,
      render: (r) => renderMatrixSimple("stairway backup-test", r.results),
    });
  });
}
