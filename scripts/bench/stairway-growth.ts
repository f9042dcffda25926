// Benchmark 2: how `stairway test` grows with the tree.
//   Trees of 50, 200 and 700 migrations in the shape of an Ory (popx) tree —
//   generic files, PostgreSQL files of their own that build indexes
//   CONCURRENTLY outside a transaction (`.autocommit`), MySQL files stairway
//   leaves out — `stairway test --json` on SQLite and on PostgreSQL (which
//   creates and drops its own scratch database), the 200/50 time ratio per
//   dialect (goal ≤ 4.5× for 4× the migrations: about linear), and the cost of
//   one step against the floor: the same ups applied by psql (sqlite3 for
//   SQLite) with the fewest commits the files allow. Goals per step at 200
//   migrations: PostgreSQL ≤ 4 ms, SQLite ≤ 1.5 ms.
//
//   node_modules/.bin/bun scripts/bench/stairway-growth.ts [--runs 3] [--sizes 50,200,700] [--profile]
//
//   --profile also runs the stairway in this process, from src/, with every
//   driver call timed, to show where the time goes and which part grows.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  countTables,
  createDb,
  databasesLike,
  dropDb,
  fmtMs,
  fmtRatio,
  generateTree,
  machine,
  main,
  meets,
  median,
  optionalProfile,
  pinStairway,
  PG_SERVER,
  psqlScript,
  rotate,
  round2,
  run,
  table,
  tempDir,
  verdict,
  which,
  writePopxTree,
  writePopxUps,
  type GenTree,
} from "./lib.ts";

const GOAL_GROWTH = 4.5;
/** ms per step at 200 migrations. */
const GOAL_STEP: Record<"sqlite" | "postgres", number> = { postgres: 4, sqlite: 1.5 };

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    sizes: { type: "string", default: "50,200,700" },
    profile: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const SIZES = args.sizes.split(",").map(Number);

type Dialect = "sqlite" | "postgres";
const DIALECTS: Dialect[] = ["sqlite", "postgres"];

interface Sized {
  size: number;
  tree: GenTree;
  dir: string;
  sql: string;
  allUps: Record<Dialect, string>;
}

interface TestRun {
  wallMs: number;
  /** Time inside the steps themselves (durationMs of step.up/down/redo/down-to-base), as stairway measured it. */
  inStepMs: number;
}

/** Steps a test takes: up, down, up again per migration, and one down each on the way back to base. */
const stepsOf = (migrations: number) => 4 * migrations;

function prepare(size: number): Sized {
  const dir = tempDir(`growth${size}`);
  const tree = generateTree(size);
  return {
    size,
    tree,
    dir,
    sql: writePopxTree(join(dir, "sql"), tree),
    allUps: {
      postgres: writePopxUps(join(dir, "all.postgres.sql"), tree, "postgres"),
      sqlite: writePopxUps(join(dir, "all.sqlite.sql"), tree, "sqlite"),
    },
  };
}

interface Report {
  ok: boolean;
  results: { check: string; status: string; durationMs?: number }[];
}

/** `--json` promises one object on stdout; anything else is a bug worth showing, not a crash of the benchmark. */
function parseReport(stdout: string, what: string): Report {
  try {
    return JSON.parse(stdout) as Report;
  } catch (e) {
    throw new Error(
      `${what}: --json output is not JSON (${(e as Error).message}); it starts:\n${stdout.slice(0, 600)}`,
    );
  }
}

/** One `stairway test --json`; fails unless "ok": true and every step of every migration was checked. */
function stairwayTest(bin: string, s: Sized, dialect: Dialect, r: number): TestRun {
  const db = dialect === "sqlite" ? `sqlite:${join(s.dir, `target_${r}.db`)}` : `${PG_SERVER}/postgres`;
  const reportDir = join(s.dir, `reports_${dialect}_${r}`);
  // TMPDIR puts the SQLite scratch file ($TMPDIR/stairway/…) in our own dir: a `stairway clean` run beside the
  // benchmark (a test suite) removes scratch files it takes for leftovers, which fails a run halfway.
  const env = { ...process.env, TMPDIR: s.dir };
  const { ms, stdout } = run(
    [bin, "test", "--db", db, "--sql", s.sql, "--layout", "popx", "--json", "--report-dir", reportDir],
    {
      cwd: s.dir,
      env,
    },
  );
  const report = parseReport(stdout, `stairway test on ${dialect} (${s.size} migrations)`);
  if (!report.ok) {
    const failed = report.results.filter((x) => x.status === "fail").slice(0, 5);
    throw new Error(`stairway test on ${dialect} (${s.size} migrations) is not ok: ${JSON.stringify(failed)}`);
  }
  const passed = (check: string) => report.results.filter((x) => x.check === check && x.status === "pass");
  if (passed("step.redo").length !== s.size)
    throw new Error(`${dialect}: ${passed("step.redo").length} of ${s.size} redos passed`);
  const timed = report.results.filter((x) =>
    ["step.up", "step.down", "step.redo", "step.down-to-base"].includes(x.check),
  );
  const inStepMs = timed.reduce((sum, x) => sum + (x.durationMs ?? 0), 0);
  return { wallMs: ms, inStepMs };
}

