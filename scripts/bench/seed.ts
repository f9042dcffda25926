// Benchmark: one big seed-data migration, the kind that ships reference data
// as plain INSERTs (~50 MB, 600k statements in one file). `stairway up` applies
// it against the floors on the same file: `psql -1 -f` (PostgreSQL) and
// `sqlite3` with the file read inside BEGIN … COMMIT (SQLite), each on a fresh
// database per run, in alternating order. Goal (issue 14): ≤ 1.5× the floor.
// Planning used to be quadratic in the file's size (600k statements: over
// 300 s before it was stopped).
//
//   node_modules/.bin/bun scripts/bench/seed.ts [--runs 3] [--statements 600000] [--profile]
//
//   --profile also runs `up` in this process, from src/, timing the plan
//   (read, decode, directives, checksum) and each driver call.

import { appendFileSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createDb,
  dropDb,
  fmtMs,
  fmtRatio,
  machine,
  main,
  meets,
  median,
  optionalProfile,
  pinStairway,
  PG_SERVER,
  psql,
  psqlFile,
  rotate,
  round2,
  run,
  table,
  tempDir,
  verdict,
} from "./lib.ts";

const GOAL = 1.5;

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    statements: { type: "string", default: "600000" },
    profile: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const STATEMENTS = Number(args.statements);

const NAMES = ["Ada", "Grace", "Linus", "Ken", "Barbara", "Edsger", "Frances", "Donald", "Hélène", "José"];

/**
 * The seed file: the table, then one INSERT per row, as `pg_dump --inserts`
 * or a hand-kept fixture file has them. The same SQL on both dialects.
 */
function writeSeed(file: string, statements: number): { bytes: number } {
  writeFileSync(
    file,
    "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL, score integer NOT NULL, note text);\n",
  );
  const chunk: string[] = [];
  for (let i = 1; i <= statements - 1; i++) {
    const name = `${NAMES[i % NAMES.length]} ${i}`;
    const note = i % 7 === 0 ? "NULL" : `'day ${i % 365}'`;
    chunk.push(`INSERT INTO people VALUES (${i}, '${name}', 'p${i}@example.org', ${(i * 7919) % 1000}, ${note});\n`);
    if (chunk.length === 50_000 || i === statements - 1) {
      appendFileSync(file, chunk.join(""));
      chunk.length = 0;
    }
  }
  return { bytes: statSync(file).size };
}

type Tool = "stairway" | "floor";
type Dialect = "postgres" | "sqlite";

interface Work {
  dir: string;
  sql: string;
  seed: string;
  stairway: string;
}

/** One timed application of the seed on a fresh database; checks the rows arrived. */
function applyOnce(dialect: Dialect, tool: Tool, w: Work, tag: string): number {
  if (dialect === "postgres") {
    const db = createDb(`bench_${process.pid}_seed_${tool}_${tag}`);
    try {
      const ms =
        tool === "stairway"
          ? run(
              [w.stairway, "up", "--db", `${PG_SERVER}/${db}`, "--sql", w.sql, "--report-dir", join(w.dir, "reports")],
              { cwd: w.dir },
            ).ms
          : psqlFile(w.seed, db).ms;
      const rows = Number(psql("SELECT count(*) FROM people", db));
      if (rows !== STATEMENTS - 1)
        throw new Error(`${tool} left ${rows} rows on PostgreSQL, expected ${STATEMENTS - 1}`);
      return ms;
    } finally {
      dropDb(db);
    }
  }
  const file = join(w.dir, `seed_${tool}_${tag}.db`);
  try {
    const ms =
      tool === "stairway"
        ? run([w.stairway, "up", "--db", `sqlite:${file}`, "--sql", w.sql, "--report-dir", join(w.dir, "reports")], {
            cwd: w.dir,
          }).ms
        : // One transaction, as stairway runs the file (autocommit would sync 600k times).
          run(["sqlite3", "-bail", file, "BEGIN;", `.read ${w.seed}`, "COMMIT;"]).ms;
    const rows = Number(run(["sqlite3", file, "SELECT count(*) FROM people;"]).stdout.trim());
    if (rows !== STATEMENTS - 1) throw new Error(`${tool} left ${rows} rows on SQLite, expected ${STATEMENTS - 1}`);
    return ms;
  } finally {
    for (const s of ["", "-journal", "-wal", "-stairway.lock"]) rmSync(file + s, { force: true });
  }
}

