// Human output on the terminal: pure functions of results, so the same object
// feeds JSON, JUnit and these lines.

import pc from "picocolors";
import type { CheckResult, MigrationState, Status, TargetInfo } from "../results.ts";
import { storeOf, type Dialect } from "../stores/dialects.ts";
import { ms as duration } from "./digest.ts";
import { plural } from "../plural.ts";

export const MARK: Record<Status, string> = {
  pass: pc.green("✓"),
  fail: pc.red("✗"),
  skip: pc.dim("–"),
  warn: pc.yellow("!"),
};

export const ms = (n: number | undefined): string => duration(n, "");

const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
export function pad(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - [...visible(s)].length));
}

/** Lines for up/down/redo: one per step. */
export function renderSteps(results: CheckResult[], targets: TargetInfo[]): string {
  const lines: string[] = [];
  for (const t of targets) {
    const mine = results.filter((r) => r.target === t.name);
    lines.push(pc.bold(`${t.name}`) + pc.dim(`  ${t.url}`));
    if (mine.length === 0) lines.push(pc.dim("  nothing to do"));
    const width = Math.max(0, ...mine.map((r) => (r.migration ?? "").length));
    for (const r of mine) {
      const verb = r.check === "step.down" ? "down" : "up";
      const main = `  ${MARK[r.status]} ${pad(r.migration ?? "", width)}  ${verb.padEnd(4)} ${pc.dim(ms(r.durationMs))}`;
      lines.push(r.status === "fail" ? `${main}\n    ${pc.red(r.message)}` : main);
    }
  }
  return lines.join("\n");
}

const STATE_COLOR: Record<MigrationState["state"], (s: string) => string> = {
  applied: pc.green,
  pending: pc.yellow,
  dirty: pc.red,
  drifted: pc.magenta,
  "missing-file": pc.red,
};

const STATE_HINT: Partial<Record<MigrationState["state"], string>> = {
  dirty: 'failed halfway outside a transaction: fix by hand, then "stairway force VERSION" or "--pending"',
  drifted: "its up file changed after it was applied",
  "missing-file": "applied here, but its files are gone from the tree",
};

// A transform over keys does not roll back; it resumes from its checkpoints.
const KEYS_DIRTY_HINT = 'a transform stopped halfway: "stairway up" resumes it, "stairway down" undoes what it did';

