// Benchmark: a big tree in CI (README "Big trees in CI").
//   A generated popx-shaped tree of 700 migrations in a git repository, where
//   a branch adds 2: `stairway test --since-git main` on PostgreSQL must check
//   exactly those 2, in ≤ 3 s with a warm prefix cache (cold and warm shown).
//   Then the whole tree, unsharded, and in 4 shards run one after another
//   (the slices cut by the unsharded run's timings, as a CI run cuts them by
//   the last merged report's), cold and warm: the slowest shard must take
//   ≤ 0.35× the unsharded wall time, and `report --from` must merge the
//   shards into the unsharded run's results, every migration once.
//
//   node_modules/.bin/bun scripts/bench/big-tree.ts [--migrations 700] [--shards 4]

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  fmtMs,
  fmtRatio,
  generateTree,
  machine,
  main,
  onCleanup,
  pinStairway,
  PG_SERVER,
  psql,
  round2,
  run,
  table,
  tempDir,
  writePopxTree,
} from "./lib.ts";

const GOAL_SINCE_MS = 3000;
const GOAL_SHARD = 0.35;

const { values: args } = parseArgs({
  options: {
    migrations: { type: "string", default: "700" },
    shards: { type: "string", default: "4" },
  },
});
const N = Number(args.migrations);
const SHARDS = Number(args.shards);

interface Report {
  ok: boolean;
  results: { check: string; target: string; migration?: string; status: string; message: string }[];
  coverage?: Record<string, { checked: number; total: number; appliedOnly?: number }>;
  selection?: { targets: Record<string, { prefix: { from: string; cache?: string; ms: number } }> };
}

const git = (cwd: string, ...a: string[]) =>
  run(["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", ...a], { cwd });

/** One stairway command on PostgreSQL; its wall time and report. */
function stairway(bin: string, cwd: string, extra: string[]): { ms: number; report: Report } {
  const { ms, stdout } = run(
    [bin, "test", "--db", `${PG_SERVER}/postgres`, "--sql", "sql", "--layout", "popx", "--json", ...extra],
    { cwd, env: { ...process.env, TMPDIR: cwd } },
  );
  return { ms, report: JSON.parse(stdout) as Report };
}

const checked = (r: Report) => r.results.filter((x) => x.check === "step.redo").map((x) => x.migration!);
/** What must be equal between the unsharded run and the merged shards: each migration's checks and verdicts. */
const verdicts = (r: Report) =>
  r.results
    .filter((x) => x.migration)
    .map((x) => `${x.target} ${x.migration} ${x.check} ${x.status}`)
    .sort();

/** The templates our cache dirs name, dropped at the end (a bench leaves nothing on the server). */
function dropTemplates(cacheDirs: string[]): void {
  for (const dir of cacheDirs) {
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir)) {
      const file = join(dir, e, "entry.json");
      if (!existsSync(file)) continue;
      const name = (JSON.parse(readFileSync(file, "utf8")) as { kept?: { template?: string } }).kept?.template;
      if (!name || !/^stairway_cache_[0-9a-f]{16}$/.test(name)) continue;
      psql(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
      psql(`DROP DATABASE IF EXISTS ${name}`);
    }
  }
}

