// Which PostgreSQL and SQLite column types mean the same thing, for
// `stairway cross-db`. Data, not code: extend it from the config
// (cross_db.types) without touching the comparison. SQLite types are matched
// as written (upper case), PostgreSQL types as format_type() prints them.
// https://www.sqlite.org/datatype3.html  https://www.postgresql.org/docs/current/datatype.html

export interface TypeEquivalence {
  /** Regex over the PostgreSQL type. */
  postgres: string;
  /** Regex over the SQLite declared type. */
  sqlite: string;
  /**
   * A SQLite CHECK that carries the PostgreSQL type's meaning (e.g. json_valid(x)
   * for jsonb, x IN (0, 1) for boolean); `{c}` stands for the column. When the
   * SQLite table has it, it is part of the type and not a difference.
   */
  sqliteCheck?: string;
  /** The types are equal only when the SQLite table has that CHECK. */
  requireCheck?: boolean;
  note: string;
}

export const TYPE_EQUIVALENCES: TypeEquivalence[] = [
  { postgres: "^(smallint|integer|bigint)$", sqlite: "INT", note: "SQLite has one 64-bit integer type" },
  { postgres: "^(real|double precision)$", sqlite: "REAL|FLOA|DOUB", note: "floating point" },
  { postgres: "^numeric(\\(.*\\))?$", sqlite: "^(NUMERIC|DECIMAL)", note: "SQLite NUMERIC affinity" },
  { postgres: "^text$", sqlite: "^(TEXT|CLOB|)$", note: "unbounded text" },
  { postgres: "^character varying\\((\\d+)\\)$", sqlite: "^(VARCHAR|CHARACTER VARYING|NVARCHAR)\\(\\d+\\)$", note: "text with a declared length" },
  {
    postgres: "^character varying\\((\\d+)\\)$",
    sqlite: "^TEXT$",
    sqliteCheck: "length\\({c}\\) <= $1",
    requireCheck: true,
    note: "text whose length a CHECK bounds",
  },
  { postgres: "^boolean$", sqlite: "^(BOOLEAN|BOOL|INTEGER|INT)$", sqliteCheck: "{c} IN \\(0, 1\\)", note: "SQLite stores booleans as 0/1" },
  { postgres: "^(json|jsonb)$", sqlite: "^(TEXT|JSON|BLOB)$", sqliteCheck: "json_valid\\({c}\\)", note: "JSON stored as text" },
  { postgres: "^date$", sqlite: "^(TEXT|DATE|NUMERIC)$", sqliteCheck: "{c} (=|IS) date\\({c}\\)", note: "ISO-8601 date as text" },
  {
    postgres: "^timestamp( with(out)? time zone)?$",
    sqlite: "^(TEXT|DATETIME|TIMESTAMP|NUMERIC|REAL|INTEGER)$",
    sqliteCheck: "{c} (=|IS) strftime\\('[^']*', {c}\\)",
    note: "SQLite stores times as text, julian days or Unix time",
  },
  { postgres: "^time( with(out)? time zone)?$", sqlite: "^(TEXT|TIME)$", note: "time of day as text" },
  { postgres: "^uuid$", sqlite: "^(TEXT|BLOB|UUID)$", note: "UUID as text or bytes" },
  { postgres: "^bytea$", sqlite: "^(BLOB|)$", note: "bytes" },
];

export function compileEquivalences(extra: TypeEquivalence[] = []): CompiledEquivalence[] {
  return [...extra, ...TYPE_EQUIVALENCES].map((e) => ({
    ...e,
    pg: new RegExp(e.postgres, "i"),
    lite: new RegExp(e.sqlite, "i"),
  }));
}

export interface CompiledEquivalence extends TypeEquivalence {
  pg: RegExp;
  lite: RegExp;
}

/**
 * The rule under which a PostgreSQL type and a SQLite type mean the same,
 * and which of the SQLite column's CHECK expressions belong to the type (to
 * leave out of the comparison); undefined when nothing makes them equal.
 */
export function equivalence(
  rules: CompiledEquivalence[],
  pgType: string,
  sqliteType: string,
  column: string,
  sqliteChecks: string[],
): { rule: CompiledEquivalence; consumed: string[] } | undefined {
  for (const rule of rules) {
    const m = rule.pg.exec(pgType);
    if (!m || !rule.lite.test(sqliteType)) continue;
    // VARCHAR(n) on SQLite must declare the same n as PostgreSQL.
    const pgLen = /\((\d+)\)$/.exec(pgType)?.[1];
    const liteLen = /\((\d+)\)$/.exec(sqliteType)?.[1];
    if (pgLen && liteLen && pgLen !== liteLen) continue;
    let consumed: string[] = [];
    if (rule.sqliteCheck) {
      const col = `"?${column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?`;
      const source = rule.sqliteCheck.replace(/\{c\}/g, col).replace(/\$(\d)/g, (_a, i: string) => m[Number(i)] ?? "");
      // A nullable column's CHECK often reads "x IS NULL OR <the idiom>".
      const re = new RegExp(`^(?:${col} IS NULL OR )?${source}$`, "i");
      consumed = sqliteChecks.filter((c) => re.test(c));
    }
    if (rule.requireCheck && consumed.length === 0) continue;
    return { rule, consumed };
  }
  return undefined;
}
