// stairway schema dump | diff: the canonical schema of targets, as text or JSON.

import { EXIT, usageError, type ExitCode } from "../errors.ts";
import type { SqlDriver } from "../stores/contract.ts";
import type { Migration } from "../plan/migration.ts";
import { diffSchemas, formatDiffs } from "../schema/diff.ts";
import type { Schema } from "../schema/model.ts";
import { renderSchema } from "../schema/render.ts";
import { envelope, reportJson, type CheckResult } from "../results.ts";
import * as runner from "../runner.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { isSqlDialect } from "../stores/dialects.ts";
import { finish, targetInfo, withSession } from "./common.ts";

type Flags = GlobalFlags & { at?: string };

/** The schema of the target itself, or (--at) of a scratch copy migrated to a version. */
export async function schemaOf(session: Session, t: Target, at: string | undefined): Promise<Schema> {
  if (at === undefined) return (await session.open<SqlDriver>(t, { readOnly: true })).introspect();
  const plan = session.runnablePlan(t);
  const { driver } = await session.scratch(t, "dump");
  await migrateTo(driver, t.name, plan.migrations, at);
  return driver.introspect();
}

async function migrateTo(driver: SqlDriver, target: string, migrations: Migration[], at: string): Promise<void> {
  const ctx: runner.RunnerContext = { driver, target, migrations, lockTimeoutMs: runner.LOCK_TIMEOUT_MS };
  const results = await runner.up(ctx, at === "head" ? {} : { to: at });
  const failed = results.find((r) => r.status === "fail");
  if (failed) throw usageError(`cannot build the schema at ${at}: ${failed.migration} failed: ${failed.message}`);
}

export default async function schemaCommand(flags: Flags, args: string[]): Promise<ExitCode> {
  const action = args[0];
  if (action !== "dump" && action !== "diff")
    throw usageError(`schema ${action ?? ""}: expected "schema dump" or "schema diff"`);
  const at = flags.at === undefined ? undefined : String(flags.at);
  return withSession(flags, async (session) => {
    const targets = session.targets(false).filter((t) => isSqlDialect(t.dialect));
    if (action === "dump") {
      const schemas: Record<string, Schema> = {};
      for (const t of targets) schemas[t.name] = await schemaOf(session, t, at);
      if (flags.json) {
        const out = envelope("schema dump", { ok: true, targets: targets.map(targetInfo), results: [], schemas });
        process.stdout.write(session.redact(reportJson(out, process.stdout.isTTY)) + "\n");
      } else
        for (const t of targets) {
          if (targets.length > 1) process.stdout.write(`-- target ${t.name}\n`);
          process.stdout.write(session.redact(renderSchema(schemas[t.name]!)));
        }
      return EXIT.ok;
    }
    if (targets.length !== 2)
      throw usageError(`schema diff compares two targets; got ${targets.length} (pass --db twice, or --target twice)`);
    const [a, b] = targets as [Target, Target];
    const diffs = diffSchemas(await schemaOf(session, a, at), await schemaOf(session, b, at), [a.name, b.name]);
    const result: CheckResult = {
      check: "cross-db.schema",
      target: b.name,
      status: diffs.length ? "fail" : "pass",
      message: diffs.length
        ? diffs.flatMap((d) => d.summary).join("; ")
        : `${a.name} and ${b.name} have the same schema`,
      ...(diffs.length ? { details: { diff: formatDiffs(diffs) } } : {}),
    };
    return finish(session, {
      command: "schema-diff",
      targets,
      results: [result],
      render: () => (diffs.length ? formatDiffs(diffs) : result.message),
    });
  });
}
