// Benchmark 1: stairway as a plain runner against its peer.
//   `stairway up` vs `dbmate up` vs `psql -1 -f all.sql` (the floor) on the same
//   generated tree, each on a fresh PostgreSQL database; the same on MariaDB
//   (`mariadb db < all.sql` the floor there) when one answers on 127.0.0.1:3306;
//   then start-up time (`--version`) of both binaries. Goals from the issue:
//   up ≤ 1.0× dbmate, start ≤ 1.5× dbmate.
//
//   node_modules/.bin/bun scripts/bench/runner.ts [--runs 5] [--migrations 100] [--profile]
//
//   --profile also runs `up` in this process, from src/, with every driver call
//   timed, to show where stairway's time goes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  countMysqlTables,
  countTables,
  createDb,
  createMysqlDb,
  dbmateBinary,
  dropDb,
  dropMysqlDb,
  fmtMs,
  fmtRatio,
  generateTree,
  machine,
  main,
  meets,
  median,
  mysqlAnswers,
  mysqlCli,
  mysqlFile,
  MYSQL_SERVER,
  optionalProfile,
  pinStairway,
  PG_SERVER,
  psqlFile,
  rotate,
  round2,
  run,
  table,
  tempDir,
  verdict,
  which,
  writeAllUps,
  writeDbmateTree,
  writeStairwayTree,
  type GenTree,
} from "./lib.ts";

const GOAL_UP = 1.0;
const GOAL_START = 1.5;

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    migrations: { type: "string", default: "100" },
    profile: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const COUNT = Number(args.migrations);

type Tool = "stairway" | "dbmate" | "psql";
/** The same tools on MariaDB: the floor there is the mariadb client. */
type Server = "postgres" | "mariadb";

/** Paths of the two binaries under test. */
interface Bins {
  stairway: string;
  dbmate: string;
}

interface Trees {
  work: string;
  sql: string;
  dbmateDir: string;
  allUps: string;
}

function writeTrees(tree: GenTree): Trees {
  const work = tempDir("runner");
  return {
    work,
    sql: writeStairwayTree(join(work, "sql"), tree),
    dbmateDir: writeDbmateTree(join(work, "db", "migrations"), tree),
    allUps: writeAllUps(join(work, "all.sql"), tree),
  };
}

/**
 * One timed `up` of the whole tree by one tool on a fresh database.
 * Every tool runs with the temp dir as its working directory, so neither picks
 * up this repository's config, Redis transforms or report dir.
 */
function upOnce(tool: Tool, trees: Trees, bins: Bins, db: string, server: Server): number {
  const url = server === "postgres" ? `${PG_SERVER}/${db}` : `${MYSQL_SERVER}/${db}`;
  const cwd = trees.work;
  switch (tool) {
    case "stairway":
      return run([bins.stairway, "up", "--db", url, "--sql", trees.sql, "--report-dir", join(trees.work, "reports")], {
        cwd,
      }).ms;
    case "dbmate":
      return run(
        [
          bins.dbmate,
          "--url",
          server === "postgres" ? `${url}?sslmode=disable` : url,
          "--migrations-dir",
          trees.dbmateDir,
          "--no-dump-schema",
          "up",
        ],
        { cwd },
      ).ms;
    case "psql":
      return server === "postgres" ? psqlFile(trees.allUps, db).ms : mysqlFile(trees.allUps, db).ms;
  }
}

/** Tables each tool leaves: the tree's own, plus its bookkeeping table. */
function expectedTables(tool: Tool, tree: GenTree): number {
  return tree.tables + (tool === "psql" ? 0 : 1);
}

function benchUp(tree: GenTree, trees: Trees, bins: Bins, server: Server): Record<Tool, number[]> {
  const tools: Tool[] = ["stairway", "dbmate", "psql"];
  const times: Record<Tool, number[]> = { stairway: [], dbmate: [], psql: [] };
  const [create, drop, count] =
    server === "postgres" ? [createDb, dropDb, countTables] : [createMysqlDb, dropMysqlDb, countMysqlTables];
  // One warm-up round (not counted): the first CREATE DATABASE and the first exec of each binary pay for cold caches.
  for (let r = -1; r < RUNS; r++) {
    for (const tool of rotate(tools, r + 1)) {
      const db = create(`bench_${process.pid}_${tool}`);
      try {
        const ms = upOnce(tool, trees, bins, db, server);
        const tables = count(db);
        if (tables !== expectedTables(tool, tree))
          throw new Error(`${tool} left ${tables} tables on ${server}, expected ${expectedTables(tool, tree)}`);
        if (r >= 0) times[tool].push(ms);
      } finally {
        drop(db);
      }
    }
    if (r >= 0) process.stderr.write(`  up on ${server}: run ${r + 1}/${RUNS} done\n`);
  }
  return times;
}

