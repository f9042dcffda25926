// migration-summary.md: the run for a pull-request comment and
// $GITHUB_STEP_SUMMARY. Verdict first, then a compact check table, the
// failures in full, the slowest migrations, lint findings and declared
// differences. Text from the reports (user SQL, error messages) is escaped so
// GitHub shows it literally and never turns it into HTML, links or @mentions.
//
// GitHub refuses a comment over 65,536 characters: the summary is built from
// self-contained blocks (a table, one failure, one section) and stops before
// the block that would not fit, saying what was left out.
// https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax

import type { Status } from "../results.ts";
import {
  age,
  cellStatus,
  countsText,
  leftOutText,
  ms,
  slowest,
  verdictText,
  type Counts,
  type Digest,
  type Entry,
  type SafetyFinding,
} from "./digest.ts";
import { plural } from "../plural.ts";
import { coverageOfReports } from "./coverage.ts";

/** Below GitHub's 65,536: actions that post the comment add a few lines of their own. */
export const MARKDOWN_LIMIT = 60_000;

export interface MarkdownOptions {
  /** Where the report files are, for the footer. */
  reportDir?: string;
  /** Maximum size in UTF-8 bytes (a safe bound on characters). */
  limit?: number;
}

const LONG_DIFF = 12;
const MAX_DIFF_LINES = 150;
const MAX_MESSAGE = 2_000;
const MAX_LINT_ROWS = 25;

export function renderMarkdown(d: Digest, opts: MarkdownOptions = {}): string {
  const limit = opts.limit ?? MARKDOWN_LIMIT;
  const head = [verdictBlock(d), coverageBlock(d), matrixBlock(d)].filter(Boolean);
  const body: { text: string; what: string }[] = [];
  const failures = failureBlocks(d);
  if (failures.length) {
    const lint = d.failures.filter((f) => f.result.check.startsWith("safety.")).length;
    const intro = `### ✗ Failures (${d.failures.length - lint + d.errors.length})${lint ? `\n\n${lint} lint error${lint === 1 ? " is" : "s are"} listed under *Lint findings*.` : ""}`;
    body.push({ text: intro, what: "" });
    body.push(...failures.map((text, i) => ({ text, what: `failure ${i + 1} of ${failures.length}` })));
  }
  for (const [what, text] of [
    ["the slowest migrations", slowestBlock(d)],
    ["the lint findings", lintBlock(d)],
    ["the declared differences", declaredBlock(d)],
    ["the warnings", warningsBlock(d)],
  ] as const)
    if (text) body.push({ text, what });
  const foot = footer(d, opts.reportDir);

  const size = (s: string) => Buffer.byteLength(s, "utf8");
  const out = [...head];
  let used = size(out.join("\n\n")) + size(foot) + 400; // room for the note
  let cut: string | undefined;
  for (const b of body) {
    const n = size(b.text) + 2;
    if (used + n > limit) {
      cut = b.what || "the failures";
      break;
    }
    out.push(b.text);
    used += n;
  }
  if (cut) {
    const left = body.length - out.length + head.length;
    out.push(
      `> **Summary cut short** at ${cut} to stay under GitHub's 65,536-character limit (${plural(left, "more block")} left out): everything is in \`report.html\` and \`junit.xml\`.`,
    );
  }
  out.push(foot);
  let text = out.join("\n\n") + "\n";
  // A head larger than the limit (thousands of checks): cut by lines, closing nothing is open at that point.
  if (size(text) > limit) text = truncateLines(text, limit);
  return text;
}

function verdictBlock(d: Digest): string {
  const mark = d.verdict === "fail" ? "✗" : "✓";
  const commands = d.reports
    .map((r, i) => `${code(r.command)}${d.files[i] ? ` (${age(d.files[i].ageMs)})` : ""}`)
    .join(", ");
  const targets = d.targets
    .map((t) => `**${text(t.name)}**${t.dialect !== t.name ? ` (${text(t.dialect)})` : ""}`)
    .join(", ");
  const counts = d.counts.fail ? `${countsText(d.counts).replace(/^(\d+ failed)/, "**$1**")} · ` : "";
  const missing = d.missing.length ? ` Not run: ${d.missing.map(text).join(", ")}.` : "";
  const left = d.leftOut.length ? `\n\n> ${text(capital(leftOutText(d)))}.` : "";
  return `## ${mark} Migration tests: ${text(verdictText(d))}\n\n${counts}${commands || "no command"}${targets ? ` on ${targets}` : ""}.${missing}${left}`;
}

/** How much of each tree was checked, and why not the rest: under the verdict, since a green run that checked little is not green. */
function coverageBlock(d: Digest): string {
  const lines = coverageOfReports(d.reports);
  if (!lines.length) return "";
  return lines
    .map(
      (l) =>
        `- ${l.complete ? "✓" : "⚠"} coverage · ${text(l.command)} · ${text(l.summary)}${l.untested.map((u) => `\n  - ${text(clip(u, 400))}`).join("")}`,
    )
    .join("\n");
}

