// Where stairway spends its time: `up` and the stairway test run in this
// process, from src/, on a driver whose every call is timed. Whatever is not
// inside a driver call is the core's own work (schema diffs, row comparison,
// planning). Comparing sizes shows which part grows faster than the tree.
//
// It measures the working tree's src/, not dist/stairway: label it so.

import { join } from "node:path";
import { runStairway } from "../../src/checks/stairway.ts";
import { defaultConfig } from "../../src/config.ts";
import type { SqlDriver } from "../../src/stores/contract.ts";
import { loadStore, parseTargetUrl } from "../../src/stores/index.ts";
import { loadPlan } from "../../src/plan/discover.ts";
import { up } from "../../src/runner.ts";
import { createDb, dropDb, fmtMs, median, PG_SERVER, table } from "./lib.ts";

interface Sized {
  size: number;
  dir: string;
  sql: string;
}

type Dialect = "sqlite" | "postgres";

interface Tally {
  calls: number;
  ms: number;
}

interface Profile {
  totalMs: number;
  byMethod: Map<string, Tally>;
}

/** The same driver, with the time of each method (async iterators included) added to `byMethod`. */
function timed(driver: SqlDriver, byMethod: Map<string, Tally>): SqlDriver {
  const add = (name: string, ms: number, call: boolean) => {
    const t = byMethod.get(name) ?? { calls: 0, ms: 0 };
    t.ms += ms;
    if (call) t.calls++;
    byMethod.set(name, t);
  };
  return new Proxy(driver, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      const name = String(prop);
      return (...a: unknown[]) => {
        const t0 = performance.now();
        const out = value.apply(target, a);
        if (out && typeof out[Symbol.asyncIterator] === "function") return timeIterator(name, out, add);
        return Promise.resolve(out).finally(() => add(name, performance.now() - t0, true));
      };
    },
  });
}

async function* timeIterator<T>(
  name: string,
  it: AsyncIterable<T>,
  add: (name: string, ms: number, call: boolean) => void,
): AsyncGenerator<T> {
  const iter = it[Symbol.asyncIterator]();
  let first = true;
  for (;;) {
    const t0 = performance.now();
    const r = await iter.next();
    add(name, performance.now() - t0, first);
    first = false;
    if (r.done) return;
    yield r.value;
  }
}

async function profileOne(s: Sized, dialect: Dialect): Promise<Profile> {
  const cfg = defaultConfig();
  const plan = loadPlan({ sqlDir: s.sql });
  const mod = await loadStore<SqlDriver>(dialect);
  const db = dialect === "postgres" ? createDb(`bench_${process.pid}_profile`) : undefined;
  const url = parseTargetUrl(db ? `${PG_SERVER}/${db}` : `sqlite:${join(s.dir, "profile.db")}`);
  const raw = await mod.open(url, { name: dialect, scratch: true, unsynced: true });
  const byMethod = new Map<string, Tally>();
  try {
    const t0 = performance.now();
    const { results } = await runStairway(timed(raw, byMethod), dialect, plan.migrations, {
      rows: cfg.test.rows,
      seed: cfg.test.seed,
      fixtures: [],
    });
    const totalMs = performance.now() - t0;
    const failed = results.filter((r) => r.status === "fail");
    if (failed.length)
      throw new Error(
        `profile run on ${dialect} failed: ${failed[0]!.check} ${failed[0]!.migration}: ${failed[0]!.message}`,
      );
    return { totalMs, byMethod };
  } finally {
    await raw.close();
    if (db) dropDb(db);
  }
}

/** Groups driver methods by the job they do in the stairway. */
const GROUPS: Record<string, string[]> = {
  "migration SQL + bookkeeping": [
    "execute",
    "begin",
    "commit",
    "rollback",
    "record",
    "forget",
    "applied",
    "ensureBookkeeping",
    "bookkeepingExists",
  ],
  "introspect (schema snapshots)": ["introspect"],
  "foreign-key check": ["foreignKeyViolations"],
  "seeding (counts, samples, inserts)": ["rowCount", "sampleRows", "maxValue", "insertRows"],
  "row snapshots (readRows)": ["readRows"],
};

function group(p: Profile): Map<string, Tally> {
  const out = new Map<string, Tally>();
  let inDriver = 0;
  for (const [g, methods] of Object.entries(GROUPS)) {
    const t = { calls: 0, ms: 0 };
    for (const m of methods) {
      const x = p.byMethod.get(m);
      if (x) (t.calls += x.calls), (t.ms += x.ms);
    }
    inDriver += t.ms;
    out.set(g, t);
  }
  out.set("core JS (diffs, row compare, plans)", { calls: 0, ms: p.totalMs - inDriver });
  return out;
}