interface Startup {
  stairway: number;
  dbmate: number;
  /** user + system CPU ms (hyperfine only): hardly moved by other load on the machine, unlike wall time. */
  cpu?: { stairway: number; dbmate: number };
  method: string;
}

/** `--version` of both binaries: hyperfine when installed, else our own interleaved loop. */
function benchStartup(bins: Bins, work: string): Startup {
  if (which("hyperfine")) {
    const out = join(work, "startup.json");
    run(
      [
        "hyperfine",
        "-N",
        "--warmup",
        "5",
        "--runs",
        "30",
        "--export-json",
        out,
        `${bins.stairway} --version`,
        `${bins.dbmate} --version`,
      ],
      {
        stdio: "ignore",
      },
    );
    const [a, b] = (
      JSON.parse(readFileSync(out, "utf8")) as { results: { median: number; user: number; system: number }[] }
    ).results;
    return {
      stairway: a!.median * 1000,
      dbmate: b!.median * 1000,
      cpu: { stairway: (a!.user + a!.system) * 1000, dbmate: (b!.user + b!.system) * 1000 },
      method: "hyperfine -N, 5 warm-ups, 30 runs; wall median, CPU mean",
    };
  }
  const s: number[] = [];
  const d: number[] = [];
  for (let i = -5; i < 30; i++) {
    const a = run([bins.stairway, "--version"]).ms;
    const b = run([bins.dbmate, "--version"]).ms;
    if (i >= 0) s.push(a), d.push(b);
  }
  return { stairway: median(s), dbmate: median(d), method: "own loop, 30 interleaved runs, median" };
}

interface Measured {
  up: Record<Tool, number>;
  spread: Record<Tool, number[]>;
  /** The same on MariaDB; undefined when no server answers. */
  maria?: { up: Record<Tool, number>; spread: Record<Tool, number[]> };
  start: Startup;
  versions: Record<string, string>;
  about: string;
  profile?: string;
}

/** The MariaDB row: the floor is the mariadb client applying every up. */
function reportMaria(tree: GenTree, maria: NonNullable<Measured["maria"]>): Record<string, unknown> {
  const name = (t: Tool) => (t === "psql" ? "mariadb < all.sql" : t);
  const { up, spread } = maria;
  console.log(
    `\nup: the same ${tree.migrations.length} migrations on MariaDB, fresh database per run, median of ${RUNS}`,
  );
  console.log(
    table(
      ["tool", "median ms", "min", "max", "ms/migration"],
      (["stairway", "dbmate", "psql"] as Tool[]).map((t) => [
        name(t),
        fmtMs(up[t]),
        fmtMs(Math.min(...spread[t])),
        fmtMs(Math.max(...spread[t])),
        fmtMs(up[t] / tree.migrations.length),
      ]),
    ),
  );
  const ratio = up.stairway / up.dbmate;
  console.log();
  console.log(
    table(
      ["ratio", "value", "goal"],
      [
        ["stairway / dbmate", fmtRatio(ratio), verdict(ratio, GOAL_UP)],
        ["stairway / mariadb", fmtRatio(up.stairway / up.psql), ""],
        ["dbmate / mariadb", fmtRatio(up.dbmate / up.psql), ""],
      ],
    ),
  );
  return {
    upMs: { stairway: round2(up.stairway), dbmate: round2(up.dbmate), mariadb: round2(up.psql) },
    upRatio: {
      stairwayDbmate: round2(ratio),
      stairwayMariadb: round2(up.stairway / up.psql),
      dbmateMariadb: round2(up.dbmate / up.psql),
    },
    goal: { max: GOAL_UP, met: meets(ratio, GOAL_UP) },
  };
}

