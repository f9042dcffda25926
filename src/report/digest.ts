// What `stairway report` says, worked out once from every command's report:
// the verdict, a (command, check) × target matrix, the failures, timings,
// lint findings and declared differences. The Markdown and HTML renderers are
// pure functions of this digest, so they always agree.

import type { CheckResult, Report, Status, TargetInfo } from "../results.ts";
import {
  declaredDifferences,
  declaredLosses,
  probes,
  safetyFindings,
  timings,
  type Declared,
  type DeclaredLoss,
  type Probe,
  type SafetyFinding,
  type Timing,
} from "./details.ts";
import { plural } from "../plural.ts";

export {
  slowest,
  worst,
  type Declared,
  type DeclaredLoss,
  type Probe,
  type SafetyFinding,
  type Timing,
} from "./details.ts";

/** The testing pipeline, in the order a report lists it; other commands follow alphabetically. */
export const PIPELINE = [
  "validate",
  "safety",
  "test",
  "rollback",
  "perf",
  "data-test",
  "backup-test",
  "cross-db",
] as const;

export type Verdict = "pass" | "warn" | "fail";

export interface Entry {
  command: string;
  result: CheckResult;
}

export type Counts = Record<Status, number>;

export interface MatrixRow {
  command: string;
  check: string;
  /** Per target name (or dialect, for safety); absent where the check did not run. */
  cells: Map<string, Counts>;
}

export interface Digest {
  reports: Report[];
  verdict: Verdict;
  counts: Counts;
  total: number;
  /** Every target named by a report, first seen first (redacted URLs). */
  targets: TargetInfo[];
  /** Column names of the matrix: target names as results use them. */
  columns: string[];
  matrix: MatrixRow[];
  failures: Entry[];
  warnings: Entry[];
  /** Commands that stopped on an error before they could finish. */
  errors: { command: string; code: string; message: string }[];
  timings: Timing[];
  safety: SafetyFinding[];
  declared: Declared[];
  /** Rows a down is allowed to lose (`-- stairway:lossy`) that it did lose. */
  declaredLoss: DeclaredLoss[];
  crossDbSchema: Entry[];
  probes: Probe[];
  /** Pipeline commands with no report in the directory. */
  missing: string[];
  /** The file each report was read from (same order as `reports`), with its age; absent for reports not read from files. */
  files: (ReportFile | undefined)[];
  /** Files left out as from an earlier run, with their age. */
  leftOut: LeftOut[];
  /** How much older than the newest file a file may be and still count as this run's. */
  maxAgeMs?: number;
}

export interface ReportFile {
  command: string;
  file: string;
  ageMs: number;
}

export interface LeftOut {
  file: string;
  ageMs: number;
}

export interface Sources {
  /** The file of each input report, in the same order. */
  files?: ReportFile[];
  leftOut?: LeftOut[];
  maxAgeMs?: number;
}

export const emptyCounts = (): Counts => ({ pass: 0, fail: 0, warn: 0, skip: 0 });

export function orderReports(reports: Report[]): Report[] {
  const rank = (c: string) => {
    const i = (PIPELINE as readonly string[]).indexOf(c);
    return i === -1 ? PIPELINE.length : i;
  };
  return [...reports].sort((a, b) => rank(a.command) - rank(b.command) || a.command.localeCompare(b.command));
}

export function digest(input: Report[], sources: Sources = {}): Digest {
  const reports = orderReports(input);
  const fileOf = new Map(input.map((r, i) => [r, sources.files?.[i]]));
  const counts = emptyCounts();
  const targets: TargetInfo[] = [];
  const columns: string[] = [];
  const matrix = new Map<string, MatrixRow>();
  const failures: Entry[] = [];
  const warnings: Entry[] = [];
  const errors: Digest["errors"] = [];
  for (const report of reports) {
    for (const t of report.targets) if (!targets.some((x) => x.name === t.name)) targets.push(t);
    if (report.error)
      errors.push({
        command: report.command,
        code: String(report.error.code ?? "E_UNKNOWN"),
        message: String(report.error.message),
      });
    for (const r of report.results) {
      counts[r.status]++;
      if (!columns.includes(r.target)) columns.push(r.target);
      const key = `${report.command}\u0000${r.check}`;
      let row = matrix.get(key);
      if (!row) matrix.set(key, (row = { command: report.command, check: r.check, cells: new Map() }));
      const cell = row.cells.get(r.target) ?? emptyCounts();
      cell[r.status]++;
      row.cells.set(r.target, cell);
      if (r.status === "fail") failures.push({ command: report.command, result: r });
      if (r.status === "warn") warnings.push({ command: report.command, result: r });
    }
  }
  // Targets first in the order the runs named them, then anything else results use.
  columns.sort((a, b) => rankOf(targets, a) - rankOf(targets, b));
  const failed = counts.fail > 0 || errors.length > 0 || reports.some((r) => !r.ok);
  const present = new Set(reports.map((r) => r.command));
  return {
    reports,
    verdict: failed ? "fail" : counts.warn > 0 ? "warn" : "pass",
    counts,
    total: counts.pass + counts.fail + counts.warn + counts.skip,
    targets,
    columns,
    matrix: [...matrix.values()],
    failures,
    warnings,
    errors,
    timings: timings(reports),
    safety: safetyFindings(reports),
    declared: declaredDifferences(reports),
    declaredLoss: declaredLosses(reports),
    crossDbSchema: reports
      .filter((r) => r.command === "cross-db")
      .flatMap((r) =>
        r.results
          .filter((x) => x.check === "cross-db.schema" || x.check === "step.up")
          .map((result) => ({ command: r.command, result })),
      ),
    probes: probes(reports),
    missing: PIPELINE.filter((c) => !present.has(c)),
    files: reports.map((r) => fileOf.get(r)),
    leftOut: sources.leftOut ?? [],
    ...(sources.maxAgeMs !== undefined ? { maxAgeMs: sources.maxAgeMs } : {}),
  };
}

