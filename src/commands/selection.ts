// The flags a testing command takes to check less than the whole tree
// (README "Big trees in CI"): --since VERSION, --since-git REF, --shard K/N
// and --cache-dir DIR. Per target: which migrations it checks
// (plan/selection.ts), a scratch database with the prefix in place (from the
// prefix cache when it can: session.atVersion), and what the report records
// of it, so that `report --from` can merge the shards of one run.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { usageError } from "../errors.ts";
import { gitChanges, type GitChanges } from "../plan/git-changes.ts";
import { appliesTo, versionKey, type Plan } from "../plan/migration.ts";
import { parseShard, selectMigrations, type Shard, type TargetSelection } from "../plan/selection.ts";
import { PrefixCache } from "../prefix-cache.ts";
import type { Coverage, Report, ReportSelection } from "../results.ts";
import type { PrefixInfo, Scratch } from "../prefix-scratch.ts";
import type { Session } from "../session.ts";
import type { Migrator } from "../stores/contract.ts";
import type { Target } from "../targets.ts";

export interface SelectionFlags {
  since?: unknown;
  sinceGit?: unknown;
  shard?: unknown;
  cacheDir?: unknown;
}

export const DEFAULT_CACHE_DIR = "cache";

export class Selector {
  /** Whether anything but the whole tree is checked. */
  readonly active: boolean;
  private readonly since?: string;
  private readonly sinceGit?: string;
  private readonly shard?: Shard;
  private readonly changes = new Map<string, GitChanges>();
  private readonly costs?: { byTarget: Map<string, Map<string, number>>; basis: string };
  private readonly info: ReportSelection = { targets: {} };

  constructor(
    private readonly session: Session,
    flags: SelectionFlags,
    private readonly command: string,
  ) {
    const text = (v: unknown) => (v === undefined || v === true ? undefined : String(v));
    this.since = text(flags.since);
    this.sinceGit = text(flags.sinceGit);
    this.shard = parseShard(text(flags.shard));
    if (flags.since === true) throw usageError("--since needs a version (e.g. --since 042)");
    if (flags.sinceGit === true) throw usageError("--since-git needs a git ref (e.g. --since-git origin/main)");
    const given = [this.since && "--since", this.sinceGit && "--since-git", this.shard && "--shard"].filter(Boolean);
    if (given.length > 1) throw usageError(`${given.join(" and ")} cannot be used together: pick one`);
    this.active = given.length > 0;
    const cacheDir = text(flags.cacheDir) ?? join(session.reportDir(), DEFAULT_CACHE_DIR);
    if (this.active) session.cache = new PrefixCache(cacheDir);
    if (this.shard) this.costs = readCosts(session.reportDir(), command);
    if (this.since) this.info.since = this.since;
    if (this.shard) this.info.shard = { ...this.shard, basis: this.costs?.basis ?? "counts (no earlier report)" };
  }

  /** What this target checks; the findings of the selection itself are in `results`. */
  select(t: Target, plan: Plan): TargetSelection {
    const migrations = plan.migrations.filter((m) => appliesTo(m, t.dialect));
    if (this.since !== undefined && !plan.migrations.some((m) => m.key === versionKey(this.since!))) {
      const versions = plan.migrations.map((m) => m.version);
      throw usageError(
        `--since ${this.since}: no migration has that version${versions.length ? ` (the tree's versions run from ${versions[0]} to ${versions.at(-1)})` : " (the tree is empty)"}`,
      );
    }
    let changes: GitChanges | undefined;
    if (this.sinceGit !== undefined) {
      const { sqlDir, redisDir } = this.session.treeDirs(t);
      const key = `${sqlDir}\u0000${redisDir}`;
      changes = this.changes.get(key) ?? gitChanges([sqlDir, redisDir], this.sinceGit);
      this.changes.set(key, changes);
      this.info.sinceGit = { ref: changes.ref, base: changes.base };
    }
    return selectMigrations(migrations, t, {
      since: this.since,
      sinceGit: changes,
      shard: this.shard,
      costs: this.costs?.byTarget.get(t.name),
    });
  }

  /**
   * A scratch database for the target with the selection's prefix in place
   * (from the prefix cache when it can), recorded for the report.
   */
  async scratch(
    t: Target,
    sel: TargetSelection,
    label: string,
    how: { durable?: boolean; progress?: (line: string) => void } = {},
  ): Promise<Scratch<Migrator> & { prefix: PrefixInfo }> {
    const s = sel.prefix.length
      ? await this.session.atVersion(t, sel.prefix, label, this.command, { cached: sel.prefix.length, ...how })
      : Object.assign(await this.session.scratch<Migrator>(t, label, this.command, how), {
          prefix: { migrations: 0, from: "applied", ms: 0 } as PrefixInfo,
        });
    this.note(t, sel, s.prefix);
    return s;
  }

  /** Records what the target checked (a command that builds its prefix itself says how). */
  note(t: Target, sel: TargetSelection, prefix: PrefixInfo): void {
    if (!this.active) return;
    const total = sel.prefix.length + sel.run.length + sel.after.length;
    this.info.targets[t.name] = {
      total,
      from: sel.prefix.length,
      to: sel.prefix.length + sel.run.length,
      ...(sel.run.length ? { first: sel.run[0]!.id, last: sel.run.at(-1)!.id } : {}),
      checked: sel.checked.size,
      prefix: {
        migrations: prefix.migrations,
        from: prefix.from,
        ...(prefix.cache ? { cache: prefix.cache } : {}),
        ms: prefix.ms,
      },
    };
  }

  /** The target's coverage over the whole tree: what the run checked, and what it only applied or left to other shards. */
  coverage(c: Coverage, sel: TargetSelection): Coverage {
    if (!this.active) return c;
    const onTheWay = sel.run.length - sel.run.filter((m) => sel.checked.has(m.id)).length;
    return {
      ...c,
      total: c.total + sel.prefix.length + onTheWay + sel.after.length,
      appliedOnly: sel.prefix.length + onTheWay,
      ...(this.shard ? { otherShards: sel.after.length } : {}),
    };
  }

  /** The report's `selection`, when the run checked less than the whole tree. */
  report(): Pick<Report, "selection"> {
    return this.active ? { selection: this.info } : {};
  }
}

/**
 * What each migration cost in the last run of this command, from its report
 * in the report dir (read before this run writes its own): the recorded step
 * costs, else the sum of the results' durations. Undefined: cut by counts.
 */
function readCosts(
  dir: string,
  command: string,
): { byTarget: Map<string, Map<string, number>>; basis: string } | undefined {
  const path = join(dir, `${command}.json`);
  if (!existsSync(path)) return undefined;
  let report: Report;
  try {
    report = JSON.parse(readFileSync(path, "utf8")) as Report;
  } catch {
    return undefined;
  }
  if (report?.tool !== "stairway" || report.command !== command || !Array.isArray(report.results)) return undefined;
  const byTarget = new Map<string, Map<string, number>>();
  if (report.stepMs)
    for (const [target, costs] of Object.entries(report.stepMs))
      byTarget.set(target, new Map(Object.entries(costs).filter(([, ms]) => typeof ms === "number")));
  else
    for (const r of report.results) {
      if (!r.migration || typeof r.durationMs !== "number") continue;
      const m = byTarget.get(r.target) ?? new Map<string, number>();
      m.set(r.migration, (m.get(r.migration) ?? 0) + r.durationMs);
      byTarget.set(r.target, m);
    }
  if (!byTarget.size) return undefined;
  return { byTarget, basis: `timings of ${path} (${statSync(path).mtime.toISOString()})` };
}
