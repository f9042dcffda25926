// The concurrent writer of `redis.concurrent-writes`: it plays the upgraded
// application that is already deployed while a transform runs (expand, then
// migrate, then contract: research A.4). On its own connection it keeps
// writing new values to keys of the NEW format (with a TTL, as the app
// would) and to unrelated probe keys, until stopped; then every key it wrote
// must hold exactly the last value it wrote there.

import type { WriterLog, WriterOptions, WriterTarget } from "../contract.ts";
import { evalScript, script, type Client } from "./scripts.ts";

export interface Writer {
  /** Resolves once the first round is written, so the transform starts among live writes. */
  ready: Promise<void>;
  stop(): Promise<WriterLog>;
}

/** Commands per round trip, and the pause between rounds: a busy app, not a flood that would starve the transform. */
const ROUND = 32;
const PAUSE_MS = 2;
/** Probe keys are rewritten in turn: a bounded set, so the keyspace does not grow with the run. */
const PROBES = 200;

// Replaces a whole hash atomically, as an application saving a session object would.
const WRITE_HASH = script(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'value', ARGV[1])
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`);

export function startWriter(client: Client, targets: WriterTarget[], opts: WriterOptions): Writer {
  const log: WriterLog = { writes: 0, probes: 0, last: new Map() };
  const random = mulberry32(opts.seed);
  let stopped = false;
  let seq = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));

  const round = async () => {
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < ROUND; i++) {
      const value = `stairway-writer:${++seq}`;
      // Three writes in four go to renamed keys; the rest to probes nobody should touch.
      if (targets.length && i % 4 !== 3) {
        const t = targets[Math.floor(random() * targets.length)]!;
        ops.push(
          t.type === "string"
            ? client.set(t.key, value, "PX", opts.ttlMs)
            : evalScript(client, WRITE_HASH, [t.key], [value, opts.ttlMs]),
        );
        log.last.set(t.key, { type: t.type, value });
      } else {
        const key = `${opts.probePrefix}${log.probes % PROBES}`;
        ops.push(client.set(key, value));
        log.last.set(key, { type: "string", value });
        log.probes++;
      }
      log.writes++;
    }
    await Promise.all(ops);
  };

  const running = (async () => {
    try {
      await round();
      markReady();
      while (!stopped) {
        await new Promise((r) => setTimeout(r, PAUSE_MS));
        await round();
      }
    } catch (e) {
      log.error = e instanceof Error ? e.message : String(e);
    } finally {
      markReady();
    }
  })();

  return {
    ready,
    async stop() {
      stopped = true;
      await running;
      return log;
    },
  };
}

/** Keys whose value is not the last one the writer wrote there. */
export async function lostWrites(client: Client, log: WriterLog): Promise<string[]> {
  const entries = [...log.last];
  const lost: string[] = [];
  for (let i = 0; i < entries.length; i += 1000) {
    const chunk = entries.slice(i, i + 1000);
    const got = await Promise.all(
      chunk.map(([key, w]) => (w.type === "string" ? client.get(key) : client.hget(key, "value")).catch(() => null)),
    );
    chunk.forEach(([key, w], j) => {
      if (got[j] !== w.value) lost.push(key);
    });
  }
  return lost;
}

/** A small seeded PRNG: the same run picks the same keys. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
