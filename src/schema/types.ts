// What kind of value a column holds, read from its type and, on SQLite where
// the type says little, from its CHECK constraints (json_valid(x),
// x IN (…), length(x) <= n, x = date(x) …). The generator and the cross-db
// comparison read this; nothing else needs to know how dialects spell types.

import type { SqlDialect } from "../plan/migration.ts";
import type { Column, Schema, Table } from "./model.ts";

export type ValueKind =
  | { kind: "int"; min: number; max: number }
  | { kind: "float" }
  | { kind: "numeric"; precision: number; scale: number }
  | { kind: "text"; maxLength?: number }
  | { kind: "bool"; asInteger: boolean }
  | { kind: "date" }
  | { kind: "timestamp"; tz: boolean; format?: string }
  | { kind: "time" }
  | { kind: "json" }
  | { kind: "uuid" }
  | { kind: "bytes" }
  | { kind: "interval" }
  | { kind: "inet" }
  | { kind: "enum"; labels: string[] }
  | { kind: "array"; of: ValueKind }
  | { kind: "unknown"; type: string };

export interface ColumnHints {
  /** Values a CHECK (x IN (…)) allows. */
  oneOf?: (string | number)[];
  minLength?: number;
  maxLength?: number;
  min?: number;
}

const INT4 = { min: -2147483648, max: 2147483647 };
const INT8 = { min: -9007199254740991, max: 9007199254740991 };
const INT2 = { min: -32768, max: 32767 };

export function valueKind(schema: Schema, table: Table, column: Column): { kind: ValueKind; hints: ColumnHints } {
  const hints = columnHints(table, column.name);
  const base = KIND_OF[schema.dialect](schema, column.type);
  return { kind: refine(base, table, column.name, hints), hints };
}

function postgresKind(schema: Schema, type: string): ValueKind {
  const t = type.toLowerCase();
  if (t.endsWith("[]")) return { kind: "array", of: postgresKind(schema, t.slice(0, -2)) };
  if (t === "smallint") return { kind: "int", ...INT2 };
  if (t === "integer") return { kind: "int", ...INT4 };
  if (t === "bigint") return { kind: "int", ...INT8 };
  if (t === "real" || t === "double precision") return { kind: "float" };
  const num = /^numeric(?:\((\d+)(?:,(\d+))?\))?$/.exec(t);
  if (num) return { kind: "numeric", precision: Number(num[1] ?? 15), scale: Number(num[2] ?? (num[1] ? 0 : 4)) };
  if (t === "money") return { kind: "numeric", precision: 12, scale: 2 };
  const varchar = /^(?:character varying|character|varchar|char)(?:\((\d+)\))?$/.exec(t);
  if (varchar)
    return {
      kind: "text",
      maxLength: varchar[1] ? Number(varchar[1]) : t.startsWith("character varying") ? undefined : 1,
    };
  if (t === "text" || t === "citext" || t === "name") return { kind: "text" };
  if (t === "boolean") return { kind: "bool", asInteger: false };
  if (t === "date") return { kind: "date" };
  if (t.startsWith("timestamp")) return { kind: "timestamp", tz: t.includes("with time zone") };
  if (t.startsWith("time")) return { kind: "time" };
  if (t === "json" || t === "jsonb") return { kind: "json" };
  if (t === "uuid") return { kind: "uuid" };
  if (t === "bytea") return { kind: "bytes" };
  if (t.startsWith("interval")) return { kind: "interval" };
  if (t === "inet" || t === "cidr") return { kind: "inet" };
  const e = schema.enums.find((x) => x.name === type || x.name === t);
  if (e) return { kind: "enum", labels: e.labels };
  return { kind: "unknown", type };
}