function bench(dialect: Dialect, w: Work): Record<Tool, number[]> {
  const times: Record<Tool, number[]> = { stairway: [], floor: [] };
  // One warm-up round (not counted): the page cache and the first exec of each binary.
  for (let r = -1; r < RUNS; r++) {
    for (const tool of rotate<Tool>(["stairway", "floor"], r + 1)) {
      const ms = applyOnce(dialect, tool, w, String(r + 1));
      if (r >= 0) times[tool].push(ms);
    }
    if (r >= 0) process.stderr.write(`  ${dialect}: run ${r + 1}/${RUNS} done\n`);
  }
  return times;
}

/** `up` in this process, from src/: how long planning takes, and the driver calls. */
async function profile(w: Work): Promise<string> {
  const { loadPlan } = await import("../../src/plan/discover.ts");
  const { sqliteModule } = await import("../../src/stores/sqlite/index.ts");
  const { parseTargetUrl } = await import("../../src/stores/url.ts");
  const runner = await import("../../src/runner.ts");
  const t0 = performance.now();
  const plan = loadPlan({ sqlDir: w.sql });
  const file = plan.migrations[0]!.files.up.default!;
  const tPlan = performance.now();
  void file.checksum;
  const tSum = performance.now();
  const url = parseTargetUrl(`sqlite:${join(w.dir, "profile.db")}`);
  const driver = await sqliteModule.open(url, { name: "sqlite" });
  const tOpen = performance.now();
  const out = await runner.up({ driver, target: "sqlite", migrations: plan.migrations, lockTimeoutMs: 10_000 });
  const tUp = performance.now();
  await driver.close();
  rmSync(join(w.dir, "profile.db"), { force: true });
  if (out.some((r) => r.status === "fail")) throw new Error(out.map((r) => r.message).join("; "));
  return [
    "\nprofile (in-process, from src/, SQLite):",
    `  plan (read, UTF-8 check, directives, transaction-control scan) ${fmtMs(tPlan - t0)} ms`,
    `  sha256 of the file                                             ${fmtMs(tSum - tPlan)} ms`,
    `  open                                                           ${fmtMs(tOpen - tSum)} ms`,
    `  up (lock, bookkeeping, the script, commit)                     ${fmtMs(tUp - tOpen)} ms`,
  ].join("\n");
}

await main(async () => {
  if (!(RUNS >= 1 && STATEMENTS >= 2)) throw new Error("--runs must be ≥ 1 and --statements ≥ 2");
  const dir = tempDir("seed");
  const stairway = pinStairway(dir);
  const sql = join(dir, "sql");
  const seed = join(sql, "001_seed_people", "up.sql");
  mkdirSync(join(sql, "001_seed_people"), { recursive: true });
  const { bytes } = writeSeed(seed, STATEMENTS);
  writeFileSync(join(sql, "001_seed_people", "down.sql"), "DROP TABLE people;\n");
  const w: Work = { dir, sql, seed, stairway: stairway.path };

  const results: Record<Dialect, { stairway: number; floor: number; ratio: number; runs: Record<Tool, number[]> }> =
    {} as never;
  for (const dialect of ["sqlite", "postgres"] as Dialect[]) {
    const t = bench(dialect, w);
    const ours = median(t.stairway);
    const floor = median(t.floor);
    results[dialect] = { stairway: ours, floor, ratio: ours / floor, runs: t };
  }

  console.log(
    `\nstairway seed: one migration of ${STATEMENTS.toLocaleString("en")} statements (${(bytes / 1e6).toFixed(1)} MB), fresh database per run; median of ${RUNS} runs, alternating`,
  );
  console.log(`  ${stairway.about}\n`);
  console.log(
    table(
      ["dialect", "stairway up ms", "floor ms", "floor", "ratio", "goal"],
      (["sqlite", "postgres"] as Dialect[]).map((d) => [
        d,
        fmtMs(results[d].stairway),
        fmtMs(results[d].floor),
        d === "sqlite" ? "sqlite3 BEGIN; .read; COMMIT" : "psql -1 -f",
        fmtRatio(results[d].ratio),
        verdict(results[d].ratio, GOAL),
      ]),
    ),
  );
  if (args.profile) console.log(await optionalProfile(() => profile(w)));
  console.log(`\n${machine()}`);
  const ok = Object.values(results).every((r) => meets(r.ratio, GOAL));
  console.log(
    JSON.stringify({
      bench: "seed",
      statements: STATEMENTS,
      bytes,
      goal: GOAL,
      met: ok,
      results: Object.fromEntries(
        Object.entries(results).map(([d, r]) => [
          d,
          { stairwayMs: round2(r.stairway), floorMs: round2(r.floor), ratio: round2(r.ratio), runs: r.runs },
        ]),
      ),
    }),
  );
});
