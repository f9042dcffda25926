// A verdict per line, grouped by target: for commands whose results are one
// check per migration (data-test, backup-test).

import pc from "picocolors";
import type { CheckResult } from "../results.ts";
import { indentDiff, MARK, ms, pad, summaryLine } from "./console.ts";

export function renderMatrixSimple(title: string, results: CheckResult[]): string {
  const lines = [pc.bold(title)];
  const targets = [...new Set(results.map((r) => r.target))];
  const width = Math.max(9, ...results.map((r) => (r.migration ?? "").length));
  for (const t of targets) {
    lines.push(pc.bold(`  ${t}`));
    for (const r of results.filter((x) => x.target === t)) {
      const time = r.durationMs !== undefined ? pc.dim(ms(r.durationMs).padStart(10)) : " ".repeat(10);
      lines.push(
        `  ${MARK[r.status]} ${pad(r.migration ?? "", width)} ${time}  ${r.status === "fail" ? pc.red(r.message) : r.message}`,
      );
      const diff = r.details?.diff;
      if (typeof diff === "string") lines.push(indentDiff(diff, "      "));
    }
  }
  lines.push("", summaryLine(results));
  return lines.join("\n");
}
