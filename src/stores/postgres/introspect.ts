// PostgreSQL → canonical model, through pg_catalog. Partitions are folded into
// their parent (Table.partitioning); objects owned by extensions are left out.
// https://www.postgresql.org/docs/current/catalogs.html

import type { PgClient } from "./connect.ts";
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

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;
const QUAL = (ns: string, name: string) => `CASE WHEN ${ns} = 'public' THEN ${name} ELSE ${ns} || '.' || ${name} END`;
const NOT_EXTENSION = (oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = ${oid} AND d.deptype = 'e')`;

const ACTIONS: Record<string, string> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

interface Catalog {
  tables: {
    oid: number;
    name: string;
    relispartition: boolean;
    partkey: string | null;
    bound: string | null;
    parent: string | null;
  }[];
  columns: {
    relid: number;
    name: string;
    type: string;
    notnull: boolean;
    def: string | null;
    identity: string;
    generated: string;
  }[];
  constraints: {
    relid: number;
    name: string;
    type: string;
    def: string;
    cols: string[];
    reftable: string | null;
    refcols: string[];
    deltype: string;
    updtype: string;
    deferrable: boolean;
  }[];
  indexes: {
    relid: number;
    name: string;
    unique: boolean;
    method: string;
    cols: string[];
    pred: string | null;
    valid: boolean;
  }[];
  views: { name: string; kind: string; def: string }[];
  sequences: { name: string; type: string; increment: string; start: string; owned: string | null }[];
  enums: { name: string; labels: string[] }[];
  triggers: { name: string; table: string; def: string }[];
  routines: { signature: string; def: string }[];
  namespaces: string[];
  extensions: string[];
}

const agg = (select: string, order: string) =>
  `(SELECT coalesce(json_agg(x ORDER BY ${order}), '[]'::json) FROM (${select}) x)`;

/**
 * The whole catalog a snapshot needs, in one query and one round trip (a
 * stairway step takes several snapshots): tables, then the columns,
 * constraints and indexes of those in scope ($1: a JSON array of names, or
 * null for all), and every view, sequence, enum, trigger, routine, schema and
 * extension.
 */
const catalogQuery = (routines: boolean) => `
  WITH words AS (
    -- The scope's words as an array, once (matching each table against the JSON was a fifth of the query).
    SELECT array(SELECT jsonb_array_elements_text($1::jsonb)) AS w
  ), tabs AS (
    SELECT c.oid, ${QUAL("n.nspname", "c.relname")} AS name, c.relname, c.relispartition,
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
           CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
           CASE WHEN c.relispartition THEN (SELECT ${QUAL("pn.nspname", "p.relname")} FROM pg_inherits i
              JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
             WHERE i.inhrelid = c.oid LIMIT 1) END AS parent
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, words
     WHERE c.relkind IN ('r', 'p') AND ${USER_NS}
       -- Scoped: only the tables the words name, and partitions (folded into their parent), go further.
       AND ($1::jsonb IS NULL OR c.relispartition OR c.relname = ANY (w) OR lower(c.relname) = ANY (w)
            OR (n.nspname || '.' || c.relname) = ANY (w))
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
       AND NOT (n.nspname = 'public' AND c.relname = '${BOOKKEEPING_TABLE}')
  ), picked AS (
    SELECT oid FROM tabs, words
     WHERE NOT (relispartition AND parent IS NOT NULL)
       AND ($1::jsonb IS NULL OR tabs.name = ANY (w) OR tabs.relname = ANY (w) OR lower(tabs.relname) = ANY (w))
  )
  SELECT json_build_object(
    'tables', ${agg(
      // Only those in scope, and their partitions (folded into them).
      `SELECT oid::int AS oid, name, relispartition, partkey, bound, parent FROM tabs
        WHERE oid IN (SELECT oid FROM picked)
           OR (relispartition AND parent IN (SELECT t.name FROM tabs t WHERE t.oid IN (SELECT oid FROM picked)))`,
      "x.name",
    )},
    'columns', ${agg(
      `SELECT a.attrelid::int AS relid, a.attnum AS num, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS notnull, pg_get_expr(ad.adbin, ad.adrelid) AS def, a.attidentity::text AS identity,
              a.attgenerated::text AS generated
         FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE a.attrelid IN (SELECT oid FROM picked) AND a.attnum > 0 AND NOT a.attisdropped`,
      "x.relid, x.num",
    )},
    'constraints', ${agg(
      `SELECT con.conrelid::int AS relid, con.conname AS name, con.contype::text AS type, pg_get_constraintdef(con.oid, true) AS def,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS cols,
              (SELECT ${QUAL("rn.nspname", "r.relname")} FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
                WHERE r.oid = con.confrelid) AS reftable,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS refcols,
              con.confdeltype::text AS deltype, con.confupdtype::text AS updtype, con.condeferrable AS deferrable
         FROM pg_constraint con
        WHERE con.conrelid IN (SELECT oid FROM picked) AND con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conparentid = 0`,
      "x.name",
    )},
    'indexes', ${agg(
      `SELECT i.indrelid::int AS relid, ic.relname AS name, i.indisunique AS unique, am.amname AS method,
              ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) ||
                           -- indoption: bit 0 DESC, bit 1 NULLS FIRST (pg_index.h)
                           CASE WHEN i.indoption[k - 1] & 1 = 1
                                THEN ' DESC' || CASE WHEN i.indoption[k - 1] & 2 = 0 THEN ' NULLS LAST' ELSE '' END
                                ELSE CASE WHEN i.indoption[k - 1] & 2 = 2 THEN ' NULLS FIRST' ELSE '' END END
                      FROM generate_series(1, i.indnkeyatts) k) ||
              ARRAY(SELECT 'INCLUDE ' || pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(i.indnkeyatts + 1, i.indnatts) k) AS cols,
              pg_get_expr(i.indpred, i.indrelid, true) AS pred, i.indisvalid AS valid
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
        WHERE i.indrelid IN (SELECT oid FROM picked)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                                                          AND c.contype IN ('p', 'u', 'x'))`,
      "x.name",
    )},
    'views', ${agg(
      `SELECT ${QUAL("n.nspname", "c.relname")} AS name, c.relkind::text AS kind, pg_get_viewdef(c.oid, true) AS def
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND ${USER_NS} AND ${NOT_EXTENSION("c.oid")}`,
      "x.name",
    )},
    'sequences', ${agg(
      `SELECT ${QUAL("n.nspname", "c.relname")} AS name, format_type(s.seqtypid, NULL) AS type, s.seqincrement::text AS increment,
              s.seqstart::text AS start,
              (SELECT ${QUAL("tn.nspname", "t.relname")} || '.' || a.attname FROM pg_depend d
                 JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype = 'a' LIMIT 1) AS owned
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('i', 'e'))`,
      "x.name",
    )},
    'enums', ${agg(
      `SELECT ${QUAL("n.nspname", "t.typname")} AS name, json_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE ${USER_NS} AND ${NOT_EXTENSION("t.oid")} GROUP BY 1`,
      "x.name",
    )},
    'triggers', ${agg(
      `SELECT t.tgname AS name, ${QUAL("n.nspname", "c.relname")} AS table, pg_get_triggerdef(t.oid, true) AS def
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND NOT c.relispartition AND ${USER_NS}`,
      "x.table, x.name",
    )},
    'routines', ${agg(
      `SELECT ${QUAL("n.nspname", "p.proname")} || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature,
              pg_get_functiondef(p.oid) AS def
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE ${routines ? "" : "false AND "}p.prokind IN ('f', 'p') AND ${USER_NS} AND ${NOT_EXTENSION("p.oid")}`,
      "x.signature",
    )},
    'namespaces', (SELECT coalesce(json_agg(n.nspname ORDER BY n.nspname), '[]'::json) FROM pg_namespace n
                    WHERE ${USER_NS} AND n.nspname <> 'public' AND ${NOT_EXTENSION("n.oid")}),
    'extensions', (SELECT coalesce(json_agg(extname ORDER BY extname), '[]'::json) FROM pg_extension WHERE extname <> 'plpgsql')
  ) AS catalog`;

/** Two prepared statements, each with its own generic plan (a boolean parameter would keep the planner making custom plans). */
const CATALOG = { routines: catalogQuery(true), noRoutines: catalogQuery(false) };

/**
 * Words without which a step cannot change a function or procedure: creating,
 * altering or dropping one names it; a table a function's signature uses can
 * only be dropped with CASCADE, and renaming a table or type renames it in
 * the signature. Reading every routine is a scan of pg_proc (a third of a
 * scoped snapshot at 200 migrations), so a scoped snapshot without them
 * leaves routines out — the same on both sides of every comparison.
 */
const ROUTINE_WORDS = [
  "function",
  "procedure",
  "routine",
  "aggregate",
  "cascade",
  "rename",
  "schema",
  "type",
  "domain",
  "extension",
];

export async function introspectPostgres(sql: PgClient, scope?: TableScope): Promise<Schema> {
  // Prepared: planning this query costs more than running it (measured at 200
  // migrations: 5 ms to plan, about 1 ms to run scoped), and a stairway step takes several snapshots.
  const routines = !scope || ROUTINE_WORDS.some((w) => scope.has(w));
  const [row] = await sql.unsafe<{ catalog: Catalog }[]>(
    routines ? CATALOG.routines : CATALOG.noRoutines,
    [scope ? JSON.stringify([...scope]) : null],
    { prepare: true },
  );
  const cat = row!.catalog;
  const schema = emptySchema("postgres");

  const byOid = new Map<number, Table>();
  const partitionsOf = new Map<string, { name: string; bound: string }[]>();
  for (const t of cat.tables) {
    if (t.relispartition && t.parent) {
      partitionsOf.set(t.parent, [...(partitionsOf.get(t.parent) ?? []), { name: t.name, bound: t.bound ?? "" }]);
      continue;
    }
    if (!inScope(scope, t.name)) continue;
    const table: Table = {
      name: t.name,
      columns: [],
      primaryKey: null,
      uniques: [],
      foreignKeys: [],
      checks: [],
      indexes: [],
    };
    if (t.partkey) table.partitioning = { key: t.partkey, partitions: [] };
    byOid.set(t.oid, table);
    schema.tables.push(table);
  }
  for (const table of schema.tables)
    if (table.partitioning)
      table.partitioning.partitions = (partitionsOf.get(table.name) ?? []).sort((a, b) => a.name.localeCompare(b.name));

  for (const c of cat.columns) {
    const generated = c.generated === "s" ? c.def : null;
    const col: Column = {
      name: c.name,
      type: c.type,
      nullable: !c.notnull,
      default: generated ? null : c.def,
      identity: c.identity === "a" ? "always" : c.identity === "d" ? "by default" : null,
      generated,
    };
    byOid.get(c.relid)?.columns.push(col);
  }
  for (const c of cat.constraints) {
    const t = byOid.get(c.relid);
    if (!t) continue;
    if (c.type === "p") t.primaryKey = { name: c.name, columns: c.cols };
    else if (c.type === "u") t.uniques.push({ name: c.name, columns: c.cols });
    else if (c.type === "f")
      t.foreignKeys.push({
        name: c.name,
        columns: c.cols,
        refTable: c.reftable ?? "?",
        refColumns: c.refcols,
        onDelete: ACTIONS[c.deltype] ?? c.deltype,
        onUpdate: ACTIONS[c.updtype] ?? c.updtype,
        ...(c.deferrable ? { deferrable: true } : {}),
      });
    else if (c.type === "c") t.checks.push({ name: c.name, expression: c.def.replace(/^CHECK\s*/i, "") });
    else t.checks.push({ name: c.name, expression: c.def });
  }
  for (const ix of cat.indexes) {
    byOid.get(ix.relid)?.indexes.push({
      // A CREATE INDEX CONCURRENTLY that failed leaves an invalid index behind.
      name: ix.valid ? ix.name : `${ix.name} (INVALID)`,
      unique: ix.unique,
      columns: ix.cols,
      where: ix.pred,
      ...(ix.method !== "btree" ? { method: ix.method } : {}),
    });
  }
  schema.views = cat.views.map((v) => ({
    name: v.name,
    materialized: v.kind === "m",
    definition: normalizeSqlText(v.def),
  }));
  schema.sequences = cat.sequences.map((s) => ({
    name: s.name,
    type: s.type,
    ownedBy: s.owned,
    increment: Number(s.increment),
    start: s.start,
  }));
  schema.enums = cat.enums.map((e) => ({ name: e.name, labels: e.labels }));
  schema.triggers = cat.triggers.map((t) => ({ name: t.name, table: t.table, definition: normalizeSqlText(t.def) }));
  schema.routines = cat.routines.map((r) => ({ signature: r.signature, definition: normalizeSqlText(r.def) }));
  schema.namespaces = cat.namespaces;
  schema.extensions = cat.extensions;
  return schema;
}

/** Every table and foreign-key edge, in one cheap catalog query (prepared: each step asks). */
const GRAPH = `
  SELECT json_build_object(
    'tables', ${agg(
      `SELECT ${QUAL("n.nspname", "c.relname")} AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_NS} AND ${NOT_EXTENSION("c.oid")}
          AND NOT (n.nspname = 'public' AND c.relname = '${BOOKKEEPING_TABLE}')`,
      "x.name",
    )},
    'references', ${agg(
      `SELECT ${QUAL("cn.nspname", "c.relname")} AS table, ${QUAL("pn.nspname", "p.relname")} AS parent
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
         JOIN pg_class p ON p.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
        WHERE con.contype = 'f' AND con.conparentid = 0`,
      "x.table, x.parent",
    )}
  ) AS graph`;

export async function tableGraphPostgres(sql: PgClient): Promise<TableGraph> {
  const [row] = await sql.unsafe<{ graph: { tables: { name: string }[]; references: TableGraph["references"] } }[]>(
    GRAPH,
    [],
    { prepare: true },
  );
  const g = row!.graph;
  return {
    tables: g.tables.map((t) => t.name),
    references: g.references.map((r) => ({ table: r.table, parent: r.parent })),
  };
}
