// Terminal output of `stairway validate`: one line per verdict, diffs in full.

import pc from "picocolors";
import type { CheckResult } from "../results.ts";
import { indentDiff, MARK, summaryLine } from "./console.ts";

export function renderValidate(results: CheckResult[]): string {
  const lines = [pc.bold("stairway validate")];
  for (const r of results) {
    lines.push(
      `${MARK[r.status]} ${pc.dim(r.check.padEnd(22))} ${pc.dim(r.target)}  ${r.status === "fail" ? pc.red(r.message) : r.message}`,
    );
    const diff = r.details?.diff;
    if (typeof diff === "string") lines.push(indentDiff(diff));
  }
  lines.push("", summaryLine(results));
  return lines.join("\n");
}
