// MariaDB/MySQL → canonical model, through information_schema: tables with
// their engine and collation, columns (AUTO_INCREMENT, ON UPDATE, generated,
// a collation other than the table's), keys, foreign keys, the CHECK
// constraints the server enforces (MariaDB 10.2+, MySQL 8.0.16+), indexes,
// partitions, views, triggers and routines. Identifiers lose their backticks
// and views their database qualifier, so a copy of a database under another
// name reads the same. What MariaDB and MySQL 8 spell apart is made one:
// integer display widths (gone in MySQL 8), JSON (MariaDB: LONGTEXT with a
// json_valid CHECK), quoted literal defaults (MySQL 8 leaves them bare),
// RESTRICT and NO ACTION (the same in InnoDB).
// https://mariadb.com/kb/en/information-schema-tables/  https://dev.mysql.com/doc/refman/8.0/en/information-schema.html

import type { Connection } from "mysql2/promise";
import { BOOKKEEPING_TABLE } from "../contract.ts";
import {
  emptySchema,
  inScope,
  type Column,
  type Schema,
  type Table,
  type TableGraph,
  type TableScope,
} from "../../schema/model.ts";
import { normalizeSqlText } from "../../schema/sql-text.ts";

type Row = Record<string, string | number | null>;

const TABLE_TYPES = "('BASE TABLE', 'SYSTEM VERSIONED')";

async function query(conn: Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [rows] = await conn.query(sql, params);
  return rows as Row[];
}

const s = (v: string | number | null | undefined) => (v === null || v === undefined ? "" : String(v));

/**
 * An expression or definition as the server prints it, without backticks
 * around plain names and without the `database`. qualifier (string literals
 * untouched).
 */
