// SQLite → canonical model, through its pragmas; CHECK constraints, index
// expressions and generated columns are read from sqlite_schema.sql, the only
// place SQLite keeps them.
// https://www.sqlite.org/pragma.html#pragma_table_xinfo
// https://www.sqlite.org/pragma.html#pragma_index_list

import type { SqliteEngine } from "./engine.ts";
import { BOOKKEEPING_TABLE } from "../contract.ts";
import {
  emptySchema,
  inScope,
  type CheckConstraint,
  type Column,
  type ForeignKey,
  type Index,
  type KeyConstraint,
  type Schema,
  type Table,
  type TableGraph,
  type TableScope,
} from "../../schema/model.ts";
import { clauseArgs, normalizeSqlText, parenthesised, splitTopLevel, unquoteIdent } from "../../schema/sql-text.ts";

interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

export function introspectSqlite(db: SqliteEngine, scope?: TableScope): Schema {
  const schema = emptySchema("sqlite");
  // Scoped, only the tables in scope (and their indexes) are read from sqlite_schema: a step stays linear in
  // the tree. The names go as parameters (a json_each() there is evaluated again for every row).
  const words = scope && scope.size <= 500 ? [...scope] : undefined;
  const inList = words?.map(() => "?").join(", ");
  const rows = db.all<MasterRow>(
    `SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'
     ${words ? `AND (type IN ('view', 'trigger') OR tbl_name IN (${inList}) OR lower(tbl_name) IN (${inList}))` : ""}
     ORDER BY type, name`,
    words ? [...words, ...words] : [],
  );
  const indexSql = new Map(rows.filter((r) => r.type === "index").map((r) => [r.name, r.sql]));
  for (const r of rows) {
    if (r.type === "table" && r.name !== BOOKKEEPING_TABLE) {
      if (inScope(scope, r.name)) schema.tables.push(readTable(db, r, indexSql));
    } else if (r.type === "view")
      schema.views.push({ name: r.name, materialized: false, definition: normalizeSqlText(r.sql ?? "") });
    else if (r.type === "trigger")
      schema.triggers.push({ name: r.name, table: r.tbl_name, definition: normalizeSqlText(r.sql ?? "") });
  }
  return schema;
}

function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function readTable(db: SqliteEngine, row: MasterRow, indexSql: Map<string, string | null>): Table {
  const sql = row.sql ?? "";
  const body = parenthesised(sql)?.inner ?? "";
  const segments = splitTopLevel(body);
  const afterBody = sql.slice((parenthesised(sql)?.end ?? sql.length) + 1).toUpperCase();
  const options = ["STRICT", "WITHOUT ROWID"].filter((o) => afterBody.includes(o));

  const info = db.all<{
    cid: number;
    name: string;
    type: string;
    notnull: number;
    dflt_value: string | null;
    pk: number;
    hidden: number;
  }>(`PRAGMA table_xinfo(${q(row.name)})`);
  const pkCols = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  const autoincrement = /\bAUTOINCREMENT\b/i.test(sql);
  const columns: Column[] = info
    .filter((c) => c.hidden === 0 || c.hidden === 2 || c.hidden === 3)
    .map((c) => {
      const rowid =
        pkCols.length === 1 &&
        pkCols[0]!.name === c.name &&
        c.type.toUpperCase() === "INTEGER" &&
        !options.includes("WITHOUT ROWID");
      return {
        name: c.name,
        type: c.type.toUpperCase(),
        // A rowid alias can never hold NULL, whatever its declaration says.
        nullable: c.notnull === 0 && !rowid,
        default: c.dflt_value,
        identity: rowid ? (autoincrement ? "autoincrement" : "rowid") : null,
        generated: c.hidden === 2 || c.hidden === 3 ? generatedExpr(segments, c.name) : null,
      };
    });

  const primaryKey: KeyConstraint | null = pkCols.length
    ? { name: constraintName(segments, /PRIMARY\s+KEY/i), columns: pkCols.map((c) => c.name) }
    : null;

  const uniques: KeyConstraint[] = [];
  const indexes: Index[] = [];
  const list = db.all<{ name: string; unique: number; origin: string; partial: number }>(
    `PRAGMA index_list(${q(row.name)})`,
  );
  for (const ix of list) {
    if (ix.origin === "pk") continue;
    const cols = db
      .all<{ seqno: number; name: string | null }>(`PRAGMA index_info(${q(ix.name)})`)
      .sort((a, b) => a.seqno - b.seqno)
      .map((c) => c.name ?? "?");
    if (ix.origin === "u") {
      uniques.push({ name: null, columns: cols });
      continue;
    }
    const parts = indexParts(indexSql.get(ix.name) ?? "");
    indexes.push({
      name: ix.name,
      unique: ix.unique === 1,
      columns: parts.columns.length ? parts.columns : cols,
      where: parts.where,
    });
  }

  const fkRows = db.all<{
    id: number;
    seq: number;
    table: string;
    from: string;
    to: string | null;
    on_update: string;
    on_delete: string;
  }>(`PRAGMA foreign_key_list(${q(row.name)})`);
  const byId = new Map<number, typeof fkRows>();
  for (const f of fkRows) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const foreignKeys: ForeignKey[] = [...byId.values()].map((parts) => {
    parts.sort((a, b) => a.seq - b.seq);
    const first = parts[0]!;
    let refColumns = parts.map((p) => p.to ?? "");
    if (refColumns.some((c) => !c)) refColumns = primaryKeyOf(db, first.table);
    return {
      name: null,
      columns: parts.map((p) => p.from),
      refTable: first.table,
      refColumns,
      onDelete: first.on_delete,
      onUpdate: first.on_update,
    };
  });

  return {
    name: row.name,
    columns,
    primaryKey,
    uniques,
    foreignKeys,
    checks: checksOf(segments),
    indexes,
    ...(options.length ? { options } : {}),
  };
}

