// The canonical schema model: what introspection of any SQL dialect produces,
// what snapshots hold and what diffs compare. Plain data, JSON-serialisable.

import type { SqlDialect } from "../plan/migration.ts";

export interface Column {
  name: string;
  /** The type as the database spells it (format_type on PostgreSQL, declared type on SQLite, COLUMN_TYPE on MySQL). */
  type: string;
  nullable: boolean;
  /** Default expression as the database prints it, or null. */
  default: string | null;
  /** always / by default (PostgreSQL identity), autoincrement (SQLite, MySQL AUTO_INCREMENT), rowid (SQLite INTEGER PRIMARY KEY). */
  identity: "always" | "by default" | "autoincrement" | "rowid" | null;
  /** Expression of a generated column. */
  generated: string | null;
  /** A generated column computed when read, not stored (MySQL VIRTUAL). */
  virtual?: boolean;
  /** ON UPDATE of a MySQL timestamp column: current_timestamp(). */
  onUpdate?: string;
  /** Collation, where it is not the table's (MySQL). */
  collation?: string;
}

export interface KeyConstraint {
  /** Constraint name; null where the database keeps none (SQLite). */
  name: string | null;
  columns: string[];
}

export interface ForeignKey {
  name: string | null;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  deferrable?: boolean;
}

export interface CheckConstraint {
  name: string | null;
  expression: string;
}

export interface Index {
  name: string;
  unique: boolean;
  /** Column names, or expression text for expression parts. */
  columns: string[];
  /** Partial index predicate. */
  where: string | null;
  /** Access method when not the default (PostgreSQL: gin, gist, …). */
  method?: string;
}

export interface Partitioning {
  /** e.g. RANGE (logged_at) */
  key: string;
  partitions: { name: string; bound: string }[];
}

export interface Table {
  name: string;
  columns: Column[];
  primaryKey: KeyConstraint | null;
  uniques: KeyConstraint[];
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  indexes: Index[];
  partitioning?: Partitioning;
  /** Table options: SQLite's STRICT, WITHOUT ROWID; MySQL's ENGINE=, COLLATE=, ROW_FORMAT=. */
  options?: string[];
}

export interface View {
  name: string;
  materialized: boolean;
  definition: string;
}

export interface Sequence {
  name: string;
  type: string;
  /** table.column owning the sequence (serial), or null. */
  ownedBy: string | null;
  increment: number;
  start: string;
}

export interface EnumType {
  name: string;
  labels: string[];
}

export interface Trigger {
  name: string;
  table: string;
  definition: string;
}

export interface Routine {
  /** name(argument types) */
  signature: string;
  definition: string;
}

export interface Schema {
  dialect: SqlDialect;
  tables: Table[];
  views: View[];
  sequences: Sequence[];
  enums: EnumType[];
  triggers: Trigger[];
  routines: Routine[];
  /** Non-default schemas (PostgreSQL). */
  namespaces: string[];
  extensions: string[];
}

/**
 * Which tables an introspection reads in full: those whose name (or name
 * without its schema) is in the set — a step's words. Other kinds of object
 * are read unless no word of the step can change them (a store may leave out
 * functions when none is named). Undefined: every table.
 */
export type TableScope = Set<string> | undefined;

export function inScope(scope: TableScope, table: string): boolean {
  if (!scope) return true;
  const bare = table.slice(table.lastIndexOf(".") + 1);
  return scope.has(table) || scope.has(bare) || scope.has(bare.toLowerCase());
}

/** The tables of a database and who references whom: cheap to read, for choosing a scope. */
export interface TableGraph {
  tables: string[];
  references: { table: string; parent: string }[];
}

export function emptySchema(dialect: SqlDialect): Schema {
  return {
    dialect,
    tables: [],
    views: [],
    sequences: [],
    enums: [],
    triggers: [],
    routines: [],
    namespaces: [],
    extensions: [],
  };
}
