// Benchmark: what a user downloads, and how fast it starts, against dbmate and
// squawk (single-binary tools of the same kind), in the same run.
//   1. size, per release platform: the binary and its release archive. Ours are
//      read from dist/release (make dist). Theirs come from their npm platform
//      packages (@dbmate/<os>-<arch>, @squawk-cli/<os>-<arch>, fetched with
//      `npm pack`, which ignores the machine's platform), and their archive is
//      made here the way make dist makes ours (tar -czf, zip -q for Windows), of
//      the binary alone: their GitHub release archives cannot be downloaded
//      from this machine. Ours also carry README.md and LICENSE (~50 KB).
//   2. start-up: `--version` of the three binaries for this machine, in one
//      interleaved loop (each round runs all three, so load from other work on
//      the machine falls on all of them alike); goal from the issue: stairway
//      within 1.5× dbmate. With hyperfine installed, its figures too (wall
//      median and min, CPU), which run one tool's runs after the other's.
//
//   node_modules/.bin/bun scripts/bench/size.ts [--runs 50]     (make bench-size runs make dist first)

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  fmtMs,
  fmtRatio,
  machine,
  main,
  median,
  PEERS,
  ROOT,
  round2,
  run,
  table,
  tempDir,
  verdict,
  which,
} from "./lib.ts";

const PLATFORMS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"] as const;
type Platform = (typeof PLATFORMS)[number];
const PEER_VERSIONS = { dbmate: "2.36.0", squawk: "2.66.0" } as const;
type Peer = keyof typeof PEER_VERSIONS;
const NPM_SCOPE: Record<Peer, string> = { dbmate: "@dbmate", squawk: "@squawk-cli" };
const GOAL_START = 1.5;
const RELEASE = process.env.RELEASE ?? join(ROOT, "dist/release");
const { values: args } = parseArgs({ options: { runs: { type: "string", default: "50" } } });
const RUNS = Number(args.runs);

const exe = (p: Platform, name: string) => (p.startsWith("windows") ? `${name}.exe` : name);
const npmPlatform = (p: Platform) => p.replace(/^windows/, "win32");
const archiveName = (p: Platform) => `stairway-${p}.${p.startsWith("windows") ? "zip" : "tar.gz"}`;

interface Sizes {
  binary: number;
  archive: number;
}

/** Ours: the archive make dist wrote, and the binary inside it. */
function ours(p: Platform, work: string): Sizes & { bin: string } {
  const archive = join(RELEASE, archiveName(p));
  if (!existsSync(archive)) throw new Error(`${archive} is missing: run "make dist" first (make bench-size does)`);
  const out = join(work, "ours", p);
  mkdirSync(out, { recursive: true });
  if (p.startsWith("windows")) run(["unzip", "-q", archive, "-d", out]);
  else run(["tar", "-xzf", archive, "-C", out]);
  const bin = join(out, `stairway-${p}`, exe(p, "stairway"));
  return { binary: statSync(bin).size, archive: statSync(archive).size, bin };
}

/**
 * The npm tarball of a peer's platform package: the version its main package
 * names when the registry has it, else the newest one published for that
 * platform (not every platform package is published at every version).
 */
function peerPack(peer: Peer, p: Platform): { tgz: string; version: string } {
  const packs = join(PEERS, "packs");
  mkdirSync(packs, { recursive: true });
  const name = `${NPM_SCOPE[peer]}/${npmPlatform(p)}`;
  const file = (v: string) => join(packs, `${NPM_SCOPE[peer].slice(1)}-${npmPlatform(p)}-${v}.tgz`);
  for (const version of [PEER_VERSIONS[peer], undefined]) {
    const v = version ?? run(["npm", "view", name, "version"]).stdout.trim();
    if (existsSync(file(v))) return { tgz: file(v), version: v };
    process.stderr.write(`bench: npm pack ${name}@${v} into scripts/bench/.peers/packs…\n`);
    const r = spawnSync("npm", ["pack", `${name}@${v}`, "--silent", "--pack-destination", packs], { stdio: "ignore" });
    if (r.status === 0 && existsSync(file(v))) return { tgz: file(v), version: v };
  }
  throw new Error(`npm pack ${name} failed`);
}

/** Theirs: the binary from the npm platform package, archived here as make dist archives ours. */
function theirs(peer: Peer, p: Platform, work: string): Sizes & { bin: string; version: string } {
  const { tgz, version } = peerPack(peer, p);
  const pkg = `${NPM_SCOPE[peer]}/${npmPlatform(p)}@${version}`;
  const dir = join(work, "theirs", `${peer}-${p}`);
  mkdirSync(dir, { recursive: true });
  run(["tar", "-xzf", tgz, "-C", dir]);
  const bin = join(dir, "package/bin", exe(p, peer));
  if (!existsSync(bin)) throw new Error(`${pkg} has no bin/${exe(p, peer)}`);
  const archive = join(work, "theirs", `${peer}-${archiveName(p).replace(/^stairway-/, "")}`);
  if (p.startsWith("windows")) run(["zip", "-q", "-j", "-X", archive, bin]);
  else run(["tar", "-C", join(dir, "package/bin"), "--owner=0", "--group=0", "--numeric-owner", "-czf", archive, peer]);
  return { binary: statSync(bin).size, archive: statSync(archive).size, bin, version };
}

type Tool = "stairway" | Peer;

