// What every command shares: a session that is cleaned up on every path
// (Ctrl-C included), and one way to finish: JSON report file + output.

import { join } from "node:path";
import pc from "picocolors";
import { EXIT, type ExitCode } from "../errors.ts";
import { isOk, reportJson, type CheckResult, type MigrationState, type Report, type TargetInfo } from "../results.ts";
import { checkReportDir, Session, type GlobalFlags } from "../session.ts";
import type { Target } from "../targets.ts";
import { VERSION } from "../version.ts";
import { renderJunit } from "../report/junit.ts";

/** `writesReport: false` for commands that write nothing to the report dir (new, dry runs): it is not checked. */
export async function withSession(flags: GlobalFlags, fn: (s: Session) => Promise<ExitCode>, opts: { writesReport?: boolean } = {}): Promise<ExitCode> {
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
}

export function finish(session: Session, f: Finish): ExitCode {
  const report: Report = {
    tool: "stairway",
    version: VERSION,
    command: f.command,
    ok: isOk(f.results),
    targets: f.targets.map(targetInfo),
    results: f.results,
    ...(f.migrations ? { migrations: f.migrations } : {}),
  };
  // Stringified and redacted once: the file and --json print the same text, except indented on a terminal (a lint report can be megabytes).
  const json = session.redact(reportJson(report));
  if (!f.noReportFile) session.writeReport(f.command, json, f.junit ? renderJunit([report]) : undefined);
  let out = session.flags.json ? (process.stdout.isTTY ? session.redact(reportJson(report, true)) : json) : session.redact(f.render(report));
  if (f.junit && !session.flags.json) out += pc.dim(`\nreport: ${join(session.reportDir(), `${f.command}.json`)} and ${f.command}.junit.xml`);
  if (out) {
    process.stdout.write(out);
    process.stdout.write("\n"); // not out + "\n": a copy of megabytes
  }
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** Writes a progress line on a terminal only (stderr), replacing the previous one. */
export function progress(session: Session): (line: string) => void {
  const tty = process.stderr.isTTY && !session.flags.json;
  if (!tty) return () => {};
  return (line: string) => {
    const cols = process.stderr.columns ?? 80;
    process.stderr.write(`\r\x1b[2K${session.redact(line).slice(0, cols - 1)}`);
    if (line === "") process.stderr.write("\r\x1b[2K");
  };
}
