// Trees for the selection tests: a chain of migrations that passes the
// stairway on SQLite and PostgreSQL, as files for writeTree.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PG_URL, pgQuery } from "../helpers.ts";

/** n migrations: odd ones create a table, even ones add a column to it. */
export function chain(n: number, from = 1): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = from; i < from + n; i++) {
    const v = String(i).padStart(3, "0");
    const t = `t${Math.ceil(i / 2)}`;
    if (i % 2 === 1) {
      files[`sql/${v}_create_${t}/up.sql`] = `CREATE TABLE ${t} (id integer PRIMARY KEY, name text NOT NULL);\n`;
      files[`sql/${v}_create_${t}/down.sql`] = `DROP TABLE ${t};\n`;
    } else {
      files[`sql/${v}_note_${t}/up.sql`] = `ALTER TABLE ${t} ADD COLUMN note text;\n`;
      files[`sql/${v}_note_${t}/down.sql`] = `ALTER TABLE ${t} DROP COLUMN note;\n`;
    }
  }
  return files;
}

/** The ids of the migrations whose stairway a report ran (step.up checked), in order. */
export function checkedIds(report: { results: { check: string; migration?: string; status: string }[] }): string[] {
  return report.results.filter((r) => r.check === "step.redo").map((r) => r.migration!);
}

/** The PostgreSQL templates a cache dir's entries name: tests drop their own (cleanup). */
export function cacheTemplates(cacheDir: string): string[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir)
    .map((d) => join(cacheDir, d, "entry.json"))
    .filter((p) => existsSync(p))
    .map((p) => (JSON.parse(readFileSync(p, "utf8")) as { kept?: { template?: string } }).kept?.template)
    .filter((t): t is string => !!t);
}

/** Drops the templates of the cache dirs (each test run's own, by name). */
export async function dropCacheTemplates(cacheDirs: string[]): Promise<void> {
  for (const name of cacheDirs.flatMap(cacheTemplates)) {
    await pgQuery(PG_URL, `ALTER DATABASE ${name} WITH IS_TEMPLATE false`).catch(() => {});
    await pgQuery(PG_URL, `DROP DATABASE IF EXISTS ${name}`);
  }
}