/** The floor: every up by the database's own shell, with the fewest commits the files allow, on a fresh database. */
function floor(s: Sized, dialect: Dialect, r: number): number | undefined {
  if (dialect === "postgres") {
    const db = createDb(`bench_${process.pid}_floor`);
    try {
      const { ms } = psqlScript(s.allUps.postgres, db);
      if (countTables(db) !== s.tree.tables)
        throw new Error(`psql left ${countTables(db)} tables, expected ${s.tree.tables}`);
      return ms;
    } finally {
      dropDb(db);
    }
  }
  if (!which("sqlite3")) return undefined;
  const file = join(s.dir, `floor_${r}.db`);
  return run(["sqlite3", "-bail", file], { input: readFileSync(s.allUps.sqlite, "utf8") }).ms;
}

interface Cell {
  test: TestRun[];
  floor: number[];
}

function measure(bin: string, sized: Sized[]): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  const jobs = sized.flatMap((s) => DIALECTS.map((d) => ({ s, d })));
  const before = databasesLike("stairway_");
  for (let r = 0; r < RUNS; r++) {
    for (const { s, d } of rotate(jobs, r)) {
      const cell = cells.get(`${d}:${s.size}`) ?? { test: [], floor: [] };
      cell.test.push(stairwayTest(bin, s, d, r));
      const f = floor(s, d, r);
      if (f !== undefined) cell.floor.push(f);
      cells.set(`${d}:${s.size}`, cell);
      process.stderr.write(
        `  run ${r + 1}/${RUNS}: ${d} ${s.size} migrations: ${fmtMs(cell.test.at(-1)!.wallMs)} ms\n`,
      );
    }
  }
  // stairway test must drop its scratch databases; another process's may show up here too, hence only a warning.
  const left = databasesLike("stairway_").filter((n) => !before.includes(n));
  if (left.length)
    process.stderr.write(`bench: warning: stairway_* databases appeared and remain: ${left.join(", ")}\n`);
  return cells;
}

function medianOf(cell: Cell, pick: (t: TestRun) => number): number {
  return median(cell.test.map(pick));
}

