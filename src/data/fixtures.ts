// Fixture files: { "table": "tools", "version": "002", "rows": [{…}, …] }.
// `version` is the migration after which the rows are loaded (their columns
// exist from then on); without it, rows load once the table exists.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { SqlDriver, Value } from "../stores/contract.ts";
import { configError } from "../errors.ts";
import type { Schema } from "../schema/model.ts";

export interface Fixture {
  path: string;
  table: string;
  version?: string;
  rows: Record<string, unknown>[];
}

export function loadFixture(path: string): Fixture {
  if (!existsSync(path)) throw configError(`fixture ${path} does not exist`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw configError(`fixture ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const f = data as Partial<Fixture>;
  if (
    !f ||
    typeof f.table !== "string" ||
    !Array.isArray(f.rows) ||
    f.rows.some((r) => typeof r !== "object" || r === null)
  )
    throw configError(`fixture ${path} must be {"table": "...", "version": "...", "rows": [{...}]}`);
  if (f.version !== undefined && typeof f.version !== "string")
    throw configError(`fixture ${path}: "version" must be a string like "002"`);
  return { path, table: f.table, version: f.version, rows: f.rows };
}

/** Every fixture the config's scenarios name, once each. */
export function configFixtures(config: Config): Fixture[] {
  const names = [...new Set(config.scenarios.flatMap((s) => s.fixtures ?? []))];
  return names.map((n) => loadFixture(join(config.fixtures, n)));
}

export async function insertFixture(driver: SqlDriver, schema: Schema, f: Fixture): Promise<number> {
  const table = schema.tables.find((t) => t.name === f.table);
  if (!table) throw configError(`fixture ${f.path}: table ${f.table} does not exist at version ${f.version ?? "head"}`);
  const columns = [...new Set(f.rows.flatMap((r) => Object.keys(r)))];
  const unknown = columns.filter((c) => !table.columns.some((x) => x.name === c));
  if (unknown.length)
    throw configError(
      `fixture ${f.path}: table ${f.table} has no column ${unknown.join(", ")} at version ${f.version ?? "head"}`,
    );
  // Rows that leave a column out get its default: insert each shape of row on its own.
  const shapes = new Map<string, Record<string, unknown>[]>();
  for (const r of f.rows) {
    const key = Object.keys(r).sort().join("\u0000");
    shapes.set(key, [...(shapes.get(key) ?? []), r]);
  }
  let n = 0;
  for (const group of shapes.values()) {
    const cols = Object.keys(group[0]!).sort();
    n += await driver.insertRows(
      f.table,
      cols,
      group.map((r): Value[] => cols.map((c) => toValue(r[c]))),
    );
  }
  return n;
}

function toValue(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === "object") return JSON.stringify(v);
  return v as Value;
}
