// up, down, redo, status, force: the runner on each target's own database.

import pc from "picocolors";
import { EXIT, usageError, type ExitCode } from "../errors.ts";
import { fileFor, versionKey, type Dialect, type Migration, type Plan, type SqlDialect } from "../plan/migration.ts";
import { renderStatus, renderSteps } from "../report/console.ts";
import type { CheckResult, MigrationState } from "../results.ts";
import * as runner from "../runner.ts";
import { isKeyspaceDriver } from "../stores/contract.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { finish, progress, withSession } from "./common.ts";

type Flags = GlobalFlags & Record<string, unknown>;

/**
 * Every target's tree and the versions the command names, checked before any
 * target is opened: a bad argument must not leave a SQLite file or a
 * bookkeeping table behind, nor stop a run halfway through its targets.
 */
function prepare(session: Session, check: (plan: Plan) => void = () => {}): { target: Target; plan: Plan }[] {
  return session.targets(false).map((target) => {
    const plan = session.runnablePlan(target);
    check(plan);
    return { target, plan };
  });
}

async function context(session: Session, t: Target, plan: Plan, readOnly = false): Promise<runner.RunnerContext> {
  const driver = await session.openBookkept(t, { readOnly });
  // A transform's ctx.log: progress on a terminal, quiet otherwise; every line on stderr with --debug.
  if (isKeyspaceDriver(driver))
    driver.log = session.flags.debug ? (l) => process.stderr.write(`${session.redact(l)}\n`) : progress(session);
  return { driver, target: t.name, migrations: plan.migrations, lockTimeoutMs: runner.LOCK_TIMEOUT_MS };
}

function printDryRun(session: Session, t: Target, list: Migration[], direction: "up" | "down", dialect: Dialect): void {
  if (list.length === 0) process.stdout.write(`-- ${t.name}: nothing to do\n`);
  for (const m of list) {
    const file = m.module ?? fileFor(m, direction, dialect as SqlDialect)!;
    const tx = file.directives.noTransaction ? " (no transaction)" : "";
    process.stdout.write(
      session.redact(`-- ${t.name}: ${m.id} ${direction}${tx}: ${file.path}\n${file.text.trimEnd()}\n\n`),
    );
  }
}

/** One line on stderr for each empty up this run applied (validate and test report them as files.empty-up). */
function warnEmptyUps(plan: Plan, applied: CheckResult[]): void {
  const ids = new Set(applied.filter((r) => r.check === "step.up" && r.status === "pass").map((r) => r.migration));
  const paths = new Set(
    plan.migrations.filter((m) => ids.has(m.id)).flatMap((m) => Object.values(m.files.up).map((f) => f?.path)),
  );
  for (const p of plan.problems)
    if (p.check === "files.empty-up" && paths.has(p.path))
      process.stderr.write(`${pc.yellow("stairway: warning:")} ${p.message}\n`);
}

export async function upCommand(flags: Flags): Promise<ExitCode> {
  const to = opt(flags.to);
  return withSession(
    flags,
    async (session) => {
      const prepared = prepare(session, (plan) => to !== undefined && runner.findVersion(plan.migrations, to, "--to"));
      const results: CheckResult[] = [];
      for (const { target: t, plan } of prepared) {
        const ctx = await context(session, t, plan, !!flags.dryRun);
        if (flags.dryRun) {
          printDryRun(
            session,
            t,
            await runner.pendingUp(ctx, to, { allowDrift: !!flags.allowDrift }),
            "up",
            ctx.driver.dialect,
          );
          continue;
        }
        const done = await runner.up(ctx, { to, allowDrift: !!flags.allowDrift });
        warnEmptyUps(plan, done);
        results.push(...done);
        progress(session)("");
      }
      if (flags.dryRun) return EXIT.ok;
      return finish(session, {
        command: "up",
        targets: prepared.map((p) => p.target),
        results,
        render: (r) => renderSteps(r.results, r.targets),
      });
    },
    { writesReport: !flags.dryRun },
  );
}

export async function downCommand(flags: Flags): Promise<ExitCode> {
  const steps = flags.steps === undefined ? undefined : Number(flags.steps);
  if (steps !== undefined && !(Number.isInteger(steps) && steps > 0))
    throw usageError(`--steps ${flags.steps}: expected a positive whole number`);
  if (steps !== undefined && flags.to !== undefined) throw usageError("--steps and --to cannot be used together");
  const to = opt(flags.to);
  return withSession(
    flags,
    async (session) => {
      const prepared = prepare(
        session,
        (plan) => to !== undefined && versionKey(to) !== "0" && runner.findVersion(plan.migrations, to, "--to"),
      );
      const results: CheckResult[] = [];
      for (const { target: t, plan } of prepared) {
        const ctx = await context(session, t, plan, !!flags.dryRun);
        if (flags.dryRun) {
          const list = (await runner.pendingDown(ctx, { to, steps })).filter((m): m is Migration => "files" in m);
          printDryRun(session, t, list, "down", ctx.driver.dialect);
          continue;
        }
        results.push(...(await runner.down(ctx, { to, steps })));
        progress(session)("");
      }
      if (flags.dryRun) return EXIT.ok;
      return finish(session, {
        command: "down",
        targets: prepared.map((p) => p.target),
        results,
        render: (r) => renderSteps(r.results, r.targets),
      });
    },
    { writesReport: !flags.dryRun },
  );
}

export async function redoCommand(flags: Flags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const prepared = prepare(session);
    const results: CheckResult[] = [];
    for (const { target: t, plan } of prepared) {
      results.push(...(await runner.redo(await context(session, t, plan))));
      progress(session)("");
    }
    return finish(session, {
      command: "redo",
      targets: prepared.map((p) => p.target),
      results,
      render: (r) => renderSteps(r.results, r.targets),
    });
  });
}

/** With --exit-code, states that make status exit 1 (as `git diff --exit-code` does for a difference): anything but applied. */
const NOT_AT_HEAD = new Set<MigrationState["state"]>(["pending", "dirty", "drifted", "missing-file"]);

export async function statusCommand(flags: Flags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const prepared = prepare(session);
    const migrations: MigrationState[] = [];
    for (const { target: t, plan } of prepared)
      migrations.push(...(await runner.status(await context(session, t, plan, true))));
    // status reports; states like dirty or drifted are shown, not failed — unless --exit-code asks.
    finish(session, {
      command: "status",
      targets: prepared.map((p) => p.target),
      results: [],
      migrations,
      render: (r) => renderStatus(r.migrations ?? [], r.targets),
    });
    return flags.exitCode && migrations.some((m) => NOT_AT_HEAD.has(m.state)) ? EXIT.failed : EXIT.ok;
  });
}

export async function forceCommand(flags: Flags, args: string[]): Promise<ExitCode> {
  const version = args[0]!;
  return withSession(flags, async (session) => {
    for (const { target: t, plan } of prepare(session, (plan) =>
      runner.findVersion(plan.migrations, version, "force"),
    )) {
      const m = await runner.force(await context(session, t, plan), version, !!flags.pending);
      if (m)
        process.stdout.write(`${pc.green("✓")} ${t.name}: ${m.id} marked ${flags.pending ? "pending" : "applied"}\n`);
    }
    return EXIT.ok;
  });
}

function opt(v: unknown): string | undefined {
  return v === undefined || v === true ? undefined : String(v);
}
