// An order-independent checksum of many values: two 32-bit FNV-1a hashes per
// value, summed modulo 2^32 each, so rows may come in any order and a changed,
// lost or added value changes the sum. Used where the database cannot hash
// (SQLite, MariaDB/MySQL); PostgreSQL sums hashtextextended() itself.

import type { TableFingerprint } from "../stores/contract.ts";

class ColumnChecksum {
  private a = 0;
  private b = 0;

  add(text: string | null): void {
    const s = text === null ? "\u0000NULL" : text;
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ s.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822519);
    }
    this.a = (this.a + (h1 >>> 0)) >>> 0;
    this.b = (this.b + (h2 >>> 0)) >>> 0;
  }

  hex(): string {
    return this.a.toString(16).padStart(8, "0") + this.b.toString(16).padStart(8, "0");
  }
}

/**
 * Row count and a checksum per column of rows, in `columns`' order; `text` is
 * the value as readRows gives it.
 */
export async function fingerprintRows<V>(
  columns: string[],
  rows: Iterable<V[]> | AsyncIterable<V[]>,
  text: (v: V) => string | null,
): Promise<TableFingerprint> {
  const sums = columns.map(() => new ColumnChecksum());
  let n = 0;
  const add = (row: V[]) => {
    n++;
    row.forEach((v, i) => sums[i]!.add(text(v)));
  };
  // A synchronous source (SQLite) is read without an await a row: that would double the time.
  if (Symbol.asyncIterator in rows) for await (const row of rows) add(row);
  else for (const row of rows) add(row);
  return { rows: n, columns: Object.fromEntries(columns.map((col, i) => [col, sums[i]!.hex()])) };
}