function report(cells: Map<string, Cell>, profile: string | undefined, about: string): void {
  // Growth is judged from the smallest size to the second (50 → 200: 4× the migrations); larger sizes are shown.
  const small = SIZES[0]!;
  const mid = SIZES[1]!;
  const cell = (d: Dialect, n: number) => cells.get(`${d}:${n}`)!;
  const wall = (d: Dialect, n: number) => medianOf(cell(d, n), (t) => t.wallMs);
  const floorMs = (d: Dialect, n: number) => (cell(d, n).floor.length ? median(cell(d, n).floor) : NaN);
  const growth = (d: Dialect) => wall(d, mid) / wall(d, small);
  const opt = (x: number, f: (x: number) => string) => (Number.isNaN(x) ? "n/a" : f(x));

  // The floor's own growth is shown beside stairway's: what the database itself makes superlinear is not stairway's doing.
  console.log(
    `\nstairway test: wall time, median of ${RUNS} (exit to exit, scratch database and report included); floor: every up, fewest commits`,
  );
  const rows: string[][] = [];
  for (const d of DIALECTS)
    for (const [i, n] of SIZES.entries()) {
      const prev = i > 0 ? SIZES[i - 1]! : undefined;
      rows.push([
        d,
        String(n),
        fmtMs(wall(d, n)),
        cell(d, n).test.length > 1
          ? `${fmtMs(Math.min(...cell(d, n).test.map((t) => t.wallMs)))}–${fmtMs(Math.max(...cell(d, n).test.map((t) => t.wallMs)))}`
          : "",
        fmtMs(wall(d, n) / n),
        opt(floorMs(d, n), fmtMs),
        prev ? fmtRatio(wall(d, n) / wall(d, prev)) : "",
        prev ? opt(floorMs(d, n) / floorMs(d, prev), fmtRatio) : "",
        n === mid ? verdict(growth(d), GOAL_GROWTH) : "",
      ]);
    }
  console.log(
    table(
      ["dialect", "migrations", "stairway ms", "min–max", "ms/migration", "floor ms", "growth", "floor growth", "goal"],
      rows,
    ),
  );

  const perStep = (d: Dialect, n: number) => ({
    stairway: wall(d, n) / stepsOf(n),
    inStep: medianOf(cell(d, n), (t) => t.inStepMs) / stepsOf(n),
    floor: floorMs(d, n) / n,
  });
  console.log(
    `\nper step (stairway: 4 steps a migration = up, down, up again + its down on the way to base; floor: one up a migration)`,
  );
  const stepRows = SIZES.filter((n) => n >= mid).flatMap((n) =>
    DIALECTS.map((d) => {
      const p = perStep(d, n);
      return [
        d,
        String(n),
        fmtMs(p.stairway),
        fmtMs(p.inStep),
        fmtMs(p.stairway - p.inStep),
        opt(p.floor, fmtMs),
        opt(p.stairway / p.floor, fmtRatio),
        n === mid
          ? p.stairway <= GOAL_STEP[d]
            ? `met (≤ ${GOAL_STEP[d]} ms)`
            : `MISSED (goal ≤ ${GOAL_STEP[d]} ms)`
          : "",
        FLOOR_TOOL[d],
      ];
    }),
  );
  console.log(
    table(
      [
        "dialect",
        "migrations",
        "stairway ms/step",
        "in step",
        "checks etc.",
        "floor ms/up",
        "stairway/floor",
        "goal",
        "floor tool",
      ],
      stepRows,
    ),
  );
  if (profile) console.log(profile);
  console.log(`\nbinary: ${about}`);
  console.log(`machine: ${machine()}`);

  const num = (x: number) => (Number.isNaN(x) ? null : round2(x));
  const summary = {
    bench: "stairway-growth",
    runs: RUNS,
    sizes: SIZES,
    wallMs: Object.fromEntries(DIALECTS.map((d) => [d, Object.fromEntries(SIZES.map((n) => [n, round2(wall(d, n))]))])),
    floorMs: Object.fromEntries(
      DIALECTS.map((d) => [d, Object.fromEntries(SIZES.map((n) => [n, num(floorMs(d, n))]))]),
    ),
    growth: Object.fromEntries(DIALECTS.map((d) => [d, round2(growth(d))])),
    goalGrowth: { max: GOAL_GROWTH, met: DIALECTS.every((d) => meets(growth(d), GOAL_GROWTH)) },
    perStepMs: Object.fromEntries(
      DIALECTS.map((d) => [
        d,
        Object.fromEntries(
          SIZES.filter((n) => n >= mid).map((n) => {
            const p = perStep(d, n);
            return [n, { stairway: round2(p.stairway), inStep: round2(p.inStep), floor: num(p.floor) }];
          }),
        ),
      ]),
    ),
    goalStep: Object.fromEntries(
      DIALECTS.map((d) => [d, { max: GOAL_STEP[d], met: perStep(d, mid).stairway <= GOAL_STEP[d] }]),
    ),
  };
  console.log(JSON.stringify(summary));
}

const FLOOR_TOOL: Record<Dialect, string> = {
  postgres: "psql -f, BEGIN…COMMIT around the transactional runs",
  sqlite: "sqlite3, BEGIN…COMMIT",
};

await main(async () => {
  if (
    !(
      RUNS >= 1 &&
      SIZES.length >= 2 &&
      SIZES.every((n) => n >= 4) &&
      SIZES.every((n, i) => i === 0 || n > SIZES[i - 1]!)
    )
  )
    throw new Error("--runs must be ≥ 1 and --sizes two or more increasing counts ≥ 4");
  const pinned = pinStairway(tempDir("bin"));
  const sized = SIZES.map(prepare);
  const cells = measure(pinned.path, sized);
  const profile = args.profile
    ? await optionalProfile(async () => (await import("./profile.ts")).profileAll(sized))
    : undefined;
  report(cells, profile, pinned.about);
});
