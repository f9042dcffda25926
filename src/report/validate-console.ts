// Terminal output of `stairway validate`: one line per verdict, diffs in full.

import pc from "picocolors";
import type { CheckResult } from "../results.ts";
import { indentDiff, MARK, summaryLine } from "./console.ts";

/** `note`: what the files were read as, and why, when no target said. */
export function renderValidate(results: CheckResult[], note?: string): string {
  const lines = [pc.bold("stairway validate")];
  if (note) lines.push(pc.dim(note));
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
