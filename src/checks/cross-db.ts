// stairway cross-db: every SQL target migrated (to head, or step by step),
// its canonical schema compared with the reference target's after making the
// dialects comparable (schema/normalize.ts), then the same behaviour probes
// everywhere. Declared differences are shown with their reason, never hidden.

import type { ExpectedDifference } from "../config.ts";
import type { SqlDriver } from "../stores/contract.ts";
import { appliesTo, compareVersions, type Migration } from "../plan/migration.ts";
import { diffSchemas, type ObjectDiff } from "../schema/diff.ts";
import type { CompiledEquivalence } from "../schema/equivalences.ts";
import type { Schema } from "../schema/model.ts";
import { normalizePair } from "../schema/normalize.ts";
import type { CheckResult, Coverage } from "../results.ts";
import { applyStep } from "../runner.ts";
import { runProbes } from "./probes.ts";
import { plural } from "../plural.ts";
import { stepFailed } from "./model.ts";
import { coverageOf } from "./stairway.ts";

export interface CrossDbTarget {
  name: string;
  driver: SqlDriver;
  /** The plan of the tree this target uses. */
  migrations: Migration[];
  /** Where its tree is, for messages. */
  tree: string;
}

export interface CrossDbOptions {
  eachStep: boolean;
  rules: CompiledEquivalence[];
  expected: ExpectedDifference[];
  seed: number;
  progress?: (line: string) => void;
  /**
   * With --each-step and a selection (--since, --since-git, --shard): the
   * versions (keys) the targets go through (those before are their prefix,
   * already applied; those after, another shard's), and those to compare after.
   */
  range?: { run: Set<string>; compareAt: Set<string> };
}

/**
 * Runs the comparison; `targets[0]` is the reference. A target whose up fails
 * stops there and is not compared after it; the others go on and are still
 * compared (with the first of them still going as the reference, when the
 * reference stopped). With --each-step, the coverage of each target: the
 * versions it was compared at.
 */
export async function runCrossDb(
  targets: CrossDbTarget[],
  opts: CrossDbOptions,
): Promise<{ results: CheckResult[]; coverage?: Record<string, Coverage> }> {
  const results: CheckResult[] = [...missingVersions(targets)];
  for (const t of targets) await t.driver.ensureBookkeeping();
  const range = opts.range;
  const versions = unionVersions(targets).filter((v) => !range || range.run.has(v.key));
  const used = new Set<ExpectedDifference>();
  /** Targets whose up failed, with why they are not compared after it. */
  const stopped = new Map<CrossDbTarget, string>();
  const comparedAt: VersionRef[] = [];

  for (const [i, version] of versions.entries()) {
    for (const t of targets) {
      const m = t.migrations.find((x) => x.key === version.key);
      if (stopped.has(t) || !m || !appliesTo(m, t.driver.dialect)) continue;
      opts.progress?.(`${t.name}  up  ${m.id}`);
      const o = await applyStep(t.driver, m, "up");
      if (o.status === "done") continue;
      results.push({ target: t.name, ...stepFailed("step.up", m.id, o, "up failed") });
      stopped.set(
        t,
        opts.eachStep
          ? `not compared: ${m.id} failed to apply on ${t.name}`
          : `${t.name} did not reach head (${m.id} failed to apply there): not compared`,
      );
    }
    if ((opts.eachStep && (!range || range.compareAt.has(version.key))) || i === versions.length - 1) {
      comparedAt.push(version);
      results.push(...(await compareAll(targets, stopped, opts, used, opts.eachStep ? version.id : undefined)));
    }
  }
  if (versions.length === 0) results.push(...(await compareAll(targets, stopped, opts, used, undefined)));

  // A difference declared for targets this run does not compare is not said to be missing.
  const compared = new Set(
    targets
      .slice(1)
      .filter((t) => !stopped.has(t))
      .map((t) => t.name),
  );
  for (const e of opts.expected.filter((x) => !used.has(x) && (!x.targets || x.targets.some((t) => compared.has(t)))))
    results.push({
      check: "cross-db.schema",
      target: (e.targets ?? targets.slice(1).map((t) => t.name)).join(","),
      status: "warn",
      message: `the declared difference "${e.object}"${e.parts ? ` (${e.parts.join(", ")})` : ""} did not occur: remove it from cross_db.expected`,
    });

  opts.progress?.("behaviour probes");
  const atHead = targets.filter((t) => !stopped.has(t));
  const schemas = await Promise.all(atHead.map((t) => t.driver.introspect()));
  results.push(
    ...(await runProbes(
      atHead.map((t, i) => ({ name: t.name, driver: t.driver, schema: schemas[i]! })),
      opts.seed,
    )),
  );
  if (!opts.eachStep) return { results };
  // With a selection, over the whole tree (as test's): the versions before it and between its
  // compared ones were only applied, those after it are another shard's (report --from adds them up).
  const all = unionVersions(targets);
  const last = versions.at(-1);
  const after = last ? all.filter((v) => compareVersions(v.version, last.version) > 0).length : 0;
  const appliedOnly = all.length - comparedAt.length - after;
  const coverage = Object.fromEntries(
    targets.map((t) => [
      t.name,
      {
        ...coverageOf(
          comparedAt,
          results.filter((r) => r.check === "cross-db.schema" && r.target === t.name),
          t.name,
        ),
        total: all.length,
        ...(appliedOnly ? { appliedOnly } : {}),
        ...(after ? { otherShards: after } : {}),
      },
    ]),
  );
  return { results, coverage };
}

