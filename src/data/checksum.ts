// An order-independent checksum of many values: two 32-bit FNV-1a hashes per
// value, summed modulo 2^32 each, so rows may come in any order and a changed,
// lost or added value changes the sum. Used where the database cannot hash
// (SQLite); PostgreSQL sums hashtextextended() itself.

export class ColumnChecksum {
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