function rankOf(targets: TargetInfo[], name: string): number {
  const i = targets.findIndex((t) => t.name === name);
  return i === -1 ? targets.length : i;
}

/** A command's verdict: a run with nothing to report (a clean lint) passed; it did not skip. */
export function commandStatus(r: Report): Status {
  if (r.error || !r.ok) return "fail";
  if (r.results.length === 0) return "pass";
  const c = emptyCounts();
  for (const x of r.results) c[x.status]++;
  return cellStatus(c);
}

/** How long ago a file was written, for people: "just now", "40 s ago", "12 min ago", "3 h ago", "2 d ago". */
export function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** "left out as from an earlier run (written over 60 min before the newest report): cross-db.json, 3 d ago". */
export function leftOutText(d: Digest): string {
  const limit =
    d.maxAgeMs === undefined ? "" : ` (written over ${+(d.maxAgeMs / 60_000).toFixed(1)} min before the newest report)`;
  return `left out as from an earlier run${limit}: ${d.leftOut.map((x) => `${x.file}, ${age(x.ageMs)}`).join("; ")}`;
}

/** The worst status in a cell. */
export function cellStatus(c: Counts): Status {
  return c.fail ? "fail" : c.warn ? "warn" : c.pass ? "pass" : "skip";
}

/** "2 failed · 410 passed · 17 warnings · 3 skipped" (only the non-zero parts, failures first). */
export function countsText(c: Counts): string {
  const parts: string[] = [];
  if (c.fail) parts.push(`${c.fail} failed`);
  parts.push(`${c.pass} passed`);
  if (c.warn) parts.push(plural(c.warn, "warning"));
  if (c.skip) parts.push(`${c.skip} skipped`);
  return parts.join(" · ");
}

/** The one-line verdict, without its mark: "2 of 432 checks failed", "all 432 checks passed". */
export function verdictText(d: Digest): string {
  if (d.verdict === "fail") {
    const parts: string[] = [];
    if (d.counts.fail) parts.push(`${d.counts.fail} of ${plural(d.total, "check")} failed`);
    const stopped = d.errors.filter((e) => e.code !== "E_SHARD").map((e) => e.command);
    const incomplete = d.errors.filter((e) => e.code === "E_SHARD").map((e) => e.command);
    if (stopped.length) parts.push(`${stopped.join(", ")} stopped on an error`);
    if (incomplete.length) parts.push(`${[...new Set(incomplete)].join(", ")} merged from incomplete shards`);
    const other = d.reports.filter((r) => !r.ok && !r.error && !r.results.some((x) => x.status === "fail"));
    if (other.length) parts.push(`${other.map((r) => r.command).join(", ")} reported a failure`);
    return parts.join("; ");
  }
  if (d.total === 0) return "no check ran";
  if (d.counts.pass === d.total) return `all ${plural(d.total, "check")} passed`;
  const rest = [
    d.counts.warn ? plural(d.counts.warn, "warning") : "",
    d.counts.skip ? `${d.counts.skip} skipped` : "",
  ].filter(Boolean);
  return `${plural(d.counts.pass, "check")} passed, ${rest.join(", ")}`;
}

/** Milliseconds the way the console prints them. */
/** A duration for people: 12.3 ms, 1.23 s, 12.3 s; `none` when unknown. */
export function ms(n: number | undefined, none = "–"): string {
  if (n === undefined) return none;
  if (n >= 10_000) return `${(n / 1000).toFixed(1)} s`;
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  return `${n.toFixed(1)} ms`;
}

export const MARK: Record<Status, string> = { pass: "✓", fail: "✗", warn: "⚠", skip: "–" };
export const WORD: Record<Status, string> = { pass: "passed", fail: "failed", warn: "warning", skip: "skipped" };
