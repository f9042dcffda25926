// Row snapshots and what was lost between two of them: matched by primary key
// (or a NOT NULL unique key), by whole-row multiset where a table has none.
// Values are compared as the database renders them as text, so a rounded
// number, a dropped time zone or a truncated string all show.

import type { SqlDriver } from "../stores/contract.ts";
import type { Lossy } from "../plan/directives.ts";
import type { Schema, Table } from "../schema/model.ts";
import { plural } from "../plural.ts";

export interface TableRows {
  table: string;
  columns: string[];
  /** Columns that identify a row; null: rows are matched whole. */
  key: string[] | null;
  /** Row identity → values in `columns` order. */
  rows: Map<string, (string | null)[]>;
}

export type RowSnapshot = Map<string, TableRows>;

export interface DataLoss {
  table: string;
  column?: string;
  kind: "table-gone" | "column-gone" | "rows-missing" | "values-changed";
  count: number;
  total: number;
  /** An example, e.g. `id=3: "a" → null`. */
  sample?: string;
  /** A `stairway:lossy` directive of the down file declares it. */
  declared: boolean;
}

export function rowKey(table: Table): string[] | null {
  if (table.primaryKey?.columns.length) return table.primaryKey.columns;
  const notNull = new Set(table.columns.filter((c) => !c.nullable).map((c) => c.name));
  const unique = table.uniques.find((u) => u.columns.every((c) => notNull.has(c)));
  return unique?.columns ?? null;
}

export async function snapshotRows(driver: SqlDriver, schema: Schema): Promise<RowSnapshot> {
  const out: RowSnapshot = new Map();
  for (const t of schema.tables) {
    const columns = t.columns.map((c) => c.name);
    const key = rowKey(t);
    out.set(t.name, { table: t.name, columns, key, rows: await readKeyed(driver, t.name, columns, key) });
  }
  return out;
}

async function readKeyed(driver: SqlDriver, table: string, columns: string[], key: string[] | null) {
  const rows = new Map<string, (string | null)[]>();
  const keyIdx = key?.map((k) => columns.indexOf(k));
  const seen = new Map<string, number>();
  for await (const r of driver.readRows(table, columns)) {
    if (keyIdx)
      rows.set(
        keyText(
          key!,
          keyIdx.map((i) => r[i]!),
        ),
        r,
      );
    else {
      // Whole-row multiset: identical rows are told apart by their count.
      const whole = JSON.stringify(r);
      const n = (seen.get(whole) ?? 0) + 1;
      seen.set(whole, n);
      rows.set(`${whole}#${n}`, r);
    }
  }
  return rows;
}

function keyText(key: string[], values: (string | null)[]): string {
  return key.map((k, i) => `${k}=${values[i] ?? "NULL"}`).join(", ");
}

function show(v: string | null): string {
  if (v === null) return "NULL";
  const s = [...v].length > 40 ? [...v].slice(0, 40).join("") + "…" : v;
  return JSON.stringify(s);
}

/**
 * Carries into `owed` what happened between two snapshots `from` and `to` to
 * the rows it holds: a changed value is owed as it is in `to`, a row gone
 * from `to` is owed no more. Rows new in `to` are not added.
 */
export function foldChanges(owed: RowSnapshot, from: RowSnapshot, to: RowSnapshot): void {
  for (const [name, rows] of owed) {
    const was = from.get(name);
    const now = to.get(name);
    if (!was || !now || JSON.stringify(was.key) !== JSON.stringify(rows.key)) continue;
    for (const [k, a] of was.rows) {
      const row = rows.rows.get(k);
      if (!row) continue;
      const b = now.rows.get(k);
      if (!b) {
        rows.rows.delete(k);
        continue;
      }
      was.columns.forEach((c, i) => {
        const j = rows.columns.indexOf(c);
        if (j >= 0 && a[i] !== b[i]) row[j] = b[i] ?? null;
      });
    }
  }
}

/**
 * What of `before` is gone now: only tables and columns that `expect` still
 * has are owed (rows of a table or column the step itself created may go).
 */