interface Startup {
  /** Wall-time median of an interleaved loop (the goal's figure): every tool sees the same load. */
  ms: Record<Tool, number>;
  /** hyperfine -N, when installed: its wall median (one tool's runs after the other's, so load that
   *  comes and goes favours one of them), fastest run, and user + system CPU (hardly moved by load). */
  hyperfine?: { median: Record<Tool, number>; min: Record<Tool, number>; cpu: Record<Tool, number> };
}

/** `--version` of the three binaries for this machine. */
function startup(bins: Record<Tool, string>, work: string): Startup {
  const names = Object.keys(bins) as Tool[];
  const each = <T>(f: (n: Tool, i: number) => T) =>
    Object.fromEntries(names.map((n, i) => [n, f(n, i)])) as Record<Tool, T>;
  const times = each(() => [] as number[]);
  for (let i = -5; i < RUNS; i++)
    for (const n of names) {
      const ms = run([bins[n], "--version"]).ms;
      if (i >= 0) times[n].push(ms); // the first five are warm-ups
    }
  const start: Startup = { ms: each((n) => median(times[n])) };
  if (which("hyperfine")) {
    const out = join(work, "startup.json");
    run(
      [
        "hyperfine",
        "-N",
        "--warmup",
        "5",
        "--runs",
        String(RUNS),
        "--export-json",
        out,
        ...names.map((n) => `${bins[n]} --version`),
      ],
      { stdio: "ignore" },
    );
    const r = (
      JSON.parse(readFileSync(out, "utf8")) as {
        results: { median: number; min: number; user: number; system: number }[];
      }
    ).results;
    start.hyperfine = {
      median: each((_, i) => r[i]!.median * 1000),
      min: each((_, i) => r[i]!.min * 1000),
      cpu: each((_, i) => (r[i]!.user + r[i]!.system) * 1000),
    };
  }
  return start;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const round = (x: Record<string, number>) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, round2(v)]));

await main(() => {
  const work = tempDir("size");
  const host = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}` as Platform;
  if (!PLATFORMS.includes(host)) throw new Error(`this machine (${host}) is not a release platform`);
  const rows: string[][] = [];
  const json: Record<string, Record<string, Sizes>> = {};
  const hostBins = {} as Record<Tool, string>;
  const packed: string[] = [];
  for (const p of PLATFORMS) {
    const s = ours(p, work);
    const d = theirs("dbmate", p, work);
    const q = theirs("squawk", p, work);
    packed.push(`${p}: dbmate ${d.version}, squawk ${q.version}`);
    if (p === host) Object.assign(hostBins, { stairway: s.bin, dbmate: d.bin, squawk: q.bin });
    json[p] = {
      stairway: { binary: s.binary, archive: s.archive },
      dbmate: { binary: d.binary, archive: d.archive },
      squawk: { binary: q.binary, archive: q.archive },
    };
    rows.push([
      p,
      mb(s.binary),
      mb(s.archive),
      mb(d.binary),
      mb(d.archive),
      mb(q.binary),
      mb(q.archive),
      fmtRatio(s.archive / d.archive),
      fmtRatio(s.archive / q.archive),
    ]);
  }
  const versions = {
    stairway: run([hostBins.stairway, "--version"]).stdout.trim(),
    dbmate: run([hostBins.dbmate, "--version"]).stdout.trim(),
    squawk: run([hostBins.squawk, "--version"]).stdout.trim(),
  };
  const start = startup(hostBins, work);
  const ratio = start.ms.stairway / start.ms.dbmate;

  console.log("download size: binary and release archive per platform (tar.gz; zip for Windows), same run\n");
  console.log(
    table(
      [
        "platform",
        "stairway bin",
        "archive",
        "dbmate bin",
        "archive",
        "squawk bin",
        "archive",
        "archive vs dbmate",
        "vs squawk",
      ],
      rows,
    ),
  );
  console.log(
    `\nours: ${RELEASE} (make dist); theirs: npm ${NPM_SCOPE.dbmate}/<platform>, ${NPM_SCOPE.squawk}/<platform>, archived here the same way`,
  );
  console.log(
    `their versions (the newest published where ${PEER_VERSIONS.dbmate} / ${PEER_VERSIONS.squawk} is not): ${packed.join("; ")}`,
  );
  console.log(`\nstart-up: --version on ${host}; ${RUNS} runs each after 5 warm-ups (ms; × dbmate)`);
  const vs = (x: Record<Tool, number>, n: Tool) =>
    `${fmtMs(x[n])}${n === "dbmate" ? "" : ` (${fmtRatio(x[n] / x.dbmate)})`}`;
  const h = start.hyperfine;
  const names: Tool[] = ["stairway", "dbmate", "squawk"];
  console.log(
    table(
      ["binary", "interleaved median", ...(h ? ["hyperfine -N median", "min", "CPU"] : [])],
      names.map((n) => [n, vs(start.ms, n), ...(h ? [vs(h.median, n), vs(h.min, n), vs(h.cpu, n)] : [])]),
    ),
  );
  console.log(`stairway / dbmate, interleaved median: ${fmtRatio(ratio)} — ${verdict(ratio, GOAL_START)}`);
  console.log(
    `\nversions: ${Object.entries(versions)
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ")}`,
  );
  console.log(machine());
  console.log(
    JSON.stringify({
      bench: "size",
      sizes: json,
      startMs: round(start.ms),
      startRatio: round2(ratio),
      goalStart: GOAL_START,
      hyperfine: start.hyperfine && {
        medianMs: round(start.hyperfine.median),
        minMs: round(start.hyperfine.min),
        cpuMs: round(start.hyperfine.cpu),
      },
    }),
  );
});