export function plainSql(text: string, database?: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === "`") {
      let j = i + 1;
      let name = "";
      for (; j < text.length; j++) {
        if (text[j] === "`" && text[j + 1] === "`") {
          name += "`";
          j++;
        } else if (text[j] === "`") break;
        else name += text[j];
      }
      i = j + 1;
      if (database !== undefined && name === database && text[i] === ".") {
        i++; // the database's own qualifier
        continue;
      }
      out += /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

const INTEGER_WIDTH = /^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/;

/** COLUMN_TYPE as MySQL 8 prints it: no display width on integers, but tinyint(1), the boolean. */
function columnType(type: string): string {
  const t = type.toLowerCase();
  if (/^tinyint\(1\)/.test(t)) return t;
  return t.replace(INTEGER_WIDTH, "$1");
}

const TEXTUAL = /char|text|enum|set|json|blob|binary/;

/** COLUMN_DEFAULT as an expression: literals quoted (MariaDB does so already), functions lower case, NULL as none. */
function columnDefault(raw: string | null, dataType: string, extra: string, mariadb: boolean): string | null {
  if (raw === null || (mariadb && raw === "NULL")) return null;
  if (mariadb) return /^current_timestamp/i.test(raw) ? raw.toLowerCase() : raw;
  if (/DEFAULT_GENERATED/i.test(extra))
    return /^current_timestamp/i.test(raw)
      ? raw.toLowerCase().replace(/^current_timestamp$/, "current_timestamp()")
      : raw;
  return TEXTUAL.test(dataType) ? `'${raw.replace(/\\/g, "\\\\").replace(/'/g, "''")}'` : raw;
}

/** The name MySQL gives the index it makes for a foreign key: the constraint's, or its first column's. */
function backsForeignKey(t: Table, index: { name: string; unique: boolean; columns: string[] }): boolean {
  if (index.unique) return false;
  return t.foreignKeys.some(
    (f) =>
      f.columns.join(",") === index.columns.join(",") &&
      (index.name === f.name || new RegExp(`^${f.columns[0]!.replace(/\W/g, "\\$&")}(_\\d+)?$`).test(index.name)),
  );
}

/** A UNIQUE key written on a column or as UNIQUE (a, b) is named after its first column (a, a_2): a unique constraint. */
function isUniqueConstraint(name: string, columns: string[]): boolean {
  const first = columns[0]!.replace(/\(\d+\)$/, "");
  return name === first || new RegExp(`^${first.replace(/\W/g, "\\$&")}_\\d+$`).test(name);
}

export async function introspectMysql(conn: Connection, scope?: TableScope): Promise<Schema> {
  const [{ db, version }] = (await query(conn, "SELECT DATABASE() AS db, VERSION() AS version")) as [
    { db: string; version: string },
  ];
  const mariadb = /mariadb/i.test(version);
  const schema = emptySchema("mysql");

  const tables = (
    await query(
      conn,
      `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation, CREATE_OPTIONS AS options
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ${TABLE_TYPES}
          AND TABLE_NAME <> ? ORDER BY TABLE_NAME`,
      [BOOKKEEPING_TABLE],
    )
  ).filter((t) => inScope(scope, s(t.name)));
  const byName = new Map<string, Table>();
  const collationOf = new Map<string, string>();
  for (const t of tables) {
    const options = [`ENGINE=${s(t.engine)}`, `COLLATE=${s(t.collation)}`];
    for (const o of s(t.options).split(/\s+/).filter(Boolean))
      if (o !== "partitioned" && !/^(stats_|max_rows|min_rows)/i.test(o)) options.push(o.toUpperCase());
    const table: Table = {
      name: s(t.name),
      columns: [],
      primaryKey: null,
      uniques: [],
      foreignKeys: [],
      checks: [],
      indexes: [],
      options,
    };
    byName.set(table.name, table);
    collationOf.set(table.name, s(t.collation));
    schema.tables.push(table);
  }
  const names = [...byName.keys()];
  // Every per-table query below is for these tables only (a step's scope).
  const inTables = names.length ? `AND TABLE_NAME IN (${names.map(() => "?").join(", ")})` : "AND FALSE";

  const checks = await query(
    conn,
    `SELECT tc.TABLE_NAME AS tbl, tc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause
       FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc
         ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
            ${mariadb ? "AND cc.TABLE_NAME = tc.TABLE_NAME" : ""}
      WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA = DATABASE() ${inTables.replace(/TABLE_NAME/, "tc.TABLE_NAME")}
      ORDER BY tc.CONSTRAINT_NAME`,
    names,
  ).catch((e: { code?: string }) => {
    // MySQL before 8.0.16 has no CHECK_CONSTRAINTS: it parses CHECK and ignores it.
    if (e.code === "ER_UNKNOWN_TABLE" || e.code === "ER_NO_SUCH_TABLE") return [];
    throw e;
  });
  // MariaDB's JSON is LONGTEXT with a CHECK (json_valid(c)) named after the column: the type, not a constraint.
  const jsonColumns = new Set<string>();
  for (const c of checks) {
    const clause = plainSql(s(c.clause));
    if (mariadb && clause === `json_valid(${plainSql("`" + s(c.name) + "`")})`) {
      jsonColumns.add(`${s(c.tbl)}.${s(c.name)}`);
      continue;
    }
    byName.get(s(c.tbl))?.checks.push({ name: s(c.name), expression: normalizeSqlText(clause) });
  }

  const columns = await query(
    conn,
    `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, COLUMN_TYPE AS type, DATA_TYPE AS dataType, IS_NULLABLE AS nullable,
            COLUMN_DEFAULT AS def, EXTRA AS extra, GENERATION_EXPRESSION AS expr, COLLATION_NAME AS collation
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ${inTables}
      ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    names,
  );
  for (const c of columns) {
    const table = byName.get(s(c.tbl));
    if (!table) continue;
    const extra = s(c.extra);
    const json = jsonColumns.has(`${table.name}.${s(c.name)}`);
    const generated = /GENERATED/i.test(extra) && !/DEFAULT_GENERATED/i.test(extra) && c.expr !== null;
    const onUpdate = /on update (\S+)/i.exec(extra)?.[1]?.toLowerCase();
    const col: Column = {
      name: s(c.name),
      type: json ? "json" : columnType(s(c.type)),
      nullable: c.nullable === "YES",
      default: generated ? null : columnDefault(c.def === null ? null : s(c.def), s(c.dataType), extra, mariadb),
      identity: /auto_increment/i.test(extra) ? "autoincrement" : null,
      generated: generated ? normalizeSqlText(plainSql(s(c.expr))) : null,
      ...(generated && /VIRTUAL/i.test(extra) ? { virtual: true } : {}),
      ...(onUpdate ? { onUpdate: onUpdate.replace(/^current_timestamp$/, "current_timestamp()") } : {}),
      ...(c.collation && !json && c.collation !== collationOf.get(table.name) ? { collation: s(c.collation) } : {}),
    };
    table.columns.push(col);
  }

  const keys = await query(
    conn,
    `SELECT k.TABLE_NAME AS tbl, k.CONSTRAINT_NAME AS name, tc.CONSTRAINT_TYPE AS type, k.COLUMN_NAME AS col,
            k.REFERENCED_TABLE_NAME AS reftable, k.REFERENCED_COLUMN_NAME AS refcol,
            r.UPDATE_RULE AS upd, r.DELETE_RULE AS del
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.TABLE_CONSTRAINTS tc
         ON tc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND tc.TABLE_NAME = k.TABLE_NAME AND tc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
        -- MariaDB names a column's CHECK after the column, as it names the column's UNIQUE key.
        AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
       LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
      WHERE k.TABLE_SCHEMA = DATABASE() ${inTables.replace(/TABLE_NAME/, "k.TABLE_NAME")}
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    names,
  );
  const rule = (r: string) => (r === "RESTRICT" ? "NO ACTION" : r); // InnoDB: the same
  const grouped = new Map<string, Row[]>();
  for (const k of keys) {
    const id = `${s(k.tbl)}\u0000${s(k.name)}`;
    grouped.set(id, [...(grouped.get(id) ?? []), k]);
  }
  const uniqueNames = new Set<string>();
  for (const parts of grouped.values()) {
    const k = parts[0]!;
    const table = byName.get(s(k.tbl));
    if (!table) continue;
    const cols = parts.map((p) => s(p.col));
    if (k.type === "PRIMARY KEY") table.primaryKey = { name: null, columns: cols };
    else if (k.type === "UNIQUE" && isUniqueConstraint(s(k.name), cols)) {
      table.uniques.push({ name: s(k.name), columns: cols });
      uniqueNames.add(`${table.name}\u0000${s(k.name)}`);
    } else if (k.type === "FOREIGN KEY")
      table.foreignKeys.push({
        name: s(k.name),
        columns: cols,
        refTable: s(k.reftable),
        refColumns: parts.map((p) => s(p.refcol)),
        onDelete: rule(s(k.del)),
        onUpdate: rule(s(k.upd)),
      });
  }

  const stats = await query(
    conn,
    `SELECT TABLE_NAME AS tbl, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS col, SUB_PART AS sub,
            INDEX_TYPE AS method, COLLATION AS dir${mariadb ? "" : ", EXPRESSION AS expr"}
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ${inTables} AND INDEX_NAME <> 'PRIMARY'
      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    names,
  );
  const indexes = new Map<string, { table: Table; name: string; unique: boolean; columns: string[]; method: string }>();
  for (const x of stats) {
    const table = byName.get(s(x.tbl));
    if (!table || uniqueNames.has(`${table.name}\u0000${s(x.name)}`)) continue;
    const id = `${table.name}\u0000${s(x.name)}`;
    let ix = indexes.get(id);
    if (!ix) {
      ix = { table, name: s(x.name), unique: Number(x.nonUnique) === 0, columns: [], method: s(x.method) };
      indexes.set(id, ix);
    }
    const part = x.col !== null ? s(x.col) : `(${plainSql(s(x.expr))})`;
    ix.columns.push(`${part}${x.sub !== null ? `(${s(x.sub)})` : ""}${x.dir === "D" ? " DESC" : ""}`);
  }
  for (const ix of indexes.values()) {
    if (backsForeignKey(ix.table, ix)) continue; // made by the server for a foreign key, dropped with it
    ix.table.indexes.push({
      name: ix.name,
      unique: ix.unique,
      columns: ix.columns,
      where: null,
      // A UNIQUE over TEXT is a hash index on MariaDB: still the unique key it was written as.
      ...(ix.method !== "BTREE" && !(ix.unique && ix.method === "HASH") ? { method: ix.method.toLowerCase() } : {}),
    });
  }

  const partitions = await query(
    conn,
    `SELECT TABLE_NAME AS tbl, PARTITION_NAME AS name, PARTITION_METHOD AS method, PARTITION_EXPRESSION AS expr,
            PARTITION_DESCRIPTION AS bound
       FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() ${inTables} AND PARTITION_NAME IS NOT NULL
      ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION`,
    names,
  );
  for (const p of partitions) {
    const table = byName.get(s(p.tbl));
    if (!table) continue;
    table.partitioning ??= { key: `${s(p.method)} (${plainSql(s(p.expr))})`, partitions: [] };
    const method = s(p.method);
    const bound = /^RANGE/.test(method)
      ? `VALUES LESS THAN (${s(p.bound)})`
      : /^LIST/.test(method)
        ? `VALUES IN (${s(p.bound)})`
        : "";
    table.partitioning.partitions.push({ name: s(p.name), bound });
  }

  schema.views = (
    await query(
      conn,
      `SELECT TABLE_NAME AS name, VIEW_DEFINITION AS def FROM information_schema.VIEWS
        WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME`,
    )
  ).map((v) => ({ name: s(v.name), materialized: false, definition: normalizeSqlText(plainSql(s(v.def), db)) }));

  schema.triggers = (
    await query(
      conn,
      `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl, ACTION_TIMING AS timing, EVENT_MANIPULATION AS event,
              ACTION_STATEMENT AS body
         FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME`,
    )
  ).map((t) => ({
    name: s(t.name),
    table: s(t.tbl),
    definition: normalizeSqlText(
      `CREATE TRIGGER ${s(t.name)} ${s(t.timing)} ${s(t.event)} ON ${s(t.tbl)} FOR EACH ROW ${plainSql(s(t.body), db)}`,
    ),
  }));

  const params = await query(
    conn,
    `SELECT SPECIFIC_NAME AS routine, PARAMETER_MODE AS mode, PARAMETER_NAME AS name, DTD_IDENTIFIER AS type
       FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = DATABASE() AND ORDINAL_POSITION > 0
      ORDER BY SPECIFIC_NAME, ORDINAL_POSITION`,
  );
  schema.routines = (
    await query(
      conn,
      `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS kind, DTD_IDENTIFIER AS returnType, ROUTINE_DEFINITION AS body,
              IS_DETERMINISTIC AS det, SQL_DATA_ACCESS AS dataAccess
         FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME`,
    )
  ).map((r) => {
    const mine = params.filter((p) => p.routine === r.name);
    const args = mine.map((p) => `${p.mode && r.kind === "PROCEDURE" ? `${s(p.mode)} ` : ""}${s(p.name)} ${s(p.type)}`);
    const returns = r.kind === "FUNCTION" ? ` RETURNS ${s(r.returnType)}` : "";
    const traits = `${r.det === "YES" ? " DETERMINISTIC" : ""} ${s(r.dataAccess)}`;
    return {
      signature: `${s(r.name)}(${mine.map((p) => s(p.type)).join(", ")})`,
      definition: normalizeSqlText(
        `CREATE ${s(r.kind)} ${s(r.name)}(${args.join(", ")})${returns}${traits} ${plainSql(s(r.body), db)}`,
      ),
    };
  });
  return schema;
}

/** Every table and foreign-key edge, in two cheap queries. */
export async function tableGraphMysql(conn: Connection): Promise<TableGraph> {
  const tables = await query(
    conn,
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ${TABLE_TYPES} AND TABLE_NAME <> ?`,
    [BOOKKEEPING_TABLE],
  );
  const refs = await query(
    conn,
    `SELECT TABLE_NAME AS tbl, REFERENCED_TABLE_NAME AS parent FROM information_schema.REFERENTIAL_CONSTRAINTS
      WHERE CONSTRAINT_SCHEMA = DATABASE()`,
  );
  return {
    tables: tables.map((t) => s(t.name)),
    references: refs.map((r) => ({ table: s(r.tbl), parent: s(r.parent) })),
  };
}