function report(tree: GenTree, { up, spread, maria, start, versions, about, profile }: Measured): void {
  const rows = (["stairway", "dbmate", "psql"] as Tool[]).map((t) => [
    t,
    fmtMs(up[t]),
    fmtMs(Math.min(...spread[t])),
    fmtMs(Math.max(...spread[t])),
    fmtMs(up[t] / tree.migrations.length),
  ]);
  const upRatio = up.stairway / up.dbmate;
  const startRatio = start.stairway / start.dbmate;
  console.log(
    `\nup: ${tree.migrations.length} migrations (${tree.tables} tables), PostgreSQL, fresh database per run, median of ${RUNS}`,
  );
  console.log(table(["tool", "median ms", "min", "max", "ms/migration"], rows));
  console.log();
  console.log(
    table(
      ["ratio", "value", "goal"],
      [
        ["stairway / dbmate", fmtRatio(upRatio), verdict(upRatio, GOAL_UP)],
        ["stairway / psql", fmtRatio(up.stairway / up.psql), ""],
        ["dbmate / psql", fmtRatio(up.dbmate / up.psql), ""],
      ],
    ),
  );
  const mariaSummary = maria ? reportMaria(tree, maria) : undefined;
  if (!maria) console.log("\nMariaDB: no server answers on 127.0.0.1:3306, its row is left out");
  console.log(`\nstart-up: --version (${start.method})`);
  const cpu = start.cpu;
  console.log(
    table(
      ["tool", "wall ms", "cpu ms", "goal (on wall)"],
      [
        ["stairway", fmtMs(start.stairway), cpu ? fmtMs(cpu.stairway) : "n/a", ""],
        ["dbmate", fmtMs(start.dbmate), cpu ? fmtMs(cpu.dbmate) : "n/a", ""],
        [
          "stairway / dbmate",
          fmtRatio(startRatio),
          cpu ? fmtRatio(cpu.stairway / cpu.dbmate) : "",
          verdict(startRatio, GOAL_START),
        ],
      ],
    ),
  );
  if (profile) console.log(profile);
  console.log(`\nbinary: ${about}`);
  console.log(`machine: ${machine()}`);
  console.log(
    `versions: ${Object.entries(versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  const summary = {
    bench: "runner",
    migrations: tree.migrations.length,
    runs: RUNS,
    upMs: { stairway: round2(up.stairway), dbmate: round2(up.dbmate), psql: round2(up.psql) },
    upRatio: {
      stairwayDbmate: round2(upRatio),
      stairwayPsql: round2(up.stairway / up.psql),
      dbmatePsql: round2(up.dbmate / up.psql),
    },
    ...(mariaSummary ? { mariadb: mariaSummary } : {}),
    startMs: { stairway: round2(start.stairway), dbmate: round2(start.dbmate) },
    startRatio: round2(startRatio),
    ...(cpu ? { startCpuMs: { stairway: round2(cpu.stairway), dbmate: round2(cpu.dbmate) } } : {}),
    goals: {
      up: { max: GOAL_UP, met: meets(upRatio, GOAL_UP) },
      start: { max: GOAL_START, met: meets(startRatio, GOAL_START) },
    },
    versions,
  };
  console.log(JSON.stringify(summary));
}

await main(async () => {
  if (!(RUNS >= 1 && COUNT >= 4)) throw new Error("--runs must be ≥ 1 and --migrations ≥ 4");
  const tree = generateTree(COUNT);
  const trees = writeTrees(tree);
  const pinned = pinStairway(trees.work);
  const bins: Bins = { stairway: pinned.path, dbmate: dbmateBinary() };
  const versions = {
    stairway: run([bins.stairway, "--version"]).stdout.trim(),
    dbmate: run([bins.dbmate, "--version"]).stdout.trim(),
    psql: run(["psql", "--version"]).stdout.trim(),
  };
  const spread = benchUp(tree, trees, bins, "postgres");
  const medians = (x: Record<Tool, number[]>) => ({
    stairway: median(x.stairway),
    dbmate: median(x.dbmate),
    psql: median(x.psql),
  });
  const up = medians(spread);
  let maria: Measured["maria"];
  if (mysqlAnswers()) {
    (versions as Record<string, string>).mariadb = mysqlCli("SELECT VERSION()");
    const s = benchUp(tree, trees, bins, "mariadb");
    maria = { up: medians(s), spread: s };
  }
  const start = benchStartup(bins, trees.work);
  const profile = args.profile
    ? await optionalProfile(async () => (await import("./profile.ts")).profileUp(trees.sql, RUNS))
    : undefined;
  report(tree, { up, spread, maria, start, versions, about: pinned.about, profile });
});
