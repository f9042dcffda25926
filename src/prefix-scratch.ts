// A scratch database with a prefix of migrations applied (ups only, nothing
// checked), from the prefix cache when it has the prefix (prefix-cache.ts
// says which entry; the store copies it: StoreModule.fromSnapshot), checked
// against the prefix's bookkeeping before it is used; built and kept there
// (StoreModule.keepSnapshot) when it does not.

import { StairwayError } from "./errors.ts";
import { upChecksumOf, versionKey, type Migration } from "./plan/migration.ts";
import type { CacheEntry, PrefixCache } from "./prefix-cache.ts";
import { applyStep } from "./runner.ts";
import type { Migrator, ScratchOptions, ScratchRef, SqlDriver, StoreModule } from "./stores/contract.ts";
import type { TargetUrl } from "./stores/url.ts";
import type { Target } from "./targets.ts";
import { plural } from "./plural.ts";

export interface Scratch<D extends Migrator = SqlDriver> extends ScratchRef {
  driver: D;
  /** Drops it now (else at the end of the command). */
  drop: () => Promise<void>;
  /** Closes its connection and opens a new one (`driver` is then the new one). */
  reopen: () => Promise<D>;
}

/** How a scratch database got its prefix (reports: where the time before the first check went). */
export interface PrefixInfo {
  /** Migrations applied before anything was checked. */
  migrations: number;
  from: "cache" | "applied";
  /** The prefix cache: "hit", "kept" (built now and kept), "off", or why it was not used or kept. */
  cache?: string;
  /** The cache entry's directory. */
  entry?: string;
  ms: number;
}

/** Prefix-cache entries kept per store: a tree's prefixes of the last few changes and shards. */
const KEEP_ENTRIES = 16;

/** A prefix-cache entry that cannot be used: rebuilt. */
class CacheMiss extends Error {}

/** Why a copy made from the cache is not the prefix (its bookkeeping must list exactly those migrations and checksums). */
async function bookkeepingMismatch(
  driver: Migrator,
  prefix: Migration[],
  dialect: Target["dialect"],
): Promise<string | undefined> {
  const rows = await driver.applied();
  const want = new Map(prefix.map((m) => [m.key, upChecksumOf(m, dialect)]));
  if (rows.length !== want.size) return `it records ${plural(rows.length, "migration")}, the prefix has ${want.size}`;
  for (const r of rows) {
    if (r.dirty) return `version ${r.version} is dirty there`;
    const k = versionKey(r.version);
    if (!want.has(k)) return `it records version ${r.version}, which is not in the prefix`;
    if (want.get(k) !== r.checksum) return `version ${r.version} was applied from another file`;
  }
  return undefined;
}

/** What the session lends: its scratch databases (dropped with it), the cache, the setup files' checksums. */
export interface ScratchMaker {
  scratch(
    target: Target,
    label: string,
    command: string,
    how: { durable?: boolean; make?: (name: string, opts: ScratchOptions) => Promise<TargetUrl> },
  ): Promise<Scratch<Migrator>>;
  cache?: PrefixCache;
  setup: string[];
}

export async function scratchAtPrefix(
  session: ScratchMaker,
  target: Target,
  migrations: Migration[],
  label: string,
  command: string,
  how: { cached?: number; durable?: boolean; progress?: (line: string) => void },
  mod: StoreModule,
): Promise<Scratch<Migrator> & { prefix: PrefixInfo }> {
  const t0 = performance.now();
  const cachedPart = migrations.slice(0, how.cached ?? 0);
  const canCache = session.cache && cachedPart.length > 0 && mod.keepSnapshot && mod.fromSnapshot;
  let note: string | undefined =
    canCache || !cachedPart.length ? undefined : session.cache ? "the store keeps no snapshots" : "off";
  let scratch: Scratch<Migrator> | undefined;
  let from: PrefixInfo["from"] = "applied";
  let entry: CacheEntry | undefined;
  if (canCache) {
    const checksum = (m: Migration) => upChecksumOf(m, target.dialect) ?? "";
    entry = session.cache!.entryFor(target.url.store, target.dialect, cachedPart, checksum, session.setup);
    const found = session.cache!.find(entry);
    if (found) {
      how.progress?.(`${target.name}: the first ${plural(cachedPart.length, "migration")} from the prefix cache`);
      try {
        scratch = await session.scratch(target, label, command, {
          durable: how.durable,
          make: async (name, opts) => {
            const url = await mod.fromSnapshot!(
              target.url,
              { key: found.key, dir: found.dir, kept: found.kept ?? {} },
              name,
              opts,
            );
            if (!url) throw new CacheMiss("what it kept is gone");
            return url;
          },
        });
        const wrong = await bookkeepingMismatch(scratch.driver, cachedPart, target.dialect);
        if (wrong) throw new CacheMiss(wrong);
        from = "cache";
      } catch (e) {
        if (scratch) await scratch.drop();
        scratch = undefined;
        session.cache!.forget(found);
        note = `entry not used, rebuilt (${e instanceof CacheMiss ? e.message : (e as Error).message.split("\n")[0]})`;
      }
    }
  }
  if (!scratch) {
    scratch = await session.scratch(target, label, command, { durable: how.durable });
    await scratch.driver.ensureBookkeeping();
    await applyPrefix(target, scratch.driver, cachedPart, how.progress);
    if (canCache) {
      how.progress?.(`${target.name}: keeping the prefix in the cache`);
      try {
        await scratch.driver.close();
        session.cache!.prepare(entry!);
        const kept = await mod.keepSnapshot!(target.url, scratch.url, { key: entry!.key, dir: entry!.dir, kept: {} });
        session.cache!.save(entry!, kept);
        note ??= "kept";
        await session.cache!.prune(target.url.store, KEEP_ENTRIES, async (old) => {
          await mod.dropSnapshot?.(target.url, { key: old.key, dir: old.dir, kept: old.kept ?? {} });
        });
      } catch (e) {
        note = `not kept: ${(e as Error).message.split("\n")[0]}`;
      }
      await scratch.reopen();
    }
  }
  await applyPrefix(target, scratch.driver, migrations.slice(cachedPart.length), how.progress);
  const prefix: PrefixInfo = {
    migrations: migrations.length,
    from,
    ...(cachedPart.length ? { cache: from === "cache" ? "hit" : (note ?? "kept") } : {}),
    ...(entry ? { entry: entry.dir } : {}),
    ms: Math.round(performance.now() - t0),
  };
  return Object.assign(scratch, { prefix });
}

async function applyPrefix(
  target: Target,
  driver: Migrator,
  migrations: Migration[],
  progress?: (line: string) => void,
): Promise<void> {
  for (const [i, m] of migrations.entries()) {
    if (i % 25 === 0) progress?.(`${target.name}: applying ${m.id} (${i + 1} of ${migrations.length}, ups only)`);
    const o = await applyStep(driver, m, "up");
    if (o.status !== "done")
      throw new StairwayError(
        "E_SQL",
        `target ${target.name}: applying the migrations before the checked ones failed at ${m.id}: ${o.error}`,
      );
  }
}
