// Redis as a store (stores/index.ts). A logical database cannot be copied
// or made beside the target, so a test command works in the configured one
// itself: it must hold no key (test commands never touch data they did not
// create) unless --flush allows emptying it first; a marker key says which
// run works there, and only that run empties it again at the end.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StairwayError } from "../../errors.ts";
import { plural } from "../../plural.ts";
import type { StoreModule } from "../contract.ts";
import { openRedis, SCRATCH_MARKER, type RedisDriver } from "./driver.ts";
import { loadTransform } from "./load.ts";

export const redisModule: StoreModule<RedisDriver> = {
  inPlace: true,
  open: openRedis,
  scratchUrl: (url) => url,
  async check(migrations) {
    for (const m of migrations) if (m.module) await loadTransform(m.module.path);
  },
  async createScratch(url, _name, opts) {
    const driver = await openRedis(url, opts);
    try {
      const n = await driver.keyCount();
      if (n > 0 && !opts.flush)
        throw new StairwayError(
          "E_REFUSED",
          `target ${opts.name}: ${driver.where} holds ${plural(n, "key")}; stairway ${opts.command} only runs on an empty database — ` +
            "point it at an empty one or pass --flush to empty it first",
        );
      if (n > 0) await driver.flush();
      // If this run dies (SIGKILL), `stairway clean` knows the keys here are a test's.
      await driver.client.set(SCRATCH_MARKER, opts.runId);
    } finally {
      await driver.close();
    }
    return url;
  },
  async clean(url, stale) {
    // A logical database a killed test run was working in carries the scratch marker: empty it. Any other is left alone.
    const driver = await openRedis(url, { name: "clean" });
    try {
      const run = await driver.client.get(SCRATCH_MARKER);
      if (!run) return `${driver.where}: no test run left keys here`;
      if (!stale(run)) return `${driver.where}: test run ${run} is still going; left alone`;
      const n = await driver.keyCount();
      await driver.flush();
      return `${driver.where}: removed the ${plural(n, "key")} test run ${run} left behind`;
    } finally {
      await driver.close();
    }
  },
  // The prefix cache: every key and the bookkeeping, dumped (DUMP + PTTL) into the entry, restored into the claimed database.
  async keepSnapshot(_server, scratch, entry) {
    const driver = await openRedis(scratch, { name: "cache" });
    try {
      const { keys } = await driver.dump();
      const text = JSON.stringify(keys.map((k) => [k.key, k.pttl, Buffer.from(k.payload).toString("base64")]));
      writeFileSync(join(entry.dir, DUMP_FILE), text);
      return { dump: DUMP_FILE, keys: String(keys.length) };
    } finally {
      await driver.close();
    }
  },
  async fromSnapshot(server, entry, name, opts) {
    const file = join(entry.dir, entry.kept.dump ?? DUMP_FILE);
    if (!existsSync(file)) return undefined;
    const rows = JSON.parse(readFileSync(file, "utf8")) as [string, number, string][];
    const url = await redisModule.createScratch(server, name, opts);
    const driver = await openRedis(url, opts);
    try {
      await driver.restore({
        keys: rows.map(([key, pttl, b64]) => ({ key, pttl, payload: Buffer.from(b64, "base64") })),
      });
    } finally {
      await driver.close();
    }
    return url;
  },
  async dropScratch(_url, scratch, runId) {
    const driver = await openRedis(scratch, { name: "scratch" });
    try {
      if (runId && (await driver.client.get(SCRATCH_MARKER)) === runId) await driver.flush();
    } finally {
      await driver.close();
    }
  },
};

const DUMP_FILE = "prefix.keys.json";
