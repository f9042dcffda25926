// Production-sized data: N generated rows per table, parents first, streamed
// in chunks so memory stays flat (never N rows in memory), through the
// driver's bulk path (COPY on PostgreSQL). When the database refuses a bulk
// load (a CHECK the generator cannot read), it falls back to batched inserts
// that keep the rows it accepts.

import { SqlExecError, type SqlDriver, type Value } from "../stores/contract.ts";
import type { Schema } from "../schema/model.ts";
import { counterBase, insertionOrder, insertTolerant, planTable } from "./generator.ts";

export interface LoadResult {
  table: string;
  rows: number;
  ms: number;
  /** "bulk" (COPY / multi-row inserts) or "insert" (the tolerant fallback). */
  method: "bulk" | "insert";
  skipped?: string;
}

export interface LoadOptions {
  seed: number;
  /** Rows per chunk (default 5,000). */
  chunk?: number;
  /** Only these tables. */
  only?: Set<string>;
  progress?: (table: string, done: number, total: number) => void;
}

/** Brings every table (or `only`) up to `rows` rows. */
export async function loadTables(
  driver: SqlDriver,
  schema: Schema,
  rows: number,
  opts: LoadOptions,
): Promise<LoadResult[]> {
  const out: LoadResult[] = [];
  for (const table of insertionOrder(schema)) {
    if (opts.only && !opts.only.has(table.name)) continue;
    const t0 = performance.now();
    const have = await driver.rowCount(table.name);
    const plan = await planTable(driver, schema, table, opts.seed);
    if ("reason" in plan) {
      out.push({ table: table.name, rows: 0, ms: 0, method: "bulk", skipped: plan.reason });
      continue;
    }
    const count = Math.max(0, Math.min(rows - have, plan.maxRows - have));
    if (count === 0) continue;
    const start = have + (await counterBase(driver, schema, table));
    const size = opts.chunk ?? 5000;
    const row = plan.row;
    function* chunks(): Generator<Value[][]> {
      for (let i = 0; i < count; i += size) {
        const n = Math.min(size, count - i);
        const chunk: Value[][] = new Array(n);
        for (let k = 0; k < n; k++) chunk[k] = row(start + i + k);
        opts.progress?.(table.name, i + n, count);
        yield chunk;
      }
    }
    let method: LoadResult["method"] = "bulk";
    let loaded: number;
    try {
      loaded = await driver.bulkLoad(table.name, plan.columns, chunks());
    } catch (e) {
      if (!(e instanceof SqlExecError)) throw e;
      method = "insert";
      loaded = 0;
      for (const chunk of chunks()) loaded += (await insertTolerant(driver, table.name, plan.columns, chunk)).inserted;
    }
    out.push({ table: table.name, rows: loaded, ms: Math.round(performance.now() - t0), method });
  }
  return out;
}
