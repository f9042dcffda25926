// Makes the schemas of two SQL dialects comparable, so that equal intent
// compares equal: equivalent types (equivalences.ts) and the CHECKs that
// carry a type's meaning in one of them, identity vs AUTOINCREMENT, defaults
// (now() vs CURRENT_TIMESTAMP, casts, true vs 1), CHECK spelling (char_length
// vs length, = ANY (ARRAY[…]) vs IN (…), BETWEEN), engine-generated
// constraint names, table options (SQLite's STRICT, MySQL's engine and
// collations). Everything else stays, so every
// other difference shows in the diff.

import { equivalence, type CompiledEquivalence } from "./equivalences.ts";
import type { Column, Schema } from "./model.ts";

export interface Normalized {
  /** The two schemas, in the order given, made comparable. */
  schemas: [Schema, Schema];
  /** Equivalences applied, e.g. "tools.input_schema: jsonb ~ TEXT + json_valid() (JSON stored as text)". */
  notes: string[];
}

export function normalizePair(a: Schema, b: Schema, rules: CompiledEquivalence[]): Normalized {
  if (a.dialect === b.dialect) return { schemas: [a, b], notes: [] };
  const [x, y] = [clone(a), clone(b)];
  const notes: string[] = [];
  for (const t of [...x.tables, ...y.tables]) {
    t.checks = t.checks.map((c) => ({ name: null, expression: normalizeExpression(c.expression) }));
    t.uniques = t.uniques.map((u) => ({ ...u, name: null }));
    t.foreignKeys = t.foreignKeys.map((f) => ({ ...f, name: null }));
    if (t.primaryKey) t.primaryKey = { ...t.primaryKey, name: null };
    delete t.options;
    for (const c of t.columns) {
      if (t.primaryKey?.columns.includes(c.name)) c.nullable = false;
      delete c.collation; // a MySQL collation has no counterpart elsewhere
      normalizeIdentity(c);
      c.default = normalizeDefault(c.default);
    }
    t.indexes = t.indexes.map((ix) => ({
      ...ix,
      columns: ix.columns.map((c) => normalizeExpression(c).replace(/ ASC$/i, "")),
      where: ix.where === null ? null : normalizeExpression(ix.where),
    }));
  }
  // Sequences that back a column are part of its auto-increment, which other dialects spell otherwise.
  for (const s of [x, y]) s.sequences = s.sequences.filter((q) => !q.ownedBy);

  for (const xt of x.tables) {
    const yt = y.tables.find((t) => t.name === xt.name);
    if (!yt) continue;
    for (const xc of xt.columns) {
      const yc = yt.columns.find((c) => c.name === xc.name);
      if (!yc) continue;
      const side = (s: Schema, t: typeof xt, c: Column) => ({
        dialect: s.dialect,
        type: c.type,
        column: c.name,
        checks: t.checks.map((k) => k.expression),
      });
      const eq = equivalence(rules, side(x, xt, xc), side(y, yt, yc));
      if (!eq) continue;
      xt.checks = xt.checks.filter((c) => !eq.consumed[0].includes(c.expression));
      yt.checks = yt.checks.filter((c) => !eq.consumed[1].includes(c.expression));
      const consumed = [...eq.consumed[0], ...eq.consumed[1]];
      notes.push(
        `${xt.name}.${xc.name}: ${xc.type || "(no type)"} ~ ${yc.type || "(no type)"}${consumed.length ? ` + CHECK (${consumed.join(", ")})` : ""} (${eq.rule.note})`,
      );
      yc.type = xc.type;
      if (eq.rule.boolean) {
        xc.default = booleanDefault(xc.default);
        yc.default = booleanDefault(yc.default);
      }
    }
  }
  return { schemas: [x, y], notes };
}

function clone(s: Schema): Schema {
  return structuredClone(s);
}

