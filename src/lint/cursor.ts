// A cursor over one statement's tokens, and what a SELECT reads: shared by
// the classifiers of the dialects without a parser here (SQLite, MySQL).

import type { Token } from "./tokens.ts";

export interface RowSource {
  /** Tables read in the FROM clause (joins included). */
  from: string[];
  /** A WHERE, LIMIT or compound SELECT: maybe not every row. */
  filtered: boolean;
}

/** A cursor over one statement's tokens. */
export class Cursor {
  i = 0;
  /** `sql`: the text the tokens come from, to quote it as written. */
  constructor(
    readonly t: Token[],
    readonly sql = "",
  ) {}
  peek(k = 0): Token | undefined {
    return this.t[this.i + k];
  }
  /** Consumes the words given, in order, if they are next. */
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) {
      const tok = this.t[this.i + k];
      if (!tok || tok.type !== "word" || tok.value !== words[k]) return false;
    }
    this.i += words.length;
    return true;
  }
  /** A possibly schema-qualified name; `main.` and `temp.` are dropped. */
  name(): string {
    const first = this.t[this.i];
    if (!first || (first.type !== "word" && first.type !== "ident" && first.type !== "string")) return "";
    this.i++;
    let name = first.type === "word" ? first.value : first.value.toLowerCase();
    if (this.t[this.i]?.value === "." && this.t[this.i]?.type === "punct") {
      const second = this.t[this.i + 1];
      if (second) {
        this.i += 2;
        const schema = name;
        name = second.type === "word" ? second.value : second.value.toLowerCase();
        if (schema !== "main" && schema !== "temp") name = `${schema}.${name}`;
      }
    }
    return name;
  }
  /** Skips a balanced ( … ) group starting here; returns its inner tokens. */
  group(): Token[] {
    if (this.t[this.i]?.value !== "(") return [];
    const from = this.i + 1;
    let depth = 0;
    for (; this.i < this.t.length; this.i++) {
      const v = this.t[this.i]!;
      if (v.type !== "punct") continue;
      if (v.value === "(") depth++;
      else if (v.value === ")" && --depth === 0) {
        this.i++;
        return this.t.slice(from, this.i - 1);
      }
    }
    return this.t.slice(from);
  }
  done(): boolean {
    return this.i >= this.t.length;
  }
}

/** Words at parenthesis depth 0 from the cursor on. */
export function topLevelWords(tokens: Token[], from: number): string[] {
  const out: string[] = [];
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === "punct" && t.value === "(") depth++;
    else if (t.type === "punct" && t.value === ")") depth--;
    else if (depth === 0 && t.type === "word") out.push(t.value);
  }
  return out;
}

/** What a SELECT starting at `from` reads, and whether it may skip rows. */
export function rowSource(tokens: Token[], from: number): RowSource {
  const tables: string[] = [];
  let depth = 0;
  let filtered = false;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === "punct" && t.value === "(") depth++;
    else if (t.type === "punct" && t.value === ")") depth--;
    if (depth !== 0 || t.type !== "word") continue;
    if (["where", "limit", "union", "except", "intersect", "having"].includes(t.value)) filtered = true;
    if (t.value === "from" || t.value === "join") {
      const c = new Cursor(tokens);
      c.i = k + 1;
      const name = c.name();
      if (name) tables.push(name);
    }
  }
  return { from: tables, filtered };
}
