// The human report of `stairway safety --format text`: file:line:col, the
// statement with a caret line under it, the rule, the message and the fix.

import pc from "picocolors";
import type { Report } from "../results.ts";
import { detailsOf } from "./results.ts";
import { plural } from "../plural.ts";

export interface TextSummary {
  files: number;
  dialects: string[];
}

export function renderText(report: Report, summary: TextSummary): string {
  const out: string[] = [];
  const active = report.results.filter((r) => r.status !== "skip");
  const allowed = report.results.filter((r) => r.status === "skip");
  for (const r of active) {
    const d = detailsOf(r);
    const level = d.severity === "error" ? pc.red(pc.bold("error")) : pc.yellow(pc.bold("warning"));
    out.push(`${pc.bold(`${d.file}:${d.line}:${d.col}`)}: ${level} ${pc.bold(d.rule)} ${pc.dim(`(${r.target})`)}`);
    out.push(...excerpt(d));
    out.push(`  ${r.message}`);
    out.push(`  ${pc.cyan("hint:")} ${d.hint}`);
    out.push("");
  }
  if (allowed.length) {
    out.push(pc.dim(`allowed by -- stairway:allow (${allowed.length}):`));
    for (const r of allowed) {
      const d = detailsOf(r);
      out.push(pc.dim(`  ${d.file}:${d.line}:${d.col} ${d.rule} (${r.target}): ${d.allowed?.reason ?? ""}`));
    }
    out.push("");
  }
  const errors = active.filter((r) => r.status === "fail").length;
  const warnings = active.length - errors;
  const what = `${plural(summary.files, "file")} (${summary.dialects.join(", ") || "no dialect"})`;
  const tally = [plural(errors, "error"), plural(warnings, "warning"), `${allowed.length} allowed`].join(", ");
  out.push(errors ? pc.red(`✗ safety: ${tally} in ${what}`) : `${pc.green("✓")} safety: ${tally} in ${what}`);
  return out.join("\n");
}

/**
 * The line as written, numbered, with carets under the part at fault (from
 * col to endCol); a line over 100 characters shows a window around it.
 */
function excerpt(d: { line: number; col: number; endCol: number; source: string; statement: string }): string[] {
  const text = d.source.replace(/\t/g, " "); // one column each, as col counts them
  const from = d.col - 1;
  const to = Math.max(d.endCol - 1, from + 1);
  const start = to <= WIDTH ? 0 : Math.max(0, Math.min(from - 10, text.length - WIDTH));
  const end = Math.min(text.length, start + WIDTH);
  const shown = (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  const more = d.statement.includes("\n") ? pc.dim(" …") : "";
  const lead = from - start + (start > 0 ? 1 : 0);
  const carets = Math.max(1, Math.min(to, end) - from);
  const gutter = " ".repeat(String(d.line).length);
  return [
    `  ${pc.dim(`${d.line} |`)} ${shown}${more}`,
    `  ${gutter} ${pc.dim("|")} ${" ".repeat(lead)}${pc.red("^".repeat(carets))}`,
  ];
}

const WIDTH = 100;
