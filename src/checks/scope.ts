// Which tables one step of the stairway can affect, so each step reads only
// those and the test stays linear in the number of migrations: the tables its
// up and down files name, and every table that references one of them (a
// cascade reaches there). Where a file can act on tables it does not name
// (DO blocks, functions, triggers, dynamic SQL), every table is in scope.

import type { Inspector } from "../stores/contract.ts";
import { fileFor, type Migration, type SqlDialect } from "../plan/migration.ts";
import { inScope, type Schema, type TableGraph, type TableScope } from "../schema/model.ts";

const HIDDEN =
  /\b(DO|CALL|EXECUTE|PERFORM|COPY)\b|\bCREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|TRIGGER|RULE|EXTENSION)\b|\bDROP\s+(SCHEMA|OWNED|EXTENSION)\b|\bALTER\s+EXTENSION\b/i;

/** The scope, and the table graph it was cut from (`known`, else read): the next step may carry it on (graphAfter). */
export async function stepScope(
  driver: Inspector & { dialect: SqlDialect },
  m: Migration,
  triggersExist: boolean,
  known?: TableGraph,
): Promise<{ scope: TableScope; graph?: TableGraph }> {
  const text = ["up", "down"].map((d) => fileFor(m, d as "up" | "down", driver.dialect)?.text ?? "").join("\n");
  if (triggersExist || HIDDEN.test(text)) return { scope: undefined };
  const graph = known ?? (await driver.tableGraph());
  // Every identifier the files hold (a table not created yet is among them too).
  const scope = identifiers(text);
  const named = (t: string) => scope.has(t) || scope.has(t.slice(t.lastIndexOf(".") + 1).toLowerCase());
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of graph.references)
      if (named(r.parent) && !named(r.table)) {
        scope.add(r.table);
        grew = true;
      }
  }
  return { scope, graph };
}

/**
 * The table graph after a step, from the one before it and a snapshot of the
 * step's scope taken after it: only the tables in scope can have come, gone
 * or changed their foreign keys (that is what the scope is), and the snapshot
 * holds all of them — one catalog query less for the next step.
 */
export function graphAfter(before: TableGraph, scope: Set<string>, snapshot: Schema): TableGraph {
  return {
    tables: [...before.tables.filter((t) => !inScope(scope, t)), ...snapshot.tables.map((t) => t.name)],
    references: [
      ...before.references.filter((r) => !inScope(scope, r.table)),
      ...snapshot.tables.flatMap((t) => t.foreignKeys.map((fk) => ({ table: t.name, parent: fk.refTable }))),
    ],
  };
}

/** Every identifier of a SQL text, as written and in lower case: quoted ("a b", `a`, [a]) and bare. */
export function identifiers(text: string): Set<string> {
  const words = new Set<string>();
  for (const w of text.matchAll(/"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_$]*)/g)) {
    const word = w[1]?.replace(/""/g, '"') ?? w[2] ?? w[3] ?? w[4]!;
    words.add(word);
    words.add(word.toLowerCase());
  }
  return words;
}
