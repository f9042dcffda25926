// Readers of each check's `details` for `stairway report`: perf timings and
// locks, lint findings, declared differences and losses, behaviour probes.
// Reports come from files another version may have written, so every field is
// checked before use, never trusted by its type.

import type { CheckResult, Report, Status } from "../results.ts";

/** One migration's up and down time in one run (a perf scenario, or the stairway test). */
export interface Timing {
  /** "perf" or "test". */
  source: string;
  /** The perf scenario, or "stairway test". */
  scenario: string;
  target: string;
  migration: string;
  upMs?: number;
  downMs?: number;
  rows?: number;
  peakRssMb?: number;
  /** PostgreSQL: every lock the up held, and those that block writes on tables with rows. */
  locks?: { relation: string; mode: string }[];
  blocking?: string[];
  stallMs?: number;
  stallTable?: string;
  /** The worst verdict of this step's timing checks (perf.threshold, perf.lock; step.up/step.down). */
  status: Status;
  /** The perf.lock verdict, where one was given. */
  lockStatus?: Status;
  /** Why the step has no time: it did not run there (an earlier step failed). */
  note?: string;
}

export interface Declared {
  target: string;
  migration?: string;
  object: string;
  reason: string;
  differences: string[];
}

export interface SafetyFinding {
  result: CheckResult;
  rule: string;
  severity: string;
  file?: string;
  line?: number;
  col?: number;
  hint?: string;
  statement?: string;
  allowed?: { reason: string; line?: number };
}

/** Rows a down is allowed to lose (`-- stairway:lossy`) that it did lose. */
export interface DeclaredLoss {
  command: string;
  target: string;
  migration?: string;
  text: string;
}

export interface Probe {
  table: string;
  target: string;
  status: Status;
  message: string;
  probes: { probe: string; outcomes: Record<string, string> }[];
}

