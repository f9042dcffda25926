// stairway perf: each migration's cost per scenario, on scratch databases.

import { compareBaseline, loadBaseline, saveBaseline } from "../checks/baseline.ts";
import { runPerf, type PerfTiming } from "../checks/perf.ts";
import { loadFixture } from "../data/fixtures.ts";
import { usageError, type ExitCode } from "../errors.ts";
import { join } from "node:path";
import type { Scenario } from "../config.ts";
import { renderPerf } from "../report/perf-console.ts";
import type { CheckResult } from "../results.ts";
import type { GlobalFlags } from "../session.ts";
import { finish, progress, withSession } from "./common.ts";
import { Selector, type SelectionFlags } from "./selection.ts";

type Flags = GlobalFlags &
  SelectionFlags & {
    baseline?: string;
    saveBaseline?: string;
    scenario?: string | string[];
    rows?: string | number;
  };

export default async function perfCommand(flags: Flags): Promise<ExitCode> {
  const rows = flags.rows === undefined ? undefined : Number(flags.rows);
  if (rows !== undefined && !(Number.isInteger(rows) && rows > 0))
    throw usageError(`--rows ${flags.rows}: expected a positive whole number`);
  return withSession(flags, async (session) => {
    const baseline = flags.baseline ? loadBaseline(String(flags.baseline)) : undefined;
    const targets = session.targets(true);
    const selector = new Selector(session, flags, "perf");
    const selections = targets.map((t) => selector.select(t, session.runnablePlan(t)));
    const wanted = flags.scenario === undefined ? undefined : [flags.scenario].flat().map(String);
    let scenarios: Scenario[] = session.config.scenarios.length
      ? session.config.scenarios
      : [{ name: "empty_database" }];
    if (wanted) {
      const unknown = wanted.filter((w) => !scenarios.some((s) => s.name === w));
      if (unknown.length)
        throw usageError(
          `--scenario ${unknown.join(", ")}: no such scenario (known: ${scenarios.map((s) => s.name).join(", ")})`,
        );
      scenarios = scenarios.filter((s) => wanted.includes(s.name));
    }
    if (rows !== undefined)
      scenarios = scenarios.map((s) => (s.rows !== undefined || s.performance_test ? { ...s, rows } : s));
    const say = progress(session);
    const results: CheckResult[] = [];
    const timings: PerfTiming[] = [];
    for (const scenario of scenarios) {
      const fixtures = (scenario.fixtures ?? []).map((f) => loadFixture(join(session.config.fixtures, f)));
      for (const [i, t] of targets.entries()) {
        const sel = selections[i]!;
        if (scenario === scenarios[0]) results.push(...sel.results);
        say(`${scenario.name} · ${t.name}: preparing a scratch database`);
        // Not from the prefix cache: the prefix is applied with the scenario's data (perf.ts).
        const scratch = await session.scratch(t, scenario.name.slice(0, 20), "perf", { durable: true });
        selector.note(t, sel, { migrations: sel.prefix.length, from: "applied", ms: 0 });
        const run = await runPerf(scratch.driver, t.name, [...sel.prefix, ...sel.run], {
          checked: sel.checked,
          scenario,
          fixtures,
          limits: t.limits,
          rows: session.config.test.rows,
          seed: session.config.test.seed,
          scratch,
          progress: say,
        });
        // Dropped now: the next scenario's millions of rows need the disk (and a Redis database must be empty again).
        await scratch.drop();
        results.push(...run.results);
        timings.push(...run.timings);
      }
    }
    say("");
    if (baseline) results.push(...compareBaseline(baseline, timings));
    if (flags.saveBaseline) saveBaseline(String(flags.saveBaseline), timings);
    return finish(session, {
      command: "perf",
      targets,
      results,
      ...selector.report(),
      junit: true,
      render: (r) =>
        renderPerf(r.results, timings) + (flags.saveBaseline ? `\nbaseline saved to ${flags.saveBaseline}` : ""),
    });
  });
}
