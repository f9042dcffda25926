// The linter: each file through its dialect's front end, the rules of that
// dialect that look at what it holds (their `only`), then the allow directives
// (README "Safety lint": `-- stairway:allow RULE reason` silences one rule in one file;
// the reason is mandatory).

import { SQL_DIALECTS, storeOf } from "../stores/dialects.ts";
import { placeOf, type Direction, type MigrationFile, type SqlDialect } from "../plan/migration.ts";
import { parseDirectives } from "../plan/directives.ts";
import { factsOf, settle, upCreated, type PresetTimeouts } from "./facts.ts";
import type { AllowLine, LintFile, LintStatement, UpCreated } from "./model.ts";
import { loadPgParser, type PgParser } from "./pg-parser.ts";
import { pgStatements, type Draft } from "./pg-statements.ts";
import { normalizeRule, type Rule } from "./rule.ts";
import { RULES } from "./rules/index.ts";
import { mysqlStatements } from "./mysql-statements.ts";
import { sqliteStatements } from "./sqlite-statements.ts";
import { lineIndex, type LineIndex } from "./text.ts";

export interface LintInput {
  path: string;
  /** A file joined from pieces (popx): findings name the piece and its line. */
  pieces?: MigrationFile["pieces"];
  text: string;
  dialect: SqlDialect;
  direction: Direction;
  /** The migration id, when the file belongs to one. */
  migration?: string;
  /** For a down: the text of its up (same dialect), so dropping what the up created is not a finding. */
  upText?: string;
  /** Runs outside a transaction, as the tree's layout says (goose, dbmate, sqlx, popx markers); else read from the text. */
  noTransaction?: boolean;
  upNoTransaction?: boolean;
  /** Timeouts the runner sets for every migration on the targets of this dialect (config lock_timeout, statement_timeout). */
  preset?: PresetTimeouts;
}

export interface Finding {
  rule: Rule;
  path: string;
  dialect: SqlDialect;
  migration?: string;
  line: number;
  col: number;
  message: string;
  /** The statement (or directive line) at fault. */
  statement: string;
  /** The file's line `line` as written, and the column just past the part at fault on it. */
  source: string;
  endCol: number;
  /** Set when an allow directive silenced it. */
  allowed?: { reason: string; line: number };
}

const ALLOW = /--\s*stairway:allow\b[ \t]*(\S*)[ \t]*(.*)$/i;

/** Lints files; a file given once per dialect is linted once per dialect, its allow directives judged across them. */
export async function lint(inputs: LintInput[], rules: Rule[] = RULES): Promise<Finding[]> {
  const findings: Finding[] = [];
  const known = new Set(rules.map((r) => r.id));
  const meta = rules.filter((r) => r.meta);
  const dispatch = new Map(
    SQL_DIALECTS.map((d) => [d, dispatchOf(rules.filter((r) => !r.meta && r.dialects.includes(d)))]),
  );
  const ups: UpCache = new Map();
  // Waited for once: every file is then read synchronously, not through thousands of awaits.
  const pg = inputs.some((i) => usesPgParser(i.dialect)) ? await loadPgParser() : undefined;
  // One path at a time: its parse trees are garbage once it is done, so a
  // run of thousands of files holds one file's, not all of them.
  // (No forced collections between files: with the rules' `only` and the
  // parse trees dropped per path, JavaScriptCore's own schedule is faster;
  // bench-lint, 41 alternating runs: median 233 vs 253 ms with one every 100 files.)
  for (const list of byPath(inputs)) {
    const used = new Set<number>();
    let first: LintFile | undefined;
    for (const input of list) {
      const file = analyse(input, ups, pg);
      first ??= file;
      for (const rule of rulesFor(file, dispatch.get(input.dialect)!)) {
        const hits = rule.check(file);
        if (hits.length === 0) continue;
        const seen = new Set<LintStatement | number>();
        for (const hit of hits) {
          const key = hit.statement ?? hit.line ?? 0;
          if (seen.has(key)) continue; // one finding per statement and rule
          seen.add(key);
          const allow = file.allows.find((a) => a.reason && normalizeRule(a.rule) === rule.id);
          if (allow) used.add(allow.line);
          findings.push(toFinding(rule, input, file, hit, allow));
        }
      }
    }
    if (first!.allows.length === 0) continue; // the meta rules judge allow directives: none here
    const judged = { ...first!, allowState: { used, known } };
    for (const rule of meta)
      for (const hit of rule.check(judged)) findings.push(toFinding(rule, list[0]!, first!, hit));
  }
  // Plain code-unit order: localeCompare (ICU) is the slowest part of a large run.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return findings.sort(
    (a, b) =>
      cmp(a.path, b.path) || a.line - b.line || a.col - b.col || cmp(a.rule.id, b.rule.id) || cmp(a.dialect, b.dialect),
  );
}

