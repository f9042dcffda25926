// The prefix cache (README "Big trees in CI"): the state of a scratch
// database after a prefix of migrations (ups only), kept and reused. An entry
// is keyed by what made it — stairway's version, the store, the dialect, each
// prefix migration's id and the checksum of the up that ran, and the setup
// files when the config has some — and lives in its own directory under the
// cache dir (a directory a CI cache step can keep), with entry.json saying
// exactly that. A store keeps the state its own way (StoreModule
// keepSnapshot/fromSnapshot: a PostgreSQL template database and a pg_dump
// file, a copied SQLite file, a Redis dump). An entry whose entry.json does
// not match is rebuilt, never trusted; session.ts also checks the copy's
// bookkeeping against the prefix before using it.

import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Migration } from "./plan/migration.ts";
import { VERSION } from "./version.ts";

export interface CacheManifest {
  stairway: string;
  store: string;
  dialect: string;
  /** [id, checksum of the up that ran] of each prefix migration, in order. */
  migrations: [string, string][];
  /** Checksums of setup files the config runs before the migrations. */
  setup: string[];
}

export interface CacheEntry {
  key: string;
  /** The entry's own directory (the store's files go there). */
  dir: string;
  manifest: CacheManifest;
  /** What the store said it kept (its template's name, its files), as it returned it. */
  kept?: Record<string, string>;
}

const ENTRY = "entry.json";

export class PrefixCache {
  constructor(readonly dir: string) {}

  /** The entry a prefix would have; whether it is there is `find`'s question. */
  entryFor(
    store: string,
    dialect: string,
    prefix: Migration[],
    checksum: (m: Migration) => string,
    setup: string[] = [],
  ): CacheEntry {
    const manifest: CacheManifest = {
      stairway: VERSION,
      store,
      dialect,
      migrations: prefix.map((m) => [m.id, checksum(m)]),
      setup,
    };
    const key = createHash("sha256").update(JSON.stringify(manifest)).digest("hex");
    return { key, dir: join(this.dir, `${store}-${key.slice(0, 16)}`), manifest };
  }

  /** The entry as kept, when its entry.json says exactly what `wanted` says; undefined otherwise. */
  find(wanted: CacheEntry): CacheEntry | undefined {
    const path = join(wanted.dir, ENTRY);
    if (!existsSync(path)) return undefined;
    try {
      const kept = JSON.parse(readFileSync(path, "utf8")) as {
        key?: string;
        manifest?: CacheManifest;
        kept?: Record<string, string>;
      };
      if (kept.key !== wanted.key || JSON.stringify(kept.manifest) !== JSON.stringify(wanted.manifest))
        return undefined;
      return { ...wanted, kept: kept.kept ?? {} };
    } catch {
      return undefined;
    }
  }

  /** An empty directory for the store to keep the entry in (what was there is gone). */
  prepare(entry: CacheEntry): void {
    rmSync(entry.dir, { recursive: true, force: true });
    mkdirSync(entry.dir, { recursive: true });
  }

  /** Written last, and renamed into place: an entry without its entry.json is never used. */
  save(entry: CacheEntry, kept: Record<string, string>): void {
    const tmp = join(entry.dir, `${ENTRY}.${process.pid}`);
    writeFileSync(
      tmp,
      JSON.stringify({ key: entry.key, manifest: entry.manifest, kept, created: new Date().toISOString() }, null, 1),
    );
    renameSync(tmp, join(entry.dir, ENTRY));
  }

  /**
   * The entries of `store` beyond the `keep` used last, removed; each is
   * passed to `drop` first, for what the store kept beside its server.
   */
  async prune(store: string, keep: number, drop: (entry: CacheEntry) => Promise<void>): Promise<void> {
    if (!existsSync(this.dir)) return;
    const entries: { entry: CacheEntry; used: number }[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith(`${store}-`)) continue;
      const path = join(this.dir, name, ENTRY);
      try {
        const kept = JSON.parse(readFileSync(path, "utf8")) as {
          key: string;
          manifest: CacheManifest;
          kept?: Record<string, string>;
        };
        entries.push({
          entry: { key: kept.key, dir: join(this.dir, name), manifest: kept.manifest, kept: kept.kept ?? {} },
          used: statSync(path).mtimeMs,
        });
      } catch {
        // Not an entry (being written, or not ours): left alone.
      }
    }
    entries.sort((a, b) => b.used - a.used);
    for (const { entry } of entries.slice(keep)) {
      await drop(entry).catch(() => {});
      rmSync(entry.dir, { recursive: true, force: true });
    }
  }

  /** Drops an entry that turned out not to match what it claimed. */
  forget(entry: CacheEntry): void {
    rmSync(join(entry.dir, ENTRY), { force: true });
  }
}
