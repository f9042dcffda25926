// Which migrations a testing command checks on one target, when not all of
// them (README "Big trees in CI"): --since VERSION (that one and every later
// one), --since-git REF (those whose files are new or changed since REF), or
// --shard K/N (the K-th of N contiguous slices of about equal measured cost).
// The migrations before the first checked one are the prefix: applied, ups
// only, nothing checked. Migrations between two checked ones are applied on
// the way; those after a shard's slice are another shard's.

import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { usageError } from "../errors.ts";
import type { CheckResult } from "../results.ts";
import { isSqlDialect } from "../stores/dialects.ts";
import type { GitChanges } from "./git-changes.ts";
import { compareVersions, fileFor, versionKey, type Dialect, type Migration, type MigrationFile } from "./migration.ts";

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface SelectionFlags {
  since?: string;
  sinceGit?: GitChanges;
  shard?: Shard;
  /** Measured cost of each migration (ms, by id), from the last run's report: what shards balance. */
  costs?: Map<string, number>;
}

export interface TargetSelection {
  /** Applied before anything is checked (ups only). */
  prefix: Migration[];
  /** From the first checked migration to the last one this run goes to. */
  run: Migration[];
  /** Ids of the migrations of `run` that are checked; the others are only applied. */
  checked: Set<string>;
  /** After a shard's slice: not run here. */
  after: Migration[];
  /** Findings of the selection itself (a released migration whose up changed). */
  results: CheckResult[];
  /** For the report: where the slice lies in the target's list of migrations. */
  slice?: { from: number; to: number; total: number };
}

/** Parses --shard K/N; undefined when not given. */
export function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(index >= 1 && count >= 1 && index <= count))
    throw usageError(`--shard ${text}: expected K/N with 1 ≤ K ≤ N (e.g. --shard 2/4)`);
  return { index, count };
}

/** `migrations`: those that apply to the target, in order. */
export function selectMigrations(
  migrations: Migration[],
  target: { name: string; dialect: Dialect },
  flags: SelectionFlags,
): TargetSelection {
  const all: TargetSelection = {
    prefix: [],
    run: migrations,
    checked: new Set(migrations.map((m) => m.id)),
    after: [],
    results: [],
  };
  if (flags.shard) return shardOf(migrations, flags.shard, flags.costs);
  if (flags.since !== undefined) {
    const key = versionKey(flags.since);
    const first = migrations.findIndex((m) => compareVersions(m.key, key) >= 0);
    const run = first < 0 ? [] : migrations.slice(first);
    return {
      ...all,
      prefix: first < 0 ? migrations : migrations.slice(0, first),
      run,
      checked: new Set(run.map((m) => m.id)),
    };
  }
  if (flags.sinceGit) {
    const changes = flags.sinceGit;
    const results: CheckResult[] = [];
    const changed = new Set<string>();
    for (const m of migrations) {
      const files = filesOf(m).map((f) => ({ f, change: changes.files.get(realPath(f.path)) }));
      if (!files.some((x) => x.change)) continue;
      changed.add(m.id);
      // Released: some file of it was there at the base. Its up (what was applied) must not change.
      if (files.every((x) => x.change === "added")) continue;
      const up = upFileOf(m, target.dialect);
      const upChange = up && changes.files.get(realPath(up.path));
      if (upChange)
        results.push({
          check: "files.checksum-drift",
          target: target.name,
          migration: m.id,
          status: "fail",
          message: `${up.path} ${upChange === "added" ? "is new" : "changed"} since ${changes.ref} (${changes.base.slice(0, 12)}), where ${m.id} was already released: an applied migration must not change — revert it and add a new migration instead`,
          details: { ref: changes.ref, base: changes.base, file: up.path },
        });
    }
    const first = migrations.findIndex((m) => changed.has(m.id));
    return {
      ...all,
      prefix: first < 0 ? migrations : migrations.slice(0, first),
      run: first < 0 ? [] : migrations.slice(first),
      checked: changed,
      results,
    };
  }
  return all;
}