/** A dialect's rules by what they look at (their `only`): a file is shown the rules that can find something in it. */
interface Dispatch {
  always: Rule[];
  byKind: Map<string, Rule[]>;
  byEffect: Map<string, Rule[]>;
}

function dispatchOf(rules: Rule[]): Dispatch {
  const d: Dispatch = { always: [], byKind: new Map(), byEffect: new Map() };
  const add = (map: Map<string, Rule[]>, key: string, rule: Rule) => map.set(key, [...(map.get(key) ?? []), rule]);
  for (const rule of rules) {
    if (!rule.only) d.always.push(rule);
    for (const kind of rule.only?.kinds ?? []) add(d.byKind, kind, rule);
    for (const effect of rule.only?.effects ?? []) add(d.byEffect, effect, rule);
  }
  return d;
}

/** The rules that look at something this file holds (a statement kind or an effect), each once. */
function rulesFor(file: LintFile, d: Dispatch): Set<Rule> {
  const out = new Set(d.always);
  for (const s of file.statements) {
    for (const rule of d.byKind.get(s.kind) ?? NONE) out.add(rule);
    for (const e of s.effects) for (const rule of d.byEffect.get(e.type) ?? NONE) out.add(rule);
  }
  return out;
}

const NONE: Rule[] = [];

/**
 * The inputs of each path together (a file linted for two dialects), the ups
 * first: a down then finds what its up created already worked out.
 */
