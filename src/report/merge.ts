// `stairway report --from DIR…`: the reports of the shards of one run
// (`--shard K/N`, one report dir each) merged into one report per command,
// as if one job had checked the whole tree: every migration's results once,
// the run-wide results (the way down to base, each shard's over its slice)
// one per target, coverage added up. A shard that is missing, or slices that
// do not meet, are said — a CI that lost a shard must not look green.

import type { CheckResult, Coverage, Report, Status } from "../results.ts";

const RANK: Record<Status, number> = { fail: 3, warn: 2, pass: 1, skip: 0 };

export interface Merged {
  reports: Report[];
  /** What is wrong with the set of shards, one sentence each, with the command it is about. */
  problems: { command: string; message: string }[];
  /** Per command merged from shards: how many. */
  shards: Record<string, number>;
}

export function mergeShards(reports: Report[]): Merged {
  const out: Report[] = [];
  const problems: Merged["problems"] = [];
  const say = (command: string, message: string) => problems.push({ command, message });
  const shards: Record<string, number> = {};
  const byCommand = new Map<string, Report[]>();
  for (const r of reports) byCommand.set(r.command, [...(byCommand.get(r.command) ?? []), r]);
  for (const [command, group] of byCommand) {
    const sharded = group.filter((r) => r.selection?.shard);
    if (!sharded.length) {
      // The same command run by every shard's job (validate, safety): one report, each result once.
      out.push(group.length === 1 ? group[0]! : union(group));
      continue;
    }
    if (sharded.length < group.length)
      say(
        command,
        `${command}: ${group.length - sharded.length} of its reports are not a shard's; merged only the shards`,
      );
    const count = sharded[0]!.selection!.shard!.count;
    if (sharded.some((r) => r.selection!.shard!.count !== count))
      say(
        command,
        `${command}: the shards say different counts (${[...new Set(sharded.map((r) => r.selection!.shard!.count))].join(", ")}): they are not of one run`,
      );
    const byIndex = new Map<number, Report>();
    for (const r of sharded) {
      const k = r.selection!.shard!.index;
      if (byIndex.has(k))
        say(command, `${command}: shard ${k}/${count} appears twice: pass each shard's report dir once`);
      byIndex.set(k, r);
    }
    const present = [...byIndex.keys()].sort((a, b) => a - b);
    for (let k = 1; k <= count; k++)
      if (!byIndex.has(k))
        say(
          command,
          `${command}: shard ${k}/${count} is missing${missingRange(byIndex, k)}: its migrations were not checked`,
        );
    for (const m of seams(
      command,
      present.map((k) => byIndex.get(k)!),
    ))
      say(command, m);
    shards[command] = present.length;
    out.push(
      mergeGroup(
        present.map((k) => byIndex.get(k)!),
        count,
      ),
    );
  }
  return { reports: out, problems, shards };
}

/** "(after 175_x on postgres)": where a missing shard's slice lies, from its neighbours. */
function missingRange(byIndex: Map<number, Report>, k: number): string {
  const before = byIndex.get(k - 1);
  const after = byIndex.get(k + 1);
  const parts: string[] = [];
  for (const target of Object.keys((before ?? after)?.selection?.targets ?? {})) {
    const from = before?.selection?.targets[target]?.last;
    const to = after?.selection?.targets[target]?.first;
    if (from || to)
      parts.push(`${from ? `after ${from}` : ""}${from && to ? " and " : ""}${to ? `before ${to}` : ""} on ${target}`);
  }
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/** Consecutive shards' slices must meet on every target: one's end is the next one's start. */
function seams(command: string, ordered: Report[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1]!;
    const b = ordered[i]!;
    if (b.selection!.shard!.index !== a.selection!.shard!.index + 1) continue;
    for (const [target, ta] of Object.entries(a.selection!.targets)) {
      const tb = b.selection!.targets[target];
      if (!tb) continue;
      if (ta.to !== tb.from || ta.total !== tb.total)
        out.push(
          `${command} · ${target}: shards ${a.selection!.shard!.index} and ${b.selection!.shard!.index} of ${a.selection!.shard!.count} do not meet (one ends at migration ${ta.to} of ${ta.total}, the next starts at ${tb.from} of ${tb.total}): they were cut from different timings or trees; give every shard the same report dir contents and tree`,
        );
    }
  }
  return out;
}