function primaryKeyOf(db: SqliteEngine, table: string): string[] {
  return db
    .all<{ name: string; pk: number }>(`PRAGMA table_info(${q(table)})`)
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

function checksOf(segments: string[]): CheckConstraint[] {
  const out: CheckConstraint[] = [];
  for (const seg of segments) {
    for (const { inner, before } of clauseArgs(seg, /\bCHECK/)) {
      const named = /CONSTRAINT\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)\s*$/i.exec(before);
      out.push({ name: named ? unquoteIdent(named[1]!) : null, expression: normalizeSqlText(inner) });
    }
  }
  return out;
}

function constraintName(segments: string[], kind: RegExp): string | null {
  for (const seg of segments) {
    const m = new RegExp(`^CONSTRAINT\\s+("[^"]+"|\`[^\`]+\`|\\[[^\\]]+\\]|[\\w$]+)\\s+${kind.source}`, "i").exec(seg);
    if (m) return unquoteIdent(m[1]!);
  }
  return null;
}

function generatedExpr(segments: string[], column: string): string | null {
  for (const seg of segments) {
    const first = /^("[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)/.exec(seg)?.[1];
    if (!first || unquoteIdent(first).toLowerCase() !== column.toLowerCase()) continue;
    const m = /\bAS\s*\(/i.exec(seg);
    if (!m) return null;
    const p = parenthesised(seg, m.index + m[0].length - 1);
    return p ? normalizeSqlText(p.inner) : null;
  }
  return null;
}

/** Columns (or expressions) and WHERE of a CREATE INDEX statement. */
export function indexParts(sql: string): { columns: string[]; where: string | null } {
  const on = /\bON\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$.]+)\s*\(/i.exec(sql);
  if (!on) return { columns: [], where: null };
  const p = parenthesised(sql, on.index + on[0].length - 1);
  if (!p) return { columns: [], where: null };
  const columns = splitTopLevel(p.inner).map((c) => {
    const t = normalizeSqlText(c);
    return /^("[^"]+"|`[^`]+`|\[[^\]]+\])$/.test(t) ? unquoteIdent(t) : t;
  });
  const rest = sql.slice(p.end + 1);
  const w = /\bWHERE\b([\s\S]*)$/i.exec(rest);
  return { columns, where: w ? normalizeSqlText(w[1]!) : null };
}

/** Every table and foreign-key edge, from sqlite_schema alone (no pragma per table). */
export function tableGraphSqlite(db: SqliteEngine): TableGraph {
  const rows = db.all<{ name: string; sql: string | null }>(
    `SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '${BOOKKEEPING_TABLE}'`,
  );
  const references: TableGraph["references"] = [];
  for (const r of rows)
    for (const m of (r.sql ?? "").matchAll(/\bREFERENCES\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)/gi))
      references.push({ table: r.name, parent: unquoteIdent(m[1]!) });
  return { tables: rows.map((r) => r.name), references };
}
