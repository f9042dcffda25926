// Splits a migration file into statements, keeping where each starts, so an
// error can name the line in the file. Knows quotes, comments, PostgreSQL
// dollar quotes and E'' strings, and BEGIN … END bodies (SQLite triggers,
// PostgreSQL `BEGIN ATOMIC`), where semicolons do not end the statement.
// With the "mysql-lexical" syntax, MySQL's lexical rules instead: # comments, "--"
// only before a space, executable comments (/*! … */), strings with backslash
// escapes, no dollar quotes, BEGIN … END bodies of routines, triggers and
// events (END IF / END LOOP close no body), and the client's DELIMITER lines.

export interface Statement {
  /** The statement without the trailing semicolon, from its first token. */
  text: string;
  /** Offset of `text` in the file (UTF-16 code units). */
  offset: number;
  /** 1-based line and column of the first token. */
  line: number;
  col: number;
}

/** Lexical rules other than the standard's (stores/dialects.ts `syntax`): a family, not a dialect. */
export type Syntax = "mysql-lexical";

/** The statements of `sql`, in order; with `limit`, only the first `limit` of them. */
export function splitStatements(sql: string, limit = Infinity, syntax?: Syntax): Statement[] {
  const out: Statement[] = [];
  let start = -1; // offset of the first token of the current statement
  let depth = 0; // BEGIN/CASE … END nesting inside a body
  let words: string[] = []; // first words of the current statement, upper case
  let i = 0;
  const n = sql.length;
  const mysql = syntax === "mysql-lexical";
  let delimiter = ";"; // MySQL's client changes it with DELIMITER lines
  // Statements come in order, so each one's line is counted on from the last:
  // linear in the file, where counting from the start each time was quadratic
  // (a 600k-statement seed file).
  const where = lineCounter(sql);

  const finish = (end: number) => {
    if (start >= 0) {
      const text = sql.slice(start, end).trimEnd();
      if (text) out.push({ text, offset: start, ...where(start) });
    }
    start = -1;
    depth = 0;
    words = [];
  };

  while (i < n && out.length < limit) {
    const c = sql.charCodeAt(i);
    if (c === DASH && sql.charCodeAt(i + 1) === DASH && (!mysql || i + 2 >= n || isSpace(sql.charCodeAt(i + 2)))) {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (mysql && c === HASH) {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      if (!mysql) {
        i = skipBlockComment(sql, i);
        continue;
      }
      // MySQL's comments do not nest; /*! … */ and /*M! … */ are run (statement text), others are not.
      const close = sql.indexOf("*/", i + 2);
      const end = close < 0 ? n : close + 2;
      if (/^\/\*M?!/.test(sql.slice(i, i + 4)) && start < 0) start = i;
      i = end;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (mysql && start < 0 && (c === 68 || c === 100) && /^delimiter[ \t]/i.test(sql.slice(i, i + 10))) {
      // DELIMITER x: the client's own command, up to the end of its line; never sent to the server.
      const eol = sql.indexOf("\n", i);
      const line = sql.slice(i + 9, eol < 0 ? n : eol).trim();
      delimiter = line.split(/\s+/)[0] || ";";
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (start < 0) start = i;
    if (delimiter !== ";" && sql.startsWith(delimiter, i)) {
      finish(i);
      i += delimiter.length;
      continue;
    }
    if (c === SEMICOLON) {
      if (depth === 0 && delimiter === ";") finish(i);
      i++;
      continue;
    }
    if (c === QUOTE) {
      const prev = sql.charCodeAt(i - 1);
      const escapes = mysql || ((prev === 69 || prev === 101) && !isWordChar(sql.charCodeAt(i - 2))); // E'…' / e'…'
      i = skipQuoted(sql, i, "'", escapes);
      continue;
    }
    if (c === DQUOTE || c === BACKQUOTE) {
      // MySQL: "…" is a string (unless ANSI_QUOTES), with the same escapes as '…'.
      i = skipQuoted(sql, i, sql[i]!, mysql && c === DQUOTE);
      continue;
    }
    if (mysql && (c === LBRACKET || c === DOLLAR)) {
      i++;
      continue;
    }
    if (c === LBRACKET) {
      // SQLite's [identifier]; PostgreSQL's array brackets may hold quoted text, which the quote rules handle.
      const ident = /^\[[^\]'"\n]*\]/.exec(sql.slice(i, i + 256));
      i += ident ? ident[0].length : 1;
      continue;
    }
    if (c === DOLLAR) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m && !isWordChar(sql.charCodeAt(i - 1))) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? n : close + tag.length;
        continue;
      }
      i++;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && (isWordChar(sql.charCodeAt(j)) || sql.charCodeAt(j) === DOLLAR)) j++;
      // Only the first words and BEGIN, CASE and END matter: other words are not copied.
      const len = j - i;
      if (words.length < 8 || (len >= 3 && len <= 5)) {
        const word = sql.slice(i, j).toUpperCase();
        if (words.length < 8) words.push(word);
        if (word === "BEGIN" && opensBody(words, sql, j, mysql)) depth++;
        else if (word === "CASE" && depth > 0) depth++;
        else if (word === "END" && depth > 0) {
          // MySQL: END IF / LOOP / WHILE / REPEAT close no body; END CASE closes its CASE, and is no CASE itself.
          const what = mysql ? /^\s+(IF|LOOP|WHILE|REPEAT|CASE)\b/i.exec(sql.slice(j, j + 12)) : null;
          if (!what || what[1]!.toUpperCase() === "CASE") depth--;
          if (what?.[1]!.toUpperCase() === "CASE") j += what[0].length;
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  if (out.length < limit) finish(n);
  return out;
}

const DASH = 45;
const SLASH = 47;
const STAR = 42;
const SEMICOLON = 59;
const QUOTE = 39;
const DQUOTE = 34;
const BACKQUOTE = 96;
const LBRACKET = 91;
const DOLLAR = 36;
const HASH = 35;

/** What /\s/ matches, without a regular expression per character. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return /\s/.test(String.fromCharCode(c));
}

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57);
}

/** A BEGIN opens a body in CREATE TRIGGER (SQLite; MySQL also routines and events) or before ATOMIC (PostgreSQL). */
function opensBody(words: string[], sql: string, after: number, mysql: boolean): boolean {
  if (words.length > 1 && words[0] === "CREATE" && words.includes("TRIGGER")) return true;
  if (mysql && words[0] === "CREATE" && words.some((w) => w === "PROCEDURE" || w === "FUNCTION" || w === "EVENT"))
    return true;
  return /^\s+ATOMIC\b/i.test(sql.slice(after, after + 16));
}

function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  if (!backslashEscapes)
    for (;;) {
      const close = sql.indexOf(quote, j);
      if (close < 0) return sql.length;
      if (sql[close + 1] !== quote) return close + 1;
      j = close + 2; // a doubled quote
    }
  while (j < sql.length) {
    const c = sql[j];
    if (c === "\\") {
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
  return lineCounter(text)(offset);
}

/**
 * line:col of offsets asked for in increasing order, each counted on from the
 * previous one (an offset before the last starts again from the top).
 */
function lineCounter(text: string): (offset: number) => { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  let next = text.indexOf("\n"); // the first line break not counted yet (-1: none left)
  return (offset) => {
    if (offset < lineStart) {
      line = 1;
      lineStart = 0;
      next = text.indexOf("\n");
    }
    while (next >= 0 && next < offset) {
      line++;
      lineStart = next + 1;
      next = text.indexOf("\n", lineStart);
    }
    return { line, col: offset - lineStart + 1 };
  };
}

/** True when a file holds no statement at all (only comments and blanks). */
export function isEmptySql(sql: string): boolean {
  const start = sql.trimStart()[0];
  if (start !== undefined && start !== "-" && start !== "/" && start !== ";") return false; // starts with a statement
  return splitStatements(sql).length === 0;
}
