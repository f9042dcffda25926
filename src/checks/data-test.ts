// stairway data-test: N generated rows per table (each table filled as soon
// as a migration creates it), then every migration to head. Around each up:
// row counts must not drop, columns the migration does not name must keep
// their checksum, foreign keys must hold (`data.integrity`); each up is timed.
// Fingerprints are computed in the database where it can, so this stays
// linear in rows and flat in memory.

import type { SqlDriver, TableFingerprint } from "../drivers/driver.ts";
import { loadTables } from "../data/bulk.ts";
import { appliesTo, fileFor, type Migration } from "../plan/migration.ts";
import type { Schema, Table } from "../schema/model.ts";
import { schemaObjects } from "../schema/render.ts";
import type { CheckResult } from "../results.ts";
import { applyStep } from "../runner.ts";
import { plural } from "../plural.ts";

export interface DataTestOptions {
  rows: number;
  seed: number;
  progress?: (line: string) => void;
}

export async function runDataTest(driver: SqlDriver, target: string, all: Migration[], opts: DataTestOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  await driver.ensureBookkeeping();
  const t0 = performance.now();
  let loadedRows = 0;
  let stoppedAt: string | undefined;
  let loadMs = 0;
  for (const m of all.filter((x) => appliesTo(x, driver.dialect))) {
    const before = await driver.introspect();
    opts.progress?.(`${target}  ${m.id}  fingerprints`);
    const fp0 = await fingerprints(driver, before.tables);
    opts.progress?.(`${target}  ${m.id}  up`);
    const up = await applyStep(driver, m, "up");
    if (up.status !== "done") {
      results.push({ check: "data.integrity", target, migration: m.id, status: "fail", message: `up failed: ${up.error}`, durationMs: up.durationMs });
      stoppedAt = m.id;
      break;
    }
    const after = await driver.introspect();
    const upText = fileFor(m, "up", driver.dialect)?.text ?? "";
    const lossy = fileFor(m, "up", driver.dialect)?.directives.lossy ?? [];
    const problems: string[] = [];
    const declared: string[] = [];
    const kept = unchangedColumns(before, after, upText);
    const fp1 = await fingerprints(driver, after.tables.filter((t) => fp0.has(t.name)), kept);
    for (const [table, was] of fp0) {
      const now = fp1.get(table);
      const isDeclared = (column?: string) => lossy.some((l) => l.table === table && (l.column === undefined || l.column === column));
      if (!now) {
        (isDeclared() ? declared : problems).push(`${table}: table gone with ${plural(was.rows, "row")}`);
        continue;
      }
      if (now.rows < was.rows) (isDeclared() ? declared : problems).push(`${table}: ${plural(was.rows, "row")} before, ${now.rows.toLocaleString("en-US")} after`);
      for (const column of kept.get(table) ?? []) {
        if (was.columns[column] !== undefined && now.columns[column] !== undefined && was.columns[column] !== now.columns[column])
          (isDeclared(column) ? declared : problems).push(`${table}.${column}: values changed, though ${m.id} does not set out to change the column`);
      }
    }
    for (const v of await driver.foreignKeyViolations(after)) problems.push(`${plural(v.rows, "row")} of ${v.table} point${v.rows === 1 ? "s" : ""} at no row of ${v.parent}`);
    const rows = [...fp0.values()].reduce((a, f) => a + f.rows, 0);
    results.push({
      check: "data.integrity",
      target,
      migration: m.id,
      status: problems.length ? "fail" : declared.length ? "warn" : "pass",
      message: problems.length
        ? problems.join("; ")
        : `${plural(rows, "row")} kept, checksums of untouched columns equal, foreign keys hold${declared.length ? `; declared (stairway:lossy): ${declared.join("; ")}` : ""}`,
      durationMs: up.durationMs,
      details: { rows, upMs: up.durationMs },
    });

    // Tables this migration created get their rows now, for the next ones to run over.
    const fresh = new Set(after.tables.map((t) => t.name).filter((t) => !fp0.has(t)));
    if (fresh.size) {
      const l0 = performance.now();
      const loaded = await loadTables(driver, after, opts.rows, {
        seed: opts.seed,
        only: fresh,
        progress: (table, done, total) => opts.progress?.(`${target}  loading ${table} ${done.toLocaleString("en")}/${total.toLocaleString("en")}`),
      });
      loadMs += performance.now() - l0;
      loadedRows += loaded.reduce((a, l) => a + l.rows, 0);
      for (const l of loaded.filter((x) => x.skipped))
        results.push({ check: "data.integrity", target, migration: m.id, status: "skip", message: `no rows for ${l.table}: ${l.skipped}` });
    }
  }
  const total = performance.now() - t0;
  if (stoppedAt) {
    results.push({ check: "data.integrity", target, status: "skip", message: `head not reached: stopped at ${stoppedAt}`, durationMs: Math.round(total) });
    return results;
  }
  results.push({
    check: "data.integrity",
    target,
    status: "pass",
    message: `head reached with ${plural(loadedRows, "generated row")} in ${(total / 1000).toFixed(2)} s (loading ${(loadMs / 1000).toFixed(2)} s, ${Math.round(loadedRows / Math.max(loadMs / 1000, 0.001)).toLocaleString("en")} rows/s)`,
    durationMs: Math.round(total),
    details: { loadedRows, loadMs: Math.round(loadMs), totalMs: Math.round(total) },
  });
  return results;
}

async function fingerprints(driver: SqlDriver, tables: Table[], only?: Map<string, string[]>): Promise<Map<string, TableFingerprint>> {
  const out = new Map<string, TableFingerprint>();
  for (const t of tables) out.set(t.name, await driver.fingerprint(t.name, only ? (only.get(t.name) ?? []) : t.columns.map((c) => c.name)));
  return out;
}

/**
 * Columns a migration sets out to change: assigned by UPDATE … SET, or named
 * by ALTER/RENAME/DROP COLUMN. Any other column must come through with the
 * same values — a table rebuilt with INSERT … SELECT * into reordered columns,
 * a cascade, a trigger, all show.
 */
export function targetedColumns(sql: string): Set<string> {
  const out = new Set<string>();
  for (const m of sql.matchAll(/\b(?:ALTER|RENAME|DROP)\s+COLUMN\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?/gi)) out.add(m[1]!.toLowerCase());
  for (const m of sql.matchAll(/\bUPDATE\s+[\w."]+\s+(?:AS\s+\w+\s+)?SET\s+([\s\S]*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b|;|$)/gi)) {
    for (const a of m[1]!.matchAll(/(?:^|,)\s*\(?\s*"?(\w+)"?\s*(?:,\s*"?(\w+)"?\s*)*\)?\s*=/g)) {
      for (const name of a[0].replace(/=.*$/, "").split(/[(),\s]+/).filter(Boolean)) out.add(name.replace(/"/g, "").toLowerCase());
    }
  }
  return out;
}

/** Per table, the columns the up left as they were: same definition, and not targeted by its SQL. */
function unchangedColumns(before: Schema, after: Schema, upSql: string): Map<string, string[]> {
  const targeted = targetedColumns(upSql);
  const part = (s: Schema, table: string) =>
    new Map((schemaObjects(s, { canonical: true }).find((o) => o.id === `table ${table}`)?.parts ?? []).map((p) => [p.key, p.text]));
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
