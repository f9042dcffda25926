// A snapshot of a key-value store (every key but stairway's own: its type, its
// time to live and a digest of its value) and the comparisons the checks make
// with it: plain data and pure functions, like src/schema/ for SQL. A store
// that holds keys (src/stores/redis/) takes the snapshots.

import { plural } from "../plural.ts";

export interface KeyState {
  type: string;
  /** ms to live; -1: none. */
  pttl: number;
  /** sha1 of the value as read for its type. */
  digest: string;
  /** When the PTTL was read (ms since the epoch). */
  at: number;
}

export interface Keyspace {
  keys: Map<string, KeyState>;
  /** When the snapshot ended. */
  at: number;
}

export interface KeyspaceDiff {
  missing: string[];
  extra: string[];
  typeChanged: string[];
  valueChanged: string[];
  /** Had a TTL, has none. */
  ttlLost: string[];
  /** Had none, has one. */
  ttlGained: string[];
  /** Both have one, but it moved more than the time between the snapshots explains. */
  ttlChanged: string[];
  /** Missing because their TTL ran out between the snapshots: not a loss. */
  expired: string[];
}

export interface DiffOptions {
  /** "exact": the same expiry time, within toleranceMs; "presence": only whether there is a TTL. */
  ttl: "exact" | "presence";
  toleranceMs?: number;
  /** Keys left out of the comparison on both sides. */
  ignore?: (key: string) => boolean;
}

/** Slack for an expiry that looks later than before: PTTL is read in ms, batches a little apart. */
const LATER_SLACK_MS = 100;

export function diffKeyspaces(a: Keyspace, b: Keyspace, opts: DiffOptions): KeyspaceDiff {
  const tol = opts.toleranceMs ?? 2000;
  const d: KeyspaceDiff = {
    missing: [],
    extra: [],
    typeChanged: [],
    valueChanged: [],
    ttlLost: [],
    ttlGained: [],
    ttlChanged: [],
    expired: [],
  };
  for (const [k, x] of a.keys) {
    if (opts.ignore?.(k)) continue;
    const y = b.keys.get(k);
    if (!y) {
      (x.pttl >= 0 && x.pttl <= b.at - x.at + tol ? d.expired : d.missing).push(k);
      continue;
    }
    if (x.type !== y.type) d.typeChanged.push(k);
    else if (x.digest !== y.digest) d.valueChanged.push(k);
    if (x.pttl >= 0 && y.pttl < 0) d.ttlLost.push(k);
    else if (x.pttl < 0 && y.pttl >= 0) d.ttlGained.push(k);
    else if (opts.ttl === "exact" && x.pttl >= 0 && y.pttl >= 0) {
      const elapsed = y.at - x.at;
      if (y.pttl > x.pttl + LATER_SLACK_MS || x.pttl - y.pttl > elapsed + tol) d.ttlChanged.push(k);
    }
  }
  for (const k of b.keys.keys()) if (!a.keys.has(k) && !opts.ignore?.(k)) d.extra.push(k);
  return d;
}

/** The diff for a report's details: at most `n` keys per kind. */
export function diffDetails(d: KeyspaceDiff, n = 100): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(d)
      .filter(([, keys]) => keys.length)
      .map(([kind, keys]) => [kind, keys.slice(0, n)]),
  );
}

export function diffIsEmpty(d: KeyspaceDiff): boolean {
  return ![d.missing, d.extra, d.typeChanged, d.valueChanged, d.ttlLost, d.ttlGained, d.ttlChanged].some(
    (l) => l.length,
  );
}

/** "3 keys lost their TTL: session:user:1, session:user:7, session:user:9; 1 key missing: a". */
export function describeDiff(d: KeyspaceDiff, labels: Partial<Record<keyof KeyspaceDiff, string>> = {}): string {
  const parts: [keyof KeyspaceDiff, string][] = [
    ["missing", "missing"],
    ["extra", "left behind"],
    ["typeChanged", "changed type"],
    ["valueChanged", "changed value"],
    ["ttlLost", "lost their TTL"],
    ["ttlGained", "gained a TTL"],
    ["ttlChanged", "have another expiry time"],
  ];
  return parts
    .filter(([k]) => d[k].length)
    .map(([k, text]) => `${plural(d[k].length, "key")} ${labels[k] ?? text}: ${examples(d[k])}`)
    .join("; ");
}

export function examples(keys: string[], n = 3): string {
  const sorted = [...keys].sort(naturalOrder);
  return sorted.slice(0, n).join(", ") + (keys.length > n ? ", …" : "");
}

const naturalOrder = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/**
 * The renames an up made, learned from the data: a key only before and a key
 * only after with the same type and value. Equal values are paired by their
 * last segment (the id in session:user:<id>), then in order.
 */
export function inferRenames(before: Keyspace, after: Keyspace): Map<string, string> {
  const group = (from: Keyspace, other: Keyspace) => {
    const g = new Map<string, string[]>();
    for (const [k, s] of from.keys) {
      if (other.keys.has(k)) continue;
      const id = `${s.type}\0${s.digest}`;
      g.set(id, [...(g.get(id) ?? []), k]);
    }
    return g;
  };
  const gone = group(before, after);
  const added = group(after, before);
  const out = new Map<string, string>();
  const last = (k: string) => k.slice(k.lastIndexOf(":") + 1);
  for (const [id, olds] of gone) {
    const news = added.get(id);
    if (!news) continue;
    if (olds.length === 1 && news.length === 1) {
      out.set(olds[0]!, news[0]!);
      continue;
    }
    const free = new Map<string, string[]>();
    for (const n of news) free.set(last(n), [...(free.get(last(n)) ?? []), n]);
    const unpaired: string[] = [];
    for (const o of olds) {
      const n = free.get(last(o))?.shift();
      if (n) out.set(o, n);
      else unpaired.push(o);
    }
    const rest = [...free.values()].flat().sort(naturalOrder);
    if (rest.length === unpaired.length) unpaired.sort(naturalOrder).forEach((o, i) => out.set(o, rest[i]!));
  }
  return out;
}
