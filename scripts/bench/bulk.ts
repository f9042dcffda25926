// Generated rows into PostgreSQL and SQLite (stairway's loader: generation +
// COPY / multi-row inserts, streamed) against the floors: psql \copy and
// sqlite3 .import of the same rows, written beforehand as CSV. Same run, same
// table (the showcase's `servers` at head: a unique index, CHECKs, defaults).
// Goal (issue 7): ≥ 0.8× the floor's rows/s; and the peak memory at 1M rows.
//
// Every tool writes each row once, straight into the real table, on a fresh
// database of its own per run (bench_<pid>_<tool>, a temp SQLite file), created
// at head before the clock starts. sqlite3 .import fills the table's columns in
// order from a CSV without header; it reads an empty field as '' (there is no
// NULL in CSV), so its file holds '' where the others hold NULL: the same
// writes, if anything cheaper. One warm-up round, not counted, then --runs
// rounds with the tools' order alternating; medians.
//
//   node_modules/.bin/bun scripts/bench/bulk.ts [--rows 1000000] [--runs 3]

import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadTables } from "../../src/data/bulk.ts";
import { planTable } from "../../src/data/generator.ts";
import type { SqlDriver, Value } from "../../src/stores/contract.ts";
import { loadStore, parseTargetUrl } from "../../src/stores/index.ts";
import { loadPlan } from "../../src/plan/discover.ts";
import type { Schema } from "../../src/schema/model.ts";
import * as runner from "../../src/runner.ts";
import { createDb, dropDb, machine, main, median, PG_SERVER, psql, ROOT, rotate, run, table, tempDir } from "./lib.ts";

const { values: args } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" } },
});
const ROWS = Number(args.rows);
const RUNS = Number(args.runs);
const TABLE = "servers";
const GOAL = 0.8;

type Dialect = "postgres" | "sqlite";
type Tool = "stairway" | "floor";

async function atHead(url: string): Promise<SqlDriver> {
  const t = parseTargetUrl(url);
  const driver = await (await loadStore<SqlDriver>(t.store)).open(t, { name: "bench" });
  await runner.up({
    driver,
    target: "bench",
    migrations: loadPlan({ sqlDir: join(ROOT, "sql") }).migrations,
    lockTimeoutMs: 10_000,
  });
  return driver;
}

function csv(v: Value): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Peak RSS while `fn` runs, sampled every 20 ms. */
async function withPeak<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  return { value, ms, peakMb: Math.round(Math.max(peak, process.memoryUsage.rss()) / 1e6) };
}

interface Files {
  /** Header + the generated columns; NULL as an empty unquoted field (what COPY csv reads as NULL). */
  pg: string;
  /** No header; every column of the table in order, the key numbered as the table would. */
  sqlite: string;
  columns: string[];
  schema: Schema;
}

/** The same rows for everyone: written once, from the generator the loader uses. */
async function writeRows(dir: string): Promise<Files> {
  const scratch = await atHead(`sqlite:${join(dir, "plan.db")}`);
  const schema = await scratch.introspect();
  const t = schema.tables.find((x) => x.name === TABLE)!;
  const plan = await planTable(scratch, schema, t, 1);
  await scratch.close();
  if ("reason" in plan) throw new Error(plan.reason);
  const all = t.columns.map((c) => c.name);
  const key = all.filter((c) => !plan.columns.includes(c));
  if (key.length !== 1)
    throw new Error(`expected one generated key column in ${TABLE}, found ${key.join(", ") || "none"}`);
  const files = { pg: join(dir, "rows.csv"), sqlite: join(dir, "rows-sqlite.csv") };
  writeFileSync(files.pg, plan.columns.join(",") + "\n");
  writeFileSync(files.sqlite, "");
  const pg: string[] = [];
  const lite: string[] = [];
  for (let n = 0; n < ROWS; n++) {
    const row = plan.row(n);
    pg.push(row.map(csv).join(","));
    const byName = new Map(plan.columns.map((c, i) => [c, row[i]!]));
    lite.push(all.map((c) => (c === key[0] ? String(n + 1) : csv(byName.get(c)!))).join(","));
    if (pg.length === 50_000 || n === ROWS - 1) {
      writeFileSync(files.pg, pg.join("\n") + "\n", { flag: "a" });
      writeFileSync(files.sqlite, lite.join("\n") + "\n", { flag: "a" });
      pg.length = 0;
      lite.length = 0;
    }
  }
  return { ...files, columns: plan.columns, schema };
}

interface Sample {
  ms: number;
  peakMb?: number;
}

