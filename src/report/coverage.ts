// The coverage of a testing command (README "Keep going") in words, the same
// in the console, migration-summary.md and report.html: "test · sqlite: 41 of
// 44 migrations fully checked; 3 only applied", then why not the others.

import type { Coverage, Report } from "../results.ts";
import { plural } from "../plural.ts";

/** Untested migrations listed under a coverage line; the rest are counted. */
const SHOWN = 5;

export interface CoverageLine {
  /** "sqlite: 41 of 44 migrations fully checked; 3 only applied" */
  summary: string;
  /** Whether every migration the command was to check was fully checked. */
  complete: boolean;
  /** "004_x: not run: 003_y failed to apply", the first few, then "… and N more". */
  untested: string[];
}

export function coverageLine(target: string, c: Coverage): CoverageLine {
  const rest = [
    c.appliedOnly ? `${c.appliedOnly} only applied` : "",
    c.otherShards ? `${c.otherShards} left to the other shards` : "",
  ].filter(Boolean);
  const untested = c.untested.slice(0, SHOWN).map((u) => `${u.migration}: ${u.reason}`);
  if (c.untested.length > SHOWN) untested.push(`… and ${c.untested.length - SHOWN} more (the JSON report lists them)`);
  return {
    summary: `${target}: ${c.checked} of ${plural(c.total, "migration")} fully checked${rest.length ? `; ${rest.join(", ")}` : ""}`,
    complete: c.checked === c.total,
    untested,
  };
}

/** Every coverage of these reports, command by command. */
export function coverageOfReports(reports: Report[]): (CoverageLine & { command: string })[] {
  return reports.flatMap((r) =>
    Object.entries(r.coverage ?? {}).map(([target, c]) => ({ command: r.command, ...coverageLine(target, c) })),
  );
}
