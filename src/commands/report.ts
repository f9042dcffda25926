// stairway report: every <command>.json in the report dir (whichever commands
// ran) → migration-summary.md (PR comment, $GITHUB_STEP_SUMMARY), a
// self-contained report.html and one junit.xml for all commands. Touches no
// database.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import pc from "picocolors";
import { usageError, type ExitCode } from "../errors.ts";
import { age, digest, leftOutText, MARK, verdictText, type LeftOut, type ReportFile } from "../report/digest.ts";
import { expandDirs } from "../report/dirs.ts";
import { mergeShards } from "../report/merge.ts";
import { renderHtml } from "../report/html.ts";
import { renderJunit } from "../report/junit.ts";
import { writeReportFile } from "../report/manifest.ts";
import { renderMarkdown } from "../report/markdown.ts";
import { reportJson, type CheckResult, type Report } from "../results.ts";
import type { GlobalFlags } from "../session.ts";
import { finish, withSession } from "./common.ts";

export const OUTPUTS = { markdown: "migration-summary.md", html: "report.html", junit: "junit.xml" } as const;

/** A report file written this long before the newest one is from an earlier run (minutes; --max-age). */
export const DEFAULT_MAX_AGE_MIN = 60;

export default async function reportCommand(
  flags: GlobalFlags & { maxAge?: unknown; from?: unknown },
  args: string[] = [],
): Promise<ExitCode> {
  const maxAge = flags.maxAge === undefined ? DEFAULT_MAX_AGE_MIN : Number(flags.maxAge);
  if (!(maxAge >= 0)) throw usageError(`--max-age ${String(flags.maxAge)}: expected a number of minutes`);
  // Directories given as arguments are --from ones too (an unquoted glob arrives expanded by the shell).
  const from = [...(flags.from === undefined ? [] : [flags.from].flat().map(String)), ...args];
  return withSession(flags, async (session) => {
    const dir = session.reportDir();
    const sources = from.length ? expandDirs(from) : [dir];
    const read: string[] = [];
    const files: ReportFile[] = [];
    const leftOut: LeftOut[] = [];
    let all: Report[] = [];
    for (const src of sources) {
      const r = readReports(src, maxAge * 60_000);
      all.push(...r.reports);
      const named = (f: string) => (from.length ? join(src, f) : f);
      read.push(...r.read.map(named));
      files.push(...r.files.map((f) => ({ ...f, file: named(f.file) })));
      leftOut.push(...r.leftOut.map((f) => ({ ...f, file: named(f.file) })));
    }
    const merged = mergeShards(all);
    all = merged.reports;
    // Said where the summary and the page say a command's trouble: a lost shard fails the verdict.
    for (const p of merged.problems) {
      const r = all.find((x) => x.command === p.command)!;
      r.ok = false;
      r.error ??= { code: "E_SHARD", message: p.message };
    }
    // The merged reports go beside the summary: one report per command, as an unsharded run writes.
    if (from.length) for (const r of merged.reports) writeReportFile(dir, `${r.command}.json`, [reportJson(r), "\n"]);
    const reports = all;
    const d = digest(reports, { files: from.length ? undefined : files, leftOut, maxAgeMs: maxAge * 60_000 });
    const outputs: [string, string, string][] = [
      [
        OUTPUTS.markdown,
        renderMarkdown(d, { reportDir: dir }),
        "the summary for a pull-request comment or $GITHUB_STEP_SUMMARY",
      ],
      [
        OUTPUTS.html,
        renderHtml(d, { generatedAt: new Date().toISOString(), reportDir: dir }),
        "one self-contained page with charts",
      ],
      [OUTPUTS.junit, renderJunit(d.reports), `${d.total} test cases for CI`],
    ];
    const results: CheckResult[] = merged.problems.map(({ message }) => ({
      check: "report",
      target: "",
      status: "fail" as const,
      message,
    }));
    for (const [command, n] of Object.entries(merged.shards))
      results.push({
        check: "report",
        target: "",
        status: "pass",
        message: `merged ${n} ${n === 1 ? "shard" : "shards"} of ${command}`,
      });
    results.push(
      ...outputs.map(([name, text, what]): CheckResult => {
        const path = writeReportFile(dir, name, session.redact(text));
        return {
          check: "report",
          target: "",
          status: "pass",
          message: `wrote ${path}: ${what}`,
          details: { path, bytes: Buffer.byteLength(text) },
        };
      }),
    );
    const summary = results.find((r) => r.details?.path)!;
    summary.details = {
      ...summary.details,
      verdict: d.verdict,
      verdictText: verdictText(d),
      read,
      leftOut: leftOut.map((x) => x.file),
      missing: d.missing,
    };
    return finish(session, {
      command: "report",
      targets: [],
      results,
      // Written into the directory it reads: a report.json would feed the next run.
      noReportFile: true,
      render: () => {
        const mark = d.verdict === "fail" ? pc.red(MARK.fail) : pc.green(MARK.pass);
        const lines = [`${pc.bold("stairway report")}  ${mark} ${verdictText(d)}`];
        for (const r of results)
          lines.push(
            r.details?.path
              ? `  wrote ${r.details.path as string}`
              : r.status === "fail"
                ? pc.red(`  ✗ ${r.message}`)
                : `  ${r.message}`,
          );
        lines.push(
          pc.dim(
            `  from ${files.map((f) => `${f.file} (${age(f.ageMs)})`).join(", ")}${d.missing.length ? ` · not run: ${d.missing.join(", ")}` : ""}`,
          ),
        );
        if (leftOut.length) lines.push(pc.yellow(`  ${leftOutText(d)}`));
        return lines.join("\n");
      },
    });
  });
}