// https://www.sqlite.org/datatype3.html#determination_of_column_affinity
function sqliteKind(type: string): ValueKind {
  const t = type.toUpperCase();
  if (/BOOL/.test(t)) return { kind: "bool", asInteger: true };
  if (t.includes("INT")) return { kind: "int", ...INT8 };
  const len = /\((\d+)\)/.exec(t);
  if (/CHAR|CLOB|TEXT/.test(t)) return { kind: "text", maxLength: len ? Number(len[1]) : undefined };
  if (t === "" || t === "ANY") return { kind: "text" };
  if (t.includes("BLOB")) return { kind: "bytes" };
  if (/REAL|FLOA|DOUB/.test(t)) return { kind: "float" };
  if (/DATETIME|TIMESTAMP/.test(t)) return { kind: "timestamp", tz: false };
  if (t === "DATE") return { kind: "date" };
  if (/JSON/.test(t)) return { kind: "json" };
  if (/UUID/.test(t)) return { kind: "uuid" };
  const dec = /(?:DECIMAL|NUMERIC)\s*\((\d+)\s*(?:,\s*(\d+))?\)/.exec(t);
  if (dec) return { kind: "numeric", precision: Number(dec[1]), scale: Number(dec[2] ?? 0) };
  return { kind: "numeric", precision: 12, scale: 2 };
}

const MYSQL_INTS: Record<string, { min: number; max: number }> = {
  tinyint: { min: -128, max: 127 },
  smallint: INT2,
  mediumint: { min: -8388608, max: 8388607 },
  int: INT4,
  integer: INT4,
  bigint: INT8,
};

/** Characters a TINYTEXT (255 bytes) surely holds in utf8mb4. */
const TINYTEXT_CHARS = 63;

// https://mariadb.com/kb/en/data-types/  https://dev.mysql.com/doc/refman/8.0/en/data-types.html
function mysqlKind(type: string): ValueKind {
  const t = type.toLowerCase();
  // BOOLEAN is TINYINT(1); BIT(1) is the other common flag.
  if (/^(tinyint\(1\)|bool|boolean|bit\(1\))/.test(t)) return { kind: "bool", asInteger: true };
  const int = /^(tinyint|smallint|mediumint|int|integer|bigint)\b/.exec(t);
  if (int) {
    const range = MYSQL_INTS[int[1]!]!;
    if (!/\bunsigned\b/.test(t)) return { kind: "int", ...range };
    return { kind: "int", min: 0, max: Math.min(INT8.max, range.max * 2 + 1) };
  }
  if (/^(float|double|real)/.test(t)) return { kind: "float" };
  const dec = /^(?:decimal|numeric|fixed)(?:\((\d+)(?:,(\d+))?\))?/.exec(t);
  if (dec) return { kind: "numeric", precision: Number(dec[1] ?? 10), scale: Number(dec[2] ?? 0) };
  const chars = /^(?:varchar|char|nvarchar|nchar)\((\d+)\)/.exec(t);
  if (chars) return { kind: "text", maxLength: Number(chars[1]) };
  if (t === "tinytext") return { kind: "text", maxLength: TINYTEXT_CHARS };
  if (/^(text|mediumtext|longtext)/.test(t)) return { kind: "text" };
  const labels = /^(?:enum|set)\((.*)\)$/.exec(t);
  if (labels)
    return {
      kind: "enum",
      labels: [...type.slice(type.indexOf("(") + 1, -1).matchAll(/'((?:[^']|'')*)'/g)].map((m) =>
        m[1]!.replace(/''/g, "'"),
      ),
    };
  if (t === "date") return { kind: "date" };
  // MariaDB takes no UTC offset in a DATETIME or TIMESTAMP literal: times are written without one.
  if (/^(datetime|timestamp)/.test(t)) return { kind: "timestamp", tz: false };
  if (/^time/.test(t)) return { kind: "time" };
  if (t === "year" || t.startsWith("year(")) return { kind: "int", min: 1901, max: 2155 };
  if (t === "json") return { kind: "json" };
  if (t === "uuid") return { kind: "uuid" };
  if (t === "inet4" || t === "inet6") return { kind: "inet" };
  if (/^(tinyblob|blob|mediumblob|longblob|varbinary|binary)/.test(t)) return { kind: "bytes" };
  return { kind: "unknown", type };
}

