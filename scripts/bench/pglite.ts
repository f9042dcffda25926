// Benchmark: what embedded PostgreSQL (the pglite: store) costs, in one run.
//   1. size: the binary built from this tree, against the same tree built with
//      the pglite store's loader line (src/stores/index.ts) stubbed out, so
//      neither PGlite's code nor its embedded files are in it; both with the
//      Makefile's compile flags. The embedded files are listed apart.
//   2. cold start of a pglite: target, process start to first answer (`status`,
//      which opens the database and reads its bookkeeping): in memory; a new
//      pglite:dir (made from the embedded empty database); the same directory
//      reopened. Against `--version` (the process alone) and a SQLite file. The
//      first run of each is shown apart from the median of the later ones.
//   3. make demo: `stairway test` and `cross-db` of the showcase on SQLite and
//      PGlite, as `make demo` runs them (the build left out), first run and
//      median; goal ≤ 10 s on a 2-core machine.
// Wall times come with user + system CPU (/usr/bin/time, when installed): the
// machine's load moves the first, hardly the second.
//
//   node_modules/.bin/bun scripts/bench/pglite.ts [--runs 5]      (make bench-pglite)

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fmtMs, machine, main, median, pinStairway, ROOT, round2, run, table, tempDir } from "./lib.ts";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Math.max(2, Number(args.runs));
const DEMO_GOAL_MS = 10_000;
const COMPILE = (readFileSync(join(ROOT, "Makefile"), "utf8").match(/^COMPILE := \$\(BUN\) (.*)$/m) ?? [])[1];
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

interface Timed {
  ms: number;
  /** user + system, when /usr/bin/time is there. */
  cpuMs?: number;
}