export async function compareRows(
  driver: SqlDriver,
  before: RowSnapshot,
  expect: Schema,
  now: Schema,
  lossy: Lossy[],
): Promise<DataLoss[]> {
  const out: DataLoss[] = [];
  const declared = (table: string, column?: string) =>
    lossy.some((l) => l.table === table && (l.column === undefined || l.column === column));
  for (const snap of before.values()) {
    const owed = expect.tables.find((t) => t.name === snap.table);
    if (!owed || snap.rows.size === 0) continue;
    const total = snap.rows.size;
    const current = now.tables.find((t) => t.name === snap.table);
    if (!current) {
      out.push({ table: snap.table, kind: "table-gone", count: total, total, declared: declared(snap.table) });
      continue;
    }
    const owedCols = snap.columns.filter((c) => owed.columns.some((x) => x.name === c));
    const present = new Set(current.columns.map((c) => c.name));
    for (const c of owedCols.filter((c) => !present.has(c))) {
      const i = snap.columns.indexOf(c);
      const values = [...snap.rows.values()].filter((r) => r[i] !== null).length;
      if (values > 0)
        out.push({
          table: snap.table,
          column: c,
          kind: "column-gone",
          count: values,
          total,
          declared: declared(snap.table, c),
        });
    }
    const keep = owedCols.filter((c) => present.has(c));
    const key = snap.key && snap.key.every((k) => keep.includes(k)) ? snap.key : null;
    const idx = keep.map((c) => snap.columns.indexOf(c));
    const keyed = new Map<string, (string | null)[]>();
    if (key) {
      const ki = key.map((k) => snap.columns.indexOf(k));
      for (const r of snap.rows.values())
        keyed.set(
          keyText(
            key,
            ki.map((i) => r[i]!),
          ),
          idx.map((i) => r[i]!),
        );
    } else {
      const seen = new Map<string, number>();
      for (const r of snap.rows.values()) {
        const vals = idx.map((i) => r[i]!);
        const whole = JSON.stringify(vals);
        const n = (seen.get(whole) ?? 0) + 1;
        seen.set(whole, n);
        keyed.set(`${whole}#${n}`, vals);
      }
    }
    // The rows now are streamed past the snapshot, not kept: each found row leaves `keyed`, what stays is missing.
    const changed = new Map<string, { count: number; sample: string }>();
    const keyIdx = key?.map((k) => keep.indexOf(k));
    const seenNow = new Map<string, number>();
    for await (const got of driver.readRows(snap.table, keep)) {
      let k: string;
      if (keyIdx)
        k = keyText(
          key!,
          keyIdx.map((i) => got[i]!),
        );
      else {
        const whole = JSON.stringify(got);
        const n = (seenNow.get(whole) ?? 0) + 1;
        seenNow.set(whole, n);
        k = `${whole}#${n}`;
      }
      const vals = keyed.get(k);
      if (!vals) continue; // added after the up: may stay
      keyed.delete(k);
      keep.forEach((c, j) => {
        if (vals[j] === got[j]) return;
        const e = changed.get(c) ?? { count: 0, sample: `${k}: ${show(vals[j]!)} → ${show(got[j]!)}` };
        e.count++;
        changed.set(c, e);
      });
    }
    const missing = keyed.size;
    const first = keyed.keys().next();
    const missingSample = first.done ? undefined : key ? first.value : `row ${first.value.replace(/#\d+$/, "")}`;
    if (missing)
      out.push({
        table: snap.table,
        kind: "rows-missing",
        count: missing,
        total,
        sample: missingSample,
        declared: declared(snap.table),
      });
    for (const [c, e] of changed)
      out.push({
        table: snap.table,
        column: c,
        kind: "values-changed",
        count: e.count,
        total,
        sample: e.sample,
        declared: declared(snap.table, c),
      });
  }
  return out;
}

export function describeLoss(l: DataLoss): string {
  const where = l.column ? `${l.table}.${l.column}` : l.table;
  switch (l.kind) {
    case "table-gone":
      return `${where}: table is gone, with its ${plural(l.total, "row")}`;
    case "column-gone":
      return `${where}: column is gone, with ${plural(l.count, "non-null value")}`;
    case "rows-missing":
      return `${where}: ${l.count.toLocaleString("en-US")} of ${plural(l.total, "row")} missing, e.g. ${l.sample}`;
    case "values-changed":
      return `${where}: ${l.count.toLocaleString("en-US")} of ${plural(l.total, "value")} changed, e.g. ${l.sample}`;
  }
}