/** Per driver method: total, calls and ms per call at both sizes. */
function methodTable(a: Profile, b: Profile, small: number, large: number): string {
  const names = [...b.byMethod.keys()].sort((x, y) => b.byMethod.get(y)!.ms - b.byMethod.get(x)!.ms);
  const perCall = (t?: Tally) => (t && t.calls ? fmtMs(t.ms / t.calls) : "");
  const rows = names.map((n) => {
    const x = a.byMethod.get(n);
    const y = b.byMethod.get(n)!;
    return [n, fmtMs(x?.ms ?? 0), String(x?.calls ?? 0), perCall(x), fmtMs(y.ms), String(y.calls), perCall(y)];
  });
  return table(["method", `${small} ms`, "calls", "ms/call", `${large} ms`, "calls", "ms/call"], rows);
}

const indent = (text: string) => text.replace(/^/gm, "  ");

/** Runs the profile for every size and dialect; returns the printed tables. */
export async function profileAll(sized: Sized[]): Promise<string> {
  const small = sized.reduce((a, b) => (a.size < b.size ? a : b));
  const large = sized.reduce((a, b) => (a.size > b.size ? a : b));
  const lines: string[] = [];
  for (const dialect of ["sqlite", "postgres"] as Dialect[]) {
    process.stderr.write(`  profile: ${dialect}…\n`);
    const pa = await profileOne(small, dialect);
    const pb = await profileOne(large, dialect);
    const a = group(pa);
    const b = group(pb);
    const rows = [...b.keys()].map((g) => {
      const x = a.get(g)!;
      const y = b.get(g)!;
      return [
        g,
        fmtMs(x.ms),
        String(x.calls || ""),
        fmtMs(y.ms),
        String(y.calls || ""),
        x.ms > 0 ? `${(y.ms / x.ms).toFixed(1)}×` : "",
      ];
    });
    const total = (m: Map<string, Tally>) => [...m.values()].reduce((s, t) => s + t.ms, 0);
    rows.push(["total (in process)", fmtMs(total(a)), "", fmtMs(total(b)), "", `${(total(b) / total(a)).toFixed(1)}×`]);
    lines.push(
      `\nwhere the time goes: ${dialect}, in-process run of src/ (working tree, not dist/stairway), driver calls timed`,
    );
    lines.push(table(["part", `${small.size} ms`, "calls", `${large.size} ms`, "calls", "growth"], rows));
    lines.push(
      `\n  driver methods, ${dialect}, slowest first (ms/call shows what grows per call, calls what grows in number)`,
    );
    lines.push(indent(methodTable(pa, pb, small.size, large.size)));
  }
  return lines.join("\n");
}

/**
 * `stairway up` of a tree on fresh PostgreSQL databases, phase by phase
 * (reading the tree, connecting, the runner) and driver call by call; the
 * process start-up is measured separately (`--version`).
 */
export async function profileUp(sqlDir: string, runs: number): Promise<string> {
  const phases = { plan: [] as number[], connect: [] as number[], up: [] as number[] };
  const byMethod = new Map<string, Tally>();
  for (let r = 0; r < runs; r++) {
    const db = createDb(`bench_${process.pid}_profile`);
    try {
      const t0 = performance.now();
      const plan = loadPlan({ sqlDir });
      const t1 = performance.now();
      const raw = await (await loadStore<SqlDriver>("postgres")).open(parseTargetUrl(`${PG_SERVER}/${db}`), {
        name: "postgres",
      });
      const t2 = performance.now();
      try {
        const results = await up({
          driver: timed(raw, byMethod),
          target: "postgres",
          migrations: plan.migrations,
          lockTimeoutMs: 10_000,
        });
        if (results.some((x) => x.status === "fail"))
          throw new Error(`profile: up failed: ${results.find((x) => x.status === "fail")!.message}`);
      } finally {
        phases.up.push(performance.now() - t2);
        await raw.close();
      }
      phases.plan.push(t1 - t0);
      phases.connect.push(t2 - t1);
    } finally {
      dropDb(db);
    }
  }
  const rows = [
    ["read the tree (loadPlan)", fmtMs(median(phases.plan)), ""],
    ["connect", fmtMs(median(phases.connect)), ""],
    ["runner.up", fmtMs(median(phases.up)), ""],
    ...[...byMethod.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([name, t]) => [`  driver.${name}`, fmtMs(t.ms / runs), String(t.calls / runs)]),
  ];
  return [
    `\nwhere the time of \`up\` goes: in-process run of src/ (working tree, not dist/stairway), median of ${runs}; driver rows are means per run`,
    table(["part", "ms", "calls"], rows),
  ].join("\n");
}
