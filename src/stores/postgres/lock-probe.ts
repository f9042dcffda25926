// The concurrent probe of `stairway perf` (PostgreSQL): while a migration
// runs, a second connection reads and writes the tables it touches every few
// milliseconds, the way the application would. Its longest wait is the
// downtime the migration would cause. Writes are rolled back.

import type { SqlDriver } from "../contract.ts";
import { parsePostgres } from "../../lint/pg-parser.ts";
import { quoteIdent } from "./driver.ts";

export interface ProbeResult {
  /** Longest single probe wait, ms. */
  stallMs: number;
  /** The table whose probe waited longest. */
  stallTable?: string;
  samples: number;
}

/** Tables a PostgreSQL migration names (every RangeVar of its statements). */
export async function relationsOf(sql: string): Promise<string[]> {
  const parsed = await parsePostgres(sql);
  if (!parsed.ok) return [];
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    // A RangeVar appears wrapped ({ RangeVar: {…} }) or inline (relation: { relname, … }).
    const r = node as { relname?: unknown; schemaname?: string };
    if (typeof r.relname === "string") names.add(r.schemaname && r.schemaname !== "public" ? `${r.schemaname}.${r.relname}` : r.relname);
    for (const value of Object.values(node)) walk(value);
  };
  for (const s of parsed.statements) walk(s.node);
  return [...names];
}

/**
 * Starts probing `tables` on `driver` (a second connection) until stop().
 * Each round: a read, then a one-row write in a transaction rolled back.
 */
export function startProbe(driver: SqlDriver, tables: { name: string; column: string }[], everyMs = 5): { stop: () => Promise<ProbeResult> } {
  let running = true;
  let stallMs = 0;
  let stallTable: string | undefined;
  let samples = 0;
  const alive = new Set(tables.map((t) => t.name));
  const loop = (async () => {
    while (running) {
      for (const t of tables) {
        if (!running || !alive.has(t.name)) continue;
        const q = quoteIdent(t.name);
        const c = quoteIdent(t.column);
        const t0 = performance.now();
        try {
          await driver.execute(`SELECT 1 FROM ${q} LIMIT 1`);
          await driver.begin();
          await driver.execute(`UPDATE ${q} SET ${c} = ${c} WHERE ctid = (SELECT ctid FROM ${q} LIMIT 1)`);
          await driver.rollback();
        } catch {
          // The migration dropped or renamed it: nothing left to wait for there.
          await driver.rollback();
          alive.delete(t.name);
        }
        const waited = performance.now() - t0;
        samples++;
        if (waited > stallMs) {
          stallMs = waited;
          stallTable = t.name;
        }
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { stallMs: Math.round(stallMs * 10) / 10, stallTable, samples };
    },
  };
}
