// Which column types of two SQL dialects mean the same thing, for
// `stairway cross-db`. Data, not code: each rule gives, per dialect, a regex
// over the type as that dialect prints it (format_type on PostgreSQL, the
// declared type on SQLite, COLUMN_TYPE on MySQL) and, where a dialect carries the meaning in a
// CHECK (json_valid(x) for JSON on SQLite), that CHECK. Extend it from the
// config (cross_db.types) without touching the comparison; a new dialect adds
// its column to the rules.
// https://www.sqlite.org/datatype3.html  https://www.postgresql.org/docs/current/datatype.html
// https://mariadb.com/kb/en/data-types/

import type { SqlDialect } from "../plan/migration.ts";

export interface TypeEquivalence {
  /** Per dialect, a regex over its type. */
  types: Partial<Record<SqlDialect, string>>;
  /**
   * Per dialect, a CHECK that carries the type's meaning there (e.g.
   * json_valid(x) for jsonb, x IN (0, 1) for boolean on SQLite); `{c}` stands
   * for the column, `$1` for the first group the other dialect's type matched.
   * When the table has it, it is part of the type and not a difference.
   */
  checks?: Partial<Record<SqlDialect, string>>;
  /** The types are equal only when that CHECK is there. */
  requireCheck?: boolean;
  /** Booleans: defaults are compared as TRUE / FALSE, however spelled. */
  boolean?: boolean;
  note: string;
}

export const TYPE_EQUIVALENCES: TypeEquivalence[] = [
  { types: { postgres: "^(smallint|integer|bigint)$", sqlite: "INT" }, note: "SQLite has one 64-bit integer type" },
  {
    types: { sqlite: "INT", mysql: "^(tinyint|smallint|mediumint|int|bigint)( unsigned)?$" },
    note: "SQLite has one 64-bit integer type",
  },
  { types: { postgres: "^integer$", mysql: "^int$" }, note: "INT is INTEGER" },
  {
    types: { postgres: "^(real|double precision)$", sqlite: "REAL|FLOA|DOUB", mysql: "^(float|double|real)" },
    note: "floating point",
  },
  {
    types: { postgres: "^numeric(\\(.*\\))?$", sqlite: "^(NUMERIC|DECIMAL)", mysql: "^decimal(\\(.*\\))?$" },
    note: "exact decimal numbers",
  },
  {
    types: { postgres: "^text$", sqlite: "^(TEXT|CLOB|)$", mysql: "^(tinytext|text|mediumtext|longtext)$" },
    note: "unbounded text",
  },
  {
    types: {
      postgres: "^character varying\\((\\d+)\\)$",
      sqlite: "^(VARCHAR|CHARACTER VARYING|NVARCHAR)\\(\\d+\\)$",
      mysql: "^varchar\\(\\d+\\)$",
    },
    note: "text with a declared length",
  },
  {
    types: { postgres: "^character varying\\((\\d+)\\)$", sqlite: "^TEXT$", mysql: "^varchar\\((\\d+)\\)$" },
    checks: { sqlite: "length\\({c}\\) <= $1" },
    requireCheck: true,
    note: "text whose length a CHECK bounds",
  },
  {
    types: { postgres: "^boolean$", sqlite: "^(BOOLEAN|BOOL|INTEGER|INT)$", mysql: "^tinyint\\(1\\)$" },
    checks: { sqlite: "{c} IN \\(0, 1\\)" },
    boolean: true,
    note: "booleans stored as 0/1 (SQLite, MySQL's TINYINT(1))",
  },
  {
    types: { postgres: "^(json|jsonb)$", sqlite: "^(TEXT|JSON|BLOB)$", mysql: "^json$" },
    checks: { sqlite: "json_valid\\({c}\\)" },
    note: "JSON stored as text",
  },
  {
    types: { postgres: "^date$", sqlite: "^(TEXT|DATE|NUMERIC)$", mysql: "^date$" },
    checks: { sqlite: "{c} (=|IS) date\\({c}\\)" },
    note: "ISO-8601 date as text",
  },
  {
    types: {
      postgres: "^timestamp( with(out)? time zone)?$",
      sqlite: "^(TEXT|DATETIME|TIMESTAMP|NUMERIC|REAL|INTEGER)$",
      mysql: "^(datetime|timestamp)(\\(\\d\\))?$",
    },
    checks: { sqlite: "{c} (=|IS) strftime\\('[^']*', {c}\\)" },
    note: "SQLite stores times as text, julian days or Unix time; MySQL's TIMESTAMP is UTC, its DATETIME has no zone",
  },
  {
    types: { postgres: "^time( with(out)? time zone)?$", sqlite: "^(TEXT|TIME)$", mysql: "^time(\\(\\d\\))?$" },
    note: "time of day",
  },
  {
    types: { postgres: "^uuid$", sqlite: "^(TEXT|BLOB|UUID)$", mysql: "^(uuid|char\\(36\\)|binary\\(16\\))$" },
    note: "UUID as text or bytes",
  },
  {
    types: {
      postgres: "^bytea$",
      sqlite: "^(BLOB|)$",
      mysql: "^(tinyblob|blob|mediumblob|longblob|varbinary\\(\\d+\\)|binary\\(\\d+\\))$",
    },
    note: "bytes",
  },
];

