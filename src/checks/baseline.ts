// Perf baselines: the timings of a run saved to a file, and a later run
// compared with them. A step regresses when it is slower than the baseline by
// more than the noise margin (relative and absolute: small steps jitter).
// Times are compared only over data of the same size: a step timed over 10x
// the rows is slower without regressing, and over a tenth of them a real
// regression hides; such a step is skipped, saying why.

import { readFileSync, writeFileSync } from "node:fs";
import { configError } from "../errors.ts";
import type { CheckResult } from "../results.ts";
import type { PerfTiming } from "./perf.ts";
import { plural } from "../plural.ts";

export interface Baseline {
  tool: "stairway";
  kind: "perf-baseline";
  savedAt: string;
  /** "scenario/target/migration/up|down" → ms */
  timings: Record<string, number>;
  /** "scenario/target/migration" → the rows (Redis: keys) the step ran over; absent in baselines of older versions. */
  rows?: Record<string, number>;
}

/** Row counts further apart than this (relative) are another data size: the times are not compared. */
export const SAME_SIZE = 0.1;

/** Slower than baseline × (1 + RELATIVE) + ABSOLUTE ms is a regression. */
export const NOISE = { relative: 0.5, absoluteMs: 25 };

const step = (t: PerfTiming) => `${t.scenario}/${t.target}/${t.migration}`;
const key = (t: PerfTiming, dir: "up" | "down") => `${step(t)}/${dir}`;

export function saveBaseline(path: string, timings: PerfTiming[]): void {
  const b: Baseline = {
    tool: "stairway",
    kind: "perf-baseline",
    savedAt: new Date().toISOString(),
    timings: {},
    rows: {},
  };
  for (const t of timings) {
    b.timings[key(t, "up")] = t.upMs;
    b.timings[key(t, "down")] = t.downMs;
    b.rows![step(t)] = t.rows;
  }
  writeFileSync(path, JSON.stringify(b, null, 2) + "\n");
}

export function loadBaseline(path: string): Baseline {
  let b: Baseline;
  try {
    b = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw configError(
      `--baseline ${path}: cannot read it (${(e as Error).message.split("\n")[0]}); write one with --save-baseline`,
    );
  }
  if (b?.kind !== "perf-baseline" || typeof b.timings !== "object")
    throw configError(`--baseline ${path} is not a stairway perf baseline (write one with --save-baseline)`);
  return b;
}

export function compareBaseline(b: Baseline, timings: PerfTiming[]): CheckResult[] {
  return timings.map((t) => {
    const base = { check: "perf.regression", target: t.target, migration: t.migration };
    const rows = b.rows?.[step(t)];
    if (rows !== undefined && Math.abs(t.rows - rows) > SAME_SIZE * Math.max(rows, t.rows))
      return {
        ...base,
        status: "skip",
        message: `${t.scenario}: not compared: the data size differs from the baseline's (${plural(t.rows, "row or key", "rows or keys")} here, ${rows.toLocaleString("en-US")} there): save a baseline at this size, or run at that one`,
      };
    const worse: string[] = [];
    const within: string[] = [];
    for (const dir of ["up", "down"] as const) {
      const was = b.timings[key(t, dir)];
      const now = dir === "up" ? t.upMs : t.downMs;
      if (was === undefined) continue;
      const limit = was * (1 + NOISE.relative) + NOISE.absoluteMs;
      (now > limit ? worse : within).push(`${dir} ${now} ms (baseline ${was} ms)`);
    }
    if (!worse.length && !within.length)
      return { ...base, status: "skip", message: `${t.scenario}: not in the baseline` };
    return worse.length
      ? {
          ...base,
          status: "fail",
          message: `${t.scenario}: slower than the baseline beyond the noise margin (+${NOISE.relative * 100}% + ${NOISE.absoluteMs} ms): ${worse.join(", ")}`,
        }
      : { ...base, status: "pass", message: `${t.scenario}: ${within.join(", ")}` };
  });
}
