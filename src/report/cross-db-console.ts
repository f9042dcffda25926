// Terminal output of `stairway cross-db`: schema verdicts with their diffs and
// declared differences, then the behaviour probes per table.

import pc from "picocolors";
import type { CheckResult, TargetInfo } from "../results.ts";
import { indentDiff, MARK, renderFindings, summaryLine } from "./console.ts";

export function renderCrossDb(results: CheckResult[], targets: TargetInfo[]): string {
  const [ref, ...others] = targets;
  const lines: string[] = [
    pc.bold(`stairway cross-db · ${others.map((t) => t.name).join(", ")} against ${ref?.name ?? "?"}`),
  ];
  for (const r of results.filter((x) => x.check === "cross-db.schema" || x.check === "step.up")) {
    lines.push(
      `${MARK[r.status]} ${pc.dim("schema")} ${r.migration ? r.migration + "  " : ""}${r.target}: ${r.status === "fail" ? pc.red(r.message) : r.message}`,
    );
    const declared = r.details?.declared as { object: string; reason: string; differences: string[] }[] | undefined;
    for (const d of declared ?? []) {
      lines.push(pc.yellow(`    declared: ${d.object} — ${d.reason}`));
      for (const s of d.differences) lines.push(pc.dim(`      ${s}`));
    }
    const diff = r.details?.diff;
    if (typeof diff === "string") lines.push(indentDiff(diff));
  }
  const probes = results.filter((x) => x.check === "cross-db.behaviour");
  if (probes.length) {
    lines.push(
      "",
      pc.bold("behaviour probes") +
        pc.dim("  (the same rows on every target: NOT NULL, UNIQUE, foreign keys, lengths, types, CHECKs)"),
    );
    for (const r of probes) lines.push(`  ${MARK[r.status]} ${r.status === "fail" ? pc.red(r.message) : r.message}`);
  }
  const other = results.filter((x) => !["cross-db.schema", "cross-db.behaviour", "step.up"].includes(x.check));
  if (other.length) lines.push(renderFindings(other));
  lines.push("", summaryLine(results));
  return lines.join("\n");
}
