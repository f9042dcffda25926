// Terminal output of `stairway perf`: a timing table per scenario and target.

import pc from "picocolors";
import type { PerfTiming } from "../checks/perf.ts";
import type { CheckResult } from "../results.ts";
import { MARK, ms, pad, summaryLine } from "./console.ts";

export function renderPerf(results: CheckResult[], timings: PerfTiming[]): string {
  const lines: string[] = [];
  const groups = new Map<string, PerfTiming[]>();
  for (const t of timings)
    groups.set(`${t.scenario} · ${t.target}`, [...(groups.get(`${t.scenario} · ${t.target}`) ?? []), t]);
  for (const [title, list] of groups) {
    lines.push(pc.bold(`stairway perf · ${title}`));
    const width = Math.max(9, ...list.map((t) => t.migration.length));
    lines.push(
      pc.dim(
        `  ${pad("migration", width)}  ${"rows".padStart(10)}  ${"up".padStart(10)}  ${"down".padStart(10)}  ${"stall".padStart(10)}  ${"rss".padStart(7)}  blocking locks`,
      ),
    );
    for (const t of list) {
      const verdicts = results.filter(
        (r) => r.migration === t.migration && r.target === t.target && r.message.startsWith(t.scenario + ":"),
      );
      const mark = verdicts.some((r) => r.status === "fail")
        ? MARK.fail
        : verdicts.some((r) => r.status === "warn")
          ? MARK.warn
          : MARK.pass;
      const locks = t.blocking.map((l) => l.replace(/Lock on /, " on ")).join(", ");
      lines.push(
        `${mark} ${pad(t.migration, width)}  ${t.rows.toLocaleString("en").padStart(10)}  ${ms(t.upMs).padStart(10)}  ${ms(t.downMs).padStart(10)}  ${(t.stallMs === undefined ? "–" : ms(t.stallMs)).padStart(10)}  ${`${t.peakRssMb}MB`.padStart(7)}  ${pc.dim(locks)}`,
      );
    }
    // What the target could not measure, said once under its table.
    const { scenario, target } = list[0]!;
    for (const r of results)
      if (r.status === "skip" && !r.migration && r.target === target && r.message.startsWith(`${scenario}: `))
        lines.push(pc.dim(`  ${r.message.slice(scenario.length + 2)}`));
  }
  const problems = results.filter((r) => r.status === "fail" || r.status === "warn");
  if (problems.length)
    lines.push(
      "",
      ...problems.map((r) => `${MARK[r.status]} ${pc.bold(r.check)} ${r.target} ${r.migration ?? ""}: ${r.message}`),
    );
  lines.push("", summaryLine(results));
  return lines.join("\n");
}
