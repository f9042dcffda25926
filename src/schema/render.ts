// The canonical model as readable SQL-like text: one block per object, one
// keyed line per part, so dumps, diffs and messages all come from one place.

import type { Column, Index, Schema, Table } from "./model.ts";

export interface Part {
  /** What the line is, e.g. "column name", "index idx_tools_name". */
  key: string;
  text: string;
}

export interface ObjectText {
  /** e.g. "table tools" */
  id: string;
  kind: string;
  name: string;
  /** Lines of the object; for a table, its columns, constraints, indexes. */
  parts: Part[];
  /** The whole block as SQL-like text. */
  text: string;
}

export interface RenderOptions {
  /** Sort columns by name (comparisons: column order is not compared). */
  canonical?: boolean;
}

const list = (xs: string[]) => xs.join(", ");

function columnText(c: Column): string {
  let s = `${c.name} ${c.type}`;
  if (c.collation) s += ` COLLATE ${c.collation}`;
  if (c.generated) s += ` GENERATED ALWAYS AS (${c.generated}) ${c.virtual ? "VIRTUAL" : "STORED"}`;
  if (!c.nullable) s += " NOT NULL";
  if (c.default !== null) s += ` DEFAULT ${c.default}`;
  if (c.onUpdate) s += ` ON UPDATE ${c.onUpdate}`;
  if (c.identity === "always" || c.identity === "by default") s += ` GENERATED ${c.identity.toUpperCase()} AS IDENTITY`;
  if (c.identity === "autoincrement") s += " AUTOINCREMENT";
  return s;
}

function indexText(table: string, ix: Index): string {
  const using = ix.method ? ` USING ${ix.method}` : "";
  const where = ix.where ? ` WHERE ${ix.where}` : "";
  return `CREATE ${ix.unique ? "UNIQUE " : ""}INDEX ${ix.name} ON ${table}${using} (${list(ix.columns)})${where};`;
}

function tableParts(t: Table, opts: RenderOptions): Part[] {
  const columns = opts.canonical ? [...t.columns].sort((a, b) => a.name.localeCompare(b.name)) : t.columns;
  const parts: Part[] = columns.map((c) => ({ key: `column ${c.name}`, text: columnText(c) }));
  const named = (name: string | null) => (name ? `CONSTRAINT ${name} ` : "");
  if (t.primaryKey)
    parts.push({ key: "primary key", text: `${named(t.primaryKey.name)}PRIMARY KEY (${list(t.primaryKey.columns)})` });
  const constraints: Part[] = [];
  for (const u of t.uniques)
    constraints.push({
      key: `unique ${u.name ?? list(u.columns)}`,
      text: `${named(u.name)}UNIQUE (${list(u.columns)})`,
    });
  for (const f of t.foreignKeys) {
    const text =
      `${named(f.name)}FOREIGN KEY (${list(f.columns)}) REFERENCES ${f.refTable} (${list(f.refColumns)})` +
      ` ON DELETE ${f.onDelete} ON UPDATE ${f.onUpdate}${f.deferrable ? " DEFERRABLE" : ""}`;
    constraints.push({ key: `foreign key ${f.name ?? `(${list(f.columns)}) -> ${f.refTable}`}`, text });
  }
  for (const c of t.checks)
    constraints.push({ key: `check ${c.name ?? c.expression}`, text: `${named(c.name)}CHECK (${c.expression})` });
  constraints.sort((a, b) => a.key.localeCompare(b.key));
  parts.push(...constraints);
  return parts;
}

function tableBlock(t: Table, opts: RenderOptions): ObjectText {
  const inner = tableParts(t, opts);
  const after: Part[] = [...t.indexes]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((ix) => ({ key: `index ${ix.name}`, text: indexText(t.name, ix) }));
  let suffix = "";
  if (t.partitioning) {
    suffix = ` PARTITION BY ${t.partitioning.key}`;
    for (const p of t.partitioning.partitions)
      after.push({ key: `partition ${p.name}`, text: `CREATE TABLE ${p.name} PARTITION OF ${t.name} ${p.bound};` });
  }
  if (t.options?.length) suffix += ` ${t.options.join(", ")}`;
  const text = [
    `CREATE TABLE ${t.name} (`,
    inner.map((p) => `  ${p.text}`).join(",\n"),
    `)${suffix};`,
    ...after.map((p) => p.text),
  ].join("\n");
  const parts = [...inner, ...after];
  if (t.partitioning) parts.push({ key: "partition key", text: `PARTITION BY ${t.partitioning.key}` });
  if (t.options?.length) parts.push({ key: "table options", text: t.options.join(", ") });
  return { id: `table ${t.name}`, kind: "table", name: t.name, parts, text };
}

function single(kind: string, name: string, text: string): ObjectText {
  return { id: `${kind} ${name}`, kind, name, parts: [{ key: kind, text }], text };
}

/** Every object of the schema, in a stable order. */
export function schemaObjects(schema: Schema, opts: RenderOptions = {}): ObjectText[] {
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  return [
    ...schema.extensions.map((e) => single("extension", e, `CREATE EXTENSION ${e};`)),
    ...[...schema.namespaces].sort().map((n) => single("schema", n, `CREATE SCHEMA ${n};`)),
    ...byName(schema.enums).map((e) =>
      single(
        "type",
        e.name,
        `CREATE TYPE ${e.name} AS ENUM (${e.labels.map((l) => `'${l.replace(/'/g, "''")}'`).join(", ")});`,
      ),
    ),
    ...byName(schema.sequences).map((s) =>
      single(
        "sequence",
        s.name,
        `CREATE SEQUENCE ${s.name} AS ${s.type} INCREMENT ${s.increment} START ${s.start}${s.ownedBy ? ` OWNED BY ${s.ownedBy}` : ""};`,
      ),
    ),
    ...byName(schema.tables).map((t) => tableBlock(t, opts)),
    ...byName(schema.views).map((v) =>
      single(
        v.materialized ? "materialized view" : "view",
        v.name,
        `CREATE ${v.materialized ? "MATERIALIZED " : ""}VIEW ${v.name} AS ${v.definition.replace(/;$/, "")};`,
      ),
    ),
    ...[...schema.triggers]
      .sort((a, b) => a.table.localeCompare(b.table) || a.name.localeCompare(b.name))
      .map((t) => single("trigger", `${t.name} on ${t.table}`, `${t.definition.replace(/;$/, "")};`)),
    ...[...schema.routines]
      .sort((a, b) => a.signature.localeCompare(b.signature))
      .map((r) => single("function", r.signature, r.definition)),
  ];
}

/** The whole schema as text (`stairway schema dump`). */
export function renderSchema(schema: Schema, opts: RenderOptions = {}): string {
  const objects = schemaObjects(schema, opts);
  const head = `-- stairway schema dump (${schema.dialect}); canonical form, not meant to be run\n`;
  return head + (objects.length ? "\n" + objects.map((o) => o.text).join("\n\n") + "\n" : "\n-- (empty)\n");
}
