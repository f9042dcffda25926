// The dialects a tree is written for, when no target says (validate with no
// database named): what the tree itself says — files of a dialect (popx's
// `.postgres.up.sql`, stairway's `up.sqlite.sql`), committed schema dumps
// (`schema.postgres.sql`), the runner's own word (Prisma's migration_lock.toml)
// — else what its SQL reads like: words only one dialect has.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { storeOf, SQL_DIALECTS } from "../stores/dialects.ts";
import type { Plan, SqlDialect } from "./migration.ts";

export interface TreeDialects {
  dialects: SqlDialect[];
  /** Why, for the output: "sql/001_a/up.postgres.sql is a PostgreSQL file". */
  why: string;
}

/**
 * Words of SQL that one dialect has and the others refuse, as each dialect's
 * files are written in the wild (a file holding one of them is read as that
 * dialect). A dialect without an entry is never guessed from its SQL.
 */
const MARKERS: Partial<Record<SqlDialect, { pattern: RegExp; words: string }>> = {
  postgres: {
    pattern:
      /\b(?:CREATE\s+EXTENSION|CONCURRENTLY|TIMESTAMPTZ|TIMESTAMP\s+WITH(?:OUT)?\s+TIME\s+ZONE|JSONB|BIGSERIAL|SERIAL|BYTEA|plpgsql|AS\s+ENUM|GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY|ALTER\s+COLUMN\s+\S+\s+(?:SET|DROP|TYPE)|gen_random_uuid|uuid_generate_v4)\b|::\s*[a-z]|\$\$/i,
    words: "CREATE EXTENSION, timestamptz, jsonb, serial, ::casts, $$ bodies…",
  },
  sqlite: {
    pattern: /\b(?:AUTOINCREMENT|PRAGMA|WITHOUT\s+ROWID|INSERT\s+OR\s+(?:IGNORE|REPLACE)|sqlite_\w+)\b/i,
    words: "AUTOINCREMENT, PRAGMA, WITHOUT ROWID, INSERT OR IGNORE…",
  },
};

export function treeDialects(plan: Plan, root: string): TreeDialects | undefined {
  const files = plan.migrations
    .filter((m) => m.store === "sql")
    .flatMap((m) => [...Object.values(m.files.up), ...Object.values(m.files.down)])
    .filter((f) => f !== undefined);

  // Files of a dialect, and dumps committed for one.
  const said = new Map<SqlDialect, string>();
  for (const f of files) if (f.dialect && !said.has(f.dialect)) said.set(f.dialect, f.path);
  for (const d of SQL_DIALECTS) {
    const dump = join(root, `schema.${d}.sql`);
    if (!said.has(d) && existsSync(dump)) said.set(d, dump);
  }
  if (said.size)
    return {
      dialects: SQL_DIALECTS.filter((d) => said.has(d)),
      why: [...said].map(([d, path]) => `${path} is ${storeOf(d).label}'s`).join(", "),
    };
  const lock = plan.layout?.dialect;
  if (lock) return { dialects: [lock.dialect], why: `${lock.from} says ${storeOf(lock.dialect).label}` };

  // What the SQL reads like: the dialect whose words are in the most files.
  const counts = new Map<SqlDialect, number>();
  for (const f of files) {
    for (const [d, m] of Object.entries(MARKERS) as [SqlDialect, { pattern: RegExp }][])
      if (m.pattern.test(f.text)) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!best) return undefined;
  const [d, n] = best;
  return {
    dialects: [d],
    why: `${n} of its ${files.length} files use words only ${storeOf(d).label} has (${MARKERS[d]!.words})`,
  };
}
