// Compares two canonical schemas object by object: a unified diff per object
// (the `diff` package) and a one-line summary that names what differs.
// PostgreSQL folds 'now'::timestamp (and 'today'::date) into a constant when it
// stores a view or a default, so the same statement run twice a few
// milliseconds apart stores two texts: such constants (a time within a day of
// this run) compare as 'now'. Older constants stay, and so do their changes.

import { createTwoFilesPatch } from "diff";
import type { Schema } from "./model.ts";
import { schemaObjects, type ObjectText } from "./render.ts";

export interface ObjectDiff {
  id: string;
  change: "added" | "removed" | "changed";
  /** What differs inside the object, e.g. "index idx_tools_name is missing". */
  summary: string[];
  /** Unified diff of the object's text. */
  patch: string;
}

export function diffSchemas(
  before: Schema,
  after: Schema,
  labels: [string, string] = ["before", "after"],
): ObjectDiff[] {
  const a = new Map(schemaObjects(before, { canonical: true }).map((o) => [o.id, o]));
  const b = new Map(schemaObjects(after, { canonical: true }).map((o) => [o.id, o]));
  const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: ObjectDiff[] = [];
  for (const id of ids) {
    const x = a.get(id);
    const y = b.get(id);
    if (x && y && same(x.text, y.text)) continue;
    const change = !x ? "added" : !y ? "removed" : "changed";
    out.push({
      id,
      change,
      summary: summarise(id, x, y, labels),
      patch: patch(id, x?.text ?? "", y?.text ?? "", labels),
    });
  }
  return out;
}

function summarise(
  id: string,
  x: ObjectText | undefined,
  y: ObjectText | undefined,
  labels: [string, string],
): string[] {
  if (!x) return [`${id} exists only ${labels[1]}`];
  if (!y) return [`${id} exists only ${labels[0]}`];
  const pa = new Map(x.parts.map((p) => [p.key, p.text]));
  const pb = new Map(y.parts.map((p) => [p.key, p.text]));
  const out: string[] = [];
  for (const [key, text] of pa) {
    const other = pb.get(key);
    if (other === undefined) out.push(`${id}: ${key} exists only ${labels[0]}`);
    else if (!same(other, text)) out.push(`${id}: ${key} differs: ${text}  →  ${other}`);
  }
  for (const key of pb.keys()) if (!pa.has(key)) out.push(`${id}: ${key} exists only ${labels[1]}`);
  return out.length ? out : [`${id} differs`];
}

function same(a: string, b: string): boolean {
  return a === b || unfoldNow(a) === unfoldNow(b);
}

const FOLDED =
  /'(\d{4}-\d\d-\d\d)(?: (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::\d\d)?)?)?'::(timestamp(?:\(\d\))? with(?:out)? time zone|date)\b/g;
const DAY_MS = 86_400_000;

/** The text with each date or timestamp constant within a day of now written 'now'. */
function unfoldNow(text: string, now = Date.now()): string {
  return text.replace(FOLDED, (whole, date: string, time: string | undefined, _zone, type: string) => {
    const at = Date.parse(`${date}T${time ?? "00:00:00"}Z`);
    return Math.abs(at - now) <= DAY_MS + 14 * 3_600_000 ? `'now'::${type}` : whole;
  });
}

function patch(id: string, a: string, b: string, labels: [string, string]): string {
  const p = createTwoFilesPatch(
    `${id} (${labels[0]})`,
    `${id} (${labels[1]})`,
    a ? a + "\n" : "",
    b ? b + "\n" : "",
    "",
    "",
    {
      context: 3,
    },
  );
  return p
    .split("\n")
    .filter((l) => !l.startsWith("===") && !l.startsWith("Index:") && l !== "\\ No newline at end of file")
    .join("\n")
    .trimEnd();
}

/** The diffs as one text: summaries, then patches. */
export function formatDiffs(diffs: ObjectDiff[]): string {
  return diffs.map((d) => d.patch).join("\n");
}