const WORST: Status[] = ["fail", "warn", "pass", "skip"];
export function worst(statuses: Status[]): Status {
  for (const s of WORST) if (statuses.includes(s)) return s;
  return "skip";
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/**
 * Per-migration timings: from perf.json (perf.threshold details are a
 * PerfTiming), else from test.json's step.up / step.down durations.
 */
export function timings(reports: Report[]): Timing[] {
  const perf = reports.find((r) => r.command === "perf");
  const out: Timing[] = [];
  if (perf) {
    for (const [i, r] of perf.results.entries()) {
      if (r.check !== "perf.threshold") continue;
      const d = obj(r.details);
      const scenario = str(d?.scenario) ?? r.message.match(/^([\w.-]+):/)?.[1] ?? "perf";
      if (!r.migration) continue;
      // perf.lock follows its perf.threshold and carries the same scenario prefix.
      const lock = perf.results
        .slice(i + 1, i + 3)
        .find(
          (x) =>
            x.check === "perf.lock" &&
            x.target === r.target &&
            x.migration === r.migration &&
            x.message.startsWith(`${scenario}:`),
        );
      const locks = Array.isArray(d?.locks)
        ? (d.locks as unknown[])
            .map(obj)
            .filter((l): l is Record<string, unknown> => !!l)
            .map((l) => ({ relation: String(l.relation ?? ""), mode: String(l.mode ?? "") }))
        : undefined;
      out.push({
        source: "perf",
        scenario,
        target: r.target,
        migration: r.migration,
        upMs: num(d?.upMs) ?? (d ? undefined : r.durationMs),
        downMs: num(d?.downMs),
        rows: num(d?.rows),
        peakRssMb: num(d?.peakRssMb),
        ...(locks ? { locks } : {}),
        ...(d && Array.isArray(d.blocking) ? { blocking: strings(d.blocking) } : {}),
        ...(num(d?.stallMs) !== undefined ? { stallMs: num(d?.stallMs) } : {}),
        ...(str(d?.stallTable) ? { stallTable: str(d?.stallTable) } : {}),
        status: worst([r.status, ...(lock ? [lock.status] : [])]),
        ...(lock ? { lockStatus: lock.status } : {}),
      });
    }
    return out;
  }
  const test = reports.find((r) => r.command === "test");
  if (!test) return out;
  const byKey = new Map<string, Timing>();
  for (const r of test.results) {
    const dir = r.check === "step.up" ? "up" : r.check === "step.down" ? "down" : undefined;
    if (!dir || !r.migration) continue;
    // A step the test did not run there (an earlier one failed) has no time: it says why.
    if (r.durationMs === undefined && !(dir === "up" && r.status === "skip")) continue;
    const key = `${r.target}\u0000${r.migration}`;
    let t = byKey.get(key);
    if (!t)
      byKey.set(
        key,
        (t = { source: "test", scenario: "stairway test", target: r.target, migration: r.migration, status: r.status }),
      );
    if (r.durationMs === undefined) t.note = r.message;
    else if (dir === "up") t.upMs = r.durationMs;
    else t.downMs = r.durationMs;
    t.status = worst([t.status, r.status]);
  }
  return [...byKey.values()];
}

/** Timings from every source (perf and test), slowest step first. */
export function slowest(reports: Report[], n: number): Timing[] {
  const perf = reports.filter((r) => r.command === "perf");
  const test = reports.filter((r) => r.command === "test");
  const all = [...timings(perf), ...timings(test)];
  const key = (t: Timing) => Math.max(t.upMs ?? 0, t.downMs ?? 0);
  return all
    .filter((t) => key(t) > 0)
    .sort((a, b) => key(b) - key(a))
    .slice(0, n);
}

export function safetyFindings(reports: Report[]): SafetyFinding[] {
  const out: SafetyFinding[] = [];
  for (const report of reports)
    for (const r of report.results) {
      if (!r.check.startsWith("safety.")) continue;
      const d = obj(r.details);
      const allowed = obj(d?.allowed);
      out.push({
        result: r,
        rule: str(d?.rule) ?? r.check.slice("safety.".length),
        severity: str(d?.severity) ?? (r.status === "fail" ? "error" : "warning"),
        file: str(d?.file),
        line: num(d?.line),
        col: num(d?.col),
        hint: str(d?.hint),
        statement: str(d?.statement),
        ...(allowed ? { allowed: { reason: String(allowed.reason ?? ""), line: num(allowed.line) } } : {}),
      });
    }
  return out;
}

export function declaredDifferences(reports: Report[]): Declared[] {
  const out: Declared[] = [];
  for (const report of reports.filter((r) => r.command === "cross-db"))
    for (const r of report.results) {
      if (r.check !== "cross-db.schema") continue;
      const list = obj(r.details)?.declared;
      if (!Array.isArray(list)) continue;
      for (const x of list.map(obj)) {
        if (!x) continue;
        out.push({
          target: r.target,
          migration: r.migration,
          object: String(x.object ?? ""),
          reason: String(x.reason ?? ""),
          differences: strings(x.differences),
        });
      }
    }
  return out;
}

export function declaredLosses(reports: Report[]): DeclaredLoss[] {
  const out: DeclaredLoss[] = [];
  for (const report of reports)
    for (const r of report.results)
      for (const text of strings(obj(r.details)?.declaredLoss))
        out.push({ command: report.command, target: r.target, migration: r.migration, text });
  return out;
}

export function probes(reports: Report[]): Probe[] {
  const out: Probe[] = [];
  for (const report of reports.filter((r) => r.command === "cross-db"))
    for (const r of report.results) {
      if (r.check !== "cross-db.behaviour") continue;
      const list = obj(r.details)?.probes;
      const table = r.message.match(/^([^:]+):/)?.[1] ?? "";
      out.push({
        table,
        target: r.target,
        status: r.status,
        message: table ? r.message.slice(table.length + 1).trim() : r.message,
        probes: Array.isArray(list)
          ? list
              .map(obj)
              .filter((p): p is Record<string, unknown> => !!p)
              .map((p) => ({
                probe: String(p.probe ?? ""),
                outcomes: Object.fromEntries(Object.entries(obj(p.outcomes) ?? {}).map(([k, v]) => [k, String(v)])),
              }))
          : [],
      });
    }
  return out;
}