/** One run of a command: wall, and CPU through /usr/bin/time -f. */
function timed(cmd: string[], cwd: string): Timed {
  if (!TIME) return { ms: run(cmd, { cwd, stdio: ["ignore", "ignore", "pipe"] }).ms };
  const r = run([TIME, "-f", "\n@cpu %U %S", ...cmd], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  const m = /@cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { ms: r.ms, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined };
}

/** The binary of a copy of this tree (with the pglite loader stubbed out when `without`), Makefile flags. */
function build(work: string, without: boolean): string {
  if (!COMPILE) throw new Error("no COMPILE line in the Makefile");
  const tree = join(work, without ? "without" : "with");
  for (const f of ["src", "package.json", "tsconfig.json"]) cpSync(join(ROOT, f), join(tree, f), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"));
  if (without) {
    const index = join(tree, "src/stores/index.ts");
    const text = readFileSync(index, "utf8");
    const stubbed = text.replace(
      /^(\s*)pglite: \(\) => import\([^\n]*$/m,
      '$1pglite: () => Promise.reject(new Error("the pglite store is left out of this build")),',
    );
    if (stubbed === text) throw new Error("src/stores/index.ts has no pglite loader line to stub out");
    writeFileSync(index, stubbed);
  }
  const out = join(work, without ? "stairway-without-pglite" : "stairway");
  const flags = COMPILE.split(/\s+/).filter(Boolean);
  run([join(ROOT, "node_modules/.bin/bun"), ...flags, "src/bin.ts", "--outfile", out], { cwd: tree });
  rmSync(tree, { recursive: true, force: true });
  return out;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const cell = (t: Timed) => `${fmtMs(t.ms)}${t.cpuMs === undefined ? "" : ` (CPU ${fmtMs(t.cpuMs)})`}`;
const med = (ts: Timed[]): Timed => ({
  ms: median(ts.map((t) => t.ms)),
  cpuMs: ts.every((t) => t.cpuMs !== undefined) ? median(ts.map((t) => t.cpuMs!)) : undefined,
});

await main(() => {
  const work = tempDir("pglite");
  // ── 1. size ──
  process.stderr.write("bench: building the binary with and without the pglite store…\n");
  const withBin = build(work, false);
  const withoutBin = build(work, true);
  const size = { with: statSync(withBin).size, without: statSync(withoutBin).size };
  const assets = Object.fromEntries(
    ["pglite.wasm.gz", "pglite.data.gz", "template.tar.gz"].map((f) => [
      f,
      statSync(join(ROOT, "src/stores/pglite/assets", f)).size,
    ]),
  );
  const embedded = Object.values(assets).reduce((a, b) => a + b, 0);

  // ── 2. cold start ──
  const bin = pinStairway(work);
  const project = join(work, "project");
  cpSync(join(ROOT, "sql"), join(project, "sql"), { recursive: true });
  run([bin.path, "up", "--db", `sqlite:${join(project, "app.db")}`, "--report-dir", join(work, "r")], { cwd: project });
  const starts: Record<string, { first: Timed; later: Timed[] }> = {};
  const cases: [string, (i: number) => string[]][] = [
    ["--version (the process alone)", () => ["--version"]],
    ["SQLite file, status", () => ["status", "--db", `sqlite:${join(project, "app.db")}`]],
    ["pglite: in memory, status", () => ["status", "--db", "pglite:"]],
    // A new directory every run: made from the embedded empty database (up of an empty tree: bookkeeping only).
    ["pglite:dir, new (made from the empty database)", (i) => ["up", "--sql", "none", "--db", `pglite:new${i}`]],
    ["pglite:dir, reopened, status", () => ["status", "--db", "pglite:kept"]],
  ];
  run([bin.path, "up", "--db", "pglite:kept", "--report-dir", join(work, "r")], { cwd: project });
  mkdirSync(join(project, "none")); // an empty tree
  for (let i = 0; i <= RUNS; i++)
    for (const [name, args] of cases) {
      const t = timed([bin.path, ...args(i), "--report-dir", join(work, "r")], project);
      if (i === 0) starts[name] = { first: t, later: [] };
      else starts[name]!.later.push(t);
    }

  // ── 3. make demo ──
  const demo: Timed[] = [];
  for (let i = 0; i < RUNS; i++) {
    const common = ["--config", "tests/migrations/config.yaml", "--report-dir", join(work, "demo")];
    const a = timed([bin.path, "test", ...common, "--target", "sqlite", "--target", "pglite"], ROOT);
    const b = timed(
      [bin.path, "cross-db", ...common, "--target", "sqlite", "--target", "pglite", "--reference", "pglite"],
      ROOT,
    );
    demo.push({ ms: a.ms + b.ms, cpuMs: a.cpuMs !== undefined ? a.cpuMs + (b.cpuMs ?? 0) : undefined });
  }

  console.log("binary size (this tree, Makefile compile flags)\n");
  console.log(
    table(
      ["build", "size"],
      [
        ["with the pglite store", mb(size.with)],
        ["without it (its loader line stubbed out)", mb(size.without)],
        ["growth", mb(size.with - size.without)],
        ...Object.entries(assets).map(([f, b]) => [`  of which embedded ${f}`, mb(b)]),
        ["  of which PGlite's JavaScript and the store", mb(size.with - size.without - embedded)],
      ],
    ),
  );
  console.log(`\ncold start: process start to first answer, ms (first run; median of ${RUNS} later runs)\n`);
  console.log(
    table(
      ["target", "first run", "later runs (median)"],
      Object.entries(starts).map(([name, s]) => [name, cell(s.first), cell(med(s.later))]),
    ),
  );
  const demoMed = med(demo.slice(1));
  console.log(
    `\nmake demo (test + cross-db on SQLite and PGlite, build left out): first run ${cell(demo[0]!)} ms, median of the others ${cell(demoMed)} ms — ${demo[0]!.ms <= DEMO_GOAL_MS ? "met" : "MISSED"} (goal ≤ ${DEMO_GOAL_MS / 1000} s, first run included)`,
  );
  console.log(`\n${bin.about}\n${machine()}`);
  console.log(
    JSON.stringify({
      bench: "pglite",
      size: { ...size, growth: size.with - size.without, assets },
      startMs: Object.fromEntries(
        Object.entries(starts).map(([k, s]) => [
          k,
          { first: round2(s.first.ms), later: round2(med(s.later).ms), laterCpu: med(s.later).cpuMs },
        ]),
      ),
      demoMs: { first: round2(demo[0]!.ms), median: round2(demoMed.ms), cpuMedian: demoMed.cpuMs },
      goalDemoMs: DEMO_GOAL_MS,
    }),
  );
});