/**
 * One target's part of a selection made by versions across targets (cross-db
 * compares them version by version): `run` keys are gone through, `checked`
 * keys compared after; the migrations before the first of `run` are the prefix.
 */
export function byVersions(migrations: Migration[], run: Set<string>, checked: Set<string>): TargetSelection {
  const first = migrations.findIndex((m) => run.has(m.key));
  const last = migrations.findLastIndex((m) => run.has(m.key));
  const prefix =
    first < 0
      ? migrations.filter((m) => ![...run].some((k) => compareVersions(k, m.key) < 0))
      : migrations.slice(0, first);
  const inRun = first < 0 ? [] : migrations.slice(first, last + 1);
  return {
    prefix,
    run: inRun,
    checked: new Set(inRun.filter((m) => checked.has(m.key)).map((m) => m.id)),
    after: migrations.slice(prefix.length + inRun.length),
    results: [],
  };
}

/** The slice of shard k: contiguous, cut where the running cost crosses k/n of the total. */
function shardOf(migrations: Migration[], shard: Shard, costs?: Map<string, number>): TargetSelection {
  const weights = weightsOf(migrations, costs);
  const [from, to] = sliceBounds(weights, shard.count)[shard.index - 1]!;
  const run = migrations.slice(from, to);
  return {
    prefix: migrations.slice(0, from),
    run,
    checked: new Set(run.map((m) => m.id)),
    after: migrations.slice(to),
    results: [],
    slice: { from, to, total: migrations.length },
  };
}

/**
 * Each migration's cost: halfway between what the last run measured for it
 * and the tree's average — one migration measured far slower (a data load)
 * still gets a slice to itself, while a busy minute of a shared CI machine,
 * which slows a whole stretch of the last run, moves the cuts half as much.
 * Not measured: the average (1 each without any measurement).
 */
function weightsOf(migrations: Migration[], costs?: Map<string, number>): number[] {
  const measured = migrations.map((m) => costs?.get(m.id)).map((c) => (c !== undefined && c >= 0 ? c : undefined));
  const known = measured.filter((c): c is number => c !== undefined);
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  return measured.map((c) => Math.max((c ?? mean) / 2 + mean / 2, 0.001));
}

/**
 * n contiguous [from, to) slices of `weights`, each cut where the running
 * total comes nearest to i/n of the whole; every slice gets at least one
 * migration while there are enough.
 */
export function sliceBounds(weights: number[], n: number): [number, number][] {
  const total = weights.reduce((a, b) => a + b, 0);
  const cuts = [0];
  let acc = 0;
  let i = 0;
  for (let k = 1; k < n; k++) {
    const goal = (total * k) / n;
    const prev = cuts[k - 1]!;
    // At least one per slice while there are enough, and enough left for the slices after this one.
    const min = Math.min(prev + 1, weights.length);
    const max = Math.max(min, weights.length - (n - k));
    while (i < min) acc += weights[i++]!;
    while (i < max && Math.abs(acc + weights[i]! - goal) <= Math.abs(acc - goal)) acc += weights[i++]!;
    cuts.push(Math.min(i, weights.length));
  }
  cuts.push(weights.length);
  return cuts.slice(0, -1).map((c, k) => [Math.min(c, weights.length), cuts[k + 1]!]);
}

function filesOf(m: Migration): MigrationFile[] {
  return [m.module, ...Object.values(m.files.up), ...Object.values(m.files.down)].filter(
    (f): f is MigrationFile => f !== undefined,
  );
}

/** The up that runs on a target of this dialect: a SQL file, or the transform. */
function upFileOf(m: Migration, dialect: Dialect): MigrationFile | undefined {
  return isSqlDialect(dialect) ? fileFor(m, "up", dialect) : m.module;
}

function realPath(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}
