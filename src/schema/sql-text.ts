// Small helpers over SQL text that introspection needs where a database keeps
// a definition only as the text it was given (SQLite's sqlite_schema.sql).

/** Collapses whitespace outside quotes, drops comments, so equal definitions compare equal. */
export function normalizeSqlText(sql: string): string {
  let out = "";
  let i = 0;
  let space = false;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "-" && sql[i + 1] === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? sql.length : eol;
      space = true;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      space = true;
      continue;
    }
    if (/\s/.test(c)) {
      space = true;
      i++;
      continue;
    }
    // One space between tokens, none inside parentheses, one after each comma.
    if ((space || out.endsWith(",")) && out && !out.endsWith("(") && c !== ")" && c !== ",") out += " ";
    space = false;
    if (c === "'" || c === '"' || c === "`") {
      const j = quotedEnd(sql, i);
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out.trim();
}

function quotedEnd(sql: string, i: number): number {
  const q = sql[i];
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return sql.length;
}

/** The text between the first "(" at or after `from` and its matching ")". */
export function parenthesised(sql: string, from = 0): { inner: string; start: number; end: number } | null {
  let i = sql.indexOf("(", from);
  if (i < 0) return null;
  const start = i;
  let depth = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === "`") {
      i = quotedEnd(sql, i);
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return { inner: sql.slice(start + 1, i), start, end: i };
    }
    i++;
  }
  return null;
}

/** Splits on commas that are not inside parentheses or quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === "`") {
      i = quotedEnd(text, i);
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(last, i).trim());
      last = i + 1;
    }
    i++;
  }
  const tail = text.slice(last).trim();
  if (tail) parts.push(tail);
  return parts;
}

/** "name", `name`, [name] → name */
export function unquoteIdent(s: string): string {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("`") && t.endsWith("`")))
    return t.slice(1, -1).replace(/""/g, '"');
  if (t.startsWith("[") && t.endsWith("]")) return t.slice(1, -1);
  return t;
}

/** Finds `KEYWORD (` at depth 0 of `text` (case-insensitive) and returns what the parentheses hold. */
export function clauseArgs(text: string, keyword: RegExp): { inner: string; before: string }[] {
  const out: { inner: string; before: string }[] = [];
  const re = new RegExp(keyword.source + "\\s*\\(", "gi");
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (insideQuotes(text, m.index)) continue;
    const p = parenthesised(text, m.index + m[0].length - 1);
    if (!p) break;
    out.push({ inner: p.inner, before: text.slice(0, m.index) });
    re.lastIndex = p.end + 1;
  }
  return out;
}

function insideQuotes(text: string, at: number): boolean {
  let i = 0;
  while (i < at) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === "`") {
      const j = quotedEnd(text, i);
      if (j > at) return true;
      i = j;
      continue;
    }
    i++;
  }
  return false;
}
