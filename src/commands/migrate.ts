// up, down, redo, status, force, baseline: the runner on each target's own database.

import pc from "picocolors";
import { EXIT, usageError, type ExitCode } from "../errors.ts";
import { fileFor, versionKey, type Dialect, type Migration, type Plan, type SqlDialect } from "../plan/migration.ts";
import { renderStatus, renderSteps } from "../report/console.ts";
import type { CheckResult, MigrationState } from "../results.ts";
import * as runner from "../runner.ts";
import { isKeyspaceDriver, isSqlSession } from "../stores/contract.ts";
import { plural } from "../plural.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { adoptedLines, adoptionFrom, foreignHistory, fromFlags, refuseForeignHistory } from "./adopt.ts";
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
  const from = fromFlags(flags);
  return withSession(
    flags,
    async (session) => {
      const prepared = prepare(session, (plan) => to !== undefined && runner.findVersion(plan.migrations, to, "--to"));
      // Every target is looked at before any is migrated: a refusal must not stop the run halfway through them.
      const opened = [];
      for (const { target: t, plan } of prepared) {
        const ctx = await context(session, t, plan, !!flags.dryRun);
        // Where stairway has recorded nothing and another runner has: its history, adopted with --from, else refused.
        const found = await foreignHistory(session, t, ctx.driver, plan, from);
        if (found && !from) refuseForeignHistory(t, found);
        opened.push({ t, plan, ctx, adoption: found?.adoption });
      }
      const results: CheckResult[] = [];
      const adopted: string[] = [];
      for (const { t, plan, ctx, adoption } of opened) {
        if (flags.dryRun) {
          const done = new Set(adoption?.rows.map((r) => r.version));
          const pending = await runner.pendingUp(ctx, to, { allowDrift: !!flags.allowDrift });
          printDryRun(
            session,
            t,
            pending.filter((m) => !done.has(m.version)),
            "up",
            ctx.driver.dialect,
          );
          continue;
        }
        const done = await runner.up(ctx, {
          to,
          allowDrift: !!flags.allowDrift,
          ...(adoption ? { adopt: adoption.rows } : {}),
        });
        if (adoption) adopted.push(adoptedLines(t, adoption));
        warnEmptyUps(plan, done);
        results.push(...done);
        progress(session)("");
      }
      if (flags.dryRun) return EXIT.ok;
      if (!session.flags.json) for (const l of adopted) process.stdout.write(`${l}\n`);
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
  const from = fromFlags(flags);
  return withSession(flags, async (session) => {
    const prepared = prepare(session);
    const migrations: MigrationState[] = [];
    const notes: Record<string, string> = {};
    for (const { target: t, plan } of prepared) {
      const ctx = await context(session, t, plan, true);
      // Where stairway has recorded nothing, another runner's history is shown (--from names it, else it is looked for).
      const found = await foreignHistory(session, t, ctx.driver, plan, from);
      if (found) {
        const { adoption: a, others } = found;
        const unknown = a.unknown.map((version) => ({
          version,
          name: "",
          checksum: "",
          appliedAt: "",
          durationMs: 0,
          dirty: false,
        }));
        migrations.push(...(await runner.status(ctx, { rows: [...a.rows, ...unknown], by: a.runner })));
        notes[t.name] =
          `read from ${a.table}, ${a.runner}'s record: stairway has recorded nothing here yet; "stairway baseline --from ${a.runner}" adopts it` +
          (others.length ? ` (${others.map((o) => `${o.table} of ${o.runner}`).join(", ")} also found)` : "");
        continue;
      }
      if (from && isSqlSession(ctx.driver))
        notes[t.name] =
          `stairway keeps this database's history (${plural((await ctx.driver.applied()).length, "migration")} recorded): --from ${from.runner.id} is not read`;
      migrations.push(...(await runner.status(ctx)));
    }
    // status reports; states like dirty or drifted are shown, not failed — unless --exit-code asks.
    finish(session, {
      command: "status",
      targets: prepared.map((p) => p.target),
      results: [],
      migrations,
      render: (r) => renderStatus(r.migrations ?? [], r.targets, notes),
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

/**
 * Adopts a database migrated by other means: every migration up to VERSION
 * marked applied, or (--from RUNNER) what that runner's own table says it
 * applied, where stairway has recorded nothing yet. Runs nothing.
 */
export async function baselineCommand(flags: Flags, args: string[]): Promise<ExitCode> {
  const version = args[0];
  const from = fromFlags(flags);
  if (version === undefined && !from)
    throw usageError(
      "baseline needs a version (every migration up to it is marked applied) or --from RUNNER (what that runner's own table says was applied is)",
    );
  if (version !== undefined && from)
    throw usageError(`baseline takes a version or --from, not both (baseline ${version} --from ${from.runner.id})`);
  return withSession(flags, async (session) => {
    const prepared = prepare(
      session,
      (plan) => version !== undefined && runner.findVersion(plan.migrations, version, "baseline"),
    );
    for (const { target: t, plan } of prepared) {
      const ctx = await context(session, t, plan);
      if (version !== undefined) {
        const upTo = runner.findVersion(plan.migrations, version, "baseline").id;
        const marked = await runner.baseline(ctx, version);
        say(
          marked.length
            ? `${pc.green("✓")} ${t.name}: ${plural(marked.length, "migration")} up to ${upTo} marked applied`
            : `${pc.dim("–")} ${t.name}: every migration up to ${upTo} is recorded already`,
        );
        continue;
      }
      if (!isSqlSession(ctx.driver)) {
        say(`${pc.dim("–")} ${t.name}: not a SQL database: no table of ${from!.runner.id} to read there`);
        continue;
      }
      const recorded = (await ctx.driver.applied()).length;
      // Read before the lock: a table that is not there must leave nothing behind, stairway's table included.
      const adoption = recorded ? undefined : await adoptionFrom(session, t, ctx.driver, plan, from!);
      const n = adoption && (await runner.adopt(ctx, adoption.rows));
      if (adoption && n !== undefined) say(adoptedLines(t, adoption));
      else
        say(
          `${pc.dim("–")} ${t.name}: stairway keeps this database's history already (${plural((await ctx.driver.applied()).length, "migration")} recorded): ${from!.table ?? from!.runner.table} is not read`,
        );
    }
    return EXIT.ok;
  });
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function opt(v: unknown): string | undefined {
  return v === undefined || v === true ? undefined : String(v);
}
