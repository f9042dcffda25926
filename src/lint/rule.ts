// The shape of a lint rule (one per file in rules/, id = file name, docs/ARCHITECTURE.md)
// and the small helpers rules share.

import type { SqlDialect } from "../plan/migration.ts";
import type { AlterTableCmd } from "@pgsql/types";
import type { Effect, LintFile, LintStatement } from "./model.ts";
import { as, each, relName } from "./pg-ast.ts";

export type Severity = "error" | "warning";

export interface Hit {
  statement?: LintStatement;
  /** Where, when it is not a statement (an allow directive, a syntax error). */
  line?: number;
  col?: number;
  message: string;
}

export interface Rule {
  id: string;
  severity: Severity;
  dialects: SqlDialect[];
  /** One line: what it catches. */
  summary: string;
  /** What the statement locks or rewrites, and for how long (or why it breaks). */
  locks: string;
  /** How to do it safely. */
  hint: string;
  /**
   * SQL it must flag (exactly one finding each) and must pass. A case that
   * starts with `-- dialect: sqlite` runs on that dialect only; the others run
   * on every dialect of the rule. Directives (`-- stairway:no-transaction`) apply.
   */
  cases: { flag: string[]; pass: string[] };
  /**
   * The statement kinds (the parser's, e.g. "AlterTableStmt", or the SQLite
   * classifier's) or effects without which the rule finds nothing: a file
   * that has none of them is not shown to the rule. Most rules care about one
   * or two kinds, and a file of migrations holds a few statements.
   */
  only?: { kinds?: string[]; effects?: Effect["type"][] };
  /** Runs after the other rules, on the allow directives (allow-* and unused-allow). */
  meta?: boolean;
  check(file: LintFile): Hit[];
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Checks statements one by one; a statement yields at most one finding per rule. */
export function perStatement(fn: (s: LintStatement, file: LintFile) => string | undefined): (file: LintFile) => Hit[] {
  return (file) => {
    const out: Hit[] = [];
    for (const s of file.statements) {
      const message = fn(s, file);
      if (message) out.push({ statement: s, message: message.replace(/ {2,}/g, " ") + where(s) });
    }
    return out;
  };
}

/** " (in the DO block at line 3)" for SQL that is not at the top level. */
export function where(s: LintStatement): string {
  if (!s.via) return "";
  if (s.via.kind === "do") return ` (inside the DO block at line ${s.via.parent.line})`;
  return ` (in function ${s.via.name}, called at line ${s.via.parent.line})`;
}

/** A table the file created before this statement: nobody else can be using it yet. */
export function isNew(file: LintFile, s: LintStatement, table: string): boolean {
  return file.facts.isNewTable(table, s.index);
}

/** `safety.ban-drop-table` and `ban-drop-table` name the same rule. */
export function normalizeRule(id: string): string {
  return id.replace(/^safety\./, "").toLowerCase();
}

/** An ALTER TABLE's table and commands. */
export function alterTable(s: LintStatement): { table: string; cmds: AlterTableCmd[] } | undefined {
  if (s.kind !== "AlterTableStmt") return undefined; // cheaper than looking the key up in every other statement's node
  const a = as(s.pg, "AlterTableStmt");
  if (!a || a.objtype !== "OBJECT_TABLE") return undefined;
  return { table: relName(a.relation), cmds: each(a.cmds, "AlterTableCmd") };
}

/** The first six words of a statement, for messages: "CREATE INDEX idx_a ON a", "ALTER TABLE t ADD COLUMN c ...". */
export function head(s: LintStatement): string {
  // Only the start of the text is read: a CREATE TABLE can be hundreds of words.
  const m = FIRST_WORDS.exec(s.text);
  return m ? m[1]!.replace(/\s+/g, " ") + (m[2] ? " ..." : "") : "";
}

const FIRST_WORDS = /^\s*(\S+(?:\s+\S+){0,5})(\s+\S)?/;
