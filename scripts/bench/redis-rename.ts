// Benchmark: renaming 200k Redis keys, same run, same server:
//   - stairway's helper, ctx.renameKeys (SCAN + one Lua script per batch,
//     RENAMENX, TTL kept, checkpoints) — what a transform calls;
//   - a naive KEYS + RENAME loop, one awaited command per key;
//   - the ceiling: redis-benchmark -c 1 -P 100 -t set (pipelined SETs).
// Goals from the issue: helper ≥ 0.15× the ceiling and ≥ 6× naive.
//
//   node_modules/.bin/bun scripts/bench/redis-rename.ts [--keys 200000] [--runs 3] [--url redis://127.0.0.1:6379]
//
// It works in the first empty logical database (15 down to 1) and empties it
// again at the end, on Ctrl-C too: data it did not write is never touched.

import { Redis } from "ioredis";
import { parseArgs } from "node:util";
import { createContext } from "../../src/stores/redis/context.ts";
import { fmtRatio, machine, main, median, onCleanup, run, table, which } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    keys: { type: "string", default: "200000" },
    runs: { type: "string", default: "3" },
    url: { type: "string", default: "redis://127.0.0.1:6379" },
  },
});
const KEYS = Number(args.keys);
const RUNS = Number(args.runs);
const SERVER = new URL(args.url!);
const GOAL_CEILING = 0.15;
const GOAL_NAIVE = 6;
const OLD = "bench:session:user:";
const NEW = "bench:session:v2:user:";

/** The first empty logical database, 15 down to 1 (0 is where applications usually live). */
async function emptyDb(): Promise<number> {
  for (let db = 15; db >= 1; db--) {
    const r = new Redis({ host: SERVER.hostname, port: Number(SERVER.port || 6379), db, lazyConnect: true });
    await r.connect();
    const size = await r.dbsize();
    await r.quit();
    if (size === 0) return db;
  }
  throw new Error(`no empty logical database on ${SERVER.host} (1–15): the benchmark only writes into an empty one`);
}

/** KEYS keys of the old format, 90% with a one-hour TTL, as the showcase's sessions; written by the server itself, in one script. */
async function seed(redis: Redis): Promise<void> {
  await redis.flushdb();
  await redis.eval(
    `for i = 0, tonumber(ARGV[2]) - 1 do
       local key, value = ARGV[1] .. i, '{"user":' .. i .. ',"token":"t' .. i .. '"}'
       if i % 10 == 0 then redis.call('SET', key, value) else redis.call('SET', key, value, 'PX', 3600000) end
     end`,
    0,
    OLD,
    KEYS,
  );
}

/** Every key renamed, none left behind, TTLs kept: a fast wrong rename must not count. */
async function verify(redis: Redis, label: string): Promise<void> {
  const size = await redis.dbsize();
  const left = await redis.exists(`${OLD}0`, `${OLD}${KEYS - 1}`);
  const ttl = await redis.pttl(`${NEW}1`);
  if (size !== KEYS || left !== 0 || !(ttl > 0))
    throw new Error(`${label}: ${size} keys, ${left} old names left, TTL of ${NEW}1 = ${ttl}`);
}

async function helper(redis: Redis): Promise<number> {
  const ctx = createContext({
    client: redis,
    version: "bench",
    phase: "up",
    signal: new AbortController().signal,
    log: () => {},
  });
  const t0 = performance.now();
  const r = await ctx.renameKeys(`${OLD}*`, (k) => NEW + k.slice(OLD.length));
  const ms = performance.now() - t0;
  if (r.moved !== KEYS) throw new Error(`renameKeys moved ${r.moved} of ${KEYS}`);
  return ms;
}

async function naive(redis: Redis): Promise<number> {
  const t0 = performance.now();
  const keys = await redis.keys(`${OLD}*`);
  for (const k of keys) await redis.rename(k, NEW + k.slice(OLD.length));
  return performance.now() - t0;
}

/** redis-benchmark's pipelined SETs in our database, in requests per second. */
function ceiling(db: number): number {
  const r = run([
    "redis-benchmark",
    "-h",
    SERVER.hostname,
    "-p",
    SERVER.port || "6379",
    "--dbnum",
    String(db),
    "-c",
    "1",
    "-P",
    "100",
    "-t",
    "set",
    "-n",
    String(KEYS),
    "--csv",
  ]);
  // "test","rps",…  then  "SET","1086956.50",…
  const line = r.stdout
    .trim()
    .split("\n")
    .find((l) => l.startsWith('"SET"'));
  const rps = Number(line?.split(",")[1]?.replace(/"/g, ""));
  if (!rps)
    throw new Error(`redis-benchmark printed no SET figure: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  return rps;
}

await main(async () => {
  if (!which("redis-benchmark"))
    throw new Error("redis-benchmark is not installed (Debian: apt-get install redis-tools)");
  const db = await emptyDb();
  const redis = new Redis({ host: SERVER.hostname, port: Number(SERVER.port || 6379), db });
  // Everything in this database is ours: emptied on every way out.
  onCleanup(() => run(["redis-cli", "-h", SERVER.hostname, "-p", SERVER.port || "6379", "-n", String(db), "FLUSHDB"]));
  try {
    const times = { helper: [] as number[], naive: [] as number[], ceiling: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      for (const [name, fn] of [
        ["helper", helper],
        ["naive", naive],
      ] as const) {
        await seed(redis);
        times[name].push(await fn(redis));
        await verify(redis, name);
      }
      await redis.flushdb();
      times.ceiling.push(ceiling(db));
      await redis.flushdb();
      process.stderr.write(`  run ${r + 1}/${RUNS} done\n`);
    }
    const rate = (ms: number[]) => KEYS / (median(ms) / 1000);
    const helperRate = rate(times.helper);
    const naiveRate = rate(times.naive);
    const ceilingRate = median(times.ceiling);
    const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
    console.log(`\nrename ${fmt(KEYS)} keys (90% with a TTL), logical database ${db}, median of ${RUNS}`);
    console.log(
      table(
        ["method", "keys/s", "median ms"],
        [
          ["stairway ctx.renameKeys (SCAN + Lua per batch)", fmt(helperRate), fmt(median(times.helper))],
          ["naive KEYS + RENAME loop", fmt(naiveRate), fmt(median(times.naive))],
          ["ceiling: redis-benchmark -c 1 -P 100 -t set", fmt(ceilingRate), ""],
        ],
      ),
    );
    const vsCeiling = helperRate / ceilingRate;
    const vsNaive = helperRate / naiveRate;
    console.log();
    console.log(
      table(
        ["ratio", "value", "goal"],
        [
          [
            "helper / ceiling",
            fmtRatio(vsCeiling),
            `${vsCeiling >= GOAL_CEILING ? "met" : "MISSED"} (≥ ${GOAL_CEILING}×)`,
          ],
          ["helper / naive", fmtRatio(vsNaive), `${vsNaive >= GOAL_NAIVE ? "met" : "MISSED"} (≥ ${GOAL_NAIVE}×)`],
        ],
      ),
    );
    console.log(`machine: ${machine()}`);
    console.log(
      JSON.stringify({
        bench: "redis-rename",
        keys: KEYS,
        runs: RUNS,
        keysPerS: { helper: Math.round(helperRate), naive: Math.round(naiveRate), ceiling: Math.round(ceilingRate) },
        ratio: { helperCeiling: Math.round(vsCeiling * 1000) / 1000, helperNaive: Math.round(vsNaive * 100) / 100 },
      }),
    );
  } finally {
    await redis.quit();
  }
});
