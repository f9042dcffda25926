// What the lint rules see: a file's statements in the order they run (SQL in
// DO blocks and in functions the file calls included), each with what it does
// to the schema ("effects", the same for both dialects), and the file's facts:
// which tables are new, which transaction a statement runs in, which timeouts
// are set when it runs.

import type { Node } from "@pgsql/types";
import type { Direction, SqlDialect } from "../plan/migration.ts";
import type { MysqlStatement } from "./mysql-parser.ts";
import type { SqliteStatement } from "./sqlite-parser.ts";

export type Effect =
  | { type: "create-table"; table: string; temp?: boolean }
  | { type: "drop-table"; table: string }
  | { type: "rename-table"; from: string; to: string }
  | { type: "add-column"; table: string; column: string }
  | { type: "drop-column"; table: string; column: string }
  | { type: "rename-column"; table: string; from: string; to: string }
  | { type: "set-not-null"; table: string; column: string }
  | { type: "create-index"; index: string; table: string }
  | { type: "drop-index"; index: string }
  | { type: "create-schema"; schema: string }
  | { type: "drop-schema"; schema: string }
  | { type: "rename-schema"; from: string; to: string }
  /** Rows of `from` written into `into` (INSERT … SELECT, CREATE TABLE … AS); `complete` when nothing filters them. */
  | { type: "copy-rows"; from: string; into: string; complete: boolean }
  | { type: "delete-rows"; table: string; where: boolean }
  | { type: "update-rows"; table: string; where: boolean }
  | { type: "truncate"; table: string; cascade: boolean }
  | { type: "tx"; action: "begin" | "commit" | "rollback" }
  /** SET [LOCAL] lock_timeout / statement_timeout; `on` is false for 0, DEFAULT or RESET. */
  | { type: "set"; name: "lock_timeout" | "statement_timeout"; on: boolean; local: boolean };

export interface Origin {
  /** "do": inside a DO block; "function": inside a function this file calls. */
  kind: "do" | "function";
  /** The top-level statement that runs it (the DO, or the call). */
  parent: LintStatement;
  /** The function's name, for "function". */
  name?: string;
}

export interface LintStatement {
  /** Position in the file's run order. */
  index: number;
  /** 1-based line and column in the file (UTF-16 columns). */
  line: number;
  col: number;
  text: string;
  /** PostgreSQL: the parser's node and its kind ("IndexStmt"); SQLite, MySQL: the classifier's kind. */
  kind: string;
  pg?: Node;
  sqlite?: SqliteStatement;
  mysql?: MysqlStatement;
  effects: Effect[];
  via?: Origin;
  /** The transaction it runs in (a number shared by statements of one transaction), or null in autocommit. */
  tx: number | null;
  /** lock_timeout / statement_timeout in force when it runs. */
  lockTimeout: boolean;
  statementTimeout: boolean;
}

/** What the up of the same migration created: a down may drop it (README "Safety lint": downs are linted too). */
export interface UpCreated {
  tables: Set<string>;
  columns: Set<string>;
  schemas: Set<string>;
  indexes: Set<string>;
  notNull: Set<string>;
  /** "table:from>to" and "column:table.from>to" renames the up made. */
  renames: Set<string>;
}

export interface SyntaxProblem {
  line: number;
  col: number;
  message: string;
}

export interface AllowLine {
  rule: string;
  reason: string;
  line: number;
  col: number;
}

export interface LintFile {
  path: string;
  dialect: SqlDialect;
  direction: Direction;
  text: string;
  /** stairway runs the file in one transaction (no `-- stairway:no-transaction`). */
  transactional: boolean;
  statements: LintStatement[];
  /** For a down: what its up created. */
  up?: UpCreated;
  syntaxErrors: SyntaxProblem[];
  allows: AllowLine[];
  /** Facts derived from the effects, in run order. */
  facts: Facts;
  /** For the allow rules, after the others ran: the lines of the directives that silenced something (in any dialect), and every rule id. */
  allowState?: { used: Set<number>; known: Set<string> };
}

export interface Facts {
  /** The table was created (or got its name from a created table) before statement `at`. */
  isNewTable(table: string, at: number): boolean;
  /** The column was added in this file before statement `at`. */
  isNewColumn(table: string, column: string, at: number): boolean;
  /** The index was created in this file before statement `at`. */
  isNewIndex(index: string, at: number): boolean;
  /** Every row of `table` was copied, before statement `at`, into a table that outlives the file (not temporary, not dropped later). */
  rowsCopied(table: string, at: number): { into: string } | undefined;
  /** The first statement after `at` that takes the name `table` again (CREATE TABLE or RENAME … TO). */
  nameRetaken(table: string, at: number): LintStatement | undefined;
}

// Rules ask every statement for one effect type, ~100,000 times on 2,000
// statements, and nearly always get none: that answer allocates nothing.
const NONE: readonly never[] = Object.freeze([]);

export function hasEffect<T extends Effect["type"]>(
  s: LintStatement,
  type: T,
): readonly Extract<Effect, { type: T }>[] {
  let found: Extract<Effect, { type: T }>[] | undefined;
  for (const e of s.effects) if (e.type === type) (found ??= []).push(e as Extract<Effect, { type: T }>);
  return found ?? NONE;
}