/**
 * Every stairway report in `dir`. A file that is not JSON, or JSON that is
 * not a report, stops the command naming it (exit 2): a report built from
 * half the runs would look like a pass. A saved perf baseline is skipped.
 *
 * A file written more than `maxAgeMs` before the newest one is left out: a
 * command that did not run this time (or an older stairway that named its
 * report otherwise) leaves its file of an earlier run, whose pass or failure
 * is not this run's. A pipeline runs its commands minutes apart; files
 * hours older are another run's.
 */
export function readReports(
  dir: string,
  maxAgeMs = Infinity,
  now = Date.now(),
): { reports: Report[]; read: string[]; files: ReportFile[]; leftOut: LeftOut[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw usageError(
      `${dir} does not exist: run the test commands first (e.g. "stairway test --report-dir ${dir}"), or pass --report-dir`,
    );
  const found: { report: Report; name: string; mtimeMs: number }[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    const path = join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw usageError(
        `${path} is not valid JSON (${(e as Error).message.split("\n")[0]}): run its command again or remove the file`,
      );
    }
    const v = value as Record<string, unknown>;
    if (v && v.tool === "stairway" && v.kind === "perf-baseline") continue;
    const problem = reportProblem(value);
    if (problem)
      throw usageError(
        `${path} is not a stairway report (${problem}): remove it, or keep other files out of the report directory`,
      );
    if ((value as Report).command === "report") continue;
    found.push({ report: value as Report, name, mtimeMs: statSync(path).mtimeMs });
  }
  if (!found.length)
    throw usageError(
      `${dir} holds no stairway report: run the test commands first (e.g. "stairway test --report-dir ${dir}")`,
    );
  const newest = Math.max(...found.map((f) => f.mtimeMs));
  const kept = found.filter((f) => newest - f.mtimeMs <= maxAgeMs);
  return {
    reports: kept.map((f) => f.report),
    read: kept.map((f) => f.name),
    files: kept.map((f) => ({ command: f.report.command, file: f.name, ageMs: Math.max(0, now - f.mtimeMs) })),
    leftOut: found.filter((f) => !kept.includes(f)).map((f) => ({ file: f.name, ageMs: Math.max(0, now - f.mtimeMs) })),
  };
}

const STATUSES = new Set(["pass", "fail", "skip", "warn"]);

/** Why a parsed value is not a Report (docs/ARCHITECTURE.md "Output"), or undefined. */
function reportProblem(v: unknown): string | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return "it is not a JSON object";
  const r = v as Record<string, unknown>;
  if (r.tool !== "stairway") return `"tool" is ${JSON.stringify(r.tool) ?? "missing"}, not "stairway"`;
  if (typeof r.command !== "string") return `"command" is missing`;
  if (!Array.isArray(r.results)) return `"results" is not a list`;
  if (!Array.isArray(r.targets)) return `"targets" is not a list`;
  if (typeof r.ok !== "boolean") return `"ok" is not true or false`;
  for (const [i, t] of r.targets.entries()) {
    const x = t as Record<string, unknown>;
    if (!x || typeof x.name !== "string" || typeof x.dialect !== "string" || typeof x.url !== "string")
      return `target ${i + 1} lacks a name, dialect or url`;
  }
  for (const [i, res] of r.results.entries()) {
    const x = res as Record<string, unknown>;
    if (!x || typeof x !== "object") return `result ${i + 1} is not an object`;
    if (typeof x.check !== "string" || typeof x.target !== "string" || typeof x.message !== "string")
      return `result ${i + 1} lacks a check, target or message`;
    if (!STATUSES.has(x.status as string)) return `result ${i + 1} has status ${JSON.stringify(x.status)}`;
    if (x.migration !== undefined && typeof x.migration !== "string")
      return `result ${i + 1} has a migration that is not text`;
    if (x.durationMs !== undefined && typeof x.durationMs !== "number")
      return `result ${i + 1} has a durationMs that is not a number`;
    if (x.details !== undefined && (typeof x.details !== "object" || x.details === null || Array.isArray(x.details)))
      return `result ${i + 1} has details that are not an object`;
  }
  const e = r.error as Record<string, unknown> | undefined;
  if (e !== undefined && (typeof e !== "object" || typeof e?.message !== "string")) return `"error" has no message`;
  return undefined;
}