/** The targets still going compared with the first of them; a skip for each one that stopped, and for one left alone. */
async function compareAll(
  targets: CrossDbTarget[],
  stopped: Map<CrossDbTarget, string>,
  opts: CrossDbOptions,
  used: Set<ExpectedDifference>,
  migration: string | undefined,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const skip = (t: CrossDbTarget, message: string) =>
    out.push({
      check: "cross-db.schema",
      target: t.name,
      ...(migration ? { migration } : {}),
      status: "skip",
      message,
    });
  for (const [t, why] of stopped) skip(t, why);
  const [ref, ...others] = targets.filter((t) => !stopped.has(t));
  if (!ref) return out;
  if (!others.length) {
    skip(ref, `not compared: no other target got this far`);
    return out;
  }
  const refSchema = await ref.driver.introspect();
  for (const other of others) {
    out.push(compareSchemas(ref.name, refSchema, other.name, await other.driver.introspect(), opts, used, migration));
  }
  return out;
}

export function compareSchemas(
  refName: string,
  ref: Schema,
  name: string,
  other: Schema,
  opts: Pick<CrossDbOptions, "rules" | "expected">,
  used: Set<ExpectedDifference>,
  migration?: string,
): CheckResult {
  const { schemas, notes } = normalizePair(ref, other, opts.rules);
  const diffs = diffSchemas(schemas[0], schemas[1], [`on ${refName}`, `on ${name}`]);
  const declared: { object: string; reason: string; differences: string[] }[] = [];
  const open: ObjectDiff[] = [];
  for (const d of diffs) {
    const e = opts.expected.find((x) => x.object === d.id && (!x.targets || x.targets.includes(name)));
    if (!e) {
      open.push(d);
      continue;
    }
    const covered = d.summary.filter((s) => !e.parts || e.parts.some((p) => s.startsWith(`${d.id}: ${p} `)));
    const rest = d.summary.filter((s) => !covered.includes(s));
    if (covered.length) {
      used.add(e);
      declared.push({ object: d.id, reason: e.reason, differences: covered });
    }
    if (rest.length) open.push({ ...d, summary: rest });
  }
  const details: Record<string, unknown> = { equivalences: notes };
  if (declared.length) details.declared = declared;
  if (open.length) details.diff = open.map((d) => d.patch).join("\n");
  const declaredText = declared.length
    ? `; declared differences: ${declared.map((d) => `${d.object} (${d.reason})`).join("; ")}`
    : "";
  return {
    check: "cross-db.schema",
    target: name,
    ...(migration ? { migration } : {}),
    status: open.length ? "fail" : "pass",
    message: open.length
      ? `${name} differs from ${refName}: ${open.flatMap((d) => d.summary).join("; ")}${declaredText}`
      : `${name} has the schema of ${refName}${notes.length ? ` (${plural(notes.length, "type equivalence")})` : ""}${declaredText}`,
    details,
  };
}

interface VersionRef {
  key: string;
  id: string;
  version: string;
}

function unionVersions(targets: CrossDbTarget[]): VersionRef[] {
  const seen = new Map<string, VersionRef>();
  for (const t of targets)
    for (const m of t.migrations)
      if (m.store === "sql" && !seen.has(m.key)) seen.set(m.key, { key: m.key, id: m.id, version: m.version });
  return [...seen.values()].sort((a, b) => compareVersions(a.version, b.version));
}

/** A version in one target's tree and not in another's (a skip directive is not "missing"). */
function missingVersions(targets: CrossDbTarget[]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const v of unionVersions(targets)) {
    const has = targets.filter((t) => t.migrations.some((m) => m.key === v.key && m.store === "sql"));
    if (has.length === targets.length) continue;
    for (const t of targets.filter((x) => !has.includes(x)))
      out.push({
        check: "cross-db.schema",
        target: t.name,
        migration: v.id,
        status: "fail",
        message: `version ${v.id} is in the tree of ${has.map((h) => `${h.name} (${h.tree})`).join(", ")} but not in the tree of ${t.name} (${t.tree})`,
      });
  }
  return out;
}
