// What a new column costs on an existing PostgreSQL table. Since PostgreSQL
// 11 a column with a constant (or stable) default is a catalog change; a
// volatile default, a serial, an identity or a stored generated column fills
// every row: the table is rewritten under ACCESS EXCLUSIVE.
// https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES

import type { ColumnDef, Node, TypeName } from "@pgsql/types";
import type { LintStatement } from "./model.ts";
import { as, constraints, each, funcName, relName, typeName, walk } from "./pg-ast.ts";

const SERIAL_TYPES = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

// Functions that return a new value per row (pg_proc.provolatile = 'v'); now()
// and CURRENT_TIMESTAMP are stable: one value per statement, so no rewrite.
const VOLATILE = new Set([
  "random",
  "random_normal",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "setval",
  "txid_current",
  "gen_random_bytes",
]);

// Functions known not to be volatile that defaults often use.
const NOT_VOLATILE = new Set([
  "now",
  "transaction_timestamp",
  "statement_timestamp",
  "current_setting",
  "lower",
  "upper",
  "btrim",
  "trim",
  "concat",
  "length",
  "char_length",
  "coalesce",
  "to_jsonb",
  "to_json",
  "jsonb_build_object",
  "json_build_object",
  "jsonb_build_array",
  "json_build_array",
  "array_fill",
  "make_interval",
  "make_date",
  "date_trunc",
  "timezone",
  "to_timestamp",
  "to_date",
  "abs",
  "round",
]);

export function isSerial(col: ColumnDef): boolean {
  return SERIAL_TYPES.has(typeName(col.typeName));
}

export function defaultExpr(col: ColumnDef): Node | undefined {
  return col.raw_default ?? constraints(col).find((c) => c.contype === "CONSTR_DEFAULT")?.raw_expr;
}

/** "volatile" when a function in it gives a new value per row, "unknown" for functions we cannot classify. */
export function volatility(expr: Node | undefined): "constant" | "volatile" | "unknown" {
  let result: "constant" | "volatile" | "unknown" = "constant";
  if (!expr) return result;
  const check = (name: string) => {
    if (VOLATILE.has(name)) result = "volatile";
    else if (!NOT_VOLATILE.has(name) && result === "constant") result = "unknown";
  };
  walk(expr, (kind, v) => {
    if (kind === "FuncCall") check(funcName(v as never));
    if (kind === "SubLink" && result === "constant") result = "unknown";
  });
  return result;
}

/** Why adding this column rewrites the table, or undefined when it is a catalog change. */
export function addColumnRewrite(col: ColumnDef): string | undefined {
  if (isSerial(col)) return `${typeName(col.typeName)} fills every row from a sequence`;
  for (const c of constraints(col)) {
    if (c.contype === "CONSTR_IDENTITY") return "an identity column fills every row from a sequence";
    if (c.contype === "CONSTR_GENERATED" && c.generated_kind !== "v")
      return "a stored generated column is computed for every row";
  }
  const expr = defaultExpr(col);
  const v = volatility(expr);
  if (v === "volatile") return "its default is volatile: every row gets its own value";
  if (v === "unknown") return "its default calls a function that may be volatile (then every row gets its own value)";
  return undefined;
}

export function hasDefault(col: ColumnDef): boolean {
  const expr = defaultExpr(col);
  if (expr && !as(expr, "A_Const")?.isnull) return true;
  return (
    isSerial(col) || constraints(col).some((c) => c.contype === "CONSTR_IDENTITY" || c.contype === "CONSTR_GENERATED")
  );
}

export function isNotNull(col: ColumnDef): boolean {
  return (
    !!col.is_not_null || constraints(col).some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY")
  );
}

export interface DefinedColumn {
  table: string;
  column: string;
  type: TypeName | undefined;
  /** typeName(type), worked out once for the rules that all ask: "varchar", "int4", "timestamptz". */
  typeName: string;
  col: ColumnDef;
  primaryKey: boolean;
}

// Six rules ask about the same statement.
const cache = new WeakMap<LintStatement, DefinedColumn[]>();
const NONE: readonly DefinedColumn[] = Object.freeze([]);

/** The statement kinds that define columns (the `only` of the rules that read definedColumns()). */
export const COLUMN_KINDS = ["CreateStmt", "AlterTableStmt"];

/** Columns a statement gives a type to: CREATE TABLE, ADD COLUMN, ALTER COLUMN … TYPE. */
export function definedColumns(s: LintStatement): readonly DefinedColumn[] {
  if (!COLUMN_KINDS.includes(s.kind)) return NONE;
  let cols = cache.get(s);
  if (!cols) cache.set(s, (cols = computeColumns(s)));
  return cols;
}

function computeColumns(s: LintStatement): DefinedColumn[] {
  const out: DefinedColumn[] = [];
  const create = as(s.pg, "CreateStmt");
  if (create) {
    const table = relName(create.relation);
    const pk = new Set(
      each(create.tableElts, "Constraint")
        .filter((c) => c.contype === "CONSTR_PRIMARY")
        .flatMap((c) => (c.keys ?? []).map((k) => as(k, "String")?.sval ?? "")),
    );
    for (const col of each(create.tableElts, "ColumnDef"))
      out.push({
        table,
        column: col.colname ?? "",
        type: col.typeName,
        typeName: typeName(col.typeName),
        col,
        primaryKey: pk.has(col.colname ?? "") || isPrimaryKey(col),
      });
  }
  const alter = as(s.pg, "AlterTableStmt");
  if (alter) {
    const table = relName(alter.relation);
    for (const cmd of each(alter.cmds, "AlterTableCmd")) {
      const col = as(cmd.def, "ColumnDef");
      if (!col) continue;
      const typed = { type: col.typeName, typeName: typeName(col.typeName), col };
      if (cmd.subtype === "AT_AddColumn")
        out.push({ table, column: col.colname ?? "", ...typed, primaryKey: isPrimaryKey(col) });
      if (cmd.subtype === "AT_AlterColumnType")
        out.push({ table, column: cmd.name ?? "", ...typed, primaryKey: false });
    }
  }
  return out;
}

function isPrimaryKey(col: ColumnDef): boolean {
  return constraints(col).some((c) => c.contype === "CONSTR_PRIMARY");
}

export function isIdentity(col: ColumnDef): boolean {
  return constraints(col).some((c) => c.contype === "CONSTR_IDENTITY");
}
