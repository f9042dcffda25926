// Benchmark: what a user downloads, and how fast it starts, against dbmate and
// squawk (single-binary tools of the same kind), in the same run.
//   1. size, per release platform: the binary and its release archive. Ours are
//      read from dist/release (make dist). Theirs come from their npm platform
//      packages (@dbmate/<os>-<arch>, @squawk-cli/<os>-<arch>, fetched with
//      `npm pack`, which ignores the machine's platform), and their archive is
//      made here the way make dist makes ours (tar -czf, zip -q for Windows), of
//      the binary alone: their GitHub release archives cannot be downloaded
//      from this machine. Ours also carry README.md and LICENSE (~50 KB).
//   2. start-up: `--version` of the three binaries for this machine, hyperfine
//      -N when installed (else our own interleaved loop); goal from the issue:
//      stairway within 1.5× dbmate.
//
//   node_modules/.bin/bun scripts/bench/size.ts [--runs 50]     (make bench-size runs make dist first)

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fmtMs, fmtRatio, machine, main, median, PEERS, ROOT, round2, run, table, tempDir, verdict, which } from "./lib.ts";

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

interface Startup {
  /** Wall-time median, the goal's figure. */
  ms: Record<"stairway" | Peer, number>;
  /** Fastest run, and user + system CPU (hyperfine only): hardly moved by other load on the machine, unlike the median. */
  min: Record<"stairway" | Peer, number>;
  cpu?: Record<"stairway" | Peer, number>;
  method: string;
}

/** `--version` of the three binaries for this machine. */
function startup(bins: Record<"stairway" | Peer, string>, work: string): Startup {
  const names = Object.keys(bins) as ("stairway" | Peer)[];
  const each = <T>(f: (n: "stairway" | Peer, i: number) => T) => Object.fromEntries(names.map((n, i) => [n, f(n, i)])) as Record<"stairway" | Peer, T>;
  if (which("hyperfine")) {
    const out = join(work, "startup.json");
    run(["hyperfine", "-N", "--warmup", "5", "--runs", String(RUNS), "--export-json", out, ...names.map((n) => `${bins[n]} --version`)], { stdio: "ignore" });
    const r = (JSON.parse(readFileSync(out, "utf8")) as { results: { median: number; min: number; user: number; system: number }[] }).results;
    return {
      ms: each((_, i) => r[i]!.median * 1000),
      min: each((_, i) => r[i]!.min * 1000),
      cpu: each((_, i) => (r[i]!.user + r[i]!.system) * 1000),
      method: `hyperfine -N, 5 warm-ups, ${RUNS} runs each; wall median and min, CPU mean`,
    };
  }
  const times = each(() => [] as number[]);
  for (let i = -5; i < RUNS; i++)
    for (const n of names) {
      const ms = run([bins[n], "--version"]).ms;
      if (i >= 0) times[n].push(ms); // the first five are warm-ups
    }
  return { ms: each((n) => median(times[n])), min: each((n) => Math.min(...times[n])), method: `own loop, ${RUNS} interleaved runs each; wall median and min` };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

await main(() => {
  const work = tempDir("size");
  const host = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}` as Platform;
  if (!PLATFORMS.includes(host)) throw new Error(`this machine (${host}) is not a release platform`);
  const rows: string[][] = [];
  const json: Record<string, Record<string, Sizes>> = {};
  const hostBins = {} as Record<"stairway" | Peer, string>;
  const packed: string[] = [];
  for (const p of PLATFORMS) {
    const s = ours(p, work);
    const d = theirs("dbmate", p, work);
    const q = theirs("squawk", p, work);
    packed.push(`${p}: dbmate ${d.version}, squawk ${q.version}`);
    if (p === host) Object.assign(hostBins, { stairway: s.bin, dbmate: d.bin, squawk: q.bin });
    json[p] = { stairway: { binary: s.binary, archive: s.archive }, dbmate: { binary: d.binary, archive: d.archive }, squawk: { binary: q.binary, archive: q.archive } };
    rows.push([p, mb(s.binary), mb(s.archive), mb(d.binary), mb(d.archive), mb(q.binary), mb(q.archive), fmtRatio(s.archive / d.archive), fmtRatio(s.archive / q.archive)]);
  }
  const versions = {
    stairway: run([hostBins.stairway, "--version"]).stdout.trim(),
    dbmate: run([hostBins.dbmate, "--version"]).stdout.trim(),
    squawk: run([hostBins.squawk, "--version"]).stdout.trim(),
  };
  const start = startup(hostBins, work);
  const ratio = start.ms.stairway / start.ms.dbmate;

  console.log("download size: binary and release archive per platform (tar.gz; zip for Windows), same run\n");
  console.log(table(["platform", "stairway bin", "archive", "dbmate bin", "archive", "squawk bin", "archive", "archive vs dbmate", "vs squawk"], rows));
  console.log(`\nours: ${RELEASE} (make dist); theirs: npm ${NPM_SCOPE.dbmate}/<platform>, ${NPM_SCOPE.squawk}/<platform>, archived here the same way`);
  console.log(`their versions (the newest published where ${PEER_VERSIONS.dbmate} / ${PEER_VERSIONS.squawk} is not): ${packed.join("; ")}`);
  console.log(`\nstart-up: --version on ${host} (${start.method})`);
  const row = (n: "stairway" | Peer) => {
    const vs = (x: Record<"stairway" | Peer, number> | undefined) => (x && n !== "dbmate" ? ` (${fmtRatio(x[n] / x.dbmate)})` : "");
    return [n, fmtMs(start.ms[n]) + vs(start.ms), fmtMs(start.min[n]) + vs(start.min), start.cpu ? fmtMs(start.cpu[n]) + vs(start.cpu) : "n/a"];
  };
  console.log(table(["binary", "median ms (vs dbmate)", "min ms", "CPU ms"], [row("stairway"), row("dbmate"), row("squawk")]));
  console.log(`stairway / dbmate, wall median: ${fmtRatio(ratio)} — ${verdict(ratio, GOAL_START)}`);
  console.log(`\nversions: ${Object.entries(versions).map(([k, v]) => `${k}: ${v}`).join("; ")}`);
  console.log(machine());
  console.log(
    JSON.stringify({
      bench: "size",
      sizes: json,
      startMs: Object.fromEntries(Object.entries(start.ms).map(([k, v]) => [k, round2(v)])),
      startMinMs: Object.fromEntries(Object.entries(start.min).map(([k, v]) => [k, round2(v)])),
      startCpuMs: start.cpu && Object.fromEntries(Object.entries(start.cpu).map(([k, v]) => [k, round2(v)])),
      startRatio: round2(ratio),
      goalStart: GOAL_START,
      method: start.method,
    }),
  );
});