export interface CompiledEquivalence extends TypeEquivalence {
  compiled: Partial<Record<SqlDialect, RegExp>>;
}

export function compileEquivalences(extra: TypeEquivalence[] = []): CompiledEquivalence[] {
  return [...extra, ...TYPE_EQUIVALENCES].map((e) => ({
    ...e,
    compiled: Object.fromEntries(Object.entries(e.types).map(([d, re]) => [d, new RegExp(re!, "i")])),
  }));
}

/** One side of a comparison: a column's type in its dialect, and its table's CHECK expressions. */
export interface TypedColumn {
  dialect: SqlDialect;
  type: string;
  column: string;
  checks: string[];
}

/**
 * The rule under which two columns' types mean the same, and which CHECK
 * expressions of each belong to the type (to leave out of the comparison);
 * undefined when nothing makes them equal.
 */
export function equivalence(
  rules: CompiledEquivalence[],
  a: TypedColumn,
  b: TypedColumn,
): { rule: CompiledEquivalence; consumed: [string[], string[]] } | undefined {
  for (const rule of rules) {
    const ma = rule.compiled[a.dialect]?.exec(a.type);
    const mb = rule.compiled[b.dialect]?.exec(b.type);
    if (!ma || !mb) continue;
    // A declared size (VARCHAR(n), NUMERIC(p,s)) must be the same on both.
    const size = (t: string) => /\(([^()]*)\)$/.exec(t)?.[1]?.replace(/\s+/g, "");
    const [sizeA, sizeB] = [size(a.type), size(b.type)];
    if (sizeA && sizeB && sizeA !== sizeB) continue;
    const consumed: [string[], string[]] = [carried(rule, a, mb), carried(rule, b, ma)];
    if (rule.requireCheck && consumed[0].length + consumed[1].length === 0) continue;
    return { rule, consumed };
  }
  return undefined;
}

/** The CHECKs of `side` that carry the rule's meaning; `other` is what the other side's type matched. */
function carried(rule: TypeEquivalence, side: TypedColumn, other: RegExpExecArray): string[] {
  const check = rule.checks?.[side.dialect];
  if (!check) return [];
  const col = `"?${side.column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?`;
  const source = check.replace(/\{c\}/g, col).replace(/\$(\d)/g, (_a, i: string) => other[Number(i)] ?? "");
  // A nullable column's CHECK often reads "x IS NULL OR <the idiom>".
  const re = new RegExp(`^(?:${col} IS NULL OR )?${source}$`, "i");
  return side.checks.filter((c) => re.test(c));
}