/** `notes`: a line under a target's name (whose record was read, when it was another runner's). */
export function renderStatus(
  states: MigrationState[],
  targets: TargetInfo[],
  notes: Record<string, string> = {},
): string {
  const lines: string[] = [];
  for (const t of targets) {
    const mine = states.filter((s) => s.target === t.name);
    lines.push(pc.bold(t.name) + pc.dim(`  ${t.url}`));
    if (notes[t.name]) lines.push(pc.dim(`  ${notes[t.name]}`));
    if (mine.length === 0) lines.push(pc.dim("  no migrations for this target"));
    // A version another runner recorded that the tree does not have may have no name.
    const label = (s: MigrationState) => (s.name ? `${s.version}_${s.name}` : s.version);
    const width = Math.max(0, ...mine.map((s) => label(s).length));
    for (const s of mine) {
      const when = s.appliedAt ? pc.dim(s.appliedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")) : "";
      const text = ofKeys(t) && s.state === "dirty" ? KEYS_DIRTY_HINT : STATE_HINT[s.state];
      const hint = text ? pc.dim(`  ${text}`) : "";
      lines.push(`  ${pad(label(s), width)}  ${pad(STATE_COLOR[s.state](s.state), 12)} ${when}${hint}`);
    }
    const counts = new Map<string, number>();
    for (const s of mine) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    if (mine.length) lines.push(pc.dim(`  ${[...counts].map(([k, v]) => `${v} ${k}`).join(", ")}`));
  }
  return lines.join("\n");
}

/** Problems found outside any migration step (files.*, targets). */
export function renderFindings(results: CheckResult[]): string {
  return results
    .filter((r) => r.status === "fail" || r.status === "warn")
    .map((r) => `${MARK[r.status]} ${pc.dim(r.check)} ${r.message}`)
    .join("\n");
}

export function summaryLine(results: CheckResult[]): string {
  const n = (s: Status) => results.filter((r) => r.status === s).length;
  const parts = [pc.green(`${n("pass")} passed`)];
  if (n("fail")) parts.push(pc.red(`${n("fail")} failed`));
  if (n("warn")) parts.push(pc.yellow(plural(n("warn"), "warning")));
  if (n("skip")) parts.push(pc.dim(`${n("skip")} skipped`));
  return parts.join(", ");
}

const STAIRWAY_COLUMNS: [string, string][] = [
  ["step.up", "up"],
  ["step.integrity", "fk"],
  ["step.down", "down"],
  ["step.down-restores-schema", "schema"],
  ["step.data-preserved", "data"],
  ["step.redo", "redo"],
];

const ROLLBACK_COLUMNS: [string, string][] = [
  ["step.down", "rollback"],
  ["step.down-restores-schema", "schema"],
  ["rollback.data-preserved", "data"],
];

const KEYS_STAIRWAY_COLUMNS: Column[] = [
  ["step.up", "up"],
  ["redis.ttl-preserved", "ttl"],
  ["step.down", "down"],
  ["redis.down-restores", "restores"],
  ["step.redo", "redo", true],
  ["redis.concurrent-writes", "concurrent"],
];

const KEYS_ROLLBACK_COLUMNS: Column[] = [
  ["step.down", "rollback"],
  ["redis.down-restores", "restores"],
];

/** Check id, header, and whether the cell shows the time (default: up and down steps do). */
type Column = [string, string, boolean?];
type Columns = (t: TargetInfo) => Column[];

export const renderStairway = (results: CheckResult[], targets: TargetInfo[], title: string) =>
  renderMatrix(results, targets, title, (t) => (ofKeys(t) ? KEYS_STAIRWAY_COLUMNS : STAIRWAY_COLUMNS));
export const renderRollback = (results: CheckResult[], targets: TargetInfo[]) =>
  renderMatrix(results, targets, "stairway rollback", (t) => (ofKeys(t) ? KEYS_ROLLBACK_COLUMNS : ROLLBACK_COLUMNS));

const TIMED = new Set(["step.up", "step.down"]);

/** A store of keys (Redis): other checks, and a test works in place. */
const ofKeys = (t: TargetInfo) => storeOf(t.dialect as Dialect).kind === "keys";

/** A table per target: migration × check, then every failure in full. */
function renderMatrix(results: CheckResult[], targets: TargetInfo[], title: string, columnsOf: Columns): string {
  const lines: string[] = [];
  for (const t of targets) {
    const COLUMNS = columnsOf(t);
    const mine = results.filter((r) => r.target === t.name);
    const where = ofKeys(t) ? `in ${t.url}, emptied at the end` : `on a scratch database beside ${t.url}`;
    lines.push(pc.bold(`${title} · ${t.name}`) + pc.dim(`  ${where}`));
    const migrations = [
      ...new Set(mine.filter((r) => r.migration && COLUMNS.some(([id]) => id === r.check)).map((r) => r.migration!)),
    ];
    if (migrations.length === 0 && !mine.length) {
      lines.push(pc.dim("  no migrations for this target"));
      continue;
    }
    const width = Math.max(9, ...migrations.map((m) => m.length));
    const timed = ([id, , t]: Column) => t ?? TIMED.has(id);
    const colWidth = (c: Column) => Math.max(timed(c) ? 11 : 7, c[1].length + 1);
    const cell = (r: CheckResult | undefined, c: Column) =>
      r
        ? pad(
            `${MARK[r.status]}${timed(c) && r.durationMs !== undefined ? " " + pc.dim(ms(r.durationMs)) : ""}`,
            colWidth(c),
          )
        : pad(pc.dim("·"), colWidth(c));
    lines.push(pc.dim(`  ${pad("migration", width)}  ${COLUMNS.map((c) => pad(c[1], colWidth(c))).join("")}`));
    for (const m of migrations) {
      const row = COLUMNS.map((c) =>
        cell(
          mine.find((r) => r.migration === m && r.check === c[0]),
          c,
        ),
      );
      lines.push(`  ${pad(m, width)}  ${row.join("")}`);
    }
    for (const r of mine.filter((r) => !r.migration || !COLUMNS.some(([id]) => id === r.check)))
      lines.push(
        `  ${MARK[r.status]} ${pc.dim(r.check)}  ${r.message}${r.durationMs !== undefined ? pc.dim("  " + ms(r.durationMs)) : ""}`,
      );
  }
  const problems = results.filter((r) => r.status === "fail" || r.status === "warn");
  if (problems.length) {
    lines.push("");
    for (const r of problems) {
      lines.push(`${MARK[r.status]} ${pc.bold(r.check)}  ${r.target}${r.migration ? "  " + r.migration : ""}`);
      lines.push(`  ${r.status === "fail" ? pc.red(r.message) : pc.yellow(r.message)}`);
      const diff = r.details?.diff;
      if (typeof diff === "string") lines.push(indentDiff(diff));
    }
  }
  lines.push("");
  if (targets.length === 0 || targets.some((t) => !ofKeys(t))) lines.push(pc.dim(LEGEND[title] ?? ""));
  if (targets.some(ofKeys)) lines.push(pc.dim(LEGEND[`${title} keys`] ?? ""));
  lines.push(summaryLine(results));
  return lines.join("\n");
}

const LEGEND: Record<string, string> = {
  "stairway test":
    "up/down: the step ran (time) · fk: foreign keys hold · schema: down restored the schema · data: no row or value lost · redo: up again, same schema",
  "stairway rollback":
    "rollback: the down ran over fixtures and generated rows (time) · schema: as before its up · data: no row or value lost",
  "stairway test keys":
    "redis — up: the transform ran over seeded keys (time) · ttl: no key lost its TTL · restores: down gave back every key, value and TTL · redo: up again, same keys · concurrent: nothing a writer wrote during up was lost",
  "stairway rollback keys":
    "redis — rollback: the down ran at head over seeded keys (time) · restores: every key, value and TTL as before its up",
};

/** A unified diff indented under its result line, in colour on a terminal. */
export function indentDiff(diff: string, indent = "    "): string {
  return diff
    .split("\n")
    .map((l) => indent + colorDiff(l))
    .join("\n");
}

function colorDiff(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return pc.dim(line);
  if (line.startsWith("+")) return pc.green(line);
  if (line.startsWith("-")) return pc.red(line);
  if (line.startsWith("@@")) return pc.cyan(line);
  return line;
}
