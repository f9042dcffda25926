// Adopting a database another runner migrated: its bookkeeping table read
// (never written) and matched with the tree, as rows stairway_migrations would
// hold. Read only while stairway has recorded nothing on that database: once
// it has, its own table is the history.

import { StairwayError, usageError } from "../errors.ts";
import { appliesTo, compareVersions, versionKey, type Migration } from "../plan/migration.ts";
import { upChecksum } from "../runner.ts";
import type { AppliedRow, SqlDriver } from "../stores/contract.ts";
import { FOREIGN_RUNNERS, RUNNERS, type ForeignRunner, type ForeignRunnerId } from "./runners.ts";
import { listed } from "../plural.ts";

export interface Adoption {
  runner: ForeignRunnerId;
  /** The table read, as the database names it ("goose_db_version", "dbmate.schema_migrations"). */
  table: string;
  /** The tree's migrations it applied (or left dirty), as stairway records them. */
  rows: AppliedRow[];
  /** Versions it recorded that this tree does not have for the target's dialect. */
  unknown: string[];
}

/** The runner `--from` names; a usage error listing the known ones otherwise. */
export function foreignRunner(name: string): ForeignRunner {
  const runner = (RUNNERS as Record<string, ForeignRunner>)[name];
  if (!runner)
    throw usageError(
      `--from ${name}: not a runner whose bookkeeping stairway reads (known: ${FOREIGN_RUNNERS.join(", ")})`,
    );
  return runner;
}

/**
 * What `runner` recorded on the target, matched with its tree; undefined when
 * the database has no such table. `table` names another than the runner's
 * default; either is looked for unqualified, else in the one schema that has it.
 */
export async function readAdoption(
  driver: SqlDriver,
  runner: ForeignRunner,
  migrations: Migration[],
  where: { target: string; url: string; table?: string },
  tables?: string[],
): Promise<Adoption | undefined> {
  const table = findTable(tables ?? (await driver.tableGraph()).tables, where.table ?? runner.table, where);
  if (!table) return undefined;
  // Asked of the schema, not left to the query: SQLite reads "dirty", a column it does not have, as a string.
  const has = new Set(
    (await driver.introspect(new Set([table]))).tables
      .find((t) => t.name === table)
      ?.columns.map((c) => c.name.toLowerCase()),
  );
  const missing = runner.columns.filter((c) => !has.has(c));
  if (missing.length)
    throw new StairwayError(
      "E_REFUSED",
      `target ${where.target}: the table ${table} in ${where.url} is not ${runner.id}'s (it has no ${missing.join(", ")} column${missing.length === 1 ? "" : "s"}): name its runner with --from, or its table with --table`,
    );
  const rows: (string | null)[][] = [];
  for await (const r of driver.readRows(table, runner.columns)) rows.push(r);
  return { runner: runner.id, table, ...matched(runner.read(rows), driver, migrations) };
}

/**
 * The other runners' tables on a database where stairway has recorded
 * nothing, that say some of this tree's migrations were applied: `up` must
 * not run those again. A table of another shape than its runner's is not theirs.
 */
export async function detectAdoptions(
  driver: SqlDriver,
  migrations: Migration[],
  where: { target: string; url: string },
): Promise<Adoption[]> {
  const found: Adoption[] = [];
  const taken = new Set<string>();
  const { tables } = await driver.tableGraph();
  for (const id of FOREIGN_RUNNERS) {
    const runner = RUNNERS[id];
    if (taken.has(runner.table)) continue; // schema_migrations: golang-migrate's when it has `dirty`, else dbmate's
    const adoption = await readAdoption(driver, runner, migrations, where, tables).catch(() => undefined);
    if (!adoption) continue;
    taken.add(runner.table);
    if (adoption.rows.length) found.push(adoption);
  }
  return found;
}

function findTable(tables: string[], name: string, where: { target: string; url: string }): string | undefined {
  if (tables.includes(name)) return name;
  const elsewhere = tables.filter((t) => t.endsWith(`.${name}`));
  if (elsewhere.length > 1)
    throw usageError(
      `target ${where.target}: ${where.url} has ${listed(elsewhere)}: name the one to read with --table`,
    );
  return elsewhere[0];
}

/** The history as stairway_migrations rows of the tree's migrations, and the versions the tree does not have. */
function matched(
  history: ReturnType<ForeignRunner["read"]>,
  driver: SqlDriver,
  migrations: Migration[],
): Pick<Adoption, "rows" | "unknown"> {
  const byKey = new Map(history.rows.map((r) => [versionKey(r.version), r]));
  const now = new Date().toISOString();
  const rows: AppliedRow[] = [];
  for (const m of migrations.filter((x) => appliesTo(x, driver.dialect))) {
    const r = byKey.get(m.key);
    byKey.delete(m.key);
    if (!r && !(history.through !== undefined && compareVersions(m.version, history.through) <= 0)) continue;
    rows.push({
      version: m.version,
      name: m.name,
      checksum: upChecksum(m, driver)!,
      appliedAt: isoOf(r?.appliedAt) ?? now,
      durationMs: 0,
      dirty: r?.dirty ?? false,
    });
  }
  return { rows, unknown: [...byKey.values()].map((r) => r.version).sort(compareVersions) };
}

/** A timestamp as the database returned it, in ISO 8601 (UTC when it names no zone); undefined when it is not one. */
function isoOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text.trim().replace(" ", "T");
  const zoned = /(Z|[+-]\d\d(:?\d\d)?)$/.test(t) ? t.replace(/([+-]\d\d)$/, "$1:00") : `${t}Z`;
  const d = new Date(zoned);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
