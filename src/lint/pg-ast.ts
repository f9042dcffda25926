// Small typed readers over libpg_query's JSON tree (@pgsql/types), so rules
// say what they look for ("a ColumnDef's type") instead of walking JSON.

import type { A_Const, ColumnDef, Constraint, FuncCall, Node, RangeVar, TypeName } from "@pgsql/types";

type Keys<U> = U extends unknown ? keyof U : never;
type PayloadMap = { [K in Keys<Node>]: Node extends infer N ? (N extends Record<K, infer V> ? V : never) : never };
/** Every node kind libpg_query produces, e.g. "IndexStmt". */
export type NodeKind = Keys<Node> & string;
/** The payload of a node of kind K, e.g. NodeOf<"IndexStmt"> is IndexStmt. */
export type NodeOf<K extends NodeKind> = PayloadMap[K];

/** The payload when `node` is of kind `kind`. */
export function as<K extends NodeKind>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  if (!node) return undefined;
  return (node as Record<string, unknown>)[kind] as NodeOf<K> | undefined;
}

/** All payloads of kind `kind` in a list of nodes. */
export function each<K extends NodeKind>(nodes: Node[] | undefined, kind: K): NodeOf<K>[] {
  const out: NodeOf<K>[] = [];
  if (!nodes) return out;
  for (let i = 0; i < nodes.length; i++) {
    const v = (nodes[i] as Record<string, unknown>)[kind];
    if (v) out.push(v as NodeOf<K>);
  }
  return out;
}

/** A relation's name as stairway compares them: schema-qualified unless public. */
export function relName(rv: RangeVar | undefined): string {
  if (!rv?.relname) return "";
  return rv.schemaname && rv.schemaname !== "public" ? `${rv.schemaname}.${rv.relname}` : rv.relname;
}

/** The dotted name of a `List` of `String`s (DROP objects, type names). */
export function dotted(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => as(n, "String")?.sval ?? "").filter(Boolean);
}

/** Name from DROP's object list item: a List of Strings, or a bare String. */
export function objectName(node: Node): string {
  const list = as(node, "List");
  const parts = list ? dotted(list.items) : [as(node, "String")?.sval ?? ""];
  if (parts.length > 1 && parts[0] === "public") parts.shift();
  return parts.join(".");
}

/** The type's own name, without pg_catalog: "int4", "varchar", "timestamptz". */
export function typeName(t: TypeName | undefined): string {
  const names = dotted(t?.names);
  return (names[names.length - 1] ?? "").toLowerCase();
}

/** The type's length/precision modifiers, e.g. varchar(20) → [20]. */
export function typeMods(t: TypeName | undefined): number[] {
  return (t?.typmods ?? []).map((m) => Number(as(m, "A_Const")?.ival?.ival ?? 0));
}

/** How a type reads in SQL, for messages: varchar(20), timestamp, int4[]. */
export function typeLabel(t: TypeName | undefined): string {
  const mods = typeMods(t);
  return `${typeName(t)}${mods.length ? `(${mods.join(",")})` : ""}${t?.arrayBounds?.length ? "[]" : ""}`;
}

export function constraints(col: ColumnDef): Constraint[] {
  return each(col.constraints, "Constraint");
}

export function funcName(f: FuncCall): string {
  const parts = dotted(f.funcname);
  return (parts[parts.length - 1] ?? "").toLowerCase();
}

/** A constant's value as text (numbers and strings), or undefined for non-constants. */
export function constText(c: A_Const): string | undefined {
  if (c.isnull) return undefined;
  if (c.sval) return c.sval.sval ?? "";
  if (c.ival) return String(c.ival.ival ?? 0); // libpg_query leaves out zero values
  if (c.fval) return c.fval.fval ?? "0";
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return undefined;
}

/** Visits every node under `root` (depth first), calling fn(kind, payload). */
export function walk(root: unknown, fn: (kind: string, payload: Record<string, unknown>) => void): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    if (!v || typeof v !== "object") continue;
    for (const [k, child] of Object.entries(v)) {
      if (child && typeof child === "object") {
        // A node is an object with one key that starts with an upper-case letter.
        if (!Array.isArray(child) && /^[A-Z]/.test(k)) fn(k, child as Record<string, unknown>);
        stack.push(child);
      }
    }
  }
}

/** PostgreSQL lock modes, weakest first (LockStmt.mode uses these numbers). */
export const LOCK_MODES = [
  "",
  "ACCESS SHARE",
  "ROW SHARE",
  "ROW EXCLUSIVE",
  "SHARE UPDATE EXCLUSIVE",
  "SHARE",
  "SHARE ROW EXCLUSIVE",
  "EXCLUSIVE",
  "ACCESS EXCLUSIVE",
] as const;
