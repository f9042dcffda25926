// Which columns an up sets out to change (data-test's untouched-column
// checksums compare all the others).

import type { Schema } from "../schema/model.ts";
import { schemaObjects } from "../schema/render.ts";

/**
 * Columns a migration sets out to change: assigned by UPDATE … SET, or named
 * by ALTER/RENAME/DROP COLUMN. Any other column must come through with the
 * same values — a table rebuilt with INSERT … SELECT * into reordered columns,
 * a cascade, a trigger, all show.
 */
export function targetedColumns(sql: string): Set<string> {
  const out = new Set<string>();
  for (const m of sql.matchAll(/\b(?:ALTER|RENAME|DROP)\s+COLUMN\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?/gi))
    out.add(m[1]!.toLowerCase());
  for (const m of sql.matchAll(
    /\bUPDATE\s+[\w."]+\s+(?:AS\s+\w+\s+)?SET\s+([\s\S]*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b|;|$)/gi,
  )) {
    for (const a of m[1]!.matchAll(/(?:^|,)\s*\(?\s*"?(\w+)"?\s*(?:,\s*"?(\w+)"?\s*)*\)?\s*=/g)) {
      for (const name of a[0]
        .replace(/=.*$/, "")
        .split(/[(),\s]+/)
        .filter(Boolean))
        out.add(name.replace(/"/g, "").toLowerCase());
    }
  }
  return out;
}

/** Per table, the columns the up left as they were: same definition, and not targeted by its SQL. */
export function unchangedColumns(before: Schema, after: Schema, upSql: string): Map<string, string[]> {
  const targeted = targetedColumns(upSql);
  const part = (s: Schema, table: string) =>
    new Map(
      (schemaObjects(s, { canonical: true }).find((o) => o.id === `table ${table}`)?.parts ?? []).map((p) => [
        p.key,
        p.text,
      ]),
    );
  const out = new Map<string, string[]>();
  for (const t of before.tables) {
    if (!after.tables.some((x) => x.name === t.name)) continue;
    const a = part(before, t.name);
    const b = part(after, t.name);
    out.set(
      t.name,
      t.columns
        .map((c) => c.name)
        .filter((c) => a.get(`column ${c}`) === b.get(`column ${c}`) && !targeted.has(c.toLowerCase())),
    );
  }
  return out;
}
