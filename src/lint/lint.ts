// The linter: each file through its dialect's front end, every rule of that
// dialect, then the allow directives (DESIGN.md: `-- stairway:allow RULE
// reason` silences one rule in one file; the reason is mandatory).

import type { Direction, SqlDialect } from "../plan/migration.ts";
import { parseDirectives } from "../plan/directives.ts";
import { factsOf, settle, upCreated, type PresetTimeouts } from "./facts.ts";
import type { AllowLine, LintFile, LintStatement } from "./model.ts";
import { DIALECTS } from "./inputs.ts";
import { pgStatements, type Draft } from "./pg-statements.ts";
import { normalizeRule, type Rule } from "./rule.ts";
import { RULES } from "./rules/index.ts";
import { sqliteStatements } from "./sqlite-statements.ts";
import { lineIndex } from "./text.ts";

export interface LintInput {
  path: string;
  text: string;
  dialect: SqlDialect;
  direction: Direction;
  /** The migration id, when the file belongs to one. */
  migration?: string;
  /** For a down: the text of its up (same dialect), so dropping what the up created is not a finding. */
  upText?: string;
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
  /** Set when an allow directive silenced it. */
  allowed?: { reason: string; line: number };
}

const ALLOW = /--\s*stairway:allow\b[ \t]*(\S*)[ \t]*(.*)$/i;

/** Lints files; a file given once per dialect is linted once per dialect, its allow directives judged across them. */
export async function lint(inputs: LintInput[], rules: Rule[] = RULES): Promise<Finding[]> {
  const findings: Finding[] = [];
  const byPath = new Map<string, { file: LintFile; input: LintInput }[]>();
  const fronts: Fronts = new Map();
  for (const input of inputs) {
    const file = await analyse(input, fronts);
    const list = byPath.get(input.path) ?? [];
    list.push({ file, input });
    byPath.set(input.path, list);
  }
  const known = new Set(rules.map((r) => r.id));
  const checks = new Map(DIALECTS.map((d) => [d, rules.filter((r) => !r.meta && r.dialects.includes(d))]));
  for (const list of byPath.values()) {
    const used = new Set<number>();
    for (const { file, input } of list) {
      for (const rule of checks.get(input.dialect) ?? []) {
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
    const { file, input } = list[0]!;
    for (const rule of rules) {
      if (!rule.meta) continue;
      for (const hit of rule.check({ ...file, allowState: { used, known } })) findings.push(toFinding(rule, input, file, hit));
    }
  }
  // Plain code-unit order: localeCompare (ICU) is the slowest part of a large run.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return findings.sort((a, b) => cmp(a.path, b.path) || a.line - b.line || a.col - b.col || cmp(a.rule.id, b.rule.id) || cmp(a.dialect, b.dialect));
}

function toFinding(rule: Rule, input: LintInput, file: LintFile, hit: { statement?: LintStatement; line?: number; col?: number; message: string }, allow?: AllowLine): Finding {
  const line = hit.statement?.line ?? hit.line ?? 1;
  const col = hit.statement?.col ?? hit.col ?? 1;
  return {
    rule,
    path: input.path,
    dialect: input.dialect,
    ...(input.migration ? { migration: input.migration } : {}),
    line,
    col,
    message: hit.message,
    statement: hit.statement?.text ?? lineIndex(file.text).lineText(line).trim(),
    ...(allow ? { allowed: { reason: allow.reason, line: allow.line } } : {}),
  };
}

async function analyse(input: LintInput, fronts: Fronts): Promise<LintFile> {
  const transactional = isTransactional(input.text);
  const { statements, syntaxErrors } = await front(fronts, input.text, input.dialect, transactional, input.preset);
  const file: LintFile = {
    path: input.path,
    dialect: input.dialect,
    direction: input.direction,
    text: input.text,
    transactional,
    statements,
    syntaxErrors,
    allows: allowLines(input.text),
    facts: factsOf(statements),
  };
  if (input.direction === "down" && input.upText !== undefined) {
    const up = await front(fronts, input.upText, input.dialect, isTransactional(input.upText), input.preset);
    file.up = upCreated(up.statements, factsOf(up.statements));
  }
  return file;
}

/** stairway runs the file in a transaction unless it says `-- stairway:no-transaction`. */
function isTransactional(text: string): boolean {
  if (!text.includes("stairway:")) return true; // most files have no directive: no need to read them line by line
  return !parseDirectives(text).directives.noTransaction;
}

// An up is parsed again for its down: the second time comes from here. One
// per lint run, so the trees are garbage once the run is over.
type Fronts = Map<string, ReturnType<typeof frontUncached>>;

function front(fronts: Fronts, text: string, dialect: SqlDialect, transactional: boolean, preset: PresetTimeouts = {}) {
  const key = `${dialect}${transactional}${!!preset.lock_timeout}${!!preset.statement_timeout}\u0000${text}`;
  let f = fronts.get(key);
  if (!f) fronts.set(key, (f = frontUncached(text, dialect, transactional, preset)));
  return f;
}

async function frontUncached(text: string, dialect: SqlDialect, transactional: boolean, preset: PresetTimeouts) {
  let drafts: Draft[];
  let syntaxErrors: LintFile["syntaxErrors"] = [];
  if (dialect === "postgres") ({ statements: drafts, syntaxErrors } = await pgStatements(text));
  else drafts = sqliteStatements(text);
  return { statements: settle(drafts, transactional, preset), syntaxErrors };
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
