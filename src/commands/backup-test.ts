// stairway backup-test: a backup before each migration restores exactly.

import { runBackupTest } from "../checks/backup.ts";
import { runRedisBackupTest } from "../checks/redis-scale.ts";
import { dialectModule } from "../stores/index.ts";
import type { ExitCode } from "../errors.ts";
import type { SqlDialect } from "../plan/migration.ts";
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
      if (t.dialect === "redis") {
        const driver = await session.redisScratch(t, "backup-test");
        results.push(...(await runRedisBackupTest(driver, t.name, plan.migrations, { seedCount: session.config.test.rows * 50, progress: say })));
        continue;
      }
      say(`${t.name}: creating a scratch database`);
      const { driver, url, name: scratchName } = await session.scratch(t, "bak");
      results.push(
        ...(await runBackupTest(driver, t.name, plan.migrations, {
          module: await dialectModule(t.dialect as SqlDialect),
          server: t.url,
          url,
          scratchName,
          rowsPerTable: session.config.test.rows,
          seed: session.config.test.seed,
          progress: say,
        })),
      );
    }
    say("");
    return finish(session, { command: "backup-test", targets, results, junit: true, render: (r) => renderMatrixSimple("stairway backup-test", r.results) });
  });
}