/** How each SQL dialect's types read as kinds of values (a new dialect adds its reader here). */
const KIND_OF: Record<SqlDialect, (schema: Schema, type: string) => ValueKind> = {
  postgres: postgresKind,
  sqlite: (_schema, type) => sqliteKind(type),
  mysql: (_schema, type) => mysqlKind(type),
};

function refine(kind: ValueKind, table: Table, column: string, hints: ColumnHints): ValueKind {
  const checks = table.checks.map((c) => c.expression);
  const c = esc(column);
  if (kind.kind === "text" || kind.kind === "unknown") {
    if (checks.some((e) => new RegExp(`json_valid\\(\\s*"?${c}"?\\s*\\)`, "i").test(e))) return { kind: "json" };
    if (checks.some((e) => new RegExp(`"?${c}"?\\s*(=|IS)\\s*date\\(\\s*"?${c}"?\\s*\\)`, "i").test(e)))
      return { kind: "date" };
    const fmt = checks
      .map(
        (e) => new RegExp(`"?${c}"?\\s*(?:=|IS)\\s*strftime\\(\\s*'([^']+)'\\s*,\\s*"?${c}"?\\s*\\)`, "i").exec(e)?.[1],
      )
      .find(Boolean);
    if (fmt) return { kind: "timestamp", tz: true, format: fmt };
    if (checks.some((e) => new RegExp(`(datetime|julianday)\\(\\s*"?${c}"?\\s*\\)\\s*IS\\s+NOT\\s+NULL`, "i").test(e)))
      return { kind: "timestamp", tz: false };
    if (
      kind.kind === "text" &&
      hints.maxLength !== undefined &&
      (kind.maxLength === undefined || hints.maxLength < kind.maxLength)
    )
      return { kind: "text", maxLength: hints.maxLength };
  }
  if (kind.kind === "int" && hints.oneOf?.length === 2 && hints.oneOf.includes(0) && hints.oneOf.includes(1))
    return { kind: "bool", asInteger: true };
  return kind;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Constraints on one column that CHECK expressions state in a form we recognise. */
export function columnHints(table: Table, column: string): ColumnHints {
  const hints: ColumnHints = {};
  const c = `\\(*"?${esc(column)}"?\\)*`;
  for (const { expression: e } of table.checks) {
    // x IN ('a', 'b')  |  x = ANY (ARRAY['a'::text, 'b'::text])
    const inList =
      new RegExp(`${c}\\s+IN\\s*\\(([^()]*)\\)`, "i").exec(e) ??
      new RegExp(`${c}\\s*=\\s*ANY\\s*\\(\\s*ARRAY\\[([^\\]]*)\\]`, "i").exec(e);
    if (inList && !new RegExp(`${c}\\s+IS\\s+NULL\\s+OR`, "i").test(e)) {
      hints.oneOf = inList[1]!.split(",").map((v) => {
        const s = v.trim().replace(/::[\w ]+$/, "");
        return /^'.*'$/.test(s) ? s.slice(1, -1).replace(/''/g, "'") : Number(s);
      });
    }
    const len = `(?:char_length|length|character_length)\\(\\s*"?${esc(column)}"?\\s*\\)`;
    const between = new RegExp(`${len}\\s+BETWEEN\\s+(\\d+)\\s+AND\\s+(\\d+)`, "i").exec(e);
    if (between) {
      hints.minLength = Number(between[1]);
      hints.maxLength = Number(between[2]);
    }
    const le = new RegExp(`${len}\\)*\\s*(<=|<)\\s*(\\d+)`, "i").exec(e);
    if (le) hints.maxLength = Number(le[2]) - (le[1] === "<" ? 1 : 0);
    const ge = new RegExp(`${len}\\)*\\s*(>=|>)\\s*(\\d+)`, "i").exec(e);
    if (ge) hints.minLength = Number(ge[2]) + (ge[1] === ">" ? 1 : 0);
    const min = new RegExp(`(?:^|[\\s(])${c}\\s*(>=|>)\\s*(-?\\d+(?:\\.\\d+)?)`, "i").exec(e);
    if (min) hints.min = Number(min[2]) + (min[1] === ">" ? 1 : 0);
  }
  return hints;
}
