// The concurrent probe of `stairway perf` on MariaDB/MySQL: while a
// migration runs, one connection reads and writes the tables it touches every
// few milliseconds, as the application would (writes rolled back), and a
// second one watches the first in the process list, to say what it waited
// for: "Waiting for table metadata lock" is an ALTER or a DDL queued ahead.
// performance_schema is off by default on MariaDB; the process list is not.

import type { Prober, ProbeResult } from "../contract.ts";
import { quoteIdent as q, type MysqlConnection } from "./connect.ts";

export function mysqlProber(probe: MysqlConnection, watcher: MysqlConnection, everyMs = 5): Prober {
  return {
    start(tables) {
      let running = true;
      let stallMs = 0;
      let stallTable: string | undefined;
      let samples = 0;
      /** What the probe's connection was seen waiting for, on which table: "table metadata lock on tools". */
      const waits = new Set<string>();
      let current: string | undefined;
      const alive = new Set(tables.map((t) => t.name));
      const loop = (async () => {
        while (running) {
          for (const t of tables) {
            if (!running || !alive.has(t.name)) continue;
            const t0 = performance.now();
            current = t.name;
            try {
              await probe.conn.query(`SELECT 1 FROM ${q(t.name)} LIMIT 1`);
              await probe.conn.query("START TRANSACTION");
              await probe.conn.query(`UPDATE ${q(t.name)} SET ${q(t.column)} = ${q(t.column)} LIMIT 1`);
            } catch {
              // The migration dropped or renamed it: nothing left to wait for there.
              alive.delete(t.name);
            }
            await probe.conn.query("ROLLBACK").catch(() => {});
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
      const watch = (async () => {
        while (running) {
          const [rows] = await watcher.conn
            .query("SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ?", [probe.threadId])
            .catch(() => [[]]);
          for (const r of rows as { state: string | null }[])
            if (r.state && /^Waiting for/i.test(r.state))
              waits.add(`${r.state.replace(/^Waiting for /i, "").toLowerCase()} on ${current}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      return {
        stop: async (): Promise<ProbeResult> => {
          running = false;
          await Promise.all([loop, watch]);
          const waitedFor = [...waits];
          return {
            stallMs: Math.round(stallMs * 10) / 10,
            stallTable,
            samples,
            ...(waitedFor.length ? { waitedFor } : {}),
          };
        },
      };
    },
    async close() {
      await Promise.all([probe.conn.end().catch(() => {}), watcher.conn.end().catch(() => {})]);
    },
  };
}