function normalizeIdentity(c: Column): void {
  const serial = c.default !== null && /^nextval\(/i.test(c.default);
  if (c.identity === "always" || c.identity === "by default" || c.identity === "autoincrement" || serial) {
    c.identity = "autoincrement";
    if (serial) c.default = null;
  }
}

const CURRENT_TIME = [
  /^now\(\)$/i,
  /^current_timestamp(\(\d?\))?$/i,
  /^transaction_timestamp\(\)$/i,
  /^strftime\('[^']*', ?'now'\)$/i,
  /^datetime\('now'\)$/i,
  /^julianday\('now'\)$/i,
];

export function normalizeDefault(d: string | null): string | null {
  if (d === null) return null;
  let s = stripCasts(d.trim());
  while (/^\(.*\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  if (CURRENT_TIME.some((re) => re.test(s))) return "CURRENT_TIMESTAMP";
  return s;
}

function booleanDefault(d: string | null): string | null {
  if (d === null) return null;
  if (/^(true|1|'t'|'true')$/i.test(d)) return "TRUE";
  if (/^(false|0|'f'|'false')$/i.test(d)) return "FALSE";
  return d;
}

/** One spelling for CHECK and index expressions of either dialect. */
export function normalizeExpression(e: string): string {
  let s = stripCasts(e);
  s = s.replace(/\b(char_length|character_length)\s*\(/gi, "length(");
  // x = ANY (ARRAY[a, b])  →  x IN (a, b)
  s = s.replace(/=\s*ANY\s*\(\s*ARRAY\s*\[([^\]]*)\]\s*\)/gi, "IN ($1)");
  // x BETWEEN a AND b  →  x >= a AND x <= b
  s = s.replace(/([\w."]+(?:\([^()]*\))?)\s+BETWEEN\s+(\S+)\s+AND\s+(\S+)/gi, "$1 >= $2 AND $1 <= $3");
  s = dropGroupingParens(s);
  s = s.replace(/\b(and|or|not|in|is|null|like|between)\b/gi, (w) => w.toUpperCase());
  return outsideQuotes(s, (part) =>
    part
      .replace(/\s+/g, " ")
      .replace(/\s*,\s*/g, ", ")
      .replace(/\( /g, "(")
      .replace(/ \)/g, ")"),
  ).trim();
}

/** Applies `fn` to the text between string literals only. */
function outsideQuotes(s: string, fn: (part: string) => string): string {
  return s
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 0 ? fn(part) : part))
    .join("");
}

// PostgreSQL prints casts on literals: 'x'::text, 0::double precision, '{}'::jsonb.
const CAST =
  /::(?:double precision|character varying|bit varying|timestamp(?:\(\d\))? with(?:out)? time zone|time(?:\(\d\))? with(?:out)? time zone|"?[a-z_][a-z0-9_]*"?)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?/gi;

function stripCasts(s: string): string {
  return s.replace(CAST, "");
}

/**
 * Removes parentheses that change nothing: around the whole expression, and
 * around a part holding no AND/OR (PostgreSQL prints `((a >= 1) AND (a <= 9))`
 * for `a >= 1 AND a <= 9`). Keeps function-call and IN-list parentheses, and
 * those that group AND/OR, whose meaning they carry.
 */
function dropGroupingParens(s: string): string {
  const stack: { at: number; call: boolean }[] = [];
  const drop = new Set<number>();
  let quote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") quote = !quote;
    if (quote) continue;
    if (c === "(") {
      const before = s.slice(0, i).trimEnd();
      stack.push({ at: i, call: /[\w"]$/.test(before) && !/\b(AND|OR|NOT)$/i.test(before) });
    } else if (c === ")") {
      const open = stack.pop();
      if (!open || open.call) continue;
      const whole = s.slice(0, open.at).trim() === "" && s.slice(i + 1).trim() === "";
      if (whole || !/\b(AND|OR)\b/i.test(topLevel(s.slice(open.at + 1, i)))) {
        drop.add(open.at);
        drop.add(i);
      }
    }
  }
  return [...s].filter((_, i) => !drop.has(i)).join("");
}

/** The text outside any parentheses or quotes. */
function topLevel(s: string): string {
  let depth = 0;
  let quote = false;
  let out = "";
  for (const c of s) {
    if (c === "'") quote = !quote;
    else if (!quote && c === "(") depth++;
    else if (!quote && c === ")") depth--;
    else if (!quote && depth === 0) out += c;
  }
  return out;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return false;
  }
  return depth === 0;
}
