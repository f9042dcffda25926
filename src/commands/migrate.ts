// up, down, redo, status, force: the runner on each target's own database.

import pc from "picocolors";
import { EXIT, usageError, type ExitCode } from "../errors.ts";
import { fileFor, type Dialect, type Migration, type SqlDialect } from "../plan/migration.ts";
import { renderStatus, renderSteps } from "../report/console.ts";
import type { CheckResult, MigrationState } from "../results.ts";
import * as runner from "../runner.ts";
import { isKeyspaceDriver } from "../stores/contract.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { finish, progress, withSession } from "./common.ts";

type Flags = GlobalFlags & Record<string, unknown>;

async function context(session: Session, t: Target, readOnly = false): Promise<runner.RunnerContext> {
  const plan = session.runnablePlan(t);
  const driver = await session.open(t, { readOnly });
  // A transform's ctx.log: progress on a terminal, quiet otherwise; every line on stderr with --debug.
  if (isKeyspaceDriver(driver)) driver.log = session.flags.debug ? (l) => process.stderr.write(`${l}\n`) : progress(session);
  return { driver, target: t.name, migrations: plan.migrations, lockTimeoutMs: runner.LOCK_TIMEOUT_MS };
}

function printDryRun(t: Target, list: Migration[], direction: "up" | "down", dialect: Dialect): void {
  if (list.length === 0) process.stdout.write(`-- ${t.name}: nothing to do\n`);
  for (const m of list) {
    const file = m.module ?? fileFor(m, direction, dialect as SqlDialect)!;
    const tx = file.directives.noTransaction ? " (no transaction)" : "";
    process.stdout.write(`-- ${t.name}: ${m.id} ${direction}${tx}: ${file.path}\n${file.text.trimEnd()}\n\n`);
  }
}

export async function upCommand(flags: Flags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(false);
    const results: CheckResult[] = [];
    for (const t of targets) {
      const ctx = await context(session, t, !!flags.dryRun);
      if (flags.dryRun) {
        printDryRun(t, await runner.pendingUp(ctx, opt(flags.to)), "up", ctx.driver.dialect);
        continue;
      }
      results.push(...(await runner.up(ctx, { to: opt(flags.to) })));
      progress(session)("");
    }
    if (flags.dryRun) return EXIT.ok;
    return finish(session, { command: "up", targets, results, render: (r) => renderSteps(r.results, r.targets) });
  });
}

export async function downCommand(flags: Flags): Promise<ExitCode> {
  const steps = flags.steps === undefined ? undefined : Number(flags.steps);
  if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw usageError(`--steps ${flags.steps}: expected a positive whole number`);
  if (steps !== undefined && flags.to !== undefined) throw usageError("--steps and --to cannot be used together");
  return withSession(flags, async (session) => {
    const targets = session.targets(false);
    const results: CheckResult[] = [];
    for (const t of targets) {
      const ctx = await context(session, t, !!flags.dryRun);
      if (flags.dryRun) {
        const list = (await runner.pendingDown(ctx, { to: opt(flags.to), steps })).filter((m): m is Migration => "files" in m);
        printDryRun(t, list, "down", ctx.driver.dialect);
        continue;
      }
      results.push(...(await runner.down(ctx, { to: opt(flags.to), steps })));
      progress(session)("");
    }
    if (flags.dryRun) return EXIT.ok;
    return finish(session, { command: "down", targets, results, render: (r) => renderSteps(r.results, r.targets) });
  });
}

export async function redoCommand(flags: Flags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(false);
    const results: CheckResult[] = [];
    for (const t of targets) {
      results.push(...(await runner.redo(await context(session, t))));
      progress(session)("");
    }
    return finish(session, { command: "redo", targets, results, render: (r) => renderSteps(r.results, r.targets) });
  });
}

export async function statusCommand(flags: Flags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(false);
    const migrations: MigrationState[] = [];
    for (const t of targets) migrations.push(...(await runner.status(await context(session, t, true))));
    // status reports; states like dirty or drifted are shown, not failed.
    finish(session, {
      command: "status",
      targets,
      results: [],
      migrations,
      render: (r) => renderStatus(r.migrations ?? [], r.targets),
    });
    return EXIT.ok;
  });
}

export async function forceCommand(flags: Flags, args: string[]): Promise<ExitCode> {
  const version = args[0]!;
  return withSession(flags, async (session) => {
    for (const t of session.targets(false)) {
      const m = await runner.force(await context(session, t), version, !!flags.pending);
      if (m) process.stdout.write(`${pc.green("✓")} ${t.name}: ${m.id} marked ${flags.pending ? "pending" : "applied"}\n`);
    }
    return EXIT.ok;
  });
}

function opt(v: unknown): string | undefined {
  return v === undefined || v === true ? undefined : String(v);
}