await main(async () => {
  const pinned = pinStairway(tempDir("bin"));
  const work = tempDir("bigtree");
  const caches = ["cache-since", "cache-shards"].map((c) => join(work, c));
  onCleanup(() => dropTemplates(caches));
  const tree = generateTree(N);

  // main holds N - 2 migrations; the branch adds 2.
  writePopxTree(join(work, "sql"), { ...tree, migrations: tree.migrations.slice(0, N - 2) });
  git(work, "init", "-q", "-b", "main");
  git(work, "add", ".");
  git(work, "commit", "-qm", `${N - 2} migrations`);
  git(work, "checkout", "-qb", "feature");
  writePopxTree(join(work, "sql"), tree);
  git(work, "add", ".");
  git(work, "commit", "-qm", "two more");

  // 1. --since-git: cold (an empty cache dir), then warm.
  const since = (label: string) => {
    const r = stairway(pinned.path, work, [
      "--since-git",
      "main",
      "--cache-dir",
      caches[0]!,
      "--report-dir",
      `since-${label}`,
    ]);
    const ids = checked(r.report);
    if (!r.report.ok || ids.length !== 2)
      throw new Error(`--since-git (${label}) checked ${ids.length} migrations (${ids.join(", ")}), ok=${r.report.ok}`);
    process.stderr.write(`  --since-git ${label}: ${fmtMs(r.ms)} ms\n`);
    return { ...r, ids };
  };
  const cold = since("cold");
  const warm = since("warm");
  if (warm.report.selection?.targets.postgres?.prefix.from !== "cache")
    throw new Error(`the warm run did not use the prefix cache: ${JSON.stringify(warm.report.selection)}`);

  // 2. The whole tree, unsharded.
  const whole = stairway(pinned.path, work, ["--report-dir", "whole"]);
  if (!whole.report.ok) throw new Error("the unsharded stairway failed");
  process.stderr.write(`  unsharded: ${fmtMs(whole.ms)} ms\n`);

  // 3. The shards, one after another; each report dir starts with the unsharded run's timings.
  const shardRun = (k: number, round: string) => {
    const dir = join(work, `shard-${round}-${k}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(work, "whole/test.json"), join(dir, "test.json"));
    const r = stairway(pinned.path, work, [
      "--shard",
      `${k}/${SHARDS}`,
      "--cache-dir",
      caches[1]!,
      "--report-dir",
      dir,
    ]);
    if (!r.report.ok) throw new Error(`shard ${k}/${SHARDS} (${round}) failed`);
    process.stderr.write(`  shard ${k}/${SHARDS} ${round}: ${fmtMs(r.ms)} ms\n`);
    return { ...r, dir, ids: checked(r.report) };
  };
  const rounds = {
    cold: Array.from({ length: SHARDS }, (_, i) => shardRun(i + 1, "cold")),
    warm: Array.from({ length: SHARDS }, (_, i) => shardRun(i + 1, "warm")),
  };

  // 4. Merged: every migration once, the unsharded run's verdicts.
  run([pinned.path, "report", "--from", "shard-warm-*", "--report-dir", "merged"], { cwd: work });
  const merged = JSON.parse(readFileSync(join(work, "merged/test.json"), "utf8")) as Report;
  const once = rounds.warm.flatMap((s) => s.ids);
  const sameOnce = once.length === N && new Set(once).size === N && once.join() === checked(whole.report).join();
  const equal = JSON.stringify(verdicts(merged)) === JSON.stringify(verdicts(whole.report));
  if (!sameOnce || !equal)
    throw new Error(
      `the merged shards differ from the unsharded run (every migration once: ${sameOnce}; same verdicts: ${equal})`,
    );

  const rows: string[][] = [
    ["test --since-git main (2 new), cold cache", fmtMs(cold.ms), prefixText(cold.report), ""],
    [
      "test --since-git main (2 new), warm cache",
      fmtMs(warm.ms),
      prefixText(warm.report),
      warm.ms <= GOAL_SINCE_MS ? `met (≤ ${GOAL_SINCE_MS} ms)` : `MISSED (goal ≤ ${GOAL_SINCE_MS} ms)`,
    ],
    [`test, unsharded (${N} migrations)`, fmtMs(whole.ms), "", ""],
  ];
  for (const round of ["cold", "warm"] as const)
    for (const [i, s] of rounds[round].entries())
      rows.push([
        `test --shard ${i + 1}/${SHARDS}, ${round} cache (${s.ids.length} checked)`,
        fmtMs(s.ms),
        prefixText(s.report),
        fmtRatio(s.ms / whole.ms),
      ]);
  const slowest = (round: "cold" | "warm") => Math.max(...rounds[round].map((s) => s.ms));
  console.log(`\nstairway on a generated popx-shaped tree of ${N} migrations, PostgreSQL; wall times, exit to exit`);
  console.log(table(["run", "ms", "prefix", "ratio / goal"], rows));
  for (const round of ["cold", "warm"] as const)
    console.log(
      `slowest shard, ${round} cache: ${fmtMs(slowest(round))} ms = ${fmtRatio(slowest(round) / whole.ms)} the unsharded run (goal ≤ ${GOAL_SHARD}×: ${slowest(round) / whole.ms <= GOAL_SHARD ? "met" : "MISSED"})`,
    );
  console.log(
    `merged report: every migration once (${once.length}), the unsharded run's verdicts: ${equal ? "equal" : "DIFFERENT"}`,
  );
  console.log(`\nbinary: ${pinned.about}`);
  console.log(`machine: ${machine()}`);
  console.log(
    JSON.stringify({
      bench: "big-tree",
      migrations: N,
      shards: SHARDS,
      sinceGitMs: { cold: round2(cold.ms), warm: round2(warm.ms), goal: GOAL_SINCE_MS },
      unshardedMs: round2(whole.ms),
      shardMs: { cold: rounds.cold.map((s) => round2(s.ms)), warm: rounds.warm.map((s) => round2(s.ms)) },
      slowestRatio: {
        cold: round2(slowest("cold") / whole.ms),
        warm: round2(slowest("warm") / whole.ms),
        goal: GOAL_SHARD,
      },
      mergedEqual: equal && sameOnce,
    }),
  );
});

function prefixText(r: Report): string {
  const p = r.selection?.targets.postgres?.prefix;
  return p ? `${p.from}${p.cache && p.cache !== "hit" ? ` (${p.cache})` : ""}, ${fmtMs(p.ms)} ms` : "";
}
