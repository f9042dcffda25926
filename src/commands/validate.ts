// stairway validate: the tree, the SQL, applied files and committed dumps.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checksumDrift, dumpDrift, parseByRunning, parsePostgresFiles, treeChecks } from "../checks/validate.ts";
import { usesPgParser } from "../lint/lint.ts";
import { isSqlDialect } from "../stores/dialects.ts";
import { type ExitCode } from "../errors.ts";
import type { SqlDialect } from "../plan/migration.ts";
import type { SqlDriver } from "../stores/contract.ts";
import { renderValidate } from "../report/validate-console.ts";
import type { CheckResult } from "../results.ts";
import * as runner from "../runner.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { finish, progress, withSession } from "./common.ts";

export default async function validateCommand(flags: GlobalFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true).filter((t) => isSqlDialect(t.dialect));
    for (const t of targets) session.plan(t); // every tree found before the first scratch database is made
    const say = progress(session);
    const results: CheckResult[] = [];
    const done = new Set<string>();
    for (const t of targets) {
      const plan = session.plan(t);
      const tree = treeOf(session, t);
      if (!done.has(tree)) results.push(...treeChecks(plan, t.name));
      const key = `${tree}\u0000${t.dialect}`;
      if (!done.has(key)) {
        say(`${t.name}: parsing ${tree}`);
        // A dialect with a real parser is parsed; any other is run, in order, on a scratch database.
        if (usesPgParser(t.dialect as SqlDialect)) results.push(...(await parsePostgresFiles(plan.migrations, t.name)));
        else
          results.push(
            ...(await parseByRunning((await session.scratch(t, "parse", "validate")).driver, plan.migrations, t.name)),
          );
        const blocked = plan.problems.some((p) => p.blocking);
        const dumpPath = join(tree, `schema.${t.dialect}.sql`);
        const committed = existsSync(dumpPath) ? { path: dumpPath, text: readFileSync(dumpPath, "utf8") } : undefined;
        if (blocked)
          results.push({
            check: "schema.dump-drift",
            target: t.name,
            status: "skip",
            message: "the tree has problems: fix them first",
          });
        else results.push(await dumpAtHead(session, t, committed));
      }
      done.add(tree);
      done.add(key);
      // Applied files are checked on the databases named on the command line only.
      if (session.flags.db?.length && !plan.problems.some((p) => p.blocking))
        results.push(
          ...(await checksumDrift(
            await session.openBookkept<SqlDriver>(t, { readOnly: true }),
            plan.migrations,
            t.name,
          )),
        );
    }
    say("");
    return finish(session, { command: "validate", targets, results, render: (r) => renderValidate(r.results) });
  });
}

function treeOf(session: Session, t: Target): string {
  return session.flags.sql ?? t.migrations ?? session.config.migrations.sql;
}

async function dumpAtHead(
  session: Session,
  t: Target,
  committed: { path: string; text: string } | undefined,
): Promise<CheckResult> {
  if (!committed) return dumpDrift(undefined as never, t.dialect as SqlDialect, undefined, t.name);
  const { driver } = await session.scratch(t, "dump");
  const up = await runner.up({
    driver,
    target: t.name,
    migrations: session.plan(t).migrations,
    lockTimeoutMs: runner.LOCK_TIMEOUT_MS,
  });
  const failed = up.find((r) => r.status === "fail");
  if (failed)
    return {
      check: "schema.dump-drift",
      target: t.name,
      status: "fail",
      message: `cannot migrate a scratch database to head: ${failed.message}`,
    };
  return dumpDrift(driver, t.dialect as SqlDialect, committed, t.name);
}
