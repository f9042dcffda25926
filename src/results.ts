// What every command returns and every reporter renders (docs/ARCHITECTURE.md "Output").

import { VERSION } from "./version.ts";

export type Status = "pass" | "fail" | "skip" | "warn";

export const DEFAULT_REPORT_DIR = "tests/migrations/reports";

export interface CheckResult {
  check: string;
  target: string;
  migration?: string;
  status: Status;
  message: string;
  durationMs?: number;
  details?: Record<string, unknown>;
}

export interface TargetInfo {
  name: string;
  dialect: string;
  /** Redacted. */
  url: string;
}

export type MigrationStateName = "applied" | "pending" | "dirty" | "drifted" | "missing-file";

export interface MigrationState {
  target: string;
  version: string;
  name: string;
  state: MigrationStateName;
  appliedAt?: string;
  durationMs?: number;
  /** Read from another runner's bookkeeping (`status` where stairway has recorded nothing yet): its name. */
  recordedBy?: string;
}

/** How much of a tree a testing command could check on one target (README "Keep going"). */
export interface Coverage {
  /** Migrations whose every check ran. */
  checked: number;
  total: number;
  /** The others, with why (the first check that could not run). */
  untested: { migration: string; target: string; reason: string }[];
  /** Applied on the way (ups, nothing checked): before the first checked one (--since, --since-git, a shard's prefix), or unchanged between two checked ones. */
  appliedOnly?: number;
  /** After a shard's slice: the other shards check them. */
  otherShards?: number;
}

/** What a testing command checked when not the whole tree (--since, --since-git, --shard), for the report and for merging shards. */
export interface ReportSelection {
  since?: string;
  sinceGit?: { ref: string; base: string };
  shard?: {
    index: number;
    count: number /** What the slices were cut by: a report's timings, or counts. */;
    basis: string;
  };
  targets: Record<string, TargetSelectionInfo>;
}

export interface TargetSelectionInfo {
  /** Migrations that apply to the target. */
  total: number;
  /** [from, to): where in the target's list of migrations the run went, after its prefix (a shard's slice). */
  from: number;
  to: number;
  /** The first and last migration of that part. */
  first?: string;
  last?: string;
  checked: number;
  /** How the prefix was put in place: migrations, "cache" or "applied", the prefix cache's word, ms. */
  prefix: { migrations: number; from: string; cache?: string; ms: number };
}

export interface Report {
  tool: "stairway";
  version: string;
  /** The command's report name (`<report-dir>/<command>.json`); null when the command line named none. */
  command: string;
  ok: boolean;
  targets: TargetInfo[];
  results: CheckResult[];
  migrations?: MigrationState[];
  /** Testing commands: per target. */
  coverage?: Record<string, Coverage>;
  /** When not the whole tree was checked (--since, --since-git, --shard). */
  selection?: ReportSelection;
  /** A report `report --from` merged from the shards of one run: their count, and which were there. */
  shards?: { count: number; merged: number[] };
  /** Per target, the wall time (ms) each checked migration took, checks included: what --shard balances by. */
  stepMs?: Record<string, Record<string, number>>;
  /** How the SQL tree was read (of the first tree, when targets have trees of their own). */
  layout?: ReportLayout;
  /** Set when the command stopped on an error before it could finish. */
  error?: { code: string; message: string };
}

export interface ReportLayout {
  /** A preset id, given or detected… */
  preset?: string;
  /** …or the config's own layout.pattern. */
  pattern?: string;
  detected: boolean;
  /** Other presets that read the tree's files the same way. */
  alike?: string[];
  tree: string;
  /** What the layout left out on purpose, once per reason. */
  notes?: string[];
}

/**
 * The one place a report object is made (finish(), a failed run's report in
 * cli.ts, `schema dump --json`): the tool, its version, the command's report
 * name, then what the command gives.
 */
export function envelope<T extends Omit<Report, "tool" | "version" | "command">>(
  command: string | null,
  body: T,
): Report & T {
  return { tool: "stairway", version: VERSION, command: command as string, ...body };
}

export function isOk(results: CheckResult[]): boolean {
  return results.every((r) => r.status !== "fail");
}

/** Times an async step in milliseconds, to 0.1 ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: round(performance.now() - t0) };
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * A report as JSON: one line, as squawk and ESLint print theirs (a lint report
 * of thousands of findings is megabytes, and its readers are programs);
 * indented for a person when it goes to a terminal.
 */
export function reportJson(report: object, forTerminal = false): string {
  return forTerminal ? JSON.stringify(report, null, 2) : JSON.stringify(report);
}
