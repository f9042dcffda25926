// What every command shares: a session that is cleaned up on every path
// (Ctrl-C included), and one way to finish: JSON report file + output.

import { availableParallelism } from "node:os";
import { join } from "node:path";
import pc from "picocolors";
import { EXIT, type ExitCode } from "../errors.ts";
import type { PlanLayout } from "../plan/migration.ts";
import {
  envelope,
  isOk,
  reportJson,
  type CheckResult,
  type Coverage,
  type MigrationState,
  type Report,
  type ReportSelection,
  type TargetInfo,
} from "../results.ts";
import { listed, plural } from "../plural.ts";
import { checkReportDir, Session, type GlobalFlags } from "../session.ts";
import type { Target } from "../targets.ts";
import { progressLine } from "../progress.ts";
import { renderJunit } from "../report/junit.ts";
import { ms } from "../report/digest.ts";
import { coverageLine } from "../report/coverage.ts";

/** `writesReport: false` for commands that write nothing to the report dir (new, dry runs): it is not checked. */
export async function withSession(
  flags: GlobalFlags,
  fn: (s: Session) => Promise<ExitCode>,
  opts: { writesReport?: boolean } = {},
): Promise<ExitCode> {
  const session = new Session(flags, process.env);
  if (opts.writesReport !== false) checkReportDir(session.reportDir(), flags.reportDir !== undefined);
  // On Ctrl-C: one cleanup, then exit 130 (143 for SIGTERM); the command's own
  // failure (its connection was cut) must not exit first.
  let interrupted: Promise<never> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    process.stderr.write(`\nstairway: ${signal}: dropping scratch databases…\n`);
    interrupted = session.cleanup().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await fn(session);
  } catch (e) {
    if (interrupted) await interrupted;
    throw e;
  } finally {
    if (interrupted) await interrupted;
    await session.cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export function targetInfo(t: Target): TargetInfo {
  return { name: t.name, dialect: t.dialect, url: t.url.redacted };
}

export interface Finish {
  command: string;
  targets: Target[];
  results: CheckResult[];
  migrations?: MigrationState[];
  /** Human output, used when --json is not given. */
  render: (report: Report) => string;
  /** Do not write <report-dir>/<command>.json (dry runs). */
  noReportFile?: boolean;
  /** Also write <report-dir>/<command>.junit.xml. */
  junit?: boolean;
  /** Leave the layout lines out of the human output (SARIF is JSON). */
  noLayoutLine?: boolean;
  /** Testing commands: how much of the tree each target could check. */
  coverage?: Record<string, Coverage>;
  /** Testing commands that checked less than the whole tree (--since, --since-git, --shard). */
  selection?: ReportSelection;
  /** Per target, what each checked migration cost (ms): the next --shard balances by it. */
  stepMs?: Record<string, Record<string, number>>;
}

export function finish(session: Session, f: Finish): ExitCode {
  const layouts = session.layouts();
  const report: Report = envelope(f.command, {
    ok: isOk(f.results),
    targets: f.targets.map(targetInfo),
    results: f.results,
    ...(f.migrations ? { migrations: f.migrations } : {}),
    ...(f.coverage ? { coverage: f.coverage } : {}),
    ...(f.selection ? { selection: f.selection } : {}),
    ...(f.stepMs ? { stepMs: f.stepMs } : {}),
    ...(layouts[0]
      ? {
          layout: {
            ...layouts[0].layout,
            tree: layouts[0].tree,
            ...(layouts[0].notes.length ? { notes: layouts[0].notes } : {}),
          },
        }
      : {}),
  });
  // Stringified and redacted once: the file and --json print the same text, except indented on a terminal (a lint report can be megabytes).
  const json = session.redact(reportJson(report));
  if (!f.noReportFile) session.writeReport(f.command, json, f.junit ? renderJunit([report]) : undefined);
  let out = session.flags.json
    ? process.stdout.isTTY
      ? session.redact(reportJson(report, true))
      : json
    : session.redact(f.render(report));
  if (!session.flags.json && f.selection) out += selectionLines(f.selection);
  if (!session.flags.json && f.coverage) out += coverageLines(f.coverage);
  if (!session.flags.json && !f.noLayoutLine) for (const l of layouts) out += layoutLines(l, layouts.length > 1);
  if (f.junit && !session.flags.json)
    out += pc.dim(`\nreport: ${join(session.reportDir(), `${f.command}.json`)} and ${f.command}.junit.xml`);
  if (out) {
    process.stdout.write(out);
    process.stdout.write("\n"); // not out + "\n": a copy of megabytes
  }
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** "coverage · sqlite: 41 of 44 migrations fully checked", and why not the rest (the first few). */
function coverageLines(coverage: Record<string, Coverage>): string {
  const lines = Object.entries(coverage).flatMap(([target, c]) => {
    const l = coverageLine(target, c);
    return [`coverage · ${l.summary}`, ...l.untested.map((u) => `  ${u}`)];
  });
  return lines.map((l, i) => (i === 0 ? "\n" : "") + `\n${l.startsWith("  ") ? pc.dim(l) : l}`).join("");
}

/** What was checked, per target: "shard 2/4 · postgres: 176_a … 350_b, after a prefix of 175 from the cache (310 ms)". */
function selectionLines(sel: ReportSelection): string {
  const what = sel.shard
    ? `shard ${sel.shard.index}/${sel.shard.count}`
    : sel.sinceGit
      ? `--since-git ${sel.sinceGit.ref} (${sel.sinceGit.base.slice(0, 12)})`
      : `--since ${sel.since}`;
  const lines = Object.entries(sel.targets).map(([target, t]) => {
    const range = t.first ? (t.first === t.last ? t.first : `${t.first} … ${t.last}`) : "nothing to check";
    const prefix = t.prefix.migrations
      ? `, after ${plural(t.prefix.migrations, "migration")} applied ${t.prefix.from === "cache" ? "from the prefix cache" : "one by one"}${t.prefix.cache && t.prefix.cache !== "hit" ? ` (cache: ${t.prefix.cache})` : ""}${t.prefix.ms ? ` in ${ms(t.prefix.ms)}` : ""}`
      : "";
    return `${what} · ${target}: ${plural(t.checked, "migration")} checked (${range})${prefix}`;
  });
  if (sel.shard) lines.push(`  slices cut by ${sel.shard.basis}`);
  return lines.map((l, i) => (i === 0 ? "\n" : "") + `\n${l.startsWith("  ") ? pc.dim(l) : l}`).join("");
}

/** "layout: goose (detected)", and what it left out: dim lines under a command's output. */
function layoutLines(l: { tree: string; layout: PlanLayout; notes: string[] }, named: boolean): string {
  const { preset, pattern, detected, alike } = l.layout;
  const how = detected
    ? `detected${alike?.length ? `; ${listed(alike)} read${alike.length === 1 ? "s" : ""} it alike` : ""}`
    : preset
      ? "given"
      : "layout.pattern";
  const lines = [
    `layout: ${preset ?? pattern} (${how})${named ? ` in ${l.tree}` : ""}`,
    ...l.notes.map((n) => `  ${n}`),
  ];
  return lines.map((line) => pc.dim(`\n${line}`)).join("");
}

/**
 * Runs `fn` for every target, several at a time when the machine has the
 * cores (targets share nothing: each has its own scratch database); results
 * in the targets' order. A target that fails does not stop the others
 * halfway: every one finishes (or fails), then the first failure in order is
 * thrown. Not for timings (perf): targets running together slow each other.
 */
export async function forEachTarget<T>(
  targets: Target[],
  fn: (t: Target, i: number) => Promise<T>,
  jobs = availableParallelism(),
): Promise<T[]> {
  const out: PromiseSettledResult<T>[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < targets.length; i = next++)
      out[i] = await fn(targets[i]!, i).then(
        (value) => ({ status: "fulfilled", value }) as const,
        (reason: unknown) => ({ status: "rejected", reason }) as const,
      );
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, targets.length)) }, worker));
  const failed = out.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return out.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Writes a progress line on a terminal only (stderr), replacing the previous one. */
export function progress(session: Session): (line: string) => void {
  const say = progressLine(!!session.flags.json);
  return (line: string) => say(session.redact(line));
}