function byPath(inputs: LintInput[]): LintInput[][] {
  const groups = new Map<string, LintInput[]>();
  for (const input of inputs) {
    const list = groups.get(input.path);
    if (list) list.push(input);
    else groups.set(input.path, [input]);
  }
  const rank = (list: LintInput[]) => (list[0]!.direction === "up" ? 0 : 1);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

/** The line index of the file whose findings are being made (they come one file at a time). */
let lines: { text: string; index: LineIndex } | undefined;

function toFinding(
  rule: Rule,
  input: LintInput,
  file: LintFile,
  hit: { statement?: LintStatement; line?: number; col?: number; message: string },
  allow?: AllowLine,
): Finding {
  const line = hit.statement?.line ?? hit.line ?? 1;
  const col = hit.statement?.col ?? hit.col ?? 1;
  if (lines?.text !== file.text) lines = { text: file.text, index: lineIndex(file.text) };
  const source = lines.index.lineText(line);
  // A statement is at fault from its start to the end of its first line; a
  // position (a syntax error, a directive) at the token there.
  const length = hit.statement
    ? hit.statement.text.split("\n", 1)[0]!.length
    : (/^(?:[\w$]+|"[^"]*"|\S)/.exec(source.slice(col - 1))?.[0].length ?? 1);
  const place = placeOf(input, line);
  return {
    rule,
    path: place.path,
    dialect: input.dialect,
    ...(input.migration ? { migration: input.migration } : {}),
    line: place.line,
    col,
    message: hit.message,
    statement: hit.statement?.text ?? source.trim(),
    source,
    endCol: Math.min(col + Math.max(1, length), source.length + 1),
    ...(allow ? { allowed: { reason: allow.reason, line: allow.line } } : {}),
  };
}

function analyse(input: LintInput, ups: UpCache, pg: PgParser | undefined): LintFile {
  // Where DDL commits by itself (MySQL), stairway runs files as written, never in its own transaction.
  const transactional = storeOf(input.dialect).ddlCommits
    ? false
    : input.noTransaction === undefined
      ? isTransactional(input.text)
      : !input.noTransaction;
  const { statements, syntaxErrors } = front(pg, input.text, input.dialect, transactional, input.preset);
  const facts = factsOf(statements);
  const file: LintFile = {
    path: input.path,
    dialect: input.dialect,
    direction: input.direction,
    text: input.text,
    transactional,
    statements,
    syntaxErrors,
    allows: allowLines(input.text),
    facts,
  };
  if (input.direction === "up")
    ups.set(upKey(input.text, input.dialect, transactional, input.preset), upCreated(statements, facts));
  if (input.direction === "down" && input.upText !== undefined) {
    const upTransactional =
      !storeOf(input.dialect).ddlCommits &&
      (input.upNoTransaction === undefined ? isTransactional(input.upText) : !input.upNoTransaction);
    const key = upKey(input.upText, input.dialect, upTransactional, input.preset);
    let created = ups.get(key);
    if (!created) {
      const up = front(pg, input.upText, input.dialect, upTransactional, input.preset);
      ups.set(key, (created = upCreated(up.statements, factsOf(up.statements))));
    }
    file.up = created;
  }
  return file;
}

/** stairway runs the file in a transaction unless it says `-- stairway:no-transaction`. */
function isTransactional(text: string): boolean {
  if (!text.includes("stairway:")) return true; // most files have no directive: no need to read them line by line
  return !parseDirectives(text).directives.noTransaction;
}

// What each up created, for the down of its migration (read with its up: README "Safety lint", downs).
type UpCache = Map<string, UpCreated>;

function upKey(text: string, dialect: SqlDialect, transactional: boolean, preset: PresetTimeouts = {}): string {
  return `${dialect}${transactional}${!!preset.lock_timeout}${!!preset.statement_timeout}\u0000${text}`;
}

function front(
  pg: PgParser | undefined,
  text: string,
  dialect: SqlDialect,
  transactional: boolean,
  preset: PresetTimeouts = {},
) {
  const { statements: drafts, syntaxErrors } = READERS[dialect].read(pg, text);
  return { statements: settle(drafts, transactional, preset), syntaxErrors };
}

/** How each dialect's files are read into statements: PostgreSQL's real parser, SQLite's and MySQL's classifiers. A new dialect adds its reader here. */
const READERS: Record<
  SqlDialect,
  {
    pgParser: boolean;
    read(pg: PgParser | undefined, text: string): { statements: Draft[]; syntaxErrors: LintFile["syntaxErrors"] };
  }
> = {
  postgres: { pgParser: true, read: (pg, text) => pgStatements(pg!, text) },
  sqlite: { pgParser: false, read: (_pg, text) => ({ statements: sqliteStatements(text), syntaxErrors: [] }) },
  mysql: { pgParser: false, read: (_pg, text) => ({ statements: mysqlStatements(text), syntaxErrors: [] }) },
};

/** Whether linting `dialect` needs PostgreSQL's parser (its WASM compiles in the background once asked for). */
export function usesPgParser(dialect: SqlDialect): boolean {
  return READERS[dialect].pgParser;
}

function allowLines(text: string): AllowLine[] {
  const out: AllowLine[] = [];
  if (!/stairway:allow/i.test(text)) return out; // most files have none: no need to read them line by line
  text.split("\n").forEach((raw, i) => {
    const m = ALLOW.exec(raw);
    if (m) out.push({ rule: m[1] ?? "", reason: (m[2] ?? "").trim(), line: i + 1, col: raw.indexOf("--") + 1 });
  });
  return out;
}