function cell(c: Counts | undefined): string {
  if (!c) return "·";
  const n = c.pass + c.fail + c.warn + c.skip;
  const s = cellStatus(c);
  const skipped = c.skip && s !== "skip" ? `, ${c.skip} skipped` : "";
  if (s === "fail") return `✗ **${c.fail} of ${n}**${c.warn ? `, ${c.warn} ⚠` : ""}${skipped}`;
  if (s === "warn") return `⚠ ${c.warn} of ${n}${skipped}`;
  if (s === "skip") return `– ${n} skipped`;
  return `✓ ${c.pass}${skipped}`;
}

function matrixBlock(d: Digest): string {
  if (!d.matrix.length) return "_No check results in these reports._";
  const cols = d.columns;
  const lines = [
    `| command | check | ${cols.map((c) => text(c)).join(" | ")} |`,
    `| :-- | :-- | ${cols.map(() => ":--").join(" | ")} |`,
  ];
  let last = "";
  for (const row of d.matrix) {
    lines.push(
      `| ${row.command === last ? "" : text(row.command)} | ${code(row.check, true)} | ${cols.map((c) => cell(row.cells.get(c))).join(" | ")} |`,
    );
    last = row.command;
  }
  return lines.join("\n");
}

function where(e: Entry): string {
  const r = e.result;
  return [text(e.command), text(r.target), r.migration ? code(r.migration) : ""].filter(Boolean).join(" · ");
}

function failureBlocks(d: Digest): string[] {
  const out: string[] = d.errors.map(
    (e) => `**✗ ${text(e.command)} stopped** (${code(e.code)})\n\n${para(clip(e.message, MAX_MESSAGE))}`,
  );
  for (const f of d.failures) {
    if (f.result.check.startsWith("safety.")) continue;
    const lines = [
      `**✗ ${code(f.result.check)}** · ${where(f)}${f.result.durationMs !== undefined ? ` · ${ms(f.result.durationMs)}` : ""}`,
      "",
      para(clip(f.result.message, MAX_MESSAGE)),
    ];
    const diff = f.result.details?.diff;
    if (typeof diff === "string" && diff.trim()) lines.push("", diffBlock(diff));
    out.push(lines.join("\n"));
  }
  return out;
}

/** A ```diff block, collapsed in <details> when long, cut at MAX_DIFF_LINES. */
export function diffBlock(diff: string): string {
  let lines = diff.replace(/\n+$/, "").split("\n");
  const total = lines.length;
  if (total > MAX_DIFF_LINES)
    lines = [...lines.slice(0, MAX_DIFF_LINES), `… ${plural(total - MAX_DIFF_LINES, "more line")} in report.html`];
  const block = fenced(lines.join("\n"), "diff");
  if (total <= LONG_DIFF) return block;
  return `<details><summary>diff: ${total} lines</summary>\n\n${block}\n\n</details>`;
}

function slowestBlock(d: Digest): string {
  const list = slowest(d.reports, 10);
  if (!list.length) return "";
  const lines = [
    "### Slowest migrations",
    "",
    "| migration | target | run | up | down | rows |",
    "| :-- | :-- | :-- | --: | --: | --: |",
    ...list.map(
      (t) =>
        `| ${t.status === "fail" ? "✗ " : ""}${code(t.migration, true)} | ${text(t.target)} | ${text(t.source === "perf" ? `perf · ${t.scenario}` : "test")} | ${ms(t.upMs)} | ${ms(t.downMs)} | ${t.rows === undefined ? "" : t.rows.toLocaleString("en")} |`,
    ),
  ];
  return lines.join("\n");
}

function location(f: SafetyFinding): string {
  if (!f.file) return "";
  return code(`${f.file}${f.line !== undefined ? `:${f.line}` : ""}${f.col !== undefined ? `:${f.col}` : ""}`, true);
}

