// The public types of stairway, for Redis transforms:
//   import type { RedisMigration } from "stairwaydb";
// Transforms import only types: they vanish at load, so the compiled binary
// can load a transform from any project without resolving packages there.

import type { Cluster, Redis } from "ioredis";

export interface ScanOptions {
  /** SCAN COUNT per call (default 1000: large enough to be fast, small enough not to stall Redis). */
  count?: number;
  /**
   * Name of a cursor checkpoint kept in Redis: a transform killed halfway
   * resumes after the last batch it finished. Batches may repeat: keep them idempotent.
   */
  checkpoint?: string;
}

export interface RenameOptions extends ScanOptions {
  /** What the moved key's TTL becomes: "keep" (default), "persist", or a TTL in ms. */
  ttl?: "keep" | "persist" | number;
}

export interface RenameResult {
  /** Keys moved to their new name. */
  moved: number;
  /** Stale sources dropped because the new name already held a (newer) value. */
  dropped: number;
}

export interface RedisContext {
  /** An ioredis client: a Redis, or a Cluster for redis+cluster:// targets. */
  redis: Redis | Cluster;
  /**
   * Calls `fn` with batches of keys matching `pattern`, on every master of a
   * cluster (a plain cluster SCAN sees one node). Never uses KEYS. Returns the
   * number of keys seen.
   */
  scan(pattern: string, fn: (keys: string[]) => Promise<void>, opts?: ScanOptions): Promise<number>;
  /**
   * Renames every key matching `pattern` to `map(key)`, keeping its TTL.
   * Never overwrites: when the new name already exists (written meanwhile by an
   * upgraded application) the new value wins and the stale source is dropped.
   * Repeats until no source key is left, so keys written during the run move too.
   * Keys in different cluster slots move with DUMP/RESTORE and their PTTL.
   */
  renameKeys(pattern: string, map: (key: string) => string, opts?: RenameOptions): Promise<RenameResult>;
  log(message: string): void;
  /** Aborted when the run is interrupted or the migration lock is lost: stop between batches. */
  signal: AbortSignal;
}

export interface RedisMigration {
  /** What the key format is before and after, e.g. "session:user:<id> -> session:v2:user:<id>". */
  description?: string;
  up(ctx: RedisContext): Promise<void>;
  /** The exact inverse of up. */
  down(ctx: RedisContext): Promise<void>;
  /** Writes `count` representative keys of the format up expects, with TTLs (used by stairway test). */
  seed?(ctx: RedisContext, count: number): Promise<void>;
}