function mergeGroup(ordered: Report[], count: number): Report {
  const first = ordered[0]!;
  const label = (r: Report) => `shard ${r.selection!.shard!.index}/${count}`;
  const results: CheckResult[] = [];
  const seen = new Set<string>();
  const runWide = new Map<string, { result: CheckResult; parts: string[]; messages: Set<string> }>();
  for (const r of ordered)
    for (const x of r.results) {
      const id = JSON.stringify([x.check, x.target, x.migration ?? null, x.status, x.message]);
      if (seen.has(id)) continue; // the tree's own findings, said by every shard
      seen.add(id);
      if (x.migration) {
        results.push(x);
        continue;
      }
      // Said once per shard of its own slice (the way down to base): one result, the worst of them.
      const key = `${x.check}\u0000${x.target}`;
      const m = runWide.get(key);
      if (!m) {
        const merged = { ...x };
        runWide.set(key, { result: merged, parts: [`${label(r)}: ${x.message}`], messages: new Set([x.message]) });
        results.push(merged);
        continue;
      }
      m.parts.push(`${label(r)}: ${x.message}`);
      m.messages.add(x.message);
      if (RANK[x.status] > RANK[m.result.status]) m.result.status = x.status;
      if (x.durationMs !== undefined) m.result.durationMs = (m.result.durationMs ?? 0) + x.durationMs;
      m.result.message = m.messages.size === 1 ? x.message : m.parts.join("; ");
    }
  const targets = [...new Map(ordered.flatMap((r) => r.targets).map((t) => [t.name, t])).values()];
  const coverage = mergeCoverage(ordered);
  const stepMs: Record<string, Record<string, number>> = {};
  for (const r of ordered)
    for (const [t, costs] of Object.entries(r.stepMs ?? {})) stepMs[t] = { ...stepMs[t], ...costs };
  const errors = ordered.filter((r) => r.error);
  return {
    tool: "stairway",
    version: first.version,
    command: first.command,
    ok: ordered.every((r) => r.ok),
    targets,
    results,
    ...(coverage ? { coverage } : {}),
    ...(Object.keys(stepMs).length ? { stepMs } : {}),
    shards: { count, merged: ordered.map((r) => r.selection!.shard!.index) },
    ...(first.layout ? { layout: first.layout } : {}),
    ...(errors.length
      ? { error: { code: errors[0]!.error!.code, message: `${label(errors[0]!)}: ${errors[0]!.error!.message}` } }
      : {}),
  };
}

function union(group: Report[]): Report {
  const seen = new Set<string>();
  const results = group
    .flatMap((r) => r.results)
    .filter((x) => {
      const id = JSON.stringify([x.check, x.target, x.migration ?? null, x.status, x.message]);
      return !seen.has(id) && !!seen.add(id);
    });
  const errored = group.find((r) => r.error);
  return {
    ...group[0]!,
    ok: group.every((r) => r.ok),
    targets: [...new Map(group.flatMap((r) => r.targets).map((t) => [t.name, t])).values()],
    results,
    ...(errored ? { error: errored.error } : {}),
  };
}

function mergeCoverage(ordered: Report[]): Record<string, Coverage> | undefined {
  if (!ordered.some((r) => r.coverage)) return undefined;
  const out: Record<string, Coverage> = {};
  for (const r of ordered)
    for (const [t, c] of Object.entries(r.coverage ?? {})) {
      const m = out[t] ?? { checked: 0, total: c.total, untested: [] };
      m.checked += c.checked;
      m.total = Math.max(m.total, c.total);
      m.untested.push(...c.untested);
      out[t] = m;
    }
  for (const c of Object.values(out)) {
    const left = c.total - c.checked - c.untested.length;
    if (left > 0) c.otherShards = left;
  }
  return out;
}