function lintBlock(d: Digest): string {
  if (!d.safety.length)
    return d.reports.some((r) => r.command === "safety") ? "### Lint findings\n\n✓ No dangerous operation found." : "";
  const active = d.safety.filter((f) => !f.allowed);
  const allowed = d.safety.filter((f) => f.allowed);
  const errors = active.filter((f) => f.result.status === "fail").length;
  const warns = active.length - errors;
  const row = (f: SafetyFinding) =>
    `| ${f.result.status === "fail" ? "✗ error" : "⚠ warning"} | ${code(f.rule, true)} | ${location(f)} | ${text(f.result.target)} | ${text(clip(f.result.message, 400))} |`;
  const head = ["| severity | rule | where | dialect | finding |", "| :-- | :-- | :-- | :-- | :-- |"];
  const sorted = [...active].sort((a, b) => Number(b.result.status === "fail") - Number(a.result.status === "fail"));
  const lines = [
    `### Lint findings: ${plural(errors, "error")}, ${plural(warns, "warning")}${allowed.length ? `, ${allowed.length} allowed` : ""}`,
  ];
  if (sorted.length) lines.push("", ...head, ...sorted.slice(0, MAX_LINT_ROWS).map(row));
  if (sorted.length > MAX_LINT_ROWS)
    lines.push(
      "",
      `<details><summary>${plural(sorted.length - MAX_LINT_ROWS, "more finding")}</summary>`,
      "",
      ...head,
      ...sorted.slice(MAX_LINT_ROWS).map(row),
      "",
      "</details>",
    );
  const hints = new Map<string, string>();
  for (const f of active) if (f.hint && !hints.has(f.rule)) hints.set(f.rule, f.hint);
  if (hints.size)
    lines.push("", "**How to fix**", "", ...[...hints].map(([rule, hint]) => `- ${code(rule)}: ${text(hint)}`));
  if (allowed.length)
    lines.push(
      "",
      "**Allowed by `-- stairway:allow`**",
      "",
      ...allowed.map((f) => `- ${code(f.rule)} at ${location(f)}: ${text(f.allowed?.reason ?? "")}`),
    );
  return lines.join("\n");
}

function declaredBlock(d: Digest): string {
  if (!d.declared.length && !d.declaredLoss.length) return "";
  const lines = ["### Declared differences"];
  if (d.declared.length) {
    lines.push(
      "",
      "Schema differences between databases that the config declares (`cross_db.expected`), with their reasons:",
      "",
    );
    for (const x of d.declared) {
      lines.push(
        `- **${text(x.object)}** on ${text(x.target)}${x.migration ? ` at ${code(x.migration)}` : ""}: ${text(x.reason)}`,
      );
      for (const s of x.differences.slice(0, 8)) lines.push(`  - ${text(clip(s, 300))}`);
      if (x.differences.length > 8) lines.push(`  - … ${x.differences.length - 8} more`);
    }
  }
  if (d.declaredLoss.length) {
    lines.push("", "Data that downs are declared to lose (`-- stairway:lossy`):", "");
    for (const x of d.declaredLoss)
      lines.push(
        `- ${text(x.command)} · ${text(x.target)}${x.migration ? ` · ${code(x.migration)}` : ""}: ${text(clip(x.text, 400))}`,
      );
  }
  return lines.join("\n");
}

function warningsBlock(d: Digest): string {
  const list = d.warnings.filter((w) => !w.result.check.startsWith("safety.") && !obj(w.result.details)?.declaredLoss);
  if (!list.length) return "";
  return [
    `<details><summary>⚠ ${plural(list.length, "other warning")}</summary>`,
    "",
    ...list.slice(0, 100).map((w) => `- ${code(w.result.check)} · ${where(w)}: ${text(clip(w.result.message, 500))}`),
    ...(list.length > 100 ? [`- … ${list.length - 100} more in report.html`] : []),
    "",
    "</details>",
  ].join("\n");
}

function footer(d: Digest, dir: string | undefined): string {
  const version = d.reports[0]?.version;
  const parts = [`stairway${version ? " " + text(version) : ""}`];
  parts.push(`details in ${code(`${dir ? dir.replace(/\/$/, "") + "/" : ""}report.html`)} and ${code("junit.xml")}`);
  return `<sub>${parts.join(" · ")}</sub>`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) + "…" : s;
}

/**
 * Text shown literally: markdown punctuation backslash-escaped (CommonMark
 * allows it before any ASCII punctuation), HTML made inert, one line, and
 * `@name` broken with a zero-width space so a message never pings someone.
 */
export function text(s: string): string {
  return s
    .replace(/\r?\n/g, " ")
    .replace(/[\\`*_[\]#|~]/g, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/(^|[^\w])@(?=\w)/g, "$1@\u200b");
}

/** text() that starts a line: a leading "-", "+", "=" or "1." would make a list or a heading. */
export function para(s: string): string {
  return text(s)
    .replace(/^([-+=])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
}

/** An inline code span that holds any text; in a table cell `|` must still be escaped. */
export function code(s: string, inTable = false): string {
  const one = s.replace(/\r?\n/g, " ");
  const run = Math.max(0, ...[...one.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(run + 1);
  const pad = one.startsWith("`") || one.endsWith("`") ? " " : "";
  const body = inTable ? one.replace(/\|/g, "\\|") : one;
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A fenced block that no backtick run inside can close early. */
export function fenced(body: string, lang = ""): string {
  const run = Math.max(0, ...[...body.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, run + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

function truncateLines(s: string, limit: number): string {
  const note =
    "\n\n> **Summary cut short** to stay under GitHub's 65,536-character limit: everything is in `report.html` and `junit.xml`.\n";
  let out = "";
  for (const line of s.split("\n")) {
    if (Buffer.byteLength(out + line + "\n" + note, "utf8") > limit) break;
    out += line + "\n";
  }
  return out + note;
}

export type { Status };