/** One timed load by one tool into a fresh database at head; the rows are counted after. */
async function loadOnce(dialect: Dialect, tool: Tool, files: Files, work: string): Promise<Sample> {
  if (dialect === "postgres") {
    const db = createDb(`bench_${process.pid}_bulk_${tool}`);
    try {
      const url = `${PG_SERVER}/${db}`;
      const driver = await atHead(url);
      let sample: Sample;
      if (tool === "stairway") {
        const r = await withPeak(() => loadTables(driver, files.schema, ROWS, { seed: 1, only: new Set([TABLE]) }));
        sample = { ms: r.ms, peakMb: r.peakMb };
      } else {
        await driver.close();
        sample = {
          ms: run([
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            url,
            "-c",
            `\\copy ${TABLE} (${files.columns.join(", ")}) FROM '${files.pg}' WITH (FORMAT csv, HEADER true)`,
          ]).ms,
        };
      }
      if (tool === "stairway") await driver.close();
      const n = Number(psql(`SELECT count(*) FROM ${TABLE}`, db));
      if (n !== ROWS) throw new Error(`${tool} left ${n} rows in ${TABLE} on PostgreSQL, expected ${ROWS}`);
      return sample;
    } finally {
      dropDb(db);
    }
  }
  const path = join(work, `${tool}.db`);
  try {
    const driver = await atHead(`sqlite:${path}`);
    let sample: Sample;
    if (tool === "stairway") {
      const r = await withPeak(() => loadTables(driver, files.schema, ROWS, { seed: 1, only: new Set([TABLE]) }));
      sample = { ms: r.ms, peakMb: r.peakMb };
      await driver.close();
    } else {
      await driver.close();
      // .import checks foreign keys only when they are on, as stairway's connection has them.
      sample = { ms: run(["sqlite3", path, "PRAGMA foreign_keys = ON;", `.import --csv ${files.sqlite} ${TABLE}`]).ms };
    }
    const n = Number(run(["sqlite3", path, `SELECT count(*) FROM ${TABLE}`]).stdout.trim());
    if (n !== ROWS) throw new Error(`${tool} left ${n} rows in ${TABLE} on SQLite, expected ${ROWS}`);
    return sample;
  } finally {
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
  }
}

await main(async () => {
  const work = tempDir("bulk");
  const files = await writeRows(work);
  const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
  const rows: string[][] = [];
  const json: Record<string, unknown> = {};
  for (const dialect of ["postgres", "sqlite"] as const) {
    const times: Record<Tool, number[]> = { stairway: [], floor: [] };
    let peakMb = 0;
    // Round -1 warms up (page cache, the first CREATE DATABASE, JIT) and is not counted.
    for (let r = -1; r < RUNS; r++)
      for (const tool of rotate(["stairway", "floor"] as Tool[], r + 1)) {
        process.stderr.write(`bench-bulk: ${dialect} ${r < 0 ? "warm-up" : `run ${r + 1}/${RUNS}`} ${tool}…\n`);
        const s = await loadOnce(dialect, tool, files, work);
        if (r < 0) continue;
        times[tool].push(s.ms);
        peakMb = Math.max(peakMb, s.peakMb ?? 0);
      }
    const ours = median(times.stairway);
    const floor = median(times.floor);
    const ratio = floor / ours;
    const span = (xs: number[]) =>
      `${rate(Math.max(...xs)).toLocaleString("en")}–${rate(Math.min(...xs)).toLocaleString("en")}`;
    rows.push([
      dialect,
      rate(ours).toLocaleString("en"),
      span(times.stairway),
      rate(floor).toLocaleString("en"),
      span(times.floor),
      `${ratio.toFixed(2)}×`,
      ratio >= GOAL ? `met (≥ ${GOAL}×)` : `MISSED (goal ≥ ${GOAL}×)`,
      `${peakMb} MB`,
    ]);
    json[dialect] = {
      oursMs: times.stairway,
      floorMs: times.floor,
      oursRowsPerS: rate(ours),
      floorRowsPerS: rate(floor),
      ratio: +ratio.toFixed(3),
      peakMb,
    };
  }
  console.log(
    `\n${ROWS.toLocaleString("en")} generated rows into ${TABLE} (showcase head schema); median of ${RUNS} alternating runs after a warm-up\n`,
  );
  console.log(
    table(
      ["dialect", "stairway rows/s", "min–max", "floor rows/s", "min–max", "ratio", "goal", "stairway peak RSS"],
      rows,
    ),
  );
  console.log(
    "(floors: psql \\copy and sqlite3 .import straight into the table, of the same rows as CSV written beforehand;" +
      " stairway's figure includes generating them)",
  );
  console.log(machine());
  console.log(JSON.stringify({ rows: ROWS, runs: RUNS, table: TABLE, results: json }));
});
