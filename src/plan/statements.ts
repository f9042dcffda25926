// Splits a migration file into statements, keeping where each starts, so an
// error can name the line in the file. Knows quotes, comments, PostgreSQL
// dollar quotes and E'' strings, and BEGIN … END bodies (SQLite triggers,
// PostgreSQL `BEGIN ATOMIC`), where semicolons do not end the statement.

export interface Statement {
  /** The statement without the trailing semicolon, from its first token. */
  text: string;
  /** Offset of `text` in the file (UTF-16 code units). */
  offset: number;
  /** 1-based line and column of the first token. */
  line: number;
  col: number;
}

export function splitStatements(sql: string): Statement[] {
  const out: Statement[] = [];
  let start = -1; // offset of the first token of the current statement
  let depth = 0; // BEGIN/CASE … END nesting inside a body
  let words: string[] = []; // first words of the current statement, upper case
  let i = 0;
  const n = sql.length;

  const finish = (end: number) => {
    if (start >= 0) {
      const text = sql.slice(start, end).trimEnd();
      if (text) out.push({ text, offset: start, ...lineCol(sql, start) });
    }
    start = -1;
    depth = 0;
    words = [];
  };

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (c === "/" && next === "*") {
      i = skipBlockComment(sql, i);
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (start < 0) start = i;
    if (c === ";") {
      if (depth === 0) {
        finish(i);
        i++;
        continue;
      }
      i++;
      continue;
    }
    if (c === "'") {
      const escapes = (sql[i - 1] === "E" || sql[i - 1] === "e") && !/\w/.test(sql[i - 2] ?? "");
      i = skipQuoted(sql, i, "'", escapes);
      continue;
    }
    if (c === '"' || c === "`") {
      i = skipQuoted(sql, i, c, false);
      continue;
    }
    if (c === "[") {
      // SQLite's [identifier]; PostgreSQL's array brackets may hold quoted text, which the quote rules handle.
      const ident = /^\[[^\]'"\n]*\]/.exec(sql.slice(i, i + 256));
      i += ident ? ident[0].length : 1;
      continue;
    }
    if (c === "$") {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? "")) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? n : close + tag.length;
        continue;
      }
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toUpperCase();
      if (words.length < 8) words.push(word);
      if (word === "BEGIN" && opensBody(words, sql, j)) depth++;
      else if (word === "CASE" && depth > 0) depth++;
      else if (word === "END" && depth > 0) depth--;
      i = j;
      continue;
    }
    i++;
  }
  finish(n);
  return out;
}

/** A BEGIN opens a body in CREATE TRIGGER (SQLite) or before ATOMIC (PostgreSQL). */
function opensBody(words: string[], sql: string, after: number): boolean {
  if (words.length > 1 && words[0] === "CREATE" && words.includes("TRIGGER")) return true;
  return /^\s+ATOMIC\b/i.test(sql.slice(after, after + 16));
}

function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslashEscapes && c === "\\") {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

// PostgreSQL block comments nest; SQLite's do not, but nesting never
// appears in SQLite files that parse, so one rule serves both.
function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql[j] === "/" && sql[j + 1] === "*") {
      depth++;
      j += 2;
    } else if (sql[j] === "*" && sql[j + 1] === "/") {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return sql.length;
}

export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** True when a file holds no statement at all (only comments and blanks). */
export function isEmptySql(sql: string): boolean {
  const start = sql.trimStart()[0];
  if (start !== undefined && start !== "-" && start !== "/" && start !== ";") return false; // starts with a statement
  return splitStatements(sql).length === 0;
}
