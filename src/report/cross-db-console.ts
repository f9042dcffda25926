// Terminal output of `stairway cross-db`: schema verdicts with their diffs and
// declared differences, then the behaviour probes per table.

import pc from "picocolors";
import type { CheckResult, TargetInfo } from "../results.ts";
import { indentDiff, MARK, renderFindings, summaryLine } from "./console.ts";
import { plural } from "../plural.ts";

export function renderCrossDb(results: CheckResult[], targets: TargetInfo[]): string {
  const [ref, ...others] = targets;
  const lines: string[] = [
    pc.bold(`stairway cross-db · ${others.map((t) => t.name).join(", ")} against ${ref?.name ?? "?"}`),
  ];
  const schema = results.filter((x) => x.check === "cross-db.schema" || x.check === "step.up");
  // A target that stopped is not compared at every later version: said once, with how many.
  const skipped = new Map<string, number>();
  for (const r of schema.filter((x) => x.status === "skip"))
    skipped.set(`${r.target}\n${r.message}`, (skipped.get(`${r.target}\n${r.message}`) ?? 0) + 1);
  for (const r of schema) {
    const times = r.status === "skip" ? skipped.get(`${r.target}\n${r.message}`) : undefined;
    if (times === 0) continue;
    if (times) skipped.set(`${r.target}\n${r.message}`, 0);
    lines.push(
      `${MARK[r.status]} ${pc.dim("schema")} ${r.migration ? r.migration + "  " : ""}${r.target}: ${r.status === "fail" ? pc.red(r.message) : r.message}${times && times > 1 ? pc.dim(` (and ${plural(times - 1, "later version")})`) : ""}`,
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
