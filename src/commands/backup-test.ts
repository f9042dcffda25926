// stairway backup-test: a backup before each migration restores exactly.

import { runBackupTest } from "../checks/backup.ts";
import type { ExitCode } from "../errors.ts";
import { renderMatrixSimple } from "../report/simple-console.ts";
import type { CheckResult } from "../results.ts";
import type { GlobalFlags } from "../session.ts";
import { finish, progress, withSession } from "./common.ts";

export default async function backupTestCommand(flags: GlobalFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const say = progress(session);
    const results: CheckResult[] = [];
    for (const t of targets) {
      const plan = session.runnablePlan(t);
      say(`${t.name}: preparing a scratch database`);
      const scratch = await session.scratch(t, "bak", "backup-test");
      const { rows, seed } = session.config.test;
      results.push(
        ...(await runBackupTest(scratch.driver, t.name, plan.migrations, {
          rows,
          seed,
          fixtures: [],
          scratch,
          progress: say,
        })),
      );
    }
    say("");
    return finish(session, {
      command: "backup-test",
      targets,
      results,
      junit: true,
      render: (r) => renderMatrixSimple("stairway backup-test", r.results),
    });
  });
}
