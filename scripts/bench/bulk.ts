// Generated rows into PostgreSQL and SQLite (stairway's loader: generation +
// COPY / multi-row inserts, streamed) against the floors: psql \copy and
// sqlite3 .import of the same rows, written beforehand as CSV. Same run, same
// table (the showcase's `servers` at head: a unique index, CHECKs, defaults).
// Goal (issue 7): ≥ 0.8× the floor's rows/s; and the peak memory at 1M rows.
//
//   node_modules/.bin/bun scripts/bench/bulk.ts [--rows 1000000]

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { loadTables } from "../../src/data/bulk.ts";
import { planTable } from "../../src/data/generator.ts";
import type { SqlDriver, Value } from "../../src/stores/contract.ts";
import { loadStore, parseTargetUrl } from "../../src/stores/index.ts";
import { loadPlan } from "../../src/plan/discover.ts";
import * as runner from "../../src/runner.ts";

const ROOT = resolve(import.meta.dir, "../..");
const ROWS = Number(process.argv[process.argv.indexOf("--rows") + 1] || 1_000_000);
const PG = process.env.STAIRWAY_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const TABLE = "servers";
const dir = mkdtempSync(join(tmpdir(), "stairway-bench-bulk-"));
const admin = postgres(PG, { max: 1, onnotice: () => {} });
const created: string[] = [];

async function pgDb(name: string): Promise<string> {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  created.push(name);
  const u = new URL(PG);
  u.pathname = `/${name}`;
  return u.toString();
}

async function atHead(url: string): Promise<SqlDriver> {
  const t = parseTargetUrl(url);
  const driver = await (await loadStore<SqlDriver>(t.dialect)).open(t, { name: "bench" });
  await runner.up({ driver, target: "bench", migrations: loadPlan({ sqlDir: join(ROOT, "sql") }).migrations, lockTimeoutMs: 10_000 });
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

function run(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  return performance.now() - t0;
}

try {
  // The same rows for everyone: written once as CSV, from the generator the loader uses.
  const scratch = await atHead(`sqlite:${join(dir, "plan.db")}`);
  const schema = await scratch.introspect();
  const plan = await planTable(scratch, schema, schema.tables.find((t) => t.name === TABLE)!, 1);
  if ("reason" in plan) throw new Error(plan.reason);
  await scratch.close();
  const csvFile = join(dir, "rows.csv");
  const lines: string[] = [];
  writeFileSync(csvFile, plan.columns.join(",") + "\n");
  for (let n = 0; n < ROWS; n++) {
    lines.push(plan.row(n).map(csv).join(","));
    if (lines.length === 50_000 || n === ROWS - 1) {
      writeFileSync(csvFile, lines.join("\n") + "\n", { flag: "a" });
      lines.length = 0;
    }
  }

  const results: Record<string, { oursMs: number; floorMs: number; peakMb: number }> = {};

  // PostgreSQL: stairway's loader vs psql \copy.
  const ours = await atHead(await pgDb("bench_bulk_ours"));
  const pg = await withPeak(() => loadTables(ours, schema, ROWS, { seed: 1, only: new Set([TABLE]) }));
  await ours.close();
  const floorUrl = await pgDb("bench_bulk_floor");
  await (await atHead(floorUrl)).close();
  const floorMs = run("psql", [floorUrl, "-v", "ON_ERROR_STOP=1", "-qc", `\\copy ${TABLE} (${plan.columns.join(", ")}) FROM '${csvFile}' WITH (FORMAT csv, HEADER true)`]);
  results.postgres = { oursMs: pg.ms, floorMs, peakMb: pg.peakMb };

  // SQLite: stairway's loader vs sqlite3 .import.
  const lite = await atHead(`sqlite:${join(dir, "ours.db")}`);
  const sq = await withPeak(() => loadTables(lite, schema, ROWS, { seed: 1, only: new Set([TABLE]) }));
  await lite.close();
  await (await atHead(`sqlite:${join(dir, "floor.db")}`)).close();
  // .import fills every column of an existing table by position, and reads empty fields as '':
  // the CSV goes into a staging table (made from its header), then into the table.
  const cols = plan.columns.join(", ");
  const sqliteMs = run("sqlite3", [
    join(dir, "floor.db"),
    "PRAGMA foreign_keys = ON;",
    `.import --csv ${csvFile} staging`,
    `INSERT INTO ${TABLE} (${cols}) SELECT ${plan.columns.map((c) => `NULLIF(${c}, '')`).join(", ")} FROM staging;`,
  ]);
  results.sqlite = { oursMs: sq.ms, floorMs: sqliteMs, peakMb: sq.peakMb };

  const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
  console.log(`\n${ROWS.toLocaleString("en")} generated rows into ${TABLE} (showcase head schema), same run\n`);
  console.log("dialect    stairway rows/s   floor rows/s   ratio (goal ≥ 0.8)   stairway peak RSS");
  for (const [d, r] of Object.entries(results))
    console.log(
      `${d.padEnd(10)} ${rate(r.oursMs).toLocaleString("en").padStart(15)} ${rate(r.floorMs).toLocaleString("en").padStart(14)}   ${(r.floorMs / r.oursMs).toFixed(2).padStart(6)}×             ${r.peakMb} MB`,
    );
  console.log("(floors: psql \\copy and sqlite3 .import of the same rows as CSV, written beforehand; stairway's figure includes generating them)");
  console.log(JSON.stringify({ rows: ROWS, table: TABLE, results: Object.fromEntries(Object.entries(results).map(([d, r]) => [d, { ...r, oursRowsPerS: rate(r.oursMs), floorRowsPerS: rate(r.floorMs), ratio: +(r.floorMs / r.oursMs).toFixed(3) }])) }));
} finally {
  for (const name of created) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
