// The human report of `stairway safety --format text`: file:line:col, the
// statement with a caret line under it, the rule, the message and the fix.

import pc from "picocolors";
import type { Report } from "../results.ts";
import { detailsOf } from "./results.ts";

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
    out.push(...excerpt(d.line, d.col, d.statement));
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
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const what = `${count(summary.files, "file")} (${summary.dialects.join(", ") || "no dialect"})`;
  const tally = [count(errors, "error"), count(warnings, "warning"), `${allowed.length} allowed`].join(", ");
  out.push(errors ? pc.red(`✗ safety: ${tally} in ${what}`) : `${pc.green("✓")} safety: ${tally} in ${what}`);
  return out.join("\n");
}

/** The statement's first line, numbered, with carets under it. */
function excerpt(line: number, col: number, statement: string): string[] {
  const first = statement.split("\n")[0]!.replace(/\t/g, " ");
  const shown = first.length > 100 ? first.slice(0, 99) + "…" : first;
  const more = statement.includes("\n") ? pc.dim(" …") : "";
  const gutter = String(line).length;
  const pad = " ".repeat(Math.max(0, col - 1));
  return [
    `  ${pc.dim(`${String(line)} |`)} ${pad}${shown}${more}`,
    `  ${" ".repeat(gutter)} ${pc.dim("|")} ${pad}${pc.red("^".repeat(Math.max(1, shown.length)))}`,
  ];
}
