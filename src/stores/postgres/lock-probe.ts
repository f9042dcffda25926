// The concurrent probe of `stairway perf` (PostgreSQL): while a migration
// runs, a second connection reads and writes the tables it touches every few
// milliseconds, the way the application would. Its longest wait is the
// downtime the migration would cause. Writes are rolled back.

import type { ProbeResult, SqlDriver } from "../contract.ts";
import { quoteIdent } from "./driver.ts";

/**
 * Starts probing `tables` on `driver` (a second connection) until stop().
 * Each round: a read, then a one-row write in a transaction rolled back.
 */
export function startProbe(
  driver: SqlDriver,
  tables: { name: string; column: string }[],
  everyMs = 5,
): { stop: () => Promise<ProbeResult> } {
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
